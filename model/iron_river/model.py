"""The iron river model: guns south, violence, households north — one week per step.

:meth:`IronRiverModel.step` is the whole weekly order of events. Traffickers, border
units, gangs and places are Mesa agents on the route network; households are numpy
arrays (:mod:`iron_river.migration.households`). Policy levers keep their baseline values
during the burn-in and switch to the scenario's at the start of the measured period,
so every scenario starts from the same calibrated 2019 world and its effects unfold
in causal order.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
from mesa.discrete_space import Network

from iron_river.guns.enforcement import BorderUnit, Side
from iron_river.guns.tracing import Tracing
from iron_river.guns.trafficker import Routes, Trafficker, best_margin, enter_new_cells
from iron_river.ledger import Ledger
from iron_river.migration.arrivals import ArrivalTally, arrive, come_home
from iron_river.migration.decision import decide
from iron_river.migration.exposure import victimise
from iron_river.migration.households import Households, per_place_inputs
from iron_river.migration.journey import Calendar, Journeys, depart
from iron_river.scenario import IronRiverScenario, baseline_levers
from iron_river.violence.gang import Gang
from iron_river.world import geography
from iron_river.world.place import Place


class IronRiverModel(mesa.Model):
    """Guns trafficked from US gun shops to armed groups, and the migration their violence drives.

    Args:
        scenario: a validated :class:`IronRiverScenario` (default: the baseline).
        rng: seed or generator (``SeedSequence`` welcome); same seed ⇒ same run.
        **params: parameter overrides by dotted key (or with ``__`` for dots), so the model
            works with ``mesa.batch_run`` and Solara sliders.
    """

    def __init__(
        self, scenario: IronRiverScenario | None = None, *, rng: Any = None, **params: Any
    ):
        base = scenario if scenario is not None else IronRiverScenario()
        scenario = base.with_values(params, origin="model parameters", rng=rng)
        super().__init__(rng=rng, scenario=scenario)
        # households draw from a stream of their own: traffickers, units and gangs never see
        # the households, so runs at any scale with one seed share that side of the world and
        # differ only in the households' sampling noise
        self.household_rng: np.random.Generator = self.rng.spawn(1)[0]
        self.week = 0  # weeks completed
        self.burn_in_weeks = scenario.burn_in_years * 52
        self.measured_weeks = scenario.years * 52
        # the scenario in force: baseline levers during the burn-in, the scenario's afterwards
        self.params: IronRiverScenario = (
            baseline_levers(scenario) if self.burn_in_weeks else (scenario)
        )

        self._build_map()
        self._build_enforcement()
        self._build_gangs()
        self.tracing = Tracing(self.rng)
        self.tracing.submission_rate = self.params.tracing.submission_rate
        self._build_households()
        self._build_traffickers()
        self.ledger = Ledger(self)
        self.datacollector = mesa.DataCollector(model_reporters=self.ledger.reporters())
        self.running = True

    # ---------------------------------------------------------------- the weekly order of events

    def step(self) -> None:
        """One week: guns move south, gangs arm and fight, households are exposed and move north."""
        self._begin_week()
        self.agents_by_type[Trafficker].shuffle_do("trade")  # buy, route, ship through units, sell
        enter_new_cells(self)  # new cells enter where the trade pays
        gangs = self.agents_by_type[Gang]
        gangs.shuffle_do("resupply")  # non-US guns
        gangs.shuffle_do("lose_guns")  # police seizures (traced) and wear
        for place in self.markets:
            place.fight()  # homicides, extortion, recruitment from armed strength and rivalry
            place.set_price()  # black-market price follows local scarcity
        self.market_prices = np.array([place.price for place in self.markets])
        self._publish_seizures()  # what traffickers learn of others' losses
        self._households_week()  # exposure, departures, travel, arrivals, returns
        self.week += 1
        self.ledger.record(self)
        self.datacollector.collect(self)
        if self.week >= self.burn_in_weeks + self.measured_weeks:
            self.running = False

    def _begin_week(self) -> None:
        if self.week == self.burn_in_weeks and self.params is not self.scenario:
            self.params = self.scenario  # the policy starts with the measured period
            self._apply_levers()
        for place in self.places:
            place.clear_week()
        for unit in self.units:
            unit.open_week()
        self.tracing.reset()
        self.guns_into_mexico = 0
        self.cells_entered = self.cells_exited = self.cells_arrested = 0
        self.flows: dict[tuple[str, str, str], int] = {}
        self.arrival_tally: ArrivalTally | None = None

    def _publish_seizures(self) -> None:
        """Seizure rates per crossing, as traffickers hear of them (smoothed over weeks)."""
        for i, (us, mx) in enumerate(zip(self.us_units, self.mx_units, strict=True)):
            crossing = self.place_by_id[us.crossing]
            crossing.loads, crossing.guns_attempted = us.loads, us.guns_attempted
            crossing.guns_seized = us.guns_seized + mx.guns_seized
            if us.loads:
                rate = (us.loads_seized + mx.loads_seized) / us.loads
                self.published_risk[i] += 0.2 * (rate - self.published_risk[i])
        gt = self.gt_unit
        self.place_by_id[gt.crossing].guns_attempted = gt.guns_attempted
        self.place_by_id[gt.crossing].guns_seized = gt.guns_seized
        self.place_by_id[gt.crossing].loads = gt.loads
        if gt.loads:
            self.published_risk_gt += 0.2 * (gt.seizure_rate - self.published_risk_gt)

    def _households_week(self) -> None:
        hh, p = self.households, self.params
        exp, mig = p.exposure, p.migration
        homicides = np.array([pl.homicides for pl in self.markets], dtype=float)
        extortion = np.array([pl.extortion for pl in self.markets])
        recruitment = np.array([pl.recruitment for pl in self.markets])
        events = np.stack([homicides * exp.households_per_homicide, extortion, recruitment], 1)
        exposed = victimise(
            hh,
            events / hh.scale,
            np.array([1.0, 1.0, mig.recruitment_weight]),
            np.array([False, False, True]),
            self.week,
            exp.memory_half_life_weeks,
            self.household_rng,
        )
        ambient = np.array([pl.expected_homicide_rate for pl in self.markets])
        base = np.array([mig.countries[pl.country].base_hazard_per_year for pl in self.markets])
        rows, violence = decide(
            hh, self.week, base, ambient, mig, exp.memory_half_life_weeks, self.household_rng
        )
        route_risk = self.journeys.victimisation_prob(ambient, mig.route_victimisation_per_1000km)
        depart(
            hh,
            rows,
            violence,
            self.week,
            self.journeys,
            route_risk,
            self.arrivals_due,
            self.household_rng,
        )
        departures, fled_violence = hh.persons(rows), hh.persons(rows[violence])
        tally = arrive(
            hh,
            self.arrivals_due.pop(self.week),
            self.week,
            len(self.us_crossing_ids),
            exp.recall_window_weeks,
            self.return_share(),
            mig.return_delay_weeks,
            mig.network_ties_per_migrant,
            self.returns_due,
            self.household_rng,
        )
        come_home(hh, self.returns_due.pop(self.week))
        home = hh.persons_at_home()
        for i, place in enumerate(self.markets):
            place.households_exposed = exposed[i] * hh.scale
            place.departures = departures[i]
            place.departures_violence = fled_violence[i]
            place.arrivals = tally.persons_by_place[i]
            place.population = home[i]
        self.departures_violence = float(fled_violence.sum())
        self.arrival_tally = tally

    def return_share(self) -> np.ndarray:
        """Share of arrivals returned home, per origin place."""
        m = self.params.migration
        return np.array([m.countries[pl.country].return_share for pl in self.markets])

    # ---------------------------------------------------------------- building the world

    def _build_map(self) -> None:
        records = geography.places()
        self.space = Network(
            geography.graph(), layout={r.id: (r.lon, r.lat) for r in records}, random=self.random
        )
        cells = {cell.coordinate: cell for cell in self.space.all_cells}
        self.places: list[Place] = []
        for rec in records:
            place = Place(self, rec)
            place.cell = cells[rec.id]
            self.places.append(place)
        self.place_by_id = {p.place_id: p for p in self.places}
        self.markets = [p for p in self.places if p.record.populated]  # where gangs buy guns
        for i, p in enumerate(self.markets):
            p.index = i
        self.market_ids = tuple(p.place_id for p in self.markets)
        self.us_crossing_ids = geography.us_crossings()
        self.crossings = [self.place_by_id[c] for c in geography.ids(geography.CROSSING)]

    def _build_enforcement(self) -> None:
        self.us_units, self.mx_units = [], []
        for cid in self.us_crossing_ids:
            for side, units in (
                (Side.US_SOUTHBOUND, self.us_units),
                (Side.MX_CUSTOMS, self.mx_units),
            ):
                unit = BorderUnit(self, cid, side, 0.0)
                unit.cell = self.place_by_id[cid].cell
                units.append(unit)
        self.gt_unit = BorderUnit(self, geography.MX_GT_CROSSING, Side.MX_GT_BORDER, 0.0)
        self.gt_unit.cell = self.place_by_id[geography.MX_GT_CROSSING].cell
        self.units = [*self.us_units, *self.mx_units, self.gt_unit]
        self._apply_levers()
        self.published_risk = np.array(
            [us.rate + mx.rate for us, mx in zip(self.us_units, self.mx_units, strict=True)]
        )
        self.published_risk_gt = self.gt_unit.rate

    def _apply_levers(self) -> None:
        """Hand the levers in force to the agents that cache them."""
        e = self.params.enforcement
        for unit in self.units:
            if unit.side is Side.MX_GT_BORDER:
                unit.rate = e.mx_gt_border_interdiction
                continue
            override = e.crossings[unit.crossing]
            if unit.side is Side.US_SOUTHBOUND:
                rate = override.us_southbound_interdiction
                unit.rate = e.us_southbound_interdiction if rate is None else rate
            else:
                rate = override.mx_customs_interdiction
                unit.rate = e.mx_customs_interdiction if rate is None else rate
            unit.capacity = e.capacity_loads_per_week
        if hasattr(self, "tracing"):
            self.tracing.submission_rate = self.params.tracing.submission_rate

    def _build_gangs(self) -> None:
        """Gang members spread by 2019 homicide counts; arsenals start at their steady state."""
        p = self.params
        self.gang_members = {c: p.gangs.countries[c].members for c in geography.COUNTRIES}
        weight = {
            pl.place_id: pl.record.population * (pl.record.homicide_rate_2019 or 0.0)
            for pl in self.markets
        }
        by_country: dict[str, float] = {}
        for pl in self.markets:
            by_country[pl.country] = by_country.get(pl.country, 0.0) + weight[pl.place_id]
        stock = self._steady_state_arsenals()
        for pl in self.markets:
            members = self.gang_members[pl.country] * weight[pl.place_id] / by_country[pl.country]
            per_member, mix = stock[pl.country]
            pl.reference_guns_per_member = per_member
            shares = self.rng.dirichlet(np.full(p.gangs.per_place, p.gangs.size_concentration))
            for share in shares:
                m = members * share
                guns = np.rint(m * per_member * mix).astype(np.int64)
                pl.gangs.append(Gang(self, pl, m, guns))
            pl.set_price()
            pl.fight()

    def _steady_state_arsenals(self) -> dict[str, tuple[float, np.ndarray]]:
        """Guns per member and origin mix each country's arsenals settle at under baseline flows.

        Expected US inflow: cells × purchases × (1 − straw enforcement), split between Mexico and
        Central America by the baseline routes (estimated here as 95% / 5%); stock = inflow /
        (police seizure rate + 1 / gun life).
        """
        p = self.params
        us_per_year = (
            p.trafficking.cells
            * p.trafficking.guns_per_cell_week
            * 52.0
            * (1.0 - p.supply.straw_enforcement)
        )
        ca_members = sum(self.gang_members[c] for c in ("GT", "HN", "SV"))
        out = {}
        for c in geography.COUNTRIES:
            g = p.gangs.countries[c]
            us = us_per_year * (0.95 if c == "MX" else 0.05 * self.gang_members[c] / ca_members)
            diverted = g.non_us_guns_per_year * g.diverted_us_made_share
            other = g.non_us_guns_per_year - diverted
            inflow = np.array([us, diverted, other])
            stock = inflow / (g.police_seizure_rate + 1.0 / p.gangs.gun_life_years)
            members = max(self.gang_members[c], 1.0)
            out[c] = (stock.sum() / members, inflow / max(inflow.sum(), 1e-9))
        return out

    def _build_households(self) -> None:
        p = self.params
        real, size = per_place_inputs(self.market_ids)
        hc = p.households.countries
        by = [hc[pl.country] for pl in self.markets]
        self.households = Households(
            self.market_ids,
            real,
            size,
            np.array([h.children_share for h in by]),
            np.array([h.poverty_share for h in by]),
            np.array([h.relatives_abroad_share for h in by]),
            p.migration.network_tie_years * 52,
            p.scale,
            self.household_rng,
        )
        self.journeys = Journeys.build(self.market_ids, self.us_crossing_ids, p.migration)
        self.arrivals_due, self.returns_due = Calendar(), Calendar()
        home = self.households.persons_at_home()
        for i, place in enumerate(self.markets):
            place.population = home[i]
        self.departures_violence = 0.0
        self.arrival_tally = None

    def _build_traffickers(self) -> None:
        p = self.params
        self.market_prices = np.array([pl.price for pl in self.markets])
        self.routes = {s: Routes.build(self, s) for s in geography.ids(geography.US_STATES)}
        shares = geography.source_shares()
        states = list(shares)
        counts = self.rng.multinomial(p.trafficking.cells, [shares[s] for s in states])
        for state, n in zip(states, counts, strict=True):
            for _ in range(n):
                Trafficker(self, state, p.trafficking.start_capital_usd)
        # entry responds to margins relative to the baseline world the run starts from
        self.reference_margin = {s: best_margin(self, s) for s in states}
        self.guns_into_mexico = 0
        self.cells_entered = self.cells_exited = self.cells_arrested = 0
        self.flows = {}

    # ---------------------------------------------------------------- read by the view and outputs

    @property
    def measuring(self) -> bool:
        """Whether the current week belongs to the measured period."""
        return self.week > self.burn_in_weeks

    @property
    def year(self) -> float:
        """Years since the start of the measured period (negative during the burn-in)."""
        return (self.week - self.burn_in_weeks) / 52.0

    @property
    def gun_flows(self) -> list[tuple[str, str, int]]:
        """(from, to, guns) moved this week: source state → crossing → market."""
        return self.ledger.gun_flows

    @property
    def migrant_flows(self) -> list[tuple[str, str, float]]:
        """(origin, crossing, persons) arriving at the US border this week."""
        return self.ledger.migrant_flows

    def __repr__(self) -> str:
        return f"IronRiverModel(scenario={self.scenario.name!r}, week={self.week})"
