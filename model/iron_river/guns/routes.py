"""Routes south: from a US source state, through a crossing, to a market where gangs buy.

A route is (source state, crossing, mode, market). The mode is a port of entry, inspected by
US southbound officers and Mexican customs, or the border *between* ports near that crossing
(on foot, by river, through the desert): dearer and slower per gun, carried in small loads,
watched by patrols of its own and untouched by port inspection. Routes to Guatemala, Honduras
and El Salvador continue through the Mexico-Guatemala crossing. Every route of every state is
one row of :class:`RouteTable`, so cells choose among them with array arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iron_river.world import geography

PORT, BETWEEN = 0, 1  # route modes


@dataclass(frozen=True, slots=True)
class RouteTable:
    """Every route of every source state, as parallel arrays (one row per route)."""

    state: np.ndarray  # index into RouteTable.states
    crossing: np.ndarray  # index into the US crossings
    mode: np.ndarray  # PORT or BETWEEN
    market: np.ndarray  # index into the model's markets (populated places)
    central_america: np.ndarray  # bool: continues through the Mexico-Guatemala crossing
    km: np.ndarray  # road distance, state to market
    states: tuple[str, ...]

    @classmethod
    def build(cls, markets: tuple[str, ...], market_country: tuple[str, ...]) -> RouteTable:
        """All (crossing, mode, market) triples reachable from each source state."""
        g = geography.graph()
        states = geography.ids(geography.US_STATES)
        crossings = geography.us_crossings()
        rows = []
        for si, state in enumerate(states):
            for ci, crossing in enumerate(crossings):
                if not g.has_edge(state, crossing):
                    continue
                km0 = g.edges[state, crossing]["km"]
                for mi, market in enumerate(markets):
                    km = km0 + geography.inland_km(crossing, market)
                    ca = market_country[mi] != "MX"
                    rows.extend((si, ci, mode, mi, ca, km) for mode in (PORT, BETWEEN))
        cols = list(zip(*rows, strict=True))
        return cls(
            np.array(cols[0], dtype=np.int64),
            np.array(cols[1], dtype=np.int64),
            np.array(cols[2], dtype=np.int64),
            np.array(cols[3], dtype=np.int64),
            np.array(cols[4], dtype=bool),
            np.array(cols[5], dtype=float),
            states,
        )

    @property
    def n(self) -> int:
        """Number of routes."""
        return self.state.size

    def cost_per_gun(self, usd_per_km: float, between_usd: float) -> np.ndarray:
        """Transport cost of one gun on each route (between-port crossings cost extra)."""
        return usd_per_km * self.km + np.where(self.mode == BETWEEN, between_usd, 0.0)

    def market_distance(self, n_markets: int) -> np.ndarray:
        """Shortest road distance from each state to each market (states × markets)."""
        out = np.full((len(self.states), n_markets), np.inf)
        np.minimum.at(out, (self.state, self.market), self.km)
        return out
