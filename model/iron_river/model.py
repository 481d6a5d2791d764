"""The iron river model: guns south, violence, households north — one week per step.

:meth:`IronRiverModel.step` is the whole weekly order of events. Trafficker cells, border
units, armed groups and places are Mesa agents whose state lives in tables the model owns
(:class:`~iron_river.guns.trafficker.Cells`, :class:`~iron_river.guns.enforcement.Border`,
:class:`~iron_river.violence.gang.GangTable`), so each submodel is array arithmetic over all
of them; households are numpy arrays (:mod:`iron_river.migration.households`). Policy levers
(the ``[policy]`` section) keep their 2019 values during the burn-in and switch to the
scenario's at the start of the measured period, so every scenario starts from the same 2019
world and its effects unfold in causal order; every other parameter is in force from week 0.
"""

from __future__ import annotations

import math
from typing import Any

import mesa
import numpy as np
from mesa.discrete_space import Network

from iron_river.guns import trafficker
from iron_river.guns.enforcement import Border, BorderUnit, Side
from iron_river.guns.market import Markets
from iron_river.guns.routes import BETWEEN, RouteTable
from iron_river.guns.shipping import LoadRule
from iron_river.guns.tracing import Tracing
from iron_river.guns.trafficker import Cells, Economics
from iron_river.ledger import Ledger
from iron_river.migration.arrivals import ArrivalTally, arrive, come_home
from iron_river.migration.decision import HazardInputs, decide
from iron_river.migration.exposure import victimise
from iron_river.migration.households import Households, per_place_inputs
from iron_river.migration.journey import Calendar, Journeys, depart
from iron_river.migration.networks import Ties
from iron_river.migration.reasons import names_violence
from iron_river.scenario import IronRiverScenario, baseline_levers
from iron_river.violence import arsenals, membership, territory
from iron_river.violence.conflict import Violence, fight
from iron_river.violence.gang import GangTable, receive, spawn
from iron_river.world import geography
from iron_river.world.place import Place

# each submodel draws from a stream of its own, fresh every week (common random numbers)
STREAMS = (
    "trafficking",
    "gangs",
    "violence",
    "tracing",
    "exposure",
    "decision",
    "journey",
    "reasons",
)


def _seed_sequence(rng: Any) -> np.random.SeedSequence:
    """A seed of the model's own: a caller's ``SeedSequence`` is copied, never spawned from."""
    if isinstance(rng, np.random.SeedSequence):
        return np.random.SeedSequence(rng.entropy, spawn_key=rng.spawn_key, pool_size=rng.pool_size)
    if isinstance(rng, np.random.Generator):  # a generator is consumed, as generators are
        return np.random.SeedSequence(int(rng.integers(2**63)))
    return np.random.SeedSequence(rng)


class Streams:
    """The week's random stream of each submodel, a fixed point of its own generator per week.

    Each submodel has a PCG64 generator; week ``t`` starts it at ``t · 2^40`` draws from its
    seed (PCG64 jumps ahead in O(log n)). A submodel's draws in week ``t`` never depend on how
    many numbers any submodel drew before, so a baseline and a policy run with one seed share
    every draw a policy does not touch: their difference is the policy's, not noise (common
    random numbers).
    """

    STRIDE = 2**40  # far more draws than any submodel makes in a week

    def __init__(self, seed: np.random.SeedSequence):
        children = seed.spawn(len(STREAMS) + 1)[1:]  # [0] is Mesa's (the build)
        self._bits = [np.random.PCG64(c) for c in children]
        self._start = [b.state for b in self._bits]
        self._gens = [np.random.Generator(b) for b in self._bits]

    def week(self, model: IronRiverModel, week: int) -> None:
        """Hand every submodel its stream for ``week`` (attributes ``<name>_rng``)."""
        for name, bits, start, gen in zip(
            STREAMS, self._bits, self._start, self._gens, strict=True
        ):
            bits.state = start
            bits.advance(week * self.STRIDE)
            setattr(model, f"{name}_rng", gen)


class IronRiverModel(mesa.Model):
    """Guns trafficked from US gun shops to armed groups, and the migration their violence drives.

    Args:
        scenario: a validated :class:`IronRiverScenario` (default: the baseline).
        rng: seed, ``SeedSequence`` or generator; the same seed gives the same run, and a
            ``SeedSequence`` passed in is never changed.
        **params: parameter overrides by dotted key (or with ``__`` for dots), so the model
            works with ``mesa.batch_run`` and Solara sliders.
    """

    def __init__(
        self, scenario: IronRiverScenario | None = None, *, rng: Any = None, **params: Any
    ):
        seed = _seed_sequence(rng)
        # Mesa's generator builds the world; every weekly submodel has a stream of its own
        # (Streams): households never share one with the gun side, so runs at any scale share
        # the gun side for one seed, and a policy changes only the draws it touches
        model_rng = np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, 0))
        # (the same child Streams skips: seed.spawn is on our own copy of the caller's seed)
        base = scenario if scenario is not None else IronRiverScenario()
        scenario = base.with_values(params, origin="model parameters", rng=model_rng)
        super().__init__(rng=model_rng, scenario=scenario)
        self.streams = Streams(seed)
        self.streams.week(
            self, 2**31
        )  # the build's draws (households, journeys): a week of its own
        self.week = 0  # weeks completed
        self.burn_in_weeks = scenario.burn_in_years * 52
        self.measured_weeks = scenario.years * 52
        # the scenario in force: 2019 levers during the burn-in, the scenario's afterwards
        self.params: IronRiverScenario = (
            baseline_levers(scenario) if self.burn_in_weeks else scenario
        )
        self._build_map()
        self._build_households()
        self._build_border()
        self._build_gangs()
        self._build_markets()
        self._build_traffickers()
        self.ledger = Ledger(self)
        self.datacollector = mesa.DataCollector(model_reporters=self.ledger.reporters())
        self.running = True

    # ---------------------------------------------------------------- the weekly order of events

    def step(self) -> None:
        """One week: guns go south, groups arm and fight, households are exposed and go north."""
        self._begin_week()
        trafficker.trade(self)  # cells plan, buy, ship through the units, sell, learn
        trafficker.exit_cells(self)  # arrested, broke or tired cells leave
        trafficker.enter(self)  # would-be cells enter where the trade pays
        self._receive_deliveries()  # guns reach the groups (between ports: weeks later)
        arsenals.resupply(self)  # non-US guns, answering the local price
        arsenals.lose(self)  # police seizures (traced) and wear
        self.tracing.trace()
        territory.leaders(self)  # leaders arrested: surges, splits
        territory.contest(self)  # turf follows armed strength
        territory.consolidate(self)  # splinters absorbed, withered groups dissolve
        self.violence = fight(self)  # homicides, extortion, forced recruitment
        membership.update(self, self.violence)  # recruits (some by force), killed, arrested
        self._set_prices()  # scarcity, and what budgets let groups pay
        self.border.publish()  # what cells learn of others' losses
        self._households_week()  # exposure, departures, travel, arrivals, returns, networks
        self.week += 1
        self.ledger.record(self)
        self.datacollector.collect(self)
        if self.week >= self.burn_in_weeks + self.measured_weeks:
            self.running = False

    def _begin_week(self) -> None:
        self.streams.week(self, self.week)
        self.tracing.rng = self.tracing_rng
        if self.week == self.burn_in_weeks and self.params is not self.scenario:
            self.params = self.scenario  # the policy starts with the measured period
            self._apply_levers()
        if self.week == self.burn_in_weeks:
            self.ties.freeze()
            membership.freeze(self)
        self.border.open_week()
        self.tracing.reset()
        self.guns_into_mexico = 0
        self.cells_entered = self.cells_exited = self.cells_arrested = 0
        self.leader_arrests = self.splits = self.merges = 0
        self.economics = self._economics()

    def _economics(self) -> Economics:
        """What every cell shares this week: route costs, last week's paid prices, risks."""
        t, r, b = self.params.trafficking, self.routes, self.border
        price = self.markets_state.paid[r.market]
        port = r.mode != BETWEEN
        return Economics(
            cost=self.route_cost,
            price=price,
            loss=price + t.risk_penalty_usd,
            unit=np.where(port, b.us[r.crossing], b.between[r.crossing]),
            second=np.where(port, b.mx[r.crossing], -1),
            s_max=np.where(port, t.load_size_max, t.between_ports_load_max).astype(float),
            purchase=self.params.supply.purchase_price_usd,
        )

    def deliver(self, market: np.ndarray, guns: np.ndarray, delay: np.ndarray) -> None:
        """Guns bound for markets: now, or (between ports) ``delay`` weeks later."""
        late = delay > 0
        now = ~late
        self.in_transit.setdefault(self.week, []).append((market[now], guns[now]))
        if late.any():
            d = int(delay[late][0])  # one delay for every route between ports
            self.in_transit.setdefault(self.week + d, []).append((market[late], guns[late]))

    def _receive_deliveries(self) -> None:
        due = self.in_transit.pop(self.week, [])
        if due:
            market = np.concatenate([m for m, _ in due])
            guns = np.concatenate([g for _, g in due])
        else:
            market = guns = np.zeros(0, dtype=np.int64)
        self.delivered_by_market = np.bincount(market, weights=guns, minlength=len(self.markets))
        self.gangs.bought[:] = 0
        receive(self, market, guns)

    def _set_prices(self) -> None:
        g = self.gangs
        rows = g.rows
        n = len(self.markets)
        self.members_by_market_now = np.bincount(
            g.place[rows], weights=g.members[rows], minlength=n
        )
        self.arsenal_by_market = np.bincount(g.place[rows], weights=g.guns(rows), minlength=n)
        gpm = self.arsenal_by_market / np.maximum(self.members_by_market_now, 1e-9)
        self.markets_state.set_prices(gpm)
        budget = self.params.market.arms_budget_share * np.bincount(
            g.place[rows], weights=g.income[rows], minlength=n
        )
        self.markets_state.settle(self.delivered_by_market, budget)

    def _households_week(self) -> None:
        hh, p = self.households, self.params
        exp, mig = p.exposure, p.migration
        v = self.violence
        self.ties.expire(hh, self.week, self.journey_rng)
        events = np.stack(
            [v.homicides * exp.households_per_homicide, v.extortion, v.recruitment], 1
        )
        exposed = victimise(
            hh,
            events / hh.scale,
            np.array([1.0, 1.0, exp.recruitment_weight]),
            np.array([False, False, True]),
            self.week,
            exp.memory_half_life_weeks,
            self.exposure_rng,
        )
        rows = decide(hh, self.week, self._hazard_inputs(), self.decision_rng)
        reasons = names_violence(
            hh,
            rows,
            self.week,
            exp.recall_window_weeks,
            p.reporting.victim_names_violence,
            p.reporting.others_name_violence,
            self.reasons_rng,
        )
        route_risk = self.journeys.victimisation_prob(
            v.expected_rate, mig.route_victimisation_per_1000km
        )
        depart(
            hh,
            rows,
            reasons,
            self.week,
            self.journeys,
            route_risk,
            self.arrivals_due,
            self.journey_rng,
        )
        self.departures_by_market = hh.persons(rows)
        self.departures_exposed_by_market = hh.persons(
            rows[(self.week - hh.t_violent[rows]) <= exp.recall_window_weeks]
        )
        tally = arrive(
            hh,
            self.arrivals_due.pop(self.week),
            self.week,
            len(self.us_crossing_ids),
            exp.recall_window_weeks,
            self.return_share,
            mig.return_delay_weeks,
            mig.network_ties_per_migrant,
            self.returns_due,
            self.ties,
            self.northern_triangle,
            self.journey_rng,
        )
        come_home(hh, self.returns_due.pop(self.week))
        self.ties.renew(hh, self.week, self.week < self.burn_in_weeks, self.journey_rng)
        self.households_exposed_by_market = exposed * hh.scale
        self.arrivals_by_market = tally.persons_by_place
        self.population = hh.persons_at_home()
        self.arrival_tally = tally

    def _hazard_inputs(self) -> HazardInputs:
        m = self.params.migration
        rate = np.maximum(self.violence.expected_rate, 0.1)
        v = m.violence_effect * self.violence_norm  # per place
        return HazardInputs(
            base=self.base_hazard
            * self.params.policy.us_border_enforcement ** (m.deterrence_elasticity),
            violence=v * self.violence_elasticity * np.log(rate / self.reference_rate),
            log_victim=v * math.log(m.victimisation_hazard_ratio),
            violence_cap=np.abs(v * self.violence_elasticity) * math.log(3.0),
            children=m.children_violence_multiplier,
            poverty=m.poverty_multiplier,
            network=m.network_multiplier,
            half_life=self.params.exposure.memory_half_life_weeks,
        )

    # ---------------------------------------------------------------- levers

    def _apply_levers(self) -> None:
        """Hand the levers in force to the tables that use them."""
        p = self.params
        crossings = self.us_crossing_ids
        per = [
            np.array([p.value(f"policy.crossings.{c}.{k}") for c in crossings])
            for k in (
                "us_southbound_interdiction",
                "mx_customs_interdiction",
                "between_ports_interdiction",
            )
        ]
        self.border.set_rates(*per, p.value("policy.mx_gt_border_interdiction"))
        states = geography.ids(geography.US_STATES)
        self.supply_multiplier = np.array(
            [p.value(f"policy.states.{s}.supply_multiplier") for s in states]
        )
        self.straw_enforcement = np.array(
            [p.value(f"policy.states.{s}.straw_enforcement") for s in states]
        )
        self.tracing.submission_rate = p.value("policy.trace_submission_rate")
        countries = geography.COUNTRIES
        self.police_seizure_rate = np.array(
            [p.value(f"policy.countries.{c}.police_seizure_rate") for c in countries]
        )
        self.leader_arrest_rate = np.array(
            [p.value(f"policy.countries.{c}.leader_arrest_rate") for c in countries]
        )

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
        self.markets = [p for p in self.places if p.record.populated]  # where groups live
        for i, p in enumerate(self.markets):
            p.index = i
        self.market_ids = tuple(p.place_id for p in self.markets)
        countries = geography.COUNTRIES
        self.market_country_index = np.array([countries.index(p.country) for p in self.markets])
        self.northern_triangle = self.market_country_index > 0
        self.us_crossing_ids = geography.us_crossings()
        for i, c in enumerate(self.us_crossing_ids):
            self.place_by_id[c].crossing_index = i
        self.crossings = [self.place_by_id[c] for c in geography.ids(geography.CROSSING)]
        states = geography.ids(geography.US_STATES)
        for i, s in enumerate(states):
            self.place_by_id[s].state_index = i
        shares = geography.source_shares()
        self.source_shares = np.array([shares[s] for s in states])
        n = len(self.markets)
        self.delivered_by_market = np.zeros(n)
        self.guns_bought_by_state = np.zeros(len(states))
        self.violence = Violence.empty(n)

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
            self.journey_rng,
        )
        m = p.migration
        self.ties = Ties(self.households, m.network_tie_years)
        self.journeys = Journeys.build(self.market_ids, self.us_crossing_ids, m)
        self.arrivals_due, self.returns_due = Calendar(), Calendar()
        self.population = self.households.persons_at_home()
        countries = geography.countries()
        mc = [m.countries[pl.country] for pl in self.markets]
        self.base_hazard = np.array([c.base_hazard_per_year for c in mc])
        self.violence_elasticity = np.array([c.violence_elasticity for c in mc])
        self.return_share = np.array([c.return_share for c in mc])
        self.reference_rate = np.array(
            [countries[pl.country].homicide_rate_2019 for pl in self.markets]
        )
        # ε is the evidence's average response: families with children weigh violence (1 + κ)
        # times more, so the others' weight is scaled to keep the country's average at ε
        kids = np.array([h.children_share for h in by])
        self.children_share_by_market = kids
        self.violence_norm = 1.0 / (1.0 + m.children_violence_multiplier * kids)
        n = len(self.markets)
        self.departures_by_market = np.zeros(n)
        self.departures_exposed_by_market = np.zeros(n)
        self.households_exposed_by_market = np.zeros(n)
        self.arrivals_by_market = np.zeros(n)
        self.forced_recruits = np.zeros(n)
        nc = len(geography.COUNTRIES)
        self.non_us_guns = self.guns_police_seized = self.guns_worn = np.zeros(nc)
        self.members_recruited = self.members_killed = self.members_lost = 0.0
        self.arrival_tally: ArrivalTally | None = None

    def _build_border(self) -> None:
        self.border = Border(self.us_crossing_ids, self.params.enforcement.capacity_loads_per_week)
        self.tracing = Tracing(self.rng)
        self._apply_levers()
        self.border.published = self.border.p.copy()
        self.units: list[BorderUnit] = []
        b = self.border
        for c, cid in enumerate(self.us_crossing_ids):
            for side, row in (
                (Side.US_SOUTHBOUND, b.us[c]),
                (Side.MX_CUSTOMS, b.mx[c]),
                (Side.BETWEEN_PORTS, b.between[c]),
            ):
                unit = BorderUnit(self, cid, side, int(row))
                unit.cell = self.place_by_id[cid].cell
                self.units.append(unit)
        gt = BorderUnit(self, geography.MX_GT_CROSSING, Side.MX_GT_BORDER, b.gt)
        gt.cell = self.place_by_id[geography.MX_GT_CROSSING].cell
        self.units.append(gt)

    def _country_array(self, section: str, field: str) -> np.ndarray:
        table = getattr(self.params, section).countries
        return np.array([getattr(table[c], field) for c in geography.COUNTRIES], dtype=float)

    def _build_gangs(self) -> None:
        """Members spread by 2019 homicide counts; arsenals at 2019 arming; turf by size."""
        p = self.params
        members_c = self._country_array("gangs", "members")
        self.members_2019 = members_c
        self.reference_gpm = self._country_array("gangs", "guns_per_member")
        self.non_us_per_member = self._country_array("gangs", "non_us_guns_per_year") / np.maximum(
            members_c, 1.0
        )
        self.diverted_share = self._country_array("gangs", "diverted_us_made_share")
        self.firearm_lethality = self._country_array("violence", "firearm_lethality")
        self.other_lethality = self._country_array("violence", "other_lethality")
        weight = np.array(
            [pl.record.population * (pl.record.homicide_rate_2019 or 0.0) for pl in self.markets]
        )
        c = self.market_country_index
        by_country = np.bincount(c, weights=weight, minlength=len(geography.COUNTRIES))
        members = members_c[c] * weight / by_country[c]
        self.gangs = GangTable()
        k = p.gangs.per_place
        shares = self.rng.dirichlet(np.full(k, p.gangs.size_concentration), len(self.markets))
        place = np.repeat(np.arange(len(self.markets)), k)
        m = (members[:, None] * shares).ravel()
        guns = np.zeros((m.size, 3), dtype=np.int64)  # filled by _settle_gun_side
        spawn(self, place, m, shares.ravel(), guns)

    def _expected_inflow(self, cells: float) -> np.ndarray:
        """Guns a year reaching each market from ``cells`` cells and from non-US sources.

        A mean-field estimate for the start: each cell's guns go to its connections, which are
        drawn in proportion to the connection weights; non-US guns follow members.

        Returns:
            markets × origins.
        """
        p = self.params
        per_cell = (
            p.supply.guns_per_cell_week
            * 52.0
            * (self.supply_multiplier * (1.0 - self.straw_enforcement))
        )
        w = self.connection_weights / self.connection_weights.sum(axis=1, keepdims=True)
        us = cells * (self.source_shares * per_cell) @ w
        c = self.market_country_index
        members = self.members_by_market()
        non_us = self.non_us_per_member[c] * members
        diverted = non_us * self.diverted_share[c]
        return np.stack([us, diverted, non_us - diverted], axis=1)

    def _settle_gun_side(self) -> int:
        """Start near the 2019 balance of the gun side, so the burn-in has little to correct.

        Arsenals at the stock their expected inflows sustain (inflow ÷ losses), prices at what
        those arsenals imply, and — unless ``trafficking.initial_cells`` is set — as many cells
        as free entry sustains at those prices; a few rounds of that fixed point.
        """
        p = self.params
        t = p.trafficking
        c = self.market_country_index
        loss = self.police_seizure_rate[c] + 1.0 / p.gangs.gun_life_years
        g = self.gangs
        rows = g.rows
        share = g.members[rows] / self.members_by_market()[g.place[rows]]
        cells = float(t.initial_cells or 250)
        for _ in range(6 if t.initial_cells is None else 1):
            stock = self._expected_inflow(cells) / loss[:, None]
            g.arsenal[rows] = np.rint(stock[g.place[rows]] * share[:, None]).astype(np.int64)
            self._set_prices()
            self.economics = self._economics()
            self._market_values_week = -1
            if t.initial_cells is not None:
                break
            cells = math.sqrt(cells * self._free_entry_cells())
        return t.initial_cells if t.initial_cells is not None else max(1, round(cells))

    def _balance_recruitment(self) -> None:
        """Voluntary recruitment that balanced the 2019 attrition of each country's groups."""
        p, g = self.params, self.gangs
        rows = g.rows
        c = g.country[rows]
        n = len(geography.COUNTRIES)
        v = self.violence
        hom = (
            np.bincount(
                self.market_country_index,
                weights=v.expected_rate * self.population / 1e5,
                minlength=n,
            )
            / 52.0
        )
        members = np.bincount(c, weights=g.members[rows], minlength=n)
        killed = p.gangs.members_killed_share * hom / np.maximum(members, 1.0)
        kids = self._country_array("households", "children_share")
        forced = p.violence.recruitment_per_member_year / 52.0 * p.gangs.forced_recruitment_success
        forced = forced * kids
        self.recruitment_rate = np.maximum(
            membership.attrition_per_week(self) + killed - forced, 0.0
        )
        self.recruitment_sum = np.zeros(n)
        self.recruitment_weeks = 0
        mk = p.market
        self.income_per_member_2019 = np.full(
            n,
            (
                p.violence.extortion_per_member_year * mk.extortion_usd_per_event
                + mk.other_income_usd_per_member_year
            )
            / 52.0,
        )

    def market_values(self) -> np.ndarray:
        """Best profit per gun from each state to each market, as would-be cells judge it.

        Refreshed at the cells' planning interval (``trafficking.replan_weeks``): the news a
        would-be cell goes by is as old as the news a trading cell plans with.
        """
        age = self.week - self._market_values_week
        if self._market_values_week < 0 or age >= self.params.trafficking.replan_weeks:
            self._market_values = trafficker.market_values(self)
            self._market_values_week = self.week
        return self._market_values

    def members_by_market(self) -> np.ndarray:
        """Members of armed groups per market place."""
        g = self.gangs
        rows = g.rows
        return np.bincount(g.place[rows], weights=g.members[rows], minlength=len(self.markets))

    def _build_markets(self) -> None:
        mk = self.params.market
        c = self.market_country_index
        price = np.where(c == 0, mk.price_usd_mexico, mk.price_usd_central_america)
        self.markets_state = Markets(price, self.reference_gpm[c], mk.scarcity_elasticity)
        self.in_transit: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}

    def _build_traffickers(self) -> None:
        p = self.params
        t = p.trafficking
        c = self.market_country_index
        self.routes = RouteTable.build(self.market_ids, tuple(geography.COUNTRIES[i] for i in c))
        self.route_cost = self.routes.cost_per_gun(
            t.transport_cost_usd_per_km, t.between_ports_cost_usd_per_gun
        )
        b = self.border
        r0 = float(np.mean(1.0 - (1.0 - b.rate[b.us]) * (1.0 - b.rate[b.mx])))
        self.load_rule = LoadRule(
            s0=t.reference_load_size,
            theta=t.detection_size_elasticity,
            r0=r0,
            loss0=p.market.price_usd_mexico + t.risk_penalty_usd,
            onset=t.concealment_onset,
        )
        self.route_grid = trafficker.route_grid(self.routes)
        k = min(t.connections_per_cell, len(self.markets))
        self.cells = Cells(b.rate.size, len(self.markets), k * self.route_grid.shape[2])
        self.connection_weights = trafficker.connection_weights(self)
        self._market_values_week = -1
        n0 = self._settle_gun_side()
        self.violence = fight(self)
        self._balance_recruitment()
        states = self.rng.choice(len(self.routes.states), n0, p=self.source_shares)
        conn = trafficker.draw_connections(self, states, self.rng)
        trafficker.new_cells(self, states, conn, self.rng)
        self.cells.next_plan[self.cells.rows] = self.rng.integers(0, t.replan_weeks, n0)
        self.guns_into_mexico = 0
        self.cells_entered = self.cells_exited = self.cells_arrested = 0
        self.gun_routes = (np.zeros(0, dtype=np.int64),) * 5
        self.mean_concealment = 0.0

    def _free_entry_cells(self) -> int:
        """Cells in balance at 2019 prices: entrants who would enter ÷ the exit hazard."""
        p = self.params
        t = p.trafficking
        trial = np.random.default_rng(0)  # a side draw: the model's stream is not touched
        states = trial.choice(len(self.routes.states), 2000, p=self.source_shares)
        enters, _ = trafficker.would_enter(self, states, trial)
        loads = p.supply.guns_per_cell_week * 52.0 / t.reference_load_size
        b = self.border
        seized = loads * float(b.published[b.us].mean() + b.published[b.mx].mean())
        hazard = (
            t.exit_hazard_per_year
            + p.supply.straw_enforcement * t.straw_arrest_hazard_per_year
            + t.arrest_prob_per_seizure * seized
        )
        return max(1, round(t.entrants_per_year * enters.mean() / hazard))

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
