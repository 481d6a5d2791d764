"""Comparing scenarios: each metric against the first scenario, with replicate intervals.

Each scenario's results go to their own run folder (``results/<name>/<time>-<key>/``); a
folder already there is reused only when the resolved scenario (every parameter, the horizon),
the root seed, the number of replicates and the code are identical (:func:`find_run`). The
comparison itself goes to a new ``results/compare/<time>-<key>/`` (or ``--out``) and names the
run folders it read.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path

import numpy as np

from iron_river.experiments.design import band, paired_change
from iron_river.experiments.runs import run_replicates
from iron_river.outputs.files import (
    find_run,
    read_replicates,
    run_destination,
    run_key,
    write_dictionary,
    write_results,
)
from iron_river.outputs.folders import atomic_folder, content_key, destination, finish
from iron_river.scenario import IronRiverScenario, ScenarioError

KEY_METRICS = (
    "guns_trafficked_us_to_mx",
    "guns_delivered",
    "homicides_total",
    "us_border_arrivals",
    "households_exposed",
    "departures",
)
HEADER = [
    "scenario",
    "metric",
    "unit",
    "mean",
    "p05",
    "p95",
    "reference_mean",
    "relative_change",
    "change_mean",
    "change_p05",
    "change_p95",
]


def plan(
    scenarios: list[IronRiverScenario], out: str | None, seed: int, replicates: int
) -> tuple[Path, bool]:
    """Check names and folders before anything runs; return where the comparison goes."""
    seen: dict[str, int] = {}
    for i, sc in enumerate(scenarios):
        if sc.name in seen:
            raise ScenarioError(
                f"scenarios {seen[sc.name] + 1} and {i + 1} are both named {sc.name!r}; "
                "give them different names (the table is by name)",
                key="name",
            )
        seen[sc.name] = i
        drawn = (sc.parameters, sc.posterior)
        if drawn != (scenarios[0].parameters, scenarios[0].posterior):
            raise ScenarioError(
                f"scenario {i + 1} ({sc.name!r}) draws its parameters otherwise than the first "
                f"(parameters = {sc.parameters!r}, posterior = {sc.posterior or 'shipped'!r}; "
                f"the first: {scenarios[0].parameters!r}, "
                f"{scenarios[0].posterior or 'shipped'!r}): a comparison pairs replicate r's "
                "draws, so they must come from one posterior (use --posterior or --point for all)",
                key="posterior",
            )
        run_destination(sc, seed, replicates)  # name and results/<name>/ writable
    key = content_key(kind="compare", runs=[run_key(sc, seed, replicates) for sc in scenarios])
    return destination(out, Path("results") / "compare", key)


def compare(
    scenarios: list[IronRiverScenario], out: Path, args: argparse.Namespace, latest: bool = False
) -> int:
    """Run or reuse each scenario, then write ``compare.csv`` and ``compare.png`` into ``out``."""
    summaries, folders, per_rep = [], {}, []
    for sc in scenarios:
        folder = None if args.rerun else find_run(sc, args.seed, args.replicates)
        if folder is not None:
            print(
                f"{sc.name}: reusing {folder} (same scenario, seeds, replicates and horizon)",
                file=sys.stderr,
            )
            summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        else:
            folder, point = run_destination(sc, args.seed, args.replicates)
            runs = run_replicates(sc, args.seed, args.replicates, args.quiet)
            summary = write_results(folder, sc, runs, args.seed, overrides=args.set)
            finish(folder, point)
        summaries.append(summary)
        folders[sc.name] = str(folder)
        per_rep.append(read_replicates(folder) if (folder / "replicates.csv").is_file() else {})
    ref = summaries[0]["metrics"]
    rows = []
    for s, sc, reps in zip(summaries, scenarios, per_rep, strict=True):
        for key, m in s["metrics"].items():
            base = ref[key]["mean"]
            change = (m["mean"] - base) / base if base else float("nan")
            unit = s.get("definitions", {}).get(key, {}).get("unit", "")
            paired = _paired(reps.get(key), per_rep[0].get(key))
            rows.append([sc.name, key, unit, m["mean"], m["p05"], m["p95"], base, change, *paired])
    manifest = {
        "kind": "compare",
        "scenarios": [sc.name for sc in scenarios],
        "runs": folders,
        "seed": args.seed,
        "replicates": args.replicates,
        "command": sys.argv,
    }
    scales = {sc.scale for sc in scenarios}
    with atomic_folder(out, manifest) as tmp:
        with (tmp / "compare.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(HEADER)
            w.writerows(rows)
        _figure(tmp / "compare.png", scenarios, summaries, args.set)
        write_dictionary(
            tmp,
            {"compare.csv": HEADER},
            scales.pop() if len(scales) == 1 else None,
            metrics=list(ref),
        )
    finish(out, latest)
    print(f"comparison: {out}")
    print(f"{'scenario':28s}" + "".join(f"{k[:22]:>24s}" for k in KEY_METRICS))
    for sc, reps in zip(scenarios, per_rep, strict=True):
        cells = []
        for k in KEY_METRICS:
            mean, lo, hi = _paired(reps.get(k), per_rep[0].get(k))
            cells.append(f"{mean:+.1%} [{lo:+.0%}, {hi:+.0%}]" if math.isfinite(mean) else "n/a")
        print(f"{sc.name:28s}" + "".join(f"{c:>24s}" for c in cells))
    print("(paired change against the first scenario, mean [90% of replicates])")
    return 0


def _paired(values: np.ndarray | None, reference: np.ndarray | None) -> tuple[float, ...]:
    """Mean and 90% interval of the change against the reference, replicate by replicate.

    Replicate r of both runs shares its seed and its posterior draw, so the interval is the
    policy's effect with what we do not know about the parameters, not two spreads added.
    """
    if values is None or reference is None or values.size != reference.size:
        return (math.nan, math.nan, math.nan)
    return band(paired_change(values, reference))


def _figure(
    path: Path, scenarios: list[IronRiverScenario], summaries: list[dict], overrides: list[str]
) -> None:
    from iron_river.outputs import figures

    fig, axes = figures.figure((13, 7.4), 2, 3)
    ref = summaries[0]["metrics"]
    names = [sc.name for sc in scenarios]
    for ax, key in zip(axes.flat, KEY_METRICS, strict=True):
        base = ref[key]["mean"] or 1.0
        mean = np.array([100 * (s["metrics"][key]["mean"] / base - 1) for s in summaries])
        lo = np.array([100 * (s["metrics"][key]["p05"] / base - 1) for s in summaries])
        hi = np.array([100 * (s["metrics"][key]["p95"] / base - 1) for s in summaries])
        y = np.arange(len(names))
        ax.barh(y, mean, color=["#999999", *["#4c72b0"] * (len(names) - 1)])
        ax.errorbar(
            mean,
            y,
            xerr=[np.maximum(mean - lo, 0), np.maximum(hi - mean, 0)],
            fmt="none",
            color="black",
            capsize=3,
            lw=1,
        )
        ax.set_yticks(y, names, fontsize=7)
        ax.axvline(0, color="k", lw=0.8)
        unit = summaries[0].get("definitions", {}).get(key, {}).get("unit", "")
        ax.set_title(
            f"{key.replace('_', ' ')}\n{names[0]}: {ref[key]['mean']:,.0f} {unit}", fontsize=9
        )
        ax.set_xlabel(f"% change vs {names[0]} (bars: 5–95% of replicates)", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3, axis="x")
    top = figures.titled(
        fig,
        f"Scenarios against {names[0]}: yearly means",
        figures.subtitle(scenarios[0], summaries[0]["replicates"], overrides),
    )
    figures.save(figures.layout(fig, top), path)
