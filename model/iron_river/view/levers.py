"""The policy levers of the sidebar: which parameters, on which scale, shown how.

A probability that matters from 0.1% to 50% (US southbound inspection: 0.22% in 2019, 22% in
``interdiction_x100``) gets a logarithmic slider, so every decade has the same room; a share
that matters across its whole range gets a linear one. The slider moves a *position*; these
functions turn it into the parameter's value and back, and say the value in words with its
unit. Nothing here needs Solara.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from iron_river.scenario import IronRiverScenario
from iron_river.scenario.scenario import PARAMETERS, PRIORS


@dataclass(frozen=True)
class Lever:
    """One slider.

    Attributes:
        key: the scenario parameter (dotted key).
        label: the slider's name in the sidebar.
        log: a logarithmic slider (positions are log10 of the value).
        lo: the smallest value the slider reaches (> 0 when log).
        hi: the largest.
        steps: slider positions from lo to hi.
        unit: what the value means, after the number.
    """

    key: str
    label: str
    log: bool
    lo: float
    hi: float
    steps: int
    unit: str

    @property
    def default(self) -> float:
        """The 2019 value (an unset lever inherits its calibrated structural parameter)."""
        return float(_baseline().value(self.key))

    @property
    def fitted(self) -> bool:
        """Whether the lever inherits a fitted parameter (its 2019 value differs by particle)."""
        return PARAMETERS[self.key].inherits in PRIORS

    @property
    def slider_min(self) -> float:
        """Leftmost slider position."""
        return math.log10(self.lo) if self.log else self.lo

    @property
    def slider_max(self) -> float:
        """Rightmost slider position."""
        return math.log10(self.hi) if self.log else self.hi

    @property
    def slider_step(self) -> float:
        """Distance between slider positions."""
        return (self.slider_max - self.slider_min) / self.steps

    def position(self, value: float) -> float:
        """The slider position showing ``value`` (clipped to the slider's range)."""
        v = min(max(float(value), self.lo), self.hi)
        return math.log10(v) if self.log else v

    def value(self, position: float) -> float:
        """The parameter value at a slider position, rounded to 3 significant figures."""
        v = 10.0 ** float(position) if self.log else float(position)
        v = min(max(v, self.lo), self.hi)
        return float(f"{v:.3g}")

    def describe(self, value: float) -> str:
        """The value in words: ``2.2% of loads``, ``×1 (calibrated)``."""
        if self.unit.startswith("×"):
            return f"×{value:.3g}{self.unit[1:]}"
        pct = 100 * value
        text = f"{pct:.2g}" if pct < 10 else f"{pct:.0f}"
        return f"{text}%{self.unit}"


def _interdiction(key: str, label: str) -> Lever:
    """A border's chance of seizing a load: 0.01%–100% on a log scale."""
    return Lever(key, label, True, 1e-4, 1.0, 400, " of loads seized")


LEVERS: tuple[Lever, ...] = (
    _interdiction("policy.us_southbound_interdiction", "US southbound inspection"),
    _interdiction("policy.between_ports_interdiction", "Between ports (Border Patrol)"),
    _interdiction("policy.mx_customs_interdiction", "Mexican customs"),
    _interdiction("policy.mx_gt_border_interdiction", "Mexico–Guatemala border"),
    Lever(
        "policy.straw_enforcement",
        "Straw purchases blocked (US-wide)",
        False,
        0.0,
        0.99,
        99,
        " of attempts",
    ),
    Lever(
        "migration.violence_effect",
        "Violence → migration link",
        False,
        -3.0,
        3.0,
        60,
        "× (1 = calibrated, 0 = none, < 0 deters)",
    ),
)


@cache
def _baseline() -> IronRiverScenario:
    return IronRiverScenario()


BY_KEY = {lever.key: lever for lever in LEVERS}
