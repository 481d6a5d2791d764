"""Helpers for the sweep tests: the fake binding on the path, sweep files, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
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
