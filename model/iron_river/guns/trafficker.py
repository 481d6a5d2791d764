"""Trafficker cells: buy guns in a US state, choose a route, ship in loads, sell, learn, exit.

A cell has buyers in a few markets (its *connections*, drawn when it enters: nearer and larger
markets likelier), so guns crossing at a port mostly arm the groups near it. It compares its
routes — (crossing, port or between ports, market) — by expected profit per gun against the
seizure risk it *perceives* at each unit, learned from its own losses and from the seizure
rates published for each unit; it ships in loads whose size and concealment answer that risk
(:mod:`.shipping`). Seizures cost cargo and can cost the cell itself (arrest). Would-be cells
enter where the trade pays more than their outside option, so the number of cells settles
where margins balance, whatever it starts at.

Cells are Mesa agents (:class:`Trafficker`) whose state lives in one :class:`Cells` table; a
week's trade for all cells (:func:`trade`) is array arithmetic, never a loop over loads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from mesa.discrete_space import CellAgent

from iron_river.guns.routes import BETWEEN
from iron_river.world.rows import RowTable

if TYPE_CHECKING:
    from iron_river.model import IronRiverModel

NO_ROUTE = -1


class Cells(RowTable):
    """State of every trafficker cell, one row each; rows of cells that left are reused."""

    def __init__(self, n_units: int, n_markets: int, max_routes: int, capacity: int = 256):
        self.n_units, self.n_markets, self.max_routes = n_units, n_markets, max_routes
        super().__init__(capacity)

    def columns(self) -> dict[str, tuple[Any, tuple[int, ...]]]:
        """The cells' columns: dtype and per-row shape."""
        return {
            "state": (np.int64, ()),
            "capital": (float, ()),
            "risk": (float, (self.n_units,)),
            "conn": (bool, (self.n_markets,)),
            "routes": (np.int64, (self.max_routes,)),  # routes it can use (-1: padding)
            "route": (np.int64, ()),
            "size": (float, ()),
            "conceal": (float, ()),
            "next_plan": (np.int64, ()),
            "last_plan": (np.int64, ()),
            "arrested": (bool, ()),
            "bought": (np.int64, ()),
            "delivered": (np.int64, ()),
            "seized": (np.int64, ()),
        }

    def leave(self, rows: np.ndarray) -> None:
        """Cells stop trading: their rows are free again."""
        self.alive[rows] = False
        self.changed()

    def add(self, n: int) -> np.ndarray:
        """Take ``n`` free rows (growing the table if needed) and return them."""
        rows = self.take(n)
        self.route[rows] = NO_ROUTE
        self.arrested[rows] = False
        self.size[rows], self.conceal[rows] = 1.0, 0.0
        self.bought[rows] = self.delivered[rows] = self.seized[rows] = 0
        return rows


class Trafficker(CellAgent):
    """A trafficking cell based in one US source state (a view of one row of :class:`Cells`)."""

    def __init__(self, model: IronRiverModel, row: int, state: str):
        super().__init__(model)
        self.row = row
        self.cell = model.place_by_id[state].cell

    @property
    def state(self) -> str:
        """The US source state where the cell buys."""
        return self.model.routes.states[int(self.model.cells.state[self.row])]

    @property
    def capital(self) -> float:
        """The cell's money (USD)."""
        return float(self.model.cells.capital[self.row])

    @property
    def connections(self) -> tuple[str, ...]:
        """Markets where the cell has buyers."""
        return tuple(
            self.model.market_ids[m] for m in np.flatnonzero(self.model.cells.conn[self.row])
        )

    @property
    def route(self) -> int | None:
        """Index of the route in use (``None``: no route pays)."""
        r = int(self.model.cells.route[self.row])
        return None if r == NO_ROUTE else r


@dataclass(frozen=True, slots=True)
class Economics:
    """The per-route and per-state quantities of one week that every cell shares."""

    cost: np.ndarray  # transport cost per gun, per route
    price: np.ndarray  # paid price last week, per route
    loss: np.ndarray  # value lost with a seized gun (price + penalty), per route
    unit: np.ndarray  # the first unit a route passes (US port or between ports)
    second: np.ndarray  # the second (Mexican customs; -1 between ports)
    s_max: np.ndarray  # largest load on the route
    purchase: float


def route_values(model: IronRiverModel, routes: np.ndarray, risk: np.ndarray):
    """Expected profit per gun of each cell's routes, given its perceived risks.

    value = price − transport − purchase − C*(size, concealment) − (Central America) r_gt · L,
    with C* the cheapest expected cost per gun of loads, losses and concealment
    (:meth:`.shipping.LoadRule.choose`).

    Args:
        model: the model.
        routes: cells × slots of route indices (``-1``: an empty slot).
        risk: cells × units of perceived risk per reference load.

    Returns:
        ``(values, size, conceal)``, each cells × slots (empty slots ``-inf``).
    """
    e, border = model.economics, model.border
    r_ = np.maximum(routes, 0)
    i = np.arange(routes.shape[0])[:, None]
    ru = risk[i, e.unit[r_]]
    second = e.second[r_]
    r = np.where(second >= 0, 1.0 - (1.0 - ru) * (1.0 - risk[i, np.maximum(second, 0)]), ru)
    loss = e.loss[r_]
    size, conceal, cost = model.load_rule.choose(r, loss, e.s_max[r_])
    value = e.price[r_] - e.cost[r_] - e.purchase - cost
    value -= np.where(model.routes.central_america[r_], risk[:, border.gt, None] * loss, 0.0)
    return np.where(routes >= 0, value, -np.inf), size, conceal


def routes_of(model: IronRiverModel, states: np.ndarray, conn: np.ndarray) -> np.ndarray:
    """The routes open to cells with these states and connections (cells × slots, -1 pads)."""
    k = model.cells.max_routes // model.route_grid.shape[2]
    markets = np.argsort(~conn, axis=1, kind="stable")[:, :k]  # a cell's connected markets
    return model.route_grid[states[:, None], markets].reshape(states.size, -1)


def route_grid(routes) -> np.ndarray:
    """Route indices by (state, market, slot): every crossing and mode, -1 where none."""
    n_states, n_markets = len(routes.states), int(routes.market.max()) + 1
    per = np.bincount(routes.state * n_markets + routes.market, minlength=n_states * n_markets)
    grid = np.full((n_states, n_markets, int(per.max())), -1, dtype=np.int64)
    seen = np.zeros(n_states * n_markets, dtype=np.int64)
    for r in range(routes.n):  # once, when the model is built
        key = routes.state[r] * n_markets + routes.market[r]
        grid[routes.state[r], routes.market[r], seen[key]] = r
        seen[key] += 1
    return grid


def market_values(model: IronRiverModel) -> np.ndarray:
    """Best expected profit per gun, at published risks, from each state to each market."""
    rows = model.route_grid.reshape(len(model.routes.states), -1)
    risk = np.broadcast_to(model.border.published, (rows.shape[0], model.border.rate.size))
    values, _, _ = route_values(model, rows, risk)
    return values.reshape(model.route_grid.shape).max(axis=2)


def plan(model: IronRiverModel) -> None:
    """Cells due to re-plan learn the published risks and choose a route by logit on profit."""
    cells, t = model.cells, model.params.trafficking
    due = np.flatnonzero(cells.alive & (cells.next_plan <= model.week))
    if due.size == 0:
        return
    weeks = np.maximum(1, model.week - cells.last_plan[due])
    w = 1.0 - (1.0 - t.public_learning_rate) ** weeks
    cells.risk[due] += w[:, None] * (model.border.published[None, :] - cells.risk[due])
    cells.last_plan[due] = model.week
    cells.next_plan[due] = model.week + t.replan_weeks
    options = cells.routes[due]
    values, size, conceal = route_values(model, options, cells.risk[due])
    best = values.max(axis=1)
    weights = np.exp((values - best[:, None]) / t.choice_temperature_usd)
    cum = np.cumsum(weights, axis=1)
    pick = (cum < model.trafficking_rng.random(due.size)[:, None] * cum[:, -1:]).sum(axis=1)
    pick = np.minimum(pick, values.shape[1] - 1)
    ok = best > 0.0
    i = np.arange(due.size)
    cells.route[due] = np.where(ok, options[i, pick], NO_ROUTE)
    cells.size[due] = size[i, pick]
    cells.conceal[due] = conceal[i, pick]


def buy(model: IronRiverModel, rows: np.ndarray) -> np.ndarray:
    """Straw purchases of the given cells this week: limited by supply, enforcement, capital."""
    cells, p = model.cells, model.params
    st = cells.state[rows]
    # Poisson attempts of which each passes enforcement on its own: a thinned Poisson
    mean = p.supply.guns_per_cell_week * model.supply_multiplier * (1.0 - model.straw_enforcement)
    guns = model.trafficking_rng.poisson(mean[st])
    price = p.supply.purchase_price_usd
    guns = np.minimum(guns, (cells.capital[rows] // price).astype(np.int64))
    cells.capital[rows] -= guns * price
    cells.bought[rows] += guns
    return guns


def trade(model: IronRiverModel) -> None:
    """One week of trafficking for every cell: plan, buy, ship through the units, sell, learn."""
    cells, border, routes, e = model.cells, model.border, model.routes, model.economics
    t, rule = model.params.trafficking, model.load_rule
    plan(model)
    active = cells.rows[cells.route[cells.rows] != NO_ROUTE]
    guns = buy(model, active) if active.size else np.zeros(0, dtype=np.int64)
    model.guns_bought_by_state = np.bincount(
        cells.state[active], weights=guns, minlength=len(routes.states)
    )
    go = guns > 0
    rows, guns = active[go], guns[go]
    r = cells.route[rows]
    unit, customs, mode = e.unit[r], e.second[r], routes.mode[r]
    size = np.minimum(cells.size[rows], e.s_max[r]).astype(np.int64)
    conceal = cells.conceal[rows]
    full, rem = guns // size, guns % size
    w_full, w_rem = rule.weight(size, conceal), rule.weight(rem, conceal)
    # the border: US port or between-ports unit, then (ports only) Mexican customs
    first = border.inspect(unit, full, rem, size, w_full, w_rem, model.trafficking_rng)
    into_mexico = first.full_left * size + first.rem_left
    model.guns_into_mexico = int(into_mexico.sum())
    at_port = customs >= 0  # between ports there is no second unit (-1)
    second = border.inspect(
        customs,
        np.where(at_port, first.full_left, 0),
        np.where(at_port, first.rem_left, 0),
        size,
        w_full,
        w_rem,
        model.trafficking_rng,
    )
    model.tracing.record_us_trafficked_at("MX", int(second.guns_seized.sum()))
    passed = into_mexico - second.guns_seized
    seized_loads = first.loads_seized + second.loads_seized
    # Central America: across the Mexico-Guatemala border 1-2 guns at a time
    ca = routes.central_america[r] & (passed > 0)
    lost_gt = np.zeros_like(passed)
    if ca.any():
        lost_gt[ca], gt_loads = border.inspect_guatemala(
            passed[ca], conceal[ca], rule, t.load_size_mean_central_america, model.trafficking_rng
        )
        seized_loads[ca] += gt_loads
        countries = model.market_country_index[routes.market[r[ca]]]
        model.tracing.record_us_trafficked_by_country(countries, lost_gt[ca])
    delivered = passed - lost_gt
    market = routes.market[r]
    delay = np.where(mode == BETWEEN, t.between_ports_delay_weeks, 0)
    model.deliver(market, delivered, delay)
    # money: sales at the paid price, minus transport, load and concealment costs
    n_loads = full + (rem > 0)
    cost = (
        guns * e.cost[r]
        + n_loads * rule.load_cost
        + guns * rule.conceal_cost * conceal / (1.0 - conceal)
    )
    cells.capital[rows] += delivered * e.price[r] - cost
    cells.delivered[rows] += delivered
    cells.seized[rows] += guns - delivered
    model.gun_routes = (cells.state[rows], routes.crossing[r], market, guns, mode)
    # what the cell saw: its own seizure rate per reference load at the units it used
    _learn(model, rows, unit, first.loads_seized, first.weight, t.risk_learning_rate)
    _learn(
        model,
        rows[at_port],
        customs[at_port],
        second.loads_seized[at_port],
        second.weight[at_port],
        t.risk_learning_rate,
    )
    model.mean_concealment = float((conceal * guns).sum() / guns.sum()) if guns.size else 0.0
    hit = seized_loads > 0
    cells.next_plan[rows[hit]] = model.week + 1  # re-plan at once after a loss
    p_arrest = -np.expm1(seized_loads * math.log1p(-min(t.arrest_prob_per_seizure, 1 - 1e-12)))
    cells.arrested[rows] |= model.trafficking_rng.random(rows.size) < p_arrest


def _learn(
    model: IronRiverModel,
    rows: np.ndarray,
    units: np.ndarray,
    seized: np.ndarray,
    weight: np.ndarray,
    rate: float,
) -> None:
    """Cells move their perceived risk at a unit toward what they saw there this week."""
    cells = model.cells
    saw = weight > 0
    obs = np.minimum(seized[saw] / weight[saw], 1.0)
    cur = cells.risk[rows[saw], units[saw]]
    cells.risk[rows[saw], units[saw]] = cur + rate * (obs - cur)


def exit_cells(model: IronRiverModel) -> None:
    """Cells leave if arrested, broke, or by chance (straw enforcement raises the hazard)."""
    cells, p = model.cells, model.params
    rows = cells.rows
    straw = model.straw_enforcement[cells.state[rows]]
    hazard = p.trafficking.exit_hazard_per_year + straw * p.trafficking.straw_arrest_hazard_per_year
    broke = cells.capital[rows] < p.supply.purchase_price_usd
    u = model.trafficking_rng.random(rows.size)
    leave = cells.arrested[rows] | broke | (u < -np.expm1(-hazard / 52.0))
    model.cells_arrested = int(cells.arrested[rows].sum())
    model.cells_exited = int(leave.sum())
    for row in rows[leave]:
        agent = cells.agents[row]
        cells.agents[row] = None
        agent.remove()
    cells.leave(rows[leave])


def connection_weights(model: IronRiverModel) -> np.ndarray:
    """Chance weights of each market as a connection of a cell of each state (states × markets)."""
    members = model.members_by_market()
    km = model.routes.market_distance(len(model.markets))
    return members[None, :] * np.exp(-km / model.params.trafficking.connection_distance_km)


def draw_connections(
    model: IronRiverModel, states: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Markets where each new cell has buyers: ``connections_per_cell`` draws without repeats."""
    k = min(model.params.trafficking.connections_per_cell, len(model.markets))
    w = model.connection_weights[states]
    # Gumbel top-k: the k largest of log w + Gumbel noise are a weighted draw without repeats
    keys = np.log(np.maximum(w, 1e-300)) + rng.gumbel(size=w.shape)
    top = np.argpartition(-keys, k - 1, axis=1)[:, :k]
    conn = np.zeros(w.shape, dtype=bool)
    conn[np.arange(w.shape[0])[:, None], top] = True
    return conn


def new_cells(
    model: IronRiverModel, states: np.ndarray, conn: np.ndarray, rng: np.random.Generator
) -> None:
    """Cells enter the trade: fresh capital, the published risks, a plan next week."""
    cells, t = model.cells, model.params.trafficking
    rows = cells.add(states.size)
    cells.state[rows] = states
    cells.conn[rows] = conn
    cells.routes[rows] = routes_of(model, states, conn)
    cells.capital[rows] = t.start_capital_usd
    cells.risk[rows] = model.border.published
    cells.last_plan[rows] = model.week
    cells.next_plan[rows] = model.week + rng.integers(0, t.replan_weeks, rows.size)
    names = model.routes.states
    for row, state in zip(rows.tolist(), states.tolist(), strict=True):
        cells.agents[row] = Trafficker(model, row, names[state])


def entry_profit(model: IronRiverModel, states: np.ndarray, conn: np.ndarray) -> np.ndarray:
    """Expected weekly profit of would-be cells: best route at published risk × guns a week."""
    values = np.where(conn, model.market_values()[states], -np.inf)
    best = np.maximum(values.max(axis=1), 0.0)
    p = model.params.supply
    guns = p.guns_per_cell_week * model.supply_multiplier[states]
    return best * guns * (1.0 - model.straw_enforcement[states])


def would_enter(
    model: IronRiverModel, states: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Which would-be cells enter: those whose expected profit beats their outside option."""
    t = model.params.trafficking
    conn = draw_connections(model, states, rng)
    profit = entry_profit(model, states, conn)
    outside = t.outside_option_usd_per_week * np.exp(
        t.outside_option_spread * rng.standard_normal(states.size)
    )
    return profit > outside, conn


def enter(model: IronRiverModel) -> None:
    """Would-be cells arrive in each state (Poisson) and enter where the trade pays."""
    t = model.params.trafficking
    rng = model.trafficking_rng
    n = rng.poisson(t.entrants_per_year / 52.0 * model.source_shares)
    model.cells_entered = 0
    if n.sum() == 0:
        return
    states = np.repeat(np.arange(n.size), n)
    enters, conn = would_enter(model, states, rng)
    if enters.any():
        new_cells(model, states[enters], conn[enters], rng)
        model.cells_entered = int(enters.sum())
