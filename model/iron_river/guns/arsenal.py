"""Gun stocks held by armed groups, counted by where the guns came from.

Origins matter because seized guns are traced: the US-sourced share of traced
guns (FACTS.md T2, T3) is read off these stocks, never set directly.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Origin(IntEnum):
    """Where a gun in an arsenal came from."""

    US_TRAFFICKED = 0  # bought in a US gun shop and smuggled south
    US_DIVERTED = 1  # US-made, legally exported, then diverted in-country
    OTHER = 2  # stockpiles and imports from other countries

    @classmethod
    def us_sourced(cls) -> tuple[Origin, Origin]:
        """The origins a trace attributes to the US."""
        return (cls.US_TRAFFICKED, cls.US_DIVERTED)


def binomial_by_origin(rng: np.random.Generator, guns: np.ndarray, p: float) -> np.ndarray:
    """Binomial(``guns[o]``, ``p``) for each origin.

    One scalar draw per origin: for three origins that is a third of the cost of one
    array draw, and this runs for every gang every week.
    """
    return np.array([rng.binomial(n, p) if n else 0 for n in guns.tolist()], dtype=np.int64)


class Arsenal:
    """Guns by origin; losses are drawn per gun so stocks stay whole numbers."""

    __slots__ = ("guns",)

    def __init__(self, guns: np.ndarray | None = None):
        self.guns = np.zeros(len(Origin), dtype=np.int64) if guns is None else guns.astype(np.int64)

    @property
    def total(self) -> int:
        """All guns held."""
        return int(self.guns.sum())

    @property
    def us_sourced(self) -> int:
        """Guns a trace would attribute to the US (trafficked or diverted)."""
        return int(self.guns[list(Origin.us_sourced())].sum())

    def add(self, origin: Origin, n: int) -> None:
        """Take delivery of ``n`` guns of one origin."""
        self.guns[origin] += n

    def remove(self, rng: np.random.Generator, p: float) -> np.ndarray:
        """Each gun is lost independently with probability ``p``; return the losses by origin."""
        lost = binomial_by_origin(rng, self.guns, p)
        self.guns -= lost
        return lost
