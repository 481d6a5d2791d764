"""The sidebar: run controls (Reset, Play, Step, a year at a time, speed) and the settings form.

Every input is checked as it is typed: a problem shows under its field in red, Reset refuses
with an inline message until it is fixed, and the run on screen carries on. Nothing typed into
the page can replace it with a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import solara

from iron_river.view.levers import LEVERS
from iron_river.view.session import SCALES, Settings, scenario_choices

# Play speed: plain label -> (pause between frames in seconds, weeks per frame). What a user
# gets in a browser is measured in README (Browser view); the page shows the live rate.
SPEEDS: dict[str, tuple[float, int]] = {
    "slow: a week every half second": (0.5, 1),
    "normal: week by week": (0.0, 1),
    "fast: a month per frame": (0.0, 4),
    "fastest: a quarter per frame": (0.0, 13),
}
DEFAULT_SPEED = "normal: week by week"
YEAR = 52


@solara.component
def RunControls(  # noqa: N802
    *,
    ready: bool,
    playing: solara.Reactive[bool],
    speed: solara.Reactive[str],
    running: bool,
    on_reset: Callable[[], None],
    on_step: Callable[[int], None],
    progress: tuple[int, int] | None,
    error: str | None,
    rate: float | None,
    download: tuple[Callable[[], str], str] | None,
):
    """Reset, Play/Pause, Step, one year at a time, the speed, progress and the run's CSV."""
    busy = progress is not None
    with solara.Card("Run", margin=0, classes=["iron-river-run"]):
        with solara.Row(justify="space-between"):
            solara.Button("Reset", color="primary", on_click=on_reset, disabled=busy)
            solara.Button(
                "❚❚" if playing.value else "▶",
                color="primary",
                on_click=lambda: playing.set(not playing.value),
                disabled=busy or not ready or not running,
            )
            solara.Button(
                "Step",
                color="primary",
                on_click=lambda: on_step(1),
                disabled=busy or not ready or playing.value or not running,
            )
        solara.Button(
            "Run 1 year",
            on_click=lambda: on_step(YEAR),
            disabled=busy or not ready or playing.value or not running,
            outlined=True,
            style="margin-top: 8px; width: 100%;",
        )
        solara.Select("Play speed", value=speed, values=list(SPEEDS))
        if playing.value and rate:
            solara.Text(f"playing at {rate:.1f} weeks a second", classes=["iron-river-rate"])
        if busy:
            done, total = progress
            solara.ProgressLinear(value=100 * done / max(total, 1), color="primary")
            solara.Text(
                f"Burn-in with 2019 levers: week {done} of {total} (year {done / 52:.0f} of "
                f"{total / 52:.0f}); the scenario's levers take effect after it.",
                classes=["iron-river-progress"],
            )
        if error:
            solara.Error(error, classes=["iron-river-error"])
        if download is not None and not busy:
            data, name = download
            solara.FileDownload(
                data,
                filename=name,
                label="Download data (CSV)",
                mime_type="text/csv",
            )


@solara.component
def SettingsForm(  # noqa: N802
    form: solara.Reactive[Settings], applied: Settings | None, extra: str | None = None
):
    """The scenario, the seed, the scale and the lever sliders (applied on Reset)."""
    settings = form.value
    problems = settings.problems()
    choices = list(scenario_choices(extra))
    try:
        file_values = settings.file_scenario()
    except Exception:  # shown through problems["scenario"]
        file_values = None
    with solara.Card("Scenario and settings", margin=0, classes=["iron-river-settings"]):
        solara.Select(
            "Scenario",
            value=settings.scenario,
            values=choices,
            on_value=lambda label: form.set(form.value.with_scenario(label)),
        )
        if "scenario" in problems:
            solara.Error(problems["scenario"], classes=["iron-river-field-error"])
        elif file_values is not None:
            solara.Text(
                file_values.description or "(no description in the file)",
                classes=["iron-river-description"],
                style="font-size: 13px; color: #444;",
            )
        solara.InputText(
            "Seed (whole number; blank = random)",
            value=settings.seed,
            on_value=lambda text: form.set(replace(form.value, seed=text or "")),
            continuous_update=True,
            error=problems.get("seed", False),
            message=problems.get("seed"),
            classes=["iron-river-seed"],
        )
        solara.Select(
            "Scale (real households per simulated one)",
            value=settings.scale,
            values=list(SCALES),
            on_value=lambda v: form.set(replace(form.value, scale=v)),
        )
        for lever in LEVERS:
            LeverSlider(form, lever, file_values.value(lever.key) if file_values else None)
        if applied is not None and settings != applied:
            solara.Info("Changed settings apply when you press Reset.", dense=True)


@solara.component
def LeverSlider(form: solara.Reactive[Settings], lever: Any, file_value: float | None):  # noqa: N802
    """One lever: the slider (logarithmic where the lever spans decades), its value in words."""
    value = form.value.levers.get(lever.key, lever.default)

    def set_position(position: float) -> None:
        current = form.value.levers.get(lever.key, lever.default)
        if abs(position - lever.position(current)) < lever.slider_step / 2:
            return  # the slider snapping the shown value to its grid, not a user's move
        levers = {**form.value.levers, lever.key: lever.value(position)}
        form.set(replace(form.value, levers=levers))

    solara.Text(
        f"{lever.label}: {lever.describe(value)}",
        classes=["iron-river-lever-value"],
        style="font-size: 14px; display: block; margin-top: 6px;",
    )
    solara.SliderFloat(
        "",
        value=lever.position(value),
        min=lever.slider_min,
        max=lever.slider_max,
        step=lever.slider_step,
        on_value=set_position,
        thumb_label=False,
    )
    hint = f"2019: {lever.describe(lever.default)}"
    if lever.fitted:
        hint = f"2019 (schema; each particle has its own): {lever.describe(lever.default)}"
    if file_value is not None and abs(file_value - lever.default) > 1e-12:
        hint = f"scenario file: {lever.describe(file_value)} · " + hint
    if lever.log:
        hint += " · log scale"
    solara.Text(
        hint,
        classes=["iron-river-lever-hint"],
        style="font-size: 11px; color: #777; display: block; margin: -8px 0 8px 0;",
    )
