"""The journey north: which crossing migrants head for, how long it takes, what they risk.

Routes are the shortest road paths from each origin to each US crossing (avoiding the US
states); migrants prefer nearer crossings, travel a fixed distance a week, and are
victimised on the route with a hazard that follows the homicide rates of the places crossed.
Arrivals and returns are kept on a :class:`Calendar` of rows due at future weeks.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import networkx as nx
import numpy as np

from iron_river.migration.households import Households, Status
from iron_river.scenario.migration import Migration
from iron_river.world import geography

CROSSING_SALT, ROUTE_SALT = 11, 12  # which counter-based draw of a household (uniform)

MEXICO_REFERENCE_RATE = 29.0  # FACTS.md T7: Mexico's 2019 homicide rate, the unit of route risk


@dataclass(frozen=True)
class Journeys:
    """Routes north from each origin to each US crossing: choice weights, weeks, places crossed."""

    crossing_prob: np.ndarray  # (P, C) chance an origin's migrants head for each crossing
    weeks: np.ndarray  # (P, C) travel time
    km_through: np.ndarray  # (P, C, P) km travelled through each populated place

    @classmethod
    def build(
        cls, place_ids: tuple[str, ...], crossings: tuple[str, ...], m: Migration
    ) -> Journeys:
        """Shortest road paths from every origin to every crossing, avoiding the US states."""
        g = geography.graph().copy()
        g.remove_nodes_from(geography.ids(geography.US_STATES))
        index = {pid: i for i, pid in enumerate(place_ids)}
        n_p, n_c = len(place_ids), len(crossings)
        km = np.zeros((n_p, n_c))
        through = np.zeros((n_p, n_c, n_p))
        for i, origin in enumerate(place_ids):
            for j, crossing in enumerate(crossings):
                path = nx.shortest_path(g, origin, crossing, weight="km")
                for a, b in itertools.pairwise(path):
                    d = g.edges[a, b]["km"]
                    km[i, j] += d
                    # half of each leg is spent in each end (crossings are not populated)
                    for end in (a, b):
                        if end in index:
                            through[i, j, index[end]] += d / 2
        weight = np.exp(-km / m.crossing_distance_scale_km)
        prob = weight / weight.sum(axis=1, keepdims=True)
        weeks = np.maximum(1, np.ceil(km / m.travel_km_per_week)).astype(np.int32)
        return cls(prob, weeks, through)

    def victimisation_prob(self, homicide_rate: np.ndarray, per_1000km: float) -> np.ndarray:
        """Chance of being victimised on each route, from the homicide rates of places crossed."""
        hazard = per_1000km / 1000.0 * (self.km_through @ (homicide_rate / MEXICO_REFERENCE_RATE))
        return -np.expm1(-hazard)


class Calendar:
    """Rows due at a future week (arrivals, returns), held as two flat arrays.

    ``pop`` returns a week's rows in the order they were added (scheduling order, then the
    order within a call), so what is done to them — sums, draws — does not depend on how
    they are stored; a mask over the few thousand pending rows costs less than keeping a
    list per week.
    """

    def __init__(self) -> None:
        self._week = np.zeros(0, dtype=np.int64)
        self._rows = np.zeros(0, dtype=np.int64)

    def add(self, weeks: np.ndarray, rows: np.ndarray) -> None:
        """Schedule ``rows[i]`` for week ``weeks[i]``."""
        if rows.size == 0:
            return
        self._week = np.concatenate([self._week, np.broadcast_to(weeks, rows.shape)])
        self._rows = np.concatenate([self._rows, rows])

    def pop(self, week: int) -> np.ndarray:
        """Rows due this week."""
        due = self._week == week
        out = self._rows[due]
        if out.size:
            keep = ~due
            self._week, self._rows = self._week[keep], self._rows[keep]
        return out

    def pending(self) -> int:
        """Rows scheduled but not yet due."""
        return int(self._rows.size)


def depart(
    hh: Households,
    rows: np.ndarray,
    names_violence: np.ndarray,
    week: int,
    journeys: Journeys,
    route_risk: np.ndarray,
    calendar: Calendar,
    rng: np.random.Generator,
) -> None:
    """Send households north: pick a crossing, schedule the arrival, draw route victimisation."""
    p = hh.place[rows]
    cum = np.cumsum(journeys.crossing_prob[p], axis=1)
    c = (cum < hh.uniform(rows, week, CROSSING_SALT)[:, None] * cum[:, -1:]).sum(axis=1)
    hh.move(rows, Status.TRANSIT)
    hh.t_departed[rows] = week
    hh.names_violence[rows] = names_violence
    hh.crossing[rows] = c
    hh.route_victim[rows] = hh.uniform(rows, week, ROUTE_SALT) < route_risk[p, c]
    calendar.add(week + journeys.weeks[p, c], rows)
