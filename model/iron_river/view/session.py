"""What one browser tab runs, without Solara: its settings, checked, and the simulation.

:class:`Settings` is the sidebar's form: text and slider values as the user left them.
:meth:`Settings.problems` says, field by field, what cannot be used (the page shows it under the
field and refuses to Reset until it is fixed); :meth:`Settings.scenario` builds the scenario.

:class:`Simulation` is the running model and its *twin*: the same scenario with every policy
lever at its 2019 value, on the same seed. Both run the scenario's burn-in (baseline levers,
so they are identical until it ends) and then step together, so every chart can draw "what the
same world would do without the policy" beside the run, as the CLI's paired comparisons do.
"""

from __future__ import annotations

import csv
import io
import math
import os
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from iron_river.model import IronRiverModel
from iron_river.scenario import (
    PARAMETERS,
    IronRiverScenario,
    ScenarioError,
    baseline_levers,
    load_scenario,
)
from iron_river.view.levers import LEVERS

BUILT_IN = "(built-in baseline)"
SCALES = ("100", "300", "1000", "3000", "10000")
DEFAULT_SCALE = "1000"  # one simulated household per 1,000: ~6 ms a week (README, Browser view)
SMOOTH_WEEKS = 4  # flows and weekly counts drawn as 4-week means (weekly migration is lumpy)


class SettingsError(ValueError):
    """Settings that cannot be used; ``str()`` is the message shown on the page."""


# ---------------------------------------------------------------------------- scenario files


def scenarios_dir() -> Path:
    """Return the folder whose ``*.toml`` files the scenario picker lists."""
    env = os.environ.get("IRON_RIVER_SCENARIOS")
    if env:
        return Path(env)
    here = Path.cwd() / "scenarios"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[3] / "scenarios"


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


def parse_seed(text: Any) -> int | None:
    """The seed box: a whole number ≥ 0, or blank for a random seed.

    Raises:
        SettingsError: anything else, saying what is allowed.
    """
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        seed = int(str(text).strip())
    except ValueError:
        seed = -1
    if seed < 0:
        raise SettingsError(
            f"Seed {str(text).strip()!r} is not a whole number ≥ 0; "
            "type one (e.g. 42) or leave it blank for a random seed"
        )
    return seed


# ---------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Settings:
    """The sidebar's values, as the user left them (text where the user types).

    Attributes:
        scenario: a label of :func:`scenario_choices`.
        seed: the seed box's text.
        scale: real households per simulated one (one of :data:`SCALES`).
        levers: value of each lever of :data:`iron_river.view.levers.LEVERS` by key.
        extra: a scenario file outside the folder (``iron-river view PATH``).
    """

    scenario: str
    seed: str = "42"
    scale: str = DEFAULT_SCALE
    levers: dict[str, float] = field(default_factory=dict)
    extra: str | None = None

    @classmethod
    def for_scenario(cls, label: str, extra: str | None = None, **kw: Any) -> Settings:
        """Settings with the sliders at the scenario file's own lever values."""
        return cls(label, levers=file_levers(label, extra), extra=extra, **kw)

    def with_scenario(self, label: str) -> Settings:
        """The same settings with another scenario, sliders moved to its values."""
        return replace(self, scenario=label, levers=file_levers(label, self.extra))

    def problems(self) -> dict[str, str]:
        """What cannot be used, by field (``seed``, ``scenario``, ``scale``, a lever key)."""
        out: dict[str, str] = {}
        try:
            parse_seed(self.seed)
        except SettingsError as exc:
            out["seed"] = str(exc)
        if self.scale not in SCALES:
            out["scale"] = f"Scale {self.scale!r}: choose one of {', '.join(SCALES)}"
        try:
            self.file_scenario()
        except (ScenarioError, ValueError) as exc:
            out["scenario"] = f"Scenario {self.scenario!r} cannot be opened: {exc}"
        for key, value in self.levers.items():
            spec = PARAMETERS[key]
            if not (isinstance(value, int | float) and math.isfinite(value)) or not (
                spec.lo <= value <= spec.hi
            ):
                out[key] = f"{key}: {value!r} is outside {spec.describe_range()}"
        return out

    def file_scenario(self) -> IronRiverScenario:
        """The scenario file as written (no slider applied)."""
        choices = scenario_choices(self.extra)
        label = initial_choice(choices, self.scenario)
        return load_scenario(choices[label])

    def scenario_with_levers(self) -> IronRiverScenario:
        """The scenario the run uses: the file, the sliders and the view's scale.

        Raises:
            SettingsError: with every problem of :meth:`problems`, one per line.
        """
        problems = self.problems()
        if problems:
            raise SettingsError("\n".join(problems.values()))
        return self.file_scenario().with_values(
            {**self.levers, "scale": float(self.scale)}, origin="the view's sliders"
        )

    def moved(self) -> frozenset[str]:
        """Levers set to something other than the scenario file's value."""
        try:
            file = self.file_scenario()
        except (ScenarioError, ValueError):
            return frozenset()
        return frozenset(
            k
            for k, v in self.levers.items()
            if not math.isclose(v, float(file.value(k)), rel_tol=1e-6)
        )


def file_levers(label: str, extra: str | None = None) -> dict[str, float]:
    """The lever values a scenario file sets (or inherits), for the sliders."""
    try:
        scenario = Settings(label, extra=extra).file_scenario()
    except (ScenarioError, ValueError):
        return {lever.key: lever.default for lever in LEVERS}
    return {lever.key: float(scenario.value(lever.key)) for lever in LEVERS}


# ---------------------------------------------------------------------------- the simulation


class ViewModel(IronRiverModel):
    """The model as the view runs it: keeps the last weeks' flows for smoothed drawing."""

    def __init__(self, scenario: IronRiverScenario, *, rng: Any = None, label: str = ""):
        super().__init__(scenario, rng=rng)
        self.scenario_label = label or scenario.name
        self.recent_gun_flows: deque[list] = deque(maxlen=SMOOTH_WEEKS)
        self.recent_migrant_flows: deque[list] = deque(maxlen=SMOOTH_WEEKS)

    def step(self) -> None:
        """One week, and remember its flows."""
        super().step()
        self.recent_gun_flows.append(list(self.gun_flows))
        self.recent_migrant_flows.append(list(self.migrant_flows))

    def smoothed_flows(self, which: str) -> list[tuple[str, str, float]]:
        """(from, to, mean per week over the last weeks) of ``gun`` or ``migrant`` flows."""
        weeks = self.recent_gun_flows if which == "gun" else self.recent_migrant_flows
        total: dict[tuple[str, str], float] = {}
        for flows in weeks:
            for a, b, amount in flows:
                total[a, b] = total.get((a, b), 0.0) + float(amount)
        n = max(len(weeks), 1)
        return [(a, b, v / n) for (a, b), v in total.items()]


class Simulation:
    """A run and its baseline-levers twin on the same seed (None if the run is the baseline).

    Args:
        settings: the sidebar's values (checked: raises :class:`SettingsError`).
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self.scenario = settings.scenario_with_levers()
        self.seed = parse_seed(settings.seed)
        if self.seed is None:
            self.seed = int(np.random.SeedSequence().entropy % 2**32)  # shown, so reproducible
        self.moved = settings.moved()
        self.model = ViewModel(self.scenario, rng=self.seed, label=settings.scenario)
        twin = baseline_levers(self.scenario)
        same = twin.flat() == self.scenario.flat()
        self.twin = None if same else IronRiverModel(twin, rng=self.seed)
        self.twin_ready = True  # the twin steps with the run (see burn_in and catch_up_twin)
        self._lock = threading.RLock()

    @property
    def baseline(self) -> IronRiverModel | None:
        """The twin once it has caught up with the run (None before, or for the baseline)."""
        return self.twin if self.twin_ready else None

    @property
    def burn_in_weeks(self) -> int:
        """Weeks before the scenario's levers take effect."""
        return self.model.burn_in_weeks

    @property
    def week(self) -> int:
        """Weeks completed."""
        return self.model.week

    @property
    def running(self) -> bool:
        """Whether the run has weeks left."""
        return bool(self.model.running)

    def burn_in(
        self,
        progress: Callable[[int, int], None] | None = None,
        stop: Callable[[], bool] | None = None,
        with_twin: bool = True,
    ) -> bool:
        """Run the burn-in; report progress every quarter; False if stopped.

        Args:
            progress: called with (weeks done, weeks of burn-in).
            stop: asked between quarters; True stops the burn-in.
            with_twin: step the twin too; else it catches up later (:meth:`catch_up_twin`),
                which halves what a user waits for before the page shows the run.
        """
        if not with_twin and self.twin is not None:
            self.twin_ready = False
        total = self.burn_in_weeks
        while self.week < total:
            if stop is not None and stop():
                return False
            self.step(min(13, total - self.week))
            if progress is not None:
                progress(self.week, total)
        return True

    def catch_up_twin(self, stop: Callable[[], bool] | None = None) -> bool:
        """Step the twin up to the run's week (while the run may go on); False if stopped."""
        if self.twin is None:
            return True
        while True:
            with self._lock:
                if self.twin.week >= self.model.week:
                    self.twin_ready = True
                    return True
                self.twin.step()
            if stop is not None and stop():
                return False

    def step(self, weeks: int = 1) -> int:
        """Advance up to ``weeks`` weeks (fewer at the end of the run); return weeks done."""
        done = 0
        while done < weeks and self.model.running:
            with self._lock:
                self.model.step()
                if self.twin is not None and self.twin_ready:
                    self.twin.step()
            done += 1
        return done

    def csv(self) -> str:
        """The run's weekly series so far, burn-in included, as CSV.

        The columns are those of ``timeseries.csv`` in a results folder (see its
        ``DATA_DICTIONARY.md``), after a few ``#`` lines saying what was run.
        """
        series = self.model.ledger.series(measured_only=False)
        keys = [k for k in series if k != "measured"]
        buf = io.StringIO()
        buf.write(f"# iron river view: scenario {self.scenario.name}, seed {self.seed}, ")
        buf.write(f"one simulated household per {self.scenario.scale:g}, ")
        buf.write(f"burn-in {self.scenario.burn_in_years} years (weeks 1-{self.burn_in_weeks})\n")
        if self.moved:
            sc = self.scenario
            buf.write("# sliders: " + ", ".join(f"{k}={sc.value(k):g}" for k in sorted(self.moved)))
            buf.write("\n")
        buf.write("# columns as in timeseries.csv; see DATA_DICTIONARY.md of any results folder\n")
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(keys)
        for i in range(len(series.get("week", []))):
            w.writerow([_fmt(series[k][i]) for k in keys])
        return buf.getvalue()

    def csv_name(self) -> str:
        """A file name for :meth:`csv` that says what it holds."""
        return f"iron-river-{self.scenario.name}-seed{self.seed}-week{self.week}.csv"


def _fmt(v: float) -> str:
    f = float(v)
    return str(int(f)) if f.is_integer() else f"{f:.6g}"
