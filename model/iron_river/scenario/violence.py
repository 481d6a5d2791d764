"""Parameters of the second link, violence.

Armed groups, their arsenals and how armed strength and rivalry become homicides, extortion and
forced recruitment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from iron_river.scenario.schema import family, param
from iron_river.world import geography


@dataclass(frozen=True, slots=True)
class CountryGangs:
    """Armed groups of one country."""

    members: float = param(
        0.0,
        "persons",
        0.0,
        1e7,
        "assumption (MX: order of magnitude of Prieto-Curiel et al. 2023; NT: UNODC 2012 gang "
        "estimates)",
        "Gang members in the country, spread over places by their 2019 homicide counts.",
    )
    non_us_guns_per_year: float = param(
        0.0,
        "guns per year",
        0.0,
        1e7,
        "calibrated to T2 (MX) / T3 (GT, HN, SV)",
        "Guns gangs obtain from non-trafficked sources: diverted military/police stockpiles, "
        "legal imports diverted in-country, other countries (GAO-22-104680).",
    )
    diverted_us_made_share: float = param(
        0.0,
        "share",
        0.0,
        1.0,
        "calibrated to T3 (GAO-22-104680: about half of US-sourced guns in Central America were "
        "diverted in-country, not smuggled)",
        "Share of the non-trafficked guns that are US-made (legal US exports diverted in-country).",
    )
    police_seizure_rate: float = param(
        0.03,
        "share of arsenal per year",
        0.0,
        5.0,
        "calibrated to T5",
        "Share of gang guns seized by police each year (seized guns feed trace statistics).",
    )


def _gangs_defaults() -> dict[str, CountryGangs]:
    return {
        "MX": CountryGangs(members=175_000, non_us_guns_per_year=80_000, police_seizure_rate=0.05),
        "GT": CountryGangs(
            members=22_000,
            non_us_guns_per_year=9_000,
            diverted_us_made_share=0.22,
            police_seizure_rate=0.08,
        ),
        "HN": CountryGangs(
            members=25_000,
            non_us_guns_per_year=9_000,
            diverted_us_made_share=0.22,
            police_seizure_rate=0.08,
        ),
        "SV": CountryGangs(
            members=60_000,
            non_us_guns_per_year=8_000,
            diverted_us_made_share=0.22,
            police_seizure_rate=0.08,
        ),
    }


@dataclass(frozen=True, slots=True)
class Gangs:
    """Armed groups: how many per place, how guns wear out, the per-country tables."""

    per_place: int = param(3, "groups", 1, 20, "assumption", "Rival armed groups in each place.")
    size_concentration: float = param(
        4.0,
        "Dirichlet concentration",
        0.1,
        1000.0,
        "assumption (rivals of comparable size; higher = more equal)",
        "How equal in size the rival groups of a place are drawn at the start.",
    )
    gun_life_years: float = param(
        3.0,
        "years",
        0.1,
        100.0,
        "assumption",
        "Mean time a gun stays in use before it is lost, broken or sold on (wear).",
    )
    countries: Mapping[str, CountryGangs] = family(
        CountryGangs, lambda: geography.COUNTRIES, _gangs_defaults()
    )


@dataclass(frozen=True, slots=True)
class CountryViolence:
    """Lethality of armed-group conflict in one country."""

    firearm_lethality: float = param(
        0.0,
        "homicides per member-year at 1 gun per member",
        0.0,
        100.0,
        "calibrated to T6/T7",
        "Firearm homicides per gang member per year in a fully contested place, at one gun "
        "per member.",
    )
    other_lethality: float = param(
        0.0,
        "homicides per member-year",
        0.0,
        100.0,
        "calibrated to T6/T7",
        "Homicides without a firearm per gang member per year in a fully contested place.",
    )


def _violence_defaults() -> dict[str, CountryViolence]:
    return {
        "MX": CountryViolence(firearm_lethality=0.1215, other_lethality=0.1005),
        "GT": CountryViolence(firearm_lethality=0.154, other_lethality=0.0537),
        "HN": CountryViolence(firearm_lethality=0.188, other_lethality=0.061),
        "SV": CountryViolence(firearm_lethality=0.050, other_lethality=0.025),
    }


@dataclass(frozen=True, slots=True)
class Violence:
    """How armed strength and rivalry become homicides, extortion and forced recruitment."""

    gun_elasticity: float = param(
        0.5,
        "dimensionless",
        0.0,
        3.0,
        "assumption (Dube, Dube & García-Ponce 2013 find large effects of US gun supply on "
        "Mexican homicides near the border)",
        "Elasticity of firearm homicides with respect to guns per gang member.",
    )
    extortion_per_member_year: float = param(
        6.0,
        "households extorted per member-year",
        0.0,
        1000.0,
        "calibrated to T8",
        "Households a gang member extorts per year, at one gun per member.",
    )
    recruitment_per_member_year: float = param(
        0.6,
        "attempts per member-year",
        0.0,
        100.0,
        "calibrated to T9",
        "Forced-recruitment attempts on households per gang member per year.",
    )
    countries: Mapping[str, CountryViolence] = family(
        CountryViolence, lambda: geography.COUNTRIES, _violence_defaults()
    )
