"""A tiny deterministic stand-in for the model, with the interface of experiments.binding.

Importable by worker subprocesses because the tests put this folder on PYTHONPATH.
"""

from __future__ import annotations

import time
import tomllib
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class P:
    default: object
    lo: float | None = None
    hi: float | None = None
    unit: str = ""
    help: str = ""


PARAMETERS = {
    "years": P(2, 1, 50, "years"),
    "scale": P(100, 1, 100_000, "people per agent"),
    "enforcement.us_southbound_interdiction": P(0.02, 0.0, 1.0, "fraction of loads"),
    "enforcement.straw_purchase_enforcement": P(0.1, 0.0, 1.0, "fraction"),
    "supply.states.US-TX.multiplier": P(1.0, 0.0, 10.0, ""),
    "test.sleep": P(0.0, 0.0, 10.0, "seconds per run"),
    "test.fail_interdiction": P(-1.0, -1.0, 1.0, "raise for this interdiction value"),
    "test.label": P("x"),
}
METRICS = ("us_border_arrivals", "homicides_total", "guns_delivered", "guns_trafficked_us_to_mx")
WEEKLY = ("arrivals", "guns_delivered", "homicides")


class ScenarioError(ValueError):
    pass


def _check(values):
    for k, v in values.items():
        if k not in PARAMETERS:
            raise ScenarioError(f"unknown key {k!r}")
        p = PARAMETERS[k]
        if (
            isinstance(v, (int, float))
            and not isinstance(v, bool)
            and p.lo is not None
            and not (p.lo <= v <= p.hi)
        ):
            raise ScenarioError(f"{k} = {v} outside [{p.lo}, {p.hi}]")


def load_base(path):
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    flat = {k: p.default for k, p in PARAMETERS.items()}
    _check(doc)
    flat.update(doc)
    return flat


def base_values(sc):
    return dict(sc)


def apply(sc, values):
    _check(values)
    return {**sc, **values}


def simulate(sc, seed):
    if sc["test.sleep"]:
        end = time.perf_counter() + sc["test.sleep"]
        while time.perf_counter() < end:  # busy, like a model
            pass
    x = sc["enforcement.us_southbound_interdiction"]
    if x == sc["test.fail_interdiction"]:
        raise RuntimeError(f"deliberate failure at interdiction {x}")
    straw = sc["enforcement.straw_purchase_enforcement"]
    rng = np.random.default_rng(seed)
    weeks = 52 * int(sc["years"])
    guns = 2000.0 * (1 - x) * (1 - 0.5 * straw) * rng.lognormal(0, 0.1, weeks) / 52
    homicides = (10 + 0.5 * guns) * rng.lognormal(0, 0.05, weeks)
    arrivals = 300 * (homicides / 60) ** 0.8 * rng.lognormal(0, 0.1, weeks)
    metrics = {
        "us_border_arrivals": float(arrivals.sum() / sc["years"]),
        "homicides_total": float(homicides.sum() / sc["years"]),
        "guns_delivered": float(guns.sum() / sc["years"]),
        "guns_trafficked_us_to_mx": float(guns.sum() / sc["years"] / (1 - x + 1e-9)),
    }
    return metrics, {"arrivals": arrivals, "guns_delivered": guns, "homicides": homicides}
