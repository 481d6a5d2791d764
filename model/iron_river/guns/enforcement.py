"""Border enforcement units: who inspects southbound loads, with what capacity.

A unit's chance of seizing a load is its scenario rate, diluted when it faces
more loads than it can examine (capacity against traffic). Units count what
they seize so crossings can report loads, guns attempted and guns seized.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from mesa.discrete_space import CellAgent

if TYPE_CHECKING:
    from iron_river.model import IronRiverModel


class Side(StrEnum):
    """Which authority a unit belongs to."""

    US_SOUTHBOUND = "us_southbound"  # CBP/HSI outbound inspection at a US port of entry
    MX_CUSTOMS = "mx_customs"  # Mexican customs at the same crossing
    MX_GT_BORDER = "mx_gt_border"  # the Mexico–Guatemala border


class BorderUnit(CellAgent):
    """An inspection unit at one crossing."""

    def __init__(self, model: IronRiverModel, crossing: str, side: Side, rate: float):
        super().__init__(model)
        self.crossing = crossing
        self.side = side
        self.rate = rate
        self.capacity = model.scenario.enforcement.capacity_loads_per_week
        self.expected_loads = 0.0  # traffic the unit plans for (smoothed past loads)
        self.loads = self.guns_attempted = self.guns_seized = self.loads_seized = 0
        self.guns_seized_total = 0
        self.p_seize = rate

    def open_week(self) -> None:
        """Plan this week's attention from recent traffic, reset the weekly counters."""
        self.expected_loads = 0.8 * self.expected_loads + 0.2 * self.loads
        self.p_seize = self.rate * min(1.0, self.capacity / max(self.expected_loads, 1.0))
        self.loads = self.guns_attempted = self.guns_seized = self.loads_seized = 0

    def inspect(self, guns: int) -> bool:
        """Inspect one load of ``guns``; return True if it is seized."""
        self.loads += 1
        self.guns_attempted += guns
        if self.model.random.random() < self.p_seize:
            self.loads_seized += 1
            self.guns_seized += guns
            self.guns_seized_total += guns
            return True
        return False

    @property
    def seizure_rate(self) -> float:
        """Share of this week's loads seized (what traffickers learn from)."""
        return self.loads_seized / self.loads if self.loads else 0.0
