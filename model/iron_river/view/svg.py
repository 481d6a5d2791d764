"""Small SVG drawing helpers: line charts, nice axis ticks, a colour scale.

The view draws its map and charts as inline SVG rather than matplotlib images: a matplotlib
figure costs 10-20 ms to render per step even when nothing but the data changes, while building
these SVG strings costs about a millisecond, the browser scales them to any panel size, and the
hover tooltips (``<title>``) come for free. The helpers here know nothing about the model.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from html import escape

import numpy as np

from iron_river.outputs import style

FONT = "font-family='Roboto, Helvetica, Arial, sans-serif'"
PALETTE = ("#1f77b4", "#d62728", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2")


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Return about ``n`` round tick values (1, 2 or 5 times a power of ten) covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0]
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / max(n - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.floor(lo / step) * step
    ticks, t = [], first
    while t <= hi + step * 1e-9:
        ticks.append(round(t, 12))
        t += step
    if ticks[-1] < hi:
        ticks.append(round(t, 12))
    return ticks


def tick_labels(ticks: Sequence[float], plain: bool = False) -> list[str]:
    """Labels for evenly spaced ticks, with as many decimals as the spacing needs.

    Args:
        ticks: the tick values.
        plain: no thousands separators or k/M suffixes (for years).
    """
    decimals = next(
        (
            d
            for d in range(8)
            if all(abs(round(t, d) - t) <= 1e-9 * max(1.0, abs(t)) for t in ticks)
        ),
        8,
    )
    if plain:
        return [f"{t:.{decimals}f}" for t in ticks]
    if max(abs(t) for t in ticks) >= 1e4:
        return [fmt_number(t) for t in ticks]
    return [f"{t:,.{decimals}f}" for t in ticks]


fmt_number = style.compact  # one format for the CLI's figures and the view


@cache
def _ramp(name: str) -> np.ndarray:
    from matplotlib import colormaps

    return (colormaps[name](np.linspace(0.0, 1.0, 256))[:, :3] * 255).round().astype(int)


def colour(value: float, lo: float, hi: float, cmap: str = "YlOrRd") -> str:
    """Hex colour of ``value`` on a matplotlib colour map spanning [lo, hi] (clipped)."""
    frac = 0.0 if not math.isfinite(value) or hi <= lo else (value - lo) / (hi - lo)
    r, g, b = _ramp(cmap)[round(min(max(frac, 0.0), 1.0) * 255)]
    return f"#{r:02x}{g:02x}{b:02x}"


def gradient(cmap: str, ident: str, stops: int = 9) -> str:
    """Return an SVG ``<linearGradient>`` (bottom to top) for a colour bar."""
    parts = [f"<linearGradient id='{ident}' x1='0' y1='1' x2='0' y2='0'>"]
    for i in range(stops):
        f = i / (stops - 1)
        parts.append(f"<stop offset='{f:.3f}' stop-color='{colour(f, 0.0, 1.0, cmap)}'/>")
    parts.append("</linearGradient>")
    return "".join(parts)


@dataclass(frozen=True)
class Series:
    """One line of a chart.

    Attributes:
        label: legend text.
        values: y values, one per x.
        colour: stroke colour (from `PALETTE` if empty).
        dashed: draw dashed.
        in_legend: list it in the legend (a chart's note can explain a family of lines).
    """

    label: str
    values: Sequence[float]
    colour: str = ""
    dashed: bool = False
    in_legend: bool = True


def log_ticks(lo: float, hi: float) -> list[float]:
    """Ticks for a log axis: 1, 2, 5 times powers of ten covering [lo, hi] (lo > 0)."""
    lo, hi = max(lo, 1e-12), max(hi, lo * 10)
    ticks = []
    for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1):
        ticks += [m * 10.0**e for m in (1, 2, 5)]
    first = max(t for t in ticks if t <= lo)
    last = min(t for t in ticks if t >= hi)
    out = [t for t in ticks if first <= t <= last]
    if len(out) > 7:  # many decades: powers of ten only
        lo_e, hi_e = math.floor(math.log10(lo) + 1e-9), math.ceil(math.log10(hi) - 1e-9)
        out = [10.0**e for e in range(lo_e, hi_e + 1)]
    return out


def _points(xs: np.ndarray, ys: np.ndarray, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Keep at most ``max_points`` (evenly strided; the last point always kept)."""
    if len(xs) <= max_points:
        return xs, ys
    idx = np.unique(np.append(np.linspace(0, len(xs) - 1, max_points).astype(int), len(xs) - 1))
    return xs[idx], ys[idx]


def line_chart(
    title: str,
    x: Sequence[float],
    series: Sequence[Series],
    *,
    y_label: str = "",
    x_label: str = "year",
    y_min: float | None = 0.0,
    y_max: float | None = None,
    width: int = 420,
    height: int = 260,
    ident: str = "chart",
    max_points: int = 400,
    log_y: bool = False,
    note: str = "",
    shade_before: float | None = None,
    shade_label: str = "",
) -> str:
    """Draw a line chart as an SVG string that scales to its container.

    Args:
        title: shown at the top.
        x: shared x values (e.g. years).
        series: the lines; each has one value per x (NaN leaves a gap).
        y_label: unit of the y axis.
        x_label: unit of the x axis.
        y_min: lower end of the y axis (None: from the data).
        y_max: upper end of the y axis (None: from the data).
        width: drawing width in SVG units (it is scaled to fit its panel).
        height: drawing height in SVG units.
        ident: a ``data-chart`` attribute value, so tests and pages can find the chart.
        max_points: lines are thinned to this many points.
        log_y: a logarithmic y axis (values ≤ 0 leave gaps).
        note: a line of small text under the legend (e.g. what dashed lines are).
        shade_before: shade the plot left of this x (e.g. the burn-in).
        shade_label: text in the shaded part.

    Returns:
        The ``<svg>`` element as text.
    """
    shown = [s for s in series if s.in_legend]
    legend_rows = math.ceil(len(shown) / 2) + (1 if note else 0)
    left, right, top, bottom = 50, 10, 30 + 15 * legend_rows, 40
    pw, ph = width - left - right, height - top - bottom
    xs = np.asarray(x, dtype=float)
    ys_all = [np.asarray(s.values, dtype=float)[: len(xs)] for s in series]
    if log_y:
        ys_all = [np.where(v > 0, v, np.nan) for v in ys_all]
    finite = np.concatenate([v[np.isfinite(v)] for v in ys_all] or [np.array([])])
    if log_y:
        lo = float(finite.min()) if finite.size else 1.0
        hi = float(finite.max()) if finite.size else 10.0
        yticks = log_ticks(lo, hi)
    else:
        lo = y_min if y_min is not None else (float(finite.min()) if finite.size else 0.0)
        hi = y_max if y_max is not None else (float(finite.max()) if finite.size else 1.0)
        if hi - lo < 1e-9 * max(1.0, abs(hi)):  # a flat line: give it a readable axis
            hi = lo + (abs(lo) * 0.1 or 1.0)
        yticks = nice_ticks(lo, hi)
    y0, y1 = yticks[0], yticks[-1]
    x0 = float(xs[0]) if xs.size else 0.0
    x1 = float(xs[-1]) if xs.size > 1 else x0 + 1.0
    xticks = [t for t in nice_ticks(x0, x1, 6) if x0 - 1e-9 <= t <= x1 + 1e-9]

    def sx(v: np.ndarray | float) -> np.ndarray | float:
        return left + (np.asarray(v) - x0) / (x1 - x0) * pw

    def sy(v: np.ndarray | float) -> np.ndarray | float:
        if log_y:
            frac = (np.log10(np.asarray(v)) - math.log10(y0)) / (math.log10(y1) - math.log10(y0))
            return top + ph - frac * ph
        return top + ph - (np.asarray(v) - y0) / (y1 - y0) * ph

    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' "
        f"width='100%' style='display:block' data-chart='{ident}' "
        f"data-scale='{'log' if log_y else 'linear'}' {FONT} font-size='12'>",
        f"<rect width='{width}' height='{height}' fill='white'/>",
        f"<text x='8' y='16' font-size='14' font-weight='500'>{escape(title)}</text>",
    ]
    if shade_before is not None and x0 < shade_before:
        edge = float(min(sx(min(shade_before, x1)), left + pw))
        out.append(
            f"<rect x='{left}' y='{top}' width='{edge - left:.1f}' height='{ph}' fill='#f0f0f0' "
            "data-shade='burn-in'/>"
        )
        if shade_label and edge - left > 60:
            out.append(
                f"<text x='{left + 4}' y='{top + 12}' font-size='10' fill='#888'>"
                f"{escape(shade_label)}</text>"
            )
    ylabels = [fmt_number(t) for t in yticks] if log_y else tick_labels(yticks)
    for t, label in zip(yticks, ylabels, strict=True):
        yy = sy(t)
        out.append(
            f"<line x1='{left}' x2='{left + pw}' y1='{yy:.1f}' y2='{yy:.1f}' stroke='#e6e6e6'/>"
        )
        out.append(
            f"<text x='{left - 4}' y='{yy + 4:.1f}' text-anchor='end' fill='#555'>{label}</text>"
        )
    for t, label in zip(xticks, tick_labels(xticks, plain=True), strict=True):
        xx = sx(t)
        out.append(
            f"<line x1='{xx:.1f}' x2='{xx:.1f}' y1='{top + ph}' y2='{top + ph + 4}' stroke='#888'/>"
        )
        out.append(
            f"<text x='{xx:.1f}' y='{top + ph + 16}' text-anchor='middle' fill='#555'>"
            f"{label}</text>"
        )
    out.append(f"<rect x='{left}' y='{top}' width='{pw}' height='{ph}' fill='none' stroke='#999'/>")
    out.append(
        f"<text x='{left + pw / 2}' y='{height - 6}' text-anchor='middle' fill='#555'>"
        f"{escape(x_label)}</text>"
    )
    if y_label:
        out.append(
            f"<text transform='translate(12 {top + ph / 2}) rotate(-90)' "
            f"text-anchor='middle' fill='#555'>{escape(y_label)}</text>"
        )
    for i, (s, ys) in enumerate(zip(series, ys_all, strict=True)):
        col = s.colour or PALETTE[i % len(PALETTE)]
        dash = " stroke-dasharray='5 3'" if s.dashed else ""
        px, py = _points(xs[: len(ys)], np.clip(ys, y0, y1), max_points)
        for run in _finite_runs(px, py):
            pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(sx(run[0]), sy(run[1]), strict=True))
            if run[0].size == 1:
                out.append(
                    f"<circle cx='{sx(run[0][0]):.1f}' cy='{sy(run[1][0]):.1f}' r='2' "
                    f"fill='{col}'/>"
                )
            else:
                out.append(
                    f"<polyline points='{pts}' fill='none' stroke='{col}' "
                    f"stroke-width='1.8'{dash} data-series='{escape(s.label)}'/>"
                )
        if not s.in_legend:
            continue
        last = ys[np.isfinite(ys)]
        value = f": {fmt_number(float(last[-1]))}" if last.size else ""
        k = next(j for j, t in enumerate(shown) if t is s)
        legend_x = 8 + (k % 2) * ((width - 16) / 2)
        ly = 35 + 15 * (k // 2)
        out.append(
            f"<line x1='{legend_x}' x2='{legend_x + 16}' y1='{ly - 4}' y2='{ly - 4}' "
            f"stroke='{col}' stroke-width='2.5'{dash}/>"
        )
        out.append(
            f"<text x='{legend_x + 20}' y='{ly}' fill='#222'>{escape(s.label)}{value}</text>"
        )
    if note:
        ly = 35 + 15 * math.ceil(len(shown) / 2)
        out.append(
            f"<text x='8' y='{ly}' font-size='11' fill='#555' data-note='1'>{escape(note)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def _finite_runs(xs: np.ndarray, ys: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Split a line at NaNs into the runs of finite values."""
    ok = np.isfinite(ys)
    if ok.all():
        return [(xs, ys)] if ys.size else []
    runs, start = [], None
    for i, good in enumerate(ok):
        if good and start is None:
            start = i
        elif not good and start is not None:
            runs.append((xs[start:i], ys[start:i]))
            start = None
    if start is not None:
        runs.append((xs[start:], ys[start:]))
    return runs
