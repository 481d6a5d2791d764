"""Seized crime guns and what tracing them reveals (ATF eTrace statistics).

Every gun seized inside a country — by police from armed groups, by customs from traffickers —
is submitted for tracing with the scenario's submission rate; traced guns keep their true
origin, so the US-sourced share of traced guns and the number traced back to the US are
outputs of what police and customs seized, never inputs.
"""

from __future__ import annotations

import numpy as np

from iron_river.guns.arsenal import Origin
from iron_river.world.geography import COUNTRIES

US = list(Origin.us_sourced())
COUNTRY_INDEX = {c: i for i, c in enumerate(COUNTRIES)}


class Tracing:
    """Weekly tally, by country and origin, of guns seized inside the country and of traces."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.submission_rate = 0.0
        self.reset()

    def reset(self) -> None:
        """Start a new week."""
        self.seized = np.zeros((len(COUNTRIES), len(Origin)), dtype=np.int64)
        self._pending = np.zeros_like(self.seized)

    def record_by_country(self, country: np.ndarray, seized: np.ndarray) -> None:
        """Guns seized from groups (rows: a country index each; columns: origins)."""
        np.add.at(self._pending, country, seized)

    def record_us_trafficked_at(self, country: str, guns: int) -> None:
        """Guns seized from traffickers by customs inside ``country`` (all bought in the US)."""
        self._pending[COUNTRY_INDEX[country], Origin.US_TRAFFICKED] += guns

    def record_us_trafficked_by_country(self, country: np.ndarray, guns: np.ndarray) -> None:
        """Guns seized from traffickers at the Mexico-Guatemala border, by destination."""
        np.add.at(self._pending[:, Origin.US_TRAFFICKED], country, guns)

    def trace(self) -> None:
        """Submit the week's seizures for tracing (one binomial draw per country and origin)."""
        self.seized = self._pending
        self.traced = self.rng.binomial(self.seized, self.submission_rate)
        self._pending = np.zeros_like(self.seized)

    def traced_us(self, country: str) -> int:
        """Guns traced back to the US this week."""
        return int(self.traced[COUNTRY_INDEX[country], US].sum())

    def traced_total(self, country: str) -> int:
        """Guns traced this week."""
        return int(self.traced[COUNTRY_INDEX[country]].sum())
