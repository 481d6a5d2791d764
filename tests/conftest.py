"""Shared fixtures: small, seeded runs of the real model."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
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
    parameters: str = "defaults",
):
    """A scenario made cheap to run: fewer simulated households, fewer years.

    Mechanism tests run one known parameter set (the schema defaults) unless told otherwise:
    a response they check is the mechanism's at that point; what the posterior's worlds do is
    checked in ``test_posterior.py`` and ``test_answer.py``.
    """
    extra = [] if burn_in_years is None else [f"burn_in_years={burn_in_years}"]
    return load_scenario(
        SCENARIOS / path if path else None,
        [f"parameters={parameters}", f"years={years}", f"scale={scale}", *extra, *sets],
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


# ---------------------------------------------------------------------------- Slurm


@functools.cache
def slurm_missing() -> str | None:
    """Why no Slurm can take jobs here (None: one can)."""
    if shutil.which("sbatch") is None or shutil.which("sinfo") is None:
        return "no Slurm here (sbatch/sinfo not on PATH); start one with .ci/slurm-up (root)"
    try:
        r = subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return "sinfo did not answer within 20 s: slurmctld is not running (.ci/slurm-up)"
    states = r.stdout.split()
    if r.returncode != 0 or not any(s in ("idle", "mix", "alloc", "comp") for s in states):
        said = (r.stdout + r.stderr).strip() or "nothing"
        return f"no Slurm node takes jobs (sinfo: {said}); start one with .ci/slurm-up (root)"
    return None


@pytest.hookimpl(tryfirst=True)  # before fixtures submit anything
def pytest_runtest_setup(item):
    if item.get_closest_marker("slurm") is None:
        return
    reason = slurm_missing()
    if reason is None:
        return
    if os.environ.get("IRON_RIVER_REQUIRE_SLURM") == "1":
        pytest.fail(f"IRON_RIVER_REQUIRE_SLURM=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def assert_described(folder: Path) -> None:
    """Every file and every CSV column of a tool's folder has a data dictionary entry."""
    text = (folder / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    assert "no entry" not in text, text
    for path in folder.iterdir():
        if path.is_file():
            assert f"`{path.name}`" in text, path.name
    listed = (folder / "columns.csv").read_text(encoding="utf-8")
    for path in folder.glob("*.csv"):
        if path.name != "columns.csv":
            header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
            for column in header:
                assert f"{path.name},{column}," in listed, (path.name, column)
