"""Armed groups: members, arsenals and territory, one row each, and the Mesa agent of a group.

A group's members are recruited (voluntarily, following its income per member, and by force
from families), arrested, killed and leave; its arsenal grows with guns bought from
traffickers and from non-US sources (which answer the local price), and shrinks with police
seizures (traced) and wear; its turf follows its armed strength against its rivals'. When its
leaders are arrested its violence surges and it may split; splinters are absorbed back into
the strongest rival, and a group whose turf withers dissolves into its rivals. Every week of
this is array arithmetic over :class:`GangTable`; :class:`Gang` is a view of one row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from mesa.discrete_space import CellAgent

from iron_river.guns.arsenal import Origin
from iron_river.world.rows import RowTable

if TYPE_CHECKING:
    from iron_river.model import IronRiverModel

SURGE_HALF_LIFE_WEEKS = 26.0  # succession violence fades (Lindo & Padilla-Romo: months to a year)


class GangTable(RowTable):
    """State of every armed group, one row each; rows of dissolved groups are reused."""

    def __init__(self, capacity: int = 128):
        super().__init__(capacity)

    def columns(self) -> dict[str, tuple[Any, tuple[int, ...]]]:
        """The groups' columns: dtype and per-row shape."""
        return {
            "place": (np.int64, ()),
            "country": (np.int64, ()),
            "members": (float, ()),
            "arsenal": (np.int64, (len(Origin),)),
            "turf": (float, ()),
            "surge": (float, ()),
            "splinter": (bool, ()),
            "parent": (np.int64, ()),  # the group a splinter broke from (-1: none)
            "income": (float, ()),  # this week, USD
            "extortion": (float, ()),  # households extorted this week
            "violence_share": (float, ()),  # share of its place's expected violence
            "bought": (np.int64, ()),  # from traffickers this week
        }

    def add(self, n: int) -> np.ndarray:
        """Take ``n`` free rows (growing the table if needed), cleared, and return them."""
        rows = self.take(n)
        for name in ("members", "turf", "surge", "income", "extortion", "violence_share"):
            getattr(self, name)[rows] = 0.0
        self.arsenal[rows] = 0
        self.splinter[rows] = False
        self.parent[rows] = -1
        self.bought[rows] = 0
        return rows

    def guns(self, rows: np.ndarray) -> np.ndarray:
        """Guns held by each of ``rows``."""
        return self.arsenal[rows].sum(axis=1)


class Gang(CellAgent):
    """One armed group in one place (a view of one row of :class:`GangTable`)."""

    def __init__(self, model: IronRiverModel, row: int):
        super().__init__(model)
        self.row = row
        self.place = model.markets[int(model.gangs.place[row])]
        self.country = self.place.country
        self.cell = self.place.cell

    @property
    def members(self) -> float:
        """Members (persons)."""
        return float(self.model.gangs.members[self.row])

    @property
    def guns(self) -> int:
        """Guns held."""
        return int(self.model.gangs.arsenal[self.row].sum())

    @property
    def arsenal(self) -> np.ndarray:
        """Guns held by origin (:class:`~iron_river.guns.arsenal.Origin`)."""
        return self.model.gangs.arsenal[self.row].copy()

    @property
    def turf(self) -> float:
        """Share of its place's territory the group controls."""
        return float(self.model.gangs.turf[self.row])

    @property
    def guns_per_member(self) -> float:
        """Armed strength per member."""
        m = self.members
        return self.guns / m if m > 0 else 0.0


def spawn(
    model: IronRiverModel,
    place: np.ndarray,
    members: np.ndarray,
    turf: np.ndarray,
    arsenal: np.ndarray,
    parent: np.ndarray | None = None,
) -> np.ndarray:
    """New groups (at the start, or splinters): rows filled and their Mesa agents made."""
    g = model.gangs
    rows = g.add(place.size)
    g.place[rows] = place
    g.country[rows] = model.market_country_index[place]
    g.members[rows] = members
    g.turf[rows] = turf
    g.arsenal[rows] = arsenal
    if parent is not None:
        g.splinter[rows] = True
        g.parent[rows] = parent
    for row in rows:
        g.agents[row] = Gang(model, int(row))
    return rows


def dissolve(model: IronRiverModel, rows: np.ndarray) -> None:
    """Groups cease to exist (their members and guns already handed on)."""
    g = model.gangs
    for row in rows:
        agent = g.agents[row]
        g.agents[row] = None
        agent.remove()
    g.alive[rows] = False
    g.changed()
    g.members[rows] = 0.0
    g.arsenal[rows] = 0
    g.turf[rows] = 0.0


def receive(model: IronRiverModel, market: np.ndarray, guns: np.ndarray) -> None:
    """Deliveries to markets go to one group each, chosen in proportion to its members."""
    g = model.gangs
    keep = guns > 0
    market, guns = market[keep], guns[keep]
    if market.size == 0:
        return
    rows = g.rows
    order = np.lexsort((rows, g.place[rows]))
    rows = rows[order]
    place = g.place[rows]
    cum = np.cumsum(g.members[rows])
    start = np.searchsorted(place, market, side="left")
    end = np.searchsorted(place, market, side="right")
    base = np.where(start > 0, cum[np.maximum(start - 1, 0)], 0.0)
    pick = base + model.gangs_rng.random(market.size) * (cum[end - 1] - base)
    buyer = rows[np.minimum(np.searchsorted(cum, pick, side="right"), end - 1)]
    np.add.at(g.arsenal[:, Origin.US_TRAFFICKED], buyer, guns)
    np.add.at(g.bought, buyer, guns)
