"""`serve()` / `iron-river view`: loopback by default, prints the URL, stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from browser_support import REPO, free_port

from iron_river.view import server


def test_command_binds_loopback_without_telemetry_or_version_check():
    cmd = server.server_command("127.0.0.1", 9999)
    assert cmd[:4] == [sys.executable, "-m", "solara", "run"]
    assert "iron_river.view.app" in cmd
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--port") + 1] == "9999"
    assert {"--no-open", "--no-check-version", "--production"} <= set(cmd)
    env = server.server_env(None)
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"


def test_scenario_path_is_passed_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text('name = "s"\n')
    env = server.server_env("s.toml")
    assert env["IRON_RIVER_VIEW_SCENARIO"] == str(tmp_path / "s.toml")
    assert server.server_env("baseline")["IRON_RIVER_VIEW_SCENARIO"] == "baseline"


def test_unknown_scenario_is_refused_before_starting(capsys):
    assert server.serve("no-such-scenario", port=0) == 2
    assert "no scenario file 'no-such-scenario'" in capsys.readouterr().err


def test_assets_are_in_place_for_serving():
    assert server.check_assets() is None


def test_serve_prints_url_answers_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    env = dict(os.environ, SOLARA_ASSETS_CDN="http://127.0.0.1:9/npm/", PYTHONUNBUFFERED="1")
    env.pop("PYTEST_CURRENT_TEST", None)
    log = (tmp_path / "serve.log").open("w+")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "iron_river.view.server",
            "scenarios/baseline.toml",
            "--port",
            str(port),
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail((tmp_path / "serve.log").read_text())
                time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    out = (tmp_path / "serve.log").read_text()
    assert f"iron river view: {url}" in out
