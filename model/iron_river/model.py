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

from iron_river import build
from iron_river.guns import trafficker
from iron_river.guns.routes import BETWEEN
from iron_river.guns.trafficker import Economics
from iron_river.ledger import Ledger
from iron_river.migration.arrivals import arrive, come_home
from iron_river.migration.decision import HazardInputs, decide
from iron_river.migration.exposure import victimise
from iron_river.migration.journey import depart
from iron_river.migration.reasons import names_violence
from iron_river.scenario import IronRiverScenario, baseline_levers, posterior
from iron_river.violence import arsenals, membership, territory
from iron_river.violence.conflict import fight
from iron_river.violence.gang import receive
from iron_river.world import geography

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
        # the uncertain parameters the scenario leaves open: this replicate's posterior draw
        scenario, self.parameter_source = posterior.resolve(scenario, seed)
        super().__init__(rng=model_rng, scenario=scenario)
        self.streams = Streams(seed)
        self.streams.week(
            self, 2**31
        )  # the build's draws (households, journeys): a week of its own
        self.week = 0  # weeks completed
        self.burn_in_weeks = scenario.burn_in_years * 52
        self.measured_weeks = scenario.years * 52
        # the scenario in force: 2019 levers while the world is built and during the burn-in,
        # the scenario's from the first measured week — so even without a burn-in a policy
        # starts from the 2019 balance (arsenals, prices, cells), not from its own
        self.params: IronRiverScenario = baseline_levers(scenario)
        build.world(self)  # map, households, border, groups, markets, cells
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
