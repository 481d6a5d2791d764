"""The map: places at their real coordinates, this week's gun and migrant flows, seizures.

Drawn as SVG (see `iron_river.view.svg` for why). Places are coloured by their homicide rate on a
fixed scale, so colours compare across weeks and scenarios, and sized by population; US source
states are grey squares; crossings are triangles that grow with this week's seizures (the number
is written next to them); gun flows are red curves whose width follows the guns moved this week;
migrant flows are blue dashed curves from the place people left to the crossing where they
arrived. Hovering a place, crossing or flow shows its numbers.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from functools import cache
from html import escape
from importlib import resources
from typing import Any

import numpy as np

from iron_river.view.svg import FONT, colour, fmt_number, gradient

HOMICIDE_MAX = 100.0  # homicides per 100k per year at the top of the colour scale
HOMICIDE_CMAP = "YlOrRd"
GUN_COLOUR = "#a50f15"
MIGRANT_COLOUR = "#1f5fbf"
US_COLOUR = "#6b7b8c"
CROSSING_COLOUR = "#222222"
EXTENT = (-121.0, -84.5, 11.8, 38.5)  # lon min, lon max, lat min, lat max
_SCALE = 15.0  # SVG units per degree of latitude
_COS = math.cos(math.radians(25.0))  # equirectangular projection true at 25°N
_PAD_RIGHT = 130  # room for the legend and the colour bar
HOME_KINDS = ("mx_state", "mx_region", "ca_country")


@cache
def borders() -> dict[str, np.ndarray]:
    """Schematic international borders (lon, lat) by name, from ``borders.csv`` in this package."""
    lines: dict[str, list[tuple[float, float]]] = {}
    with resources.files("iron_river.view").joinpath("borders.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            lines.setdefault(row["border"], []).append((float(row["lon"]), float(row["lat"])))
    return {name: np.array(points) for name, points in lines.items()}


def project(lon: float, lat: float) -> tuple[float, float]:
    """Map coordinates to SVG coordinates (equirectangular, north up)."""
    return (lon - EXTENT[0]) * _COS * _SCALE, (EXTENT[3] - lat) * _SCALE


def size() -> tuple[float, float]:
    """Width and height of the map drawing in SVG units (legend included)."""
    w, h = project(EXTENT[1], EXTENT[2])
    return w + _PAD_RIGHT, h


def place_radius(population: float) -> float:
    """Circle radius growing with the square root of population (1 M people -> 5.7 units)."""
    return 2.5 + 3.2 * math.sqrt(max(float(population), 0.0) / 1e6)


def flow_width(amount: float, largest: float, max_width: float = 7.0) -> float:
    """Stroke width from 0.8 to ``max_width``, growing with the square root of the amount."""
    return 0.8 + (max_width - 0.8) * math.sqrt(amount / largest) if largest > 0 else 0.8


def _totals(flows: Iterable[Sequence[Any]], known: dict[str, Any]) -> dict[tuple[str, str], float]:
    totals: dict[tuple[str, str], float] = {}
    for a, b, amount in flows:
        if amount > 0 and a in known and b in known and a != b:
            totals[(a, b)] = totals.get((a, b), 0.0) + float(amount)
    return totals


def _curve(p0: tuple[float, float], p1: tuple[float, float], bend: float) -> str:
    """Return a quadratic Bézier path from p0 to p1, its middle pushed sideways by ``bend``.

    Gun flows bend one way and migrant flows the other, so a route used both ways shows two
    curves instead of one on top of the other.
    """
    (x0, y0), (x1, y1) = p0, p1
    cx = (x0 + x1) / 2 - bend * (y1 - y0)
    cy = (y0 + y1) / 2 + bend * (x1 - x0)
    return f"M{x0:.1f},{y0:.1f} Q{cx:.1f},{cy:.1f} {x1:.1f},{y1:.1f}"


def _flows_svg(
    totals: dict[tuple[str, str], float],
    pos: dict[str, tuple[float, float]],
    names: dict[str, str],
    *,
    colour_: str,
    bend: float,
    max_width: float,
    dash: str,
    what: str,
    kind: str,
) -> list[str]:
    largest = max(totals.values(), default=0.0)
    out = [
        f"<g data-layer='{kind}' fill='none' stroke='{colour_}' stroke-opacity='0.6' "
        f"stroke-linecap='round'{dash}>"
    ]
    for (a, b), amount in sorted(totals.items(), key=lambda kv: kv[1]):
        out.append(
            f"<path d='{_curve(pos[a], pos[b], bend)}' "
            f"stroke-width='{flow_width(amount, largest, max_width):.2f}'>"
            f"<title>{escape(names[a])} → {escape(names[b])}: {fmt_number(amount)} {what} "
            "this week</title></path>"
        )
    out.append("</g>")
    return out


def map_svg(model: Any) -> str:
    """Draw this week's state of the model as an SVG map.

    Args:
        model: an ``IronRiverModel`` (reads ``places``, ``crossings``, ``gun_flows``,
            ``migrant_flows``, ``week`` and ``year``).

    Returns:
        The ``<svg>`` element as text; it scales to the width of its container.
    """
    places: Sequence[Any] = model.places
    pos = {p.place_id: project(p.lon, p.lat) for p in places}
    names = {p.place_id: p.name for p in places}
    width, height = size()
    map_w = width - _PAD_RIGHT
    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width:.0f} {height:.0f}' "
        "width='100%' style='display:block' data-chart='map' "
        f"{FONT} font-size='9'>",
        f"<defs>{gradient(HOMICIDE_CMAP, 'homicide-scale')}</defs>",
        f"<rect width='{map_w:.0f}' height='{height:.0f}' fill='#eef3f7'/>",
        f"<rect x='{map_w:.0f}' width='{_PAD_RIGHT}' height='{height:.0f}' fill='white'/>",
    ]
    # Graticule every 5 degrees.
    for lon in range(-120, -84, 5):
        x, _ = project(lon, 0)
        out.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='0' y2='{height:.0f}' stroke='#dde4ea'/>")
        out.append(f"<text x='{x + 2:.1f}' y='{height - 3:.0f}' fill='#99a'>{-lon}°W</text>")
    for lat in range(15, 39, 5):
        _, y = project(0, lat)
        out.append(f"<line x1='0' x2='{map_w:.0f}' y1='{y:.1f}' y2='{y:.1f}' stroke='#dde4ea'/>")
        out.append(f"<text x='2' y='{y - 2:.1f}' fill='#99a'>{lat}°N</text>")
    for name, line in borders().items():
        pts = " ".join("{:.1f},{:.1f}".format(*project(lo, la)) for lo, la in line)
        dash = "" if name == "US-MX" else " stroke-dasharray='4 3'"
        out.append(
            f"<polyline points='{pts}' fill='none' stroke='#8795a1' stroke-width='1.4'"
            f"{dash}><title>border {escape(name)} (schematic)</title></polyline>"
        )

    guns = _totals(model.gun_flows, pos)
    migrants = _totals(model.migrant_flows, pos)
    out += _flows_svg(
        guns,
        pos,
        names,
        colour_=GUN_COLOUR,
        bend=0.12,
        max_width=8.0,
        dash="",
        what="guns",
        kind="gun-flows",
    )
    out += _flows_svg(
        migrants,
        pos,
        names,
        colour_=MIGRANT_COLOUR,
        bend=-0.12,
        max_width=6.0,
        dash=" stroke-dasharray='5 3'",
        what="persons",
        kind="migrant-flows",
    )

    out.append("<g data-layer='places' stroke='#333' stroke-width='0.7'>")
    for p in places:
        x, y = pos[p.place_id]
        if p.kind == "us_state":
            out.append(
                f"<rect x='{x - 5:.1f}' y='{y - 5:.1f}' width='10' height='10' "
                f"fill='{US_COLOUR}' stroke='white'><title>{escape(p.name)}: US source "
                "state</title></rect>"
            )
        elif p.kind in HOME_KINDS:
            rate = _finite(p.homicide_rate)
            out.append(
                f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{place_radius(p.population):.1f}' "
                f"fill='{colour(rate, 0.0, HOMICIDE_MAX, HOMICIDE_CMAP)}' fill-opacity='0.9'>"
                f"<title>{escape(p.name)}: {rate:.1f} homicides per 100k/yr; population at home "
                f"{fmt_number(p.population)}; guns delivered {fmt_number(p.guns_delivered)}, "
                f"departures {fmt_number(p.departures)} this week</title></circle>"
            )
    out.append("</g>")
    out.append("<g data-layer='crossings'>")
    for c in model.crossings:
        x, y = pos[c.place_id]
        seized = float(c.guns_seized)
        s = 4.0 + 1.5 * math.sqrt(seized)
        out.append(
            f"<path d='M{x:.1f},{y - s:.1f} L{x + s:.1f},{y + s * 0.8:.1f} "
            f"L{x - s:.1f},{y + s * 0.8:.1f} Z' fill='{CROSSING_COLOUR}' stroke='white' "
            f"stroke-width='0.8'><title>{escape(c.name)}: {fmt_number(seized)} guns seized of "
            f"{fmt_number(c.guns_attempted)} attempted this week</title></path>"
        )
        if seized > 0:
            out.append(
                f"<text x='{x + s + 1:.1f}' y='{y - 2:.1f}' font-size='9' "
                f"font-weight='bold' fill='{CROSSING_COLOUR}'>{fmt_number(seized)}</text>"
            )
    out.append("</g>")
    out.append("<g data-layer='labels' fill='#333' text-anchor='middle'>")
    for p in places:
        if p.kind == "us_state" or p.kind in HOME_KINDS:
            x, y = pos[p.place_id]
            dy = 12 + (place_radius(p.population) if p.kind in HOME_KINDS else 3)
            out.append(f"<text x='{x:.1f}' y='{y + dy:.1f}'>{escape(_short(p.name))}</text>")
    out.append("</g>")
    out.append(
        f"<text x='8' y='16' font-size='13' font-weight='500'>Week {model.week} "
        f"({model.year:.1f}): guns south, people north</text>"
    )
    out += _legend(map_w, height, guns, migrants)
    out.append("</svg>")
    return "".join(out)


def _legend(x0: float, height: float, guns: dict, migrants: dict) -> list[str]:
    x = x0 + 10
    g = max(guns.values(), default=0.0)
    m = max(migrants.values(), default=0.0)
    out = [
        "<g data-layer='legend' font-size='9' fill='#222'>",
        f"<text x='{x}' y='18' font-size='11' font-weight='500'>Legend</text>",
        f"<line x1='{x}' x2='{x + 22}' y1='34' y2='34' stroke='{GUN_COLOUR}' stroke-width='5' "
        "stroke-opacity='0.6'/>",
        f"<text x='{x + 26}' y='37'>guns moved south</text>",
        f"<text x='{x + 26}' y='48' fill='#666'>widest: {fmt_number(g)}/week</text>",
        f"<line x1='{x}' x2='{x + 22}' y1='64' y2='64' stroke='{MIGRANT_COLOUR}' "
        "stroke-width='4' stroke-opacity='0.6' stroke-dasharray='5 3'/>",
        f"<text x='{x + 26}' y='67'>migrants north</text>",
        f"<text x='{x + 26}' y='78' fill='#666'>widest: {fmt_number(m)}/week</text>",
        f"<path d='M{x + 11},88 L{x + 18},100 L{x + 4},100 Z' fill='{CROSSING_COLOUR}'/>",
        f"<text x='{x + 26}' y='97'>crossing; number:</text>",
        f"<text x='{x + 26}' y='108' fill='#666'>guns seized this week</text>",
        f"<rect x='{x + 6}' y='116' width='10' height='10' fill='{US_COLOUR}'/>",
        f"<text x='{x + 26}' y='125'>US source state</text>",
        f"<circle cx='{x + 11}' cy='142' r='{place_radius(1e6):.1f}' fill='#fd8d3c' "
        "stroke='#333' stroke-width='0.7'/>",
        f"<circle cx='{x + 11}' cy='170' r='{place_radius(9e6):.1f}' fill='#fd8d3c' "
        "stroke='#333' stroke-width='0.7'/>",
        f"<text x='{x + 26}' y='145'>1 M people</text>",
        f"<text x='{x + 26}' y='173'>9 M people</text>",
        f"<text x='{x}' y='206' font-size='10'>Homicides per 100k/yr</text>",
    ]
    top, bar_h = 214, min(140.0, height - 240)
    out.append(
        f"<rect x='{x}' y='{top}' width='14' height='{bar_h:.0f}' "
        "fill='url(#homicide-scale)' stroke='#666' stroke-width='0.5'/>"
    )
    for v in (0, 25, 50, 75, 100):
        y = top + bar_h * (1 - v / HOMICIDE_MAX)
        label = f"{v}+" if v == HOMICIDE_MAX else f"{v}"
        out.append(f"<text x='{x + 18}' y='{y + 3:.1f}'>{label}</text>")
    out.append("</g>")
    return out


def _finite(x: float | None) -> float:
    return float(x) if x is not None and math.isfinite(x) else 0.0


def _short(name: str) -> str:
    """Shorten a name for the map: the first item of a list of states, at most 16 chars."""
    first = name.split(",")[0].split("(")[0].strip()
    return first if len(first) <= 16 else first[:15] + "…"
