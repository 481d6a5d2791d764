"""Policy levers: what a scenario changes, and only from the start of the measured period.

Every lever defaults to ``INHERIT``: the 2019 value of the structural parameter it names in
``inherits`` (so a scenario that sets nothing is the 2019 world). During the burn-in every
lever keeps its 2019 value; from the first measured week the scenario's value is in force.
Calibrated parameters are structural, never levers: a lever says what policy does, the
structural parameter says what 2019 was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from iron_river.scenario.schema import INHERIT, family, param
from iron_river.world import geography

LEVER = "policy lever (2019 value when omitted)"


@dataclass(frozen=True, slots=True)
class CrossingPolicy:
    """Per-crossing enforcement (omit to inherit the border-wide lever)."""

    us_southbound_interdiction: float | None = param(
        INHERIT,
        "probability per reference load",
        0.0,
        1.0,
        LEVER,
        "Chance US officers seize a southbound load of the reference size at this port.",
        inherits="policy.us_southbound_interdiction",
    )
    mx_customs_interdiction: float | None = param(
        INHERIT,
        "probability per reference load",
        0.0,
        1.0,
        LEVER,
        "Chance Mexican customs seize a load of the reference size at this port.",
        inherits="policy.mx_customs_interdiction",
    )
    between_ports_interdiction: float | None = param(
        INHERIT,
        "probability per reference load",
        0.0,
        1.0,
        LEVER,
        "Chance a load smuggled across the border between ports near this crossing is seized.",
        inherits="policy.between_ports_interdiction",
    )


@dataclass(frozen=True, slots=True)
class StatePolicy:
    """Gun supply and straw-purchase enforcement in one US source state."""

    supply_multiplier: float = param(
        1.0,
        "x 2019",
        0.0,
        20.0,
        LEVER + "; 1 = 2019",
        "Guns a cell can buy each week relative to 2019 (e.g. assault weapons on sale).",
    )
    straw_enforcement: float | None = param(
        INHERIT,
        "probability",
        0.0,
        0.99,
        LEVER,
        "Chance a straw purchase in this state is blocked by dealers or ATF.",
        inherits="policy.straw_enforcement",
    )


@dataclass(frozen=True, slots=True)
class CountryPolicy:
    """Policing inside one country."""

    police_seizure_rate: float | None = param(
        INHERIT,
        "share of arsenal per year",
        0.0,
        5.0,
        LEVER,
        "Share of armed groups' guns police seize each year (seized guns are traced).",
        inherits="gangs.countries.{id}.police_seizure_rate",
    )
    leader_arrest_rate: float | None = param(
        INHERIT,
        "arrests per group per year",
        0.0,
        10.0,
        LEVER,
        "Rate at which the leaders of an armed group are arrested or killed (kingpin strategy).",
        inherits="gangs.leader_arrest_rate",
    )


@dataclass(frozen=True, slots=True)
class Policy:
    """The levers a scenario sets (see the module docstring for when they act)."""

    us_southbound_interdiction: float | None = param(
        INHERIT,
        "probability per reference load",
        0.0,
        1.0,
        LEVER,
        "Chance US southbound inspection seizes a load of the reference size at a port of entry.",
        inherits="enforcement.us_southbound_interdiction",
    )
    mx_customs_interdiction: float | None = param(
        INHERIT,
        "probability per reference load",
        0.0,
        1.0,
        LEVER,
        "Chance Mexican customs seize a load of the reference size entering Mexico at a port.",
        inherits="enforcement.mx_customs_interdiction",
    )
    between_ports_interdiction: float | None = param(
        INHERIT,
        "probability per reference load",
        0.0,
        1.0,
        LEVER,
        "Chance a load smuggled across the border between ports of entry is seized.",
        inherits="enforcement.between_ports_interdiction",
    )
    mx_gt_border_interdiction: float | None = param(
        INHERIT,
        "probability per reference load",
        0.0,
        1.0,
        LEVER,
        "Chance a load crossing from Mexico into Guatemala is seized.",
        inherits="enforcement.mx_gt_border_interdiction",
    )
    straw_enforcement: float | None = param(
        INHERIT,
        "probability",
        0.0,
        0.99,
        LEVER,
        "Chance a straw purchase is blocked by dealers or ATF (every source state).",
        inherits="supply.straw_enforcement",
    )
    trace_submission_rate: float | None = param(
        INHERIT,
        "share",
        0.0,
        1.0,
        LEVER,
        "Share of guns seized in Mexico and Central America submitted to ATF eTrace.",
        inherits="tracing.submission_rate",
    )
    us_border_enforcement: float = param(
        1.0,
        "x 2019",
        0.0,
        100.0,
        LEVER + "; 1 = 2019",
        "US enforcement against migrants at the border relative to 2019 (deterrence).",
    )
    crossings: Mapping[str, CrossingPolicy] = family(CrossingPolicy, geography.us_crossings, {})
    states: Mapping[str, StatePolicy] = family(
        StatePolicy, lambda: geography.ids(geography.US_STATES), {}
    )
    countries: Mapping[str, CountryPolicy] = family(CountryPolicy, lambda: geography.COUNTRIES, {})
