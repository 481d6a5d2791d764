"""Running the model: one seeded replicate, or several with independent seeds.

Replicate seeds are spawned from the user's seed with numpy's ``SeedSequence``, so
replicates are independent and the whole set is reproducible from one number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

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


def simulate(
    scenario: IronRiverScenario,
    seed: int | np.random.SeedSequence,
    on_week: Callable[[IronRiverModel], None] | None = None,
) -> Run:
    """Run one replicate of ``scenario`` to the end of its measured period."""
    model = IronRiverModel(scenario, rng=seed)
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
    )


def replicate_seeds(seed: int, replicates: int) -> list[np.random.SeedSequence]:
    """Independent child seeds for each replicate."""
    return np.random.SeedSequence(seed).spawn(replicates)
