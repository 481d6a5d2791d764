"""The view's panels: value monitors, the map, the charts and the plain-words explanation.

Each panel is drawn from a :class:`~iron_river.view.session.Simulation` (the run and its
baseline-levers twin on the same seed). The drawing itself (`monitors`, `chart_svg`,
`explanation`, and `map_svg` in :mod:`.mapview`) is plain Python returning text or numbers, so
it is tested without Solara or a browser; the Solara components at the end lay it out.

What is drawn is smoothed where a week is lumpy (4-week means of weekly counts, 13 weeks for
homicide rates), the charts start a year before the levers take effect (the burn-in's last
year, shaded), and each chart draws the twin dashed in the same colour: the same world with the
2019 levers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import solara

from iron_river.outputs import style
from iron_river.view.levers import LEVERS
from iron_river.view.mapview import map_svg
from iron_river.view.svg import Series, fmt_number, line_chart

PANEL_STYLE = "width: 100%;"
CONTEXT_WEEKS = 52  # charts show this much of the burn-in before the levers take effect
BASELINE_NOTE = "dashed: the same world with 2019 levers (same seed)"


# ---------------------------------------------------------------------------- weekly columns


def column(model: Any, key: str) -> np.ndarray:
    """A weekly series of the model's ledger, every week so far (burn-in included)."""
    rows = model.ledger.rows
    return np.fromiter((r.get(key, math.nan) for r in rows), dtype=float, count=len(rows))


def window_start(model: Any) -> int:
    """First week (row) the charts draw: a year before the levers take effect."""
    return max(0, int(getattr(model, "burn_in_weeks", 0)) - CONTEXT_WEEKS)


def moving_average(v: np.ndarray, n: int) -> np.ndarray:
    """Trailing ``n``-week mean (over fewer weeks at the start)."""
    if n <= 1 or v.size == 0:
        return v
    c = np.cumsum(np.insert(np.nan_to_num(v), 0, 0.0))
    k = np.arange(1, v.size + 1)
    lo = np.maximum(k - n, 0)
    return (c[k] - c[lo]) / (k - lo)


# ---------------------------------------------------------------------------- charts


@dataclass(frozen=True)
class ChartSpec:
    """One live chart: which weekly series it draws and how.

    Attributes:
        ident: short name (also the chart's ``data-chart`` attribute in the page).
        title: shown above the chart.
        columns: (ledger series, legend label, colour) triples.
        y_label: unit of the y axis.
        smooth_weeks: draw a trailing mean over this many weeks (1: raw).
        log_y: a logarithmic y axis (for counts spanning decades, e.g. seizures).
        cumulative: draw the running total since the levers took effect.
        y_max: fixed top of the y axis (None: from the data).
        baseline: also draw the baseline-levers twin, dashed.
    """

    ident: str
    title: str
    columns: tuple[tuple[str, str, str], ...]
    y_label: str
    smooth_weeks: int = 4
    log_y: bool = False
    cumulative: bool = False
    y_max: float | None = None
    baseline: bool = True


def _series(key: str) -> tuple[str, str, str]:
    return key, style.label(key), style.colour(key)


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec(
        "guns",
        "Guns moving south (per week, 4-week mean)",
        (_series("guns_bought"), _series("guns_delivered")),
        "guns per week",
    ),
    ChartSpec(
        "seizures",
        "Guns seized (per week, 4-week mean, log scale)",
        (
            ("guns_seized_us", "US southbound", style.colour("guns_seized_us")),
            ("guns_seized_mx", "Mexican customs", style.colour("guns_seized_mx")),
            ("guns_seized_gt_border", "Mexico–Guatemala", style.colour("guns_seized_gt_border")),
        ),
        "guns per week",
        log_y=True,
    ),
    ChartSpec(
        "homicide",
        "Homicide rate by country (13-week mean)",
        tuple(
            (f"homicide_rate_{c}", name, style.COUNTRY_COLOURS[c])
            for c, name in style.COUNTRY_NAMES.items()
        ),
        "per 100k people a year",
        smooth_weeks=13,
    ),
    ChartSpec(
        "migration",
        "Migrants (per week, 4-week mean)",
        (_series("departures"), _series("arrivals")),
        "persons per week",
    ),
    ChartSpec(
        "arrivals_total",
        "Arrivals at the US border since the levers took effect",
        (_series("arrivals"),),
        "persons",
        smooth_weeks=1,
        cumulative=True,
    ),
    ChartSpec(
        "exposed",
        "Households hit by violence (per week, 4-week mean)",
        (_series("households_exposed"),),
        "households per week",
    ),
    ChartSpec(
        "us_share",
        "US-sourced share of guns traced in Mexico (13-week mean)",
        (_series("us_sourced_share_seized_mx"),),
        "share",
        smooth_weeks=13,
        y_max=1.0,
    ),
)


def years_axis(model: Any, rows: int, start: int = 0) -> np.ndarray:
    """Years of rows ``start..rows`` of the ledger, 0 where the scenario's levers take effect."""
    weeks = column(model, "week")[start:rows]
    return (weeks - float(getattr(model, "burn_in_weeks", 0))) / 52.0


def _prepare(model: Any, spec: ChartSpec, key: str, start: int, rows: int) -> np.ndarray:
    v = column(model, key)[:rows]
    if spec.cumulative:
        burn = int(getattr(model, "burn_in_weeks", 0))
        after = np.where(np.arange(v.size) >= burn, np.nan_to_num(v), 0.0)
        v = np.where(np.arange(v.size) >= burn - 1, np.cumsum(after), np.nan)
    else:
        v = moving_average(v, spec.smooth_weeks)
    return v[start:]


def chart_svg(model: Any, spec: ChartSpec, twin: Any = None) -> str:
    """Draw one live chart as SVG.

    Args:
        model: the run (an ``IronRiverModel``; reads its ledger).
        spec: what to draw.
        twin: the baseline-levers twin, drawn dashed (None: not drawn).

    Returns:
        The ``<svg>`` text (an empty chart before the first week).
    """
    rows = len(model.ledger.rows)
    start = window_start(model)
    x = years_axis(model, rows, start)
    series = []
    if twin is not None and spec.baseline:
        for key, label, colour in spec.columns:
            v = _prepare(twin, spec, key, start, min(rows, len(twin.ledger.rows)))
            series.append(Series(f"{label} (2019 levers)", v, colour, dashed=True, in_legend=False))
    for key, label, colour in spec.columns:
        series.append(Series(label, _prepare(model, spec, key, start, rows), colour))
    burn = float(getattr(model, "burn_in_weeks", 0))
    return line_chart(
        spec.title,
        x,
        series,
        y_label=spec.y_label,
        y_max=spec.y_max,
        x_label="years (0 = the scenario's levers take effect)",
        ident=spec.ident,
        log_y=spec.log_y,
        note=BASELINE_NOTE if twin is not None and spec.baseline else "",
        shade_before=0.0 if burn > 0 else None,
        shade_label="burn-in, 2019 levers",
    )


# ---------------------------------------------------------------------------- monitors


@dataclass(frozen=True)
class Monitor:
    """A value monitor: one number, its unit, the window it covers, and against the twin."""

    ident: str
    label: str
    value: str
    unit: str
    against_baseline: str


def _window(model: Any, longest: int) -> int:
    """Weeks a monitor sums: up to ``longest``, but not back into the burn-in once past it."""
    week, burn = model.week, int(getattr(model, "burn_in_weeks", 0))
    since = week - burn
    if since >= 4:
        return min(longest, since)
    return min(longest, max(week, 1))


def _rate(model: Any, key: str, weeks: int, yearly: bool) -> float:
    v = column(model, key)[-weeks:]
    if v.size == 0:
        return math.nan
    return float(v.mean() * 52 if yearly else v.mean())


MONITORS: tuple[tuple[str, str, str, str, bool, int], ...] = (
    # ident, label, ledger series, unit, per year (× 52), longest window in weeks
    ("arrivals", "Arrivals at the US border", "arrivals", "a year", True, 52),
    ("hom_mx", "Homicides, Mexico", "homicide_rate_MX", "per 100k a year", False, 13),
    ("hom_hn", "Homicides, Honduras", "homicide_rate_HN", "per 100k a year", False, 13),
    ("delivered", "Guns delivered", "guns_delivered", "a year", True, 52),
    ("seized_us", "Guns seized, US side", "guns_seized_us", "a year", True, 52),
    ("cells", "Trafficker cells", "cells", "active", False, 1),
)


def monitors(model: Any, twin: Any = None, comparing: bool = False) -> list[Monitor]:
    """The numbers at the top of the page, each over its window, with the twin's difference.

    Args:
        model: the run.
        twin: the same world with 2019 levers (None: the run has them, or ``comparing``).
        comparing: the twin is still catching up with the run.
    """
    out = []
    for ident, label, key, unit, yearly, longest in MONITORS:
        if model.week == 0:
            out.append(Monitor(ident, label, "–", unit, ""))
            continue
        weeks = _window(model, longest)
        value = _rate(model, key, weeks, yearly)
        if ident == "cells":
            text = f"{value:.0f}"
        else:
            text = f"{value:.1f}" if abs(value) < 100 else fmt_number(value)
        window = "this week" if weeks == 1 else f"last {weeks} weeks"
        if comparing:
            against = f"{window}; comparing with 2019 levers…"
        elif twin is None:
            against = f"{window}; this run has the 2019 levers"
        else:
            base = _rate(twin, key, weeks, yearly)
            if base and math.isfinite(base):
                against = f"{window}; {100 * (value / base - 1):+.1f}% vs 2019 levers"
            else:
                against = f"{window}; 2019 levers: {fmt_number(base)}"
        out.append(Monitor(ident, label, text, unit, against))
    return out


# ---------------------------------------------------------------------------- words


def levers_text(sim: Any, only_moved: bool = False) -> str:
    """The levers in force, marking those set with a slider (or only those)."""
    parts = []
    for lever in LEVERS:
        if only_moved and lever.key not in sim.moved:
            continue
        mark = " (*slider*)" if lever.key in sim.moved and not only_moved else ""
        value = float(sim.scenario.value(lever.key))
        parts.append(f"{lever.label}: {lever.describe(value)}{mark}")
    return "; ".join(parts)


def parameters_text(source: dict) -> str:
    """Where this run's uncertain parameters came from, in one sentence."""
    mode = source.get("parameters", "defaults")
    if mode == "posterior":
        return (
            f"Parameters: posterior particle {source['particle']} of the "
            f"{source['source']}, the one this seed draws (another seed, another plausible "
            "world); the 2019-levers comparison runs the same particle."
        )
    if mode == "point":
        return f"Parameters: the posterior's medians ({source['source']})."
    return f"Parameters: the schema defaults ({source.get('source', '')})."


def explanation(sim: Any) -> str:
    """The plain-words panel: the scenario, where the run is, this week's news."""
    model, sc = sim.model, sim.scenario
    burn = int(model.burn_in_weeks)
    if model.week < burn:
        phase = f"burn-in with 2019 levers until week {burn}"
    else:
        phase = "the scenario's levers in effect"
    if not model.running:
        phase += "; the run is over, press Reset"
    lines = [
        f"**{sc.name}** — {sc.description or 'no description in the scenario file'}",
    ]
    if sim.twin is not None and sim.baseline is None:
        lines.append(
            f"*Computing the same world with 2019 levers for comparison: week "
            f"{sim.twin.week} of {model.week}…*"
        )
    lines += [
        f"**Week {model.week}** (year {model.year:+.2f}; {phase}). Seed {sim.seed}; one "
        f"simulated household stands for {fmt_number(sc.scale)} real ones.",
        parameters_text(model.parameter_source),
    ]
    if model.week:
        last = model.ledger.rows[-1]
        lines.append(
            f"This week: {fmt_number(last['guns_bought'])} guns bought in the US, "
            f"{fmt_number(last['guns_seized_us'] + last['guns_seized_mx'])} seized at the "
            f"border crossings, {fmt_number(last['guns_delivered'])} delivered to armed groups; "
            f"{fmt_number(last['departures'])} people left home and "
            f"{fmt_number(last['arrivals'])} arrived at the US border."
        )
    if sim.moved:
        lines.append(f"**Set with sliders**: {levers_text(sim, only_moved=True)}.")
    return "\n\n".join(lines)


# ---------------------------------------------------------------------------- components


def MapPanel(sim: Any) -> None:  # noqa: N802 (drawn inside a Solara component)
    """Show the map."""
    solara.HTML(
        tag="div",
        unsafe_innerHTML=map_svg(sim.model),
        style=PANEL_STYLE,
        classes=["iron-river-panel", "iron-river-map"],
    )


def make_chart_panel(spec: ChartSpec):
    """Return a panel function drawing the chart ``spec``."""

    def ChartPanel(sim: Any) -> None:  # noqa: N802
        solara.HTML(
            tag="div",
            unsafe_innerHTML=chart_svg(sim.model, spec, sim.baseline),
            style=PANEL_STYLE,
            classes=["iron-river-panel", "iron-river-chart"],
        )

    ChartPanel.__name__ = f"Chart_{spec.ident}"
    return ChartPanel


def ExplanationPanel(sim: Any) -> None:  # noqa: N802
    """Show the plain-words panel."""
    with solara.Column(classes=["iron-river-explanation"], style="padding: 4px 8px;"):
        solara.Markdown(explanation(sim))


def MonitorsPanel(sim: Any) -> None:  # noqa: N802
    """Show the value monitors in a row."""
    with solara.Row(
        classes=["iron-river-monitors"], style="flex-wrap: wrap; gap: 6px; margin-bottom: 8px;"
    ):
        comparing = sim.twin is not None and sim.baseline is None
        for m in monitors(sim.model, sim.baseline, comparing):
            with solara.Card(
                margin=0,
                elevation=1,
                classes=["iron-river-monitor", f"monitor-{m.ident}"],
                style="flex: 1 1 140px; min-width: 140px; padding: 6px 10px;",
            ):
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=(
                        f"<div style='font-size:12px;color:#555'>{m.label}</div>"
                        f"<div style='font-size:19px;font-weight:500' data-monitor='{m.ident}'>"
                        f"{m.value} <span style='font-size:11px;color:#555'>{m.unit}</span></div>"
                        f"<div style='font-size:11px;color:#777;line-height:1.2'>"
                        f"{m.against_baseline}</div>"
                    ),
                )


CHART_PANELS = tuple(make_chart_panel(spec) for spec in CHARTS)


def panels() -> Sequence[Any]:
    """Return every panel, in page order."""
    return [MonitorsPanel, MapPanel, ExplanationPanel, *CHART_PANELS]


@solara.component
def Dashboard(sim: Any, tick: int = 0):  # noqa: N802
    """Lay the panels out: monitors; the map beside the explanation; the charts, 2-3 a row.

    Args:
        sim: the simulation to draw.
        tick: bumped after every step, so the dashboard redraws.
    """
    del tick
    with solara.Column(style="width: 100%; padding: 0 8px;"):
        MonitorsPanel(sim)
        with solara.ColumnsResponsive(default=12, large=[9, 3]):
            with solara.Card(margin=0, elevation=1):
                MapPanel(sim)
            with solara.Card(margin=0, elevation=1):
                ExplanationPanel(sim)
        with solara.ColumnsResponsive(default=12, medium=6, xlarge=4):
            for chart in CHART_PANELS:
                with solara.Card(margin=0, elevation=1):
                    chart(sim)
