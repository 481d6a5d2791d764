"""Running a sweep plan on a backend: each finished batch written as it arrives, so it resumes.

The driver writes one Parquet file per finished batch as it arrives (see :mod:`.store`), so a
driver killed at any moment loses at most the batches in flight, and rerunning resumes. Where
the batches run is the backend's business (:mod:`iron_river.experiments.backends`).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from iron_river.sweep import store
from iron_river.sweep.design import Plan


@dataclass
class Summary:
    """What a sweep invocation did."""

    out: Path
    shard: tuple[int, int]
    runs_in_shard: int
    done: int
    failed: int
    skipped: int
    lost: dict[int, str] = field(default_factory=dict)
    wall: float = 0.0
    compute: float = 0.0
    workers: int = 0  # most workers seen at once while results came in
    worker_seconds: float = 0.0  # workers x time, summed while results came in
    first_result: float | None = None  # seconds until the first batch was written
    computed_runs: int = 0

    @property
    def missing(self) -> int:
        """Runs of this shard still without a result."""
        return self.runs_in_shard - self.done - self.failed

    @property
    def overhead(self) -> float:
        """Engine overhead as a fraction of compute: (worker-seconds - compute) / compute.

        Worker-seconds count the workers there were (they join and leave on a cluster) over
        the time results came in; 0 is perfect use of every worker.
        """
        if not self.compute:
            return 0.0
        return (self.worker_seconds - self.compute) / self.compute


def run_sweep(
    plan: Plan,
    out: Path,
    backend,
    *,
    shard: tuple[int, int] = (0, 1),
    retry_failed: bool = False,
    progress: bool = True,
) -> Summary:
    """Run the plan's unfinished batches of one shard and write each batch as it finishes.

    Args:
        plan: The sweep plan.
        out: Results folder (created, or resumed if it holds the same design).
        backend: A :class:`PoolBackend`, :class:`DaskBackend` or :class:`SerialBackend`.
        shard: (index, count): run only batches ``k % count == index``.
        retry_failed: Also rerun batches holding failed runs.
        progress: Show a progress bar on stderr.

    Returns:
        A :class:`Summary`; batches whose task failed (after retries) are listed in ``lost``.
    """
    from tqdm import tqdm

    out = Path(out)
    store.prepare(out, plan)
    store.remove_stale_temporaries(out)
    batches = plan.shard_batches(*shard)
    finished = store.finished_batches(out)
    if retry_failed:
        finished -= store.failed_batches(out)
    pending = [k for k in batches if k not in finished]
    runs_in_shard = sum(len(plan.batch_runs(k)) for k in batches)
    done = failed = 0
    for k in batches:
        if k in finished:
            try:
                ok, bad = store.read_batch_status(out, k)
                if ok + bad != len(plan.batch_runs(k)):
                    raise ValueError(f"{ok + bad} rows")
            except Exception as e:  # e.g. truncated by an OS crash: compute it again
                print(f"batch {k}: unreadable ({e}); computing it again", file=sys.stderr)
                store.batch_path(out, k).unlink()
                pending.append(k)
                continue
            done, failed = done + ok, failed + bad
    pending.sort()
    summary = Summary(out, shard, runs_in_shard, done, failed, skipped=done + failed)
    bar = tqdm(
        total=runs_in_shard,
        initial=done + failed,
        unit="run",
        desc=plan.spec.name,
        disable=not progress,
        file=sys.stderr,
        dynamic_ncols=True,
        smoothing=0.05,
        mininterval=0.1 if sys.stderr.isatty() else 30.0,  # a log file: a line every 30 s
    )

    def postfix() -> None:
        bar.set_postfix_str(
            f"done={summary.done} failed={summary.failed} remaining={summary.missing}",
            refresh=False,
        )

    postfix()
    t0 = last = time.perf_counter()
    workers = backend.workers

    def count_workers() -> None:
        nonlocal last, workers
        now = time.perf_counter()
        summary.worker_seconds += workers * (now - last)
        last, workers = now, backend.workers
        summary.workers = max(summary.workers, workers)

    try:
        for k, result in backend.results({k: plan.payload(k) for k in pending}):
            count_workers()
            if isinstance(result, BaseException):
                summary.lost[k] = f"{type(result).__name__}: {result}"
                bar.write(f"batch {k} lost: {summary.lost[k]}")
                continue
            n_ok, n_failed = store.write_batch(out, plan, k, result)
            if summary.first_result is None:
                summary.first_result = time.perf_counter() - t0
            summary.done += n_ok
            summary.failed += n_failed
            summary.compute += result["elapsed"]
            summary.computed_runs += n_ok + n_failed
            postfix()
            bar.update(n_ok + n_failed)
    finally:
        summary.wall = time.perf_counter() - t0
        bar.close()
    return summary
