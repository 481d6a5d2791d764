"""``iron-river report``: a policy report from fresh runs, every number in it generated.

The report (``results/report/REPORT.md`` with figures and ``report.json``) answers, in order:

1. does the baseline reproduce the facts (FACTS.md T1–T10)?
2. what does each policy scenario in ``scenarios/*.toml`` do to guns delivered, homicides and
   arrivals at the US border, relative to the baseline with paired seeds?
3. how do those respond to US southbound interdiction (a log-spaced curve from the calibrated
   baseline to half of all loads), and with what elasticity?
4. which assumptions is the answer most sensitive to (one-at-a-time ±50% screening of the
   response of arrivals to ×100 interdiction)?
5. a summary in plain words.

The runs are a paired design (:mod:`.design`): in this process by default, on a local pool
with ``--workers N``, or on a Dask cluster with ``--scheduler ADDRESS``; the text and figures
are written by :mod:`.report_writer`.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from iron_river.experiments import options, sensitivity
from iron_river.experiments.design import (
    INTERDICTION,
    Config,
    Design,
    band,
    elasticity,
    interdiction_points,
    paired_change,
)
from iron_river.experiments.report_writer import (
    OUTCOMES,
    SCREEN_FACTORS,
    SCREEN_MULTIPLIER,
    SMOKE_WARNING,
    Cite,
    _clean,
    _figures,
    _markdown,
)
from iron_river.outputs.folders import atomic_folder, check_out, content_key, destination, finish
from iron_river.outputs.metrics import across_replicates
from iron_river.outputs.targets import validation_table
from iron_river.scenario import PARAMETERS, IronRiverScenario, load_scenario

SCREEN_KEYS = (
    "migration.violence_effect",
    "violence.gun_elasticity",
    "trafficking.between_ports_cost_usd_per_gun",
    "trafficking.risk_penalty_usd",
    "gangs.countries.MX.non_us_guns_per_year",
    "market.scarcity_elasticity",
)


# ---------------------------------------------------------------------------- the report


def _policy_scenarios(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.toml") if p.stem != "baseline")


def build_report(cfg: Config) -> dict[str, Any]:
    """Run everything, write REPORT.md, figures and report.json into ``cfg.out`` atomically.

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
    reps = range(cfg.replicates)
    screen_reps = range(cfg.n_screen)
    design = Design(cfg)

    base_keys = design.add(base_path, {}, reps)
    policy_keys = {p.stem: design.add(p, {}, reps) for p in policies}
    x0 = IronRiverScenario().value(INTERDICTION)
    xs = interdiction_points(x0, cfg.points)
    curve_keys = [design.add(base_path, {INTERDICTION: x}, reps) for x in xs]
    x100 = float(f"{x0 * SCREEN_MULTIPLIER:.6g}")
    ref = (
        design.add(base_path, {}, screen_reps),
        design.add(base_path, {INTERDICTION: x100}, screen_reps),
    )
    screen_keys: dict[str, dict[float, tuple[list, list]]] = {}
    for key in SCREEN_KEYS:
        default = PARAMETERS[key].default
        screen_keys[key] = {
            f: (
                design.add(base_path, {key: default * f}, screen_reps),
                design.add(base_path, {key: default * f, INTERDICTION: x100}, screen_reps),
            )
            for f in SCREEN_FACTORS
        }
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
            "screen_replicates": cfg.n_screen,
            "seed": cfg.seed,
            "runs": len(design.jobs),
            "backend": design.backend_name,
            "wall_seconds": wall,
        }
    }
    data["baseline"] = _baseline(design, base_keys)
    data["policies"] = _policies(design, base_keys, policy_keys)
    data["interdiction"] = _curve(design, xs, curve_keys, cfg.seed)
    data["screening"] = _screening(design, ref, screen_keys, x0, x100)

    manifest = {"kind": "report", "smoke_test": cfg.is_quick, "command": sys.argv}
    with atomic_folder(cfg.out, manifest) as tmp:
        if cfg.sensitivity is not None:
            data["sensitivity"] = _sensitivity(cfg, tmp / "sensitivity")
        figures = _figures(tmp, data)
        text = _markdown(data, figures, cite, policies)
        (tmp / "REPORT.md").write_text(text, encoding="utf-8")
        data["cited"] = cite.cited
        data["figures"] = figures
        (tmp / "report.json").write_text(
            json.dumps(_clean(data), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
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
        est, lo, hi = elasticity(x, runs, rng)
        out["metrics"][metric] = {
            "mean": [b[0] for b in bands],
            "p05": [b[1] for b in bands],
            "p95": [b[2] for b in bands],
            "elasticity": est,
            "elasticity_p05": lo,
            "elasticity_p95": hi,
            "change_at_max": float(runs[-1].mean() / runs[0].mean() - 1.0),
        }
    return out


def _response(design: Design, pair: tuple[list, list]) -> float:
    """Mean paired relative change of arrivals from baseline interdiction to ×100."""
    base, x100 = pair
    m = "us_border_arrivals"
    return float(np.nanmean(paired_change(design.metrics(x100, m), design.metrics(base, m))))


def _screening(
    design: Design, ref: tuple[list, list], keys: dict, x0: float, x100: float
) -> dict[str, Any]:
    reference = _response(design, ref)
    base, x100_keys = ref
    m = "us_border_arrivals"
    per_rep = paired_change(design.metrics(x100_keys, m), design.metrics(base, m))
    per_rep = per_rep[np.isfinite(per_rep)]
    se = float(per_rep.std(ddof=1) / math.sqrt(per_rep.size)) if per_rep.size > 1 else math.nan
    # a shift is the difference of two such estimates: beyond noise if > 2 · √2 · SE
    threshold = 2.0 * math.sqrt(2.0) * se
    rows = {}
    for key, by_factor in keys.items():
        responses = {f: _response(design, pair) for f, pair in by_factor.items()}
        shifts = {f: r - reference for f, r in responses.items()}
        rows[key] = {
            "default": PARAMETERS[key].default,
            "provenance": PARAMETERS[key].provenance,
            "response_low": responses[SCREEN_FACTORS[0]],
            "response_high": responses[SCREEN_FACTORS[1]],
            "shift_low": shifts[SCREEN_FACTORS[0]],
            "shift_high": shifts[SCREEN_FACTORS[1]],
            "swing": float(max(abs(s) for s in shifts.values())),
        }
        rows[key]["beyond_noise"] = (
            bool(rows[key]["swing"] > threshold) if math.isfinite(threshold) else None
        )
    ranked = sorted(
        rows, key=lambda k: -rows[k]["swing"] if math.isfinite(rows[k]["swing"]) else 0.0
    )
    return {
        "interdiction_from": x0,
        "interdiction_to": x100,
        "factors": list(SCREEN_FACTORS),
        "reference_response": reference,
        "reference_se": se,
        "noise_threshold": threshold,
        "parameters": rows,
        "ranking": ranked,
    }


# ---------------------------------------------------------------------------- command line


def cmd_report(args: argparse.Namespace) -> int:
    """Build the policy report (``iron-river report``)."""
    make = Config.quick if args.quick else Config
    given = {
        "replicates": args.replicates,
        "years": args.years,
        "scale": args.scale,
        "burn_in_years": args.burn_in_years,
        "points": args.points,
        "screen_replicates": args.screen_replicates,
        "seed": args.seed,
        "workers": args.workers,
        "scheduler": args.scheduler,
        "sensitivity": Path(args.sensitivity) if args.sensitivity else None,
    }
    cfg = make(
        **{k: v for k, v in given.items() if v is not None},
        scenarios=Path(args.scenarios),
        quiet=args.quiet,
    )
    key = content_key(kind="report", config=repr(cfg))
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
        "--replicates", type=options.REPLICATES, help="replicates per scenario (default 10)"
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
        "--screen-replicates",
        type=options.REPLICATES,
        help="replicates per screening run (default: all)",
    )
    p.add_argument("--seed", type=options.SEED, help="root seed (default 20190101)")
    p.add_argument("--scenarios", default="scenarios", help="folder of scenario files")
    p.add_argument("--out", help="report folder (default: a new results/report/<UTC time>-<key>/)")
    p.add_argument(
        "--workers", type=options.WORKERS, help="local worker processes (default 1: serial)"
    )
    p.add_argument("--scheduler", help="address of a running Dask scheduler")
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
    p.set_defaults(func=cmd_report)


# ---------------------------------------------------------------------------- global sensitivity


def _sensitivity(cfg: Config, out: Path) -> dict[str, Any]:
    """Run a sensitivity file (tiny sizes under ``--quick``) into ``out``; return its indices."""
    spec = sensitivity.load_spec(cfg.sensitivity)
    if cfg.is_quick:
        spec.samples, spec.replicates = 2, min(spec.replicates, cfg.replicates)
        spec.years, spec.scale, spec.burn_in_years = cfg.years, cfg.scale, cfg.burn_in_years
    res = sensitivity.run(spec, out, workers=cfg.workers, scheduler=cfg.scheduler, quiet=cfg.quiet)
    res["spec"] = str(cfg.sensitivity)
    res["figure"] = "sensitivity/indices.png"
    return res
