"""Comparing scenarios: each metric against the first scenario, with replicate intervals.

A scenario whose results already sit in ``results/<name>/`` with the same resolved
parameters, seed and replicates is reused rather than run again.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from iron_river.experiments.runs import run_replicates
from iron_river.outputs.files import atomic_folder, write_results
from iron_river.scenario import IronRiverScenario

KEY_METRICS = (
    "guns_trafficked_us_to_mx",
    "guns_delivered",
    "homicides_total",
    "us_border_arrivals",
    "households_exposed",
    "departures",
)


def _cached(folder: Path, scenario: IronRiverScenario, seed: int, replicates: int) -> dict | None:
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
        summary = json.loads((folder / "summary.json").read_text())
        same = (folder / "scenario.toml").read_text() == scenario.to_toml()
    except (OSError, ValueError):
        return None
    if same and manifest.get("seed") == seed and summary.get("replicates") == replicates:
        return summary
    return None


def compare(scenarios: list[IronRiverScenario], out: Path, args: argparse.Namespace) -> int:
    """Run or reuse each scenario, then write ``compare.csv`` and ``compare.png`` into ``out``."""
    summaries = []
    for sc in scenarios:
        folder = Path("results") / sc.name
        summary = None if args.rerun else _cached(folder, sc, args.seed, args.replicates)
        if summary is None:
            runs = run_replicates(sc, args.seed, args.replicates, args.quiet)
            summary = write_results(folder, sc, runs, args.seed)
        summaries.append(summary)
    ref = summaries[0]["metrics"]
    rows = []
    for s, sc in zip(summaries, scenarios, strict=True):
        for key, m in s["metrics"].items():
            base = ref[key]["mean"]
            change = (m["mean"] - base) / base if base else float("nan")
            rows.append([sc.name, key, m["mean"], m["p05"], m["p95"], base, change])
    with atomic_folder(out) as tmp:
        with (tmp / "compare.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(
                ["scenario", "metric", "mean", "p05", "p95", "reference_mean", "relative_change"]
            )
            w.writerows(rows)
        _figure(tmp / "compare.png", scenarios, summaries)
    print(f"comparison: {out}")
    print(f"{'scenario':28s}" + "".join(f"{k[:22]:>24s}" for k in KEY_METRICS))
    for s, sc in zip(summaries, scenarios, strict=True):
        cells = []
        for k in KEY_METRICS:
            base = ref[k]["mean"]
            cells.append(f"{(s['metrics'][k]['mean'] - base) / base:+.1%}" if base else "n/a")
        print(f"{sc.name:28s}" + "".join(f"{c:>24s}" for c in cells))
    return 0


def _figure(path: Path, scenarios: list[IronRiverScenario], summaries: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(13, 7))
    ref = summaries[0]["metrics"]
    names = [sc.name for sc in scenarios]
    for ax, key in zip(axes.flat, KEY_METRICS, strict=True):
        base = ref[key]["mean"] or 1.0
        mean = [100 * (s["metrics"][key]["mean"] / base - 1) for s in summaries]
        lo = [100 * (s["metrics"][key]["p05"] / base - 1) for s in summaries]
        hi = [100 * (s["metrics"][key]["p95"] / base - 1) for s in summaries]
        ax.barh(
            names,
            mean,
            xerr=[
                [m - a for m, a in zip(mean, lo, strict=True)],
                [b - m for m, b in zip(mean, hi, strict=True)],
            ],
            capsize=3,
        )
        ax.axvline(0, color="k", lw=0.8)
        ax.set_title(key, fontsize=9)
        ax.set_xlabel(f"% vs {names[0]} (bars: 5–95% of replicates)", fontsize=8)
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
