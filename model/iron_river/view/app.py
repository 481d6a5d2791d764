"""The browser view: watch the iron river flow and pull the levers live (Mesa's SolaraViz).

Run it with ``iron-river view [SCENARIO]``, or ``solara run iron_river.view.app``, or show
``page`` in a Jupyter notebook. The sidebar holds Step / Play / Reset, the scenario picker (every
file in ``scenarios/``), the seed, the scale and sliders for the main policy levers; the page
holds the map, a plain-words panel and the live charts (see `iron_river.view.panels`).

Environment:
    IRON_RIVER_VIEW_SCENARIO: the scenario file to start with (a path, or a name in
        ``scenarios/``); ``iron-river view SCENARIO`` sets it.
    IRON_RIVER_SCENARIOS: the folder of scenario files (default: ``./scenarios`` if it exists,
        else the one next to the installed source tree).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import solara
from mesa.visualization import SolaraViz

from iron_river.model import IronRiverModel
from iron_river.scenario import PARAMETERS, IronRiverScenario, load_scenario
from iron_river.view.panels import Dashboard

BUILT_IN = "(built-in baseline)"
BASELINE = IronRiverScenario()  # the 2019 values the lever sliders start from
DEFAULT_SCALE = 1000.0  # real households per simulated one: fast enough to watch (see README)
SCALES = ("100", "300", "1000", "3000", "10000")
BURN_IN_CHOICES = ("0", "1", "3")
DEFAULT_SEED = "42"
PLAY_INTERVAL_MS = 20  # pause between weeks while playing: ~15 weeks/s here (the slider changes it)
# The levers the sidebar offers, with the slider step (the range comes from the schema).
LEVER_SLIDERS: dict[str, tuple[str, float]] = {
    "policy.us_southbound_interdiction": ("US inspection", 0.001),
    "policy.straw_enforcement": ("Straw purchases", 0.01),
    "policy.mx_customs_interdiction": ("MX customs", 0.001),
    "policy.mx_gt_border_interdiction": ("MX–GT border", 0.001),
    "migration.violence_effect": ("Violence→migr.", 0.1),
}


def scenarios_dir() -> Path:
    """Return the folder whose ``*.toml`` files the scenario picker lists."""
    env = os.environ.get("IRON_RIVER_SCENARIOS")
    if env:
        return Path(env)
    here = Path.cwd() / "scenarios"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "scenarios"


def scenario_choices(extra: str | None = None) -> dict[str, Path | None]:
    """Map picker labels to scenario files (None: the built-in baseline), sorted by name.

    Args:
        extra: a scenario file outside the folder to offer as well (labelled by its path).
    """
    folder = scenarios_dir()
    choices: dict[str, Path | None] = (
        {p.stem: p for p in sorted(folder.glob("*.toml"))} if folder.is_dir() else {}
    )
    choices.setdefault(BUILT_IN, None)
    if extra and Path(extra).is_file() and _label_of(choices, Path(extra)) is None:
        choices[extra] = Path(extra)
    return choices


def _label_of(choices: dict[str, Path | None], path: Path) -> str | None:
    for label, p in choices.items():
        if p is not None and p.resolve() == path.resolve():
            return label
    return None


def initial_choice(choices: dict[str, Path | None], wanted: str | None) -> str:
    """Return the label to start with: ``wanted`` (a label, name or path), else the baseline.

    Raises:
        ValueError: ``wanted`` names no scenario in ``choices``.
    """
    if wanted:
        if wanted in choices:
            return wanted
        label = _label_of(choices, Path(wanted)) if Path(wanted).is_file() else None
        if label is None:
            raise ValueError(f"no scenario {wanted!r} in {scenarios_dir()}")
        return label
    return "baseline" if "baseline" in choices else BUILT_IN


def _seed(value: Any) -> int | None:
    """Parse the seed box: an integer, or None (random) when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValueError(f"seed must be a whole number or blank, got {value!r}") from None


class ViewModel(IronRiverModel):
    """The model as the view builds it: a scenario file picked by name, plus the sidebar's values.

    SolaraViz's Reset calls this class with the sidebar's values as keyword arguments (and a
    fresh default ``scenario``, which is ignored: the scenario comes from ``scenario_file``).

    Args:
        scenario: ignored (see above).
        rng: the seed (text from the seed box is accepted; blank = random).
        scenario_file: a label of `scenario_choices`, a scenario name or a path.
        scale: real households per simulated household.
        burn_in_years: years run with baseline levers before the scenario's take effect.
        **levers: lever values by dotted key (``__`` for dots). A value equal to the schema
            default is treated as "slider not moved" and keeps the scenario file's value.
    """

    def __init__(
        self,
        scenario: Any = None,
        *,
        rng: Any = DEFAULT_SEED,
        scenario_file: str | None = None,
        scale: float | str = DEFAULT_SCALE,
        burn_in_years: int | str = 0,
        **levers: Any,
    ):
        del scenario
        choices = scenario_choices(scenario_file)
        label = initial_choice(choices, scenario_file)
        seed = _seed(rng)
        base = load_scenario(choices[label], rng=seed)
        overrides: dict[str, Any] = {"scale": float(scale), "burn_in_years": int(burn_in_years)}
        moved = set()
        for raw_key, value in levers.items():
            key = raw_key.replace("__", ".")
            default = float(BASELINE.value(key))
            if value is not None and not math.isclose(
                float(value), default, rel_tol=1e-9, abs_tol=1e-12
            ):
                overrides[key] = value
                moved.add(key)
        super().__init__(base, rng=seed, **overrides)
        self.scenario_label = label
        self.levers_from_sliders = frozenset(moved)


def slider_step(default: float, step: float) -> float:
    """Return ``step``, divided by 10 until ``default`` lies on the slider's grid.

    The browser's slider snaps its value to the grid and reports the snapped value, which would
    otherwise look like a user's change of the lever.
    """
    for _ in range(8):
        ratio = default / step
        if math.isclose(ratio, round(ratio), rel_tol=0.0, abs_tol=1e-6):
            return step
        step /= 10
    return step


def model_params(initial: str) -> dict[str, Any]:
    """Return the sidebar's inputs in SolaraViz's format (ranges and defaults from the schema)."""
    choices = scenario_choices(initial)
    params: dict[str, Any] = {
        "scenario_file": {
            "type": "Select",
            "value": initial_choice(choices, initial),
            "values": list(choices),
            "label": "Scenario",
        },
        "rng": {"type": "InputText", "value": DEFAULT_SEED, "label": "Seed (blank = random)"},
        "scale": {
            "type": "Select",
            "value": f"{DEFAULT_SCALE:.0f}",
            "values": list(SCALES),
            "label": "Scale (real households per simulated)",
        },
        "burn_in_years": {
            "type": "Select",
            "value": "0",
            "values": list(BURN_IN_CHOICES),
            "label": "Burn-in years (baseline levers first)",
        },
    }
    for key, (label, step) in LEVER_SLIDERS.items():
        spec = PARAMETERS[key]
        params[key.replace(".", "__")] = {
            "type": "SliderFloat",
            "label": label,
            "value": BASELINE.value(key),
            "min": spec.lo,
            "max": spec.hi,
            "step": slider_step(float(BASELINE.value(key)), step),
        }
    return params


@solara.component
def Page(scenario: str | None = None):  # noqa: N802 (a Solara component)
    """Show the whole page: Mesa's SolaraViz (sidebar, controls) and the dashboard of panels.

    Each browser session gets its own model, so two people looking at the same server do not
    step each other's run. SolaraViz's Reset replaces ``model.value``; the dashboard follows.

    Args:
        scenario: the scenario to start with (a path or a name in ``scenarios/``); by default
            ``$IRON_RIVER_VIEW_SCENARIO``, else the baseline.
    """
    wanted = scenario or os.environ.get("IRON_RIVER_VIEW_SCENARIO") or ""
    params = solara.use_memo(lambda: model_params(wanted), [wanted])
    first = solara.use_memo(
        lambda: ViewModel(rng=DEFAULT_SEED, scenario_file=params["scenario_file"]["value"]),
        [wanted],
    )
    model = solara.use_reactive(first)
    SolaraViz(
        model,
        components=[],
        model_params=params,
        play_interval=PLAY_INTERVAL_MS,
        name="iron river: guns south, people north",
    )
    Dashboard(model.value)


def make_page(scenario: str | None = None):
    """Return the page element, starting from ``scenario`` (a path or a name in ``scenarios/``)."""
    return Page(scenario)


page = Page()
