"""Running the model: one seeded replicate, or several with independent seeds.

Replicate seeds are spawned from the user's seed with numpy's ``SeedSequence``, so
replicates are independent and the whole set is reproducible from one number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from iron_river.metrics import summarise
from iron_river.model import IronRiverModel
from iron_river.scenario import IronRiverScenario


@dataclass
class Run:
    """What one replicate produced (measured period only)."""

    seed: int | np.random.SeedSequence
    metrics: dict[str, float]
    weekly: dict[str, np.ndarray]
    places: np.ndarray  # weeks × places × PLACE_FIELDS
    crossings: np.ndarray  # weeks × crossings × CROSSING_FIELDS
    place_ids: list[str] = field(default_factory=list)
    crossing_ids: list[str] = field(default_factory=list)
    gun_legs: dict[tuple[str, str], float] = field(default_factory=dict)
    migrant_legs: dict[tuple[str, str], float] = field(default_factory=dict)
    household_sample: np.ndarray | None = None  # weeks·N × SAMPLE_FIELDS, if asked for


def simulate(
    scenario: IronRiverScenario,
    seed: int | np.random.SeedSequence,
    on_week: Callable[[IronRiverModel], None] | None = None,
    households_sample: int = 0,
) -> Run:
    """Run one replicate of ``scenario`` to the end of its measured period.

    Args:
        scenario: the scenario to run.
        seed: the replicate's seed.
        on_week: called after every week (progress bars).
        households_sample: keep the weekly trajectories of this many random households, drawn
            with a generator of their own so that the run itself is unchanged.
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
        weekly,
        ledger.place_array(),
        ledger.crossing_array(),
        ledger.place_ids,
        ledger.crossing_ids,
        dict(ledger.gun_totals),
        dict(ledger.migrant_totals),
        np.concatenate(ledger.sample) if ledger.sample else None,
    )


def _side_seed(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    """A seed for side draws (household sampling) that leaves the model's stream untouched."""
    if isinstance(seed, np.random.SeedSequence):
        return np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, 2**31))
    return np.random.SeedSequence(seed, spawn_key=(2**31,))


def replicate_seeds(seed: int, replicates: int) -> list[np.random.SeedSequence]:
    """Independent child seeds for each replicate."""
    return np.random.SeedSequence(seed).spawn(replicates)


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
