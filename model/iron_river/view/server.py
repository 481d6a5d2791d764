"""Start the browser view: ``solara run iron_river.view.app`` on a loopback address.

``iron-river view [SCENARIO] [--port P] [--host H]`` calls :func:`serve`. The server runs in a
child process so Ctrl-C stops it cleanly; it binds 127.0.0.1 unless told otherwise, sends no
telemetry and asks nothing of the internet (the front end comes from the local asset cache, see
:mod:`iron_river.view.assets`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

APP = "iron_river.view.app"


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free on ``host`` right now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def server_command(host: str, port: int) -> list[str]:
    """Return the ``solara run`` command line the view is served with."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        APP,
        "--host",
        host,
        "--port",
        str(port),
        "--no-open",
        "--no-check-version",
        "--production",
    ]


def server_env(scenario: str | None) -> dict[str, str]:
    """Return the server's environment: the starting scenario, and no telemetry."""
    env = dict(os.environ)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    env["SOLARA_THEME_SHOW_BANNER"] = "False"  # the badge covered the page (issue 14)
    env.setdefault("SOLARA_THEME_TITLE", "iron river")
    if scenario:
        p = Path(scenario)
        env["IRON_RIVER_VIEW_SCENARIO"] = str(p.resolve()) if p.is_file() else scenario
    return env


def check_assets() -> str | None:
    """Return a warning if Solara's front end is not cached (the page would need internet)."""
    from iron_river.view import assets

    try:
        absent = assets.missing(assets.required_assets(), assets.cache_dir())
    except assets.AssetError as exc:
        return str(exc)
    if absent:
        names = ", ".join(a.folder for a in absent)
        return (
            f"Solara's front end is not cached locally ({names}); the page will try to fetch "
            "it from the internet. Run `python -m iron_river.view.assets install` once."
        )
    return None


def serve(scenario: str | None = None, host: str = "127.0.0.1", port: int = 8765) -> int:
    """Serve the view until interrupted, printing its URL.

    Args:
        scenario: scenario to start with (a path, or a name in ``scenarios/``); the page's
            picker offers every file in ``scenarios/`` as well.
        host: address to bind (loopback by default; ``0.0.0.0`` exposes the model to the network).
        port: TCP port; 0 picks a free one.

    Returns:
        The server's exit status (0 after Ctrl-C).
    """
    if scenario and not Path(scenario).is_file():
        from iron_river.view.app import scenario_choices

        if scenario not in scenario_choices():
            print(
                f"error: no scenario file {scenario!r} (and no scenarios/{scenario}.toml)",
                file=sys.stderr,
            )
            return 2
    warning = check_assets()
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    if port == 0:
        port = free_port(host)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    print(f"iron river view: http://{shown}:{port}/  (Ctrl-C to stop)", flush=True)
    proc = subprocess.Popen(server_command(host, port), env=server_env(scenario))
    # A SIGTERM to us (a service manager, `kill`) also stops the server; outside the main
    # thread signals cannot be handled, and are left alone.
    with contextlib.suppress(ValueError):
        signal.signal(signal.SIGTERM, lambda signum, _frame: proc.send_signal(signum))
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m iron_river.view.server [SCENARIO] [--host H] [--port P]``."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m iron_river.view.server", description="Serve the iron river browser view."
    )
    parser.add_argument("scenario", nargs="?", default=None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    return serve(args.scenario, host=args.host, port=args.port)


if __name__ == "__main__":
    sys.exit(main())
