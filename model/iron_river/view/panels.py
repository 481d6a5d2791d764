"""The view's panels: the map, the live charts and the plain-words explanation.

Each panel is a function of the model drawn inside `Dashboard`, the component that lays them out
and is redrawn after every step. The drawing itself (`map_svg`, `chart_svg`, `explanation`) is
plain Python returning text, so it can be tested without Solara or a browser.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import solara
from mesa.visualization.utils import update_counter

from iron_river.view.mapview import map_svg
from iron_river.view.svg import Series, fmt_number, line_chart

# The SVG inside a panel takes the panel's width and keeps its aspect ratio.
PANEL_STYLE = "width: 100%;"


@dataclass(frozen=True)
class ChartSpec:
    """One live chart: which DataCollector columns it draws and how.

    Attributes:
        ident: short name (also the chart's ``data-chart`` attribute in the page).
        title: shown above the chart.
        columns: (DataCollector column, legend label) pairs.
        y_label: unit of the y axis.
        cumulative: draw running totals instead of weekly values.
        smooth_weeks: draw a moving average over this many weeks (1: raw).
        y_max: fixed top of the y axis (None: from the data).
        colours: one stroke colour per column (default: the palette).
    """

    ident: str
    title: str
    columns: tuple[tuple[str, str], ...]
    y_label: str
    cumulative: bool = False
    smooth_weeks: int = 1
    y_max: float | None = None
    colours: tuple[str, ...] = ()


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec(
        "guns",
        "Guns per week: bought, seized, delivered",
        (
            ("guns_bought", "bought in the US"),
            ("guns_seized_us", "seized, US southbound"),
            ("guns_seized_mx", "seized, Mexican customs"),
            ("guns_delivered", "delivered to gangs"),
            ("guns_seized_gt_border", "seized, MX–GT border"),
        ),
        "guns per week",
        colours=("#555555", "#1f77b4", "#2ca02c", "#d62728", "#9467bd"),
    ),
    ChartSpec(
        "homicide",
        "Homicide rate by country (4-week average)",
        (
            ("homicide_rate_MX", "Mexico"),
            ("homicide_rate_GT", "Guatemala"),
            ("homicide_rate_HN", "Honduras"),
            ("homicide_rate_SV", "El Salvador"),
        ),
        "per 100k per year",
        smooth_weeks=4,
    ),
    ChartSpec(
        "exposed",
        "Households exposed to violence this week",
        (("households_exposed", "households exposed"),),
        "households",
        colours=("#9467bd",),
    ),
    ChartSpec(
        "migration",
        "Migrants per week: departures and arrivals at the US border",
        (("departures", "departures"), ("arrivals", "arrivals at the US border")),
        "persons per week",
        colours=("#ff7f0e", "#1f5fbf"),
    ),
    ChartSpec(
        "migration_total",
        "Migrants since the start (cumulative)",
        (("departures", "departures"), ("arrivals", "arrivals at the US border")),
        "persons",
        cumulative=True,
        colours=("#ff7f0e", "#1f5fbf"),
    ),
    ChartSpec(
        "us_share",
        "US-sourced share of guns seized in Mexico (traced)",
        (("us_sourced_share_seized_mx", "US-sourced share"),),
        "share",
        y_max=1.0,
        colours=("#8c564b",),
    ),
)


def years_axis(model: Any, rows: int) -> np.ndarray:
    """Years of each DataCollector row, 0 where the scenario's levers take effect.

    Uses the ``week`` column when the model collects it; otherwise row i is week i + 1.
    """
    weeks = model.datacollector.model_vars.get("week")
    w = np.asarray(weeks[:rows], dtype=float) if weeks else np.arange(1, rows + 1, dtype=float)
    return (w - float(getattr(model, "burn_in_weeks", 0))) / 52.0


def _moving_average(v: np.ndarray, n: int) -> np.ndarray:
    if n <= 1 or v.size == 0:
        return v
    c = np.cumsum(np.insert(np.nan_to_num(v), 0, 0.0))
    out = np.empty_like(v)
    k = np.arange(1, v.size + 1)
    lo = np.maximum(k - n, 0)
    out[:] = (c[k] - c[lo]) / (k - lo)
    return out


def chart_svg(model: Any, spec: ChartSpec) -> str:
    """Draw one live chart from the model's DataCollector as SVG.

    Args:
        model: a model with a Mesa ``datacollector`` holding (some of) the columns of ``spec``.
        spec: what to draw.

    Returns:
        The ``<svg>`` text (an empty chart before the first step).
    """
    data = model.datacollector.model_vars
    present = [(i, c, label) for i, (c, label) in enumerate(spec.columns) if c in data]
    rows = min((len(data[c]) for _, c, _ in present), default=0)
    x = years_axis(model, rows)
    series = []
    for i, column, label in present:  # a column the model does not collect is left out
        v = np.asarray(data[column][:rows], dtype=float)
        if spec.cumulative:
            v = np.cumsum(np.nan_to_num(v))
        v = _moving_average(v, spec.smooth_weeks)
        colour = spec.colours[i] if i < len(spec.colours) else ""
        series.append(Series(label, v, colour))
    return line_chart(
        spec.title,
        x,
        series,
        y_label=spec.y_label,
        y_max=spec.y_max,
        x_label="years (0 = levers take effect)",
        ident=spec.ident,
    )


def _pct(x: float) -> str:
    return f"{100 * x:.3g}%"


LEVER_TEXT: tuple[tuple[str, str], ...] = (
    ("policy.us_southbound_interdiction", "US inspection"),
    ("policy.straw_enforcement", "Straw purchases"),
    ("policy.mx_customs_interdiction", "MX customs"),
    ("policy.mx_gt_border_interdiction", "MX–GT border"),
    ("migration.violence_effect", "Violence→migr."),
)


def levers_text(model: Any) -> str:
    """List the main levers in force by their sidebar names, marking those set with a slider."""
    moved = getattr(model, "levers_from_sliders", frozenset())
    parts = []
    for key, short in LEVER_TEXT:
        value = float(model.scenario.value(key))
        shown = f"×{value:g}" if key == "migration.violence_effect" else _pct(value)
        mark = " (*slider*)" if key in moved else ""
        parts.append(f"{short} {shown}{mark}")
    return " · ".join(parts)


def explanation(model: Any) -> str:
    """Write the plain-words panel: where the run is, this week's news, how to read the page."""
    sc = model.scenario
    data = model.datacollector.model_vars

    def last(column: str) -> float:
        values = data.get(column) or [math.nan]
        return float(values[-1])

    burn = int(getattr(model, "burn_in_weeks", 0))
    phase = (
        f"burn-in with baseline levers until week {burn}"
        if model.week < burn
        else "levers in effect"
    )
    if not getattr(model, "running", True):
        phase += "; the run is over, press Reset"
    week_line = (
        f"**Week {model.week}** (year {model.year:+.2f}; {phase}). Scenario "
        f"**{sc.name}**; one simulated household stands for {fmt_number(sc.scale)}."
    )
    if model.week == 0:
        this_week = "Press **Step** (one week) or **▶** (play) to start."
    else:
        this_week = (
            f"This week: {fmt_number(last('guns_bought'))} guns bought in the US; "
            f"{fmt_number(last('guns_seized_us'))} seized at US crossings and "
            f"{fmt_number(last('guns_seized_mx'))} by Mexican customs; "
            f"{fmt_number(last('guns_delivered'))} delivered to gangs. Homicides per 100k a "
            f"year: Mexico {last('homicide_rate_MX'):.1f}, Honduras "
            f"{last('homicide_rate_HN'):.1f}. {fmt_number(last('departures'))} people left home; "
            f"{fmt_number(last('arrivals'))} arrived at the US border."
        )
    return "\n\n".join(
        [
            week_line,
            this_week,
            "**The picture.** Guns bought in US states (grey squares) cross the border "
            "(triangles; number = guns seized) to gangs in Mexico and Central America (red, wider "
            "= more guns). Circles: colour = homicide rate, size = people at home. Blue dashes: "
            "migrants heading for the US border. Hover the map for numbers.",
            f"**Levers** (*slider* = set in the sidebar, others from the scenario file): "
            f"{levers_text(model)}. Move a slider, then press **Reset**; reload the page to get "
            "the file's values back. The percentages are the chances that a southbound load is "
            "seized at a US crossing, a straw purchase is blocked, Mexican customs or the "
            "Mexico–Guatemala border seize a load.",
        ]
    )


def MapPanel(model: Any) -> None:  # noqa: N802 (drawn inside a Solara component)
    """Show the map."""
    solara.HTML(
        tag="div",
        unsafe_innerHTML=map_svg(model),
        style=PANEL_STYLE,
        classes=["iron-river-panel", "iron-river-map"],
    )


def make_chart_panel(spec: ChartSpec):
    """Return a panel function drawing the chart ``spec``."""

    def ChartPanel(model: Any) -> None:  # noqa: N802
        solara.HTML(
            tag="div",
            unsafe_innerHTML=chart_svg(model, spec),
            style=PANEL_STYLE,
            classes=["iron-river-panel", "iron-river-chart"],
        )

    ChartPanel.__name__ = f"Chart_{spec.ident}"
    return ChartPanel


def ExplanationPanel(model: Any) -> None:  # noqa: N802
    """Show the plain-words panel."""
    with solara.Column(classes=["iron-river-explanation"], style="padding: 4px 8px;"):
        solara.Markdown(explanation(model))


CHART_PANELS = tuple(make_chart_panel(spec) for spec in CHARTS)


def panels() -> Sequence[Any]:
    """Return every panel, in page order: map, explanation, then the charts."""
    return [MapPanel, ExplanationPanel, *CHART_PANELS]


@solara.component
def Dashboard(model: Any):  # noqa: N802
    """Lay the panels out: the map beside the explanation, then the charts, two or three a row.

    Redrawn after every step (it reads Mesa's ``update_counter``, which Step and Play bump) and
    whenever Reset replaces the model.
    """
    update_counter.get()
    with solara.Column(style="width: 100%; padding: 0 8px;"):
        with solara.ColumnsResponsive(default=12, large=[8, 4]):
            with solara.Card(margin=0, elevation=1):
                MapPanel(model)
            with solara.Card(margin=0, elevation=1):
                ExplanationPanel(model)
        with solara.ColumnsResponsive(default=12, medium=6, xlarge=4):
            for chart in CHART_PANELS:
                with solara.Card(margin=0, elevation=1):
                    chart(model)
