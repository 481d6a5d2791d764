"""Building the world the weekly model runs on: the map, households, border, groups, markets, cells.

Called once by :class:`iron_river.model.IronRiverModel` before the first week, in this order
(each step reads what the earlier ones built). The gun side starts near its 2019 balance
(:func:`settle_gun_side`) and recruitment is set to hold each group's membership
(:func:`balance_recruitment`), so the burn-in starts close to the steady state it converges to.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import Network

from iron_river.guns import trafficker
from iron_river.guns.enforcement import Border, BorderUnit, Side
from iron_river.guns.market import Markets
from iron_river.guns.routes import RouteTable
from iron_river.guns.shipping import LoadRule
from iron_river.guns.tracing import Tracing
from iron_river.guns.trafficker import Cells
from iron_river.migration.arrivals import ArrivalTally
from iron_river.migration.households import Households, per_place_inputs
from iron_river.migration.journey import Calendar, Journeys
from iron_river.migration.networks import Ties
from iron_river.violence import membership
from iron_river.violence.conflict import Violence, fight
from iron_river.violence.gang import GangTable, spawn
from iron_river.world import geography
from iron_river.world.place import Place

if TYPE_CHECKING:
    from iron_river.model import IronRiverModel


def world(model: IronRiverModel) -> None:
    """Build everything, in order."""
    map_(model)
    households(model)
    border(model)
    groups(model)
    markets(model)
    traffickers(model)


def map_(model: IronRiverModel) -> None:
    """Places (Mesa agents on the network of roads) and their market and country indices."""
    records = geography.places()
    model.space = Network(
        geography.graph(), layout={r.id: (r.lon, r.lat) for r in records}, random=model.random
    )
    cells = {cell.coordinate: cell for cell in model.space.all_cells}
    model.places: list[Place] = []
    for rec in records:
        place = Place(model, rec)
        place.cell = cells[rec.id]
        model.places.append(place)
    model.place_by_id = {p.place_id: p for p in model.places}
    model.markets = [p for p in model.places if p.record.populated]  # where groups live
    for i, p in enumerate(model.markets):
        p.index = i
    model.market_ids = tuple(p.place_id for p in model.markets)
    countries = geography.COUNTRIES
    model.market_country_index = np.array([countries.index(p.country) for p in model.markets])
    model.northern_triangle = model.market_country_index > 0
    model.us_crossing_ids = geography.us_crossings()
    for i, c in enumerate(model.us_crossing_ids):
        model.place_by_id[c].crossing_index = i
    model.crossings = [model.place_by_id[c] for c in geography.ids(geography.CROSSING)]
    states = geography.ids(geography.US_STATES)
    for i, s in enumerate(states):
        model.place_by_id[s].state_index = i
    shares = geography.source_shares()
    model.source_shares = np.array([shares[s] for s in states])
    n = len(model.markets)
    model.delivered_by_market = np.zeros(n)
    model.guns_bought_by_state = np.zeros(len(states))
    model.violence = Violence.empty(n)


def households(model: IronRiverModel) -> None:
    """Household rows per place from the population data, with ties abroad and the journeys."""
    p = model.params
    real, size = per_place_inputs(model.market_ids)
    hc = p.households.countries
    by = [hc[pl.country] for pl in model.markets]
    model.households = Households(
        model.market_ids,
        real,
        size,
        np.array([h.children_share for h in by]),
        np.array([h.poverty_share for h in by]),
        np.array([h.relatives_abroad_share for h in by]),
        p.migration.network_tie_years * 52,
        p.scale,
        model.journey_rng,
    )
    m = p.migration
    model.ties = Ties(model.households, m.network_tie_years)
    model.journeys = Journeys.build(model.market_ids, model.us_crossing_ids, m)
    model.arrivals_due, model.returns_due = Calendar(), Calendar()
    model.population = model.households.persons_at_home()
    countries = geography.countries()
    mc = [m.countries[pl.country] for pl in model.markets]
    model.base_hazard = np.array([c.base_hazard_per_year for c in mc])
    model.violence_elasticity = np.array([c.violence_elasticity for c in mc])
    model.return_share = np.array([c.return_share for c in mc])
    model.reference_rate = np.array(
        [countries[pl.country].homicide_rate_2019 for pl in model.markets]
    )
    # ε is the evidence's average response: families with children weigh violence (1 + κ)
    # times more, so the others' weight is scaled to keep the country's average at ε
    kids = np.array([h.children_share for h in by])
    model.children_share_by_market = kids
    model.violence_norm = 1.0 / (1.0 + m.children_violence_multiplier * kids)
    n = len(model.markets)
    model.departures_by_market = np.zeros(n)
    model.departures_exposed_by_market = np.zeros(n)
    model.households_exposed_by_market = np.zeros(n)
    model.arrivals_by_market = np.zeros(n)
    model.forced_recruits = np.zeros(n)
    nc = len(geography.COUNTRIES)
    model.non_us_guns = model.guns_police_seized = model.guns_worn = np.zeros(nc)
    model.members_recruited = model.members_killed = model.members_lost = 0.0
    model.arrival_tally: ArrivalTally | None = None


def border(model: IronRiverModel) -> None:
    """Border units at every crossing and between ports, tracing, and the 2019 levers."""
    model.border = Border(model.us_crossing_ids, model.params.enforcement.capacity_loads_per_week)
    model.tracing = Tracing(model.rng)
    model._apply_levers()
    model.border.published = model.border.p.copy()
    model.units: list[BorderUnit] = []
    b = model.border
    for c, cid in enumerate(model.us_crossing_ids):
        for side, row in (
            (Side.US_SOUTHBOUND, b.us[c]),
            (Side.MX_CUSTOMS, b.mx[c]),
            (Side.BETWEEN_PORTS, b.between[c]),
        ):
            unit = BorderUnit(model, cid, side, int(row))
            unit.cell = model.place_by_id[cid].cell
            model.units.append(unit)
    gt = BorderUnit(model, geography.MX_GT_CROSSING, Side.MX_GT_BORDER, b.gt)
    gt.cell = model.place_by_id[geography.MX_GT_CROSSING].cell
    model.units.append(gt)


def country_array(model: IronRiverModel, section: str, field: str) -> np.ndarray:
    """One per-country parameter as an array in country order."""
    table = getattr(model.params, section).countries
    return np.array([getattr(table[c], field) for c in geography.COUNTRIES], dtype=float)


def groups(model: IronRiverModel) -> None:
    """Members spread by 2019 homicide counts; arsenals at 2019 arming; turf by size."""
    p = model.params
    members_c = country_array(model, "gangs", "members")
    model.members_2019 = members_c
    model.reference_gpm = country_array(model, "gangs", "guns_per_member")
    model.non_us_per_member = country_array(model, "gangs", "non_us_guns_per_year") / np.maximum(
        members_c, 1.0
    )
    model.diverted_share = country_array(model, "gangs", "diverted_us_made_share")
    model.firearm_lethality = country_array(model, "violence", "firearm_lethality")
    model.other_lethality = country_array(model, "violence", "other_lethality")
    weight = np.array(
        [pl.record.population * (pl.record.homicide_rate_2019 or 0.0) for pl in model.markets]
    )
    c = model.market_country_index
    by_country = np.bincount(c, weights=weight, minlength=len(geography.COUNTRIES))
    members = members_c[c] * weight / by_country[c]
    model.gangs = GangTable()
    k = p.gangs.per_place
    shares = model.rng.dirichlet(np.full(k, p.gangs.size_concentration), len(model.markets))
    place = np.repeat(np.arange(len(model.markets)), k)
    m = (members[:, None] * shares).ravel()
    guns = np.zeros((m.size, 3), dtype=np.int64)  # filled by _settle_gun_side
    spawn(model, place, m, shares.ravel(), guns)


def expected_inflow(model: IronRiverModel, cells: float) -> np.ndarray:
    """Guns a year reaching each market from ``cells`` cells and from non-US sources.

    A mean-field estimate for the start: each cell's guns go to its connections, which are
    drawn in proportion to the connection weights; non-US guns follow members.

    Returns:
        markets × origins.
    """
    p = model.params
    per_cell = (
        p.supply.guns_per_cell_week
        * 52.0
        * (model.supply_multiplier * (1.0 - model.straw_enforcement))
    )
    w = model.connection_weights / model.connection_weights.sum(axis=1, keepdims=True)
    us = cells * (model.source_shares * per_cell) @ w
    c = model.market_country_index
    members = model.members_by_market()
    non_us = model.non_us_per_member[c] * members
    diverted = non_us * model.diverted_share[c]
    return np.stack([us, diverted, non_us - diverted], axis=1)


def settle_gun_side(model: IronRiverModel) -> int:
    """Start near the 2019 balance of the gun side, so the burn-in has little to correct.

    Arsenals at the stock their expected inflows sustain (inflow ÷ losses), prices at what
    those arsenals imply, and — unless ``trafficking.initial_cells`` is set — as many cells
    as free entry sustains at those prices; a few rounds of that fixed point.
    """
    p = model.params
    t = p.trafficking
    c = model.market_country_index
    loss = model.police_seizure_rate[c] + 1.0 / p.gangs.gun_life_years
    g = model.gangs
    rows = g.rows
    share = g.members[rows] / model.members_by_market()[g.place[rows]]
    cells = float(t.initial_cells or 250)
    for _ in range(6 if t.initial_cells is None else 1):
        stock = expected_inflow(model, cells) / loss[:, None]
        g.arsenal[rows] = np.rint(stock[g.place[rows]] * share[:, None]).astype(np.int64)
        model._set_prices()
        model.economics = model._economics()
        model._market_values_week = -1
        if t.initial_cells is not None:
            break
        cells = math.sqrt(cells * free_entry_cells(model))
    return t.initial_cells if t.initial_cells is not None else max(1, round(cells))


def balance_recruitment(model: IronRiverModel) -> None:
    """Voluntary recruitment that balanced the 2019 attrition of each country's groups."""
    p, g = model.params, model.gangs
    rows = g.rows
    c = g.country[rows]
    n = len(geography.COUNTRIES)
    v = model.violence
    hom = (
        np.bincount(
            model.market_country_index,
            weights=v.expected_rate * model.population / 1e5,
            minlength=n,
        )
        / 52.0
    )
    members = np.bincount(c, weights=g.members[rows], minlength=n)
    killed = p.gangs.members_killed_share * hom / np.maximum(members, 1.0)
    kids = country_array(model, "households", "children_share")
    forced = p.violence.recruitment_per_member_year / 52.0 * p.gangs.forced_recruitment_success
    forced = forced * kids
    model.recruitment_rate = np.maximum(membership.attrition_per_week(model) + killed - forced, 0.0)
    model.recruitment_sum = np.zeros(n)
    model.recruitment_weeks = 0
    mk = p.market
    model.income_per_member_2019 = np.full(
        n,
        (
            p.violence.extortion_per_member_year * mk.extortion_usd_per_event
            + mk.other_income_usd_per_member_year
        )
        / 52.0,
    )


def markets(model: IronRiverModel) -> None:
    """Each market place's gun price and the guns on their way to it."""
    mk = model.params.market
    c = model.market_country_index
    price = np.where(c == 0, mk.price_usd_mexico, mk.price_usd_central_america)
    model.markets_state = Markets(price, model.reference_gpm[c], mk.scarcity_elasticity)
    model.in_transit: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}


def traffickers(model: IronRiverModel) -> None:
    """Routes, the load rule and the first cells, after the gun side is settled."""
    p = model.params
    t = p.trafficking
    c = model.market_country_index
    model.routes = RouteTable.build(model.market_ids, tuple(geography.COUNTRIES[i] for i in c))
    model.route_cost = model.routes.cost_per_gun(
        t.transport_cost_usd_per_km, t.between_ports_cost_usd_per_gun
    )
    b = model.border
    r0 = float(np.mean(1.0 - (1.0 - b.rate[b.us]) * (1.0 - b.rate[b.mx])))
    model.load_rule = LoadRule(
        s0=t.reference_load_size,
        theta=t.detection_size_elasticity,
        r0=r0,
        loss0=p.market.price_usd_mexico + t.risk_penalty_usd,
        onset=t.concealment_onset,
    )
    model.route_grid = trafficker.route_grid(model.routes)
    k = min(t.connections_per_cell, len(model.markets))
    model.cells = Cells(b.rate.size, len(model.markets), k * model.route_grid.shape[2])
    model.connection_weights = trafficker.connection_weights(model)
    model._market_values_week = -1
    n0 = settle_gun_side(model)
    model.violence = fight(model)
    balance_recruitment(model)
    states = model.rng.choice(len(model.routes.states), n0, p=model.source_shares)
    conn = trafficker.draw_connections(model, states, model.rng)
    trafficker.new_cells(model, states, conn, model.rng)
    model.cells.next_plan[model.cells.rows] = model.rng.integers(0, t.replan_weeks, n0)
    model.guns_into_mexico = 0
    model.cells_entered = model.cells_exited = model.cells_arrested = 0
    model.gun_routes = (np.zeros(0, dtype=np.int64),) * 5
    model.mean_concealment = 0.0


def free_entry_cells(model: IronRiverModel) -> int:
    """Cells in balance at 2019 prices: entrants who would enter ÷ the exit hazard."""
    p = model.params
    t = p.trafficking
    trial = np.random.default_rng(0)  # a side draw: the model's stream is not touched
    states = trial.choice(len(model.routes.states), 2000, p=model.source_shares)
    enters, _ = trafficker.would_enter(model, states, trial)
    loads = p.supply.guns_per_cell_week * 52.0 / t.reference_load_size
    b = model.border
    seized = loads * float(b.published[b.us].mean() + b.published[b.mx].mean())
    hazard = (
        t.exit_hazard_per_year
        + p.supply.straw_enforcement * t.straw_arrest_hazard_per_year
        + t.arrest_prob_per_seizure * seized
    )
    return max(1, round(t.entrants_per_year * enters.mean() / hazard))
