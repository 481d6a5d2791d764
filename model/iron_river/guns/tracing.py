"""Seized crime guns and what tracing them reveals (ATF eTrace statistics).

Every seized gun is submitted for tracing with the scenario's submission rate;
traced guns keep their true origin, so the US-sourced share of traced guns and
the number traced back to the US are outputs of what police and customs seized.
"""

from __future__ import annotations

import numpy as np

from iron_river.guns.arsenal import Origin, binomial_by_origin
from iron_river.world.geography import COUNTRIES

US = list(Origin.us_sourced())


class Tracing:
    """Weekly tally, by country, of guns seized inside the country and of traces."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.submission_rate = 0.0
        self.reset()

    def reset(self) -> None:
        """Start a new week."""
        z = {c: np.zeros(len(Origin), dtype=np.int64) for c in COUNTRIES}
        self.seized = z
        self.traced = {c: v.copy() for c, v in z.items()}

    def record(self, country: str, seized_by_origin: np.ndarray) -> None:
        """Count guns recovered in ``country`` and trace a share of them."""
        self.seized[country] += seized_by_origin
        self.traced[country] += binomial_by_origin(self.rng, seized_by_origin, self.submission_rate)

    def record_us_trafficked(self, country: str, guns: int) -> None:
        """Guns seized from traffickers by customs inside ``country`` (all bought in the US)."""
        v = np.zeros(len(Origin), dtype=np.int64)
        v[Origin.US_TRAFFICKED] = guns
        self.record(country, v)

    def traced_us(self, country: str) -> int:
        """Guns traced back to the US this week."""
        return int(self.traced[country][US].sum())

    def traced_total(self, country: str) -> int:
        """Guns traced this week."""
        return int(self.traced[country].sum())
