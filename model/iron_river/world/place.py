"""Places on the map: US source states, crossings, Mexican states and regions, Central America.

A place is a Mesa agent living in its own cell of the route network. Its weekly numbers are
views of the model's arrays (one entry per market, crossing or source state), so reading a
place never copies and the week's arithmetic never loops over places.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import CellAgent

from iron_river.world.geography import CROSSING, MX_GT_CROSSING, US_STATES, PlaceRecord

if TYPE_CHECKING:
    from iron_river.model import IronRiverModel
    from iron_river.violence.gang import Gang


class Place(CellAgent):
    """One node of the map, with views of this week's numbers."""

    def __init__(self, model: IronRiverModel, record: PlaceRecord):
        super().__init__(model)
        self.record = record
        self.place_id = record.id
        self.name = record.name
        self.kind = record.kind
        self.country = record.country
        self.lon, self.lat = record.lon, record.lat
        self.index = -1  # row in the per-market arrays (populated places only)
        self.crossing_index = -1  # row among the US crossings (-1: not a US crossing)
        self.state_index = -1  # row among the source states

    def _market(self, name: str, default: float = 0.0) -> float:
        if self.index < 0:
            return default
        return float(getattr(self.model, name)[self.index])

    # -- people and violence (populated places) ---------------------------------------------

    @property
    def population(self) -> float:
        """Persons at home."""
        return self._market("population")

    @property
    def homicides(self) -> int:
        """Homicides this week."""
        return int(self._market_violence("homicides"))

    @property
    def firearm_homicides(self) -> int:
        """Firearm homicides this week."""
        return int(self._market_violence("firearm_homicides"))

    @property
    def expected_homicide_rate(self) -> float:
        """Expected homicides per 100,000 a year from the groups' current state."""
        return self._market_violence("expected_rate")

    @property
    def homicide_rate(self) -> float:
        """Homicides of this week as a yearly rate per 100,000 people."""
        pop = self.population
        return self.homicides * 52.0 / pop * 1e5 if pop > 0 else 0.0

    def _market_violence(self, name: str) -> float:
        if self.index < 0:
            return 0.0
        return float(getattr(self.model.violence, name)[self.index])

    @property
    def rivalry(self) -> float:
        """1 − Herfindahl index of the groups' turf: 0 under a monopoly."""
        return self._market_violence("rivalry")

    @property
    def extortion(self) -> float:
        """Households extorted this week."""
        return self._market_violence("extortion")

    @property
    def recruitment(self) -> float:
        """Forced-recruitment attempts on families this week."""
        return self._market_violence("recruitment")

    @property
    def households_exposed(self) -> float:
        """Households (real) that suffered violence this week."""
        return self._market("households_exposed_by_market")

    @property
    def departures(self) -> float:
        """Persons who left for the US border this week."""
        return self._market("departures_by_market")

    @property
    def departures_exposed(self) -> float:
        """Of them, persons whose household was victimised in the recall window."""
        return self._market("departures_exposed_by_market")

    @property
    def arrivals(self) -> float:
        """Persons from here who reached the US border this week."""
        return self._market("arrivals_by_market")

    @property
    def gangs(self) -> list[Gang]:
        """The armed groups of this place."""
        g = self.model.gangs
        return [g.agents[r] for r in np.flatnonzero(g.alive & (g.place == self.index))]

    @property
    def members(self) -> float:
        """Members of this place's armed groups."""
        return self._market("members_by_market_now")

    @property
    def arsenal(self) -> int:
        """Guns held by this place's groups (all origins)."""
        return int(self._market("arsenal_by_market"))

    @property
    def price(self) -> float:
        """Price paid for a US gun here last week (USD)."""
        return float(self.model.markets_state.paid[self.index]) if self.index >= 0 else 0.0

    @property
    def guns_delivered(self) -> int:
        """Trafficked guns that reached this place's groups this week."""
        return int(self._market("delivered_by_market"))

    # -- guns (source states and crossings) -------------------------------------------------

    @property
    def guns_bought_here(self) -> int:
        """Guns bought by trafficker cells in this source state this week."""
        if self.state_index < 0:
            return 0
        return int(self.model.guns_bought_by_state[self.state_index])

    def _units(self) -> np.ndarray:
        b = self.model.border
        if self.crossing_index >= 0:
            c = self.crossing_index
            return np.array([b.us[c], b.mx[c], b.between[c]])
        if self.place_id == MX_GT_CROSSING:
            return np.array([b.gt])
        return np.zeros(0, dtype=np.int64)

    @property
    def loads(self) -> int:
        """Loads that met a unit at this crossing this week (ports and between ports)."""
        b, u = self.model.border, self._units()
        if u.size == 3:  # the Mexican customs unit sees the US unit's survivors again
            return int(b.loads[u[0]] + b.loads[u[2]])
        return int(b.loads[u].sum())

    @property
    def guns_attempted(self) -> int:
        """Guns that tried to cross here this week."""
        b, u = self.model.border, self._units()
        if u.size == 3:
            return int(b.guns_attempted[u[0]] + b.guns_attempted[u[2]])
        return int(b.guns_attempted[u].sum())

    @property
    def guns_seized(self) -> int:
        """Guns seized here this week, by every unit."""
        b, u = self.model.border, self._units()
        return int(b.guns_seized[u].sum())

    @property
    def is_crossing(self) -> bool:
        """Whether this place is a border crossing."""
        return self.kind == CROSSING

    @property
    def is_source(self) -> bool:
        """Whether this place is a US source state."""
        return self.kind == US_STATES
