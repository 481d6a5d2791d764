"""The view's Solara components and its model wrapper, rendered without a browser."""

from __future__ import annotations

import inspect
import math

import ipyvuetify as v
import ipywidgets
import pytest
import solara
from mesa.visualization.solara_viz import _check_model_params

from iron_river.view import app, panels


@pytest.fixture
def scenarios(tmp_path, monkeypatch):
    (tmp_path / "baseline.toml").write_text('name = "baseline"\n')
    (tmp_path / "crackdown.toml").write_text(
        'name = "crackdown"\n[policy]\nus_southbound_interdiction = 0.3\n'
    )
    monkeypatch.setenv("IRON_RIVER_SCENARIOS", str(tmp_path))
    return tmp_path


def defaults() -> dict[str, float]:
    return {k.replace(".", "__"): app.BASELINE.value(k) for k in app.LEVER_SLIDERS}


# ------------------------------------------------------------------ the model the view builds


def test_sliders_at_baseline_keep_the_scenario_file_levers(scenarios):
    m = app.ViewModel(rng="1", scenario_file="crackdown", scale="10000", **defaults())
    assert m.scenario.name == "crackdown"
    assert m.scenario.policy.us_southbound_interdiction == pytest.approx(0.3)
    assert m.levers_from_sliders == frozenset()
    assert m.scenario.scale == 10000.0


def test_a_moved_slider_overrides_the_file(scenarios):
    params = defaults() | {"policy__us_southbound_interdiction": 0.5}
    m = app.ViewModel(rng="1", scenario_file="crackdown", scale="10000", **params)
    assert m.scenario.policy.us_southbound_interdiction == pytest.approx(0.5)
    assert m.levers_from_sliders == {"policy.us_southbound_interdiction"}


def test_reset_arguments_from_solaraviz_are_accepted(scenarios):
    """SolaraViz's Reset passes a fresh default scenario and the sidebar values as text."""
    first = app.ViewModel(rng="3", scenario_file="baseline", scale="10000")
    again = app.ViewModel(
        scenario=type(first.scenario)(),
        rng="3",
        scenario_file="baseline",
        scale="10000",
        burn_in_years="1",
        **defaults(),
    )
    assert again.burn_in_weeks == 52
    assert _check_model_params(app.ViewModel.__init__, app.model_params("baseline")) is None


def test_same_seed_same_run(scenarios):
    a, b = (app.ViewModel(rng="11", scale="10000") for _ in range(2))
    for _ in range(3):
        a.step()
        b.step()
    assert a.datacollector.model_vars == b.datacollector.model_vars


@pytest.mark.parametrize(("text", "seed"), [("7", 7), (" 42 ", 42), ("", None), (None, None)])
def test_seed_box(text, seed):
    assert app._seed(text) == seed


def test_bad_seed_is_a_clear_error():
    with pytest.raises(ValueError, match="whole number"):
        app._seed("abc")


def test_picker_lists_every_scenario_file_of_the_project():
    folder = app.scenarios_dir()
    files = sorted(p.stem for p in folder.glob("*.toml"))
    assert files, f"no scenario files in {folder}"
    choices = app.scenario_choices()
    assert set(files) <= set(choices)
    assert app.BUILT_IN in choices


def test_every_project_scenario_opens_in_the_view():
    for label, path in app.scenario_choices().items():
        m = app.ViewModel(rng="5", scenario_file=label, scale="10000")
        m.step()
        assert m.week == 1, path


def test_a_scenario_outside_the_folder_is_offered_by_path(scenarios, tmp_path_factory):
    other = tmp_path_factory.mktemp("elsewhere") / "mine.toml"
    other.write_text('name = "mine"\n')
    choices = app.scenario_choices(str(other))
    assert choices[str(other)] == other
    assert app.initial_choice(choices, str(other)) == str(other)
    assert app.initial_choice(choices, "crackdown") == "crackdown"
    assert app.initial_choice(choices, None) == "baseline"
    assert app.initial_choice(choices, str(scenarios / "crackdown.toml")) == "crackdown"
    with pytest.raises(ValueError, match="no scenario 'nope'"):
        app.initial_choice(choices, "nope")


def test_slider_defaults_lie_on_the_slider_grid():
    params = app.model_params("baseline")
    for key in app.LEVER_SLIDERS:
        p = params[key.replace(".", "__")]
        ratio = p["value"] / p["step"]
        assert math.isclose(ratio, round(ratio), abs_tol=1e-6), (key, p)
        assert p["min"] <= p["value"] <= p["max"]


# ------------------------------------------------------------------ components (solara.render)


def widgets_under(root) -> list[ipywidgets.Widget]:
    """Every widget reachable from ``root`` through any widget-valued trait (GridLayout keeps
    its panels in ``items``, where ``rc.find`` does not look)."""
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


def html_of(rc) -> list[str]:
    """The panels' HTML strings (map first, then charts)."""
    return [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets]


def text_of(root) -> str:
    """Every HTML string and template (Markdown renders into one) under ``root``."""
    out = []
    for w in widgets_under(root):
        if isinstance(w, solara.widgets.HTML):
            out.append(w.unsafe_innerHTML or "")
        elif isinstance(w, v.VuetifyTemplate):
            t = w.template
            out.append(t if isinstance(t, str) else getattr(t, "template", "") or "")
    return "\n".join(out)


@pytest.fixture
def stepped_model(scenarios):
    m = app.ViewModel(rng="2", scale="10000")
    m.step()
    m.step()
    return m


@pytest.mark.parametrize("panel", panels.panels(), ids=lambda p: p.__name__)
def test_each_panel_renders(stepped_model, panel):
    @solara.component
    def Host():  # noqa: N802
        panel(stepped_model)

    box, rc = solara.render(Host(), handle_error=False)
    text = text_of(box)
    if panel is panels.ExplanationPanel:
        assert "Week 2" in text and "The picture" in text
    else:
        (html,) = html_of(rc)
        assert html.startswith("<svg") and "data-chart=" in html
        assert "polyline" in html or "data-layer='places'" in html


def find_button(rc, label: str):
    return rc.find(v.Btn, children=[label]).widget


def test_page_steps_resets_and_switches_scenario(scenarios):
    page = app.make_page("baseline")
    box, rc = solara.render(solara.AppLayout(children=[page]), handle_error=False)
    htmls = html_of(rc)
    assert len(htmls) == 1 + len(panels.CHARTS)
    assert "Week 0 " in htmls[0]

    find_button(rc, "Step").click()
    find_button(rc, "Step").click()
    assert "Week 2 " in html_of(rc)[0]
    assert "Week 2" in text_of(box)

    slider = rc.find(v.Slider, label="US inspection").widget
    slider.v_model = 0.5
    find_button(rc, "Reset").click()
    text = text_of(box)
    assert "Week 0 " in html_of(rc)[0]
    assert "US inspection 50% (<em>slider</em>)" in text

    slider.v_model = app.BASELINE.value("policy.us_southbound_interdiction")
    rc.find(v.Select, label="Scenario").widget.v_model = "crackdown"
    find_button(rc, "Reset").click()
    text = text_of(box)
    assert "Scenario <strong>crackdown</strong>" in text
    assert "US inspection 30% ·" in text


def test_panels_are_plain_functions_solaraviz_wraps():
    for panel in panels.panels():
        assert inspect.isfunction(panel)  # redrawn by SolaraViz after every step
