"""Where runs execute: this process, a local pool, or a Dask cluster (also via a batch system).

The backends only move batches of runs (see :func:`iron_river.experiments.worker.run_batch`)
to workers and their results back. A *batch* is the unit of storage and is fixed by the
design (so files are identical on every backend). A *task* is the unit of scheduling: one or
more consecutive batches, sized on the fly so that each task computes for about
:data:`TASK_SECONDS` (fast runs share a task, slow runs go one batch at a time). About two
tasks per worker are kept in flight, so workers never wait for the driver and little is lost
if the driver dies.

Backends all offer ``results(payloads) -> iterator of (batch, result or exception)``:

- :class:`PoolBackend`: ``concurrent.futures`` processes on this machine (forkserver start);
  a worker process that dies breaks the pool, which is rebuilt and its batches retried;
- :class:`DaskBackend`: any ``distributed.Client``; Dask recomputes the tasks of a killed worker
  and ``retries=`` re-runs failed tasks;
- :class:`SerialBackend`: in this process (debugging, benchmarks).

Which backend a command gets, and Dask clusters as batch jobs, are :mod:`.clusters`' business.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time
import uuid
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_futures
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from iron_river.experiments.worker import run_batch, run_batches

TASK_SECONDS = 1.0  # compute per task: engine overhead ~ms per task stays well under 5%
MAX_BATCHES_PER_TASK = 256


def available_cores() -> int:
    """Return the cores this process may use (respects Slurm/cgroup CPU sets)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class TaskSizer:
    """Choose how many batches go into the next task from the compute seen so far.

    Starts at one batch per task; then ``TASK_SECONDS / (mean seconds per batch)``, capped so
    that the remaining work still spreads over every worker.
    """

    def __init__(self, target: float = TASK_SECONDS):
        self.target, self.batches, self.seconds = target, 0, 0.0

    def record(self, batches: int, seconds: float) -> None:
        """Account for a finished task."""
        self.batches += batches
        self.seconds += seconds

    def size(self, remaining: int, workers: int) -> int:
        """Return the number of batches for the next task."""
        if not self.batches:
            return 1
        per_batch = max(self.seconds / self.batches, 1e-6)
        want = math.ceil(self.target / per_batch)
        fair = math.ceil(remaining / (2 * max(workers, 1)))
        return max(1, min(want, fair, MAX_BATCHES_PER_TASK))


class _TaskBackend:
    """Shared driving loop: keep tasks in flight, size them, map results back to batches."""

    retries = 2

    def _submit(self, payloads: list[dict], first: int) -> Any:
        raise NotImplementedError

    def _wait(self, futures: list) -> list:
        raise NotImplementedError

    def _capacity(self) -> int:
        return 2 * max(self.workers, 1)

    def _broken(self, exc: BaseException) -> bool:
        """Return True if ``exc`` means the engine itself failed (rebuild and resubmit)."""
        return False

    def _rebuild(self) -> None:
        """Replace a failed engine (pool backends)."""

    def results(self, payloads: dict[int, dict]) -> Iterator[tuple[int, Any]]:
        """Yield (batch, result or exception) as batches finish."""
        queue = deque(payloads.items())
        attempts = dict.fromkeys(payloads, 0)
        sizer = TaskSizer()
        inflight: dict[Any, list[tuple[int, dict]]] = {}
        broken = False  # the engine failed: drain what is in flight, rebuild, resubmit
        try:
            while queue or inflight:
                while not broken and queue and len(inflight) < self._capacity():
                    n = sizer.size(len(queue), self.workers)
                    items = [queue.popleft() for _ in range(min(n, len(queue)))]
                    inflight[self._submit([p for _, p in items], items[0][0])] = items
                for fut in self._wait(list(inflight)):
                    items = inflight.pop(fut)
                    try:
                        results = fut.result()
                    except Exception as e:
                        if not self._broken(e):
                            for k, _ in items:
                                yield k, e
                            continue
                        broken = True
                        for k, p in reversed(items):
                            attempts[k] += 1
                            if attempts[k] > self.retries:
                                yield (
                                    k,
                                    RuntimeError(f"a worker process died {attempts[k]} times: {e}"),
                                )
                            else:
                                queue.appendleft((k, p))
                        continue
                    sizer.record(len(items), sum(r["elapsed"] for r in results))
                    for (k, _), result in zip(items, results, strict=True):
                        yield k, result
                if broken and not inflight:
                    self._rebuild()
                    broken = False
        except BaseException:  # interrupted, or the consumer stopped early
            self._cancel(list(inflight))
            raise

    def _cancel(self, futures: list) -> None:
        for fut in futures:
            fut.cancel()


class SerialBackend:
    """Run batches one after another in this process."""

    workers = 1
    name = "serial, in this process"

    def results(self, payloads: dict[int, dict]) -> Iterator[tuple[int, Any]]:
        """Yield (batch, result or exception) in batch order."""
        for k, p in payloads.items():
            try:
                yield k, run_batch(p)
            except Exception as e:
                yield k, e

    def close(self) -> None:
        """Nothing to release."""


class PoolBackend(_TaskBackend):
    """A local pool of worker processes; rebuilt (up to ``retries`` per batch) if one dies.

    Args:
        workers: Number of processes (default: every available core).
        retries: How often a batch in flight when a worker died is tried again.
    """

    def __init__(self, workers: int | None = None, retries: int = 2):
        self.workers = workers or available_cores()
        self.retries = retries
        self.name = f"local pool of {self.workers} processes"
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            # forkserver: no fork() of a threaded driver; workers preload the worker code.
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["iron_river.experiments.worker"])
            self._executor = ProcessPoolExecutor(self.workers, mp_context=ctx)
        return self._executor

    def _submit(self, payloads: list[dict], first: int) -> Any:
        try:
            return self._pool().submit(run_batches, payloads)
        except BrokenProcessPool as e:  # broke since the last wait: fail this task the same way
            fut: Future = Future()
            fut.set_exception(e)
            return fut

    def _wait(self, futures: list) -> list:
        return list(wait_futures(futures, return_when=FIRST_COMPLETED).done)

    def _broken(self, exc: BaseException) -> bool:
        return isinstance(exc, BrokenProcessPool)

    def _rebuild(self) -> None:
        self._shutdown()

    def _cancel(self, futures: list) -> None:
        self._shutdown()

    def _shutdown(self) -> None:
        ex, self._executor = self._executor, None
        if ex is None:
            return
        procs = list((getattr(ex, "_processes", None) or {}).values())
        ex.shutdown(wait=False, cancel_futures=True)
        for p in procs:  # do not wait for tasks whose results nobody will write
            if p.is_alive():
                p.terminate()
        for p in procs:
            p.join(timeout=5)

    def close(self) -> None:
        """Stop the worker processes."""
        self._shutdown()


class DaskBackend(_TaskBackend):
    """Batches as tasks on a Dask cluster.

    Args:
        client: A connected ``distributed.Client``.
        retries: Dask ``retries=`` for each task (a task whose worker died is recomputed anyway).
        key_prefix: Task key prefix (the design hash, so two sweeps never share keys).
        owned: Objects (cluster, client) to close with the backend.
        name: Where the runs go, for reports.
    """

    REFRESH = 1.0  # seconds between asking the scheduler how many workers there are

    def __init__(
        self,
        client: Any,
        retries: int = 2,
        key_prefix: str = "iron-river",
        owned: tuple = (),
        name: str = "Dask",
    ):
        self.client, self.retries, self.key_prefix, self.owned = client, retries, key_prefix, owned
        self.name = name
        self._count, self._counted = 1, -math.inf

    @property
    def workers(self) -> int:
        """Worker threads in the cluster now (they join and leave: asked at most once a second)."""
        now = time.monotonic()
        if now - self._counted > self.REFRESH:
            self._count = sum(self.client.nthreads().values())
            self._counted = now
        return self._count

    def results(self, payloads: dict[int, dict]) -> Iterator[tuple[int, Any]]:
        """Yield (batch, result or exception) as tasks finish."""
        # Keys unique per call: a key still held by the scheduler from an earlier call (another
        # design, same batch numbers) would hand back that call's result.
        self._call = uuid.uuid4().hex[:8]
        yield from super().results(payloads)

    def _submit(self, payloads: list[dict], first: int) -> Any:
        key = f"{self.key_prefix}-{self._call}-batches-{first:06d}-{len(payloads)}"
        return self.client.submit(run_batches, payloads, key=key, retries=self.retries, pure=False)

    def _wait(self, futures: list) -> list:
        from distributed import wait

        return list(wait(futures, return_when="FIRST_COMPLETED").done)

    def _cancel(self, futures: list) -> None:
        if futures:
            self.client.cancel(futures)

    def close(self) -> None:
        """Close the client and any cluster this backend started."""
        for obj in self.owned:
            obj.close()
