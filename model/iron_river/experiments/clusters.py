"""Where an experiment's runs execute: one way to open the engine the options name.

Every command that runs the model many times (``sweep``, ``report``, ``sensitivity``,
``calibrate``) takes the same engine options (:mod:`.engine_options`) and opens them the
same way, so a sweep, a report and a calibration reach a cluster alike::

    engine_options.add_arguments(parser)                # --workers ... --worker-timeout
    ...
    with clusters.open_backend(args, log_directory=out / "logs") as backend:
        for batch, result in backend.results(payloads): ...

    with clusters.open_client(args, log_directory=...) as client:   # code that drives Dask
        results = client.gather(client.map(evaluate, tasks))        # itself (calibrate)

Engines (at most one; default a local process pool): ``--workers N`` (local processes),
``--local-dask`` (a Dask LocalCluster on 127.0.0.1), ``--scheduler ADDRESS`` /
``--scheduler-file F`` (a running Dask cluster), ``--cluster slurm|pbs|sge|lsf`` (Dask workers
as batch jobs through dask-jobqueue, kept at ``--jobs`` jobs: one that ends is replaced).

No silent hang: a job the batch system refuses stops the command with the batch system's
message (:class:`JobRefusedError`); no worker for ``--worker-timeout`` stops it with the jobs'
queue states (:class:`NoWorkersError`); Ctrl-C cancels the worker jobs.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from iron_river.experiments import backends, jobqueue
from iron_river.experiments.engine_options import (
    EngineError,
    EngineOptions,
    JobRefusedError,
    NoWorkersError,
)

CLOSE_TIMEOUT = 30.0  # seconds for closing the cluster (cancelling the jobs) before scancel
QUEUE_POLL = 5.0  # seconds between asking the batch system (squeue) before any worker joined
WAITING_NOTE = 60.0  # seconds between "waiting for workers" lines


# ---------------------------------------------------------------------------- batch jobs


def _cluster(opts: EngineOptions, log_directory: Path | None, job_name: str):
    return jobqueue.make_cluster(
        opts.cluster,
        cores=opts.cores_per_job,
        memory=opts.memory,
        walltime=opts.walltime,
        queue=opts.queue,
        account=opts.account,
        interface=opts.interface,
        dashboard=opts.dashboard,
        lifetime=opts.lifetime,
        log_directory=str(Path(log_directory).resolve()) if log_directory else None,
        job_name=job_name,
    )


def job_script(args: Any, *, log_directory: Path | None = None, job_name: str = "iron-river"):
    """The batch job script ``--cluster`` would submit (for ``--dry-run``); writes nothing."""
    opts = EngineOptions.of(args)
    opts.check(args)
    made = _missing_parents(Path(log_directory)) if log_directory else []
    try:
        cluster = _cluster(opts, log_directory, job_name)
        try:
            return cluster.job_script()
        finally:
            cluster.close()
    finally:
        _remove_if_empty(made)  # dask-jobqueue creates the log folder


def _remove_if_empty(folders: list[Path]) -> None:
    """Remove the folders we created (deepest first) that are still empty."""
    for d in folders:
        with contextlib.suppress(OSError):
            d.rmdir()


def dry_run(args: Any, *, log_directory: Path | None, job_name: str) -> bool:
    """With ``--dry-run``, print the job script (options checked first) and return True."""
    EngineOptions.of(args).check(args)
    if not getattr(args, "dry_run", False):
        return False
    print(job_script(args, log_directory=log_directory, job_name=job_name))
    return True


def _missing_parents(path: Path) -> list[Path]:
    """``path`` and its parents that do not exist yet, deepest first."""
    out = []
    path = path.resolve()
    while not path.exists():
        out.append(path)
        path = path.parent
    return out


# ---------------------------------------------------------------------------- keeping watch


class _Watch:
    """Watch the workers: stop on a refused job or after ``timeout`` s without any worker."""

    def __init__(self, client: Any, cluster: Any, opts: EngineOptions, where: str):
        self.client, self.cluster, self.opts, self.where = client, cluster, opts, where
        self.failure: BaseException | None = None
        self.seen = 0  # workers seen at once, at most
        self._last = time.monotonic()  # last time a worker was there (or the start)
        self._refusals = 0
        self._warned: set[str] = set()
        self._jobs: set[str] = set()  # worker jobs known to be submitted
        self._announced = False
        self._asked = -math.inf  # when the batch system was last asked for the jobs' states
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def workers(self) -> int:
        try:
            return len(self.client.nthreads())
        except Exception:  # scheduler gone or unreachable: no workers
            return 0

    def check(self) -> BaseException | None:
        """Return the reason to stop, if there is one."""
        n, now = self.workers(), time.monotonic()
        if n:
            self._last, self.seen = now, max(self.seen, n)
        refusals = getattr(self.cluster, "refusals", [])
        for _, msg in refusals[self._refusals :]:
            if not n:
                sizes = jobqueue.node_sizes(self.cluster.kind)
                asked = (
                    f"asked for --cores-per-job {self.opts.cores_per_job} --memory "
                    f"{self.opts.memory} --walltime {self.opts.walltime}"
                )
                return JobRefusedError(
                    f"{msg.strip()}\n  ({asked}" + (f"; {sizes})" if sizes else ")")
                )
            if msg not in self._warned:
                self._warned.add(msg)
                print(
                    f"warning: {msg.strip()}\n  (retrying every {jobqueue.REFUSAL_RETRY:.0f} s;"
                    f" {n} workers go on)",
                    file=sys.stderr,
                )
        self._refusals = len(refusals)
        self._note_replaced()
        if refusals and self.cluster is not None:
            self.cluster.loop.add_callback(self.cluster.free_refused)
        if not self.seen and self.cluster is not None and now - self._asked > QUEUE_POLL:
            self._asked = now
            ended = self._ended_before_joining()
            if ended is not None:
                return NoWorkersError(ended)
        timeout = self.opts.timeout
        if not n and timeout and now - self._last > timeout:
            return NoWorkersError(self._no_workers_message(timeout))
        return None

    def _note_replaced(self) -> None:
        """Say when a worker job ended and another was submitted in its place."""
        ids = set(getattr(self.cluster, "job_ids", ()))
        gone, new = self._jobs - ids, ids - self._jobs
        if gone and self._jobs:
            print(
                f"worker job(s) {' '.join(sorted(gone))} ended"
                + (f"; submitted {' '.join(sorted(new))} in their place" if new else ""),
                file=sys.stderr,
            )
        elif new and self._announced:
            print(f"submitted worker job(s) {' '.join(sorted(new))}", file=sys.stderr)
        self._jobs |= new
        self._jobs -= gone
        self._announced = True

    def _ended_before_joining(self) -> str | None:
        """Say so if a worker job left the queue before any worker joined (a broken setup)."""
        ids = list(self.cluster.job_ids)
        states = jobqueue.job_states(self.cluster.kind, ids)
        gone = [j for j in ids if states is not None and j not in states]
        if not gone or self.workers():
            return None
        path, tail = jobqueue.log_tail(self.cluster, gone[0])
        return (
            f"worker job {gone[0]} ended before any Dask worker joined: the workers could not "
            "start on the compute node (the same Python and packages at the same path?) or "
            f"could not reach the scheduler (--interface?). The end of {path}:\n{tail}"
        )

    def _no_workers_message(self, timeout: float) -> str:
        what = "all Dask workers left and none came back" if self.seen else "no Dask worker joined"
        msg = f"{what} within {timeout:g} s (--worker-timeout; engine: {self.where})"
        ids = getattr(self.cluster, "job_ids", [])
        if ids:
            states = jobqueue.job_states(self.cluster.kind, ids) or {}
            jobs = ", ".join(f"{j} {states.get(j, 'not in the queue')}" for j in ids)
            logs = getattr(self.cluster._dummy_job, "log_directory", None) or "the job logs"
            msg += (
                f"; worker job(s): {jobs}. A job waiting in the queue needs a longer "
                "--worker-timeout or fewer resources (--cores-per-job, --memory, --walltime); "
                f"a job that ran has its reason in {logs}"
            )
        return msg

    def wait_for_first(self) -> float:
        """Block until a worker is there (or raise); return the seconds waited.

        Says every :data:`WAITING_NOTE` s (a third of the timeout if shorter) what the jobs
        are doing: a queue wait can be long.
        """
        t0 = told = time.monotonic()
        every = min(WAITING_NOTE, self.opts.timeout / 3) if self.opts.timeout else WAITING_NOTE
        while True:
            failure = self.check()
            if failure is not None:
                raise failure
            if self.seen:
                return time.monotonic() - t0
            if time.monotonic() - told > every:
                told = time.monotonic()
                ids = list(getattr(self.cluster, "job_ids", []))
                states = jobqueue.job_states(self.cluster.kind, ids) if ids else None
                jobs = ", ".join(f"{j} {states.get(j, 'ended')}" for j in ids) if states else ""
                limit = (
                    f"of --worker-timeout {self.opts.timeout:g} s"
                    if self.opts.timeout
                    else "no --worker-timeout"
                )
                print(
                    f"waiting for workers ({told - t0:.0f} s, {limit})"
                    + (f": job(s) {jobs}" if jobs else ""),
                    file=sys.stderr,
                )
            time.sleep(0.25)

    def start(self) -> None:
        """Keep watch in a thread; on a failure, interrupt the main thread (as Ctrl-C would)."""
        self._thread = threading.Thread(target=self._run, name="iron-river-watch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            failure = self.check()
            if failure is not None and not self._stop.is_set():
                self.failure = failure
                signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
                return

    def stop(self) -> None:
        """Stop watching."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


# ---------------------------------------------------------------------------- opening


def _dashboard_link(client: Any, opts: EngineOptions) -> str | None:
    """A link to the dashboard that works from where it listens (loopback unless asked)."""
    try:
        port = client.scheduler_info(n_workers=0)["services"]["dashboard"]
    except Exception:
        return None
    host = opts.dashboard.rpartition(":")[0].strip("[]") or "0.0.0.0"
    if host in ("0.0.0.0", "::", "*"):  # every interface: give the scheduler's own address
        host = client.scheduler.address.split("://")[-1].rpartition(":")[0].strip("[]")
    link = f"http://{host}:{port}/status"
    if host.startswith("127.") or host in ("localhost", "::1"):
        link += f" (on this machine; from yours: ssh -L {port}:127.0.0.1:{port} {os.uname()[1]})"
    return link


def _connect(opts: EngineOptions, log_directory: Path | None, job_name: str, stack) -> tuple:
    """Start or reach the engine; return (client, cluster or None, description)."""
    from distributed import Client

    if opts.engine == "scheduler":
        where = opts.scheduler or f"the scheduler in {opts.scheduler_file}"
        wait = f"{min(30.0, opts.timeout or 30.0):g}s"  # reaching it counts as waiting for workers
        try:
            client = (
                Client(opts.scheduler, timeout=wait)
                if opts.scheduler
                else Client(scheduler_file=str(opts.scheduler_file), timeout=wait)
            )
        except OSError as e:
            raise NoWorkersError(f"could not reach the Dask scheduler at {where}: {e}") from None
        stack.callback(client.close)
        return client, None, f"Dask cluster at {where}"
    if opts.engine == "local-dask":
        from distributed import LocalCluster

        n = opts.workers or backends.available_cores()
        cluster = LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=opts.dashboard,
            worker_dashboard_address="127.0.0.1:0",
        )
        stack.callback(cluster.close)
        client = Client(cluster)
        stack.callback(client.close)
        print(f"Dask dashboard: {_dashboard_link(client, opts)}", file=sys.stderr)
        return client, None, f"Dask LocalCluster of {n} processes"
    try:
        cluster = _cluster(opts, log_directory, job_name)
    except (RuntimeError, ValueError, OSError) as e:  # e.g. the --dashboard port is taken
        raise EngineError(f"could not start the Dask scheduler for the worker jobs: {e}") from None
    stack.callback(_close_jobs, cluster)
    cluster.adapt(minimum_jobs=opts.jobs, maximum_jobs=opts.jobs)  # replaces jobs that end
    client = Client(cluster)
    stack.callback(client.close)
    logs = f"; job logs in {log_directory}" if log_directory else ""
    print(
        f"submitting {opts.jobs} {opts.cluster} job(s) of {opts.cores_per_job} cores{logs}\n"
        f"Dask dashboard: {_dashboard_link(client, opts)}",
        file=sys.stderr,
    )
    return client, cluster, f"{opts.jobs} {opts.cluster} job(s) x {opts.cores_per_job} cores"


def _close_jobs(cluster: Any) -> None:
    """Close the cluster, which cancels its jobs; cancel them directly if that failed."""
    ids = list(cluster.job_ids)
    before = jobqueue.job_states(cluster.kind, ids)
    active = ids if before is None else [j for j in ids if j in before]
    try:
        cluster.close(timeout=CLOSE_TIMEOUT)
    except Exception as e:
        print(f"warning: closing the Dask cluster: {type(e).__name__}: {e}", file=sys.stderr)
    after = jobqueue.job_states(cluster.kind, active) or {}
    waiting = [j for j, st in after.items() if "COMPLETING" not in st]
    if waiting:
        import subprocess

        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            subprocess.run(
                [cluster.job_cls.cancel_command, *waiting], capture_output=True, timeout=30
            )
    if active:
        print(f"worker job(s) {' '.join(active)} cancelled", file=sys.stderr)


@contextlib.contextmanager
def open_client(
    args: Any, *, log_directory: Path | None = None, job_name: str = "iron-river"
) -> Iterator[Any]:
    """A connected ``distributed.Client`` on the Dask engine the options name, while the block runs.

    Contract (for every caller: sweeps, reports, a calibration's sampler):

    - ``args`` is a parsed command line with the options of :func:`add_arguments` (missing
      attributes take the defaults) or an :class:`EngineOptions`. It must name a Dask engine
      (``--scheduler``, ``--scheduler-file``, ``--local-dask`` or ``--cluster``), else
      :class:`EngineError`; bad values also raise :class:`EngineError` (exit status 2).
    - With ``--cluster``, ``--jobs`` batch jobs are submitted and kept: a job that ends
      (cancelled, failed, workers retired at ``--lifetime``) is replaced. Job logs
      (``<job_name>-<id>.out/.err``) go to ``log_directory`` (created), else wherever the
      batch system puts them by default (the current folder for Slurm).
    - On entry, blocks until at least one worker has joined and prints (stderr) the jobs, the
      dashboard link and the wait. A refused job raises :class:`JobRefusedError` with the batch
      system's message; no worker within ``--worker-timeout`` raises :class:`NoWorkersError`.
    - While the block runs, a thread checks the workers every second. If the batch system
      refuses a job while no worker is running, or there is no worker for
      ``--worker-timeout``, the main thread is interrupted (SIGINT, as by Ctrl-C) and leaving
      the block raises :class:`JobRefusedError` / :class:`NoWorkersError` instead of
      ``KeyboardInterrupt``. Enter it from the main thread; SIGINT raises KeyboardInterrupt
      inside the block (importing dask_jobqueue breaks that; this function mends it).
    - On leaving, however it is left (Ctrl-C included; a second Ctrl-C is ignored meanwhile),
      the client and any cluster started here are closed and their jobs cancelled, within
      about :data:`CLOSE_TIMEOUT` s. A cluster reached by ``--scheduler`` is left running.

    Workers are single-threaded processes: submit pure functions of their arguments; the
    model's code and input files must be importable and readable on the workers at the same
    paths (a shared file system).
    """
    with _open(args, log_directory, job_name) as (client, _name):
        yield client


@contextlib.contextmanager
def _open(args: Any, log_directory: Path | None, job_name: str) -> Iterator[tuple[Any, str]]:
    """:func:`open_client`, also yielding the engine's description."""
    opts = EngineOptions.of(args)
    opts.check(args)
    if opts.engine == "local":
        raise EngineError(
            "this needs a Dask engine: --scheduler, --scheduler-file, --local-dask or --cluster"
        )
    made: list[Path] = []
    if log_directory is not None and opts.engine == "cluster":
        made = _missing_parents(Path(log_directory))
        Path(log_directory).mkdir(parents=True, exist_ok=True)
    main = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT) if main else None
    if main:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with contextlib.ExitStack() as stack:
            client, cluster, name = _connect(opts, log_directory, job_name, stack)
            watch = _Watch(client, cluster, opts, name)
            try:
                waited = watch.wait_for_first()
                print(f"first worker joined after {waited:.1f} s ({name})", file=sys.stderr)
                watch.start()
                yield client, name
            except KeyboardInterrupt:
                if watch.failure is not None:
                    raise watch.failure from None
                raise
            finally:
                watch.stop()
                if main:  # closing the cluster (cancelling jobs) is not to be interrupted
                    signal.signal(signal.SIGINT, signal.SIG_IGN)
    finally:
        _remove_if_empty(made)
        if main:
            signal.signal(signal.SIGINT, previous or signal.default_int_handler)


@contextlib.contextmanager
def open_backend(
    args: Any,
    *,
    key_prefix: str = "iron-river",
    log_directory: Path | None = None,
    job_name: str = "iron-river",
    default_workers: int | None = None,
) -> Iterator[Any]:
    """A backend for :mod:`.backends`' ``results(payloads)`` on the engine the options name.

    Args:
        args: as for :func:`open_client`; without a Dask engine, a local pool of ``--workers``
            processes (default ``default_workers``, else every core; one worker with
            ``default_workers=1`` runs in this process).
        key_prefix: Dask task key prefix (unique per design).
        log_directory: where worker jobs write their logs (as for :func:`open_client`).
        job_name: the worker jobs' name (as for :func:`open_client`).
        default_workers: local processes when ``--workers`` is not given.

    The backend's ``name`` says where the runs went (for reports).
    """
    opts = EngineOptions.of(args)
    opts.check(args)
    if opts.engine == "local":
        workers = opts.workers or default_workers or backends.available_cores()
        if workers == 1 and default_workers == 1:
            backend: Any = backends.SerialBackend()
        else:
            backend = backends.PoolBackend(workers, retries=opts.retries)
        try:
            yield backend
        finally:
            backend.close()
        return
    with _open(opts, log_directory, job_name) as (client, name):
        yield backends.DaskBackend(client, opts.retries, key_prefix, name=name)
