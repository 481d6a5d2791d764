"""The map: places, routes and distances, read from the embedded data files.

Data is data: every place, route and trafficking source lives in a CSV under
``model/data`` with a ``source`` column. This module only reads those files and
answers the geographic questions the agents ask (shortest distances, paths).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

import networkx as nx

US_STATES = "us_state"
CROSSING = "crossing"
MX_STATE = "mx_state"
MX_REGION = "mx_region"
CA_COUNTRY = "ca_country"

COUNTRIES = ("MX", "GT", "HN", "SV")
MX_GT_CROSSING = "X-GT"


@dataclass(frozen=True, slots=True)
class PlaceRecord:
    """One row of ``places.csv``."""

    id: str
    name: str
    kind: str
    country: str
    lon: float
    lat: float
    population: int
    households: int | None
    homicide_rate_2019: float | None
    source: str

    @property
    def populated(self) -> bool:
        """Whether households live here (Mexican states/regions and Central America)."""
        return self.kind in (MX_STATE, MX_REGION, CA_COUNTRY)


@dataclass(frozen=True, slots=True)
class CountryRecord:
    """One row of ``countries.csv``: national totals the places add up to."""

    id: str
    name: str
    population: int
    households: int
    homicide_rate_2019: float
    firearm_share_homicides: float | None
    source: str


def _rows(name: str) -> list[dict[str, str]]:
    with resources.files("iron_river.world").joinpath("data", name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _num(text: str, kind: type = float) -> float | int | None:
    return kind(text) if text.strip() else None


@cache
def places() -> tuple[PlaceRecord, ...]:
    """All places of the map, in file order."""
    return tuple(
        PlaceRecord(
            id=r["id"],
            name=r["name"],
            kind=r["kind"],
            country=r["country"],
            lon=float(r["lon"]),
            lat=float(r["lat"]),
            population=int(r["population"] or 0),
            households=_num(r["households"], int),
            homicide_rate_2019=_num(r["homicide_rate_2019"]),
            source=r["source"],
        )
        for r in _rows("places.csv")
    )


@cache
def countries() -> dict[str, CountryRecord]:
    """National totals by country code (MX, GT, HN, SV)."""
    return {
        r["id"]: CountryRecord(
            id=r["id"],
            name=r["name"],
            population=int(r["population"]),
            households=int(r["households"]),
            homicide_rate_2019=float(r["homicide_rate_2019"]),
            firearm_share_homicides=_num(r["firearm_share_homicides"]),
            source=r["source"],
        )
        for r in _rows("countries.csv")
    }


@cache
def land() -> dict[str, tuple[tuple[tuple[float, float], ...], ...]]:
    """Country outlines for maps (``land.csv``): rings of (lon, lat) by country code."""
    rings: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for r in _rows("land.csv"):
        rings.setdefault((r["country"], r["ring"]), []).append((float(r["lon"]), float(r["lat"])))
    out: dict[str, list[tuple[tuple[float, float], ...]]] = {}
    for (country, _), points in rings.items():
        out.setdefault(country, []).append(tuple(points))
    return {c: tuple(r) for c, r in out.items()}


@cache
def source_shares() -> dict[str, float]:
    """Share of trafficking cells based in each US source state (``sources.csv``)."""
    return {r["id"]: float(r["cell_share"]) for r in _rows("sources.csv")}


def ids(kind: str) -> tuple[str, ...]:
    """Ids of the places of one kind, in file order."""
    return tuple(p.id for p in places() if p.kind == kind)


def us_crossings() -> tuple[str, ...]:
    """The southwest-border crossings (everything of kind crossing but the Mexico–Guatemala one)."""
    return tuple(c for c in ids(CROSSING) if c != MX_GT_CROSSING)


def populated_ids() -> tuple[str, ...]:
    """Places with households: Mexican states and regions, Guatemala, Honduras, El Salvador."""
    return tuple(p.id for p in places() if p.populated)


@cache
def graph() -> nx.Graph:
    """The route network: nodes are place ids, edges carry ``km``."""
    g = nx.Graph()
    for p in places():
        g.add_node(p.id, pos=(p.lon, p.lat))
    for r in _rows("routes.csv"):
        for end in (r["from"], r["to"]):
            if end not in g:
                raise ValueError(f"routes.csv: unknown place {end!r}")
        g.add_edge(r["from"], r["to"], km=float(r["km"]))
    return g


@cache
def _southbound_graph() -> nx.Graph:
    """Routes guns may use once in Mexico: no edge back into the US states."""
    g = graph().copy()
    g.remove_nodes_from(ids(US_STATES))
    return g


@cache
def distance_km(a: str, b: str) -> float:
    """Shortest road distance between two places (km)."""
    return float(nx.shortest_path_length(graph(), a, b, weight="km"))


@cache
def path(a: str, b: str) -> tuple[str, ...]:
    """Shortest path between two places, both ends included."""
    return tuple(nx.shortest_path(graph(), a, b, weight="km"))


@cache
def inland_km(crossing: str, market: str) -> float:
    """Distance from a crossing to a market place without passing back through the US."""
    return float(nx.shortest_path_length(_southbound_graph(), crossing, market, weight="km"))


@cache
def inland_path(crossing: str, market: str) -> tuple[str, ...]:
    """Path from a crossing to a market place without passing back through the US."""
    return tuple(nx.shortest_path(_southbound_graph(), crossing, market, weight="km"))
