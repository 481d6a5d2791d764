"""``iron-river calibrate``: a posterior over every uncertain parameter, by ABC-SMC with MCMC moves.

Every parameter with a prior in the schema is sampled. A particle is a parameter set whose
simulated summary statistics are close to the observed ones:

- every FACTS.md target (:data:`iron_river.outputs.targets.TARGETS`, per country), and
- a response: the elasticity of Northern Triangle arrivals with respect to homicides when
  violence changes (a paired in-model experiment: every country's lethality ×1.6 against the
  baseline, same seed), against Clemens' estimate (docs/EVIDENCE.md 3) — how migration changed
  when violence changed, never what migrants say.

The distance is the largest, over statistics, of |simulated − observed| in units of the
statistic's half-tolerance (observed = the centre of FACTS.md's tolerance interval), so a
distance ≤ 1 means every target is inside its tolerance.

The sampler is replenishment ABC-SMC (Drovandi & Pettitt 2011, *Biometrics* 67: 225–233):
each generation drops the half of the particles farthest from the data (the new tolerance is
the largest distance kept), resamples the dropped ones from the kept, and moves each resampled
particle by ``R`` Metropolis–Hastings steps that leave the ABC posterior at that tolerance
invariant (Gaussian random walk with the kept particles' covariance, accepted when the
simulation is within the tolerance and by the prior ratio), with ``R`` set from the last
generation's acceptance so that a particle moves at least once with probability 99%. Particles
keep equal weights. Importance-weighted ABC-SMC (pyabc's) was tried first and collapsed: in 70
dimensions the ratio of prior to proposal density spans many orders of magnitude, and its
second generation had an effective sample size of 1.3 of 150 (docs/ODD.md section 9).

Parameters are sampled as z = logit(u), u the position in the prior (on the log scale for
log-uniform priors), whose prior is standard logistic: random-walk moves never leave the prior.

Determinism, resumption and backends: every proposal is numbered by (generation, number) and
draws its noise, its model seed and its acceptance uniform from a stream fixed by (fit seed,
generation, number); a generation's proposals are evaluated together on any backend (this
process, a local pool, a Dask cluster — also through a batch system) and accepted in the order
of their numbers. So one seed gives one posterior whatever the backend and the number of
workers, and an interrupted fit resumes: every evaluation is kept in ``evaluations.sqlite``,
and a rerun replays the fit from it, computing only what is missing. Every finished generation
is also written to ``checkpoint/`` (a posterior with the particles' exact logits): where the
database is gone — another machine, a later session — ``--start-from`` that folder goes on as
the very fit that stopped, to the bit.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import signal
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import expit

from iron_river import __version__
from iron_river.experiments import clusters, engine_options
from iron_river.experiments.abc_smc import KERNELS, Cache, Evaluator, Fit, Population
from iron_river.experiments.runs import simulate
from iron_river.outputs.files import atomic_folder, check_writable, describe_folder
from iron_river.outputs.folders import content_key, point_latest
from iron_river.outputs.identification import span
from iron_river.outputs.targets import TARGETS
from iron_river.scenario import IronRiverScenario, ScenarioError
from iron_river.scenario.posterior import (
    MODEL_VERSION,
    Posterior,
    PosteriorError,
    csv_path,
    fitted_keys,
)
from iron_river.scenario.scenario import PARAMETERS, PRIORS
from iron_river.world.geography import COUNTRIES

RESPONSE = "R-NT"
RESPONSE_WHAT = "elasticity of Northern Triangle arrivals to homicides (paired, lethality x1.6)"
RESPONSE_TARGET = 0.30  # Clemens 2017/2021 pooled, converted in docs/EVIDENCE.md 3 (0.19-0.37)
RESPONSE_HALF = 0.12
SHOCK = 1.6  # large enough that the paired difference stands above the noise
BAD = 1e6  # the statistic of a run that produced nothing (NaN) — never accepted
CHECKPOINT = "checkpoint"  # the fit folder's latest finished generation (--start-from takes it)


@dataclass
class FitConfig:
    """What one fit runs: sizes, budget, seed and where its files go."""

    particles: int = 100
    generations: int = 12
    min_epsilon: float = 1.0
    max_simulations: int = 40_000
    scale: float = 1000.0
    years: int = 4
    burn_in_years: int = 5
    seed: int = 20190101
    batch: int = 0  # proposals in flight at once (0: all of a move step)
    out: Path = Path("results/calibration")
    quiet: bool = False
    keys: tuple[str, ...] = field(default_factory=fitted_keys)
    start_from: str | None = None  # a posterior to continue ("shipped": the package's)
    kernel: str = "shrunk"  # the moves' covariance (abc_smc.proposal_covariance)

    @property
    def sizes(self) -> dict[str, Any]:
        """The run sizes every simulation of the fit uses."""
        return {"scale": self.scale, "years": self.years, "burn_in_years": self.burn_in_years}

    def identity(self) -> dict[str, Any]:
        """What must match for a rerun to resume this fit."""
        d = asdict(self)
        d.pop("out"), d.pop("quiet"), d.pop("batch"), d.pop("generations")
        d.pop("max_simulations"), d.pop("min_epsilon"), d.pop("start_from")
        if self.start_from is not None:
            d["start"] = start_identity(self.start_from)
        d["keys"] = list(self.keys)
        d["priors"] = {k: PRIORS[k].describe() for k in self.keys}
        d["model_version"] = MODEL_VERSION
        d["encoding"] = "logit of the position in the prior"
        d["method"] = "replenishment ABC-SMC"
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


def statistics(
    values: dict[str, float],
    seed: int,
    cfg_sizes: dict[str, Any],
    tolerance: float = math.inf,
) -> dict[str, float]:
    """Simulate one parameter set (baseline and response arm, one seed) into statistics.

    If the baseline alone is already farther than ``tolerance`` from the data, the response
    arm is not run (its statistic is :data:`BAD`): the particle is rejected either way, and
    the fit spends half as much on the proposals it rejects.
    """
    base = IronRiverScenario().with_values({**cfg_sizes, **values, "parameters": "defaults"})
    ss = np.random.SeedSequence(seed)
    m0 = simulate(base, ss).metrics
    out = {tid: m0[_metric(tid)] for tid in observed() if tid != RESPONSE}
    out = {k: (v if math.isfinite(v) else BAD) for k, v in out.items()}
    obs, half = observed(), half_tolerance()
    if max(abs(out[k] - obs[k]) / half[k] for k in out) > tolerance:
        out[RESPONSE] = BAD
        return out
    m1 = simulate(shocked(base), ss).metrics
    nt = [c for c in COUNTRIES if c != "MX"]
    a0 = sum(m0[f"us_border_arrivals_{c}"] for c in nt)
    a1 = sum(m1[f"us_border_arrivals_{c}"] for c in nt)
    h0 = sum(m0[f"homicides_{c}"] for c in nt)
    h1 = sum(m1[f"homicides_{c}"] for c in nt)
    r = math.log(a1 / a0) / math.log(h1 / h0) if min(a0, a1, h0, h1) > 0 and h1 != h0 else BAD
    out[RESPONSE] = r if math.isfinite(r) else BAD
    return out


# ---------------------------------------------------------------------------- the prior


def decode(z: np.ndarray, keys: Iterable[str]) -> dict[str, float]:
    """Parameter values (natural scale, schema types) from their logits."""
    out = {}
    for zi, key in zip(z, keys, strict=True):
        p = PRIORS[key]
        u = float(expit(float(zi)))
        if p.kind == "log-uniform":
            v = math.exp(math.log(p.lo) + u * (math.log(p.hi) - math.log(p.lo)))
        else:
            v = p.lo + u * (p.hi - p.lo)
        v = min(max(v, p.lo), p.hi)
        out[key] = round(v) if PARAMETERS[key].kind is int else v
    return out


def encode(values: dict[str, float], keys: Iterable[str]) -> np.ndarray:
    """Logits of parameter values: the inverse of :func:`decode` (an integer's rounded value)."""
    return np.array([PRIORS[key].logit(values[key]) for key in keys])


def _start_posterior(start_from: str) -> Posterior:
    path = None if start_from == "shipped" else csv_path(start_from)
    try:
        return Posterior.load(path)
    except PosteriorError as exc:
        raise ScenarioError(f"--start-from {start_from}: {exc}") from None


def start_identity(start_from: str) -> dict[str, Any]:
    """What a continued fit starts from: the posterior's particles and its fit's settings."""
    post = _start_posterior(start_from)
    digest = hashlib.sha256(np.ascontiguousarray(post.values).tobytes()).hexdigest()[:16]
    return {"particles_sha256": digest, "generations": post.meta.get("generations")}


def start_population(cfg: FitConfig) -> tuple[Population, dict[str, Any]]:
    """The last generation of a shipped posterior, to continue its fit (its database is gone).

    The posterior must come from this method, model version, set of parameters and run sizes:
    anything else would be a different fit. The particles' logits are recomputed from their
    values (an integer parameter from its rounded value); their distances are the posterior's.
    """
    post = _start_posterior(str(cfg.start_from))
    meta, name = post.meta, f"--start-from {cfg.start_from}"
    if meta.get("method", "").split(" ")[0] != "replenishment":
        raise ScenarioError(f"{name}: not a replenishment ABC-SMC posterior")
    if set(post.keys) != set(cfg.keys):
        raise ScenarioError(f"{name}: fitted other parameters than this model's priors")
    if meta.get("sizes") != cfg.sizes:
        raise ScenarioError(
            f"{name}: fitted with sizes {meta.get('sizes')}, this fit runs {cfg.sizes}; "
            "give the same --scale, --years and --burn-in-years"
        )
    if meta.get("particles") != cfg.particles:
        raise ScenarioError(f"{name}: has {meta.get('particles')} particles; give --particles")
    z = _logits(post, cfg.keys)
    pop = Population(
        z,
        post.distance.copy(),
        [{} for _ in range(post.size)],
        list(meta["epsilon_schedule"]),
        list(meta["move_acceptance"]),
        list(meta["moves"]),
        int(meta["simulations"]),
    )
    return pop, meta.get("cost", {})


def _logits(post: Posterior, keys: Iterable[str]) -> np.ndarray:
    """The particles' logits, as the fit kept them where the posterior records them.

    Recorded logits are exact, so the continuation is the very fit that stopped; an older
    posterior's are recomputed from its values (close, not to the bit).
    """
    keys = list(keys)
    stored = post.meta.get("logits")
    if stored is not None and post.meta.get("logit_keys") == keys:
        z = np.array(stored, dtype=float)
        if z.shape == (post.size, len(keys)) and all(
            decode(z[i], keys) == post.particle(i) for i in range(post.size)
        ):
            return z
    return np.array([encode(post.particle(i), keys) for i in range(post.size)])


def distance(stats: dict[str, float]) -> float:
    """Largest |simulated − observed| over the statistics, in half-tolerances."""
    obs, half = observed(), half_tolerance()
    return float(max(abs(stats[k] - obs[k]) / half[k] for k in obs))


def evaluate(task: tuple[dict[str, float], int, dict[str, Any], float]) -> dict[str, float]:
    """Simulate one parameter set (a module-level function: it runs on any worker)."""
    values, seed, sizes, tolerance = task
    return statistics(values, seed, sizes, tolerance)


# ---------------------------------------------------------------------------- the fit


def fit(cfg: FitConfig, workers: int = 1, client: Any = None, retries: int = 2) -> dict[str, Any]:
    """Run (or resume) the fit and write the posterior and its figures into ``cfg.out``."""
    out = Path(cfg.out)
    # a posterior to continue is checked before anything is written
    initial, before = start_population(cfg) if cfg.start_from else (None, {})
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
        else (lambda m: print(f"\rcalibrate: {m}   ", end="", file=sys.stderr))
    )
    evaluator = Evaluator(evaluate, workers, client, retries)
    cache = Cache(out / "evaluations.sqlite")
    t0, started = time.perf_counter(), datetime.now(UTC).isoformat(timespec="seconds")

    def checkpoint(pop: Population) -> None:
        """Every finished generation, as a posterior a later fit can continue exactly."""
        cost = _add_cost(cache.cost(), before if cfg.start_from else {})
        cost["sessions"] += 1  # this one, still running
        cost["wall_seconds"] += time.perf_counter() - t0
        cost["simulated"] += cache.evaluated
        cost["workers"] = sorted({*cost["workers"], evaluator.workers})
        why = f"checkpoint after generation {len(pop.epsilon) - 1}"
        write_posterior(pop, why, cfg, out, time.perf_counter() - t0, cost, CHECKPOINT)

    try:
        keys = list(cfg.keys)
        fitter = Fit(cfg, evaluator, cache, log, lambda z: decode(z, keys), distance)
        pop, why = fitter.run(initial, checkpoint)
    finally:
        evaluator.close()
        n = workers if client is None else len(client.scheduler_info().get("workers", {}))
        cache.log_session(started, time.perf_counter() - t0, n)
        cost = _add_cost(cache.cost(), before if cfg.start_from else {})
        cache.close()
        if not cfg.quiet:
            print(file=sys.stderr)
    return write_posterior(pop, why, cfg, out, time.perf_counter() - t0, cost)


def _add_cost(cost: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """The cost of a fit's sessions and of the fit it continues (``before``), together."""
    for k in ("sessions", "wall_seconds", "simulated"):
        cost[k] += before.get(k, 0)
    cost["workers"] = sorted({*cost["workers"], *before.get("workers", [])})
    return cost


def write_posterior(
    pop: Population,
    why: str,
    cfg: FitConfig,
    out: Path,
    wall: float,
    cost: dict[str, Any] | None = None,
    folder: str = "posterior",
) -> dict[str, Any]:
    """A generation as ``posterior.csv`` + ``posterior.json`` in ``out/folder``.

    The final posterior also gets what it pins down (figures and tables); the per-generation
    :data:`CHECKPOINT` only what ``--start-from`` needs, including the exact logits.
    """
    from iron_river.outputs import identification

    keys = list(cfg.keys)
    values = np.array([[decode(z, keys)[k] for k in keys] for z in pop.z])
    weights = np.full(len(pop.d), 1.0 / len(pop.d))
    meta = {
        "model_version": MODEL_VERSION,
        "package_version": __version__,
        "method": "replenishment ABC-SMC with MCMC moves (Drovandi & Pettitt 2011)",
        "seed": cfg.seed,
        "particles": len(weights),
        "unique_particles": int(np.unique(pop.z, axis=0).shape[0]),
        "generations": len(pop.epsilon),
        "epsilon_schedule": pop.epsilon,
        "move_acceptance": pop.acceptance,
        "moves": pop.moves,
        "stopped": why,
        "kernel": cfg.kernel,
        "span": span(pop.z),  # directions the particles spread along, of len(keys)
        "simulations": pop.simulations,
        "sizes": cfg.sizes,
        "distance": "max over statistics of |simulated - observed| / half-tolerance",
        "statistics": {
            k: {"observed": v, "half_tolerance": half_tolerance()[k]} for k, v in observed().items()
        },
        "wall_seconds": wall,  # this invocation (a resumed fit replays what it had)
        "cost": cost or {},  # every session of the fit together
        "command": " ".join(sys.argv),
        # the particles as the fit moves them (logits of their prior positions), so a fit that
        # continues this one (--start-from) is exactly the fit that would have run on
        "logit_keys": keys,
        "logits": pop.z.tolist(),
    }
    if cfg.start_from:  # how to reproduce it: the fit it continues, then this command
        start = _start_posterior(cfg.start_from).meta
        meta["continued_from"] = {
            "posterior": cfg.start_from,
            **start_identity(cfg.start_from),
            "command": start.get("command"),
            "kernel": start.get("kernel", "sample"),  # fits before the kernel option: sample
            **({"continued_from": start["continued_from"]} if "continued_from" in start else {}),
        }
    with atomic_folder(out / folder) as tmp:
        _write_csv(tmp / "posterior.csv", keys, values, weights, pop.d)
        (tmp / "posterior.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        if folder != CHECKPOINT:
            identification.write(tmp, keys, values, weights)
        describe_folder(tmp, cfg.scale)
    return meta


def _write_csv(path: Path, keys: list[str], values: np.ndarray, w: np.ndarray, d: np.ndarray):
    import csv

    with path.open("w", newline="", encoding="utf-8") as fh:
        wr = csv.writer(fh)
        wr.writerow([*keys, "weight", "distance"])
        for row, wi, di in zip(values, w, d, strict=True):
            # full precision: each row is exactly the parameter set the fit simulated
            wr.writerow([*(repr(float(v)) for v in row), repr(float(wi)), repr(float(di))])


# ---------------------------------------------------------------------------- command line


def _stop(signum: int, _frame: object) -> None:
    """A fit stopped by ``kill`` (or a batch system's time limit) unwinds like Ctrl-C."""
    raise SystemExit(128 + signum)  # so the session's wall time and simulations are recorded


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Run or resume the fit."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
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
        start_from=args.start_from,
        kernel=args.kernel,
    )
    if latest:
        cfg.out = cfg.out / f"fit-{content_key(**cfg.identity())}"
    for name in ("particles", "generations", "years", "max_simulations"):
        if getattr(args, name) < 1:
            raise ScenarioError(f"--{name.replace('_', '-')} must be at least 1")
    opts = engine_options.EngineOptions.of(args)
    if clusters.dry_run(args, log_directory=cfg.out / "logs", job_name="ir-calibrate"):
        return 0
    try:
        if opts.engine == "local":
            meta = fit(cfg, workers=opts.workers or 1)
        else:
            with clusters.open_client(
                args, log_directory=cfg.out / "logs", job_name="ir-calibrate"
            ) as client:
                meta = fit(cfg, client=client, retries=opts.retries)
    except KeyboardInterrupt:
        print(f"iron-river: interrupted; {stopped(cfg.out)}", file=sys.stderr)
        return 130
    except SystemExit:  # SIGTERM: a kill or a batch system's time limit
        print(f"iron-river: terminated; {stopped(cfg.out)}", file=sys.stderr)
        raise
    if latest:
        point_latest(cfg.out)
    print(
        f"posterior: {cfg.out / 'posterior'} ({meta['particles']} particles, "
        f"{meta['generations']} generations, {meta['simulations']} simulations, "
        f"final tolerance {meta['epsilon_schedule'][-1]:.3g}, {meta['wall_seconds']:.0f} s)"
    )
    return 0


def stopped(out: Path) -> str:
    """What a stopped fit kept, and how to go on from it."""
    check = out / CHECKPOINT / "posterior.json"
    if not check.is_file():
        return (
            f"every finished simulation is kept in {out / 'evaluations.sqlite'}: "
            "rerun the same command to resume"
        )
    meta = json.loads(check.read_text(encoding="utf-8"))
    return (
        f"generation {meta['generations'] - 1} (tolerance {meta['epsilon_schedule'][-1]:.3g}) "
        f"and every finished simulation are kept: rerun the same command to resume, or, "
        f"where {out / 'evaluations.sqlite'} is gone, continue with --start-from "
        f"{out / CHECKPOINT}"
    )


def register(subparsers: Any) -> None:
    """Add ``iron-river calibrate``."""
    p = subparsers.add_parser(
        "calibrate",
        help="fit the posterior of every parameter with a prior (ABC-SMC); resumable",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--particles", type=int, default=100, help="population size (default 100)")
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
    p.add_argument(
        "--batch",
        type=int,
        default=0,
        help="proposals in flight at once, each stored as it returns (0, the default: all "
        "of a move step, so no worker waits for the slowest of a batch)",
    )
    p.add_argument(
        "--out",
        type=Path,
        help="fit folder (default results/calibration/fit-<key of the settings>/: the same "
        "settings resume the same fit; results/calibration/latest points at the last one)",
    )
    p.add_argument(
        "--start-from",
        metavar="POSTERIOR",
        help="continue the fit that ended in this posterior (a folder holding posterior.csv "
        "and .json — a fit folder's posterior/ or checkpoint/, written after every "
        "generation — or 'shipped' for the package's) instead of starting from the prior: "
        "its last generation is the first, the tolerance schedule and cost carry on; from a "
        "posterior that records its logits the continuation is exactly the fit that stopped",
    )
    p.add_argument(
        "--kernel",
        choices=KERNELS,
        default="shrunk",
        help="covariance of the moves: the kept particles' with correlations shrunk (default; "
        "full rank) or their sample covariance (singular with fewer kept particles than "
        "parameters; the shipped fit used it)",
    )
    p.add_argument("--quiet", action="store_true")
    engine_options.add_arguments(
        p, workers_help="local worker processes (default 1: in this process)"
    )
    p.set_defaults(func=cmd_calibrate)
