"""``iron-river calibrate``: fit the parameters labelled "calibrated to T…" to FACTS.md T1–T10.

Simulated method of moments: the objective is

    J(θ) = Σ_t ((m̄_t(θ) − target_t) / half-width_t)²

over the targets of :data:`iron_river.outputs.targets.TARGETS`, with m̄_t the mean over replicates of
the model's metric and half-width_t half the tolerance band, so J < 1 per target means "inside
the tolerance". Replicates use the same seeds for every candidate (common random numbers), so
differences between candidates are not seed noise.

The search is a (1, λ) evolution strategy in log-parameter space with step-size adaptation:
each generation draws λ candidates θ_best · exp(σ·z) (z standard normal, ranges clipped,
integers rounded), evaluates them together — in parallel on the sweep engine's backends — and
moves to the best if it improves J (σ × 1.5), otherwise shrinks σ (× 0.6). ``--budget`` is the
number of candidate evaluations. Parameters whose starting value is 0 cannot be searched in
log space: they are skipped and listed in ``calibration.json``.

Writes ``results/calibration/`` atomically: ``fitted.toml`` (a scenario file of the fitted
values: ``iron-river run results/calibration/fitted.toml``), ``fit.csv`` (per target: target,
tolerance, model at the start and at the fit), ``history.csv`` (every evaluation with its
objective and values), ``calibration.json`` and ``objective.png``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from iron_river.experiments import options
from iron_river.experiments.design import Config, Design
from iron_river.outputs.folders import atomic_folder, check_out, content_key, destination, finish
from iron_river.outputs.targets import TARGETS, Target
from iron_river.scenario import PARAMETERS, ScenarioError, load_scenario


def calibrated_keys() -> list[str]:
    """Parameters whose provenance says they were calibrated to a FACTS.md target."""
    return [k for k, s in PARAMETERS.items() if s.provenance.lower().startswith("calibrated to t")]


def objective(metrics: dict[str, float], targets: tuple[Target, ...] = TARGETS) -> tuple:
    """J and the per-target terms ((mean − target) / half-width)²; a missing metric costs 100."""
    terms = {}
    for t in targets:
        m = metrics.get(t.metric, math.nan)
        half = (t.hi - t.lo) / 2.0
        terms[t.id] = ((m - t.target) / half) ** 2 if math.isfinite(m) else 100.0
    return float(sum(terms.values())), terms


def _mean_metrics(runs: list[dict[str, float]]) -> dict[str, float]:
    out = {}
    for key in runs[0]:
        v = np.array([r.get(key, math.nan) for r in runs], dtype=float)
        out[key] = float(np.nanmean(v)) if np.isfinite(v).any() else math.nan
    return out


def _clip(key: str, value: float) -> float | int:
    spec = PARAMETERS[key]
    lo = spec.lo if spec.lo is not None else -math.inf
    hi = spec.hi if spec.hi is not None else math.inf
    value = min(max(value, lo), hi)
    if spec.kind is int:
        return round(value)
    return float(f"{value:.6g}")


def calibrate(
    keys: list[str],
    budget: int,
    *,
    population: int,
    replicates: int,
    years: int,
    scale: float,
    burn_in_years: int | None,
    seed: int,
    sigma: float,
    out: Path,
    scenario: Path,
    workers: int = 1,
    scheduler: str | None = None,
    quiet: bool = False,
) -> dict[str, Any]:
    """Run the search and write its results (see the module docstring)."""
    check_out(out)

    start_values = load_scenario(scenario).flat()
    zero = [k for k in keys if not start_values[k]]
    keys = [k for k in keys if start_values[k]]
    if not keys:
        raise ScenarioError("no parameter to calibrate (all have default 0)", key="--params")
    cfg = Config(
        replicates=replicates,
        years=years,
        scale=scale,
        burn_in_years=burn_in_years,
        seed=seed,
        workers=workers,
        scheduler=scheduler,
        quiet=quiet,
    )
    design = Design(cfg)
    reps = range(replicates)
    rng = np.random.default_rng(seed)
    history: list[dict[str, Any]] = []

    def evaluate(cands: list[dict[str, Any]], generation: int) -> list[tuple[float, dict, dict]]:
        keys_ = [design.add(scenario, c, reps) for c in cands]
        design.run()
        res = []
        for c, k in zip(cands, keys_, strict=True):
            m = _mean_metrics([design.results[x] for x in k])
            j, terms = objective(m)
            history.append(
                {
                    "evaluation": len(history),
                    "generation": generation,
                    "sigma": s,
                    "objective": j,
                    **c,
                }
            )
            res.append((j, terms, m))
        return res

    s = sigma
    best = {k: start_values[k] for k in keys}
    [(j_best, terms_best, m_best)] = evaluate([best], 0)
    start = (j_best, terms_best, m_best)
    generation, used = 0, 0
    while used < budget:
        generation += 1
        lam = min(population, budget - used)
        cands = []
        for _ in range(lam):
            z = rng.standard_normal(len(keys))
            cands.append(
                {k: _clip(k, best[k] * math.exp(s * zi)) for k, zi in zip(keys, z, strict=True)}
            )
        results = evaluate(cands, generation)
        used += lam
        i = int(np.argmin([r[0] for r in results]))
        if results[i][0] < j_best:
            best, (j_best, terms_best, m_best) = cands[i], results[i]
            s *= 1.5
            history[-lam + i]["accepted"] = True
        else:
            s *= 0.6
    fitted = {"name": "calibrated", **best}
    summary = {
        "keys": keys,
        "skipped_zero_default": zero,
        "budget": budget,
        "population": population,
        "replicates": replicates,
        "years": years,
        "scale": scale,
        "burn_in_years": burn_in_years,
        "seed": seed,
        "runs": len(design.jobs),
        "backend": design.backend_name,
        "objective_start": start[0],
        "objective_fitted": j_best,
        "fitted": best,
        "start": {k: start_values[k] for k in keys},
    }
    with atomic_folder(out, {"kind": "calibration", "command": sys.argv}) as tmp:
        lines = [f"# iron-river calibrate: objective {start[0]:.4g} -> {j_best:.4g}"]
        lines += [f'"{k}" = {v!r}' if k != "name" else f'name = "{v}"' for k, v in fitted.items()]
        (tmp / "fitted.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        _fit_csv(tmp / "fit.csv", start, (j_best, terms_best, m_best))
        _history_csv(tmp / "history.csv", keys, history)
        _figure(tmp / "objective.png", history)
        (tmp / "calibration.json").write_text(
            json.dumps(summary, indent=2, default=float) + "\n", encoding="utf-8"
        )
    return summary


def _fit_csv(path: Path, start: tuple, end: tuple) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "id",
                "metric",
                "target",
                "lo",
                "hi",
                "start",
                "fitted",
                "pass_start",
                "pass_fitted",
                "term_start",
                "term_fitted",
            ]
        )
        for t in TARGETS:
            a, b = start[2].get(t.metric, math.nan), end[2].get(t.metric, math.nan)
            w.writerow(
                [
                    t.id,
                    t.metric,
                    t.target,
                    t.lo,
                    t.hi,
                    f"{a:.6g}",
                    f"{b:.6g}",
                    t.passes(a),
                    t.passes(b),
                    f"{start[1][t.id]:.4g}",
                    f"{end[1][t.id]:.4g}",
                ]
            )


def _history_csv(path: Path, keys: list[str], history: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["evaluation", "generation", "sigma", "objective", "accepted", *keys])
        for h in history:
            w.writerow(
                [
                    h["evaluation"],
                    h["generation"],
                    f"{h['sigma']:.4g}",
                    f"{h['objective']:.6g}",
                    bool(h.get("accepted")),
                    *(h[k] for k in keys),
                ]
            )


def _figure(path: Path, history: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    j = np.array([h["objective"] for h in history])
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.plot(j, "o", ms=3, alpha=0.5, label="candidate")
    ax.plot(np.minimum.accumulate(j), "-", label="best so far")
    ax.set_yscale("log")
    ax.set_xlabel("evaluation")
    ax.set_ylabel("objective J")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Run ``iron-river calibrate``."""
    keys = calibrated_keys()
    if args.params:
        keys = [k.strip() for k in args.params.split(",") if k.strip()]
        unknown = [k for k in keys if k not in PARAMETERS]
        if unknown:
            raise ScenarioError(f"unknown parameter(s) {unknown}", key="--params")
    key = content_key(kind="calibration", args=sorted(vars(args).items(), key=str))
    out, latest = destination(args.out, Path("results") / "calibration", key)
    res = calibrate(
        keys,
        args.budget,
        population=args.population,
        replicates=args.replicates,
        years=args.years,
        scale=args.scale,
        burn_in_years=args.burn_in_years,
        seed=args.seed,
        sigma=args.sigma,
        out=out,
        scenario=Path(args.scenario),
        workers=args.workers or 1,
        scheduler=args.scheduler,
        quiet=args.quiet,
    )
    finish(out, latest)
    print(
        f"calibration: {out} ({res['runs']} runs): objective "
        f"{res['objective_start']:.4g} -> {res['objective_fitted']:.4g}"
    )
    return 0


def register(subparsers: Any) -> None:
    """Add ``iron-river calibrate`` to the CLI's subparsers."""
    p = subparsers.add_parser(
        "calibrate", help="fit the 'calibrated to T…' parameters to FACTS.md (SMM)"
    )
    p.add_argument(
        "--budget", type=options.whole(1), default=40, help="candidate evaluations (default 40)"
    )
    p.add_argument(
        "--population", type=options.whole(1), default=4, help="candidates per generation"
    )
    p.add_argument(
        "--replicates", type=options.REPLICATES, default=3, help="seeds per candidate (default 3)"
    )
    p.add_argument("--years", type=options.YEARS, default=5, help="measured years (default 5)")
    p.add_argument(
        "--scale", type=options.SCALE, default=100.0, help="households scale (default 100)"
    )
    p.add_argument(
        "--burn-in-years", type=options.BURN_IN, help="burn-in (default: the scenario's)"
    )
    p.add_argument("--sigma", type=float, default=0.1, help="initial log-step (default 0.1)")
    p.add_argument("--params", help="comma-separated keys (default: every 'calibrated to T…')")
    p.add_argument("--scenario", default="scenarios/baseline.toml", help="starting scenario")
    p.add_argument("--seed", type=options.SEED, default=20190101)
    p.add_argument("--out", help="folder (default: a new results/calibration/<UTC time>-<key>/)")
    p.add_argument(
        "--workers", type=options.WORKERS, help="local worker processes (default 1: serial)"
    )
    p.add_argument("--scheduler", help="address of a running Dask scheduler")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_calibrate)
