"""One look for every picture: country names and colours, series colours, map colours.

The CLI's figures (:mod:`.figures`) and the browser view (``iron_river.view``) both read these,
so Honduras is the same green in ``homicide_rates.png`` and in the view's chart. Country colours
are from the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies).
"""

from __future__ import annotations

COUNTRY_NAMES = {"MX": "Mexico", "GT": "Guatemala", "HN": "Honduras", "SV": "El Salvador"}
COUNTRY_COLOURS = {"MX": "#E69F00", "GT": "#56B4E9", "HN": "#009E73", "SV": "#CC79A7"}

# Weekly series drawn in figures and the view: colour and plain label.
SERIES: dict[str, tuple[str, str]] = {
    "guns_bought": ("#555555", "bought in US shops"),
    "guns_into_mexico": ("#e6550d", "crossed into Mexico"),
    "guns_delivered": ("#a50f15", "delivered to armed groups"),
    "guns_seized_us": ("#1f77b4", "seized, US southbound inspection"),
    "guns_seized_mx": ("#2ca02c", "seized, Mexican customs"),
    "guns_seized_gt_border": ("#9467bd", "seized, Mexico–Guatemala border"),
    "households_exposed": ("#7b3294", "households exposed"),
    "departures": ("#ff7f0e", "departures"),
    "arrivals": ("#1f5fbf", "arrivals at the US border"),
    "us_sourced_share_seized_mx": ("#8c564b", "US-sourced share"),
}


def compact(x: float) -> str:
    """A number as a reader wants it on a chart or map: 1.25M, 186k, 3,500, 0.25, 12."""
    ax = abs(x)
    if ax >= 1e6:
        return f"{x / 1e6:.3g}M"
    if ax >= 1e4:
        return f"{x / 1e3:.3g}k"
    if ax >= 100 or x == int(x):
        return f"{x:,.0f}"
    return f"{x:.3g}"


def colour(series: str) -> str:
    """The colour of a weekly series."""
    return SERIES[series][0]


def label(series: str) -> str:
    """The plain label of a weekly series."""
    return SERIES[series][1]


# Maps.
GUN_FLOW = "#a50f15"
MIGRANT_FLOW = "#1f5fbf"
US_STATE = "#6b7b8c"
CROSSING = "#222222"
LAND = "#f4f1ea"
LAND_EDGE = "#9a9a9a"
SEA = "#dbe8f1"
HOMICIDE_CMAP = "YlOrRd"
HOMICIDE_MAX = 100.0  # homicides per 100k per year at the top of the colour scale

# Readable names on maps: regions say which part of Mexico they are, crossings the city.
REGION_LABELS = {
    "MX-NOROESTE": "North-west (Sinaloa…)",
    "MX-OCCIDENTE": "West (Jalisco…)",
    "MX-CENTRO": "Centre (Mexico City…)",
    "MX-SUR": "South (Guerrero…)",
}


def place_label(place_id: str, name: str, kind: str) -> str:
    """A short, readable label for a place on a map (never its code)."""
    if place_id in REGION_LABELS:
        return REGION_LABELS[place_id]
    if kind == "crossing":
        return name.split("–")[0].split(" (")[0]
    return name
