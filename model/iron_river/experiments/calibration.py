"""``iron-river calibrate``: a posterior over every uncertain parameter, by ABC-SMC (pyabc).

Every parameter with a prior in the schema is sampled (log-uniform ones on the log scale). A
particle is accepted when its simulated summary statistics are close to the observed ones:

- every FACTS.md target (:data:`iron_river.outputs.targets.TARGETS`, per country), and
- a response: the elasticity of Northern Triangle arrivals with respect to homicides when
  violence changes (a paired in-model experiment: every country's lethality ×1.6 against the
  baseline, same seed), against Clemens' estimate (docs/EVIDENCE.md 3) — how migration changed
  when violence changed, never what migrants say.

The distance is the largest, over statistics, of |simulated − observed| in units of the
statistic's half-tolerance (observed = the centre of FACTS.md's tolerance interval), so a
distance ≤ 1 means every target is inside its tolerance. Tolerances shrink generation by
generation to the median distance of the last one (pyabc's ``QuantileEpsilon``) until they
reach ``--min-epsilon`` (default 1) or the generation budget ends.

Determinism, resumption and backends: candidates of generation ``t`` are numbered; candidate
``k`` draws its proposal and its model seed from a stream fixed by (fit seed, ``t``, ``k``),
candidates are evaluated in batches on any backend (this process, a local pool, a Dask cluster
— also through a batch system), and accepted in the order of their numbers. So one seed gives
one posterior whatever the backend and the number of workers, and an interrupted fit resumes:
pyabc's history database keeps every finished generation, and an evaluation cache keeps every
evaluated candidate of the unfinished one, which the rerun replays instead of recomputing.
"""

from __future__ import annotations

import argparse
import json
import math
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import expit

from iron_river import __version__
from iron_river.experiments import clusters
from iron_river.experiments.runs import simulate
from iron_river.outputs.files import atomic_folder, check_writable
from iron_river.outputs.folders import content_key, point_latest
from iron_river.outputs.targets import TARGETS
from iron_river.scenario import IronRiverScenario, ScenarioError
from iron_river.scenario.posterior import MODEL_VERSION, fitted_keys
from iron_river.scenario.scenario import PARAMETERS, PRIORS
from iron_river.world.geography import COUNTRIES

RESPONSE = "R-NT"
RESPONSE_WHAT = "elasticity of Northern Triangle arrivals to homicides (paired, lethality x1.6)"
RESPONSE_TARGET = 0.30  # Clemens 2017/2021 pooled, converted in docs/EVIDENCE.md 3 (0.19-0.37)
RESPONSE_HALF = 0.12
SHOCK = 1.6  # large enough that the paired difference stands above the noise
BAD = 1e6  # the statistic of a run that produced nothing (NaN) — never accepted


@dataclass
class FitConfig:
    """What one fit runs: sizes, budget, seed and where its files go."""

    particles: int = 200
    generations: int = 12
    min_epsilon: float = 1.0
    max_simulations: int = 40_000
    scale: float = 1000.0
    years: int = 4
    burn_in_years: int = 5
    seed: int = 20190101
    batch: int = 0  # candidates per batch (0: twice the workers)
    out: Path = Path("results/calibration")
    quiet: bool = False
    keys: tuple[str, ...] = field(default_factory=fitted_keys)

    @property
    def sizes(self) -> dict[str, Any]:
        """The run sizes every simulation of the fit uses."""
        return {"scale": self.scale, "years": self.years, "burn_in_years": self.burn_in_years}

    def identity(self) -> dict[str, Any]:
        """What must match for a rerun to resume this fit."""
        d = asdict(self)
        d.pop("out"), d.pop("quiet"), d.pop("batch"), d.pop("generations")
        d.pop("max_simulations"), d.pop("min_epsilon")
        d["keys"] = list(self.keys)
        d["priors"] = {k: PRIORS[k].describe() for k in self.keys}
        d["model_version"] = MODEL_VERSION
        d["encoding"] = "logit of the position in the prior"
        return d


# ---------------------------------------------------------------------------- statistics


def observed() -> dict[str, float]:
    """The observed statistics: the centre of each target's tolerance, and the response."""
    out = {t.id: (t.lo + t.hi) / 2.0 for t in TARGETS if t.id != "T10"}
    out[RESPONSE] = RESPONSE_TARGET
    return out


def half_tolerance() -> dict[str, float]:
    """Half the width of each statistic's tolerance: the distance's unit."""
    out = {t.id: (t.hi - t.lo) / 2.0 for t in TARGETS if t.id != "T10"}
    out[RESPONSE] = RESPONSE_HALF
    return out


def _metric(tid: str) -> str:
    return next(t.metric for t in TARGETS if t.id == tid)


def shocked(scenario: IronRiverScenario) -> IronRiverScenario:
    """The response arm: every country's lethalities × ``SHOCK`` from week 0."""
    values = {}
    for c in COUNTRIES:
        for kind in ("firearm_lethality", "other_lethality"):
            key = f"violence.countries.{c}.{kind}"
            values[key] = scenario.get(key) * SHOCK
    return scenario.with_values(values)


def statistics(values: dict[str, float], seed: int, cfg_sizes: dict[str, Any]) -> dict[str, float]:
    """Simulate one parameter set (baseline and response arm, one seed) into statistics."""
    base = IronRiverScenario().with_values({**cfg_sizes, **values, "parameters": "defaults"})
    ss = np.random.SeedSequence(seed)
    m0 = simulate(base, ss).metrics
    m1 = simulate(shocked(base), ss).metrics
    out = {tid: m0[_metric(tid)] for tid in observed() if tid != RESPONSE}
    nt = [c for c in COUNTRIES if c != "MX"]
    a0 = sum(m0[f"us_border_arrivals_{c}"] for c in nt)
    a1 = sum(m1[f"us_border_arrivals_{c}"] for c in nt)
    h0 = sum(m0[f"homicides_{c}"] for c in nt)
    h1 = sum(m1[f"homicides_{c}"] for c in nt)
    out[RESPONSE] = math.log(a1 / a0) / math.log(h1 / h0) if min(a0, a1, h0, h1) > 0 else BAD
    return {k: (v if math.isfinite(v) else BAD) for k, v in out.items()}


# ---------------------------------------------------------------------------- the prior


def encode(key: str) -> str:
    """The pyabc parameter name of a dotted key (pyabc stores names as columns)."""
    return "p_" + key.replace(".", "__").replace("-", "_")


def _decoder(keys: Iterable[str]) -> dict[str, str]:
    return {encode(k): k for k in keys}


def prior_distribution(keys: Iterable[str]):
    """The schema's priors on an unbounded scale, as a pyabc distribution.

    A parameter's position ``u`` in its prior (on the log scale for log-uniform ones) is
    uniform on (0, 1); the fit samples ``z = logit(u)``, which is standard logistic. On that
    scale the SMC's Gaussian proposals never leave the prior: in 70 dimensions a proposal
    inside every bounded range is too rare to wait for.
    """
    import pyabc

    return pyabc.Distribution(**{encode(k): pyabc.RV("logistic", 0.0, 1.0) for k in keys})


def decode(par: dict[str, float], keys: Iterable[str]) -> dict[str, float]:
    """Parameter values (natural scale, schema types) from a pyabc parameter (logit scale)."""
    out = {}
    for name, key in _decoder(keys).items():
        p = PRIORS[key]
        u = float(expit(float(par[name])))
        if p.kind == "log-uniform":
            v = math.exp(math.log(p.lo) + u * (math.log(p.hi) - math.log(p.lo)))
        else:
            v = p.lo + u * (p.hi - p.lo)
        v = min(max(v, p.lo), p.hi)
        out[key] = round(v) if PARAMETERS[key].kind is int else v
    return out


class FitModel:
    """The pyabc model: decode a particle, simulate it, return its statistics (picklable)."""

    def __init__(self, keys: tuple[str, ...], sizes: dict[str, Any]):
        self.keys, self.sizes = keys, sizes

    def __call__(self, par: dict[str, float]) -> dict[str, float]:
        """Statistics of one particle; its model seed comes from the candidate's stream."""
        seed = int(np.random.randint(0, 2**31 - 1))  # noqa: NPY002 (pyabc seeds the global)
        return statistics(decode(par, self.keys), seed, self.sizes)


# ---------------------------------------------------------------------------- the sampler


def evaluate(task: tuple[bytes, tuple[int, int, int]]) -> Any:
    """Evaluate one candidate: seed its stream from (fit seed, generation, number), simulate."""
    import random

    import cloudpickle

    simulate_one, (seed, t, k) = task
    fn = cloudpickle.loads(simulate_one)
    state = np.random.SeedSequence(seed, spawn_key=(t + 2, k)).generate_state(4)
    np.random.seed(state)  # noqa: NPY002 (pyabc draws proposals from numpy's global state)
    random.seed(int(state[0]))
    return fn()


class Evaluator:
    """Evaluates batches of candidates in order: in this process, a local pool, or Dask."""

    def __init__(self, workers: int = 1, client: Any = None, retries: int = 2):
        self.client, self.workers, self.retries = client, workers, retries
        self._pool = ProcessPoolExecutor(workers) if client is None and workers > 1 else None
        if client is not None:
            info = client.scheduler_info(n_workers=-1)["workers"]
            self.workers = max(1, sum(w.get("nthreads", 1) for w in info.values()))

    def map(self, tasks: list) -> list:
        """Results in the order of ``tasks``."""
        if self.client is not None:
            futures = self.client.map(evaluate, tasks, pure=False, retries=self.retries)
            return self.client.gather(futures)
        if self._pool is not None:
            return list(self._pool.map(evaluate, tasks))
        return [evaluate(t) for t in tasks]

    def close(self) -> None:
        """Stop the local pool (a Dask client belongs to its caller)."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)


class Cache:
    """Every evaluated candidate of the fit, by (generation, number): what a resume replays."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS candidate (t INTEGER, k INTEGER, particle BLOB, "
            "PRIMARY KEY (t, k))"
        )

    def get(self, t: int, keys: list[int]) -> dict[int, bytes]:
        """Cached candidates of generation ``t`` among ``keys``."""
        if not keys:
            return {}
        rows = self.db.execute(
            f"SELECT k, particle FROM candidate WHERE t = ? AND k IN ({','.join('?' * len(keys))})",
            [t, *keys],
        )
        return dict(rows.fetchall())

    def put(self, t: int, items: dict[int, bytes]) -> None:
        """Store evaluated candidates (committed at once: an interrupt loses none)."""
        self.db.executemany(
            "INSERT OR REPLACE INTO candidate VALUES (?, ?, ?)",
            [(t, k, blob) for k, blob in items.items()],
        )
        self.db.commit()


def deterministic_sampler(evaluator: Evaluator, seed: int, batch: int, cache: Cache, log: Callable):
    """A pyabc sampler that accepts candidates in the order of their numbers (see the docstring)."""
    import cloudpickle
    from pyabc.sampler import Sampler

    class DeterministicBatchSampler(Sampler):
        def sample_until_n_accepted(
            self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None
        ):
            del ana_vars
            sample = self._create_empty_sample()
            blob = cloudpickle.dumps(simulate_one)
            accepted = evaluated = k = 0
            size = batch or 2 * evaluator.workers
            t0 = time.perf_counter()
            while accepted < n and evaluated < max_eval:
                ks = list(range(k, k + size))
                have = cache.get(t, ks)
                todo = [j for j in ks if j not in have]
                fresh = evaluator.map([(blob, (seed, t, j)) for j in todo]) if todo else []
                new = {j: cloudpickle.dumps(p) for j, p in zip(todo, fresh, strict=True)}
                cache.put(t, new)
                for j in ks:
                    particle = (
                        cloudpickle.loads(have[j]) if j in have else cloudpickle.loads(new[j])
                    )
                    sample.append(particle)
                    evaluated += 1
                    if particle.accepted or all_accepted:
                        accepted += 1
                    if accepted >= n or evaluated >= max_eval:
                        break
                k += size
                log(
                    f"generation {t}: {accepted}/{n} accepted of {evaluated} evaluated, "
                    f"{time.perf_counter() - t0:.0f} s"
                )
            self.nr_evaluations_ = evaluated
            if sample.n_accepted < n and not all_accepted:
                sample.ok = False
            return sample

    return DeterministicBatchSampler()


# ---------------------------------------------------------------------------- the fit


def fit(cfg: FitConfig, workers: int = 1, client: Any = None, retries: int = 2) -> dict[str, Any]:
    """Run (or resume) the fit and write the posterior and its figures into ``cfg.out``."""
    import pyabc

    out = Path(cfg.out)
    identity = cfg.identity()
    if out.exists():
        old = out / "fit.json"
        if not old.is_file():
            raise ScenarioError(f"{out}: exists and was not written by `iron-river calibrate`")
        if json.loads(old.read_text())["identity"] != identity:
            raise ScenarioError(
                f"{out}: holds a fit with other settings; give another --out to start a new fit"
            )
    else:
        check_writable(out)
        out.mkdir(parents=True)
        (out / "fit.json").write_text(json.dumps({"identity": identity}, indent=2) + "\n")
    log = (
        (lambda m: None)
        if cfg.quiet
        else (lambda m: print(f"\rcalibrate: {m}", end="", file=sys.stderr))
    )
    evaluator = Evaluator(workers, client, retries)
    cache = Cache(out / "evaluations.sqlite")
    np.random.seed(np.random.SeedSequence(cfg.seed).generate_state(4))  # noqa: NPY002
    obs = observed()
    half = half_tolerance()
    abc = pyabc.ABCSMC(
        FitModel(cfg.keys, cfg.sizes),
        prior_distribution(cfg.keys),
        pyabc.PNormDistance(p=np.inf, fixed_weights={k: 1.0 / half[k] for k in obs}),
        population_size=cfg.particles,
        sampler=deterministic_sampler(evaluator, cfg.seed, cfg.batch, cache, log),
        eps=pyabc.QuantileEpsilon(alpha=0.5),
    )
    db = f"sqlite:///{(out / 'abc.db').resolve()}"
    t0 = time.perf_counter()
    try:
        done = 0
        if (out / "abc.db").exists() and (done := pyabc.History(db).n_populations) > 0:
            history = abc.load(db, 1, obs)
        else:
            abc.new(db, obs)
        if done < cfg.generations:  # --generations counts the fit's, not this run's
            history = abc.run(
                minimum_epsilon=cfg.min_epsilon,
                max_nr_populations=cfg.generations - done,
                max_total_nr_simulations=cfg.max_simulations,
            )
    finally:
        evaluator.close()
        if not cfg.quiet:
            print(file=sys.stderr)
    result = write_posterior(history, cfg, out, time.perf_counter() - t0)
    return result


def write_posterior(history: Any, cfg: FitConfig, out: Path, wall: float) -> dict[str, Any]:
    """The last generation as ``posterior.csv`` + ``posterior.json``, and what it pins down."""
    from iron_river.outputs import identification

    frame, w = history.get_distribution(m=0, t=history.max_t)
    dist = history.get_weighted_distances(t=history.max_t)
    keys = list(cfg.keys)
    values = np.array([[decode(row, keys)[k] for k in keys] for _, row in frame.iterrows()])
    weights = np.asarray(w, dtype=float) / np.sum(w)
    pops = history.get_all_populations()
    meta = {
        "model_version": MODEL_VERSION,
        "package_version": __version__,
        "seed": cfg.seed,
        "particles": len(weights),
        "generations": int(history.max_t + 1),
        "epsilon_schedule": [float(e) for e in pops["epsilon"] if np.isfinite(e)],
        "simulations": int(history.total_nr_simulations),
        "sizes": cfg.sizes,
        "distance": "max over statistics of |simulated - observed| / half-tolerance",
        "statistics": {
            k: {"observed": v, "half_tolerance": half_tolerance()[k]} for k, v in observed().items()
        },
        "wall_seconds": wall,
        "command": " ".join(sys.argv),
    }
    with atomic_folder(out / "posterior") as tmp:
        _write_csv(tmp / "posterior.csv", keys, values, weights, dist["distance"].to_numpy())
        (tmp / "posterior.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        identification.write(tmp, keys, values, weights)
    return meta


def _write_csv(path: Path, keys: list[str], values: np.ndarray, w: np.ndarray, d: np.ndarray):
    import csv

    with path.open("w", newline="", encoding="utf-8") as fh:
        wr = csv.writer(fh)
        wr.writerow([*keys, "weight", "distance"])
        for row, wi, di in zip(values, w, d, strict=True):
            wr.writerow([*(f"{v:.8g}" for v in row), f"{wi:.8g}", f"{di:.6g}"])


# ---------------------------------------------------------------------------- command line


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Run or resume the fit."""
    latest = args.out is None
    cfg = FitConfig(
        particles=args.particles,
        generations=args.generations,
        min_epsilon=args.min_epsilon,
        max_simulations=args.max_simulations,
        scale=args.scale,
        years=args.years,
        burn_in_years=args.burn_in_years,
        seed=args.seed,
        batch=args.batch,
        out=args.out or Path("results/calibration"),
        quiet=args.quiet,
    )
    if latest:
        cfg.out = cfg.out / f"fit-{content_key(**cfg.identity())}"
    for name in ("particles", "generations", "years", "max_simulations"):
        if getattr(args, name) < 1:
            raise ScenarioError(f"--{name.replace('_', '-')} must be at least 1")
    opts = clusters.EngineOptions.of(args)
    if clusters.dry_run(args, log_directory=cfg.out / "logs", job_name="ir-calibrate"):
        return 0
    if opts.engine == "local":
        meta = fit(cfg, workers=opts.workers or 1)
    else:
        with clusters.open_client(
            args, log_directory=cfg.out / "logs", job_name="ir-calibrate"
        ) as client:
            meta = fit(cfg, client=client, retries=opts.retries)
    if latest:
        point_latest(cfg.out)
    print(
        f"posterior: {cfg.out / 'posterior'} ({meta['particles']} particles, "
        f"{meta['generations']} generations, {meta['simulations']} simulations, "
        f"final tolerance {meta['epsilon_schedule'][-1]:.3g}, {meta['wall_seconds']:.0f} s)"
    )
    return 0


def register(subparsers: Any) -> None:
    """Add ``iron-river calibrate``."""
    p = subparsers.add_parser(
        "calibrate",
        help="fit the posterior of every parameter with a prior (ABC-SMC); resumable",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--particles", type=int, default=200, help="population size (default 200)")
    p.add_argument("--generations", type=int, default=12, help="most generations (default 12)")
    p.add_argument(
        "--min-epsilon",
        type=float,
        default=1.0,
        help="stop once the tolerance reaches this (default 1: inside every target)",
    )
    p.add_argument("--max-simulations", type=int, default=40_000)
    p.add_argument("--scale", type=float, default=1000.0)
    p.add_argument("--years", type=int, default=4, help="measured years per simulation")
    p.add_argument("--burn-in-years", type=int, default=5)
    p.add_argument("--seed", type=int, default=20190101)
    p.add_argument("--batch", type=int, default=0, help="candidates per batch (0: 2 x workers)")
    p.add_argument(
        "--out",
        type=Path,
        help="fit folder (default results/calibration/fit-<key of the settings>/: the same "
        "settings resume the same fit; results/calibration/latest points at the last one)",
    )
    p.add_argument("--quiet", action="store_true")
    clusters.add_arguments(p, workers_help="local worker processes (default 1: in this process)")
    p.set_defaults(func=cmd_calibrate)
