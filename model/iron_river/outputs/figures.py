"""Figures of a scenario run: guns, homicide rates, arrivals with their spread, and a map.

Every figure says what it shows in its title (scenario, ``--set`` overrides), states its period
and replicates underneath, labels its units, and keeps its legend off the data. Colours come from
:mod:`.style`, shared with the browser view.

Figures are drawn on matplotlib ``Figure`` objects with their own Agg canvas, never through
``pyplot``: writing results changes no global matplotlib state (a notebook keeps its inline
plots) and is safe from any thread.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.patheffects as pe
import matplotlib.ticker
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Polygon, Rectangle

from iron_river.ledger import PLACE_FIELDS
from iron_river.outputs import style
from iron_river.outputs.record import Run
from iron_river.outputs.targets import TARGETS
from iron_river.scenario import IronRiverScenario
from iron_river.world import geography
from iron_river.world.geography import COUNTRIES

DPI = 110
MAP_EXTENT = (-121.0, -84.5, 11.8, 38.5)  # lon min, lon max, lat min, lat max
HALO = [pe.withStroke(linewidth=2.5, foreground="white")]
# Labels that would collide where they usually go: (dx, dy) points and alignment.
LABEL_OFFSETS = {
    "MX-SUR": (-6, -16, "right"),
    "MX-TAB": (5, 3, "left"),
    "MX-CENTRO": (10, -4, "left"),
    "MX-ROO": (5, 4, "left"),
    "X-GT": (-5, -9, "right"),
    "SV": (-8, -10, "right"),
}


def _stack(runs: list[Run], key: str) -> np.ndarray:
    return np.array([r.weekly[key] for r in runs], dtype=float)


def _years(runs: list[Run]) -> np.ndarray:
    return np.asarray(runs[0].weekly["year"], dtype=float)


def _smooth(x: np.ndarray, k: int = 4) -> np.ndarray:
    """Trailing k-week mean (over fewer weeks at the start, so the ends are not pulled down)."""
    c = np.concatenate([[0.0], np.cumsum(np.asarray(x, dtype=float))])
    i = np.arange(len(x))
    return (c[i + 1] - c[np.maximum(i + 1 - k, 0)]) / np.minimum(i + 1, k)


def _per_year(runs: list[Run], key: str) -> float:
    """Yearly total of a weekly count, mean over replicates."""
    return float(_stack(runs, key).sum(1).mean() / (len(runs[0].weekly["week"]) / 52.0))


def subtitle(scenario: IronRiverScenario, replicates: int, overrides: list[str]) -> str:
    """What every figure of a run states under its title: replicates, period, scale, overrides."""
    text = (
        f"mean of {replicates} replicate{'s' if replicates > 1 else ''} · measured "
        + (f"years 1–{scenario.years}" if scenario.years > 1 else "year 1")
        + f" after a {scenario.burn_in_years}-year burn-in · one simulated "
        f"household per {scenario.scale:g}"
    )
    if overrides:
        text += "\n--set " + ", ".join(overrides)
    return text


def titled(fig: Figure, title: str, sub: str) -> float:
    """Put the title and subtitle at the top; return the figure fraction left below them."""
    h = fig.get_figheight()
    fig.text(0.01, 1 - 0.08 / h, title, ha="left", va="top", fontsize=12, fontweight="bold")
    fig.text(0.01, 1 - 0.36 / h, sub, ha="left", va="top", fontsize=8, color="#444")
    return 1 - (0.45 + 0.15 * (sub.count("\n") + 1)) / h


def _outside_legend(ax: Axes, **kw) -> None:
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8, **kw)


def _plain_log(ax: Axes) -> None:
    """Log-axis ticks as plain numbers (2, 5, 10, 20...) rather than powers of ten."""
    fmt = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.10g}")
    ax.yaxis.set_major_formatter(fmt)
    ax.yaxis.set_minor_formatter(
        matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.10g}" if str(v)[0] in "25" else "")
    )


def layout(fig: Figure, top: float) -> Figure:
    """Lay the figure out below ``top`` (a figure fraction, under the title); return it."""
    fig.tight_layout(rect=(0, 0, 1, top))
    return fig


def figure(figsize: tuple[float, float], nrows: int = 1, ncols: int = 1, **kw):
    """A new figure on its own Agg canvas and its axes (as ``pyplot.subplots`` returns them)."""
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig, fig.subplots(nrows, ncols, **kw)


def save(fig: Figure, path: Path) -> None:
    """Write the figure."""
    fig.savefig(path, dpi=DPI)


def write_all(
    folder: Path, scenario: IronRiverScenario, runs: list[Run], overrides: list[str] = ()
) -> None:
    """Write every figure of the run into ``folder``.

    Args:
        folder: where to write.
        scenario: the resolved scenario.
        runs: its replicates.
        overrides: the ``--set KEY=VALUE`` overrides, named in every subtitle.
    """
    sub = subtitle(scenario, len(runs), list(overrides))
    for name, make in FIGURES.items():
        save(make(scenario, runs, sub), folder / name)


def guns(scenario: IronRiverScenario, runs: list[Run], sub: str = "") -> Figure:
    """Guns bought, crossed and delivered (top), and seized at each border on a log axis."""
    fig, (upper, bottom) = figure((10, 6.6), 2, 1, sharex=True)
    t = _years(runs)
    # bought ≈ crossed ≈ delivered (seizures are a fraction of a percent): a wide grey band,
    # the red line on it and orange dashes on top keep all three visible
    widths = {"guns_bought": 6.0, "guns_delivered": 2.4, "guns_into_mexico": 1.2}
    styles = {"guns_bought": "-", "guns_delivered": "-", "guns_into_mexico": (0, (3, 3))}
    alpha = {"guns_bought": 0.45, "guns_delivered": 1.0, "guns_into_mexico": 1.0}
    for key in ("guns_bought", "guns_into_mexico", "guns_delivered"):
        upper.plot(
            t,
            _smooth(_stack(runs, key).mean(0)),
            color=style.colour(key),
            lw=widths[key],
            ls=styles[key],
            alpha=alpha[key],
            zorder={"guns_bought": 1, "guns_delivered": 2, "guns_into_mexico": 3}[key],
            label=f"{style.label(key)}: {style.compact(_per_year(runs, key))} a year",
        )
    upper.set_ylim(bottom=0)
    upper.set_ylabel("guns per week\n(4-week mean)")
    upper.set_title("Guns moving south", loc="left", fontsize=10)
    _outside_legend(upper)
    for key in ("guns_seized_us", "guns_seized_mx", "guns_seized_gt_border"):
        v = _smooth(_stack(runs, key).mean(0))
        bottom.plot(
            t,
            np.where(v > 0, v, np.nan),
            color=style.colour(key),
            lw=1.6,
            label=f"{style.label(key)}: {style.compact(_per_year(runs, key))} a year",
        )
    bottom.set_yscale("log")
    _plain_log(bottom)
    bottom.set_ylabel("guns per week\n(4-week mean, log scale)")
    bottom.set_xlabel("years since the scenario's levers took effect")
    bottom.set_title("Guns seized on the way", loc="left", fontsize=10)
    bottom.grid(alpha=0.3, which="both", axis="y")
    _outside_legend(bottom)
    upper.grid(alpha=0.3)
    top = titled(fig, f"Guns south — {scenario.name}", sub)
    return layout(fig, top)


def homicide_rates(scenario: IronRiverScenario, runs: list[Run], sub: str = "") -> Figure:
    """Homicide rate per 100,000 by country, with the replicate spread and the 2019 figure."""
    fig, ax = figure((10, 4.8))
    t = _years(runs)
    observed = {t_.metric: t_.target for t_ in TARGETS}
    for c in COUNTRIES:
        reps = np.array([_smooth(x, 13) for x in _stack(runs, f"homicide_rate_{c}")])
        col = style.COUNTRY_COLOURS[c]
        if len(runs) > 1:
            ax.fill_between(
                t, np.percentile(reps, 5, 0), np.percentile(reps, 95, 0), color=col, alpha=0.2
            )
        ax.plot(t, reps.mean(0), color=col, lw=1.8, label=style.COUNTRY_NAMES[c])
        target = observed.get(f"homicide_rate_per_100k_{c}")
        if target is not None:
            ax.axhline(target, color=col, ls=":", lw=1)
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], color="#555", ls=":", lw=1))
    labels.append("2019 observed (FACTS.md T7)")
    if len(runs) > 1:
        handles.append(Rectangle((0, 0), 1, 1, color="#888", alpha=0.25))
        labels.append("5–95% of replicates")
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.set(
        xlabel="years since the scenario's levers took effect",
        ylabel="homicides per 100,000 people a year\n(13-week mean)",
    )
    top = titled(fig, f"Homicide rates — {scenario.name}", sub)
    return layout(fig, top)


def arrivals(scenario: IronRiverScenario, runs: list[Run], sub: str = "") -> Figure:
    """Arrivals at the US border per week: mean and the 5–95% spread across replicates."""
    fig, ax = figure((10, 4.8))
    t = _years(runs)
    a = np.array([_smooth(x) for x in _stack(runs, "arrivals")])
    col = style.colour("arrivals")
    if len(runs) > 1:
        ax.fill_between(
            t,
            np.percentile(a, 5, 0),
            np.percentile(a, 95, 0),
            color=col,
            alpha=0.2,
            label="5–95% of replicates",
        )
    ax.plot(
        t,
        a.mean(0),
        color=col,
        lw=1.8,
        label=f"all: {style.compact(_per_year(runs, 'arrivals'))} a year",
    )
    for c in COUNTRIES:
        ax.plot(
            t,
            np.array([_smooth(x) for x in _stack(runs, f"arrivals_{c}")]).mean(0),
            color=style.COUNTRY_COLOURS[c],
            lw=1.0,
            label=f"from {style.COUNTRY_NAMES[c]}: "
            f"{style.compact(_per_year(runs, f'arrivals_{c}'))}",
        )
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    _outside_legend(ax)
    ax.set(
        xlabel="years since the scenario's levers took effect",
        ylabel="persons per week (4-week mean)",
    )
    top = titled(fig, f"Arrivals at the US border — {scenario.name}", sub)
    return layout(fig, top)


# ---------------------------------------------------------------------------- the map


def _leg_totals(runs: list[Run], attr: str) -> dict[tuple[str, str], float]:
    years = len(runs[0].weekly["week"]) / 52.0
    out: dict[tuple[str, str], float] = {}
    for r in runs:
        for k, v in getattr(r, attr).items():
            out[k] = out.get(k, 0.0) + v / years / len(runs)
    return out


def _draw_land(ax: Axes) -> None:
    ax.set_facecolor(style.SEA)
    for rings in geography.land().values():
        for ring in rings:
            ax.add_patch(
                Polygon(ring, closed=True, fc=style.LAND, ec=style.LAND_EDGE, lw=0.7, zorder=0)
            )


def _width(amount: float, top: float, widest: float) -> float:
    return 0.6 + (widest - 0.6) * np.sqrt(amount / top) if top > 0 else 0.6


def map_figure(scenario: IronRiverScenario, runs: list[Run], sub: str = "") -> Figure:
    """The region on a map: violence by place, guns south and migrants north, yearly means."""
    recs = {p.id: p for p in geography.places()}
    fig, ax = figure((11, 8.1))
    _draw_land(ax)
    gun = _leg_totals(runs, "gun_legs")
    gtop = max(gun.values(), default=0.0)
    for (a, b), g in sorted(gun.items(), key=lambda kv: kv[1]):
        if g > gtop * 0.01:
            ax.add_patch(
                FancyArrowPatch(
                    (recs[a].lon, recs[a].lat),
                    (recs[b].lon, recs[b].lat),
                    connectionstyle="arc3,rad=0.12",
                    arrowstyle="-",
                    color=style.GUN_FLOW,
                    lw=_width(g, gtop, 7.0),
                    alpha=0.75,
                    zorder=2,
                )
            )
    mig = _leg_totals(runs, "migrant_legs")
    mtop = max(mig.values(), default=0.0)
    for (a, b), p in sorted(mig.items(), key=lambda kv: kv[1]):
        if p > mtop * 0.02:
            ax.add_patch(
                FancyArrowPatch(
                    (recs[a].lon, recs[a].lat),
                    (recs[b].lon, recs[b].lat),
                    connectionstyle="arc3,rad=0.12",  # reversed leg: bends the other way
                    arrowstyle="-|>",
                    mutation_scale=8 + 6 * np.sqrt(p / mtop),
                    color=style.MIGRANT_FLOW,
                    lw=_width(p, mtop, 4.5),
                    ls=(0, (4, 2)),
                    alpha=0.8,
                    zorder=3,
                )
            )
    ids = runs[0].place_ids
    years = len(runs[0].weekly["week"]) / 52.0
    h, pop = PLACE_FIELDS.index("homicides"), PLACE_FIELDS.index("population")
    hom = np.mean([r.places[:, :, h].sum(0) / years for r in runs], axis=0)
    people = np.mean([r.places[:, :, pop].mean(0) for r in runs], axis=0)
    rate = hom / np.maximum(people, 1) * 1e5
    sc = ax.scatter(
        [recs[i].lon for i in ids],
        [recs[i].lat for i in ids],
        c=rate,
        cmap=style.HOMICIDE_CMAP,
        vmin=0,
        vmax=style.HOMICIDE_MAX,
        s=25 + people / 6e4,
        edgecolor="#333",
        lw=0.7,
        zorder=4,
    )
    fig.colorbar(sc, ax=ax, shrink=0.6, pad=0.01, extend="max").set_label(
        "homicides per 100,000 people a year"
    )
    us = [p for p in geography.places() if p.kind == geography.US_STATES]
    ax.scatter(
        [p.lon for p in us], [p.lat for p in us], marker="s", c=style.US_STATE, s=60, zorder=4
    )
    xs = [p for p in geography.places() if p.kind == geography.CROSSING]
    ax.scatter(
        [p.lon for p in xs], [p.lat for p in xs], marker="^", c=style.CROSSING, s=40, zorder=5
    )
    for p in geography.places():
        crossing = p.kind == geography.CROSSING
        dx, dy, ha = LABEL_OFFSETS.get(p.id, (4, -9 if crossing else 4, "left"))
        ax.annotate(
            style.place_label(p.id, p.name, p.kind),
            (p.lon, p.lat),
            fontsize=6.5 if crossing else 7.5,
            style="italic" if crossing else "normal",
            xytext=(dx, dy),
            ha=ha,
            textcoords="offset points",
            path_effects=HALO,
            zorder=6,
        )
    handles = [
        Line2D([], [], color=style.GUN_FLOW, lw=_width(gtop, gtop, 7.0), alpha=0.75),
        Line2D([], [], color=style.GUN_FLOW, lw=_width(gtop / 10, gtop, 7.0), alpha=0.75),
        Line2D([], [], color=style.MIGRANT_FLOW, lw=_width(mtop, mtop, 4.5), ls=(0, (4, 2))),
        Line2D([], [], color=style.MIGRANT_FLOW, lw=_width(mtop / 10, mtop, 4.5), ls=(0, (4, 2))),
        Line2D([], [], marker="s", color=style.US_STATE, ls=""),
        Line2D([], [], marker="^", color=style.CROSSING, ls=""),
        Line2D([], [], marker="o", mfc="#fdae61", mec="#333", ls="", ms=9),
        Line2D([], [], color=style.LAND_EDGE, lw=0.9),
    ]
    labels = [
        f"guns south: {style.compact(gtop)} guns a year",
        f"guns south: {style.compact(gtop / 10)} guns a year",
        f"migrants north (to the crossing used): {style.compact(mtop)} persons a year",
        f"migrants north: {style.compact(mtop / 10)} persons a year",
        "US source state (guns bought)",
        "border crossing",
        "place (area ∝ people at home; colour: homicide rate)",
        "coast and national borders (Natural Earth)",
    ]
    ax.legend(handles, labels, loc="lower left", fontsize=7.5, framealpha=0.92)
    ax.set_xlim(MAP_EXTENT[0], MAP_EXTENT[1])
    ax.set_ylim(MAP_EXTENT[2], MAP_EXTENT[3])
    ax.set_aspect(1 / np.cos(np.radians(25.0)))
    ax.set_xticks(range(-120, -84, 5), [f"{-x}°W" for x in range(-120, -84, 5)])
    ax.set_yticks(range(15, 39, 5), [f"{y}°N" for y in range(15, 39, 5)])
    ax.tick_params(labelsize=7)
    top = titled(
        fig, f"The iron river — {scenario.name}: yearly means over the measured period", sub
    )
    return layout(fig, top)


FIGURES = {
    "guns.png": guns,
    "homicide_rates.png": homicide_rates,
    "arrivals.png": arrivals,
    "map.png": map_figure,
}
