"""iron river: an agent-based model of US guns trafficked south and migration north.

The core follows the causal chain, one subpackage per link — :mod:`.guns` (trafficker cells,
border units, arsenals, tracing), :mod:`.violence` (armed groups and the violence they
produce), :mod:`.migration` (households, exposure, the decision, the journey, arrivals) — on
the map of :mod:`.world`, with the weekly schedule in :mod:`.model` and every parameter in
:mod:`.scenario`. Around it sit the tools: :mod:`.outputs`, :mod:`.experiments`, :mod:`.sweep`,
:mod:`.view` and the command line, :mod:`.cli`.

>>> from iron_river import IronRiverModel, load_scenario
>>> model = IronRiverModel(load_scenario("scenarios/baseline.toml"), rng=42)  # doctest: +SKIP
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("iron-river")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+unknown"

if TYPE_CHECKING:
    from iron_river.model import IronRiverModel
    from iron_river.scenario import IronRiverScenario, ScenarioError, load_scenario

# exported lazily, so that light modules (a sweep worker, the CLI's --help) do not load Mesa
_EXPORTS = {
    "IronRiverModel": "iron_river.model",
    "IronRiverScenario": "iron_river.scenario",
    "ScenarioError": "iron_river.scenario",
    "load_scenario": "iron_river.scenario",
}

__all__ = ["IronRiverModel", "IronRiverScenario", "ScenarioError", "__version__", "load_scenario"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'iron_river' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
