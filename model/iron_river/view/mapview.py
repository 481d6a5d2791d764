"""The map: places at their real coordinates, the last weeks' gun and migrant flows, seizures.

Drawn as SVG (see `iron_river.view.svg` for why) over the coast and national borders of
``world/data/land.csv`` (Natural Earth), the same outlines as the CLI's ``map.png``. What moves is
averaged over the last four weeks: at the view's scale a week's migrants come in lumps (a
simulated household stands for a thousand real ones), and a weekly map flickers. Places are
coloured by their homicide rate over those weeks on a fixed scale (so colours compare across
weeks and scenarios) and sized by population; US source states are grey squares; crossings are
triangles numbered with the guns seized there in the four weeks; gun flows are red curves and
migrant flows blue dashed curves bending the other way (width grows with the amount). Hovering
a place, crossing or flow shows its numbers. Colours come from :mod:`iron_river.outputs.style`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

import numpy as np

from iron_river.ledger import CROSSING_FIELDS, PLACE_FIELDS
from iron_river.outputs import style
from iron_river.view.svg import FONT, colour, fmt_number, gradient
from iron_river.world import geography

HOMICIDE_MAX = style.HOMICIDE_MAX
HOMICIDE_CMAP = style.HOMICIDE_CMAP
WEEKS = 4  # what the map averages over
EXTENT = (-121.0, -84.5, 11.8, 38.5)  # lon min, lon max, lat min, lat max
_SCALE = 15.0  # SVG units per degree of latitude
_COS = math.cos(math.radians(25.0))  # equirectangular projection true at 25°N
HOME_KINDS = ("mx_state", "mx_region", "ca_country")


def project(lon: float, lat: float) -> tuple[float, float]:
    """Map coordinates to SVG coordinates (equirectangular, north up)."""
    return (lon - EXTENT[0]) * _COS * _SCALE, (EXTENT[3] - lat) * _SCALE


def size() -> tuple[float, float]:
    """Width and height of the map drawing in SVG units (the legend sits on the Pacific)."""
    return project(EXTENT[1], EXTENT[2])


def place_radius(population: float) -> float:
    """Circle radius growing with the square root of population (1 M people -> 5.7 units)."""
    return 2.5 + 3.2 * math.sqrt(max(float(population), 0.0) / 1e6)


def flow_width(amount: float, largest: float, max_width: float = 7.0) -> float:
    """Stroke width from 0.8 to ``max_width``, growing with the square root of the amount."""
    return 0.8 + (max_width - 0.8) * math.sqrt(amount / largest) if largest > 0 else 0.8


def dashes(width: float) -> str:
    """A dash pattern that stays visibly dashed at any stroke width (butt caps, gap ≥ width)."""
    return f"{max(4.0, 2.5 * width):.1f} {max(3.0, 1.6 * width):.1f}"


def _totals(flows: Iterable[Sequence[Any]], known: dict[str, Any]) -> dict[tuple[str, str], float]:
    totals: dict[tuple[str, str], float] = {}
    for a, b, amount in flows:
        if amount > 0 and a in known and b in known and a != b:
            totals[(a, b)] = totals.get((a, b), 0.0) + float(amount)
    return totals


def _curve(p0: tuple[float, float], p1: tuple[float, float], bend: float) -> str:
    """Return a quadratic Bézier path from p0 to p1, its middle pushed sideways by ``bend``.

    Guns run crossing → market and migrants market → crossing; the same ``bend`` on the
    reversed direction curves to the other side, so a route used both ways shows two curves.
    """
    (x0, y0), (x1, y1) = p0, p1
    cx = (x0 + x1) / 2 - bend * (y1 - y0)
    cy = (y0 + y1) / 2 + bend * (x1 - x0)
    return f"M{x0:.1f},{y0:.1f} Q{cx:.1f},{cy:.1f} {x1:.1f},{y1:.1f}"


def _flows(model: Any, which: str) -> list[tuple[str, str, float]]:
    """The flows to draw: the last weeks' mean when the model keeps them, else this week's."""
    smoothed = getattr(model, "smoothed_flows", None)
    if smoothed is not None:
        return smoothed(which)
    return list(model.gun_flows if which == "gun" else model.migrant_flows)


def recent_places(model: Any) -> dict[str, dict[str, float]]:
    """Per populated place, the last :data:`WEEKS` weeks' means (from the ledger).

    Keys: ``rate`` (homicides per 100k a year), ``population``, and per week
    ``guns_delivered`` and ``departures``.
    """
    rows = getattr(model.ledger, "place_rows", [])[-WEEKS:]
    ids = model.ledger.place_ids
    if not rows:
        return {}
    a = np.mean(rows, axis=0)
    f = {name: PLACE_FIELDS.index(name) for name in PLACE_FIELDS}
    out = {}
    for j, pid in enumerate(ids):
        pop = a[j, f["population"]]
        out[pid] = {
            "rate": a[j, f["homicides"]] * 52 / pop * 1e5 if pop > 0 else 0.0,
            "population": pop,
            "guns_delivered": a[j, f["guns_delivered"]],
            "departures": a[j, f["departures"]],
        }
    return out


def recent_seizures(model: Any) -> dict[str, tuple[float, float]]:
    """Per crossing: (guns seized, guns attempted) summed over the last :data:`WEEKS` weeks."""
    rows = getattr(model.ledger, "crossing_rows", [])[-WEEKS:]
    if not rows:
        return {}
    a = np.sum(rows, axis=0)
    seized, attempted = (
        CROSSING_FIELDS.index("guns_seized"),
        CROSSING_FIELDS.index("guns_attempted"),
    )
    return {cid: (a[j, seized], a[j, attempted]) for j, cid in enumerate(model.ledger.crossing_ids)}


def _land() -> list[str]:
    out = [
        f"<g data-layer='land' fill='{style.LAND}' stroke='{style.LAND_EDGE}' stroke-width='0.8'>"
    ]
    for country, rings in geography.land().items():
        for ring in rings:
            pts = " ".join("{:.1f},{:.1f}".format(*project(lon, lat)) for lon, lat in ring)
            out.append(f"<polygon points='{pts}'><title>{escape(country)}</title></polygon>")
    out.append("</g>")
    return out


def _flows_svg(
    totals: dict[tuple[str, str], float],
    pos: dict[str, tuple[float, float]],
    names: dict[str, str],
    *,
    colour_: str,
    max_width: float,
    dashed: bool,
    what: str,
    kind: str,
) -> list[str]:
    largest = max(totals.values(), default=0.0)
    cap = "butt" if dashed else "round"
    out = [
        f"<g data-layer='{kind}' fill='none' stroke='{colour_}' stroke-opacity='0.7' "
        f"stroke-linecap='{cap}'>"
    ]
    for (a, b), amount in sorted(totals.items(), key=lambda kv: kv[1]):
        w = flow_width(amount, largest, max_width)
        dash = f" stroke-dasharray='{dashes(w)}'" if dashed else ""
        out.append(
            f"<path d='{_curve(pos[a], pos[b], 0.12)}' stroke-width='{w:.2f}'{dash}>"
            f"<title>{escape(names[a])} → {escape(names[b])}: {fmt_number(amount)} {what} "
            f"a week ({WEEKS}-week mean)</title></path>"
        )
    out.append("</g>")
    return out


def map_svg(model: Any) -> str:
    """Draw the model's last weeks as an SVG map.

    Args:
        model: an ``IronRiverModel`` (reads ``places``, ``crossings``, the ledger, the flows,
            ``week`` and ``year``).

    Returns:
        The ``<svg>`` element as text; it scales to the width of its container.
    """
    places: Sequence[Any] = model.places
    pos = {p.place_id: project(p.lon, p.lat) for p in places}
    names = {p.place_id: style.place_label(p.place_id, p.name, p.kind) for p in places}
    width, height = size()
    recent = recent_places(model)
    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width:.0f} {height:.0f}' "
        "width='100%' style='display:block' data-chart='map' "
        f"{FONT} font-size='9'>",
        f"<defs>{gradient(HOMICIDE_CMAP, 'homicide-scale')}</defs>",
        f"<rect width='{width:.0f}' height='{height:.0f}' fill='{style.SEA}'/>",
        *_land(),
    ]
    for lon in range(-120, -85, 5):
        x, _ = project(lon, 0)
        out.append(f"<text x='{x + 2:.1f}' y='{height - 3:.0f}' fill='#8a97a3'>{-lon}°W</text>")
    for lat in range(15, 39, 5):
        _, y = project(0, lat)
        out.append(f"<text x='{width - 26:.0f}' y='{y - 2:.1f}' fill='#8a97a3'>{lat}°N</text>")

    guns = _totals(_flows(model, "gun"), pos)
    migrants = _totals(_flows(model, "migrant"), pos)
    out += _flows_svg(
        guns,
        pos,
        names,
        colour_=style.GUN_FLOW,
        max_width=8.0,
        dashed=False,
        what="guns",
        kind="gun-flows",
    )
    out += _flows_svg(
        migrants,
        pos,
        names,
        colour_=style.MIGRANT_FLOW,
        max_width=6.0,
        dashed=True,
        what="persons",
        kind="migrant-flows",
    )

    out.append("<g data-layer='places' stroke='#333' stroke-width='0.7'>")
    for p in places:
        x, y = pos[p.place_id]
        if p.kind == "us_state":
            out.append(
                f"<rect x='{x - 5:.1f}' y='{y - 5:.1f}' width='10' height='10' "
                f"fill='{style.US_STATE}' stroke='white'><title>{escape(p.name)}: US source "
                "state</title></rect>"
            )
        elif p.kind in HOME_KINDS:
            r = recent.get(p.place_id, {})
            rate = _finite(r.get("rate", p.homicide_rate))
            people = r.get("population", p.population)
            out.append(
                f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{place_radius(people):.1f}' "
                f"fill='{colour(rate, 0.0, HOMICIDE_MAX, HOMICIDE_CMAP)}' fill-opacity='0.92'>"
                f"<title>{escape(p.name)}: {rate:.1f} homicides per 100k a year; "
                f"{fmt_number(people)} people at home; a week: "
                f"{fmt_number(r.get('guns_delivered', 0.0))} guns delivered, "
                f"{fmt_number(r.get('departures', 0.0))} departures ({WEEKS}-week mean)"
                "</title></circle>"
            )
    out.append("</g>")
    seizures = recent_seizures(model)
    out.append("<g data-layer='crossings'>")
    for c in model.crossings:
        x, y = pos[c.place_id]
        seized, attempted = seizures.get(c.place_id, (0.0, 0.0))
        s = 4.0 + 1.2 * math.sqrt(seized)
        out.append(
            f"<path d='M{x:.1f},{y - s:.1f} L{x + s:.1f},{y + s * 0.8:.1f} "
            f"L{x - s:.1f},{y + s * 0.8:.1f} Z' fill='{style.CROSSING}' stroke='white' "
            f"stroke-width='0.8'><title>{escape(c.name)}: {fmt_number(seized)} guns seized of "
            f"{fmt_number(attempted)} attempted in the last {WEEKS} weeks</title></path>"
        )
        if seized > 0:
            out.append(
                f"<text x='{x + s + 1:.1f}' y='{y - 2:.1f}' font-size='9' "
                f"font-weight='bold' fill='{style.CROSSING}'>{fmt_number(seized)}</text>"
            )
    out.append("</g>")
    out.append(
        "<g data-layer='labels' fill='#333' text-anchor='middle' stroke='white' "
        "stroke-width='2.2' paint-order='stroke' stroke-linejoin='round'>"
    )
    for p in places:
        if p.kind == "us_state" or p.kind in HOME_KINDS:
            x, y = pos[p.place_id]
            people = recent.get(p.place_id, {}).get("population", p.population)
            dy = 11 + (place_radius(people) if p.kind in HOME_KINDS else 3)
            out.append(f"<text x='{x:.1f}' y='{y + dy:.1f}'>{escape(names[p.place_id])}</text>")
    out.append("</g>")
    out.append(
        f"<text x='8' y='16' font-size='13' font-weight='500'>Week {model.week} "
        f"(year {model.year:+.1f}), {WEEKS}-week means</text>"
    )
    out += _legend(height, guns, migrants)
    out.append("</svg>")
    return "".join(out)


def _legend(height: float, guns: dict, migrants: dict) -> list[str]:
    """The legend and colour bar, on the Pacific in the lower left corner."""
    g = max(guns.values(), default=0.0)
    m = max(migrants.values(), default=0.0)
    x, y0 = 8.0, height - 138
    mw = flow_width(m, m, 6.0) if m else 3.0
    out = [
        "<g data-layer='legend' font-size='9' fill='#222'>",
        f"<rect x='{x - 4}' y='{y0 - 13}' width='176' height='148' rx='4' fill='white' "
        "fill-opacity='0.9' stroke='#ccd'/>",
        f"<text x='{x}' y='{y0}' font-size='10' font-weight='500'>"
        f"Legend ({WEEKS}-week means)</text>",
        f"<line x1='{x}' x2='{x + 22}' y1='{y0 + 10}' y2='{y0 + 10}' stroke='{style.GUN_FLOW}' "
        "stroke-width='5' stroke-opacity='0.7'/>",
        f"<text x='{x + 27}' y='{y0 + 13}'>guns south, widest {fmt_number(g)} a week</text>",
        f"<line x1='{x}' x2='{x + 22}' y1='{y0 + 24}' y2='{y0 + 24}' "
        f"stroke='{style.MIGRANT_FLOW}' stroke-width='{mw:.1f}' stroke-opacity='0.7' "
        f"stroke-linecap='butt' stroke-dasharray='{dashes(mw)}'/>",
        f"<text x='{x + 27}' y='{y0 + 27}'>migrants north, widest {fmt_number(m)} a week</text>",
        f"<path d='M{x + 11},{y0 + 32} L{x + 17},{y0 + 42} L{x + 5},{y0 + 42} Z' "
        f"fill='{style.CROSSING}'/>",
        f"<text x='{x + 27}' y='{y0 + 41}'>crossing: guns seized in {WEEKS} weeks</text>",
        f"<rect x='{x + 6}' y='{y0 + 47}' width='10' height='10' fill='{style.US_STATE}'/>",
        f"<text x='{x + 27}' y='{y0 + 55}'>US source state</text>",
        f"<circle cx='{x + 11}' cy='{y0 + 72}' r='{place_radius(1e6):.1f}' fill='#fd8d3c' "
        "stroke='#333' stroke-width='0.7'/>",
        f"<text x='{x + 27}' y='{y0 + 75}'>1 M people</text>",
        f"<circle cx='{x + 98}' cy='{y0 + 72}' r='{place_radius(9e6):.1f}' fill='#fd8d3c' "
        "stroke='#333' stroke-width='0.7'/>",
        f"<text x='{x + 114}' y='{y0 + 75}'>9 M</text>",
        f"<text x='{x}' y='{y0 + 96}' font-size='9.5'>Homicides per 100k a year</text>",
        f"<rect x='{x}' y='{y0 + 100}' width='150' height='9' fill='url(#homicide-scale-h)' "
        "stroke='#666' stroke-width='0.5'/>",
    ]
    out.insert(1, f"<defs>{_horizontal_gradient()}</defs>")
    for v in (0, 25, 50, 75, 100):
        xx = x + 150 * v / HOMICIDE_MAX
        label = f"{v}+" if v == HOMICIDE_MAX else f"{v}"
        out.append(f"<text x='{xx:.1f}' y='{y0 + 119}' text-anchor='middle'>{label}</text>")
    out.append(f"<text x='{x}' y='{y0 + 131}' fill='#666'>grey lines: coast and borders</text>")
    out.append("</g>")
    return out


def _horizontal_gradient() -> str:
    stops = "".join(
        f"<stop offset='{f:.3f}' stop-color='{colour(f, 0.0, 1.0, HOMICIDE_CMAP)}'/>"
        for f in np.linspace(0, 1, 9)
    )
    return (
        f"<linearGradient id='homicide-scale-h' x1='0' y1='0' x2='1' y2='0'>{stops}"
        "</linearGradient>"
    )


def _finite(x: float | None) -> float:
    return float(x) if x is not None and math.isfinite(x) else 0.0
