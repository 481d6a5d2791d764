"""Seeds: every run's seed is a child of one root seed, so a whole design replays from one number.

Replicate ``r`` of ``--seed S`` is child ``r`` of ``SeedSequence(S)``, whichever command runs
it (``run``, ``compare``, a sweep, the report, a calibration), so a run can be reproduced on
its own and paired runs (baseline and policy with the same ``r``) share their seed.
"""

from __future__ import annotations

import numpy as np


def run_seed(root_seed: int, seed_key: int) -> np.random.SeedSequence:
    """Return the seed of one run: child ``seed_key`` of ``SeedSequence(root_seed)``.

    The same as ``SeedSequence(root_seed).spawn(n)[seed_key]``, which is how ``iron-river run
    --seed ROOT_SEED --replicates n`` seeds its replicates.
    """
    return np.random.SeedSequence(root_seed, spawn_key=(seed_key,))


def replicate_seeds(seed: int, replicates: int) -> list[np.random.SeedSequence]:
    """Independent child seeds for each replicate."""
    return np.random.SeedSequence(seed).spawn(replicates)
