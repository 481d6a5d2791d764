"""Where a gun in an armed group's arsenal came from.

Origins matter because seized guns are traced: the US-sourced share of traced guns
(FACTS.md T2, T3) is read off the arsenals police seize from, never set directly. The
arsenals themselves are columns of :class:`iron_river.violence.gang.GangTable`.
"""

from __future__ import annotations

from enum import IntEnum


class Origin(IntEnum):
    """Where a gun came from."""

    US_TRAFFICKED = 0  # bought in a US gun shop and smuggled south
    US_DIVERTED = 1  # US-made, legally exported, then diverted in-country
    OTHER = 2  # stockpiles and imports from other countries

    @classmethod
    def us_sourced(cls) -> tuple[Origin, Origin]:
        """The origins a trace attributes to the US."""
        return (cls.US_TRAFFICKED, cls.US_DIVERTED)
