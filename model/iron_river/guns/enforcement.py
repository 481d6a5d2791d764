"""Border enforcement: the units that inspect southbound loads, and what they publish.

Each US crossing has three units — US southbound inspection at the port, Mexican customs at
the port, and patrols of the border between ports nearby — and the Mexico-Guatemala border
has one. A unit's rate is the chance it seizes a load of the reference size; it is diluted
when the unit faces more loads than it can examine (capacity against recent traffic). A
load's chance also grows with its size and falls with concealment (:mod:`.shipping`).

Units are Mesa agents (:class:`BorderUnit`) whose state lives in one :class:`Border` table,
so a week's inspections are array operations. What traffickers learn of others' losses is
each unit's *published* seizure rate per reference load, smoothed over weeks.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import CellAgent

from iron_river.guns.shipping import LoadRule, Passage, inspect

if TYPE_CHECKING:
    from iron_river.model import IronRiverModel

PUBLISH_WEIGHT = 0.2  # weight of this week's seizures in the published rate (news lags)
PLAN_WEIGHT = 0.2  # weight of last week's loads in the traffic a unit plans for


class Side(StrEnum):
    """Which authority a unit belongs to."""

    US_SOUTHBOUND = "us_southbound"  # CBP/HSI outbound inspection at a US port of entry
    MX_CUSTOMS = "mx_customs"  # Mexican customs at the same port
    BETWEEN_PORTS = "between_ports"  # patrols of the border between ports near the crossing
    MX_GT_BORDER = "mx_gt_border"  # the Mexico-Guatemala border


class Border:
    """State of every unit, one row each: US ports, Mexican customs, between ports, Guatemala.

    Rows ``c``, ``C + c`` and ``2C + c`` are the US port, Mexican customs and between-ports
    units of US crossing ``c``; row ``3C`` is the Mexico-Guatemala border.
    """

    def __init__(self, crossings: tuple[str, ...], capacity: float):
        self.crossings = crossings
        c = len(crossings)
        self.n_crossings = c
        self.us, self.mx, self.between = np.arange(c), np.arange(c, 2 * c), np.arange(2 * c, 3 * c)
        self.gt = 3 * c
        n = 3 * c + 1
        self.rate = np.zeros(n)
        self.capacity = np.full(n, float(capacity))
        self.expected_loads = np.zeros(n)
        self.p = np.zeros(n)  # this week's seizure chance per reference load
        self.published = np.zeros(n)
        self.seized_total = np.zeros(n, dtype=np.int64)
        self.open_week()

    def set_rates(self, us: np.ndarray, mx: np.ndarray, between: np.ndarray, gt: float) -> None:
        """The rates in force (per crossing for the three border units)."""
        self.rate[self.us], self.rate[self.mx], self.rate[self.between] = us, mx, between
        self.rate[self.gt] = gt
        self.p = self.rate * np.minimum(1.0, self.capacity / np.maximum(self.expected_loads, 1.0))

    def open_week(self) -> None:
        """Plan this week's attention from recent traffic, reset the weekly tallies."""
        if hasattr(self, "loads"):
            self.expected_loads += PLAN_WEIGHT * (self.loads - self.expected_loads)
        self.p = self.rate * np.minimum(1.0, self.capacity / np.maximum(self.expected_loads, 1.0))
        n = self.rate.size
        self.loads = np.zeros(n)
        self.loads_seized = np.zeros(n)
        self.guns_attempted = np.zeros(n)
        self.guns_seized = np.zeros(n)
        self.weight = np.zeros(n)  # loads counted in reference loads (size and concealment)

    def publish(self) -> None:
        """Update the published seizure rate per reference load of every unit with traffic."""
        seen = self.weight > 0
        observed = np.zeros_like(self.published)
        observed[seen] = self.loads_seized[seen] / self.weight[seen]
        self.published[seen] += PUBLISH_WEIGHT * (
            np.minimum(observed[seen], 1.0) - self.published[seen]
        )
        self.seized_total += self.guns_seized.astype(np.int64)

    def inspect(
        self,
        units: np.ndarray,
        full: np.ndarray,
        rem: np.ndarray,
        size: np.ndarray,
        w_full: np.ndarray,
        w_rem: np.ndarray,
        rng: np.random.Generator,
    ) -> Passage:
        """Shipments meet their unit (``-1``: none, they pass); the unit's tallies are kept."""
        q = np.where(units >= 0, self.p[np.maximum(units, 0)], 0.0)
        seen = inspect(full, rem, size, w_full, w_rem, q, rng)
        at = units >= 0
        if at.any():
            u, n = units[at], self.rate.size
            self.loads += np.bincount(u, seen.loads[at], n)
            self.loads_seized += np.bincount(u, seen.loads_seized[at], n)
            self.guns_attempted += np.bincount(u, (full * size + rem)[at], n)
            self.guns_seized += np.bincount(u, seen.guns_seized[at], n)
            self.weight += np.bincount(u, seen.weight[at], n)
        return seen

    def inspect_guatemala(
        self,
        guns: np.ndarray,
        conceal: np.ndarray,
        rule: LoadRule,
        mean_load: float,
        rng: np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Guns carried into Guatemala a few at a time: return guns and loads seized per cell.

        Loads there are small (FACTS.md: 1-2 guns), so each gun's load is seized on its own
        with the chance of a load of ``mean_load`` guns.
        """
        w = rule.weight(np.full(guns.size, mean_load), conceal)
        p = -np.expm1(w * np.log1p(-min(self.p[self.gt], 1.0 - 1e-12)))
        lost = rng.binomial(guns, p)
        loads = guns / mean_load
        g = self.gt
        self.loads[g] += loads.sum()
        self.loads_seized[g] += lost.sum() / mean_load
        self.guns_attempted[g] += guns.sum()
        self.guns_seized[g] += lost.sum()
        self.weight[g] += (loads * w).sum()
        return lost, np.ceil(lost / mean_load).astype(np.int64)

    def port_risk(self, per_unit: np.ndarray) -> np.ndarray:
        """Combined US + Mexican risk at each port from per-unit risks (… × units)."""
        return 1.0 - (1.0 - per_unit[..., self.us]) * (1.0 - per_unit[..., self.mx])


class BorderUnit(CellAgent):
    """An inspection unit at one crossing (a view of one row of :class:`Border`)."""

    def __init__(self, model: IronRiverModel, crossing: str, side: Side, row: int):
        super().__init__(model)
        self.crossing, self.side, self.row = crossing, side, row

    @property
    def rate(self) -> float:
        """Seizure chance per reference load in force (before capacity dilution)."""
        return float(self.model.border.rate[self.row])

    @property
    def loads(self) -> int:
        """Loads inspected this week."""
        return int(self.model.border.loads[self.row])

    @property
    def guns_attempted(self) -> int:
        """Guns in the loads inspected this week."""
        return int(self.model.border.guns_attempted[self.row])

    @property
    def guns_seized(self) -> int:
        """Guns seized this week."""
        return int(self.model.border.guns_seized[self.row])

    @property
    def seizure_rate(self) -> float:
        """Share of this week's loads seized."""
        b = self.model.border
        return float(b.loads_seized[self.row] / b.loads[self.row]) if b.loads[self.row] else 0.0
