"""The scenario schema: every parameter's one home (name, default, unit, range, provenance).

A scenario is a typed Mesa ``Scenario`` made of frozen sections (``trafficking``,
``supply``, ``enforcement`` …). The CLI, ``--set``, sweeps, the browser view's sliders
and the documentation all read :data:`PARAMETERS`, which is generated from these
sections, so a key that is not here does not exist anywhere.

Provenance labels: a FACTS.md source, a data file under ``model/data``,
"calibrated to Tn" (chosen so that the mechanism reproduces target Tn), or
"assumption".
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from mesa.experimental.scenarios import Scenario

from iron_river import geography


class ScenarioError(ValueError):
    """A scenario file, key or value that cannot be used; ``str()`` is the one clear message."""

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None):
        self.file, self.key, self.reason = file, key, message
        where = ": ".join(x for x in (file, f"key '{key}'" if key else None) if x)
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """What a user may set: a dotted key, its default, unit, allowed range and provenance."""

    key: str
    default: Any
    unit: str
    lo: float | None
    hi: float | None
    provenance: str
    help: str
    kind: type
    optional: bool = False

    def describe_range(self) -> str:
        """The allowed values in words, for error messages and tables."""
        if self.kind is str:
            return "text"
        if self.kind is bool:
            return "true or false"
        lo = "-inf" if self.lo is None else f"{self.lo:g}"
        hi = "inf" if self.hi is None else f"{self.hi:g}"
        what = "an integer" if self.kind is int else "a number"
        return f"{what} in [{lo}, {hi}]" + (" (omit to inherit)" if self.optional else "")


def param(
    default: Any, unit: str, lo: float | None, hi: float | None, provenance: str, help: str
) -> Any:
    """A scenario field with its schema metadata (used inside the section dataclasses)."""
    return field(
        default=default,
        metadata={"unit": unit, "lo": lo, "hi": hi, "provenance": provenance, "help": help},
    )


def family(member: type, ids: Callable[[], tuple[str, ...]], defaults: Mapping[str, Any]) -> Any:
    """A table of per-place (or per-country) values, e.g. ``supply.states.US-TX.multiplier``."""
    return field(
        default_factory=lambda: MappingProxyType({i: defaults.get(i, member()) for i in ids()}),
        metadata={"family": ids, "member": member},
    )


INHERIT = None  # an omitted per-place override inherits the section-wide value

# ---------------------------------------------------------------------------- sections


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


SECTIONS: dict[str, type] = {
    "supply": Supply,
    "trafficking": Trafficking,
    "enforcement": Enforcement,
    "market": Market,
    "gangs": Gangs,
    "tracing": Tracing,
    "violence": Violence,
    "exposure": Exposure,
    "households": Households,
    "migration": Migration,
}

TOP_LEVEL: dict[str, ParamSpec] = {
    "name": ParamSpec(
        "name", "baseline", "", None, None, "-", "Scenario name (output folder).", str
    ),
    "description": ParamSpec("description", "", "", None, None, "-", "What the scenario is.", str),
    "scale": ParamSpec(
        "scale",
        100.0,
        "real households per simulated household",
        1.0,
        100000.0,
        "assumption (1:100 is fast and accurate enough; 1 = full population)",
        "Real households one simulated household stands for.",
        float,
    ),
    "years": ParamSpec(
        "years",
        10,
        "years",
        1,
        100,
        "assumption",
        "Measured years (after the burn-in).",
        int,
    ),
    "burn_in_years": ParamSpec(
        "burn_in_years",
        5,
        "years",
        0,
        50,
        "assumption (arsenals turn over in ~3 years)",
        "Years simulated before measuring, so the baseline starts near its steady state.",
        int,
    ),
}


class IronRiverScenario(Scenario):
    """The typed scenario of the iron river model (see :data:`PARAMETERS` for every key)."""

    name: str = "baseline"
    description: str = ""
    scale: float = 100.0
    years: int = 10
    burn_in_years: int = 5
    supply: Supply = Supply()
    trafficking: Trafficking = Trafficking()
    enforcement: Enforcement = Enforcement()
    market: Market = Market()
    gangs: Gangs = Gangs()
    tracing: Tracing = Tracing()
    violence: Violence = Violence()
    exposure: Exposure = Exposure()
    households: Households = Households()
    migration: Migration = Migration()

    def flat(self) -> dict[str, Any]:
        """Every parameter as ``{dotted key: value}``."""
        out = {k: getattr(self, k) for k in TOP_LEVEL}
        for name in SECTIONS:
            out.update(_flatten_section(getattr(self, name), name))
        return out

    def with_values(
        self, values: Mapping[str, Any], *, origin: str = "values", rng: Any = None
    ) -> IronRiverScenario:
        """A validated copy with some parameters changed (dotted keys, or ``__`` for dots)."""
        flat = self.flat()
        for raw_key, raw in values.items():
            key = raw_key.replace("__", ".")
            spec = _spec_for(key, origin)
            flat[key] = coerce(spec, raw, origin)
        return from_flat(flat, rng=self.rng if rng is None else rng)

    def to_toml(self) -> str:
        """The resolved scenario as TOML (every parameter, inherited overrides left out)."""
        lines = [f"{k} = {_toml_value(getattr(self, k))}" for k in TOP_LEVEL]
        tables: dict[str, list[str]] = {}
        for key, value in self.flat().items():
            if key in TOP_LEVEL or value is None:
                continue
            table, leaf = key.rsplit(".", 1)
            tables.setdefault(table, []).append(f"{leaf} = {_toml_value(value)}")
        for table, rows in tables.items():
            lines += ["", f"[{table}]", *rows]
        return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- the flat schema


def _field_spec(key: str, f: dataclasses.Field, default: Any) -> ParamSpec:
    ftype = f.type if isinstance(f.type, str) else f.type.__name__
    kind = {"float": float, "int": int, "str": str, "bool": bool}[ftype.split(" ")[0]]
    m = f.metadata
    return ParamSpec(
        key,
        default,
        m["unit"],
        m["lo"],
        m["hi"],
        m["provenance"],
        m["help"],
        kind,
        optional="None" in ftype,
    )


def _walk(cls: type, instance: Any, prefix: str) -> Iterator[ParamSpec]:
    for f in dataclasses.fields(cls):
        key = f"{prefix}.{f.name}"
        if "family" in f.metadata:
            table = getattr(instance, f.name)
            for item_id in f.metadata["family"]():
                yield from _walk(f.metadata["member"], table[item_id], f"{key}.{item_id}")
        else:
            yield _field_spec(key, f, getattr(instance, f.name))


def _build_parameters() -> dict[str, ParamSpec]:
    specs = dict(TOP_LEVEL)
    for name, cls in SECTIONS.items():
        specs.update({s.key: s for s in _walk(cls, cls(), name)})
    return specs


PARAMETERS: dict[str, ParamSpec] = _build_parameters()


def _flatten_section(instance: Any, prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(instance):
        value = getattr(instance, f.name)
        if "family" in f.metadata:
            for item_id, member in value.items():
                out.update(_flatten_section(member, f"{prefix}.{f.name}.{item_id}"))
        else:
            out[f"{prefix}.{f.name}"] = value
    return out


def _build_section(cls: type, flat: Mapping[str, Any], prefix: str) -> Any:
    kwargs = {}
    for f in dataclasses.fields(cls):
        key = f"{prefix}.{f.name}"
        if "family" in f.metadata:
            kwargs[f.name] = MappingProxyType(
                {
                    i: _build_section(f.metadata["member"], flat, f"{key}.{i}")
                    for i in f.metadata["family"]()
                }
            )
        else:
            kwargs[f.name] = flat[key]
    return cls(**kwargs)


def from_flat(flat: Mapping[str, Any], *, rng: Any = None) -> IronRiverScenario:
    """Build a scenario from a complete ``{dotted key: value}`` mapping (already validated)."""
    top = {k: flat[k] for k in TOP_LEVEL}
    sections = {name: _build_section(cls, flat, name) for name, cls in SECTIONS.items()}
    return IronRiverScenario(rng=rng, **top, **sections)


def is_lever(key: str) -> bool:
    """Policy levers: they keep their baseline value during the burn-in."""
    return (
        key.startswith(("enforcement.", "supply.", "tracing."))
        or key == "migration.us_deterrence"
        or key.endswith(".police_seizure_rate")
    )


LEVERS: tuple[str, ...] = tuple(k for k in PARAMETERS if is_lever(k))


def baseline_levers(scenario: IronRiverScenario) -> IronRiverScenario:
    """The same scenario with every policy lever at its baseline default (the 2019 world)."""
    flat = scenario.flat()
    flat.update({k: PARAMETERS[k].default for k in LEVERS})
    return from_flat(flat, rng=scenario.rng)


def _spec_for(key: str, origin: str) -> ParamSpec:
    spec = PARAMETERS.get(key)
    if spec is None:
        close = difflib.get_close_matches(key, PARAMETERS, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "see `iron-river params`"
        raise ScenarioError(f"unknown parameter; {hint}", file=origin, key=key)
    return spec


def coerce(spec: ParamSpec, raw: Any, origin: str) -> Any:
    """Check one value against its spec (type, range) and return it in the spec's type."""
    value = raw
    if raw is None and spec.optional:
        return None
    if isinstance(raw, str) and spec.kind is not str:
        value = _parse_text(raw)
    bad = ScenarioError(
        f"got {raw!r}; allowed: {spec.describe_range()} ({spec.unit})".replace(" ()", ""),
        file=origin,
        key=spec.key,
    )
    if spec.kind is str:
        if not isinstance(value, str):
            raise bad
        return value
    if spec.kind is bool:
        if not isinstance(value, bool):
            raise bad
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad
    if spec.kind is int:
        if isinstance(value, float) and not value.is_integer():
            raise bad
        value = int(value)
    else:
        value = float(value)
    if not math.isfinite(value):
        raise bad
    if (spec.lo is not None and value < spec.lo) or (spec.hi is not None and value > spec.hi):
        raise bad
    return value


def _parse_text(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _flatten_toml(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for k, v in data.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            yield from _flatten_toml(v, f"{key}.")
        else:
            yield key, v


def load_scenario(
    path: str | Path | None = None, sets: list[str] | None = None, *, rng: Any = None
) -> IronRiverScenario:
    """Read and validate a scenario file, then apply ``--set key=value`` overrides.

    Args:
        path: a TOML scenario file; ``None`` for the built-in defaults (the baseline).
        sets: overrides as ``"dotted.key=value"`` strings.
        rng: the seed or generator handed to Mesa.

    Raises:
        ScenarioError: naming the file, the key and what is allowed.
    """
    values: dict[str, Any] = {}
    origin = "defaults"
    if path is not None:
        origin = str(path)
        p = Path(path)
        if not p.is_file():
            raise ScenarioError("no such scenario file", file=origin)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(f"malformed TOML: {exc}", file=origin) from None
        except UnicodeDecodeError:
            raise ScenarioError("not a UTF-8 text file", file=origin) from None
        values = dict(_flatten_toml(data))
        values.setdefault("name", p.stem)
    scenario = IronRiverScenario(rng=rng).with_values(values, origin=origin, rng=rng)
    overrides: dict[str, str] = {}
    for item in sets or []:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise ScenarioError(f"expected KEY=VALUE, got {item!r}", file="--set")
        overrides[key.strip()] = text.strip()
    if overrides:
        scenario = scenario.with_values(overrides, origin="--set", rng=rng)
    return scenario


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return repr(value)
