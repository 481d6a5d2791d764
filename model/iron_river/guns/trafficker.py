"""Trafficker cells: buy guns in a US state, pick a crossing and a market, ship, sell, learn.

A cell compares every route (crossing × market) by expected profit per gun against
the seizure risk it *perceives* at each crossing. Perceived risk is learned from the
cell's own losses and from the seizures published at each crossing, so when one
crossing becomes riskier, traffic shifts to the others. Seizures cost cargo and can
cost the cell itself (arrest); new cells enter when the trade pays
(:func:`enter_new_cells`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import CellAgent

from iron_river.world import geography

if TYPE_CHECKING:
    from iron_river.model import IronRiverModel


@dataclass(frozen=True, slots=True)
class Routes:
    """Every route open to cells of one US state, as parallel arrays."""

    crossing: np.ndarray  # index into model.us_crossings
    market: np.ndarray  # index into model.markets
    central_america: np.ndarray  # route continues through the Mexico–Guatemala border
    cost: np.ndarray  # transport cost per gun (USD)

    @classmethod
    def build(cls, model: IronRiverModel, state: str) -> Routes:
        """All (crossing, market) pairs reachable from ``state``; cost by road distance."""
        g = geography.graph()
        usd_per_km = model.scenario.trafficking.transport_cost_usd_per_km
        rows = []
        for ci, crossing in enumerate(model.us_crossing_ids):
            if not g.has_edge(state, crossing):
                continue
            km0 = g.edges[state, crossing]["km"]
            for mi, market in enumerate(model.markets):
                km = km0 + geography.inland_km(crossing, market.place_id)
                rows.append((ci, mi, market.country != "MX", usd_per_km * km))
        c, m, ca, cost = zip(*rows, strict=True)
        return cls(np.array(c), np.array(m), np.array(ca), np.array(cost, dtype=float))


def route_values(
    model: IronRiverModel, routes: Routes, risk: np.ndarray, risk_gt: float
) -> np.ndarray:
    """Expected profit per gun of each route, given perceived seizure risks.

    value = s · price − (1 − s) · penalty − transport − purchase price,
    with s = (1 − risk at the crossing) · (1 − risk at the Mexico–Guatemala border if used).
    """
    t = model.params.trafficking
    survive = (1.0 - risk[routes.crossing]) * np.where(routes.central_america, 1.0 - risk_gt, 1.0)
    price = model.market_prices[routes.market]
    return (
        survive * price
        - (1.0 - survive) * t.risk_penalty_usd
        - routes.cost
        - model.params.supply.purchase_price_usd
    )


def _geometric(rnd: float, mean: float) -> int:
    """A load size ≥ 1 with the given mean (geometric distribution), from one uniform draw."""
    if mean <= 1.0:
        return 1
    return 1 + int(math.log1p(-rnd) / math.log1p(-1.0 / mean))


class Trafficker(CellAgent):
    """A trafficking cell based in one US source state."""

    def __init__(self, model: IronRiverModel, state: str, capital: float):
        super().__init__(model)
        self.state = state
        self.cell = model.place_by_id[state].cell
        self.capital = capital
        self.risk = model.published_risk.copy()  # perceived seizure risk per US crossing
        self.risk_gt = model.published_risk_gt
        self.arrested = False
        self.guns_bought = self.guns_delivered = self.guns_seized = 0
        self.route: int | None = None
        # cells re-plan on their own (staggered) schedule, or at once after a loss
        self.next_plan = model.week + model.random.randrange(model.params.trafficking.replan_weeks)
        self.last_plan = model.week

    # -- the weekly round -------------------------------------------------------------------

    def trade(self) -> None:
        """Re-plan when due (learn published seizures, choose a route), buy, ship, maybe exit."""
        if self.model.week >= self.next_plan:
            self.learn_from_others()
            self.route = self.choose_route()
            self.next_plan = self.model.week + self.model.params.trafficking.replan_weeks
        if self.route is not None:
            guns = self.buy()
            if guns:
                self.ship(self.route, guns)
        self.maybe_exit()

    def learn_from_others(self) -> None:
        """Move perceived risks towards the seizure rates published for each crossing.

        Catching up on k weeks of news at once: risk += (1 − (1 − λ)^k) · (published − risk).
        """
        weeks = max(1, self.model.week - self.last_plan)
        self.last_plan = self.model.week
        w = 1.0 - (1.0 - self.model.params.trafficking.public_learning_rate) ** weeks
        self.risk += w * (self.model.published_risk - self.risk)
        self.risk_gt += w * (self.model.published_risk_gt - self.risk_gt)

    def choose_route(self) -> int | None:
        """Pick a route by logit choice over expected profit; None if no route pays."""
        routes = self.model.routes[self.state]
        values = route_values(self.model, routes, self.risk, self.risk_gt)
        best = values.max()
        if best <= 0.0:
            return None
        weights = np.exp((values - best) / self.model.params.trafficking.choice_temperature_usd)
        cum = np.cumsum(weights)
        return int(np.searchsorted(cum, self.model.random.random() * cum[-1], side="right"))

    def buy(self) -> int:
        """Straw purchases this week: limited by supply, enforcement and capital."""
        p = self.model.params
        state = p.supply.states[self.state]
        straw = (
            p.supply.straw_enforcement
            if state.straw_enforcement is None
            else (state.straw_enforcement)
        )
        rng = self.model.rng
        attempts = rng.poisson(p.trafficking.guns_per_cell_week * state.multiplier)
        guns = min(
            int(rng.binomial(attempts, 1.0 - straw)),
            int(self.capital // p.supply.purchase_price_usd),
        )
        self.capital -= guns * p.supply.purchase_price_usd
        self.guns_bought += guns
        self.model.place_by_id[self.state].guns_bought_here += guns
        return guns

    def ship(self, route: int, guns: int) -> None:
        """Send the guns south in small loads through the route's crossing, sell what arrives."""
        model, rnd = self.model, self.model.random.random
        routes = model.routes[self.state]
        ci, market = int(routes.crossing[route]), model.markets[int(routes.market[route])]
        to_ca = bool(routes.central_america[route])
        us_unit, mx_unit = model.us_units[ci], model.mx_units[ci]
        t = model.params.trafficking
        loads = seized_loads = delivered = 0
        remaining = guns
        while remaining > 0:
            size = min(remaining, _geometric(rnd(), t.load_size_mean))
            remaining -= size
            loads += 1
            if us_unit.inspect(size):
                seized_loads += 1
                self.on_seizure()
                continue
            model.guns_into_mexico += size
            if mx_unit.inspect(size):
                seized_loads += 1
                model.tracing.record_us_trafficked("MX", size)
                self.on_seizure()
                continue
            if to_ca:
                size = self.cross_into_central_america(size, market.country)
            delivered += size
        if delivered:
            market.sell(delivered)  # the cell's buyer is one gang of the market place
        self.guns_delivered += delivered
        self.guns_seized += guns - delivered
        key = (self.state, model.us_crossing_ids[ci], market.place_id)
        model.flows[key] = model.flows.get(key, 0) + guns
        self.capital += delivered * market.price - routes.cost[route] * guns
        # what this cell saw at its crossing this week updates its perceived risk there
        self.risk[ci] += t.risk_learning_rate * (seized_loads / loads - self.risk[ci])

    def cross_into_central_america(self, guns: int, country: str) -> int:
        """Carry guns over the Mexico–Guatemala border 1–2 at a time; return those that pass."""
        model, rnd = self.model, self.model.random.random
        mean = model.params.trafficking.load_size_mean_central_america
        passed, remaining, loads, seized = 0, guns, 0, 0
        while remaining > 0:
            size = min(remaining, _geometric(rnd(), mean))
            remaining -= size
            loads += 1
            if model.gt_unit.inspect(size):
                model.tracing.record_us_trafficked(country, size)
                seized += 1
            else:
                passed += size
        if seized:
            self.on_seizure()
        self.risk_gt += model.params.trafficking.risk_learning_rate * (
            seized / loads - self.risk_gt
        )
        return passed

    def on_seizure(self) -> None:
        """A seized load may lead investigators to the whole cell; the cell re-plans."""
        self.next_plan = self.model.week + 1
        if self.model.random.random() < self.model.params.trafficking.arrest_prob_per_seizure:
            self.arrested = True

    def maybe_exit(self) -> None:
        """Leave the trade if arrested, broke or disrupted (straw enforcement raises the hazard)."""
        p = self.model.params
        state = p.supply.states[self.state]
        straw = (
            p.supply.straw_enforcement
            if state.straw_enforcement is None
            else (state.straw_enforcement)
        )
        hazard = (
            p.trafficking.exit_hazard_per_year + straw * p.trafficking.straw_arrest_hazard_per_year
        )
        broke = self.capital < p.supply.purchase_price_usd
        if self.arrested:
            self.model.cells_arrested += 1
        if self.arrested or broke or self.model.random.random() < -math.expm1(-hazard / 52.0):
            self.model.cells_exited += 1
            self.remove()


def enter_new_cells(model: IronRiverModel) -> None:
    """Let new cells enter each state when the trade pays.

    Entrants ~ Poisson(entry_per_year/52 · share · (margin / baseline margin)^elasticity).
    """
    t = model.params.trafficking
    for state, share in geography.source_shares().items():
        margin = best_margin(model, state)
        ref = model.reference_margin[state]
        if margin <= 0 or ref <= 0:
            continue
        mean = t.entry_per_year / 52.0 * share * (margin / ref) ** t.entry_elasticity
        for _ in range(model.rng.poisson(mean)):
            Trafficker(model, state, t.start_capital_usd)
            model.cells_entered += 1


def best_margin(model: IronRiverModel, state: str) -> float:
    """Expected profit per gun of the best route for a newcomer who knows the published risks."""
    values = route_values(model, model.routes[state], model.published_risk, model.published_risk_gt)
    return float(values.max())
