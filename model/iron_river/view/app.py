"""The browser view: watch the iron river flow and pull the levers (Solara, Mesa's update loop).

Run it with ``iron-river view [SCENARIO]``, or ``solara run iron_river.view.app``, or show
``Page("baseline")`` in a Jupyter notebook. The sidebar holds the run controls and the settings
(:mod:`.controls`); the page holds the value monitors, the map, a plain-words panel and the
charts (:mod:`.panels`), each drawing the run and, dashed, the same world with 2019 levers.

The page is built from Solara components rather than Mesa's ``SolaraViz``: SolaraViz's Reset
builds the model in the click handler (a bad seed replaces the page with a traceback), shows its
own controls (play interval in ms, render interval, threads) and cannot run a burn-in with
progress. The play loop follows Mesa's ``ModelController`` (a task that steps and redraws).

On Reset (and when the page opens) the run's burn-in is run first with 2019 levers, as in
``iron-river run``, so the view starts from the same calibrated world: about 3 s at the default
scale (README, Browser view), with a progress bar.

Environment:
    IRON_RIVER_VIEW_SCENARIO: the scenario file to start with (a path, or a name in
        ``scenarios/``); ``iron-river view SCENARIO`` sets it.
    IRON_RIVER_SCENARIOS: the folder of scenario files (default: ``./scenarios`` if it exists,
        else the one next to the installed source tree).
"""

from __future__ import annotations

import os
import time
import traceback
from pathlib import Path

import solara
import solara.lab

from iron_river.view.controls import DEFAULT_SPEED, SPEEDS, RunControls, SettingsForm
from iron_river.view.panels import Dashboard
from iron_river.view.session import (
    BUILT_IN,
    Settings,
    SettingsError,
    Simulation,
    initial_choice,
    scenario_choices,
    scenarios_dir,
)

TITLE = "iron river: guns south, people north"

try:  # the "This website runs on Solara" badge covered the page's text (issue 14)
    from solara.server import settings as _server_settings

    _server_settings.theme.show_banner = False
except ImportError:  # pragma: no cover - solara without a server (e.g. a notebook)
    pass

__all__ = ["BUILT_IN", "Page", "make_page", "page", "scenario_choices", "scenarios_dir"]


def start_settings(wanted: str) -> tuple[Settings, str | None]:
    """The form's first values (the scenario's own levers) and a problem to show, if any."""
    extra = wanted if wanted and Path(wanted).is_file() else None
    choices = scenario_choices(extra)
    try:
        label = initial_choice(choices, wanted or None)
        problem = None
    except ValueError as exc:
        label, problem = initial_choice(choices, None), str(exc)
    return Settings.for_scenario(label, extra=extra), problem


@solara.component
def Page(scenario: str | None = None):  # noqa: N802 (a Solara component)
    """The whole page for one browser session (each tab has its own run).

    Args:
        scenario: the scenario to start with (a path or a name in ``scenarios/``); by default
            ``$IRON_RIVER_VIEW_SCENARIO``, else the baseline.
    """
    wanted = scenario or os.environ.get("IRON_RIVER_VIEW_SCENARIO") or ""
    first, first_problem = solara.use_memo(lambda: start_settings(wanted), [wanted])
    form = solara.use_reactive(first)
    requested = solara.use_reactive(first)
    request = solara.use_reactive(1)  # bumped by Reset; 1 = the run built when the page opens
    sim = solara.use_reactive(None)
    applied = solara.use_reactive(None)
    tick = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(DEFAULT_SPEED)
    progress = solara.use_reactive(None)
    error = solara.use_reactive(first_problem)
    rate = solara.use_reactive(None)

    def build() -> None:
        """Make the requested run and its burn-in (in a thread, with progress)."""
        mine = request.value
        settings = requested.value
        playing.set(False)
        try:
            new = Simulation(settings)
            progress.set((0, new.burn_in_weeks))
            done = new.burn_in(
                progress=lambda d, t: progress.set((d, t)),
                stop=lambda: request.value != mine,
                with_twin=False,  # the page shows the run first; the twin catches up after
            )
        except SettingsError as exc:
            progress.set(None)
            error.set(f"Not reset: {exc}")
            return
        except Exception as exc:  # a bug, not bad input: say so on the page, log the details
            traceback.print_exc()
            progress.set(None)
            error.set(f"The run could not be built ({type(exc).__name__}: {exc}).")
            return
        if not done:
            return
        applied.set(settings)
        error.set(None)
        progress.set(None)
        sim.set(new)  # the page shows the new run with its controls ready
        if new.catch_up_twin(stop=lambda: request.value != mine):
            tick.set(tick.value + 1)  # redraw with the 2019-levers lines and differences

    solara.lab.use_task(build, dependencies=[request.value], prefer_threaded=True)

    def play() -> None:
        """Step and redraw while Play is on (as Mesa's ModelController does)."""
        count, t0 = 0, time.perf_counter()
        while playing.value:
            current = sim.value
            if current is None or not current.running:
                playing.set(False)
                break
            pause, weeks = SPEEDS.get(speed.value, SPEEDS[DEFAULT_SPEED])
            started = time.perf_counter()
            try:
                count += current.step(weeks)  # (the simulation locks its models)
            except Exception as exc:
                traceback.print_exc()
                error.set(f"The run stopped ({type(exc).__name__}: {exc}).")
                playing.set(False)
                break
            tick.set(tick.value + 1)
            elapsed = time.perf_counter() - t0
            if elapsed > 1.0:
                rate.set(count / elapsed)
            time.sleep(max(0.0, pause - (time.perf_counter() - started)))
        rate.set(None)

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)

    def reset() -> None:
        problems = form.value.problems()
        if problems:
            error.set("Not reset: " + " ".join(problems.values()))
            return
        playing.set(False)
        error.set(None)
        requested.set(form.value)
        request.set(request.value + 1)

    def step(weeks: int) -> None:
        current = sim.value
        if current is None:
            return
        try:
            current.step(weeks)
        except Exception as exc:
            traceback.print_exc()
            error.set(f"The run stopped ({type(exc).__name__}: {exc}).")
        tick.set(tick.value + 1)

    current = sim.value
    solara.Title("iron river")
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
    with solara.Sidebar():
        RunControls(
            ready=current is not None,
            playing=playing,
            speed=speed,
            running=current.running if current is not None else False,
            on_reset=reset,
            on_step=step,
            progress=progress.value,
            error=error.value,
            rate=rate.value,
            download=(current.csv, current.csv_name()) if current is not None else None,
        )
        SettingsForm(form, applied.value, form.value.extra)
    if current is None:
        with solara.Column(style="padding: 24px;"):
            solara.Markdown(
                "**Building the calibrated 2019 world** (the scenario's burn-in with 2019 "
                "levers) — the map and charts appear when it is done."
            )
    else:
        Dashboard(current, tick.value)


def make_page(scenario: str | None = None):
    """Return the page element, starting from ``scenario`` (a path or a name in ``scenarios/``)."""
    return Page(scenario)


page = Page()
