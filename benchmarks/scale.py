"""Full model at 1:100, 1:10 and 1:1: wall time, peak memory, and whether scale changes the answer.

    .venv/bin/python benchmarks/scale.py                 # 1:100, 1:10, 1:1 (~8 min on one core)
    .venv/bin/python benchmarks/scale.py --quick         # skip 1:1 (~4 min)
    .venv/bin/python benchmarks/scale.py --scales 100,10,1 --replicates 16 --json out.json

Each scale runs once, in a subprocess of its own (so its peak RSS, from
``resource.getrusage``, is its own): the baseline scenario, burn-in plus measured years,
weekly, through ``iron_river.experiments.runs.simulate`` as ``iron-river run`` does, then
every output file written (``outputs.files.write_results``) into a temporary folder. Reported per
scale: model construction, burn-in, the measured years, the whole run, and writing the
outputs — wall and CPU seconds (the machine may be shared: CPU time is the steadier
figure) — household-steps per second (simulated households x weeks / wall seconds of the
run) and bytes per household (household arrays, and peak RSS / households).

Then the summary metrics (``summary.json``): ``--replicates`` runs at 1:100 (the first is
the timed one) give the replicate spread. The single 1:1 run should look like one more
replicate: within their min-max and within 3 standard deviations of their mean. Scales in
between (1:10) are cheap, so ``--extra-replicates`` more runs are added there and their mean
is compared with the 1:100 mean (z with both standard errors).
Households draw from a random stream of their own, so a run at another scale and the 1:100
run of the same seed share their gun side: the paired table runs 1:100 at those seeds and
tests the differences (a sharper test of scale than the spread of unpaired replicates).
This is a benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "baseline.toml"
TARGETS = {  # scale: (seconds for the measured years, peak RSS GB) from issue 5
    100.0: (5.0, None),
    1.0: (600.0, 3.0),
}


def child(scale: float, seed: int, index: int) -> None:
    """Run one replicate at ``scale`` and print its figures as one JSON line."""
    import iron_river.experiments.runs as runner
    from iron_river.model import IronRiverModel
    from iron_river.outputs.files import write_results
    from iron_river.scenario import load_scenario

    marks: dict[str, tuple[float, float]] = {}

    def mark(name: str) -> None:
        marks[name] = (time.perf_counter(), time.process_time())

    class TimedModel(IronRiverModel):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            mark("built")

    runner.IronRiverModel = TimedModel  # simulate() builds this: the build is timed alone
    scenario = load_scenario(SCENARIO, [f"scale={scale:g}"])
    burn_in = scenario.burn_in_years * 52
    population: dict[str, int] = {}

    def on_week(model: IronRiverModel) -> None:
        if not population:
            population["n"] = model.households.n
            population["nbytes"] = model.households.nbytes()
        if model.week == burn_in:
            mark("burnt_in")

    seed_seq = runner.replicate_seeds(seed, index + 1)[index]
    mark("start")
    run = runner.simulate(scenario, seed_seq, on_week=on_week)
    mark("simulated")
    marks.setdefault("burnt_in", marks["built"])
    with tempfile.TemporaryDirectory() as tmp:
        write_results(Path(tmp) / "out", scenario, [run], seed, ["benchmarks/scale.py"])
        written = sum(f.stat().st_size for f in Path(tmp).rglob("*") if f.is_file())
    mark("written")

    def span(a: str, b: str) -> list[float]:
        return [marks[b][0] - marks[a][0], marks[b][1] - marks[a][1]]

    figures = {
        "scale": scale,
        "households": population["n"],
        "weeks_burn_in": burn_in,
        "weeks_measured": scenario.years * 52,
        "build": span("start", "built"),
        "burn_in": span("built", "burnt_in"),
        "measured": span("burnt_in", "simulated"),
        "run": span("start", "simulated"),
        "write": span("simulated", "written"),
        "output_bytes": written,
        "nbytes": population["nbytes"],
        "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "metrics": run.metrics,
    }
    print(json.dumps(figures))


def run_child(scale: float, seed: int, index: int) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        str(scale),
        "--seed",
        str(seed),
        "--index",
        str(index),
    ]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode:
        sys.exit(f"scale {scale:g} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def gb(b: float) -> str:
    return f"{b / 2**30:.2f} GB"


def report_timing(r: dict) -> None:
    n, scale = r["households"], r["scale"]
    weeks_all = r["weeks_burn_in"] + r["weeks_measured"]
    years_m = r["weeks_measured"] / 52
    print(f"\n1:{scale:g}  {n:,} simulated households")
    for key, label in (
        ("build", "model construction"),
        ("burn_in", f"burn-in ({r['weeks_burn_in']} weeks)"),
        ("measured", f"measured {years_m:g} years ({r['weeks_measured']} weeks)"),
        ("run", f"whole run, construction + {weeks_all} weeks"),
        ("write", f"writing outputs ({r['output_bytes'] / 2**20:.1f} MiB)"),
    ):
        wall, cpu = r[key]
        print(f"  {label:<44} {wall:8.1f} s wall  {cpu:8.1f} s CPU")
    per_week = r["measured"][0] / r["weeks_measured"]
    print(f"  {'seconds per week (measured period)':<44} {per_week:8.4f} s wall")
    print(
        f"  {'household-steps/s (measured period)':<44} "
        f"{n * r['weeks_measured'] / r['measured'][0] / 1e6:8.1f} M wall  "
        f"{n * r['weeks_measured'] / r['measured'][1] / 1e6:8.1f} M CPU"
    )
    print(
        f"  {'bytes per household':<44} {r['nbytes'] / n:8.1f} arrays  "
        f"{r['peak_rss'] / n:8.1f} peak RSS / households"
    )
    print(f"  {'peak RSS':<44} {gb(r['peak_rss']):>10}")
    target = TARGETS.get(scale)
    if target:
        seconds, rss = target
        wall = r["measured"][0]
        print(
            f"  target: {years_m:g} measured years <= {seconds:g} s: "
            f"{'met' if wall <= seconds else 'MISSED'} ({wall:.1f} s wall, {r['measured'][1]:.1f}"
            f" s CPU; with burn-in and construction {r['run'][0]:.1f} s wall, "
            f"{r['run'][1]:.1f} s CPU)"
        )
        if rss:
            ok = r["peak_rss"] <= rss * 1e9
            print(f"  target: peak RSS <= {rss:g} GB: {'met' if ok else 'MISSED'}")


def compare_scales(reference: list[dict], others: dict[float, list[dict]]) -> None:
    """Print each summary metric: the 1:100 replicate spread against the runs at other scales.

    One run at a scale: ``z = (x − mean₁₀₀) / sd₁₀₀`` (is it a plausible replicate?). Several:
    ``z = (mean − mean₁₀₀) / √(sd²/n + sd₁₀₀²/n₁₀₀)`` (do the means differ?). ``in``: the run
    (or the mean of the runs) lies within the min–max of the 1:100 replicates.
    """
    metrics = list(reference[0])

    def table(runs: list[dict]) -> np.ndarray:
        return np.array([[r[k] for k in metrics] for r in runs], dtype=float)

    ref = table(reference)
    lo, hi = np.nanmin(ref, 0), np.nanmax(ref, 0)
    mean, sd = np.nanmean(ref, 0), np.nanstd(ref, 0, ddof=1)
    stats = {}
    for scale, runs in others.items():
        x = table(runs)
        m = np.nanmean(x, 0)
        se = (
            sd if len(runs) == 1 else np.sqrt(sd**2 / len(reference) + x.var(0, ddof=1) / len(runs))
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(se > 0, (m - mean) / se, np.where(m == mean, 0.0, np.inf))
        stats[scale] = (m, (lo <= m) & (m <= hi), z)
    names = "  ".join(
        f"{'1:' + format(s, 'g') + (f' (x{len(r)})' if len(r) > 1 else ''):>14} {'in':>3} {'z':>5}"
        for s, r in others.items()
    )
    print(f"\n{'metric':<46} {'1:100 min':>11} {'1:100 max':>11}  {names}")
    for i, key in enumerate(metrics):
        cells = [
            f"{m[i]:>14.4g} {'yes' if ok[i] else 'NO':>3} {z[i]:>5.1f}"
            for m, ok, z in stats.values()
        ]
        print(f"{key:<46} {lo[i]:>11.4g} {hi[i]:>11.4g}  " + "  ".join(cells))
    k, n = len(reference), len(metrics)
    for scale, (_, ok, z) in stats.items():
        runs = len(others[scale])
        what = "the run" if runs == 1 else f"the mean of {runs} runs"
        print(
            f"1:{scale:g}: {what} within the 1:100 min-max of {k} replicates for {ok.sum()}/{n} "
            f"metrics; |z| <= 3 for {(np.abs(z) <= 3).sum()}/{n}"
        )
    print(
        f"(one run drawn like the replicates falls outside their min-max with chance 2/{k + 1} = "
        f"{2 / (k + 1):.0%}: expect a few misses among {n} metrics even if scale changed nothing)"
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="100,10,1", help="scales to time, comma-separated")
    ap.add_argument("--quick", action="store_true", help="skip 1:1")
    ap.add_argument("--replicates", type=int, default=16, help="1:100 replicates for the spread")
    ap.add_argument(
        "--extra-replicates",
        type=int,
        default=4,
        help="untimed replicates added at each scale between 1:100 and 1:1 (e.g. 1:10)",
    )
    ap.add_argument("--json", help="also write every figure to this JSON file")
    ap.add_argument("--seed", type=int, default=20190101)
    ap.add_argument("--child", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--index", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child is not None:
        child(args.child, args.seed, args.index)
        return

    import mesa

    scales = [float(s) for s in args.scales.split(",")]
    if args.quick:
        scales = [s for s in scales if s != 1.0]
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, mesa {mesa.__version__}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start"
    )
    timed = {}
    for scale in scales:
        # 1:100 uses replicate 0 (it joins the spread); other scales use a seed of their own
        index = 0 if scale == 100.0 else args.replicates
        print(f"running 1:{scale:g} ...", flush=True)
        timed[scale] = run_child(scale, args.seed, index)
        report_timing(timed[scale])

    others = {s: [r["metrics"]] for s, r in timed.items() if s != 100.0}
    reference: list[dict] = []
    if others and args.replicates >= 2:
        reference = spread(args.seed, args.replicates, timed.get(100.0))
        for scale, runs in others.items():
            if scale != 1.0 and args.extra_replicates:
                runs += extra(scale, args.seed, args.replicates + 1, args.extra_replicates)
        compare_scales(reference, others)
        paired = same_seed_at_100(args.seed, args.replicates, max(map(len, others.values())))
        compare_paired(paired, others)
    if args.json:
        dump = {"timed": list(timed.values()), "replicates_1_100": reference, "others": others}
        Path(args.json).write_text(json.dumps(dump, indent=1), encoding="utf-8")


def same_seed_at_100(seed: int, first: int, count: int) -> list[dict]:
    """Summary metrics at 1:100 for the seeds the other scales used (``first`` onwards)."""
    print(f"{count} runs at 1:100 with the other scales' seeds (paired) ...", flush=True)
    return extra(100.0, seed, first, count, quiet=True)


def compare_paired(paired: list[dict], others: dict[float, list[dict]]) -> None:
    """Each run at another scale against the 1:100 run of the same seed.

    Households draw from a stream of their own, so a pair shares its gun side (traffickers,
    units, gangs) and differs only in the households' noise. Per metric, with d the paired
    differences: at a scale with several runs ``z = mean(d) / (sd(d)/√n)`` (a paired test of
    scale bias); for a single run ``z = d / sd(d)`` using the sd of the pairs at the
    scale with several runs (1:10: its household noise is the larger, so this is cautious).
    """
    metrics = list(paired[0])
    ref = np.array([[r[k] for k in metrics] for r in paired], dtype=float)
    diffs = {
        s: np.array([[r[k] for k in metrics] for r in runs], dtype=float) - ref[: len(runs)]
        for s, runs in others.items()
    }
    multi = [d for d in diffs.values() if len(d) > 1]
    noise = np.nanstd(multi[0], 0, ddof=1) if multi else None
    print("\npaired with 1:100 at the same seed: mean difference and its z")
    print(f"{'metric':<46} " + "  ".join(f"{'1:' + format(s, 'g'):>8} {'z':>5}" for s in diffs))
    zs = {}
    for s, d in diffs.items():
        sd = np.nanstd(d, 0, ddof=1) / np.sqrt(len(d)) if len(d) > 1 else noise
        m = np.nanmean(d, 0)
        if sd is None:
            zs[s] = np.full(len(metrics), np.nan)
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            zs[s] = np.where(sd > 0, m / sd, np.where(m == 0, 0.0, np.inf))
    for i, key in enumerate(metrics):
        cells = [
            f"{'same' if not diffs[s][:, i].any() else format(diffs[s][:, i].mean(), '.3g'):>8} "
            f"{zs[s][i]:>5.1f}"
            for s in diffs
        ]
        print(f"{key:<46} " + "  ".join(cells))
    for s, d in diffs.items():
        same = int((d == 0).all(0).sum())
        z = zs[s][~(d == 0).all(0)]
        pairs = f"{len(d)} pair{'s' if len(d) > 1 else ''}"
        print(
            f"1:{s:g} vs 1:100, same seed ({pairs}): {same} metrics identical (the gun side); "
            f"the other {z.size}: |z| <= 3 for "
            f"{int((np.abs(z) <= 3).sum())}"
        )
    if multi:
        n = len(multi[0])
        print(
            f"(with {n} pairs z is Student's t with {n - 1} degrees of freedom: |t| > 3 by chance "
            f"for {100 * _t_tail(3.0, n - 1):.0f}% of metrics even if scale changed nothing)"
        )


def _t_tail(t: float, df: int) -> float:
    """Two-sided P(|T| > t) for Student's t (scipy comes with SALib)."""
    from scipy.stats import t as student

    return float(2.0 * student.sf(t, df))


def spread(seed: int, replicates: int, timed_100: dict | None) -> list[dict]:
    """Summary metrics of ``replicates`` runs at 1:100 (replicate 0 is the timed run if any)."""
    from iron_river.experiments.runs import simulate
    from iron_river.experiments.seeds import replicate_seeds
    from iron_river.scenario import load_scenario

    print(f"\nsummary metrics: {replicates} replicates at 1:100 ...", flush=True)
    scenario = load_scenario(SCENARIO, ["scale=100"])
    seeds = replicate_seeds(seed, replicates)
    reference = [timed_100["metrics"]] if timed_100 else []
    reference += [simulate(scenario, s).metrics for s in seeds[len(reference) :]]
    return reference


def extra(scale: float, seed: int, first: int, count: int, quiet: bool = False) -> list[dict]:
    """Summary metrics of ``count`` more runs at ``scale`` (seeds ``first`` onwards)."""
    from iron_river.experiments.runs import simulate
    from iron_river.experiments.seeds import replicate_seeds
    from iron_river.scenario import load_scenario

    if not quiet:
        print(f"{count} more replicates at 1:{scale:g} ...", flush=True)
    scenario = load_scenario(SCENARIO, [f"scale={scale:g}"])
    seeds = replicate_seeds(seed, first + count)[first:]
    return [simulate(scenario, s).metrics for s in seeds]


if __name__ == "__main__":
    main()
