"""How many weeks per second the browser view advances, at the view's default scale.

Four measurements, from the inside out:

1. model      : ``model.step()`` alone;
2. + drawing  : plus drawing the map, every chart and the explanation (what a redraw costs us);
3. + Solara   : clicking Step in the page rendered by ``solara.render`` (widgets updated, no
                browser);
4. browser    : (``--browser``) the real server and headless Chromium, Play for a few seconds,
                weeks counted on the page: what a user sees.

Usage::

    python benchmarks/view_steps.py [--weeks 100] [--scale 1000] [--browser]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def bench_model(weeks: int, scale: str, draw: bool) -> float:
    from iron_river.view import app, mapview, panels

    m = app.ViewModel(rng="1", scale=scale)
    t0 = time.perf_counter()
    for _ in range(weeks):
        m.step()
        if draw:
            mapview.map_svg(m)
            for spec in panels.CHARTS:
                panels.chart_svg(m, spec)
            panels.explanation(m)
    return weeks / (time.perf_counter() - t0)


def bench_solara(weeks: int, scale: str) -> float:
    import ipyvuetify as v
    import solara

    from iron_river.view import app

    app.DEFAULT_SCALE = float(scale)
    page = app.make_page("baseline")
    _, rc = solara.render(solara.AppLayout(children=[page]), handle_error=False)
    step = rc.find(v.Btn, children=["Step"]).widget
    t0 = time.perf_counter()
    for _ in range(weeks):
        step.click()
    return weeks / (time.perf_counter() - t0)


def bench_browser(seconds: float) -> float:
    sys.path.insert(0, str(REPO / "tests" / "view"))
    from browser_support import (
        CHROMIUM,
        CHROMIUM_ARGS,
        free_port,
        offline_env,
        start_server,
        stop_server,
    )
    from playwright.sync_api import sync_playwright

    port = free_port()
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"view-bench-{port}.log"
    cmd = [
        sys.executable,
        "-m",
        "solara",
        "run",
        "iron_river.view.app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-open",
        "--no-check-version",
        "--production",
    ]
    server = start_server(cmd, port, log, offline_env())
    try:
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = b.new_page(viewport={"width": 1600, "height": 1100})
            page.goto(server.url)
            page.locator("svg[data-chart='map']").wait_for()

            def week() -> int:
                text = page.locator(".iron-river-explanation").inner_text()
                return int(re.search(r"Week (\d+)", text).group(1))

            page.get_by_role("button", name="▶").click()
            page.wait_for_timeout(1000)  # warm up
            w0, t0 = week(), time.perf_counter()
            page.wait_for_timeout(seconds * 1000)
            w1, t1 = week(), time.perf_counter()
            page.get_by_role("button", name="❚❚").click()
            b.close()
    finally:
        stop_server(server.proc)
    return (w1 - w0) / (t1 - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=100)
    parser.add_argument("--scale", default="1000")
    parser.add_argument("--browser", action="store_true", help="also measure in Chromium")
    parser.add_argument("--seconds", type=float, default=8.0, help="browser play time")
    args = parser.parse_args()
    os.chdir(REPO)
    print(f"view steps per second at scale {args.scale} ({args.weeks} weeks each)")
    print(f"  model             {bench_model(args.weeks, args.scale, draw=False):7.1f}")
    print(f"  + drawing         {bench_model(args.weeks, args.scale, draw=True):7.1f}")
    print(f"  + Solara widgets  {bench_solara(args.weeks, args.scale):7.1f}")
    if args.browser:
        print(f"  browser (Play)    {bench_browser(args.seconds):7.1f}")
    print(f"({subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} CPUs)")


if __name__ == "__main__":
    main()
