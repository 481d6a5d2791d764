"""Figures of a scenario run: guns, homicide rates, arrivals with their spread, and a map."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from iron_river.ledger import PLACE_FIELDS
from iron_river.outputs.record import Run
from iron_river.scenario import IronRiverScenario
from iron_river.world import geography
from iron_river.world.geography import COUNTRIES

COUNTRY_NAMES = {"MX": "Mexico", "GT": "Guatemala", "HN": "Honduras", "SV": "El Salvador"}


def _stack(runs: list[Run], key: str) -> np.ndarray:
    return np.array([r.weekly[key] for r in runs], dtype=float)


def _years(runs: list[Run]) -> np.ndarray:
    return np.asarray(runs[0].weekly["year"], dtype=float)


def _smooth(x: np.ndarray, k: int = 4) -> np.ndarray:
    """Trailing k-week mean (over fewer weeks at the start, so the ends are not pulled down)."""
    c = np.concatenate([[0.0], np.cumsum(np.asarray(x, dtype=float))])
    i = np.arange(len(x))
    return (c[i + 1] - c[np.maximum(i + 1 - k, 0)]) / np.minimum(i + 1, k)


def write_all(folder: Path, scenario: IronRiverScenario, runs: list[Run]) -> None:
    """Write every figure of the run into ``folder``."""
    guns(folder / "guns.png", scenario, runs)
    homicide_rates(folder / "homicide_rates.png", scenario, runs)
    arrivals(folder / "arrivals.png", scenario, runs)
    map_figure(folder / "map.png", scenario, runs)


def guns(path: Path, scenario: IronRiverScenario, runs: list[Run]) -> None:
    """Guns bought, seized (US side, Mexican side) and delivered to gangs, per week."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    t = _years(runs)
    for key, label in (
        ("guns_bought", "bought in US shops"),
        ("guns_delivered", "delivered to gangs"),
        ("guns_seized_us", "seized, US southbound"),
        ("guns_seized_mx", "seized, Mexican customs"),
    ):
        ax.plot(t, _smooth(_stack(runs, key).mean(0)), label=label)
    ax.set_yscale("symlog", linthresh=10)
    ax.set(
        xlabel="year of the measured period",
        ylabel="guns per week (4-week mean)",
        title=f"Guns south — {scenario.name} (mean of {len(runs)} replicates)",
    )
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def homicide_rates(path: Path, scenario: IronRiverScenario, runs: list[Run]) -> None:
    """Homicide rate per 100,000 by country."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    t = _years(runs)
    for c in COUNTRIES:
        ax.plot(t, _smooth(_stack(runs, f"homicide_rate_{c}").mean(0), 13), label=COUNTRY_NAMES[c])
    ax.set(
        xlabel="year of the measured period",
        ylabel="homicides per 100k per year (13-week mean)",
        title=f"Homicide rates — {scenario.name}",
    )
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def arrivals(path: Path, scenario: IronRiverScenario, runs: list[Run]) -> None:
    """Arrivals at the US border per week: mean and the 5–95% spread across replicates."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    t = _years(runs)
    a = np.array([_smooth(x) for x in _stack(runs, "arrivals")])
    ax.fill_between(
        t, np.percentile(a, 5, 0), np.percentile(a, 95, 0), alpha=0.3, label="5–95% of replicates"
    )
    ax.plot(t, a.mean(0), label="mean")
    ax.set(
        xlabel="year of the measured period",
        ylabel="persons per week (4-week mean)",
        title=f"Arrivals at the US border — {scenario.name}",
    )
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def map_figure(path: Path, scenario: IronRiverScenario, runs: list[Run]) -> None:
    """Places by coordinates, coloured by homicide rate and sized by population, with flows."""
    recs = {p.id: p for p in geography.places()}
    fig, ax = plt.subplots(figsize=(9, 7))
    years = len(runs[0].weekly["week"]) / 52.0
    gun = {}
    for r in runs:
        for k, v in r.gun_legs.items():
            gun[k] = gun.get(k, 0.0) + v / years / len(runs)
    top = max(gun.values(), default=1.0)
    for (a, b), g in gun.items():
        if g > top * 0.01:
            ax.plot(
                [recs[a].lon, recs[b].lon],
                [recs[a].lat, recs[b].lat],
                color="firebrick",
                lw=0.5 + 6 * g / top,
                alpha=0.5,
                zorder=1,
            )
    mig = {}
    for r in runs:
        for k, v in r.migrant_legs.items():
            mig[k] = mig.get(k, 0.0) + v / years / len(runs)
    mtop = max(mig.values(), default=1.0)
    for (a, b), p in mig.items():
        if p > mtop * 0.02:
            ax.annotate(
                "",
                xy=(recs[b].lon, recs[b].lat),
                xytext=(recs[a].lon, recs[a].lat),
                arrowprops={
                    "arrowstyle": "->",
                    "color": "steelblue",
                    "lw": 0.5 + 4 * p / mtop,
                    "alpha": 0.5,
                },
                zorder=2,
            )
    ids = runs[0].place_ids
    h = PLACE_FIELDS.index("homicides")
    pop = PLACE_FIELDS.index("population")
    hom = np.mean([r.places[:, :, h].sum(0) / years for r in runs], axis=0)
    people = np.mean([r.places[:, :, pop].mean(0) for r in runs], axis=0)
    rate = hom / np.maximum(people, 1) * 1e5
    sc = ax.scatter(
        [recs[i].lon for i in ids],
        [recs[i].lat for i in ids],
        c=rate,
        cmap="Reds",
        s=20 + people / 1e5,
        edgecolor="k",
        zorder=3,
        vmin=0,
    )
    fig.colorbar(sc, ax=ax, label="homicides per 100k per year")
    others = [p for p in geography.places() if p.id not in ids]
    ax.scatter(
        [p.lon for p in others], [p.lat for p in others], marker="s", c="grey", s=25, zorder=3
    )
    for p in geography.places():
        ax.annotate(p.id, (p.lon, p.lat), fontsize=6, xytext=(3, 3), textcoords="offset points")
    ax.plot([], [], color="firebrick", lw=3, label="guns south (width ∝ guns/year)")
    ax.plot([], [], color="steelblue", lw=3, label="migrants north (width ∝ persons/year)")
    ax.scatter([], [], marker="s", c="grey", label="US source state / crossing")
    ax.legend(loc="lower left", fontsize=8)
    ax.set(xlabel="longitude", ylabel="latitude", title=f"The iron river — {scenario.name}")
    ax.set_aspect("equal")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
