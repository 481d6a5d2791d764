"""The engine options every many-run command shares, and what they may be set to.

``sweep``, ``report``, ``sensitivity`` and ``calibrate`` take the same options
(:func:`add_arguments`) and check them the same way (:class:`EngineOptions`) before anything
runs or is written: at most one engine (``--workers``, ``--local-dask``, ``--scheduler``,
``--scheduler-file``, ``--cluster``), job options only with ``--cluster``, durations that
parse. Opening the engine they name is :mod:`.clusters`.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iron_river.experiments import jobqueue

KINDS = tuple(jobqueue.KINDS)
WAIT_CLUSTER = 3600.0  # default --worker-timeout with --cluster: jobs may wait in the queue
WAIT_DASK = 120.0  # ... with a running scheduler or a LocalCluster: workers are there or not
JOB_OPTIONS = ("jobs", "cores_per_job", "memory", "walltime", "queue", "account")
JOB_OPTIONS += ("interface", "lifetime")


class EngineError(ValueError):
    """Engine options that cannot be used together or have a bad value (exit status 2)."""


class JobRefusedError(EngineError):
    """The batch system refused the worker job (e.g. more cores than any node has)."""


class NoWorkersError(RuntimeError):
    """No Dask worker for longer than ``--worker-timeout``."""


def duration(text: str) -> float:
    """Seconds from ``90``, ``90s``, ``10m``, ``1.5h`` (argparse type of ``--worker-timeout``)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d*)?)\s*([smh]?)\s*", str(text))
    if not m:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a duration; use seconds (90), or 90s, 10m, 1.5h"
        )
    return float(m[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[m[2]]


@dataclass(frozen=True)
class EngineOptions:
    """The engine options (see :func:`add_arguments`), with their defaults."""

    workers: int | None = None
    scheduler: str | None = None
    scheduler_file: Path | None = None
    local_dask: bool = False
    cluster: str | None = None
    jobs: int = 1
    cores_per_job: int = 8
    memory: str = "16GB"
    walltime: str = "01:00:00"
    queue: str | None = None
    account: str | None = None
    interface: str | None = None
    dashboard: str = "127.0.0.1:0"
    lifetime: str | None = None
    worker_timeout: float | None = None  # None: WAIT_CLUSTER or WAIT_DASK; 0: wait forever
    retries: int = 2
    dry_run: bool = False

    @classmethod
    def of(cls, args: Any) -> EngineOptions:
        """The options of a parsed command line (missing or None attributes: the defaults)."""
        if isinstance(args, cls):
            return args
        given = {}
        for f in dataclasses.fields(cls):
            value = getattr(args, f.name, None)
            if value is not None:
                given[f.name] = Path(value) if f.name == "scheduler_file" else value
        return cls(**given)

    @property
    def engine(self) -> str:
        """``local``, ``scheduler``, ``local-dask`` or ``cluster`` (after :meth:`check`)."""
        if self.cluster:
            return "cluster"
        if self.scheduler or self.scheduler_file:
            return "scheduler"
        return "local-dask" if self.local_dask else "local"

    @property
    def timeout(self) -> float:
        """Seconds without any worker before giving up (0: never)."""
        if self.worker_timeout is not None:
            return self.worker_timeout
        return WAIT_CLUSTER if self.cluster else WAIT_DASK

    def check(self, given: Any = None) -> None:
        """Raise :class:`EngineError` for options that cannot work, naming what is allowed.

        Args:
            given: the parsed command line, to tell options given from defaults.
        """
        given = given if given is not None else self
        chosen = [
            n
            for n, v in (
                ("--scheduler", self.scheduler),
                ("--scheduler-file", self.scheduler_file),
                ("--cluster", self.cluster),
                ("--local-dask", self.local_dask),
            )
            if v
        ]
        if len(chosen) > 1:
            raise EngineError(f"choose one engine, got {' and '.join(chosen)}")
        if self.cluster is not None and self.cluster not in KINDS:
            raise EngineError(f"--cluster must be one of {', '.join(KINDS)}, got {self.cluster}")
        if self.dry_run and not self.cluster:
            raise EngineError(
                "--dry-run prints a batch job script: it needs --cluster " + "|".join(KINDS)
            )
        if self.workers is not None and self.workers < 1:
            raise EngineError(f"--workers must be >= 1, got {self.workers}")
        if self.workers is not None and self.engine in ("scheduler", "cluster"):
            raise EngineError(
                "--workers counts local processes; with --scheduler/--cluster the workers are "
                "the cluster's (use --jobs and --cores-per-job with --cluster)"
            )
        if self.retries < 0:
            raise EngineError(f"--retries must be >= 0, got {self.retries}")
        if self.worker_timeout is not None and self.worker_timeout < 0:
            raise EngineError(
                f"--worker-timeout must be >= 0 (0: wait forever), got {self.worker_timeout}"
            )
        if self.scheduler_file is not None and not Path(self.scheduler_file).is_file():
            raise EngineError(f"--scheduler-file {self.scheduler_file} does not exist")
        job_only = [
            f"--{f.replace('_', '-')}"
            for f in JOB_OPTIONS
            if getattr(given, f, None) is not None and getattr(given, f) != _default(f)
        ]
        if job_only and not self.cluster:
            raise EngineError(f"{', '.join(job_only)} only apply with --cluster " + "|".join(KINDS))
        if (
            given is not self
            and getattr(given, "dashboard", None)
            and self.engine
            not in (
                "cluster",
                "local-dask",
            )
        ):
            raise EngineError("--dashboard applies to --cluster and --local-dask (we start those)")
        if self.cluster:
            self._check_job()

    def _check_job(self) -> None:
        from dask.utils import parse_bytes, parse_timedelta

        if self.interface is not None:
            import psutil

            here = sorted(psutil.net_if_addrs())
            if self.interface not in here:
                raise EngineError(
                    f"--interface {self.interface} is not a network interface of this machine "
                    f"(it has {', '.join(here)}): give the one the compute nodes reach it on "
                    "(`ip -br addr` lists them with their addresses)"
                )

        for name, value in (("--jobs", self.jobs), ("--cores-per-job", self.cores_per_job)):
            if value < 1:
                raise EngineError(f"{name} must be >= 1, got {value}")
        try:
            parse_bytes(self.memory)
        except ValueError:
            raise EngineError(
                f"--memory {self.memory!r} is not an amount of memory; use e.g. 16GB or 4000MB"
            ) from None
        try:
            wall = jobqueue.parse_walltime(self.walltime, self.cluster)
        except ValueError as e:
            raise EngineError(str(e)) from None
        if self.lifetime is not None:
            try:
                life = parse_timedelta(self.lifetime)
            except (ValueError, KeyError):
                raise EngineError(
                    f"--lifetime {self.lifetime!r} is not a duration; use e.g. 55m, 90s, 2h"
                ) from None
            if not 0 < life < wall:
                raise EngineError(
                    f"--lifetime {self.lifetime} must be shorter than --walltime {self.walltime}"
                    ": workers retire before the batch system kills their job"
                )


def _default(name: str) -> Any:
    return {f.name: f.default for f in dataclasses.fields(EngineOptions)}[name]


def add_arguments(parser: argparse.ArgumentParser, *, workers_help: str | None = None) -> None:
    """Add the engine options to a command's parser (argument groups "engine", "batch jobs")."""
    g = parser.add_argument_group("engine (default: a local process pool)")
    g.add_argument(
        "--workers", type=int, help=workers_help or "local processes (default: every core)"
    )
    g.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler (tcp://…)")
    g.add_argument("--scheduler-file", type=Path, help="the running Dask scheduler in this file")
    g.add_argument("--local-dask", action="store_true", help="a Dask LocalCluster on 127.0.0.1")
    g.add_argument("--retries", type=int, help="retries of a task whose worker died (default 2)")
    g.add_argument(
        "--worker-timeout",
        type=duration,
        metavar="DURATION",
        help="stop with an error after this long without any worker (90s, 10m, 1h; "
        "default 1h with --cluster, where jobs may queue, else 2m; 0: wait forever)",
    )
    g.add_argument(
        "--dashboard",
        metavar="HOST:PORT",
        help="where the Dask dashboard listens (default 127.0.0.1 on a free port; "
        "0.0.0.0:8787 to open it to the network)",
    )
    c = parser.add_argument_group("batch jobs (dask-jobqueue): Dask workers submitted as jobs")
    c.add_argument("--cluster", choices=KINDS, help="the batch system")
    c.add_argument("--jobs", type=int, help="jobs to keep running; one that ends is replaced (1)")
    c.add_argument("--cores-per-job", type=int, help="cores per job, one worker each (8)")
    c.add_argument("--memory", help="memory per job (16GB)")
    c.add_argument("--walltime", help="per job, e.g. 04:00:00 (01:00:00)")
    c.add_argument(
        "--lifetime",
        help="retire each worker after this long (default: 5%% or 5 min short of --walltime)",
    )
    c.add_argument("--queue", help="queue / partition")
    c.add_argument("--account", help="account / project to charge")
    c.add_argument(
        "--interface",
        help="network interface the compute nodes reach (e.g. ib0, eth0); "
        "default: the scheduler listens on 127.0.0.1 only",
    )
    c.add_argument("--dry-run", action="store_true", help="print the job script and stop")
