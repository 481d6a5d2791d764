"""Parameters of the third link, migration: exposure, households, the decision, the journey.

The causal strength of violence on migration is set per country from evidence on how
migration changed when violence changed (``docs/EVIDENCE.md`` 2-3), never from what migrants
say; what they say (FACTS.md T8, T9) is the reporting step of :class:`Reporting`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from iron_river.scenario.schema import family, param, times, uniform
from iron_river.world import geography


@dataclass(frozen=True, slots=True)
class Exposure:
    """How victimisation reaches households and how long they remember it."""

    households_per_homicide: float = param(
        76.0,
        "households",
        0.0,
        1000.0,
        "calibrated to T8 (the victim's family, neighbours, witnesses; MSF counts any violent "
        "situation lived through)",
        "Households exposed by one homicide in their place.",
        prior=uniform(20.0, 150.0, "assumption: tens of households touched by each homicide"),
    )
    recruitment_weight: float = param(
        2.0,
        "exposure units",
        0.0,
        20.0,
        "assumption (forced recruitment weighs on families)",
        "Exposure added by a forced-recruitment attempt (a homicide or extortion adds 1).",
    )
    memory_half_life_weeks: float = param(
        52.0,
        "weeks",
        1.0,
        1040.0,
        "assumption",
        "Half-life of a household's remembered exposure to violence.",
    )
    recall_window_weeks: int = param(
        104,
        "weeks",
        1,
        520,
        "FACTS.md T8 (MSF: exposed in the two years before leaving)",
        "How far back an event counts as 'exposed before leaving' in the outputs.",
    )


@dataclass(frozen=True, slots=True)
class CountryHouseholds:
    """Household characteristics of one country (initial shares)."""

    children_share: float = param(
        0.55, "share of households", 0.0, 1.0, "assumption", "Households with children."
    )
    poverty_share: float = param(
        0.45,
        "share of households",
        0.0,
        1.0,
        "assumption (order of national poverty rates: CONEVAL, INE)",
        "Households in poverty.",
    )
    relatives_abroad_share: float = param(
        0.25,
        "share of households",
        0.0,
        1.0,
        "assumption",
        "Households with a close relative in the US.",
    )


def _households_defaults() -> dict[str, CountryHouseholds]:
    return {
        "MX": CountryHouseholds(
            children_share=0.50, poverty_share=0.42, relatives_abroad_share=0.12
        ),
        "GT": CountryHouseholds(
            children_share=0.65, poverty_share=0.59, relatives_abroad_share=0.25
        ),
        "HN": CountryHouseholds(
            children_share=0.62, poverty_share=0.60, relatives_abroad_share=0.25
        ),
        "SV": CountryHouseholds(
            children_share=0.55, poverty_share=0.30, relatives_abroad_share=0.35
        ),
    }


@dataclass(frozen=True, slots=True)
class Households:
    """Household characteristics by country."""

    countries: Mapping[str, CountryHouseholds] = family(
        CountryHouseholds, lambda: geography.COUNTRIES, _households_defaults()
    )


@dataclass(frozen=True, slots=True)
class CountryMigration:
    """Migration in one country: its level, its response to violence, returns."""

    base_hazard_per_year: float = param(
        0.002,
        "1/year per household",
        0.0,
        1.0,
        "calibrated to T10-MX/GT/HN/SV",
        "Yearly migration hazard of a non-poor household without relatives abroad or exposure, "
        "where the homicide rate is the country's 2019 rate.",
        prior=times(0.4, 2.5, "around the value that reproduces the country's apprehensions"),
    )
    violence_elasticity: float = param(
        0.3,
        "dimensionless",
        -3.0,
        3.0,
        "Northern Triangle: fitted to the pooled response of Clemens 2017/2021 (about 0.3, "
        "docs/EVIDENCE.md 3), which enters the fit as a statistic",
        "Elasticity of US-bound departures with respect to the local homicide rate.",
        prior=uniform(
            -0.2,
            1.0,
            "wide, from Alvarado & Massey's negative finding to three times Clemens': "
            "the response evidence is the fit's statistic, not the prior (no double counting)",
        ),
    )
    return_share: float = param(
        0.5,
        "share",
        0.0,
        1.0,
        "assumption (most apprehended Mexicans are returned quickly; fewer Central Americans)",
        "Share of households arriving at the US border that are returned home.",
    )


def _migration_defaults() -> dict[str, CountryMigration]:
    return {
        "MX": CountryMigration(
            base_hazard_per_year=0.00117, violence_elasticity=0.2, return_share=0.85
        ),
        "GT": CountryMigration(
            base_hazard_per_year=0.0136, violence_elasticity=0.15, return_share=0.45
        ),
        "HN": CountryMigration(
            base_hazard_per_year=0.0206, violence_elasticity=0.4, return_share=0.45
        ),
        "SV": CountryMigration(
            base_hazard_per_year=0.00867, violence_elasticity=0.4, return_share=0.45
        ),
    }


_MIGRATION_PRIORS = {
    "MX": {
        "violence_elasticity": uniform(
            -0.3,
            1.4,
            "Mexico (docs/EVIDENCE.md 2): MMP negative, Basu & Pearlman ~0, "
            "Orozco-Aleman & Gonzalez-Lozano 2018 1.38",
        )
    },
    "GT": {
        "violence_elasticity": uniform(
            -0.2,
            0.5,
            "Guatemala (docs/EVIDENCE.md 3): weaker than HN/SV (Hiskey 2018), negative "
            "in earlier decades (Alvarado & Massey 2010)",
        )
    },
}


@dataclass(frozen=True, slots=True)
class Migration:
    """Who leaves, how they travel north, and what happens at the border."""

    violence_effect: float = param(
        1.0,
        "multiplier",
        -3.0,
        3.0,
        "assumption (a what-if: 1 = the evidence-based link, 0 = none, negative = reversed)",
        "Multiplies every violence response of the migration decision (sign and strength).",
    )
    victimisation_hazard_ratio: float = param(
        1.15,
        "hazard ratio per unit of exposure",
        0.5,
        10.0,
        "Wood, Gibson, Ribeiro & Hamsho-Diaz 2010: victims ~30% more likely to consider leaving, "
        "an upper bound on leaving (docs/EVIDENCE.md 3)",
        "How much a household's own remembered victimisation multiplies its hazard.",
        prior=uniform(1.0, 1.3, "no effect to the intention effect"),
    )
    children_violence_multiplier: float = param(
        0.5,
        "multiplier",
        0.0,
        20.0,
        "assumption (FACTS.md: families with children and young people facing forced "
        "recruitment leave first)",
        "Extra weight of violence in the decision of households with children.",
        prior=uniform(0.0, 1.0, "assumption"),
    )
    poverty_multiplier: float = param(
        1.0,
        "hazard ratio",
        0.0,
        20.0,
        "docs/EVIDENCE.md 5: sign ambiguous (assets lower the odds; liquidity limits the poorest)",
        "Migration hazard ratio of poor households.",
        prior=uniform(0.7, 1.4, "docs/EVIDENCE.md proposed 90% range"),
    )
    network_multiplier: float = param(
        2.0,
        "hazard ratio",
        0.0,
        50.0,
        "Massey & Aysa-Lastra 2011 (odds ratios of a first US trip, parent 1.79, sibling 2.46)",
        "Migration hazard ratio of households with a close relative in the US.",
        prior=uniform(1.64, 2.65, "span of the 95% intervals across tie types"),
    )
    network_tie_years: float = param(
        20.0,
        "years",
        0.1,
        100.0,
        "assumption",
        "How long a tie to a relative abroad stays active.",
    )
    network_ties_per_migrant: float = param(
        0.5,
        "households",
        0.0,
        100.0,
        "assumption",
        "Other households of the origin place that gain a relative abroad when a household "
        "settles in the US (the settled household's replacement keeps a tie too).",
    )
    deterrence_elasticity: float = param(
        -0.1,
        "dimensionless",
        -5.0,
        0.0,
        "Gathmann 2008 (enforcement x3, migration -10%), Lessem 2018 (-0.18); Hiskey et al. "
        "2018: knowing about tougher policy had no effect in Honduras (docs/EVIDENCE.md 9)",
        "Elasticity of departures with respect to US border enforcement.",
        prior=uniform(-0.2, 0.0, "the span of the two estimates, to no effect"),
    )
    crossing_distance_scale_km: float = param(
        600.0,
        "km",
        10.0,
        1e5,
        "assumption",
        "Migrants head for nearer US crossings: weight exp(-distance / this scale).",
    )
    travel_km_per_week: float = param(
        350.0,
        "km per week",
        10.0,
        5000.0,
        "assumption",
        "Distance migrants cover in a week on the way north.",
    )
    route_victimisation_per_1000km: float = param(
        0.45,
        "hazard per 1000 km at the Mexican homicide rate",
        0.0,
        20.0,
        "calibrated to the FACTS.md input: ~68% of migrants victimised on the route (MSF 2017)",
        "Hazard of being victimised on the route, scaled by the homicide rate of each place "
        "crossed.",
    )
    return_delay_weeks: int = param(
        6,
        "weeks",
        1,
        520,
        "assumption",
        "Mean weeks before a returned household is back home (geometric: waits vary).",
    )
    countries: Mapping[str, CountryMigration] = family(
        CountryMigration, lambda: geography.COUNTRIES, _migration_defaults(), _MIGRATION_PRIORS
    )


@dataclass(frozen=True, slots=True)
class Reporting:
    """What migrants name as their reasons: a reporting step, not a cause (FACTS.md T9)."""

    victim_names_violence: float = param(
        0.9,
        "probability",
        0.0,
        1.0,
        "assumption (a family victimised before leaving nearly always names it)",
        "Chance a family victimised in the recall window names violence as a key reason.",
    )
    others_name_violence: float = param(
        0.50,
        "probability",
        0.0,
        1.0,
        "calibrated to T9",
        "Chance a family not itself victimised names violence (general insecurity) as a key "
        "reason.",
        prior=uniform(0.2, 0.9, "assumption around the value that reproduces T9"),
    )
