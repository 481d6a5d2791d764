"""The real view in a real (headless) Chromium at 1400×900, served as `iron-river view` serves it.

One test walks through what a user does: open the page (after the burn-in), read the monitors,
type a bad seed and press Reset (an inline message; the page keeps working), Step, switch
scenario (the sliders take its values), Reset, Play and pause, download the CSV. It saves a
screenshot in its tmp folder.
"""

from __future__ import annotations

import csv
import io
import math
import re
import time

import pytest
from browser_support import free_port, start_server, stop_server

from iron_river.view import levers, server
from iron_river.view.panels import CHARTS, MONITORS

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1400, "height": 900}


@pytest.fixture(scope="module")
def view_server(tmp_path_factory):
    """`iron-river view`'s own command and environment, with scenario files of our own."""
    folder = tmp_path_factory.mktemp("scenarios")
    (folder / "baseline.toml").write_text('name = "baseline"\nburn_in_years = 1\n')
    (folder / "crackdown.toml").write_text(
        'name = "crackdown"\ndescription = "view test: 30% inspection"\nburn_in_years = 1\n'
        "[policy]\nus_southbound_interdiction = 0.3\n"
    )
    (folder / "x10.toml").write_text(
        'name = "x10"\nburn_in_years = 1\n[policy]\nus_southbound_interdiction = 0.022\n'
    )
    port = free_port()
    log = tmp_path_factory.mktemp("view-server") / "server.log"
    env = server.server_env(str(folder / "baseline.toml"))
    env.update(
        IRON_RIVER_SCENARIOS=str(folder),
        SOLARA_ASSETS_CDN="http://127.0.0.1:9/npm/",  # anything not cached fails, visibly
        PYTHONUNBUFFERED="1",
    )
    env.pop("PYTEST_CURRENT_TEST", None)
    srv = start_server(server.server_command("127.0.0.1", port), port, log, env)
    yield srv
    stop_server(srv.proc)


def explanation_text(page) -> str:
    return page.locator(".iron-river-explanation").inner_text()


def week_of(page) -> int:
    m = re.search(r"Week (\d+)", explanation_text(page))
    assert m, explanation_text(page)
    return int(m.group(1))


def wait_week(page, week: int) -> None:
    page.wait_for_function(
        "w => { const e = document.querySelector('.iron-river-explanation');"
        " return e && e.innerText.includes('Week ' + w + ' '); }",
        arg=week,
    )


def wait_text(page, text: str, timeout: float = 30_000) -> None:
    page.wait_for_function("t => document.body.innerText.includes(t)", arg=text, timeout=timeout)


def select_option(page, label: str, option: str) -> None:
    page.locator(".v-select").filter(has_text=label).first.click()
    page.locator(".menuable__content__active .v-list-item").filter(has_text=option).first.click()


def slider_value(page, label_start: str) -> float:
    """``aria-valuenow`` of the slider under the lever label that starts with ``label_start``."""
    value = page.evaluate(
        """s => {
            const labels = [...document.querySelectorAll('.iron-river-lever-value')];
            let n = labels.find(e => e.innerText.startsWith(s));
            while (n && !n.querySelector?.('[role=slider]')) n = n.nextElementSibling;
            return n ? n.querySelector('[role=slider]').getAttribute('aria-valuenow') : null;
        }""",
        label_start,
    )
    assert value is not None, f"no slider after {label_start!r}"
    return float(value)


def test_user_session(watched_page, view_server, tmp_path):
    w = watched_page
    page = w.page
    page.set_viewport_size(VIEWPORT)
    t0 = time.monotonic()
    page.goto(view_server.url)
    page.locator("svg[data-chart='map']").wait_for(timeout=60_000)
    opened = time.monotonic() - t0
    print(f"\npage open to map, 1-year burn-in at 1:1000 included: {opened:.1f} s")
    assert week_of(page) == 52, "the view starts after the scenario's burn-in"

    # What Mesa's SolaraViz showed and users should not see; the badge is gone.
    body = page.locator("body").inner_text()
    for hidden in ("Use Threads", "Render Interval", "Play Interval", "Time: ", "runs on Solara"):
        assert hidden not in body, hidden
    # The map is sized to the page, beside the words, under the monitors.
    box = page.locator("svg[data-chart='map']").bounding_box()
    assert box["width"] >= 650 and box["height"] >= 500, box
    assert box["x"] + box["width"] <= VIEWPORT["width"]
    for ident, *_ in MONITORS:
        assert page.locator(f"[data-monitor='{ident}']").is_visible(), ident
    for spec in CHARTS:
        page.locator(f"svg[data-chart='{spec.ident}']").wait_for(state="attached")
    assert page.locator("svg[data-chart='seizures']").get_attribute("data-scale") == "log"

    # A bad seed: an inline message under the field, Reset refuses inline, the page works on.
    seed = page.get_by_label("Seed (whole number; blank = random)")
    seed.fill("abc")
    wait_text(page, "is not a whole number ≥ 0")
    page.get_by_role("button", name="Reset").click()
    page.locator(".iron-river-error").filter(has_text="Not reset: Seed 'abc'").wait_for()
    assert "Traceback" not in page.locator("body").inner_text()
    assert week_of(page) == 52
    page.get_by_role("button", name="Step").click()
    wait_week(page, 53)
    seed.fill("42")

    # Sliders: logarithmic, the value in words, the scenario's own values loaded.
    lever = levers.BY_KEY["policy.us_southbound_interdiction"]
    assert slider_value(page, "US southbound inspection") == pytest.approx(
        lever.position(0.0022), abs=lever.slider_step
    )
    select_option(page, "Scenario", "x10")
    wait_text(page, "US southbound inspection: 2.2% of loads seized")
    assert slider_value(page, "US southbound inspection") == pytest.approx(
        math.log10(0.022), abs=lever.slider_step
    )
    select_option(page, "Scenario", "crackdown")
    wait_text(page, "US southbound inspection: 30% of loads seized")
    wait_text(page, "view test: 30% inspection")  # the scenario's description
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function(
        "() => document.querySelector('.iron-river-explanation').innerText.startsWith('crackdown')",
        timeout=60_000,
    )
    wait_week(page, 52)
    # the same world with 2019 levers catches up after the page shows the run
    page.locator(".monitor-delivered").filter(has_text="vs 2019 levers").wait_for(timeout=60_000)

    # Step takes a user's click to the redrawn page.
    step = page.get_by_role("button", name="Step")
    times = []
    for k in range(1, 6):
        t = time.monotonic()
        step.click()
        wait_week(page, 52 + k)
        times.append(time.monotonic() - t)
    print(f"Step, click to redrawn page: median {sorted(times)[2]:.2f} s")

    # Play for a few seconds, pause: weeks advance on their own at a rate the page reports.
    page.get_by_role("button", name="▶").click()
    start, t = week_of(page), time.monotonic()
    page.wait_for_timeout(4000)
    played, elapsed = week_of(page) - start, time.monotonic() - t
    page.get_by_role("button", name="❚❚").click()
    page.get_by_role("button", name="▶").wait_for()
    print(f"Play (normal: week by week): {played / elapsed:.1f} weeks/s")
    assert played >= 4

    # The run's data, as a CSV with the columns of timeseries.csv.
    with page.expect_download() as info:
        page.get_by_role("button", name="Download data (CSV)").click()
    text = info.value.path().read_text()
    rows = [r for r in text.splitlines() if not r.startswith("#")]
    header = next(csv.reader(io.StringIO(rows[0])))
    assert header[:3] == ["week", "year", "guns_bought"] and len(rows) > 52

    shot = tmp_path / "iron-river-view.png"
    page.screenshot(path=str(shot))
    print(f"screenshot: {shot}")
    assert not w.problems(), w.problems()
    assert not w.external, f"the page tried to reach the internet: {w.external}"
    assert "Traceback" not in view_server.log_text(), view_server.log_text()
