"""The real view in a real (headless) browser, served by `solara run` with no internet.

One test walks through what a user does: open the page, see the map and every chart, Step, move
the interdiction slider, Reset, switch scenario, Play; it saves a screenshot in its tmp folder.
"""

from __future__ import annotations

import re
import sys
import time

import pytest
from browser_support import free_port, offline_env, start_server, stop_server

from iron_river.view.panels import CHARTS

pytestmark = pytest.mark.browser

CRACKDOWN_INTERDICTION = 0.3


@pytest.fixture(scope="module")
def view_server(tmp_path_factory):
    """`python -m solara run iron_river.view.app` with two scenario files of our own."""
    folder = tmp_path_factory.mktemp("scenarios")
    (folder / "baseline.toml").write_text('name = "baseline"\n')
    (folder / "crackdown.toml").write_text(
        'name = "crackdown"\ndescription = "view test"\n\n[policy]\n'
        f"us_southbound_interdiction = {CRACKDOWN_INTERDICTION}\n"
    )
    port = free_port()
    log = tmp_path_factory.mktemp("view-server") / "server.log"
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
    env = offline_env(
        IRON_RIVER_SCENARIOS=str(folder), IRON_RIVER_VIEW_SCENARIO=str(folder / "baseline.toml")
    )
    server = start_server(cmd, port, log, env)
    yield server
    stop_server(server.proc)


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


def svg_html(page, ident: str) -> str:
    return page.locator(f"svg[data-chart='{ident}']").inner_html()


def assert_drawn(page, ident: str, flows: bool = True) -> None:
    """The panel is on screen with a real size and has drawn its marks."""
    svg = page.locator(f"svg[data-chart='{ident}']")
    svg.wait_for(state="visible")
    box = svg.bounding_box()
    assert box and box["width"] > 150 and box["height"] > 100, (ident, box)
    if ident == "map":
        assert svg.locator("[data-layer='places'] circle").count() >= 15
        assert svg.locator("[data-layer='crossings'] path").count() >= 7
        if flows:  # (none at 100% interdiction, once traffickers have learnt it)
            assert svg.locator("[data-layer='gun-flows'] path").count() > 0
        assert svg.locator("[data-layer='legend']").count() == 1
    else:
        assert svg.locator("polyline").count() > 0, ident


def select_option(page, label: str, option: str) -> None:
    page.locator(".v-select").filter(has_text=label).first.click()
    page.locator(".menuable__content__active .v-list-item").filter(has_text=option).first.click()


def test_user_session(watched_page, view_server, tmp_path):
    w = watched_page
    page = w.page
    page.goto(view_server.url)
    step = page.get_by_role("button", name="Step")
    step.wait_for()
    page.locator("svg[data-chart='map']").wait_for()
    assert week_of(page) == 0

    # Step: the week advances, the map and every chart are drawn, and a chart changes.
    step.click()
    wait_week(page, 1)
    before = svg_html(page, "guns")
    step.click()
    wait_week(page, 2)
    page.wait_for_function(
        "old => document.querySelector(\"svg[data-chart='guns']\").innerHTML !== old", arg=before
    )
    for ident in ["map", *(c.ident for c in CHARTS)]:
        assert_drawn(page, ident)
    assert "US inspection 0.22% ·" in explanation_text(page)

    # Switch scenario and Reset: the scenario file's levers are in force.
    select_option(page, "Scenario", "crackdown")
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function(
        "() => document.querySelector('.iron-river-explanation').innerText.includes('crackdown')"
    )
    assert week_of(page) == 0
    text = explanation_text(page)
    assert f"US inspection {100 * CRACKDOWN_INTERDICTION:g}% ·" in text, text

    # Move the interdiction slider to its maximum and Reset: the model has the new value.
    thumb = page.locator(".v-input").filter(has_text="US inspection").locator("[role='slider']")
    thumb.focus()
    thumb.press("End")
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function(
        "() => document.querySelector('.iron-river-explanation').innerText"
        ".includes('US inspection 100% (slider)')"
    )
    assert "crackdown" in explanation_text(page)
    step.click()
    wait_week(page, 1)

    # Play for a moment: weeks advance on their own; pause again.
    page.get_by_role("button", name="▶").click()
    t0 = time.monotonic()
    page.wait_for_function(
        "() => /Week (\\d+)/.exec(document.querySelector('.iron-river-explanation').innerText)[1]"
        " >= 5"
    )
    page.get_by_role("button", name="❚❚").click()
    page.get_by_role("button", name="▶").wait_for()
    played = week_of(page)
    print(f"\nplayed {played} weeks in {time.monotonic() - t0:.1f} s (incl. browser round trips)")
    for ident in ["map", *(c.ident for c in CHARTS)]:
        assert_drawn(page, ident, flows=False)

    page.set_viewport_size({"width": 1600, "height": 2000})  # the whole page, all charts
    page.wait_for_timeout(500)
    shot = tmp_path / "iron-river-view.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    assert shot.stat().st_size > 10_000
    assert not w.problems(), w.problems()
    assert not w.external, f"the page tried to reach the internet: {w.external}"
    assert "Traceback" not in view_server.log_text(), view_server.log_text()
