"""Sweep throughput: runs per second on the local pool and on Dask, and the engine overhead.

    .venv/bin/python benchmarks/sweep_throughput.py            # about 4 minutes on 2 cores
    .venv/bin/python benchmarks/sweep_throughput.py --quick

Overhead is (workers x wall time - compute inside the runs) / compute inside the runs, measured
after a warm-up (worker start-up excluded; the cold figure is printed too). Two workloads:

- the real model (scenarios/baseline.toml at --scale, --years), one run per batch;
- a synthetic run that busy-waits a fixed time, with several batch sizes (runs per Parquet
  file; tasks group batches to ~1 s of compute), to show the per-file and per-task costs.

This is a benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Workers import this file as the binding "sweep_throughput" for the synthetic workload.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


# ------------------------------------------------------------------ synthetic binding
class _P:
    def __init__(self, default, lo=None, hi=None):
        self.default, self.lo, self.hi, self.unit = default, lo, hi, ""


PARAMETERS = {"x": _P(0.5, 0.0, 1.0), "seconds": _P(0.02, 0.0, 10.0)}


class ScenarioError(ValueError):
    """Invalid synthetic scenario."""


def load_base(path):
    return {"x": 0.5, "seconds": 0.02}


def base_values(sc):
    return dict(sc)


def apply(sc, values):
    return {**sc, **values}


def simulate(sc, seed):
    import numpy as np

    end = time.perf_counter() + sc["seconds"]
    while time.perf_counter() < end:
        pass
    rng = np.random.default_rng(seed)
    return {"y": float(sc["x"] + rng.normal())}, {}


# ------------------------------------------------------------------ measurement
def write_spec(
    folder: Path,
    *,
    base: str,
    points: int,
    replicates: int,
    body: str,
    metrics: str,
    batch_size: int,
    lever: str,
    lo: float,
    hi: float,
) -> Path:
    spec = folder / "spec.toml"
    spec.write_text(f"""
base = "{base}"
replicates = {replicates}
root_seed = 1
batch_size = {batch_size}
metrics = {metrics}
{body}
[parameters."{lever}"]
range = [{lo}, {hi}]
points = {points}
""")
    return spec


def measure(plan, backend, label: str) -> dict:
    from iron_river.sweep import engine

    with tempfile.TemporaryDirectory() as tmp:
        s = engine.run_sweep(plan, Path(tmp), backend, progress=False)
    assert s.missing == 0 and not s.lost, s
    runs = s.computed_runs
    out = {
        "label": label,
        "runs": runs,
        "wall": s.wall,
        "compute": s.compute,
        "workers": s.workers,
        "runs_per_s": runs / s.wall,
        "overhead": s.overhead,
    }
    print(
        f"  {label:<34} {runs:5d} runs  {s.wall:7.2f} s wall  {s.compute:7.2f} s compute  "
        f"{runs / s.wall:7.2f} runs/s  overhead {100 * s.overhead:6.1f}%"
    )
    return out


def plans(spec, binding_module, binding_name: str):
    from iron_river.sweep.design import build_plan
    from iron_river.sweep.spec import load_spec

    return build_plan(load_spec(spec, binding_module), binding_module, binding_name)


def bench_backends(plan, warm, workers: int) -> None:
    from distributed import Client, LocalCluster

    from iron_river.experiments import backends

    measure(plan, backends.SerialBackend(), "serial, in process (reference)")
    pool = backends.PoolBackend(workers)
    try:
        measure(warm, pool, f"local pool x{workers}, cold start")
        measure(plan, pool, f"local pool x{workers}, warm")
    finally:
        pool.close()
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        ) as cluster,
        Client(cluster) as client,
    ):
        client.wait_for_workers(workers)
        dask = backends.DaskBackend(client, key_prefix="bench-warm")
        measure(warm, dask, f"Dask LocalCluster x{workers}, cold")
        dask = backends.DaskBackend(client, key_prefix="bench")
        measure(plan, dask, f"Dask LocalCluster x{workers}, warm")


def bench_batches(splans: dict, workers: int) -> None:
    from distributed import Client, LocalCluster

    from iron_river.experiments import backends
    from iron_river.sweep import engine

    pool = backends.PoolBackend(workers)
    try:
        with tempfile.TemporaryDirectory() as t2:  # warm-up: start the workers
            engine.run_sweep(splans[16], Path(t2), pool, progress=False)
        for batch, plan in splans.items():
            measure(plan, pool, f"local pool x{workers}, batch {batch}")
    finally:
        pool.close()
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        ) as cluster,
        Client(cluster) as client,
    ):
        client.wait_for_workers(workers)
        with tempfile.TemporaryDirectory() as t2:
            engine.run_sweep(
                splans[16], Path(t2), backends.DaskBackend(client, key_prefix="w"), progress=False
            )
        for batch, plan in splans.items():
            backend = backends.DaskBackend(client, key_prefix=f"b{batch}")
            measure(plan, backend, f"Dask LocalCluster x{workers}, batch {batch}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--scale", type=float, default=2000)
    ap.add_argument("--years", type=int, default=1)
    ap.add_argument("--runs", type=int, default=24, help="real-model runs per measurement")
    ap.add_argument("--quick", action="store_true", help="fewer runs")
    args = ap.parse_args()
    if args.quick:
        args.runs = 8
    import sweep_throughput as synthetic  # this file, as the workers import it

    from iron_river.experiments import binding as adapter

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        print(
            f"real model: baseline at scale {args.scale:g}, {args.years} measured year(s), "
            f"{args.workers} workers, one run per batch (tasks sized automatically)"
        )
        common = {
            "base": str(ROOT / "scenarios" / "baseline.toml"),
            "body": f"years = {args.years}\n[set]\nscale = {args.scale}\n",
            "metrics": '["us_border_arrivals", "homicides_total", "guns_delivered"]',
            "lever": "policy.us_southbound_interdiction",
            "lo": 0.01,
            "hi": 0.5,
        }
        (tmp / "r").mkdir()
        (tmp / "w").mkdir()
        plan = plans(
            write_spec(tmp / "r", points=args.runs // 2, replicates=2, batch_size=1, **common),
            adapter,
            "iron_river.experiments.binding",
        )
        warm = plans(
            write_spec(tmp / "w", points=2, replicates=args.workers, batch_size=1, **common),
            adapter,
            "iron_river.experiments.binding",
        )
        bench_backends(plan, warm, args.workers)

        seconds = 0.02
        n = 200 if args.quick else 600
        print(
            f"\nsynthetic runs of {seconds * 1000:.0f} ms: overhead against batch size "
            "(runs per Parquet file)"
        )
        splans = {}
        for batch in (1, 4, 16):
            folder = tmp / f"s{batch}"
            folder.mkdir()
            spec = write_spec(
                folder,
                base=str(HERE / "sweep_throughput.py"),
                points=n // 4,
                replicates=4,
                batch_size=batch,
                body=f"[set]\nseconds = {seconds}\n",
                metrics='["y"]',
                lever="x",
                lo=0.0,
                hi=1.0,
            )
            splans[batch] = plans(spec, synthetic, "sweep_throughput")
        bench_batches(splans, args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
