"""``iron-river report``: a policy report from fresh runs, every number in it generated.

The report (``results/report/REPORT.md`` with figures and ``report.json``) answers, in order:

1. does the baseline reproduce the facts (FACTS.md T1–T10)?
2. what does each policy scenario in ``scenarios/*.toml`` do to guns delivered, homicides and
   arrivals at the US border, relative to the baseline with paired seeds?
3. how do those respond to US southbound interdiction (a log-spaced curve from the calibrated
   baseline to half of all loads), and with what elasticity?
4. the policy answer: how arrivals respond to interdiction (×100 and 50% of loads), per
   percentage point and as an elasticity, over the decade and in its final year, overall and
   by country, with a predictive interval that carries the posterior's parameter uncertainty
   and seed noise, the seed-only part shown apart, and the parameters the answer hinges on?
5. a summary in plain words.

The runs are a paired design (:mod:`.design`): in this process by default, on a local pool
with ``--workers N``, on a Dask cluster (``--scheduler ADDRESS``) or on Dask workers submitted
as batch jobs (``--cluster slurm``; the options of :mod:`.clusters`); the text and figures are
written by :mod:`.report_writer`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from iron_river.experiments import answer, clusters, engine_options, options, sensitivity
from iron_river.experiments.design import (
    INTERDICTION,
    Config,
    Design,
    band,
    elasticity,
    interdiction_points,
    open_backend,
    paired_change,
)
from iron_river.experiments.report_writer import (
    OUTCOMES,
    SCREEN_MULTIPLIER,
    SMOKE_WARNING,
    _figures,
    _markdown,
)
from iron_river.experiments.writing import Cite, _clean
from iron_river.outputs.files import describe_folder
from iron_river.outputs.folders import atomic_folder, check_out, content_key, destination, finish
from iron_river.outputs.metrics import across_replicates
from iron_river.outputs.targets import validation_table
from iron_river.scenario import IronRiverScenario, load_scenario
from iron_river.scenario.posterior import checked, digest
from iron_river.world.geography import COUNTRIES

# ---------------------------------------------------------------------------- the report


def _policy_scenarios(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.toml") if p.stem != "baseline")


def build_report(cfg: Config) -> dict[str, Any]:
    """Run everything, write REPORT.md, figures and report.json into ``cfg.out`` atomically.

    Every run (the sensitivity file's too) goes to one backend, opened once from ``cfg.engine``.

    Returns:
        The content of report.json.
    """
    check_out(cfg.out)
    base_path = cfg.scenarios / "baseline.toml"
    if not base_path.is_file():
        raise FileNotFoundError(f"{base_path}: the baseline scenario is needed for the report")
    policies = _policy_scenarios(cfg.scenarios)
    for p in policies:
        load_scenario(p)  # every scenario valid before anything runs (ScenarioError)
    with open_backend(cfg, "report") as backend:
        return _build(cfg, Design(cfg, backend), base_path, policies)


def _build(cfg: Config, design: Design, base_path: Path, policies: list[Path]) -> dict[str, Any]:
    reps = range(cfg.replicates)

    base_keys = design.add(base_path, {}, reps)
    policy_keys = {p.stem: design.add(p, {}, reps) for p in policies}
    x0 = IronRiverScenario().value(INTERDICTION)
    xs = interdiction_points(x0, cfg.points)
    curve_keys = [design.add(base_path, {INTERDICTION: x}, reps) for x in xs]
    x100 = float(f"{x0 * SCREEN_MULTIPLIER:.6g}")
    answer_keys = _answer_runs(cfg, design, base_path, x0, x100)
    t0 = time.perf_counter()
    design.run()
    wall = time.perf_counter() - t0

    cite = Cite()
    data: dict[str, Any] = {}
    if cfg.is_quick:
        data["smoke_test"] = True
        data["warning"] = SMOKE_WARNING
    data |= {
        "config": {
            "smoke_test": cfg.is_quick,
            "replicates": cfg.replicates,
            "years": cfg.years,
            "scale": cfg.scale,
            "burn_in_years": cfg.burn_in_years
            if cfg.burn_in_years is not None
            else IronRiverScenario().burn_in_years,
            "interdiction_points": cfg.points,
            "seed_runs": cfg.seed_runs,
            "parameters": cfg.parameters or IronRiverScenario().parameters,
            "posterior": cfg.drawn_from()[1],
            "posterior_path": cfg.posterior or "",
            "scenarios": str(cfg.scenarios),
            "seed": cfg.seed,
            "runs": len(design.jobs),
            "backend": design.backend_name,
            "wall_seconds": wall,
        }
    }
    data["baseline"] = _baseline(design, base_keys)
    data["policies"] = _policies(design, base_keys, policy_keys)
    data["interdiction"] = _curve(design, xs, curve_keys, cfg.seed)
    data["answer"] = _answer(cfg, design, answer_keys, x0, x100)

    manifest = {"kind": "report", "smoke_test": cfg.is_quick, "command": sys.argv}
    with atomic_folder(cfg.out, manifest) as tmp:
        if cfg.sensitivity is not None:
            data["sensitivity"] = _sensitivity(cfg, tmp / "sensitivity", design.backend)
        figures = _figures(tmp, data)
        text = _markdown(data, figures, cite, policies)
        (tmp / "REPORT.md").write_text(text, encoding="utf-8")
        data["cited"] = cite.cited
        data["figures"] = figures
        (tmp / "report.json").write_text(
            json.dumps(_clean(data), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        describe_folder(tmp, cfg.scale)
    return data


def _baseline(design: Design, keys: list) -> dict[str, Any]:
    metrics = across_replicates([design.results[k] for k in keys])
    rows, ok = validation_table(metrics)
    return {
        "metrics": metrics,
        "validation": rows,
        "passed": sum(r[-1] == "pass" for r in rows),
        "targets": len(rows),
        "all_pass": ok,
    }


def _policies(design: Design, base: list, policies: dict[str, list]) -> dict[str, Any]:
    out = {}
    for name, keys in policies.items():
        row = {}
        for metric in OUTCOMES:
            change = paired_change(design.metrics(keys, metric), design.metrics(base, metric))
            mean, lo, hi = band(change)
            row[metric] = {
                "change_mean": mean,
                "change_p05": lo,
                "change_p95": hi,
                "policy_mean": float(np.nanmean(design.metrics(keys, metric))),
            }
        out[name] = row
    return out


def _curve(design: Design, xs: list[float], keys: list[list], seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    x = np.array(xs)
    out: dict[str, Any] = {"x": xs, "metrics": {}}
    for metric in OUTCOMES:
        runs = np.array([design.metrics(k, metric) for k in keys])  # points × replicates
        bands = [band(r) for r in runs]
        # each replicate against its own baseline (same draw, same seed): the policy's effect
        changes = [band(paired_change(r, runs[0])) for r in runs]
        est, lo, hi = elasticity(x, runs, rng)
        out["metrics"][metric] = {
            "mean": [b[0] for b in bands],
            "p05": [b[1] for b in bands],
            "p95": [b[2] for b in bands],
            "change_mean": [b[0] for b in changes],
            "change_p05": [b[1] for b in changes],
            "change_p95": [b[2] for b in changes],
            "elasticity": est,
            "elasticity_p05": lo,
            "elasticity_p95": hi,
            "change_at_max": float(runs[-1].mean() / runs[0].mean() - 1.0),
        }
    return out


STRUCTURAL = "enforcement.us_southbound_interdiction"  # the 2019 rate the lever inherits
# the causal chain link by link, per country (decade averages): where the answer comes from
CHAIN = {
    "gun price": "gun_price_{c}",
    "guns held by armed groups": "arsenal_{c}",
    "armed groups": "armed_groups_{c}",
    "homicides": "homicides_{c}",
    "arrivals at the US border": "us_border_arrivals_{c}",
}
ANSWER_METRICS = ("us_border_arrivals", *(f"us_border_arrivals_{c}" for c in COUNTRIES))
HORIZONS = {"decade": "", "final year": "_final_year"}


def _answer_runs(cfg: Config, design: Design, base: Path, x0: float, x100: float) -> dict:
    """The runs behind the policy answer: baseline, ×100 and the curve's top, per draw.

    And the same at the posterior point: the seed noise alone.
    """
    draws, point = range(cfg.replicates), range(cfg.seed_runs)
    top = interdiction_points(x0, 2)[-1]
    pinned = {"parameters": "point"} if cfg.parameters is None else {}
    return {
        "x": {"x100": x100, "max": top},
        "draws": {
            "base": design.add(base, {}, draws),
            "x100": design.add(base, {INTERDICTION: x100}, draws),
            "max": design.add(base, {INTERDICTION: top}, draws),
        },
        "point": {
            "base": design.add(base, pinned, point),
            "x100": design.add(base, {**pinned, INTERDICTION: x100}, point),
            "max": design.add(base, {**pinned, INTERDICTION: top}, point),
        },
    }


def _answer(cfg: Config, design: Design, keys: dict, x0: float, x100: float) -> dict[str, Any]:
    """How arrivals respond to interdiction: predictive interval, its parts, its hinges.

    See :mod:`.answer`.
    """
    post, sentence = cfg.drawn_from()
    mode = cfg.parameters or IronRiverScenario().parameters
    drawn = post is not None and mode == "posterior"
    out: dict[str, Any] = {
        "parameters": mode if post is not None else "defaults",
        "source": sentence,
        "draws": cfg.replicates,
        "seed_runs": cfg.seed_runs,
        "from": x0,
        "policies": {},
    }
    idx = [post.index(r, cfg.seed) for r in range(cfg.replicates)] if drawn else []
    # each draw has its own 2019 rate (T4 leaves it uncertain): steps are measured from it
    x0s = (
        post.values[idx, post.keys.index(STRUCTURAL)]
        if drawn and STRUCTURAL in post.keys
        else np.full(cfg.replicates, x0)
    )
    out["from_draws"] = [float(v) for v in np.percentile(x0s, [5, 50, 95])]
    for policy, x in keys["x"].items():
        rows: dict[str, Any] = {}
        for metric in ANSWER_METRICS:
            for horizon, suffix in HORIZONS.items():
                m = metric + suffix

                def change(k: dict, m: str = m, policy: str = policy) -> np.ndarray:
                    return paired_change(design.metrics(k[policy], m), design.metrics(k["base"], m))

                whole = change(keys["draws"])
                seed_only = change(keys["point"]) if drawn else None  # else: all seed noise
                row = answer.uncertainty(whole, seed_only).as_dict()
                pp = answer.uncertainty(whole / ((x - x0s) * 100.0))
                row["per_point"], row["per_point_p05"], row["per_point_p95"] = (
                    pp.mean,
                    pp.p05,
                    pp.p95,
                )
                rows[f"{metric}|{horizon}"] = row
        base_arr = design.metrics(keys["draws"]["base"], "us_border_arrivals")
        pol_arr = design.metrics(keys["draws"][policy], "us_border_arrivals")
        with np.errstate(divide="ignore", invalid="ignore"):
            el = np.log(pol_arr / base_arr) / np.log(x / x0s)
        e = answer.uncertainty(el)
        entry: dict[str, Any] = {"x": x, "rows": rows, "elasticity": e.as_dict()}
        entry["chain"] = _chain(design, keys["draws"], policy)
        if drawn:
            h = answer.hinges(post.values[idx], list(post.keys), paired_change(pol_arr, base_arr))
            entry["hinges"] = {
                "threshold": h.threshold,
                "rows": [vars(r) for r in h.rows],
                "distinct_particles": len(set(idx)),
            }
        out["policies"][policy] = entry
    return out


def _chain(design: Design, draws: dict, policy: str) -> dict[str, dict[str, dict]]:
    """Paired change of each link of the chain, per country: how the policy reaches arrivals."""
    out: dict[str, dict[str, dict]] = {}
    for link, pattern in CHAIN.items():
        out[link] = {}
        for c in COUNTRIES:
            m = pattern.format(c=c)
            u = answer.uncertainty(
                paired_change(design.metrics(draws[policy], m), design.metrics(draws["base"], m))
            )
            out[link][c] = {"mean": u.mean, "p05": u.p05, "p95": u.p95}
    return out


# ---------------------------------------------------------------------------- command line


def config_of(args: argparse.Namespace) -> Config:
    """The report's settings from its command line (also how its Reproduce line is checked)."""
    make = Config.quick if args.quick else Config
    given = {
        "replicates": args.replicates,
        "years": args.years,
        "scale": args.scale,
        "burn_in_years": args.burn_in_years,
        "points": args.points,
        "seed_runs": args.seed_runs,
        "parameters": "point" if args.point else None,
        "posterior": checked(args.posterior, "--posterior") if args.posterior else None,
        "seed": args.seed,
        "sensitivity": Path(args.sensitivity) if args.sensitivity else None,
    }
    return make(
        **{k: v for k, v in given.items() if v is not None},
        scenarios=Path(args.scenarios),
        engine=engine_options.EngineOptions.of(args),
        quiet=args.quiet,
    )


def cmd_report(args: argparse.Namespace) -> int:
    """Build the policy report (``iron-river report``)."""
    cfg = config_of(args)
    # where the real run's job logs go: beside the report folder (design.open_backend)
    logs = (Path(args.out).parent if args.out else Path("results") / "report") / "logs"
    if clusters.dry_run(args, log_directory=logs, job_name="ir-report"):
        return 0
    drawn = digest(cfg.drawn_from()[0]) if cfg.posterior else ""  # a fit may go on in place
    key = content_key(
        kind="report", config=repr(dataclasses.replace(cfg, engine=None)), posterior=drawn
    )
    cfg.out, latest = destination(args.out, Path("results") / "report", key)
    data = build_report(cfg)
    finish(cfg.out, latest)
    smoke = " — SMOKE TEST, not to be cited" if cfg.is_quick else ""
    print(f"report: {cfg.out / 'REPORT.md'} ({data['config']['runs']} runs){smoke}")
    return 0


def register(subparsers: Any) -> None:
    """Add ``iron-river report`` to the CLI's subparsers."""
    p = subparsers.add_parser(
        "report", help="policy report from fresh runs: results/report/REPORT.md"
    )
    p.add_argument(
        "--replicates",
        type=options.REPLICATES,
        help="replicates per scenario and curve point, each its own posterior draw (default 40)",
    )
    p.add_argument("--years", type=options.YEARS, help="measured years (default 10)")
    p.add_argument(
        "--scale", type=options.SCALE, help="real households per simulated one (default 100)"
    )
    p.add_argument(
        "--burn-in-years", type=options.BURN_IN, help="burn-in years (default: the scenario's)"
    )
    p.add_argument("--points", type=options.whole(2), help="interdiction curve points (default 6)")
    p.add_argument(
        "--seed-runs",
        type=options.whole(2),
        help="replicates at the posterior point, for the seed-only spread (default 10)",
    )
    p.add_argument(
        "--point",
        action="store_true",
        help="every run at the posterior's medians (quick; intervals are seed noise only)",
    )
    p.add_argument(
        "--posterior",
        metavar="PATH",
        help="draw from this posterior instead of the shipped one: a fit's posterior/ or "
        "checkpoint/ folder (or its posterior.csv), e.g. your own `iron-river calibrate`",
    )
    p.add_argument("--seed", type=options.SEED, help="root seed (default 20190101)")
    p.add_argument("--scenarios", default="scenarios", help="folder of scenario files")
    p.add_argument("--out", help="report folder (default: a new results/report/<UTC time>-<key>/)")
    p.add_argument(
        "--sensitivity",
        metavar="SPEC",
        help="also run a sensitivity file (e.g. scenarios/sensitivity/key_assumptions.toml) "
        "and include its indices",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke test of the pipeline, NOT results (marked so in the report): scale 5000, "
        "1 year, no burn-in, 2 replicates, 3 points",
    )
    p.add_argument("--quiet", action="store_true", help="no progress output")
    engine_options.add_arguments(
        p, workers_help="local worker processes (default 1: in this process)"
    )
    p.set_defaults(func=cmd_report)


# ---------------------------------------------------------------------------- global sensitivity


def _sensitivity(cfg: Config, out: Path, backend: Any) -> dict[str, Any]:
    """Run a sensitivity file (tiny sizes under ``--quick``) into ``out``; return its indices."""
    spec = sensitivity.load_spec(cfg.sensitivity)
    if cfg.posterior:  # the report's posterior, for its sensitivity runs too
        spec.posterior = cfg.posterior
    if cfg.is_quick:
        spec.samples, spec.replicates = 2, min(spec.replicates, cfg.replicates)
        spec.years, spec.scale, spec.burn_in_years = cfg.years, cfg.scale, cfg.burn_in_years
    res = sensitivity.run(spec, out, backend=backend, quiet=cfg.quiet)
    res["spec"] = str(cfg.sensitivity)
    res["figure"] = "sensitivity/indices.png"
    return res
