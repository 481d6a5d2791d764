"""The sweep's one point of contact with the model: iron river's scenario schema and runner.

A sweep reaches a model only through a *binding module* with these names, so the sweep
machinery can be tested against a tiny fake model and could drive another model too
(``iron-river sweep SPEC --binding my.module``):

- ``PARAMETERS``: mapping dotted key -> spec with ``.default``, ``.lo``, ``.hi``, ``.unit``.
- ``ScenarioError``: the exception raised for invalid scenarios.
- ``load_base(path) -> scenario`` and ``base_values(scenario) -> dict`` (all dotted keys).
- ``apply(scenario, values) -> scenario``: a validated copy with ``values`` overridden.
- ``simulate(scenario, seed: SeedSequence) -> (metrics, weekly)``: ``metrics`` maps name to
  float (yearly averages), ``weekly`` maps name to an array over the measured weeks.
- optionally ``METRICS`` / ``WEEKLY``: the names a run produces, for early validation.

The model's modules are imported lazily so that importing the sweep package stays cheap.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # PARAMETERS, ScenarioError and the optional METRICS/WEEKLY come straight from the model.
    if name in ("PARAMETERS", "ScenarioError"):
        from iron_river import scenario

        return getattr(scenario, name)
    if name in ("METRICS", "WEEKLY"):
        from iron_river import runner

        if hasattr(runner, name):
            return getattr(runner, name)
    raise AttributeError(name)


def load_base(path: str) -> Any:
    """Load the base scenario file (``ScenarioError`` if invalid)."""
    from iron_river.scenario import load_scenario

    return load_scenario(path)


def base_values(scenario: Any) -> dict[str, Any]:
    """Return all dotted keys of a scenario with their values."""
    return dict(scenario.flat())


def apply(scenario: Any, values: dict[str, Any]) -> Any:
    """Return a validated copy of ``scenario`` with ``values`` overridden (or ScenarioError)."""
    return scenario.with_values(values)


def simulate(scenario: Any, seed: Any) -> tuple[dict[str, float], dict[str, Any]]:
    """Run the model once; return its summary metrics and weekly series."""
    from iron_river.runner import simulate as run_model

    run = run_model(scenario, seed)
    return run.metrics, run.weekly
