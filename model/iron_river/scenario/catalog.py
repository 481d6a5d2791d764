"""The parameter catalogue as people read it: plain text, JSON and a Markdown table.

``iron-river params`` prints these, and ``docs/ODD.md``'s parameter table is the Markdown one,
so the command and the documentation cannot disagree.
"""

from __future__ import annotations

import json

from iron_river.scenario.scenario import PARAMETERS
from iron_river.scenario.schema import ParamSpec


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
                "role": s.role,
                "inherits": s.inherits,
                "prior": None
                if s.prior is None
                else {
                    "kind": s.prior.kind,
                    "lo": s.prior.lo,
                    "hi": s.prior.hi,
                    "reason": s.prior.reason,
                },
                "provenance": s.provenance,
                "help": s.help,
            }
            for s in PARAMETERS.values()
        ],
        indent=2,
    )


def as_markdown() -> str:
    """Every parameter as one Markdown table."""
    lines = [
        "| key | role | default | unit | range | prior | provenance | meaning |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in PARAMETERS.values():
        lines.append(
            f"| `{s.key}` | {s.role} | {_default(s)} | {s.unit} | {s.describe_range()} "
            f"| {_prior(s)} | {s.provenance} | {s.help} |"
        )
    return "\n".join(lines)


def _default(s: ParamSpec) -> str:
    if s.default is None:
        return f"= `{s.inherits}`" if s.inherits else "inherit"
    return str(s.default)


def _prior(s: ParamSpec) -> str:
    return "-" if s.prior is None else f"{s.prior.describe()}: {s.prior.reason}"


def as_text() -> str:
    """Every parameter as an indented plain-text list."""
    out = []
    for s in PARAMETERS.values():
        prior = "" if s.prior is None else f"\n    prior: {s.prior.describe()} ({s.prior.reason})"
        out.append(
            f"{s.key}  [{s.role}]\n    default {_default(s)} {s.unit}; {s.describe_range()}"
            f"{prior}\n    provenance: {s.provenance}\n    {s.help}"
        )
    return "\n".join(out)
