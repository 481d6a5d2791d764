"""What every generated text shares: numbers formatted once and recorded, tables, figure marks.

Every number the report and the README print goes through :class:`Cite`, which records it
(text → value) for ``report.json``, so a reader can check that a number in the text is one the
runs produced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

SMOKE_TITLE = "SMOKE TEST, NOT TO BE CITED"


@dataclass
class Cite:
    """Formats numbers for the text and records each one (text → value) for report.json."""

    cited: dict[str, Any] = field(default_factory=dict)

    def num(self, value: float, spec: str = ".3g", suffix: str = "") -> str:
        """Format ``value`` and record it."""
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            text = "n/a"
        else:
            text = format(value, spec) + suffix
        self.cited.setdefault(text, _clean(value))
        return text

    def pct(self, value: float, digits: int = 0, signed: bool = True) -> str:
        """A fraction as a percentage (``+12%``)."""
        v = value * 100 if value is not None and math.isfinite(value) else math.nan
        return self.num(v, f"{'+' if signed else ''}.{digits}f", "%")

    def count(self, value: float) -> str:
        """A count with thousands separators, to three significant figures."""
        if not math.isfinite(value):
            return self.num(value)
        rounded = float(f"{value:.3g}")
        return self.num(rounded, ",.0f" if abs(rounded) >= 1 else ".3g")

    def cell(self, text: str) -> str:
        """A preformatted table cell (e.g. from ``validation_table``)."""
        self.cited.setdefault(text, text)
        return text


def _clean(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_clean(x) for x in v]
    if isinstance(v, float | np.floating):
        return float(v) if math.isfinite(v) else None
    if isinstance(v, np.integer):
        return int(v)
    return v


# ---------------------------------------------------------------------------- figures


def _save(fig: Any, path: Path, smoke: bool) -> None:
    """Write a figure; a smoke test's figures say so across them (they get copied out)."""
    if smoke:
        fig.text(
            0.5,
            0.5,
            SMOKE_TITLE,
            ha="center",
            va="center",
            rotation=12,
            fontsize=22,
            color="#c00000",
            alpha=0.35,
            fontweight="bold",
        )
    fig.savefig(path, dpi=110)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _interval(cite: Cite, mean: float, lo: float, hi: float) -> str:
    return f"{cite.pct(mean)} [{cite.pct(lo)}, {cite.pct(hi)}]"
