"""The parameter schema: every parameter's one home (name, default, unit, range, provenance).

One module per link of the chain declares its sections (:mod:`.guns`, :mod:`.violence`,
:mod:`.migration`); :mod:`.scenario` assembles them into :class:`IronRiverScenario` and the
flat table :data:`PARAMETERS`; :mod:`.files` reads scenario files; :mod:`.schema` holds the
building blocks (a parameter's spec, its checks, :class:`ScenarioError`).
"""

from iron_river.scenario.files import load_scenario
from iron_river.scenario.scenario import (
    LEVERS,
    PARAMETERS,
    SECTIONS,
    TOP_LEVEL,
    IronRiverScenario,
    baseline_levers,
    from_flat,
    is_lever,
)
from iron_river.scenario.schema import INHERIT, ParamSpec, ScenarioError, coerce

__all__ = [
    "INHERIT",
    "LEVERS",
    "PARAMETERS",
    "SECTIONS",
    "TOP_LEVEL",
    "IronRiverScenario",
    "ParamSpec",
    "ScenarioError",
    "baseline_levers",
    "coerce",
    "from_flat",
    "is_lever",
    "load_scenario",
]
