"""Helpers for the browser view's tests: a real Solara server and a headless system Chromium.

The browser is Debian's ``chromium`` (``playwright install`` cannot download browsers here). Every
request the page makes to anything but the loopback server is aborted and recorded, so a test that
passes proves the page works with no internet.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = Path(os.environ.get("IRON_RIVER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def offline_env(**extra: str) -> dict[str, str]:
    """Environment for a Solara server that must not reach the internet.

    A dead CDN address makes any asset missing from the local cache fail (and the test with it)
    instead of being silently downloaded.
    """
    env = dict(os.environ)
    env.update(
        SOLARA_ASSETS_CDN="http://127.0.0.1:9/npm/",
        SOLARA_TELEMETRY_MIXPANEL_ENABLE="False",
        PYTHONUNBUFFERED="1",
    )
    env.pop("PYTEST_CURRENT_TEST", None)
    env.update(extra)
    return env


@dataclass
class Server:
    """A `solara run` subprocess on a loopback port."""

    url: str
    proc: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        """Return what the server printed so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def start_server(cmd: list[str], port: int, log: Path, env: dict[str, str], timeout: float = 60):
    """Start ``cmd`` (which must serve on ``port``) and wait until it answers HTTP 200."""
    with log.open("w") as out:  # the server writes to its own copy of the descriptor
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop_server(proc)
            raise RuntimeError(f"server did not answer on {url} in {timeout} s:\n{log.read_text()}")
        time.sleep(0.2)
    return Server(url=url, proc=proc, log=log)


def stop_server(proc: subprocess.Popen) -> None:
    """Stop a server started by `start_server` (its own process group only)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@dataclass
class Watched:
    """A Playwright page with what went wrong on it recorded."""

    page: object
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Everything that indicates a broken page (external requests are listed separately)."""
        return (
            [f"page error: {e}" for e in self.page_errors]
            + [f"console error: {e}" for e in self.console_errors]
            + [f"failed request: {e}" for e in self.failed]
        )
