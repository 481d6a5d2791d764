"""The typed scenario: every parameter's one home, read by the CLI, sweeps, the view and the docs.

A scenario is a typed Mesa ``Scenario`` made of frozen sections (``trafficking``,
``supply``, ``enforcement`` …) declared per link of the chain in :mod:`.guns`,
:mod:`.violence` and :mod:`.migration`. :data:`PARAMETERS` is generated from those
sections, so a key that is not there does not exist anywhere.

Provenance labels: a FACTS.md source, a data file under ``model/iron_river/world/data``,
"calibrated to Tn" (chosen so that the mechanism reproduces target Tn), or "assumption".
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from mesa.experimental.scenarios import Scenario

from iron_river.scenario.guns import Enforcement, Market, Supply, Tracing, Trafficking
from iron_river.scenario.migration import Exposure, Households, Migration, Reporting
from iron_river.scenario.policy import Policy
from iron_river.scenario.schema import ParamSpec, ScenarioError, check_prior, coerce
from iron_river.scenario.violence import Gangs, Violence

SECTIONS: dict[str, type] = {
    "policy": Policy,
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
    "reporting": Reporting,
}

TOP_LEVEL: dict[str, ParamSpec] = {
    "name": ParamSpec(
        "name", "baseline", "", None, None, "-", "Scenario name (output folder).", str, role="run"
    ),
    "description": ParamSpec(
        "description", "", "", None, None, "-", "What the scenario is.", str, role="run"
    ),
    "scale": ParamSpec(
        "scale",
        100.0,
        "real households per simulated household",
        1.0,
        100000.0,
        "assumption (1:100 is fast and accurate enough; 1 = full population)",
        "Real households one simulated household stands for.",
        float,
        role="run",
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
        role="run",
    ),
    "parameters": ParamSpec(
        "parameters",
        "posterior",
        "",
        None,
        None,
        "posterior fitted by `iron-river calibrate` (scenario/data/posterior.csv)",
        "Where the uncertain parameters come from: a posterior draw per replicate (paired "
        "across scenarios by replicate), the posterior's median (quick single runs), or the "
        "schema defaults. A value a scenario sets is always the scenario's.",
        str,
        role="run",
        choices=("posterior", "point", "defaults"),
    ),
    "posterior": ParamSpec(
        "posterior",
        "",
        "",
        None,
        None,
        "-",
        "The posterior to draw from: empty for the one shipped in the package, or a fit's "
        "posterior (its posterior/ or checkpoint/ folder, or the posterior.csv in it, with its "
        "posterior.json), e.g. your own `iron-river calibrate`. A relative path is from the "
        "scenario file's folder, or from the folder you run in (--set, --posterior).",
        str,
        role="run",
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
        role="run",
    ),
}


class IronRiverScenario(Scenario):
    """The typed scenario of the iron river model (see :data:`PARAMETERS` for every key)."""

    name: str = "baseline"
    description: str = ""
    scale: float = 100.0
    years: int = 10
    burn_in_years: int = 5
    parameters: str = "posterior"
    posterior: str = ""
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
    reporting: Reporting = Reporting()
    policy: Policy = Policy()

    def flat(self) -> dict[str, Any]:
        """Every parameter as ``{dotted key: value}``."""
        out = {k: getattr(self, k) for k in TOP_LEVEL}
        for name in SECTIONS:
            out.update(_flatten_section(getattr(self, name), name))
        return out

    def with_values(
        self,
        values: Mapping[str, Any],
        *,
        origin: str = "values",
        rng: Any = None,
        user: bool = True,
    ) -> IronRiverScenario:
        """A validated copy with some parameters changed (dotted keys, or ``__`` for dots).

        The keys count as set by the user (:meth:`given`) unless ``user`` is false (a
        posterior draw filling in what the user left open).
        """
        flat = self.flat()
        keys = set()
        for raw_key, raw in values.items():
            key = raw_key.replace("__", ".")
            spec = _spec_for(key, origin)
            flat[key] = coerce(spec, raw, origin)
            keys.add(key)
        out = from_flat(flat, rng=self.rng if rng is None else rng)
        out.__dict__["_given"] = self.__dict__.get("_given", frozenset()) | (
            keys if user else frozenset()
        )
        return out

    def given(self) -> frozenset[str]:
        """The keys the user set: named in a file, ``--set`` or a sweep, or not at their default."""
        named = self.__dict__.get("_given", frozenset())
        return named | {k for k, v in self.flat().items() if v != PARAMETERS[k].default}

    def value(self, key: str) -> Any:
        """The value in force for a dotted key, following a lever's ``inherits`` when unset."""
        value = self.get(key)
        while value is None and PARAMETERS[key].inherits is not None:
            key = PARAMETERS[key].inherits
            value = self.get(key)
        return value

    def get(self, key: str) -> Any:
        """The value stored under a dotted key (``None`` for an unset lever)."""
        obj: Any = self
        for part in key.split("."):
            obj = obj[part] if isinstance(obj, Mapping) else getattr(obj, part)
        return obj

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


_MISSING = object()


def _field_spec(
    key: str, f: dataclasses.Field, default: Any, item: str | None, prior: Any = _MISSING
) -> ParamSpec:
    ftype = f.type if isinstance(f.type, str) else f.type.__name__
    kind = {"float": float, "int": int, "str": str, "bool": bool}[ftype.split(" ")[0]]
    m = f.metadata
    prior = m["prior"] if prior is _MISSING else prior
    if prior is not None and default is not None:
        prior = prior.around(default)
    inherits = m["inherits"]
    if inherits is not None and item is not None:
        inherits = inherits.format(id=item)
    spec = ParamSpec(
        key,
        default,
        m["unit"],
        m["lo"],
        m["hi"],
        m["provenance"],
        m["help"],
        kind,
        optional="None" in ftype,
        role="lever" if key.startswith("policy.") else "structural",
        prior=prior,
        inherits=inherits,
    )
    check_prior(spec)
    return spec


def _walk(
    cls: type, instance: Any, prefix: str, item: str | None = None, priors: Any = None
) -> Iterator[ParamSpec]:
    for f in dataclasses.fields(cls):
        key = f"{prefix}.{f.name}"
        if "family" in f.metadata:
            table = getattr(instance, f.name)
            for item_id in f.metadata["family"]():
                row_priors = f.metadata["priors"].get(item_id, {})
                yield from _walk(
                    f.metadata["member"], table[item_id], f"{key}.{item_id}", item_id, row_priors
                )
        else:
            override = priors.get(f.name, _MISSING) if priors else _MISSING
            yield _field_spec(key, f, getattr(instance, f.name), item, override)


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
    """Policy levers (the ``[policy]`` section): their 2019 value during the burn-in."""
    return PARAMETERS[key].role == "lever"


LEVERS: tuple[str, ...] = tuple(k for k in PARAMETERS if is_lever(k))
PRIORS: dict[str, Any] = {k: s.prior for k, s in PARAMETERS.items() if s.prior is not None}


def baseline_levers(scenario: IronRiverScenario) -> IronRiverScenario:
    """The same scenario with every policy lever at its 2019 value (the burn-in world)."""
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


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return repr(value)
