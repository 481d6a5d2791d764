"""The parameter catalogue as people read it: plain text, JSON and a Markdown table.

``iron-river params`` prints these, and ``docs/ODD.md``'s parameter table is the Markdown one,
so the command and the documentation cannot disagree.
"""

from __future__ import annotations

import json

from iron_river.scenario.scenario import PARAMETERS


def as_json() -> str:
    """Every parameter as a JSON list of records."""
    return json.dumps(
        [
            {
                "key": s.key,
                "default": s.default,
                "unit": s.unit,
                "min": s.lo,
                "max": s.hi,
                "provenance": s.provenance,
                "help": s.help,
            }
            for s in PARAMETERS.values()
        ],
        indent=2,
    )


def as_markdown() -> str:
    """Every parameter as one Markdown table."""
    lines = ["| key | default | unit | range | provenance | meaning |", "|---|---|---|---|---|---|"]
    for s in PARAMETERS.values():
        default = "inherit" if s.default is None else s.default
        lines.append(
            f"| `{s.key}` | {default} | {s.unit} | {s.describe_range()} | {s.provenance} "
            f"| {s.help} |"
        )
    return "\n".join(lines)


def as_text() -> str:
    """Every parameter as an indented plain-text list."""
    out = []
    for s in PARAMETERS.values():
        default = "(inherit)" if s.default is None else s.default
        out.append(
            f"{s.key}\n    default {default} {s.unit}; {s.describe_range()}\n"
            f"    provenance: {s.provenance}\n    {s.help}"
        )
    return "\n".join(out)
