"""The one point of contact between the run machinery and the model: its schema and its runner.

Batches reach a model only through a *binding module* with these names, so sweeps and the
backends can be tested against a tiny fake model and could drive another model too
(``iron-river sweep SPEC --binding my.module``):

- ``PARAMETERS``: mapping dotted key -> spec with ``.default``, ``.lo``, ``.hi``, ``.unit``.
- ``ScenarioError``: the exception raised for invalid scenarios.
- ``load_base(path) -> scenario`` and ``base_values(scenario) -> dict`` (all dotted keys).
- ``apply(scenario, values) -> scenario``: a validated copy with ``values`` overridden.
- ``simulate(scenario, seed: SeedSequence) -> (metrics, weekly)``: ``metrics`` maps name to
  float (yearly averages), ``weekly`` maps name to an array over the measured weeks.
- optionally ``METRICS`` / ``WEEKLY``: the names a run produces, for early validation.
- optionally ``resolve(key, value, folder) -> value``: a value naming a file, made absolute
  against the sweep file's ``folder`` and checked (``ScenarioError`` if unusable).

Workers import this module by name (:func:`iron_river.experiments.worker.run_batch`) when their
first batch arrives.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from iron_river.experiments import runs
from iron_river.scenario import PARAMETERS, ScenarioError, load_scenario
from iron_river.scenario.posterior import at, checked, digest

__all__ = [
    "PARAMETERS",
    "ScenarioError",
    "apply",
    "base_values",
    "load_base",
    "resolve",
    "simulate",
]


def __getattr__(name: str) -> Any:
    # METRICS / WEEKLY are computed on first use (a one-week run), not at import
    if name in ("METRICS", "WEEKLY"):
        return getattr(runs, name)
    raise AttributeError(name)


def load_base(path: str) -> Any:
    """Load the base scenario file (``ScenarioError`` if invalid)."""
    return load_scenario(path)


def base_values(scenario: Any) -> dict[str, Any]:
    """Return all dotted keys of a scenario with the values in force (levers resolved).

    A posterior given by path is named with its content's hash, so a sweep resumed after the
    file changed (a fit that went on in place) is a different design, not a mixed one.
    """
    out = {key: scenario.value(key) for key in scenario.flat()}
    if scenario.posterior:
        out["posterior"] = f"{scenario.posterior} ({digest(at(scenario.posterior))})"
    return out


def resolve(key: str, value: Any, folder: Path) -> Any:
    """A value as the model reads it: a ``posterior`` path is relative to the sweep file.

    As a scenario file's is relative to that file; every other value is taken as it is.
    """
    if key != "posterior" or not value:
        return value
    return checked(folder / Path(value).expanduser(), "posterior")


def apply(scenario: Any, values: dict[str, Any]) -> Any:
    """Return a validated copy of ``scenario`` with ``values`` overridden (or ScenarioError)."""
    return scenario.with_values(values)


def simulate(scenario: Any, seed: Any) -> tuple[dict[str, float], dict[str, Any]]:
    """Run the model once; return its summary metrics and weekly series."""
    run = runs.simulate(scenario, seed)
    return run.metrics, run.weekly
