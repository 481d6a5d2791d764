"""The ledger: what the agents did each week, counted in real-world units.

Model-level series (one value per week), per-place and per-crossing series. Every
number is a tally of agent actions (guns bought, seized, delivered; homicides;
households exposed; persons departing and arriving), scaled from simulated to real
households where households are involved. Outputs and summary metrics are computed
from these tallies only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from iron_river.guns.trafficker import Trafficker
from iron_river.migration.exposure import current
from iron_river.migration.households import Status
from iron_river.world.geography import COUNTRIES

if TYPE_CHECKING:
    from iron_river.migration.arrivals import ArrivalTally
    from iron_river.model import IronRiverModel

PLACE_FIELDS = (
    "population",
    "homicides",
    "firearm_homicides",
    "households_exposed",
    "departures",
    "departures_violence",
    "arrivals",
    "arsenal",
    "arsenal_us",
    "guns_delivered",
    "price",
)
CROSSING_FIELDS = ("loads", "guns_attempted", "guns_seized_us", "guns_seized_mx", "guns_seized")
SAMPLE_FIELDS = (
    "week",
    "household",
    "place",
    "size",
    "children",
    "poor",
    "relatives_abroad",
    "status",
    "exposure",
    "exposed_recently",
)


class Ledger:
    """Weekly records of one model run."""

    def __init__(self, model: IronRiverModel):
        self.model = model
        self.rows: list[dict[str, float]] = []
        self.place_rows: list[np.ndarray] = []
        self.crossing_rows: list[np.ndarray] = []
        self.place_ids = [p.place_id for p in model.markets]
        self.crossing_ids = [c.place_id for c in model.crossings]
        self.gun_flows: list[tuple[str, str, int]] = []
        self.migrant_flows: list[tuple[str, str, float]] = []
        self.cumulative = {"bought": 0, "seized": 0, "delivered": 0}
        self.gun_totals: dict[tuple[str, str], float] = {}  # legs, summed over measured weeks
        self.migrant_totals: dict[tuple[str, str], float] = {}
        self.sample_rows: np.ndarray | None = None  # households whose trajectories are kept
        self.sample: list[np.ndarray] = []

    def reporters(self) -> dict[str, Callable[[IronRiverModel], float]]:
        """Model-level reporters for Mesa's DataCollector (they read the latest row)."""
        names = [
            "week",
            "guns_bought",
            "guns_seized_us",
            "guns_seized_mx",
            "guns_seized_gt_border",
            "guns_delivered",
            "households_exposed",
            "departures",
            "arrivals",
            "cells",
            "us_sourced_share_seized_mx",
            "homicides",
            *(f"homicide_rate_{c}" for c in COUNTRIES),
        ]
        return {n: (lambda m, n=n: m.ledger.latest(n)) for n in names}

    def latest(self, name: str) -> float:
        """The most recent weekly value of a model-level series (0 before the first week)."""
        return self.rows[-1][name] if self.rows else 0.0

    def record(self, model: IronRiverModel) -> None:
        """Tally the week that just ended."""
        row: dict[str, float] = {
            "week": model.week,
            "year": model.year,
            "measured": float(model.measuring),
        }
        us = sum(u.guns_seized for u in model.us_units)
        mx = sum(u.guns_seized for u in model.mx_units)
        gt = model.gt_unit.guns_seized
        bought = sum(p.guns_bought_here for p in model.places)
        delivered_mx = sum(p.guns_delivered for p in model.markets if p.country == "MX")
        delivered = sum(p.guns_delivered for p in model.markets)
        row.update(
            guns_bought=bought,
            guns_attempted_us=sum(u.guns_attempted for u in model.us_units),
            guns_seized_us=us,
            guns_seized_mx=mx,
            guns_seized_gt_border=gt,
            guns_into_mexico=model.guns_into_mexico,
            guns_delivered=delivered,
            guns_delivered_mx=delivered_mx,
            guns_delivered_ca=delivered - delivered_mx,
            cells=len(model.agents_by_type.get(Trafficker, [])),
            cells_entered=model.cells_entered,
            cells_exited=model.cells_exited,
            cells_arrested=model.cells_arrested,
        )
        c = self.cumulative
        c["bought"] += bought
        c["seized"] += us + mx + gt
        c["delivered"] += delivered
        row.update(
            cum_guns_bought=c["bought"],
            cum_guns_seized=c["seized"],
            cum_guns_delivered=c["delivered"],
        )
        tracing = model.tracing
        homicides = 0
        for country in COUNTRIES:
            places = [p for p in model.markets if p.country == country]
            h = sum(p.homicides for p in places)
            homicides += h
            pop = sum(p.population for p in places)
            row[f"homicides_{country}"] = h
            row[f"firearm_homicides_{country}"] = sum(p.firearm_homicides for p in places)
            row[f"population_{country}"] = pop
            row[f"homicide_rate_{country}"] = h * 52 / pop * 1e5 if pop else 0.0
            row[f"arsenal_{country}"] = sum(p.guns for p in places)
            row[f"seized_{country}"] = int(tracing.seized[country].sum())
            row[f"traced_{country}"] = tracing.traced_total(country)
            row[f"traced_us_{country}"] = tracing.traced_us(country)
        row["homicides"] = homicides
        traced = row["traced_MX"]
        row["us_sourced_share_seized_mx"] = row["traced_us_MX"] / traced if traced else 0.0
        places = model.markets
        row["households_exposed"] = sum(p.households_exposed for p in places)
        row["departures"] = sum(p.departures for p in places)
        row["departures_violence"] = model.departures_violence
        t = model.arrival_tally
        row["arrivals"] = t.persons if t else 0.0
        for country in COUNTRIES:
            row[f"arrivals_{country}"] = sum(p.arrivals for p in places if p.country == country)
        row.update(
            arrivals_exposed=t.exposed_persons if t else 0.0,
            arrivals_route_victims=t.route_victim_persons if t else 0.0,
            arrival_families=t.families if t else 0.0,
            arrival_families_violence=t.families_violence if t else 0.0,
        )
        hh = model.households
        for s in Status:
            row[f"households_{s.name.lower()}"] = int(hh.status_counts[s])
        row["households_settled"] = hh.settled
        row["households_formed"] = hh.formed
        self.rows.append(row)
        self.place_rows.append(
            np.array([[getattr(p, f) for f in PLACE_FIELDS] for p in model.markets], dtype=float)
        )
        self.crossing_rows.append(
            np.array(
                [
                    [c.loads, c.guns_attempted, *self._seized(model, c.place_id), c.guns_seized]
                    for c in model.crossings
                ]
            )
        )
        self._flows(model, t)
        if self.sample_rows is not None and model.measuring:
            self._record_sample(model)

    def _record_sample(self, model: IronRiverModel) -> None:
        hh, rows = model.households, self.sample_rows
        half_life = model.params.exposure.memory_half_life_weeks
        tie_weeks = model.params.migration.network_tie_years * 52
        self.sample.append(
            np.column_stack(
                [
                    np.full(rows.size, model.week),
                    rows,
                    hh.place[rows],
                    hh.size[rows],
                    hh.children[rows],
                    hh.poor[rows],
                    (model.week - hh.t_network[rows]) < tie_weeks,
                    hh.status[rows],
                    current(hh, rows, model.week, half_life),
                    model.week - hh.t_violent[rows] <= model.params.exposure.recall_window_weeks,
                ]
            )
        )

    @staticmethod
    def _seized(model: IronRiverModel, crossing: str) -> tuple[int, int]:
        us = sum(u.guns_seized for u in model.us_units if u.crossing == crossing)
        mx = sum(u.guns_seized for u in model.mx_units if u.crossing == crossing)
        if crossing == model.gt_unit.crossing:
            mx += model.gt_unit.guns_seized
        return us, mx

    def _flows(self, model: IronRiverModel, tally: ArrivalTally | None) -> None:
        legs: dict[tuple[str, str], int] = {}
        for (state, crossing, market), guns in model.flows.items():
            legs[state, crossing] = legs.get((state, crossing), 0) + guns
            legs[crossing, market] = legs.get((crossing, market), 0) + guns
        self.gun_flows = [(a, b, g) for (a, b), g in legs.items()]
        flows = []
        if tally is not None:
            share = model.journeys.crossing_prob
            for i, origin in enumerate(self.place_ids):
                persons = tally.persons_by_place[i]
                if persons:
                    flows += [
                        (origin, c, persons * share[i, j])
                        for j, c in enumerate(model.us_crossing_ids)
                        if share[i, j] > 0.05
                    ]
        self.migrant_flows = flows
        if model.measuring:
            for a, b, g in self.gun_flows:
                self.gun_totals[a, b] = self.gun_totals.get((a, b), 0) + g
            for a, b, p in flows:
                self.migrant_totals[a, b] = self.migrant_totals.get((a, b), 0) + p

    # ------------------------------------------------------------------ arrays for outputs

    def series(self, measured_only: bool = True) -> dict[str, np.ndarray]:
        """Model-level weekly series as arrays."""
        rows = [r for r in self.rows if r["measured"] or not measured_only]
        return {k: np.array([r[k] for r in rows]) for k in (rows[0] if rows else {})}

    def place_array(self, measured_only: bool = True) -> np.ndarray:
        """Per-place weekly values: weeks × places × :data:`PLACE_FIELDS`."""
        keep = [i for i, r in enumerate(self.rows) if r["measured"] or not measured_only]
        return np.array([self.place_rows[i] for i in keep])

    def crossing_array(self, measured_only: bool = True) -> np.ndarray:
        """Per-crossing weekly values: weeks × crossings × :data:`CROSSING_FIELDS`."""
        keep = [i for i, r in enumerate(self.rows) if r["measured"] or not measured_only]
        return np.array([self.crossing_rows[i] for i in keep])

