"""Fixtures for the browser view's tests (helpers in ``browser_support.py``).

Browser tests skip, saying why, only when the system Chromium is missing; CI installs it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    HERE,
    Server,
    Watched,
    free_port,
    offline_env,
    start_server,
    stop_server,
)


@pytest.fixture(scope="session")
def browser():
    """A headless system Chromium, shared by the session; skips if it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def watched_page(browser) -> Iterator[Watched]:
    """A fresh browser page that records page errors and blocks the internet."""
    context = browser.new_context(viewport={"width": 1600, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(30_000)
    w = Watched(page=page)
    page.on("pageerror", lambda e: w.page_errors.append(str(e)))

    def on_console(msg):
        # An aborted external request logs a console error; it is recorded in w.external.
        if msg.type == "error" and "net::ERR_FAILED" not in msg.text:
            w.console_errors.append(msg.text)

    page.on("console", on_console)
    page.on(
        "response",
        lambda r: w.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )

    def route(r):
        if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            w.external.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    yield w
    context.close()


@pytest.fixture(scope="session")
def toy_server(tmp_path_factory) -> Iterator[Server]:
    """The throwaway app in ``toy_app.py`` served by ``solara run``."""
    port = free_port()
    log = tmp_path_factory.mktemp("toy-server") / "server.log"
    cmd = [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(HERE / "toy_app.py"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-open",
        "--no-check-version",
        "--production",
    ]
    server = start_server(cmd, port, log, offline_env())
    yield server
    stop_server(server.proc)
