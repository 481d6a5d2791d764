"""The view's page rendered with ``solara.render`` (no browser): controls, errors, sliders."""

from __future__ import annotations

import time

import ipyvuetify as v
import ipywidgets
import pytest
import solara

from iron_river.view import app, controls, levers, panels


@pytest.fixture
def scenarios(tmp_path, monkeypatch):
    (tmp_path / "baseline.toml").write_text('name = "baseline"\nburn_in_years = 1\n')
    (tmp_path / "crackdown.toml").write_text(
        'name = "crackdown"\ndescription = "view test: 30% inspection"\nburn_in_years = 1\n'
        "[policy]\nus_southbound_interdiction = 0.3\n"
    )
    monkeypatch.setenv("IRON_RIVER_SCENARIOS", str(tmp_path))
    return tmp_path


def widgets_under(root) -> list[ipywidgets.Widget]:
    """Every widget reachable from ``root`` through any widget-valued trait."""
    seen, out, todo = set(), [], [root]
    while todo:
        w = todo.pop()
        if id(w) in seen:
            continue
        seen.add(id(w))
        out.append(w)
        for name in w.keys:
            value = getattr(w, name, None)
            values = value if isinstance(value, list | tuple) else [value]
            todo.extend(x for x in values if isinstance(x, ipywidgets.Widget))
    return out


def text_of(root) -> str:
    """Every HTML string, template and text under ``root``."""
    out = []
    for w in widgets_under(root):
        if isinstance(w, solara.widgets.HTML):
            out.append(w.unsafe_innerHTML or "")
        elif isinstance(w, v.VuetifyTemplate):
            t = w.template
            out.append(t if isinstance(t, str) else getattr(t, "template", "") or "")
        elif isinstance(w, v.Html | v.Alert | v.Btn):
            out += [c for c in w.children if isinstance(c, str)]
        for attr in ("label", "v_model", "error_messages", "messages"):
            value = getattr(w, attr, None)
            if isinstance(value, str):
                out.append(value)
            elif isinstance(value, list):
                out += [x for x in value if isinstance(x, str)]
    return "\n".join(out)


def wait_for(box, text: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while True:
        page = text_of(box)
        if text in page:
            return page
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} never appeared; page:\n{page[-3000:]}")
        time.sleep(0.05)


def button(rc, label: str):
    return rc.find(v.Btn, children=[label]).widget


@pytest.fixture
def page(scenarios):
    box, rc = solara.render(solara.AppLayout(children=[app.Page("baseline")]), handle_error=False)
    wait_for(
        box, "<strong>Week 52</strong>"
    )  # the scenario's burn-in ran before the page shows the run
    return box, rc


def test_the_page_opens_after_the_burn_in_with_monitors_map_and_charts(page):
    box, _ = page
    text = text_of(box)
    assert "data-chart='map'" in text
    for spec in panels.CHARTS:
        assert f"data-chart='{spec.ident}'" in text
    for ident, *_ in panels.MONITORS:
        assert f"data-monitor='{ident}'" in text
    for hidden in ("Use Threads", "Render Interval", "Play Interval", "Information"):
        assert hidden not in text, f"Mesa's internal control {hidden!r} is shown"
    assert "Play speed" in text and "Run 1 year" in text
    wait_for(box, "Download data (CSV)")


def test_step_and_run_a_year(page):
    box, rc = page
    button(rc, "Step").click()
    wait_for(box, "<strong>Week 53</strong>")
    button(rc, "Run 1 year").click()
    wait_for(box, "<strong>Week 105</strong>")


def test_a_bad_seed_is_an_inline_message_and_the_page_keeps_working(page):
    box, rc = page
    seed = rc.find(v.TextField, label="Seed (whole number; blank = random)").widget
    seed.v_model = "abc"
    text = wait_for(box, "not a whole number ≥ 0")
    button(rc, "Reset").click()
    text = wait_for(box, "Not reset: Seed 'abc' is not a whole number")
    assert "<strong>Week 52</strong>" in text  # the run on screen is untouched
    button(rc, "Step").click()
    wait_for(box, "<strong>Week 53</strong>")
    seed.v_model = "7"
    button(rc, "Reset").click()
    text = wait_for(box, "Seed 7;")
    assert "Not reset" not in text


def test_switching_scenario_loads_its_levers_into_the_sliders(page):
    box, rc = page
    rc.find(v.Select, label="Scenario").widget.v_model = "crackdown"
    wait_for(box, "US southbound inspection: 30% of loads seized")
    # the notice comes with the render that compares the form with the run (a busy machine
    # may show the slider's label first)
    text = wait_for(box, "Changed settings apply when you press Reset.")
    assert "view test: 30% inspection" in text  # the scenario's description
    lever = levers.BY_KEY["policy.us_southbound_interdiction"]
    sliders = rc.find(v.Slider).widgets
    assert any(s.v_model == pytest.approx(lever.position(0.3)) for s in sliders)
    button(rc, "Reset").click()
    wait_for(box, "<strong>crackdown</strong> — view test")


def test_a_moved_slider_is_applied_on_reset(page):
    box, rc = page
    lever = levers.BY_KEY["policy.mx_customs_interdiction"]
    slider = next(
        s for s in rc.find(v.Slider).widgets if s.v_model == pytest.approx(lever.position(0.004))
    )
    slider.v_model = lever.position(0.1)
    wait_for(box, "Mexican customs: 10% of loads seized")
    button(rc, "Reset").click()
    wait_for(box, "<strong>Set with sliders</strong>: Mexican customs: 10% of loads seized")


def test_speed_choices_are_plain_words():
    for label in controls.SPEEDS:
        assert "ms" not in label and ":" in label
