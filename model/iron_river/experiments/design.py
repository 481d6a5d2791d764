"""Paired designs: runs registered once, executed on a backend, and the statistics of their pairs.

Every experiment (``compare``, ``report``, ``sensitivity``, ``calibrate``) states its runs as
(scenario file, overrides, replicate): replicate ``r`` always gets seed ``r`` of the root
seed (:mod:`.seeds`), so a policy run and the baseline run with the same ``r`` share their
random numbers, and their difference is mostly the policy's. Identical runs (same resolved
scenario and seed) are run once. Runs go through :mod:`.backends` on the engine the
command's options choose (:mod:`.clusters`): in this process by default, on a local pool with
``--workers N``, on a running Dask cluster, or on Dask workers submitted as batch jobs.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from iron_river.experiments import clusters, engine_options
from iron_river.scenario import load_scenario, posterior
from iron_river.scenario.posterior import Posterior

INTERDICTION = "policy.us_southbound_interdiction"
INTERDICTION_MAX = 0.5
BAND = (5.0, 95.0)  # percentiles of the 90% intervals
BINDING = "iron_river.experiments.binding"


# ---------------------------------------------------------------------------- configuration


@dataclass
class Config:
    """What to run: sizes, seeds, where the scenarios are and where the report goes."""

    replicates: int = 40  # posterior draws (paired replicates) per scenario and curve point
    years: int = 10
    scale: float = 100.0
    burn_in_years: int | None = None  # None: the scenario's own
    points: int = 6
    screen_replicates: int | None = None  # None: as many as replicates
    seed: int = 20190101
    scenarios: Path = Path("scenarios")
    out: Path = Path("results/report")
    engine: Any = None  # engine options (engine_options.EngineOptions or parsed args); None: serial
    quiet: bool = False
    sensitivity: Path | None = None  # a sensitivity spec to run and include
    is_quick: bool = False
    seed_runs: int = 10  # replicates at the posterior point: the seed-only part of its spread
    parameters: str | None = None  # "point" or "defaults" for every run (None: the scenario's)
    posterior: str | None = None  # a posterior to draw from (absolute path; None: the shipped)

    @classmethod
    def quick(cls, **kw: Any) -> Config:
        """A tiny report for tests and smoke checks (numbers are noise at this size)."""
        base = {
            "replicates": 2,
            "years": 1,
            "scale": 5000.0,
            "burn_in_years": 0,
            "points": 3,
            "screen_replicates": None,  # all: the screening reference is the policy table's
            "is_quick": True,
            "seed_runs": 2,
        }
        return cls(**{**base, **kw})

    @property
    def sizes(self) -> dict[str, Any]:
        """The overrides applied to every run."""
        out: dict[str, Any] = {"years": self.years, "scale": self.scale}
        if self.burn_in_years is not None:
            out["burn_in_years"] = self.burn_in_years
        if self.parameters is not None:
            out["parameters"] = self.parameters
        if self.posterior:
            out["posterior"] = self.posterior
        return out

    def drawn_from(self) -> tuple[Posterior | None, str]:
        """The posterior the runs draw from and a sentence saying which."""
        return posterior.named(self.posterior)

    @property
    def n_screen(self) -> int:
        """Replicates of each screening run."""
        return min(self.screen_replicates or self.replicates, self.replicates)


# ---------------------------------------------------------------------------- running a design


@dataclass(frozen=True)
class Job:
    """One model run: a scenario file, overrides, and the replicate (seed) index."""

    path: Path
    values: tuple[tuple[str, Any], ...]
    replicate: int


def _canonical(path: Path, values: dict[str, Any]) -> str:
    """A digest of the resolved scenario (name and description aside): equal runs, equal key."""
    flat = load_scenario(path).with_values(values).flat()
    flat.pop("name"), flat.pop("description")
    return hashlib.sha256(json.dumps(flat, sort_keys=True, default=str).encode()).hexdigest()


def open_backend(cfg: Config, command: str) -> Any:
    """The backend of a command's runs (context manager): ``cfg.engine``, serial by default.

    Worker-job logs go to ``<folder of cfg.out>/logs`` (the report folder itself is replaced
    in one rename when it is written), named ``ir-<command>-<job id>.out``.
    """
    return clusters.open_backend(
        cfg.engine if cfg.engine is not None else engine_options.EngineOptions(),
        key_prefix=f"iron-river-{command}",
        log_directory=Path(cfg.out).parent / "logs",
        job_name=f"ir-{command}",
        default_workers=1,
    )


class Design:
    """A set of runs, deduplicated, executed on a backend (:func:`open_backend`).

    Args:
        cfg: sizes, seeds and the engine.
        backend: an open backend to run on (kept open); None: open ``cfg.engine`` for each
            :meth:`run`.
    """

    def __init__(self, cfg: Config, backend: Any = None):
        self.cfg = cfg
        self.backend = backend
        self.jobs: dict[tuple[str, int], Job] = {}
        self.results: dict[tuple[str, int], dict[str, float]] = {}
        self.backend_name = getattr(backend, "name", "")
        self._keys: dict[tuple[Path, tuple], str] = {}

    def add(self, path: Path, values: dict[str, Any], replicates: Iterable[int]) -> list:
        """Register runs; return their keys (to look the metrics up after :meth:`run`)."""
        values = {**self.cfg.sizes, **values}
        frozen = tuple(sorted(values.items()))
        ident = self._keys.get((path, frozen))
        if ident is None:
            ident = self._keys[(path, frozen)] = _canonical(path, values)
        keys = []
        for r in replicates:
            self.jobs.setdefault((ident, r), Job(path, frozen, r))
            keys.append((ident, r))
        return keys

    def metrics(self, keys: list, metric: str) -> np.ndarray:
        """One metric of the given runs, in order."""
        return np.array([self.results[k][metric] for k in keys], dtype=float)

    def run(self) -> None:
        """Run every registered run not yet done."""
        todo = {k: j for k, j in self.jobs.items() if k not in self.results}
        if not todo:
            return
        if self.backend is not None:
            self._run(self.backend, todo)
            return
        with open_backend(self.cfg, "design") as backend:
            self._run(backend, todo)

    def _run(self, backend: Any, todo: dict) -> None:
        self.backend_name = backend.name
        order = list(todo)
        payloads = {
            i: {
                "binding": BINDING,
                "base": str(todo[k].path.resolve()),
                "metrics": None,
                "weekly": (),
                "root_seed": self.cfg.seed,
                "runs": [(i, f"{k[0][:12]}-{k[1]}", todo[k].replicate, dict(todo[k].values))],
            }
            for i, k in enumerate(order)
        }
        t0 = time.perf_counter()
        for done, (i, result) in enumerate(backend.results(payloads), start=1):
            if isinstance(result, BaseException):
                raise RuntimeError(f"run {order[i]} failed: {result}")
            row = result["rows"][0]
            if row["error"]:
                raise RuntimeError(f"run {order[i]} failed: {row['error']}")
            self.results[order[i]] = row["metrics"]
            self._progress(done, len(order), t0)

    def _progress(self, done: int, total: int, t0: float) -> None:
        if not self.cfg.quiet:
            el = time.perf_counter() - t0
            print(f"\rreport: {done}/{total} runs, {el:.0f} s", end="", file=sys.stderr)
            if done == total:
                print(file=sys.stderr)


# ---------------------------------------------------------------------------- statistics


def band(x: np.ndarray) -> tuple[float, float, float]:
    """Mean and the 90% interval (5th–95th percentile) of finite values."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return (math.nan, math.nan, math.nan)
    lo, hi = np.percentile(x, BAND)
    return (float(x.mean()), float(lo), float(hi))


def paired_change(policy: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Relative change of each replicate against the baseline run with the same seed."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return policy / base - 1.0


def log_slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of log y on log x (an elasticity); nan if undefined."""
    ok = (x > 0) & (y > 0) & np.isfinite(y)
    if ok.sum() < 2:
        return math.nan
    return float(np.polyfit(np.log(x[ok]), np.log(y[ok]), 1)[0])


def elasticity(x: np.ndarray, runs: np.ndarray, rng: np.random.Generator, n: int = 500) -> tuple:
    """Elasticity over the curve and a 90% bootstrap interval (replicates resampled jointly).

    Args:
        x: interdiction values (P).
        runs: metric per point and replicate (P × R), replicates paired across points.
        rng: generator for the bootstrap.
        n: bootstrap resamples.
    """
    est = log_slope(x, runs.mean(axis=1))
    reps = runs.shape[1]
    boot = [log_slope(x, runs[:, rng.integers(0, reps, reps)].mean(axis=1)) for _ in range(n)]
    lo, hi = np.nanpercentile(boot, BAND) if np.isfinite(boot).any() else (math.nan, math.nan)
    return est, float(lo), float(hi)


def interdiction_points(baseline: float, points: int) -> list[float]:
    """``points`` log-spaced rates from ``baseline`` to :data:`INTERDICTION_MAX` (rounded)."""
    xs = np.geomspace(baseline, INTERDICTION_MAX, points)
    return [float(f"{x:.4g}") for x in xs]
