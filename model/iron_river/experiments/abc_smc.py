"""Replenishment ABC-SMC with MCMC moves (Drovandi & Pettitt 2011), deterministic and resumable.

A generation drops the half of the particles farthest from the data (the tolerance becomes the
largest distance kept), resamples the dropped ones from the kept, and moves each copy by ``R``
Metropolis–Hastings steps that leave the ABC posterior at that tolerance invariant: a Gaussian
random walk with the kept particles' covariance (correlations shrunk, so that it has full rank:
:func:`proposal_covariance`) × 2.38²/K, accepted when the simulation is
within the tolerance and by the prior ratio. ``R`` is set from the last generation's
acceptance so that a copy moves at least once with probability 0.99. Particles keep equal
weights, which is why this and not importance-weighted ABC-SMC: in many dimensions the ratio of
prior to proposal density degenerates (docs/ODD.md section 9).

The parameters are logits z with a standard logistic prior (independent), so moves never leave
the prior; what z means, what is simulated and how far it lands from the data are the
caller's (:mod:`.calibration`). Every proposal is numbered by (generation, number) and draws its
noise, its simulation seed and its acceptance uniform from a stream fixed by (fit seed,
generation, number); proposals are evaluated in chunks on any backend and decided in the order
of their numbers, so one seed gives one posterior whatever the backend or number of workers,
and a rerun replays every evaluation kept in the cache, computing only what is missing.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


def sample_prior(rng: np.random.Generator, n_keys: int) -> np.ndarray:
    """Draws of z (standard logistic: the logit of a uniform position in each prior)."""
    u = rng.random(n_keys)
    return np.log(u) - np.log1p(-u)


def log_prior(z: np.ndarray) -> float:
    """Log density of z under the prior (independent standard logistics)."""
    a = np.abs(z)
    return float(np.sum(-a - 2.0 * np.log1p(np.exp(-a))))


KERNELS = ("shrunk", "sample")


def proposal_covariance(z: np.ndarray, kernel: str = "shrunk") -> np.ndarray:
    """The random walk's covariance, from the kept particles' logits (rows).

    ``sample``: their sample covariance. With fewer kept particles than parameters it is
    singular: every move stays in the affine span of the kept particles, so each generation
    can only lose directions, never regain them — the fit shipped first (50 kept, 70
    parameters) spanned 38 of its 70 dimensions after 6 generations and 26 after 16
    (:func:`iron_river.outputs.identification.span`). ``shrunk`` (the default): the
    correlations shrunk toward zero by the Schäfer–Strimmer estimate of the optimal intensity
    (Schäfer & Strimmer 2005, *Stat. Appl. Genet. Mol. Biol.* 4: 32, target "D"), variances
    kept: positive definite whenever every variance is positive, so moves reach every
    direction and a dimension the data do not constrain keeps its prior spread.
    """
    n, k = z.shape
    if n < 2:
        return np.eye(k)
    cov = np.cov(z.T)
    if kernel == "sample":
        return cov
    if kernel != "shrunk":
        raise ValueError(f"kernel {kernel!r}: one of {', '.join(KERNELS)}")
    sd = np.sqrt(np.maximum(np.diag(cov), 1e-12))
    x = (z - z.mean(axis=0)) / sd
    w = x[:, :, None] * x[:, None, :]  # n × k × k products of standardised values
    r = w.sum(axis=0) / (n - 1)  # the sample correlations
    var_r = n / (n - 1) ** 3 * ((w - w.mean(axis=0)) ** 2).sum(axis=0)
    off = ~np.eye(k, dtype=bool)
    denom = float((r[off] ** 2).sum())
    lam = 1.0 if denom == 0.0 else min(1.0, max(0.0, float(var_r[off].sum()) / denom))
    shrunk = np.where(off, (1.0 - lam) * r, 1.0)
    return shrunk * np.outer(sd, sd)


class Evaluator:
    """Evaluates batches of parameter sets in order: in this process, a local pool, or Dask."""

    def __init__(
        self, fn: Callable, workers: int = 1, client: Any = None, retries: int = 2
    ) -> None:
        self.fn, self.client, self.workers, self.retries = fn, client, workers, retries
        self._pool = ProcessPoolExecutor(workers) if client is None and workers > 1 else None
        if client is not None:
            info = client.scheduler_info(n_workers=-1)["workers"]
            self.workers = max(1, sum(w.get("nthreads", 1) for w in info.values()))

    def completed(self, tasks: list) -> Iterator[tuple[int, Any]]:
        """``(index, result)`` of every task as it finishes (in order where run here).

        Every task is in flight at once, so no worker waits for a slow task of a batch; the
        caller stores each result as it comes, so an interrupt loses only those still running.
        """
        if self.client is not None:
            from distributed import as_completed as dask_completed

            futures = self.client.map(self.fn, tasks, pure=False, retries=self.retries)
            index = {f.key: i for i, f in enumerate(futures)}
            try:
                for future, result in dask_completed(futures, with_results=True):
                    yield index[future.key], result
            finally:
                self.client.cancel([f for f in futures if not f.done()])
        elif self._pool is not None:
            pending = {self._pool.submit(self.fn, t): i for i, t in enumerate(tasks)}
            try:
                for future in as_completed(pending):
                    yield pending[future], future.result()
            finally:
                for future in pending:
                    future.cancel()
        else:
            for i, t in enumerate(tasks):
                yield i, self.fn(t)

    def close(self) -> None:
        """Stop the local pool (a Dask client belongs to its caller)."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)


class Cache:
    """Every evaluated proposal of the fit, by (generation, number): what a rerun replays."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS proposal (t INTEGER, k INTEGER, z BLOB, stats TEXT, "
            "PRIMARY KEY (t, k))"
        )
        # what each invocation cost: a resumed fit's wall time is the sum over sessions
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS session (started TEXT, wall_seconds REAL, "
            "evaluated INTEGER, workers INTEGER)"
        )
        self.evaluated = 0  # proposals simulated (not replayed) by this session

    def get(self, t: int, k: int, z: np.ndarray) -> dict[str, float] | None:
        """The statistics of proposal (t, k) if it was evaluated with these very values."""
        row = self.db.execute("SELECT z, stats FROM proposal WHERE t = ? AND k = ?", (t, k))
        hit = row.fetchone()
        if hit is None or hit[0] != z.tobytes():
            return None
        return json.loads(hit[1])

    def put(self, items: list[tuple[int, int, np.ndarray, dict]]) -> None:
        """Store evaluated proposals (committed at once: an interrupt loses none)."""
        self.db.executemany(
            "INSERT OR REPLACE INTO proposal VALUES (?, ?, ?, ?)",
            [(t, k, z.tobytes(), json.dumps(st)) for t, k, z, st in items],
        )
        self.db.commit()
        self.evaluated += len(items)

    def log_session(self, started: str, wall: float, workers: int) -> None:
        """Record what this invocation simulated and how long it took."""
        self.db.execute(
            "INSERT INTO session VALUES (?, ?, ?, ?)", (started, wall, self.evaluated, workers)
        )
        self.db.commit()

    def cost(self) -> dict[str, float]:
        """Every session's cost together: wall seconds and proposals simulated."""
        rows = self.db.execute("SELECT wall_seconds, evaluated, workers FROM session").fetchall()
        return {
            "sessions": len(rows),
            "wall_seconds": float(sum(r[0] for r in rows)),
            "simulated": int(sum(r[1] for r in rows)),
            "workers": sorted({int(r[2]) for r in rows}),
        }

    def close(self) -> None:
        """Close the database."""
        self.db.close()


@dataclass
class Population:
    """The particles of one generation (equal weights) and what the fit has spent so far."""

    z: np.ndarray  # N × K logits
    d: np.ndarray  # N distances
    stats: list[dict[str, float]]
    epsilon: list[float] = field(default_factory=list)
    acceptance: list[float] = field(default_factory=list)
    moves: list[int] = field(default_factory=list)
    simulations: int = 0


class Fit:
    """One replenishment ABC-SMC fit (see the module docstring), evaluated through a cache."""

    DROP = 0.5  # share of the particles replaced each generation
    MOVE_AT_LEAST_ONCE = 0.99  # chance a resampled particle moves at least once
    MAX_MOVES = 25
    MIN_ACCEPTANCE = 0.003  # below it another generation would cost more than it can give

    def __init__(
        self,
        cfg: Any,
        evaluator: Evaluator,
        cache: Cache,
        log: Callable[[str], None],
        decode: Callable[[np.ndarray], dict[str, float]],
        distance: Callable[[dict[str, float]], float],
    ) -> None:
        self.cfg, self.evaluator, self.cache, self.log = cfg, evaluator, cache, log
        self.decode, self.distance = decode, distance
        self.keys = list(cfg.keys)
        self.t0 = time.perf_counter()

    def _stream(self, t: int, k: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence(self.cfg.seed, spawn_key=(t, k)))

    def _evaluate(
        self,
        t: int,
        ks: list[int],
        zs: list[np.ndarray],
        seeds: list[int],
        tolerance: float = math.inf,
    ):
        """Statistics of proposals (t, k), from the cache where it has them."""
        out: dict[int, dict[str, float]] = {}
        todo = []
        for k, z, seed in zip(ks, zs, seeds, strict=True):
            hit = self.cache.get(t, k, z)
            if hit is not None:
                out[k] = hit
            else:
                todo.append((k, z, seed))
        # all in flight at once (or ``batch`` at a time), each stored as it returns; neither
        # changes anything else: proposals are seeded by number and decided in order
        size = self.cfg.batch or max(len(todo), 1)
        for i in range(0, len(todo), size):
            chunk = todo[i : i + size]
            tasks = [(self.decode(z), seed, self.cfg.sizes, tolerance) for _, z, seed in chunk]
            for j, st in self.evaluator.completed(tasks):
                k, z, _ = chunk[j]
                self.cache.put([(t, k, z, st)])
                out[k] = st
        return [out[k] for k in ks]

    def start(self) -> Population:
        """Generation 0: draws from the prior."""
        n, ks = self.cfg.particles, list(range(self.cfg.particles))
        zs, seeds = [], []
        for k in ks:
            rng = self._stream(0, k)
            zs.append(sample_prior(rng, len(self.keys)))
            seeds.append(int(rng.integers(2**31 - 1)))
        stats = self._evaluate(0, ks, zs, seeds)
        d = np.array([self.distance(st) for st in stats])
        self.log(f"generation 0: {n} draws from the prior, largest distance {d.max():.3g}")
        return Population(np.array(zs), d, stats, [float(d.max())], [1.0], [0], n)

    def step(self, pop: Population, t: int) -> Population:
        """Generation t: drop, resample, move."""
        n = self.cfg.particles
        order = np.argsort(pop.d, kind="stable")
        n_keep = n - int(n * self.DROP)
        eps = max(float(pop.d[order[n_keep - 1]]), self.cfg.min_epsilon)
        keep = order[pop.d[order] <= eps]
        m = n - keep.size
        parents = self._stream(t, 2**31).choice(keep, m)
        z, d = pop.z[parents].copy(), pop.d[parents].copy()
        stats = [pop.stats[i] for i in parents]
        cov = proposal_covariance(pop.z[keep], self.cfg.kernel)
        chol = np.linalg.cholesky(cov * (2.38**2 / len(self.keys)) + 1e-9 * np.eye(len(cov)))
        p_last = pop.acceptance[-1] if t > 1 else 0.3
        moves = (
            self.MAX_MOVES
            if p_last <= 0
            else int(
                min(
                    self.MAX_MOVES,
                    max(1, math.ceil(math.log1p(-self.MOVE_AT_LEAST_ONCE) / math.log1p(-p_last))),
                )
            )
        )
        accepted = 0
        for s in range(moves):
            ks = [s * m + j for j in range(m)]
            props, seeds, us = [], [], []
            for j, k in enumerate(ks):
                rng = self._stream(t, k)
                props.append(z[j] + chol @ rng.standard_normal(len(self.keys)))
                seeds.append(int(rng.integers(2**31 - 1)))
                us.append(float(rng.random()))
            new = self._evaluate(t, ks, props, seeds, eps)
            for j in range(m):
                dj = self.distance(new[j])
                if dj <= eps and math.log(us[j]) < log_prior(props[j]) - log_prior(z[j]):
                    z[j], d[j], stats[j] = props[j], dj, new[j]
                    accepted += 1
            pop.simulations += m
            self.log(
                f"generation {t}: tolerance {eps:.3g}, move {s + 1}/{moves} of {m} particles, "
                f"{accepted} moves accepted, {pop.simulations} simulations, "
                f"{time.perf_counter() - self.t0:.0f} s"
            )
        p_acc = accepted / (moves * m) if m else 0.0
        return Population(
            np.concatenate([pop.z[keep], z]),
            np.concatenate([pop.d[keep], d]),
            [pop.stats[i] for i in keep] + stats,
            [*pop.epsilon, eps],
            [*pop.acceptance, p_acc],
            [*pop.moves, moves],
            pop.simulations,
        )

    def run(
        self,
        initial: Population | None = None,
        done: Callable[[Population], None] | None = None,
    ) -> tuple[Population, str]:
        """Generations until a stopping rule; returns the last population and why it stopped.

        ``initial`` is a finished generation to continue from (a shipped posterior whose fit
        database is gone): the next generation is numbered after it, as in the fit it ends.
        ``done`` is called with every generation this call completes (a checkpoint).
        """
        pop = self.start() if initial is None else initial
        if initial is None and done is not None:
            done(pop)
        for t in range(len(pop.epsilon), self.cfg.generations):
            if pop.epsilon[-1] <= self.cfg.min_epsilon:
                return pop, f"tolerance reached --min-epsilon {self.cfg.min_epsilon:g}"
            if pop.simulations >= self.cfg.max_simulations:
                return pop, f"--max-simulations {self.cfg.max_simulations} spent"
            if t > 1 and pop.acceptance[-1] < self.MIN_ACCEPTANCE:
                return pop, f"move acceptance {pop.acceptance[-1]:.2g} below {self.MIN_ACCEPTANCE}"
            pop = self.step(pop, t)
            if done is not None:
                done(pop)
        if pop.epsilon[-1] <= self.cfg.min_epsilon:
            return pop, f"tolerance reached --min-epsilon {self.cfg.min_epsilon:g}"
        return pop, f"--generations {self.cfg.generations} done"
