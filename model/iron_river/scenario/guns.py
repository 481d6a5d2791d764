"""Parameters of the first link, guns going south: the 2019 world, in force from week 0.

US supply, trafficker cells (buying, route choice, loads, learning, entry and exit), border
enforcement as it was in 2019, the black markets where gangs buy, and the tracing of seized
guns. What policy changes is in :mod:`.policy`.
"""

from __future__ import annotations

from dataclasses import dataclass

from iron_river.scenario.schema import INHERIT, log_uniform, param, uniform


@dataclass(frozen=True, slots=True)
class Supply:
    """Buying guns for trafficking in the US source states."""

    purchase_price_usd: float = param(
        700.0,
        "USD per gun",
        50.0,
        10000.0,
        "FACTS.md prices: an AK-type rifle ~$600 in Texas, straw buyers paid up to $500 a gun",
        "What a cell pays per gun, retail price and straw buyer's fee together.",
        prior=uniform(500.0, 1100.0, "FACTS.md: ~$600 retail plus a straw fee of $0-500"),
    )
    straw_enforcement: float = param(
        0.10,
        "probability",
        0.0,
        0.99,
        "assumption",
        "Chance a straw purchase attempt was blocked by dealers or ATF in 2019; also raises "
        "the hazard that a cell is broken up.",
        prior=uniform(0.02, 0.3, "assumption: no published blocking rate for straw purchases"),
    )
    guns_per_cell_week: float = param(
        11.8,
        "guns per cell per week",
        0.1,
        1000.0,
        "calibrated to T1",
        "Straw purchases a cell can attempt in a week (before enforcement and supply levers).",
        prior=log_uniform(
            4.0, 60.0, "wide: court cases describe rings buying from a few to dozens a week"
        ),
    )


@dataclass(frozen=True, slots=True)
class Trafficking:
    """Trafficker cells: how many, how they choose routes and loads, learn risk, enter, exit."""

    initial_cells: int | None = param(
        INHERIT,
        "cells",
        1,
        100000,
        "assumption (omit: the free-entry balance at 2019 prices)",
        "Cells at week 0; the long-run number is set by entry and exit whatever this is.",
    )
    entrants_per_year: float = param(
        1000.0,
        "potential cells per year",
        0.0,
        1e6,
        "assumption",
        "Would-be cells that consider the trade each year (spread over states by sources.csv); "
        "each enters if its expected profit beats its outside option.",
        prior=log_uniform(300.0, 5000.0, "assumption: order of magnitude of ATF cases a year"),
    )
    outside_option_usd_per_week: float = param(
        12000.0,
        "USD per week",
        1.0,
        1e7,
        "assumption",
        "Median weekly profit a would-be cell gives up (other crime, legal work, risk premium).",
        prior=log_uniform(3000.0, 40000.0, "assumption: spans a factor of 13 around the median"),
    )
    outside_option_spread: float = param(
        1.0,
        "log-normal sigma",
        0.05,
        5.0,
        "assumption",
        "Spread of outside options among would-be cells: how smoothly entry follows profit.",
    )
    exit_hazard_per_year: float = param(
        0.5,
        "1/year",
        0.0,
        52.0,
        "assumption (cells last about two years)",
        "Yearly hazard that a cell stops trading for reasons other than seizures.",
        prior=uniform(0.2, 1.2, "assumption: cells last one to five years"),
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
        prior=uniform(0.03, 0.4, "assumption: seizures often, not always, lead to the ring"),
    )
    start_capital_usd: float = param(
        30000.0, "USD", 0.0, 1e8, "assumption", "Capital of a new cell."
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
        "Weight of others' losses (seizure rates published for each crossing) in perceived risk.",
    )
    risk_penalty_usd: float = param(
        4000.0,
        "USD per gun",
        0.0,
        1e6,
        "assumption",
        "What a cell counts as the cost of a seizure per gun beyond the lost gun (arrest, prison).",
        prior=log_uniform(1000.0, 16000.0, "assumption: a wide range of risk aversion"),
    )
    transport_cost_usd_per_km: float = param(
        0.4,
        "USD per gun per km",
        0.0,
        100.0,
        "assumption",
        "Cost of moving one gun one km, from the US state to the market.",
        prior=uniform(0.1, 1.2, "assumption: couriers, vehicles, bribes at checkpoints"),
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
    connections_per_cell: int = param(
        3,
        "markets",
        1,
        17,
        "assumption",
        "Markets where a cell has buyers (drawn when it enters, nearer and larger ones likelier).",
    )
    connection_distance_km: float = param(
        950.0,
        "km",
        10.0,
        1e5,
        "US trace flows fall to 0.35x per 1,000 km (IRR 0.27-0.46; ERGM of ATF traces, "
        "docs/EVIDENCE.md 1.6): exp(-1000/950) = 0.35",
        "Distance scale of a cell's connections: weight exp(-km / this) x the market's members.",
        prior=uniform(760.0, 1290.0, "the IRR's 95% CI 0.27-0.46 per 1,000 km (US analog)"),
    )
    reference_load_size: float = param(
        3.0,
        "guns per load",
        1.0,
        200.0,
        "FACTS.md: 'ship mostly small loads'",
        "Load size the 2019 interdiction rates refer to, and the mean load cells chose in 2019.",
        prior=uniform(1.5, 6.0, "FACTS.md: mostly small loads; 1-2 guns into Central America"),
    )
    detection_size_elasticity: float = param(
        0.5,
        "dimensionless",
        0.0,
        1.0,
        "assumption (0: a load is found or not whatever its size; 1: each gun on its own)",
        "How a load's chance of being found grows with its size: weight (size / reference)^this.",
        prior=uniform(0.0, 1.0, "assumption: the whole range between the two limits"),
    )
    concealment_onset: float = param(
        5.0,
        "x 2019 risk",
        1.0,
        1e4,
        "assumption",
        "Perceived risk, as a multiple of 2019's, above which cells pay to conceal loads "
        "(hidden compartments, bribes); concealment then grows with risk.",
        prior=log_uniform(1.5, 50.0, "assumption: from nearly at once to only at extreme risk"),
    )
    load_size_max: int = param(
        60, "guns per load", 1, 10000, "assumption", "Largest load a cell sends at once."
    )
    load_size_mean_central_america: float = param(
        1.5,
        "guns per load",
        1.0,
        50.0,
        "GAO-22-104680 via FACTS.md: mostly by land, 1-2 guns per crossing",
        "Mean load size at the Mexico-Guatemala crossing.",
    )
    between_ports_cost_usd_per_gun: float = param(
        300.0,
        "USD per gun",
        0.0,
        1e5,
        "assumption",
        "Extra cost of smuggling a gun across the border between ports (on foot, by river, "
        "through the desert) instead of through a port of entry.",
        prior=log_uniform(50.0, 1500.0, "assumption: backpackers' fees to organised crossings"),
    )
    between_ports_delay_weeks: int = param(
        2,
        "weeks",
        0,
        26,
        "assumption",
        "Extra weeks a gun smuggled between ports takes to reach its market.",
    )
    between_ports_load_max: int = param(
        4,
        "guns per load",
        1,
        1000,
        "assumption (what a person carries)",
        "Largest load smuggled between ports.",
    )


@dataclass(frozen=True, slots=True)
class Enforcement:
    """Border units as they were in 2019: seizure rates and inspection capacity."""

    us_southbound_interdiction: float = param(
        0.0022,
        "probability per reference load",
        0.0,
        1.0,
        "GAO-21-322 via FACTS.md T4: CBP+ICE seize 0.06%-0.4% of guns trafficked",
        "Chance a southbound load of the reference size was seized at a US port in 2019.",
        prior=log_uniform(0.0006, 0.004, "FACTS.md T4 range"),
    )
    mx_customs_interdiction: float = param(
        0.004,
        "probability per reference load",
        0.0,
        1.0,
        "assumption (FACTS.md: customs check ~10% of vehicles at random; finding guns in a "
        "checked vehicle is unlikely)",
        "Chance Mexican customs seized a load of the reference size at a port in 2019.",
        prior=log_uniform(0.001, 0.03, "10% of vehicles checked x 1-30% found when checked"),
    )
    between_ports_interdiction: float = param(
        0.003,
        "probability per reference load",
        0.0,
        1.0,
        "assumption",
        "Chance a load smuggled between ports was seized in 2019 (Border Patrol and Mexican "
        "army patrols; southbound traffic is rarely their target).",
        prior=log_uniform(0.0005, 0.02, "assumption: comparable to the ports' low rates"),
    )
    mx_gt_border_interdiction: float = param(
        0.02,
        "probability per reference load",
        0.0,
        1.0,
        "assumption",
        "Chance a load crossing from Mexico into Guatemala was seized in 2019.",
        prior=log_uniform(0.005, 0.1, "assumption: a porous border with few checks"),
    )
    capacity_loads_per_week: float = param(
        400.0,
        "loads per unit per week",
        1.0,
        1e7,
        "assumption",
        "Loads a unit can examine at its full seizure rate; more traffic dilutes its attention.",
    )


@dataclass(frozen=True, slots=True)
class Market:
    """Black markets where trafficker cells sell to armed groups."""

    price_usd_mexico: float = param(
        2000.0,
        "USD per gun",
        100.0,
        1e5,
        "FACTS.md prices: ~$1,200 at the northern border, up to $4,000 inside Mexico",
        "Price gangs pay for a US gun in Mexico when they hold their 2019 arsenal.",
        prior=uniform(1200.0, 4000.0, "FACTS.md price range"),
    )
    price_usd_central_america: float = param(
        3200.0,
        "USD per gun",
        100.0,
        1e5,
        "assumption (above Mexico's: further from the source)",
        "Price gangs pay for a US gun in Guatemala, Honduras, El Salvador at their 2019 arsenal.",
        prior=uniform(2000.0, 6000.0, "assumption: above Mexico's range"),
    )
    scarcity_elasticity: float = param(
        0.8,
        "dimensionless",
        0.0,
        5.0,
        "assumption (no published price elasticity of illicit guns; docs/EVIDENCE.md 7)",
        "How the local price rises as gangs hold fewer guns per member than in 2019: "
        "price = reference x (2019 arsenal / arsenal)^this (inverse of the demand elasticity).",
        prior=uniform(0.5, 3.0, "demand elasticity -0.5 (-1 to -0.1, assumption) inverted"),
    )
    arms_budget_share: float = param(
        0.3,
        "share of income",
        0.0,
        1.0,
        "assumption",
        "Share of a gang's income it can spend on guns in a week; above it, gangs pay less.",
    )
    other_income_usd_per_member_year: float = param(
        8000.0,
        "USD per member-year",
        0.0,
        1e7,
        "assumption (drug retail, theft, smuggling besides extortion)",
        "Gang income per member from sources other than extortion.",
    )
    extortion_usd_per_event: float = param(
        294.0,
        "USD per household extorted",
        0.0,
        1e6,
        "assumption (docs/EVIDENCE.md 8: extortion revenue per member-year SV ~$20k, "
        "HN ~$5.6k, GT ~$2.8k)",
        "What one extortion event brings a gang.",
    )
    non_us_price_elasticity: float = param(
        0.5,
        "dimensionless",
        0.0,
        5.0,
        "assumption (docs/EVIDENCE.md 7: no estimate found)",
        "How non-US supply (diverted stocks, other exporters, craft guns) rises with the local "
        "price: flow = 2019 flow x (price / 2019 price)^this.",
        prior=uniform(0.0, 2.0, "assumption: docs/EVIDENCE.md proposed prior"),
    )


@dataclass(frozen=True, slots=True)
class Tracing:
    """What share of seized crime guns were submitted to ATF eTrace in 2019."""

    submission_rate: float = param(
        0.48,
        "share",
        0.0,
        1.0,
        "calibrated to T5",
        "Share of guns seized in Mexico and Central America that are submitted for tracing.",
        prior=uniform(0.2, 0.9, "assumption: Mexico submits a large share of what it seizes"),
    )
