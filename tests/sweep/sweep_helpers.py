"""Helpers for the sweep tests: the fake binding on the path, sweep files, the CLI."""

from __future__ import annotations

import filecmp
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))  # fake_model, for in-process tests

# Worker subprocesses (pool, LocalCluster, `dask worker`) must import fake_model too.
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(HERE), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
)

PY = sys.executable
DASK = str(Path(sys.executable).with_name("dask"))
LEVER = "enforcement.us_southbound_interdiction"
STRAW = "enforcement.straw_purchase_enforcement"


def write_spec(
    folder: Path,
    body: str = "",
    *,
    name: str = "tiny",
    base: str = "scale = 100\n",
    params: str | None = None,
    replicates: int = 3,
    batch_size: int | None = 2,
    extra: str = "",
) -> Path:
    """Write base.toml and <name>.toml into folder; return the spec path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "base.toml").write_text(base)
    if params is None:
        params = f"""
        [parameters."{LEVER}"]
        range = ["baseline", 0.5]
        scale = "log"
        points = 4
        """
    head = f"""
    base = "base.toml"
    replicates = {replicates}
    years = 1
    root_seed = 42
    metrics = ["us_border_arrivals", "homicides_total", "guns_delivered"]
    """
    if batch_size:
        head += f"batch_size = {batch_size}\n"
    text = (
        textwrap.dedent(head)
        + textwrap.dedent(extra)
        + textwrap.dedent(body)
        + textwrap.dedent(params)
    )
    path = folder / f"{name}.toml"
    path.write_text(text)
    return path


def sweep_cli(*args: str, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    """Run `python -m iron_river.sweep ... --binding fake_model` and capture its output."""
    cmd = [
        PY,
        "-W",
        "error::DeprecationWarning",
        "-W",
        "error::FutureWarning",
        "-m",
        "iron_river.sweep",
        *args,
    ]
    if args and args[0] not in ("status", "collect", "report"):
        cmd += ["--binding", "fake_model", "--no-progress"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


def assert_identical(a: Path, b: Path, collected: bool = True, batches: int = 5) -> None:
    """Two results folders hold byte-identical batch files (and collected files)."""
    names = sorted(p.name for p in (a / "batches").iterdir())
    assert names == sorted(p.name for p in (b / "batches").iterdir())
    weekly = any(n.endswith(".weekly.parquet") for n in names)
    assert len(names) == batches * (2 if weekly else 1)
    for n in names:
        assert filecmp.cmp(a / "batches" / n, b / "batches" / n, shallow=False), n
    files = ["manifest.json", "spec.toml"]
    if collected:
        files += ["runs.parquet", "weekly.parquet"] if weekly else ["runs.parquet"]
    for n in files:
        assert filecmp.cmp(a / n, b / n, shallow=False), n


def dask_scheduler(sched_file: Path) -> subprocess.Popen:
    """Start `dask scheduler` on 127.0.0.1 (any port); return once it wrote ``sched_file``."""
    proc = subprocess.Popen(
        [
            DASK,
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--dashboard-address",
            "127.0.0.1:0",
            "--scheduler-file",
            str(sched_file),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not sched_file.exists():
        if time.monotonic() > deadline:
            stop([proc])
            raise AssertionError("the Dask scheduler did not start within 60 s")
        time.sleep(0.1)
    return proc


def dask_workers(sched_file: Path, n: int) -> subprocess.Popen:
    """Start `dask worker` with ``n`` single-threaded processes on 127.0.0.1."""
    return subprocess.Popen(
        [
            DASK,
            "worker",
            "--scheduler-file",
            str(sched_file),
            "--nworkers",
            str(n),
            "--nthreads",
            "1",
            "--host",
            "127.0.0.1",
            "--dashboard-address",
            "127.0.0.1:0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(procs: list[subprocess.Popen]) -> None:
    """Terminate processes (last started first), killing their groups if they linger."""
    for p in reversed(procs):
        p.terminate()
    for p in reversed(procs):
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
