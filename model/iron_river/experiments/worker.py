"""What runs on a worker: one batch of model runs, each failure caught and recorded.

This module is imported in every worker process (local pool, Dask worker, shard), so it
imports only numpy and the standard library; the model is imported by the binding on first use.
"""

from __future__ import annotations

import importlib
import os
import time
import traceback
from functools import lru_cache
from typing import Any

import numpy as np

from iron_river.experiments.seeds import run_seed


@lru_cache(maxsize=8)
def _base(binding: str, path: str, mtime_ns: int) -> Any:
    # Keyed on mtime so a long-lived Dask worker notices an edited base scenario.
    return importlib.import_module(binding).load_base(path)


def run_one(
    binding: Any, base: Any, root_seed: int, run: tuple, metrics: tuple | None, weekly: tuple
) -> dict:
    """Run one model run; return its row, with ``error`` set instead of raising."""
    index, run_id, seed_key, values = run
    seed = run_seed(root_seed, seed_key)
    row: dict[str, Any] = {
        "run_index": index,
        "run_id": run_id,
        "error": None,
        "traceback": None,
        "metrics": {},
        "weekly": {},
    }
    t0 = time.perf_counter()
    try:
        scenario = binding.apply(base, values)
        out_metrics, out_weekly = binding.simulate(scenario, seed)
        names = metrics if metrics is not None else sorted(out_metrics)
        missing = [m for m in names if m not in out_metrics]
        if missing:
            raise KeyError(f"the run produced no metric {missing}; it has {sorted(out_metrics)}")
        row["metrics"] = {m: float(out_metrics[m]) for m in names}
        missing = [w for w in weekly if w not in out_weekly]
        if missing:
            raise KeyError(
                f"the run produced no weekly series {missing}; it has {sorted(out_weekly)}"
            )
        row["weekly"] = {w: np.asarray(out_weekly[w], dtype=float) for w in weekly}
    except Exception as e:
        row["error"] = f"{type(e).__name__}: {e}"
        row["traceback"] = "".join(traceback.format_exception(e)[-6:])
        row["metrics"], row["weekly"] = {}, {}
    row["elapsed"] = time.perf_counter() - t0
    return row


def run_batch(payload: dict[str, Any]) -> dict[str, Any]:
    """Run every run of a batch (see :meth:`design.Plan.payload`).

    Returns:
        ``{"rows": [...], "host": ..., "pid": ..., "elapsed": seconds of compute}``.
    """
    binding = importlib.import_module(payload["binding"])
    path = payload["base"]
    base = _base(payload["binding"], path, os.stat(path).st_mtime_ns)
    rows = [
        run_one(binding, base, payload["root_seed"], run, payload["metrics"], payload["weekly"])
        for run in payload["runs"]
    ]
    return {
        "rows": rows,
        "host": os.uname().nodename,
        "pid": os.getpid(),
        "elapsed": sum(r["elapsed"] for r in rows),
    }


def run_batches(payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run several batches in one task (fast runs: fewer, longer tasks); one result each."""
    return [run_batch(p) for p in payloads]
