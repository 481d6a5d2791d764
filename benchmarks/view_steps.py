"""How fast the browser view runs, at the view's default scale, from the inside out.

1. model      : one week of the run and its 2019-levers twin (``Simulation.step``);
2. + drawing  : plus the map, every chart, the monitors and the explanation (one redraw);
3. burn-in    : the scenario's 5-year burn-in (both models), what Reset waits for;
4. browser    : (``--browser``) `iron-river view`'s server and headless Chromium at 1400×900,
                as a user sees it: page open to the map (burn-in included), Reset to the
                redrawn page, Step (click to redrawn page), and Play at each speed.

Usage::

    python benchmarks/view_steps.py [--weeks 100] [--scale 1000] [--browser] [--seconds 8]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def settings(scale: str):
    from iron_river.view.session import Settings

    return Settings.for_scenario("interdiction_x10", scale=scale)


def bench_model(weeks: int, scale: str, draw: bool) -> float:
    from iron_river.view import mapview, panels
    from iron_river.view.session import Simulation

    sim = Simulation(settings(scale))
    sim.step(60)
    t0 = time.perf_counter()
    for _ in range(weeks):
        sim.step(1)
        if draw:
            mapview.map_svg(sim.model)
            for spec in panels.CHARTS:
                panels.chart_svg(sim.model, spec, sim.twin)
            panels.monitors(sim.model, sim.twin)
            panels.explanation(sim)
    return weeks / (time.perf_counter() - t0)


def bench_burn_in(scale: str) -> float:
    from iron_river.view.session import Simulation

    t0 = time.perf_counter()
    Simulation(settings(scale)).burn_in()
    return time.perf_counter() - t0


def bench_browser(seconds: float) -> dict[str, float]:
    sys.path.insert(0, str(REPO / "tests" / "view"))
    from browser_support import CHROMIUM, CHROMIUM_ARGS, free_port, start_server, stop_server
    from playwright.sync_api import sync_playwright

    from iron_river.view import server
    from iron_river.view.controls import SPEEDS

    port = free_port()
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"view-bench-{port}.log"
    env = server.server_env("interdiction_x10")
    env["SOLARA_ASSETS_CDN"] = "http://127.0.0.1:9/npm/"
    srv = start_server(server.server_command("127.0.0.1", port), port, log, env)
    out: dict[str, float] = {}
    try:
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = b.new_page(viewport={"width": 1400, "height": 900})

            def week() -> int:
                text = page.locator(".iron-river-explanation").inner_text()
                return int(re.search(r"Week (\d+)", text).group(1))

            def wait_week(w: int) -> None:
                page.wait_for_function(
                    "w => document.querySelector('.iron-river-explanation')"
                    "?.innerText.includes('Week ' + w + ' ')",
                    arg=w,
                    timeout=120_000,
                )

            t0 = time.perf_counter()
            page.goto(srv.url)
            page.locator("svg[data-chart='map']").wait_for(timeout=120_000)
            out["open to the run (its burn-in included), s"] = time.perf_counter() - t0
            compared = page.locator(".monitor-delivered").filter(has_text="vs 2019 levers")
            compared.wait_for(timeout=120_000)
            out["open to the 2019-levers comparison, s"] = time.perf_counter() - t0
            w0 = week()

            def reset() -> float:
                t = time.perf_counter()
                page.get_by_role("button", name="Reset").click()
                page.locator(".iron-river-progress").wait_for(state="attached")
                page.locator(".iron-river-progress").wait_for(state="detached", timeout=120_000)
                wait_week(w0)
                return time.perf_counter() - t

            out["Reset to the redrawn run, s"] = reset()
            step = page.get_by_role("button", name="Step")
            times = []
            for k in range(1, 11):
                t = time.perf_counter()
                step.click()
                wait_week(w0 + k)
                times.append(time.perf_counter() - t)
            out["Step, click to redrawn page, s (median of 10)"] = statistics.median(times)
            for label in SPEEDS:
                reset()  # play from the levers' start
                compared.wait_for(timeout=120_000)
                page.locator(".v-select").filter(has_text="Play speed").first.click()
                page.locator(".menuable__content__active .v-list-item").filter(
                    has_text=label
                ).first.click()
                page.get_by_role("button", name="▶").click()
                page.wait_for_timeout(1500)  # warm up
                a, t = week(), time.perf_counter()
                page.wait_for_timeout(seconds * 1000)
                out[f"Play {label!r}, weeks/s"] = (week() - a) / (time.perf_counter() - t)
                print(f"  browser: Play '{label}': {out[f'Play {label!r}, weeks/s']:.1f} weeks/s")
                page.get_by_role("button", name="❚❚").click()
                page.get_by_role("button", name="▶").wait_for()
            b.close()
    finally:
        stop_server(srv.proc)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=100)
    parser.add_argument("--scale", default="1000")
    parser.add_argument("--browser", action="store_true", help="also measure in Chromium")
    parser.add_argument("--seconds", type=float, default=8.0, help="play time per speed")
    args = parser.parse_args()
    os.chdir(REPO)
    print(f"view at scale 1:{args.scale}, interdiction_x10 and its 2019-levers twin")
    print(f"  model (both)        {bench_model(args.weeks, args.scale, draw=False):7.1f} weeks/s")
    print(f"  + drawing           {bench_model(args.weeks, args.scale, draw=True):7.1f} weeks/s")
    print(f"  burn-in (5 years)   {bench_burn_in(args.scale):7.1f} s")
    if args.browser:
        for what, value in bench_browser(args.seconds).items():
            print(f"  browser: {what:48s} {value:6.2f}")
    print(f"({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
