"""Running the model: one seeded replicate, or several with independent seeds.

Replicate seeds are spawned from the user's seed with numpy's ``SeedSequence``, so
replicates are independent and the whole set is reproducible from one number.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import cache

import numpy as np
from tqdm import tqdm

from iron_river.experiments.seeds import replicate_seeds
from iron_river.model import IronRiverModel
from iron_river.outputs.metrics import summarise
from iron_river.outputs.record import Run
from iron_river.scenario import IronRiverScenario


def simulate(
    scenario: IronRiverScenario,
    seed: int | np.random.SeedSequence,
    on_week: Callable[[IronRiverModel], None] | None = None,
    households_sample: int = 0,
    measured_only: bool = True,
) -> Run:
    """Run one replicate of ``scenario`` to the end of its measured period.

    Args:
        scenario: the scenario to run.
        seed: the replicate's seed.
        on_week: called after every week (progress bars).
        households_sample: keep the weekly trajectories of this many random households, drawn
            with a generator of their own so that the run itself is unchanged.
        measured_only: weekly series of the measured period only (``False``: the burn-in too;
            the summary metrics are always over the measured period).
    """
    model = IronRiverModel(scenario, rng=seed)
    if households_sample:
        picker = np.random.default_rng(_side_seed(seed))
        n = min(households_sample, model.households.n)
        model.ledger.sample_rows = np.sort(picker.choice(model.households.n, n, replace=False))
    while model.running:
        model.step()
        if on_week is not None:
            on_week(model)
    ledger = model.ledger
    weekly = ledger.series()
    return Run(
        seed,
        summarise(weekly),
        weekly if measured_only else ledger.series(measured_only=False),
        ledger.place_array(),
        ledger.crossing_array(),
        ledger.place_ids,
        ledger.crossing_ids,
        dict(ledger.gun_totals),
        dict(ledger.migrant_totals),
        np.concatenate(ledger.sample) if ledger.sample else None,
        model.parameter_source,
    )


def _side_seed(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    """A seed for side draws (household sampling) that leaves the model's stream untouched."""
    if isinstance(seed, np.random.SeedSequence):
        return np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, 2**31))
    return np.random.SeedSequence(seed, spawn_key=(2**31,))


def run_replicates(
    scenario: IronRiverScenario,
    seed: int,
    replicates: int,
    quiet: bool = False,
    households_sample: int = 0,
) -> list[Run]:
    """Run the replicates with a progress bar on stderr (weeks, and household-steps per second)."""
    weeks = (scenario.burn_in_years + scenario.years) * 52
    runs: list[Run] = []
    start = time.perf_counter()
    with tqdm(
        total=weeks * replicates,
        unit="wk",
        disable=quiet,
        desc=scenario.name,
        file=sys.stderr,
        # a log file (CI, a batch job) gets a line every 30 s, not a redrawn bar twice a second
        mininterval=0.5 if sys.stderr.isatty() else 30.0,
    ) as bar:

        def tick(model: IronRiverModel) -> None:
            bar.update(1)
            if model.week % 13 == 0:
                rate = bar.n * model.households.n / (time.perf_counter() - start)
                bar.set_postfix_str(  # shown at the bar's next refresh (its interval holds)
                    f"replicate {len(runs) + 1}/{replicates}, {rate / 1e6:.1f}M household-steps/s",
                    refresh=False,
                )

        for child in replicate_seeds(seed, replicates):  # tick() reads len(runs) as it goes
            runs.append(  # noqa: PERF401
                simulate(scenario, child, on_week=tick, households_sample=households_sample)
            )
    return runs


@cache
def _names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Names of the summary metrics and weekly series a run produces (from a one-week run)."""
    tiny = IronRiverScenario().with_values({"scale": 100000.0, "years": 1, "burn_in_years": 0})
    model = IronRiverModel(tiny, rng=0)
    model.step()
    weekly = model.ledger.series(measured_only=False)
    return tuple(summarise(weekly)), tuple(k for k in weekly if k != "measured")


def __getattr__(name: str) -> tuple[str, ...]:
    """``METRICS`` and ``WEEKLY``: what a run reports, for checking names before a sweep runs."""
    if name == "METRICS":
        return _names()[0]
    if name == "WEEKLY":
        return _names()[1]
    raise AttributeError(name)
