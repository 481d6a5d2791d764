"""Shared fixtures: small, seeded runs of the real model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from iron_river.experiments.runs import simulate
from iron_river.experiments.seeds import replicate_seeds
from iron_river.outputs.record import Run
from iron_river.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


def small(
    path: str | None = None,
    *sets: str,
    years: int = 4,
    scale: float = 500,
    burn_in_years: int | None = None,
):
    """A scenario made cheap to run: fewer simulated households, fewer years."""
    extra = [] if burn_in_years is None else [f"burn_in_years={burn_in_years}"]
    return load_scenario(
        SCENARIOS / path if path else None, [f"years={years}", f"scale={scale}", *extra, *sets]
    )


def runs(scenario, n: int = 3, seed: int = 7) -> list[Run]:
    """``n`` replicates with seeds derived from ``seed``."""
    return [simulate(scenario, s) for s in replicate_seeds(seed, n)]


def mean(rs: list[Run], metric: str) -> float:
    """Mean of a summary metric over replicates."""
    return float(np.mean([r.metrics[metric] for r in rs]))


@pytest.fixture(scope="session")
def baseline_runs() -> list[Run]:
    return runs(small("baseline.toml", scale=200), n=4)


@pytest.fixture(scope="session")
def x100_runs() -> list[Run]:
    return runs(small("interdiction_x100.toml", scale=200), n=4)
