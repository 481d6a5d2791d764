"""Dask workers as batch jobs (dask-jobqueue), with what a real batch system needs on top.

Seen against a real Slurm (issue 13) and mended here:

- importing ``dask_jobqueue`` replaces the SIGINT handler with one that calls ``sys.exit()``,
  so Ctrl-C ended a sweep with status 0: :func:`import_jobqueue` puts the handler back;
- a job whose workers have all gone (cancelled, failed node, ``--lifetime``) is replaced by
  adaptive scaling only if it ran a single worker process: for a job of several processes
  Dask looks the worker's name (``job-0-3``) up as a job name and never frees the slot. The
  cluster made here frees it, so ``adapt(minimum_jobs=N)`` submits a new job;
- a job the batch system refuses (``sbatch`` exits non-zero: more cores than any node, an
  unknown account) was logged by tornado only, and the cluster could not close
  (``AssertionError: Status.created``). Here the refusal is recorded in ``cluster.refusals``
  (the caller decides: :mod:`.clusters` stops with the batch system's message when no worker
  is running) and the slot can be freed for another try (:meth:`free_refused`);
- workers retire at ``--lifetime`` before the walltime; the stagger is kept small enough that
  a short walltime does not retire a worker at once (:func:`lifetime_for`);
- worker dashboards listen on 127.0.0.1 only; job logs go to ``log_directory``, not the
  current folder.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import threading
import time
from typing import Any, ClassVar

KINDS = {"slurm": "SLURMCluster", "pbs": "PBSCluster", "sge": "SGECluster", "lsf": "LSFCluster"}
QUEUE_COMMAND = {"slurm": ["squeue", "-h", "-o", "%i %T %r", "-j"]}  # job states, for messages
REFUSAL_RETRY = 30.0  # seconds before a refused job is submitted again (while others work)


def import_jobqueue() -> Any:
    """Import ``dask_jobqueue`` and put back the SIGINT handler its import replaces."""
    handler = signal.getsignal(signal.SIGINT)
    import dask_jobqueue

    if handler is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, handler)
    return dask_jobqueue


def parse_walltime(walltime: str, kind: str = "slurm") -> float:
    """Seconds in a walltime: Slurm's ``M``, ``M:S``, ``H:M:S``, ``D-H``, ``D-H:M``, ``D-H:M:S``.

    PBS and SGE use ``H:M:S``; LSF's ``H:M`` is read as hours and minutes for ``kind="lsf"``.

    Raises:
        ValueError: naming the forms allowed.
    """
    text = walltime.strip()
    m = re.fullmatch(r"(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?", text)
    if not m:
        raise ValueError(
            f"--walltime {walltime!r} is not a walltime; use H:M:S (e.g. 04:00:00), M, M:S, "
            "D-H, D-H:M or D-H:M:S"
        )
    days, *clock = m.groups()
    parts = [int(x) for x in clock if x is not None]
    if days is not None:
        h, mi, s = [*parts, 0, 0][:3]
    elif kind == "lsf" and len(parts) == 2:
        (h, mi), s = parts, 0
    else:
        h, mi, s = {1: [0, *parts, 0], 2: [0, *parts], 3: parts}[len(parts)]
    seconds = int(days or 0) * 86400 + h * 3600 + mi * 60 + s
    if seconds <= 0:
        raise ValueError(f"--walltime must be longer than 0, got {walltime!r}")
    return float(seconds)


def _duration(seconds: float) -> str:
    return f"{int(seconds // 60)}m" if seconds >= 600 else f"{max(1, int(seconds))}s"


def lifetime_for(walltime: str, kind: str = "slurm") -> tuple[str, str]:
    """Worker ``--lifetime`` and ``--lifetime-stagger`` for a job's walltime.

    Workers retire ``margin = max(5 min, 5%)`` before the walltime (at most a quarter of it),
    so their tasks move to other workers before the batch system kills the job. Dask draws
    each lifetime uniformly within ± stagger; the stagger (at most 4 min, half the margin, a
    quarter of the lifetime) keeps every worker alive for at least 3/4 of its lifetime and
    retired before the walltime.
    """
    wall = parse_walltime(walltime, kind)
    margin = min(max(300.0, 0.05 * wall), wall / 4)
    lifetime = wall - margin
    return _duration(lifetime), _duration(min(240.0, margin / 2, lifetime / 4))


def stagger_for(lifetime: str) -> str:
    """A ``--lifetime-stagger`` for a lifetime given explicitly: a tenth of it, at most 4 min."""
    from dask.utils import parse_timedelta

    return _duration(min(240.0, parse_timedelta(lifetime) / 10))


def _recording(job_cls: type) -> type:
    """A job class that records a refused submission instead of failing the cluster."""
    from distributed.core import Status

    class Job(job_cls):
        refusals: ClassVar[list] = []  # (monotonic time, message); one list per cluster

        async def start(self):
            try:
                await super().start()
            except Exception as e:  # the submit command failed
                self.refused_at = time.monotonic()
                type(self).refusals.append((self.refused_at, refusal_message(e)))
                self.status = Status.running  # counts as started: closes cleanly, no job id

    Job.refusals = []
    Job.__name__ = Job.__qualname__ = job_cls.__name__
    return Job


def refusal_message(exc: BaseException) -> str:
    """The batch system's own words from a failed submission (dask-jobqueue's RuntimeError)."""
    text = str(exc)
    err = text.partition("stderr:\n")[2].strip()
    cmd = text.partition("Command:\n")[2].partition("\n")[0].split(" ")[0]
    return f"{cmd or 'the submit command'} refused the worker job: {err or text.strip()}"


class _Replacing:
    """Mixin for a JobQueueCluster: free the slot of a job all of whose workers have gone."""

    def _update_worker_status(self, op, msg):
        if op == "remove":
            name = str(self.scheduler_info["workers"][msg]["name"])
            job = self._job_of(name)
            if job is not None:
                import asyncio

                import dask
                from dask.utils import parse_timedelta

                delay = parse_timedelta(dask.config.get("distributed.deploy.lost-worker-timeout"))
                asyncio.get_running_loop().call_later(delay, self._free_if_gone, job, msg)
        super()._update_worker_status(op, msg)

    def _job_of(self, worker_name: str) -> str | None:
        """The job running a worker of a multi-process job (Dask handles single ones)."""
        for job, spec in self.worker_spec.items():
            if any(f"{job}{suffix}" == worker_name for suffix in spec.get("group", ())):
                return job
        return None

    def _free_if_gone(self, job: str, address: str) -> None:
        import asyncio

        names = {f"{job}{s}" for s in self.worker_spec.get(job, {}).get("group", ())}
        alive = any(str(w["name"]) in names for w in self.scheduler_info["workers"].values())
        if job in self.workers and not alive:
            self._futures.add(asyncio.ensure_future(self.workers[job].close()))
            del self.workers[job]

    def free_refused(self, older_than: float = REFUSAL_RETRY) -> None:
        """Forget jobs refused more than ``older_than`` s ago (adaptive scaling resubmits them).

        Call in the cluster's event loop (``cluster.loop.add_callback``).
        """
        now = time.monotonic()
        for name, job in list(self.workers.items()):
            if now - getattr(job, "refused_at", now) > older_than:
                del self.workers[name]

    @property
    def job_ids(self) -> list[str]:
        """Batch job ids of the worker jobs submitted and not yet closed."""
        return [j.job_id for j in list(self.workers.values()) if getattr(j, "job_id", None)]


def make_cluster(
    kind: str,
    *,
    cores: int,
    memory: str,
    walltime: str,
    queue: str | None = None,
    account: str | None = None,
    interface: str | None = None,
    dashboard: str = "127.0.0.1:0",
    lifetime: str | None = None,
    log_directory: str | None = None,
    job_name: str = "iron-river",
    python: str | None = None,
):
    """Return a dask-jobqueue cluster (not yet scaled): one single-threaded worker per core.

    Without ``interface`` the scheduler listens on 127.0.0.1 only (the driver's machine is
    then also where the jobs run, or it is a ``--dry-run``); on a real cluster pass the
    interface compute nodes reach (``ib0``, ``eth0``). The scheduler's dashboard listens on
    ``dashboard`` (loopback by default); worker dashboards on 127.0.0.1 of their node.
    """
    jq = import_jobqueue()
    base = getattr(jq, KINDS[kind])
    cls = type(base.__name__, (_Replacing, base), {})
    if lifetime is None:
        lifetime, stagger = lifetime_for(walltime, kind)
    else:
        stagger = stagger_for(lifetime)
    scheduler_options: dict[str, Any] = {"dashboard_address": dashboard}
    if interface is None:
        scheduler_options["host"] = "127.0.0.1"
    worker_args = ["--lifetime", lifetime, "--lifetime-stagger", stagger]
    worker_args += ["--dashboard-address", "127.0.0.1:0"]
    kwargs = {
        "job_cls": _recording(base.job_cls),
        "cores": cores,
        "processes": cores,
        "memory": memory,
        "walltime": walltime,
        "queue": queue,
        "account": account,
        "interface": interface,
        "scheduler_options": scheduler_options,
        "worker_extra_args": worker_args,
        "log_directory": log_directory,
        "job_name": job_name,
        "python": python,
    }
    if kind == "lsf":  # LSF calls the account "project"
        kwargs["project"] = kwargs.pop("account")
    cluster = cls(**{k: v for k, v in kwargs.items() if v is not None})
    cluster.kind = kind
    cluster.refusals = kwargs["job_cls"].refusals
    return cluster


def node_sizes(kind: str) -> str | None:
    """What the batch system's nodes offer (``partition debug: 2 CPUs, 24105 MB``), if it says."""
    if kind != "slurm" or shutil.which("sinfo") is None:
        return None
    try:
        out = subprocess.run(
            ["sinfo", "-h", "-o", "%P %c %m"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    rows = sorted({tuple(line.split()) for line in out.splitlines() if len(line.split()) == 3})
    return "; ".join(f"partition {p}: {c} CPUs, {m} MB per node" for p, c, m in rows) or None


def job_states(kind: str, job_ids: list[str]) -> dict[str, str] | None:
    """Queue state of each job still queued or running (``PENDING (Resources)``).

    A job missing from the answer has ended. None when the batch system cannot be asked
    (only Slurm's ``squeue`` is known here).
    """
    cmd = QUEUE_COMMAND.get(kind)
    if not cmd or shutil.which(cmd[0]) is None:
        return None
    if not job_ids:
        return {}
    try:
        r = subprocess.run([*cmd, ",".join(job_ids)], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if r.returncode != 0 and "Invalid job id" not in r.stderr:  # all ended long ago: purged
        return None
    states = {}
    for line in r.stdout.splitlines():
        jid, _, rest = line.strip().partition(" ")
        state, _, reason = rest.partition(" ")
        states[jid] = f"{state} ({reason})" if reason and reason != "None" else state
    return states


def log_tail(cluster: Any, job_id: str, lines: int = 8) -> tuple[str, str]:
    """(path, last lines) of a worker job's error log, where the cluster writes one."""
    job = cluster._dummy_job
    if not job.log_directory:
        return "the batch system's default log of the job", ""
    path = f"{job.log_directory}/{job.job_name or 'worker'}-{job_id}.err"
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return path, "".join(fh.readlines()[-lines:]).rstrip()
    except OSError:
        return path, "(not written)"
