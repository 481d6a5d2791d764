"""Parameters of the second link, violence: armed groups and what their strength does.

Armed groups' members (recruitment, arrests, killings), arsenals (resupply, police seizures,
wear), territory (contest, fragmentation after leaders are arrested), and how armed strength
and rivalry become homicides with and without firearms, extortion and forced recruitment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from iron_river.scenario.schema import family, param, times, uniform
from iron_river.world import geography


@dataclass(frozen=True, slots=True)
class CountryGangs:
    """Armed groups of one country in 2019."""

    members: float = param(
        0.0,
        "persons",
        0.0,
        1e7,
        "assumption (MX: order of magnitude of Prieto-Curiel et al. 2023; NT: UNODC 2012 gang "
        "estimates)",
        "Gang members in the country in 2019, spread over places by their 2019 homicide counts.",
        prior=times(0.6, 1.6, "published estimates differ by a factor of about two"),
    )
    guns_per_member: float = param(
        1.0,
        "guns per member",
        0.01,
        100.0,
        "assumption (arsenals of the size the 2019 flows sustain; FACTS.md civilian stocks)",
        "Guns per member in 2019: the arsenal at which the black-market price is its reference.",
        prior=times(0.5, 2.0, "assumption: no count of armed groups' arsenals exists"),
    )
    non_us_guns_per_year: float = param(
        0.0,
        "guns per year",
        0.0,
        1e7,
        "calibrated to T2 (MX) / T3 (GT) / T5",
        "Guns gangs obtained in 2019 from non-trafficked sources: diverted military/police "
        "stocks, legal imports diverted in-country, other countries (GAO-22-104680).",
        prior=times(0.3, 3.0, "wide: GAO-22-104680 gives shares, not counts"),
    )
    diverted_us_made_share: float = param(
        0.0,
        "share",
        0.0,
        1.0,
        "GAO-22-104680 via FACTS.md: about half of US-sourced guns in Central America were "
        "diverted in-country, not smuggled",
        "Share of the non-trafficked guns that are US-made (legal US exports diverted in-country).",
    )
    police_seizure_rate: float = param(
        0.03,
        "share of arsenal per year",
        0.0,
        5.0,
        "calibrated to T5 (MX)",
        "Share of gang guns police seized each year in 2019 (seized guns are traced).",
        prior=times(0.4, 2.5, "assumption around the rate that reproduces T5"),
    )


def _gangs_defaults() -> dict[str, CountryGangs]:
    ca = {"diverted_us_made_share": 0.22, "police_seizure_rate": 0.08}
    return {
        "MX": CountryGangs(
            members=175_000,
            guns_per_member=4.0,
            non_us_guns_per_year=84_200,
            police_seizure_rate=0.0488,
        ),
        "GT": CountryGangs(members=22_000, guns_per_member=1.2, non_us_guns_per_year=12_750, **ca),
        "HN": CountryGangs(members=25_000, guns_per_member=1.1, non_us_guns_per_year=12_750, **ca),
        "SV": CountryGangs(members=60_000, guns_per_member=0.55, non_us_guns_per_year=11_340, **ca),
    }


# Central America's police seizure rates are pinned by no target (T5 is Mexico's): no prior.
_GANG_PRIORS = {c: {"police_seizure_rate": None} for c in ("GT", "HN", "SV")}


@dataclass(frozen=True, slots=True)
class Gangs:
    """Armed groups: their arsenals, members and territory over time."""

    per_place: int = param(
        3, "groups", 1, 20, "assumption", "Rival armed groups in each place at week 0."
    )
    max_per_place: int = param(
        8, "groups", 1, 50, "assumption", "Most groups a place holds (splinters beyond merge)."
    )
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
        prior=uniform(1.5, 8.0, "assumption: guns in hard use last years, not decades"),
    )
    member_arrest_rate: float = param(
        0.10,
        "1/year",
        0.0,
        10.0,
        "assumption",
        "Yearly hazard that a member is arrested and imprisoned.",
        prior=uniform(0.03, 0.3, "assumption"),
    )
    desistance_rate: float = param(
        0.10,
        "1/year",
        0.0,
        10.0,
        "assumption (members stay a few years)",
        "Yearly hazard that a member leaves the group for other reasons.",
    )
    members_killed_share: float = param(
        0.4,
        "share of homicide victims",
        0.0,
        1.0,
        "assumption",
        "Share of homicide victims who are members of armed groups.",
        prior=uniform(0.15, 0.6, "assumption"),
    )
    forced_recruitment_success: float = param(
        0.1,
        "probability",
        0.0,
        1.0,
        "assumption",
        "Chance a forced-recruitment attempt on a family yields a new member.",
    )
    recruitment_income_elasticity: float = param(
        0.5,
        "dimensionless",
        0.0,
        5.0,
        "assumption",
        "How voluntary recruitment follows a group's income per member (voluntary recruitment "
        "balances attrition at the 2019 income).",
        prior=uniform(0.0, 1.0, "assumption"),
    )
    leader_arrest_rate: float = param(
        0.15,
        "arrests per group per year",
        0.0,
        10.0,
        "assumption (Mexico captured or killed most of its 37 most-wanted in 2009-2012)",
        "Rate at which a group's leaders were arrested or killed in 2019.",
    )
    split_prob: float = param(
        0.5,
        "probability",
        0.0,
        1.0,
        "assumption (Calderón et al. 2015, Phillips 2015: captures fragment organisations)",
        "Chance a group splits in two when its leaders are arrested.",
        prior=uniform(0.2, 0.8, "assumption"),
    )
    succession_violence: float = param(
        0.5,
        "x the group's violence",
        0.0,
        10.0,
        "Lindo & Padilla-Romo 2018, Calderón et al. 2015 (docs/EVIDENCE.md 6): homicides rise "
        "36.5% (6 months) to 80% (12+ months) after a leader is captured",
        "Extra violence of a group right after its leaders are arrested (fades, half-life 26 "
        "weeks).",
        prior=uniform(0.365, 0.8, "the span of the two estimates"),
    )
    splinter_merge_rate: float = param(
        0.7,
        "1/year",
        0.0,
        52.0,
        "assumption (Lindo & Padilla-Romo 2018: the surge after a capture lasts about a year)",
        "Hazard that a splinter group is absorbed back into the strongest rival of its place.",
        prior=uniform(0.3, 2.0, "assumption: splinters last months to a few years"),
    )
    turf_speed: float = param(
        1.0,
        "1/year",
        0.0,
        52.0,
        "assumption",
        "How fast territory follows armed strength (contest over turf).",
    )
    contest_decisiveness: float = param(
        1.0,
        "dimensionless",
        0.1,
        10.0,
        "assumption (1: turf follows strength shares; above 1: the stronger gains more)",
        "Exponent of the contest: target turf = strength^this / sum of strengths^this.",
    )
    collapse_share: float = param(
        0.04,
        "share of turf",
        0.0,
        0.5,
        "assumption",
        "A group whose turf falls below this share dissolves; its members and guns go to rivals.",
    )
    countries: Mapping[str, CountryGangs] = family(
        CountryGangs, lambda: geography.COUNTRIES, _gangs_defaults(), _GANG_PRIORS
    )


@dataclass(frozen=True, slots=True)
class CountryViolence:
    """Lethality of armed-group conflict in one country."""

    firearm_lethality: float = param(
        0.0,
        "homicides per member-year",
        0.0,
        100.0,
        "calibrated to T6/T7/T11",
        "Firearm homicides per member per year in a fully contested place at the 2019 arsenal.",
        prior=times(0.5, 2.0, "around the value that reproduces T7"),
    )
    other_lethality: float = param(
        0.0,
        "homicides per member-year",
        0.0,
        100.0,
        "calibrated to T6/T7/T11",
        "Homicides without a firearm per member per year in a fully contested place.",
        prior=times(0.5, 2.0, "around the value that reproduces T6/T11"),
    )


def _violence_defaults() -> dict[str, CountryViolence]:
    return {
        "MX": CountryViolence(firearm_lethality=0.226, other_lethality=0.0949),
        "GT": CountryViolence(firearm_lethality=0.147, other_lethality=0.0513),
        "HN": CountryViolence(firearm_lethality=0.156, other_lethality=0.0396),
        "SV": CountryViolence(firearm_lethality=0.0348, other_lethality=0.0174),
    }


@dataclass(frozen=True, slots=True)
class Violence:
    """How armed strength and rivalry become homicides, extortion and forced recruitment."""

    gun_elasticity: float = param(
        0.3,
        "dimensionless",
        0.0,
        3.0,
        "Cook & Ludwig 2006 (US, 0.1-0.3, all in gun homicide); Brazil 0.15-0.20; Dube, Dube & "
        "García-Ponce 2013 and Chicoine 2017 for Mexico's sign and locality (docs/EVIDENCE.md 1)",
        "Elasticity of firearm homicides with respect to guns per member.",
        prior=uniform(0.1, 0.6, "docs/EVIDENCE.md: US and Brazil span, wider for Mexico"),
    )
    nonfirearm_substitution: float = param(
        0.0,
        "share",
        0.0,
        1.0,
        "Chicoine 2017, Cook & Ludwig 2006, Cerqueira & de Mello: no substitution found",
        "Share of the firearm homicides that guns' scarcity prevents which happen with other "
        "weapons instead.",
        prior=uniform(0.0, 0.1, "the nulls, with an allowance (docs/EVIDENCE.md 10)"),
    )
    extortion_gun_elasticity: float = param(
        0.3,
        "dimensionless",
        0.0,
        3.0,
        "assumption (no estimate found; docs/EVIDENCE.md 8)",
        "Elasticity of extortion with respect to guns per member.",
        prior=uniform(0.0, 0.8, "assumption"),
    )
    extortion_per_member_year: float = param(
        30.6,
        "households extorted per member-year",
        0.0,
        1000.0,
        "calibrated to T8",
        "Households a member extorts per year, at the 2019 arsenal.",
        prior=times(0.3, 3.0, "around the value that reproduces T8"),
    )
    recruitment_per_member_year: float = param(
        0.6,
        "attempts per member-year",
        0.0,
        100.0,
        "assumption",
        "Forced-recruitment attempts on families per member per year.",
    )
    countries: Mapping[str, CountryViolence] = family(
        CountryViolence, lambda: geography.COUNTRIES, _violence_defaults()
    )
