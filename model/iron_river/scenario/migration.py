"""Parameters of the third link, migration.

Exposure to violence, household characteristics, the decision to leave, the journey and what
happens at the border.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from iron_river.scenario.schema import family, param
from iron_river.world import geography


@dataclass(frozen=True, slots=True)
class Exposure:
    """How victimisation reaches households and how long they remember it."""

    households_per_homicide: float = param(
        15.0,
        "households",
        0.0,
        1000.0,
        "assumption (the victim's family, relatives, witnesses)",
        "Households exposed by one homicide in their place.",
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
        0.55,
        "share of households",
        0.0,
        1.0,
        "assumption",
        "Households with children.",
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
        "Households with relatives in the US.",
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
class CountryMigration:
    """Migration propensities of one country."""

    base_hazard_per_year: float = param(
        0.002,
        "1/year per household",
        0.0,
        1.0,
        "calibrated to T10",
        "Yearly migration hazard of a household with no exposure, no poverty, no relatives abroad.",
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
        "MX": CountryMigration(base_hazard_per_year=0.00024, return_share=0.85),
        "GT": CountryMigration(base_hazard_per_year=0.0034, return_share=0.45),
        "HN": CountryMigration(base_hazard_per_year=0.0036, return_share=0.45),
        "SV": CountryMigration(base_hazard_per_year=0.0013, return_share=0.45),
    }


@dataclass(frozen=True, slots=True)
class Migration:
    """Who leaves, why, how they travel north, and what happens at the border."""

    violence_effect: float = param(
        1.0,
        "multiplier",
        -3.0,
        3.0,
        "assumption (FACTS.md: sign and strength contested; 1 = the calibrated link, 0 = none, "
        "negative = violence deters emigration)",
        "Sign and strength of the violence→migration link.",
    )
    exposure_coefficient: float = param(
        2.05,
        "log-hazard per unit of remembered exposure",
        0.0,
        20.0,
        "calibrated to T8",
        "How much a household's own remembered victimisation raises its migration hazard.",
    )
    ambient_coefficient: float = param(
        0.008,
        "log-hazard per homicide per 100k",
        0.0,
        1.0,
        "calibrated to T9",
        "How much the local homicide rate raises every household's migration hazard.",
    )
    children_violence_multiplier: float = param(
        0.45,
        "multiplier",
        0.0,
        20.0,
        "calibrated to T9 (FACTS.md: families with children leave first)",
        "Extra weight of violence in the hazard of households with children.",
    )
    recruitment_weight: float = param(
        2.0,
        "exposure units",
        0.0,
        20.0,
        "assumption (forced recruitment weighs on families)",
        "Exposure added by a forced-recruitment attempt (a homicide or extortion adds 1).",
    )
    poverty_multiplier: float = param(
        1.8,
        "hazard ratio",
        0.0,
        20.0,
        "assumption",
        "Migration hazard ratio of poor households.",
    )
    network_multiplier: float = param(
        2.5,
        "hazard ratio",
        0.0,
        50.0,
        "assumption (FACTS.md: migration spreads through networks)",
        "Migration hazard ratio of households with relatives abroad.",
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
        "Households in the origin place that gain a relative abroad when a household settles in "
        "the US.",
    )
    us_deterrence: float = param(
        0.0,
        "index 0-1",
        0.0,
        1.0,
        "assumption (policy lever; 0 = 2019)",
        "Strength of US deterrence messaging and enforcement against migration.",
    )
    deterrence_sensitivity: float = param(
        0.0,
        "share of hazard removed at full deterrence",
        0.0,
        1.0,
        "Hiskey et al. 2018 via FACTS.md: knowing about tougher US deterrence had no measurable "
        "effect on emigration plans in Honduras",
        "How much us_deterrence lowers the migration hazard.",
    )
    crossing_distance_scale_km: float = param(
        600.0,
        "km",
        10.0,
        1e5,
        "assumption",
        "Migrants head for nearer US crossings: weight exp(−distance / this scale).",
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
        CountryMigration, lambda: geography.COUNTRIES, _migration_defaults()
    )


@dataclass(frozen=True, slots=True)
class Households:
    """Household characteristics by country."""

    countries: Mapping[str, CountryHouseholds] = family(
        CountryHouseholds, lambda: geography.COUNTRIES, _households_defaults()
    )
