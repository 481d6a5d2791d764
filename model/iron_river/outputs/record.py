"""The record of one replicate: what the ledger kept of its measured period, ready to write."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


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
    parameters: dict = field(default_factory=dict)  # where its parameters came from (posterior)
