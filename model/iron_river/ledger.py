"""The ledger: what the agents did each week, counted in real-world units.

Model-level series (one value per week), per-place and per-crossing series. Every number is
a tally of agent actions (guns bought, seized, delivered; homicides; households exposed;
persons departing and arriving), scaled from simulated to real households where households
are involved. Outputs and summary metrics are computed from these tallies only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from iron_river.guns.arsenal import Origin
from iron_river.guns.routes import BETWEEN
from iron_river.migration.exposure import current
from iron_river.migration.households import Status
from iron_river.world.geography import COUNTRIES

if TYPE_CHECKING:
    from iron_river.model import IronRiverModel

PLACE_FIELDS = (
    "population",
    "homicides",
    "firearm_homicides",
    "households_exposed",
    "departures",
    "departures_exposed",
    "arrivals",
    "arsenal",
    "arsenal_us",
    "members",
    "groups",
    "rivalry",
    "guns_delivered",
    "price",
    "relatives_abroad_share",
)
CROSSING_FIELDS = (
    "loads",
    "guns_attempted",
    "guns_seized_us",
    "guns_seized_mx",
    "guns_between_ports",
    "guns_seized_between",
    "guns_seized",
)
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
REPORTED = (  # the series Mesa's DataCollector keeps (model-level reporters)
    "week",
    "guns_bought",
    "guns_seized_us",
    "guns_seized_mx",
    "guns_seized_between",
    "guns_seized_gt_border",
    "guns_delivered",
    "households_exposed",
    "departures",
    "arrivals",
    "cells",
    "us_sourced_share_seized_mx",
    "homicides",
    *(f"homicide_rate_{c}" for c in COUNTRIES),
)


WEEKLY_KEYS = (  # the model-level series, besides the per-country ones (name_MX, ...)
    "week",
    "year",
    "measured",
    "guns_bought",
    "guns_attempted_us",
    "guns_between_ports",
    "guns_seized_us",
    "guns_seized_mx",
    "guns_seized_between",
    "guns_seized_gt_border",
    "guns_into_mexico",
    "guns_delivered",
    "guns_delivered_mx",
    "guns_delivered_ca",
    "border_loads",
    "guns_per_load",
    "concealment",
    "between_ports_share",
    "cells",
    "cells_entered",
    "cells_exited",
    "cells_arrested",
    "cum_guns_bought",
    "cum_guns_seized",
    "cum_guns_delivered",
    "homicides",
    "us_sourced_share_seized_mx",
    "households_exposed",
    "departures",
    "departures_exposed",
    "arrivals",
    "arrivals_exposed",
    "arrivals_route_victims",
    "arrival_families",
    "arrival_families_violence",
    "nt_arrivals",
    "nt_arrivals_exposed",
    "nt_families",
    "nt_families_violence",
    "leader_arrests",
    "group_splits",
    "group_merges",
    "members_recruited",
    "members_killed",
    "forced_recruits",
    "members_lost",
    "guns_in_transit",
    *(f"households_{s.name.lower()}" for s in Status),
    "households_settled",
    "households_formed",
)


COUNTRY_SERIES = (  # per-country series, one column each: name_MX, name_GT, name_HN, name_SV
    "homicides",
    "firearm_homicides",
    "population",
    "homicide_rate",
    "arsenal",
    "members",
    "groups",
    "price",
    "seized",
    "traced",
    "traced_us",
    "relatives_abroad_share",
    "arrivals",
    "rivalry",
    "delivered",
    "non_us_guns",
    "guns_seized_police",
    "guns_worn",
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
        self.cumulative = {"bought": 0.0, "seized": 0.0, "delivered": 0.0}
        ns, nc, nm = len(model.routes.states), len(model.us_crossing_ids), len(model.markets)
        self._names = (model.routes.states, model.us_crossing_ids, model.market_ids)
        self._legs_sc, self._legs_cm = np.zeros((ns, nc)), np.zeros((nc, nm))
        self._migrants = np.zeros((nm, nc))
        self._totals = [np.zeros((ns, nc)), np.zeros((nc, nm)), np.zeros((nm, nc))]
        self.sample_rows: np.ndarray | None = None  # households whose trajectories are kept
        self.sample: list[np.ndarray] = []
        n = len(COUNTRIES)
        self._countries = (model.market_country_index[None, :] == np.arange(n)[:, None]).astype(
            float
        )
        b = model.border
        self._unit_kind = np.zeros(b.rate.size, dtype=np.int64)
        self._unit_kind[b.mx], self._unit_kind[b.between], self._unit_kind[b.gt] = 1, 2, 3
        self._us = list(Origin.us_sourced())
        self._keys = WEEKLY_KEYS
        self._country_flat = [
            f"{name}_{c}" for name in COUNTRY_SERIES for c in COUNTRIES
        ]  # the keys of one week's per-country values, in the order :meth:`record` stacks them

    def reporters(self) -> dict[str, Callable[[IronRiverModel], float]]:
        """Model-level reporters for Mesa's DataCollector (they read the latest row)."""
        return {n: (lambda m, n=n: m.ledger.latest(n)) for n in REPORTED}

    def latest(self, name: str) -> float:
        """The most recent weekly value of a model-level series (0 before the first week)."""
        return self.rows[-1][name] if self.rows else 0.0

    def record(self, model: IronRiverModel) -> None:
        """Tally the week that just ended."""
        b, v, g, hh = model.border, model.violence, model.gangs, model.households
        kind = np.bincount  # one grouped sum per quantity: US ports, customs, between, Guatemala
        k = self._unit_kind
        seized = kind(k, b.guns_seized, 4)
        attempted = kind(k, b.guns_attempted, 4)
        loads = kind(k, b.loads, 4)
        _, _, _, shipped, mode = model.gun_routes
        delivered = model.delivered_by_market
        by_c = (
            self._countries
            @ np.vstack(  # markets → countries, for every quantity at once
                [
                    v.homicides,
                    v.firearm_homicides,
                    model.population,
                    model.arrivals_by_market,
                    model.markets_state.paid * model.members_by_market_now,
                    model.members_by_market_now,
                    model.ties.active,
                    hh.count,
                    delivered,
                    v.rivalry * model.members_by_market_now,
                ]
            ).T
        )
        hom, fire, pop, arr, paid, members, ties, count, deliv, rivalry = by_c.T
        rows = g.rows
        gc = g.country[rows]
        arsenal = kind(gc, g.guns(rows), 4)
        groups = kind(gc, minlength=4)
        traced = model.tracing.traced
        traced_us = traced[:, self._us].sum(axis=1)
        bought = float(model.guns_bought_by_state.sum())
        border_loads = loads[0] + loads[2]
        crossed = attempted[0] + attempted[2]
        t = model.arrival_tally
        c = self.cumulative
        c["bought"] += bought
        c["seized"] += float(seized.sum())
        c["delivered"] += float(deliv.sum())
        rates = np.divide(hom * 52e5, pop, out=np.zeros(4), where=pop > 0)
        row = dict(
            zip(
                self._keys,
                (
                    model.week,
                    model.year,
                    float(model.measuring),
                    bought,
                    attempted[0],
                    attempted[2],
                    seized[0],
                    seized[1],
                    seized[2],
                    seized[3],
                    float(model.guns_into_mexico),
                    float(deliv.sum()),
                    deliv[0],
                    float(deliv[1:].sum()),
                    border_loads,
                    crossed / border_loads if border_loads else 0.0,
                    model.mean_concealment,
                    float(shipped[mode == BETWEEN].sum() / shipped.sum()) if shipped.sum() else 0.0,
                    float(model.cells.count),
                    model.cells_entered,
                    model.cells_exited,
                    model.cells_arrested,
                    c["bought"],
                    c["seized"],
                    c["delivered"],
                    float(hom.sum()),
                    traced_us[0] / traced[0].sum() if traced[0].sum() else 0.0,
                    float(model.households_exposed_by_market.sum()),
                    float(model.departures_by_market.sum()),
                    float(model.departures_exposed_by_market.sum()),
                    t.persons if t else 0.0,
                    t.exposed_persons if t else 0.0,
                    t.route_victim_persons if t else 0.0,
                    t.families if t else 0.0,
                    t.families_violence if t else 0.0,
                    t.nt_persons if t else 0.0,
                    t.nt_exposed_persons if t else 0.0,
                    t.nt_families if t else 0.0,
                    t.nt_families_violence if t else 0.0,
                    float(model.leader_arrests),
                    float(model.splits),
                    float(model.merges),
                    model.members_recruited,
                    model.members_killed,
                    float(model.forced_recruits.sum()),
                    model.members_lost,
                    float(sum(g.sum() for due in model.in_transit.values() for _, g in due)),
                    *hh.status_counts.tolist(),
                    hh.settled,
                    hh.formed,
                ),
                strict=True,
            )
        )
        per_country = np.concatenate(  # in the order of COUNTRY_SERIES
            [
                hom,
                fire,
                pop,
                rates,
                arsenal,
                members,
                groups.astype(float),
                paid / np.maximum(members, 1e-9),
                model.tracing.seized.sum(axis=1).astype(float),
                traced.sum(axis=1).astype(float),
                traced_us.astype(float),
                ties / count,
                arr,
                rivalry / np.maximum(members, 1e-9),
                deliv,
                model.non_us_guns,
                model.guns_police_seized,
                model.guns_worn,
            ]
        )
        row.update(zip(self._country_flat, per_country.tolist(), strict=True))
        self.rows.append(row)
        self.place_rows.append(self._places(model))
        self.crossing_rows.append(self._crossings(model))
        self._flows(model)
        if self.sample_rows is not None and model.measuring:
            self._record_sample(model)

    def _places(self, model: IronRiverModel) -> np.ndarray:
        g, v = model.gangs, model.violence
        rows = g.rows
        n = len(model.markets)
        us = g.arsenal[rows][:, self._us].sum(axis=1)
        return np.array(  # places × fields (a transposed view; values as column_stack)
            [
                model.population,
                v.homicides,
                v.firearm_homicides,
                model.households_exposed_by_market,
                model.departures_by_market,
                model.departures_exposed_by_market,
                model.arrivals_by_market,
                model.arsenal_by_market,
                np.bincount(g.place[rows], weights=us, minlength=n),
                model.members_by_market_now,
                np.bincount(g.place[rows], minlength=n),
                v.rivalry,
                model.delivered_by_market,
                model.markets_state.paid,
                model.ties.share(model.households),
            ],
            dtype=float,
        ).T

    def _crossings(self, model: IronRiverModel) -> np.ndarray:
        b = model.border
        out = np.zeros((len(self.crossing_ids), len(CROSSING_FIELDS)))
        c = b.n_crossings
        us, mx, bp = b.us, b.mx, b.between
        out[:c, 0] = b.loads[us] + b.loads[bp]
        out[:c, 1] = b.guns_attempted[us] + b.guns_attempted[bp]
        out[:c, 2] = b.guns_seized[us]
        out[:c, 3] = b.guns_seized[mx]
        out[:c, 4] = b.guns_attempted[bp]
        out[:c, 5] = b.guns_seized[bp]
        out[:c, 6] = b.guns_seized[us] + b.guns_seized[mx] + b.guns_seized[bp]
        gt = self.crossing_ids.index(model.crossings[-1].place_id)
        out[gt] = [
            b.loads[b.gt],
            b.guns_attempted[b.gt],
            0,
            b.guns_seized[b.gt],
            0,
            0,
            b.guns_seized[b.gt],
        ]
        return out

    def _record_sample(self, model: IronRiverModel) -> None:
        hh, rows = model.households, self.sample_rows
        half_life = model.params.exposure.memory_half_life_weeks
        self.sample.append(
            np.column_stack(
                [
                    np.full(rows.size, model.week),
                    rows,
                    hh.place[rows],
                    hh.size[rows],
                    hh.children[rows],
                    hh.poor[rows],
                    model.ties.tied(hh, rows),
                    hh.status[rows],
                    current(hh, rows, model.week, half_life),
                    model.week - hh.t_violent[rows] <= model.params.exposure.recall_window_weeks,
                ]
            )
        )

    def _flows(self, model: IronRiverModel) -> None:
        state, crossing, market, guns, _ = model.gun_routes
        ns, nc, nm = len(model.routes.states), len(model.us_crossing_ids), len(model.markets)
        self._legs_sc = np.bincount(state * nc + crossing, guns, ns * nc).reshape(ns, nc)
        self._legs_cm = np.bincount(crossing * nm + market, guns, nc * nm).reshape(nc, nm)
        self._migrants = model.arrivals_by_market[:, None] * model.journeys.crossing_prob
        if model.measuring:
            self._totals[0] += self._legs_sc
            self._totals[1] += self._legs_cm
            self._totals[2] += self._migrants

    def _legs(self, sc: np.ndarray, cm: np.ndarray) -> list[tuple[str, str, float]]:
        states, crossings, markets = self._names
        i, j = np.nonzero(sc)
        out = [(states[a], crossings[b], float(sc[a, b])) for a, b in zip(i, j, strict=True)]
        i, j = np.nonzero(cm)
        out += [(crossings[a], markets[b], float(cm[a, b])) for a, b in zip(i, j, strict=True)]
        return out

    def _migrant_legs(self, flows: np.ndarray) -> list[tuple[str, str, float]]:
        _, crossings, markets = self._names
        share = flows / np.maximum(flows.sum(axis=1, keepdims=True), 1e-12)
        i, j = np.nonzero((flows > 0) & (share > 0.05))
        return [(markets[a], crossings[b], float(flows[a, b])) for a, b in zip(i, j, strict=True)]

    @property
    def gun_flows(self) -> list[tuple[str, str, float]]:
        """(from, to, guns) moved this week: source state → crossing, crossing → market."""
        return self._legs(self._legs_sc, self._legs_cm)

    @property
    def migrant_flows(self) -> list[tuple[str, str, float]]:
        """(origin, crossing, persons) arriving at the US border this week."""
        return self._migrant_legs(self._migrants)

    @property
    def gun_totals(self) -> dict[tuple[str, str], float]:
        """Guns moved along each leg, summed over the measured weeks."""
        return {(a, b): g for a, b, g in self._legs(self._totals[0], self._totals[1])}

    @property
    def migrant_totals(self) -> dict[tuple[str, str], float]:
        """Migrants arriving along each (origin, crossing), summed over the measured weeks."""
        return {(a, b): p for a, b, p in self._migrant_legs(self._totals[2])}

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
