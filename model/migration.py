"""Migration: which households leave, why, and how they travel north.

The yearly hazard of a household at home is

    h = b_c · π^poor · ν^network · (1 − d·s) · exp(v · (1 + κ·children) · (β_a·H_p + β_e·E))

with b_c the country's base hazard, π and ν the poverty and network hazard ratios,
d·s US deterrence times its effect, v the sign and strength of the violence→migration
link, H_p the local homicide rate, E the household's remembered exposure. A departure
is attributed to violence with probability 1 − h(v=0)/h (competing hazards).

Households are drawn by thinning: Poisson candidate marks at the place's maximum hazard
(:meth:`Households.marks`), each kept with probability h/h_max, so the work grows with
departures, not with the population.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass

import networkx as nx
import numpy as np

from iron_river import geography
from iron_river.exposure import EXPOSURE_CAP, current
from iron_river.households import Households, Status, first_of_runs
from iron_river.scenario import Migration

SCAN_ABOVE = 1.0  # candidate marks per household and week above which every one is looked at
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


def base_hazard(
    hh: Households, rows: np.ndarray, place: np.ndarray, base: np.ndarray, m: Migration, week: int
) -> np.ndarray:
    """Yearly hazard without violence: country base × poverty × network × deterrence."""
    deterrence = 1.0 - m.us_deterrence * m.deterrence_sensitivity
    poor = np.where(hh.poor[rows], m.poverty_multiplier * deterrence, deterrence)
    has_network = hh.t_network[rows] > week - m.network_tie_years * 52
    return base[place] * poor * np.where(has_network, m.network_multiplier, 1.0)


def violence_exponent(
    hh: Households,
    rows: np.ndarray,
    place: np.ndarray,
    ambient: np.ndarray,
    m: Migration,
    week: int,
    half_life: float,
) -> np.ndarray:
    """V · (1 + κ·children) · (β_a·H_p + β_e·E) for each row."""
    weight = np.where(
        hh.children[rows],
        m.violence_effect * (1.0 + m.children_violence_multiplier),
        m.violence_effect,
    )
    signal = (m.ambient_coefficient * ambient)[place] + m.exposure_coefficient * current(
        hh, rows, week, half_life
    )
    return weight * signal


def decide(
    hh: Households,
    week: int,
    base: np.ndarray,
    ambient: np.ndarray,
    m: Migration,
    half_life: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw this week's departures; return their rows and whether violence was the reason."""
    v_max = max(m.violence_effect, 0.0) * (1.0 + max(m.children_violence_multiplier, 0.0))
    static_max = (
        max(1.0, m.poverty_multiplier)
        * max(1.0, m.network_multiplier)
        * (1.0 - m.us_deterrence * m.deterrence_sensitivity)
    )
    h_max = (static_max * base) * np.exp(
        v_max * (m.ambient_coefficient * ambient + m.exposure_coefficient * EXPOSURE_CAP)
    )
    # candidates: Poisson marks at the bound; a mark is kept with probability h / h_max, so
    # kept marks are Poisson(h / 52) per household and it leaves with probability 1 − e^(−h/52).
    # Where the bound gives more marks than households, every household is looked at instead.
    rate = h_max * (1.0 / 52.0)
    scan = rate > SCAN_ABOVE
    rows, place = hh.marks(np.where(scan, 0.0, hh.count * rate), rng)
    n_marks = rows.size
    if scan.any():
        every = [np.arange(hh.start[p], hh.start[p] + hh.count[p]) for p in np.flatnonzero(scan)]
        rows = np.concatenate([rows, *every])
        place = np.concatenate([place, hh.place[rows[n_marks:]]])
    home = hh.status[rows] == Status.HOME
    h0 = base_hazard(hh, rows, place, base, m, week)
    h = h0 * np.exp(violence_exponent(hh, rows, place, ambient, m, week, half_life))
    u = rng.random((2, rows.size))
    keep = u[0] * h_max[place] < h
    if rows.size > n_marks:  # households looked at one by one: the weekly chance itself
        keep[n_marks:] = u[0, n_marks:] < -np.expm1(h[n_marks:] * (-1.0 / 52.0))
    keep &= home  # marks on households away are void
    rows, h0, h, u = rows[keep], h0[keep], h[keep], u[1, keep]
    # competing hazards: violence is the reason with probability 1 − h(v=0)/h
    violence = u * h < h - h0
    order = np.argsort(rows, kind="stable")
    rows, violence = rows[order], violence[order]
    first = first_of_runs(rows)  # two kept marks on one household: it leaves once
    if first is not None:
        rows, violence = rows[first], violence[first]
    return rows, violence


class Calendar:
    """Rows due at a future week (arrivals, returns): work is proportional to the events."""

    def __init__(self) -> None:
        self._due: defaultdict[int, list[np.ndarray]] = defaultdict(list)

    def add(self, weeks: np.ndarray, rows: np.ndarray) -> None:
        """Schedule ``rows[i]`` for week ``weeks[i]``."""
        order = np.argsort(weeks, kind="stable")
        weeks, rows = weeks[order], rows[order]
        bounds = np.flatnonzero(np.diff(weeks)) + 1
        for w, chunk in zip(np.split(weeks, bounds), np.split(rows, bounds), strict=True):
            if chunk.size:
                self._due[int(w[0])].append(chunk)

    def pop(self, week: int) -> np.ndarray:
        """Rows due this week."""
        chunks = self._due.pop(week, [])
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)

    def pending(self) -> int:
        """Rows scheduled but not yet due."""
        return sum(c.size for chunks in self._due.values() for c in chunks)


def depart(
    hh: Households,
    rows: np.ndarray,
    violence_reason: np.ndarray,
    week: int,
    journeys: Journeys,
    route_risk: np.ndarray,
    calendar: Calendar,
    rng: np.random.Generator,
) -> None:
    """Send households north: pick a crossing, schedule the arrival, draw route victimisation."""
    p = hh.place[rows]
    cum = np.cumsum(journeys.crossing_prob[p], axis=1)
    c = (cum < rng.random(rows.size)[:, None] * cum[:, -1:]).sum(axis=1)
    hh.move(rows, Status.TRANSIT)
    hh.t_departed[rows] = week
    hh.violence_reason[rows] = violence_reason
    hh.crossing[rows] = c
    hh.route_victim[rows] = rng.random(rows.size) < route_risk[p, c]
    calendar.add(week + journeys.weeks[p, c], rows)
