"""Parameters of the first link, guns going south.

US supply, trafficker cells, border enforcement, black-market prices and the tracing of seized
guns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from iron_river.scenario.schema import INHERIT, family, param
from iron_river.world import geography


@dataclass(frozen=True, slots=True)
class StateSupply:
    """Gun supply conditions in one US source state."""

    multiplier: float = param(
        1.0,
        "x baseline",
        0.0,
        20.0,
        "assumption (1 = 2019 conditions)",
        "Gun availability relative to baseline (e.g. assault weapons on sale); scales the "
        "guns a cell can buy each week.",
    )
    straw_enforcement: float | None = param(
        INHERIT,
        "probability",
        0.0,
        0.99,
        "assumption (inherits supply.straw_enforcement)",
        "Dealer/ATF straw-purchase enforcement in this state (overrides the US-wide value).",
    )


@dataclass(frozen=True, slots=True)
class Supply:
    """How hard buying guns for trafficking is, in the US source states."""

    purchase_price_usd: float = param(
        700.0,
        "USD per gun",
        50.0,
        10000.0,
        "assumption (typical US retail price of a rifle/pistol)",
        "What a cell pays a straw purchaser per gun.",
    )
    straw_enforcement: float = param(
        0.10,
        "probability",
        0.0,
        0.99,
        "assumption",
        "Chance a straw purchase attempt is blocked by dealers/ATF; also raises the hazard that a "
        "cell is broken up (see trafficking.straw_arrest_hazard).",
    )
    states: Mapping[str, StateSupply] = family(
        StateSupply, lambda: geography.ids(geography.US_STATES), {}
    )


@dataclass(frozen=True, slots=True)
class Trafficking:
    """Trafficker cells: how many, how they buy, choose routes, learn risk, enter and exit."""

    cells: int = param(
        250,
        "cells",
        1,
        100000,
        "calibrated to T1 (with guns_per_cell_week)",
        "Active cells at the start of the run.",
    )
    entry_per_year: float = param(
        400.0,
        "cells per year",
        0.0,
        1e6,
        "calibrated: keeps the number of cells near trafficking.cells at baseline",
        "New cells entering per year when margins are at their baseline level.",
    )
    guns_per_cell_week: float = param(
        17.0,
        "guns per cell per week",
        0.1,
        1000.0,
        "calibrated to T1",
        "Straw purchases a cell can make in a week before enforcement and supply multipliers.",
    )
    load_size_mean: float = param(
        3.0,
        "guns per load",
        1.0,
        200.0,
        "assumption (FACTS.md: 'ship mostly small loads'; GAO-22-104680: 1-2 guns per crossing "
        "into Central America)",
        "Mean size of a southbound load into Mexico (geometric distribution).",
    )
    load_size_mean_central_america: float = param(
        1.5,
        "guns per load",
        1.0,
        50.0,
        "GAO-22-104680 via FACTS.md: mostly by land, 1-2 guns",
        "Mean load size at the Mexico–Guatemala crossing.",
    )
    exit_hazard_per_year: float = param(
        0.5,
        "1/year",
        0.0,
        52.0,
        "assumption (cells last about two years)",
        "Yearly hazard that a cell stops trading for reasons other than seizures.",
    )
    straw_arrest_hazard_per_year: float = param(
        1.0,
        "1/year per unit of straw enforcement",
        0.0,
        52.0,
        "assumption",
        "Extra yearly hazard that a cell is broken up, per unit of straw-purchase enforcement.",
    )
    arrest_prob_per_seizure: float = param(
        0.15,
        "probability",
        0.0,
        1.0,
        "assumption",
        "Chance that a seized load leads to the arrest of the whole cell.",
    )
    start_capital_usd: float = param(
        30000.0,
        "USD",
        0.0,
        1e8,
        "assumption",
        "Capital of a new cell.",
    )
    risk_learning_rate: float = param(
        0.3,
        "per week",
        0.0,
        1.0,
        "assumption",
        "Weight of this week's own seizure experience in a cell's perceived risk at a crossing.",
    )
    public_learning_rate: float = param(
        0.1,
        "per week",
        0.0,
        1.0,
        "assumption",
        "Weight of others' losses (seizure rate published for each crossing) in perceived risk.",
    )
    risk_penalty_usd: float = param(
        4000.0,
        "USD per gun",
        0.0,
        1e6,
        "assumption",
        "What a cell counts as the cost of a seizure per gun beyond the lost gun (arrest, prison).",
    )
    transport_cost_usd_per_km: float = param(
        0.8,
        "USD per gun per km",
        0.0,
        100.0,
        "assumption",
        "Cost of moving one gun one km (paid from the US state to the market).",
    )
    choice_temperature_usd: float = param(
        120.0,
        "USD per gun",
        1.0,
        1e5,
        "assumption",
        "Spread of route choices around the most profitable (logit temperature).",
    )
    replan_weeks: int = param(
        4,
        "weeks",
        1,
        52,
        "assumption (cells re-plan about monthly, or at once after a loss)",
        "How often a cell reconsiders its route and catches up on published seizures.",
    )
    entry_elasticity: float = param(
        1.0,
        "dimensionless",
        0.0,
        10.0,
        "assumption",
        "How strongly entry of new cells follows the margin relative to baseline.",
    )


@dataclass(frozen=True, slots=True)
class CrossingEnforcement:
    """Per-crossing overrides of the enforcement rates (omit to inherit)."""

    us_southbound_interdiction: float | None = param(
        INHERIT,
        "probability per load",
        0.0,
        1.0,
        "assumption (inherits the US-wide rate)",
        "Chance a southbound load is seized by US officers at this crossing.",
    )
    mx_customs_interdiction: float | None = param(
        INHERIT,
        "probability per load",
        0.0,
        1.0,
        "assumption (inherits the Mexico-wide rate)",
        "Chance a load is seized by Mexican customs at this crossing.",
    )


@dataclass(frozen=True, slots=True)
class Enforcement:
    """Border units: US southbound inspection, Mexican customs, Mexico–Guatemala border."""

    us_southbound_interdiction: float = param(
        0.0022,
        "probability per load",
        0.0,
        1.0,
        "calibrated to T4 (GAO-21-322: CBP+ICE seize 0.06%-0.4% of guns trafficked)",
        "Baseline chance that a southbound load at a US crossing is seized.",
    )
    mx_customs_interdiction: float = param(
        0.004,
        "probability per load",
        0.0,
        1.0,
        "assumption",
        "Baseline chance that Mexican customs seize a load entering Mexico.",
    )
    mx_gt_border_interdiction: float = param(
        0.02,
        "probability per load",
        0.0,
        1.0,
        "assumption",
        "Chance a load crossing from Mexico into Guatemala is seized.",
    )
    capacity_loads_per_week: float = param(
        400.0,
        "loads per unit per week",
        1.0,
        1e7,
        "assumption",
        "Loads a unit can examine at its full seizure rate; more traffic dilutes its attention.",
    )
    crossings: Mapping[str, CrossingEnforcement] = family(
        CrossingEnforcement, geography.us_crossings, {}
    )


@dataclass(frozen=True, slots=True)
class Market:
    """Black-market gun prices where traffickers sell to gangs."""

    price_usd_mexico: float = param(
        2000.0,
        "USD per gun",
        100.0,
        1e5,
        "assumption (reported black-market prices)",
        "Baseline price gangs pay for a US gun in Mexico.",
    )
    price_usd_central_america: float = param(
        3200.0,
        "USD per gun",
        100.0,
        1e5,
        "calibrated to T3",
        "Baseline price gangs pay for a US gun in Guatemala, Honduras, El Salvador.",
    )
    scarcity_elasticity: float = param(
        0.8,
        "dimensionless",
        0.0,
        5.0,
        "assumption",
        "How the local price rises when gangs hold fewer guns per member than at baseline.",
    )


@dataclass(frozen=True, slots=True)
class Tracing:
    """What share of seized crime guns are submitted to ATF eTrace."""

    submission_rate: float = param(
        0.48,
        "share",
        0.0,
        1.0,
        "calibrated to T5",
        "Share of guns seized in Mexico and Central America that are submitted for tracing.",
    )
