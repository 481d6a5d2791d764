"""Household rule: plain Mesa (one Agent per household) against the numpy arrays, side by side.

    .venv/bin/python benchmarks/households.py            # about a minute
    .venv/bin/python benchmarks/households.py --sizes 10000,100000 --weeks 52 --mesa-weeks 10

The rule is the one the oracle test compares (``tests/reference_households.py``): violence
landing on households at home, exposure memory, the migration hazard and its attribution.
Two sets of weekly inputs:

- ``model``: the per-place violence, homicide rates and base hazards of the baseline model
  after half a year (its 68 places), with the population scaled to N households — the
  workload the model really has;
- ``dense``: the oracle test's four places, with events and hazards raised 10-20x (many
  more events and departures per household: the numpy side has more to do).

Household-steps per second = households x weeks / seconds spent stepping (construction
excluded; best of ``--repeats``). Bytes per household: ``Households.nbytes() / N`` for the
arrays, ``tracemalloc`` growth while building the Mesa model / N for the agents.
This is a benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import platform
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import mesa
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from iron_river.migration.households import Households, per_place_inputs  # noqa: E402
from iron_river.model import IronRiverModel  # noqa: E402
from tests.reference_households import (  # noqa: E402
    ReferenceModel,
    RuleInputs,
    numpy_week,
    population,
    rule_inputs,
)

TARGET_RATIO = 100.0


def model_workload(warm_weeks: int = 26) -> Callable[[int], tuple[Households, RuleInputs]]:
    """Inputs taken from the baseline model; returns a builder of N-household populations."""
    model = IronRiverModel(rng=1, burn_in_years=0)
    for _ in range(warm_weeks):
        model.step()
    p = model.params
    exp, mig = p.exposure, p.migration
    markets = model.markets
    events_real = np.stack(
        [
            np.array([pl.homicides for pl in markets], dtype=float) * exp.households_per_homicide,
            np.array([pl.extortion for pl in markets], dtype=float),
            np.array([pl.recruitment for pl in markets], dtype=float),
        ],
        1,
    )
    ambient = np.array([pl.expected_homicide_rate for pl in markets])
    base = np.array([mig.countries[pl.country].base_hazard_per_year for pl in markets])
    real, size = per_place_inputs(model.market_ids)
    hc = p.households.countries
    by = [hc[pl.country] for pl in markets]

    def build(n: int, seed: int = 0) -> tuple[Households, RuleInputs]:
        hh = Households(
            model.market_ids,
            real,
            size,
            np.array([h.children_share for h in by]),
            np.array([h.poverty_share for h in by]),
            np.array([h.relatives_abroad_share for h in by]),
            mig.network_tie_years * 52,
            real.sum() / n,
            np.random.default_rng(seed),
        )
        inputs = RuleInputs(
            events=events_real / hh.scale,
            weights=np.array([1.0, 1.0, mig.recruitment_weight]),
            children_only=np.array([False, False, True]),
            base=base,
            ambient=ambient,
            migration=mig,
            half_life=exp.memory_half_life_weeks,
        )
        return hh, inputs

    return build


def dense_workload(n: int, seed: int = 0) -> tuple[Households, RuleInputs]:
    hh = population(n, seed)
    return hh, rule_inputs(hh)


def time_numpy(build, n: int, weeks: int, repeats: int) -> tuple[float, float, float]:
    """Best household-steps/s, bytes per household, departures per week."""
    best, departures = np.inf, 0.0
    for r in range(repeats):
        hh, inputs = build(n, r)
        rng = np.random.default_rng(r)
        gc.collect()
        t = time.perf_counter()
        for week in range(weeks):
            departures += numpy_week(hh, inputs, week, rng).departures.sum()
        best = min(best, time.perf_counter() - t)
    return hh.n * weeks / best, hh.nbytes() / hh.n, departures / (repeats * weeks)


def time_mesa(build, n: int, weeks: int, repeats: int) -> tuple[float, float]:
    """Best household-steps/s, bytes per household (tracemalloc while building)."""
    best = np.inf
    for r in range(repeats):
        hh, inputs = build(n, r)
        model = ReferenceModel.like(hh, inputs, rng=r)
        gc.collect()
        t = time.perf_counter()
        for _ in range(weeks):
            model.step()
        best = min(best, time.perf_counter() - t)
        model.remove_all_agents()
        del model
    hh, inputs = build(n, 0)
    place, children, poor, t_network = (
        hh.place.copy(),
        hh.children.copy(),
        hh.poor.copy(),
        hh.t_network.copy(),
    )
    del hh
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    model = ReferenceModel(place, children, poor, t_network, inputs, rng=0)
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    n_agents = len(model.agents)
    model.remove_all_agents()
    return n_agents * weeks / best, grown / n_agents


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000", help="households, comma-separated")
    ap.add_argument("--weeks", type=int, default=52, help="weeks stepped by the numpy rule")
    ap.add_argument("--mesa-weeks", type=int, default=10, help="weeks stepped by Mesa")
    ap.add_argument("--repeats", type=int, default=3, help="best of this many")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    print(
        f"python {platform.python_version()}, numpy {np.__version__}, mesa {mesa.__version__}, "
        f"{platform.machine()}, best of {args.repeats}; "
        f"numpy {args.weeks} weeks, Mesa {args.mesa_weeks} weeks"
    )
    workloads = {"model": model_workload(), "dense": dense_workload}
    header = (
        f"{'inputs':<6} {'households':>10} {'Mesa steps/s':>13} {'numpy steps/s':>14} "
        f"{'ratio':>7} {'Mesa B/hh':>10} {'numpy B/hh':>10} {'departures/wk':>13}  target"
    )
    print(header)
    print("-" * len(header))
    for name, build in workloads.items():
        for n in sizes:
            np_rate, np_bytes, deps = time_numpy(build, n, args.weeks, args.repeats)
            mesa_rate, mesa_bytes = time_mesa(build, n, args.mesa_weeks, args.repeats)
            ratio = np_rate / mesa_rate
            verdict = "met" if ratio >= TARGET_RATIO else "MISSED"
            print(
                f"{name:<6} {n:>10,} {mesa_rate:>13,.0f} {np_rate:>14,.0f} {ratio:>6.0f}x "
                f"{mesa_bytes:>10.0f} {np_bytes:>10.1f} {deps:>13.1f}  >= {TARGET_RATIO:.0f}x "
                f"{verdict}",
                flush=True,
            )


if __name__ == "__main__":
    main()
