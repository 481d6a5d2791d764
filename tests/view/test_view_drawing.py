"""The view's drawing (map, charts, monitors, words) and its session, without a browser."""

from __future__ import annotations

import csv
import io
import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from iron_river.outputs import style
from iron_river.view import levers, mapview, panels, session, svg

NS = {"s": "http://www.w3.org/2000/svg"}


@pytest.fixture(scope="module")
def sim():
    """interdiction_x100 after its burn-in, 8 weeks into its measured period."""
    s = session.Simulation(session.Settings.for_scenario("interdiction_x100", scale="10000"))
    assert s.twin is not None
    s.burn_in()
    s.step(8)
    return s


@pytest.fixture(scope="module")
def short_sim():
    settings = session.Settings.for_scenario("baseline", scale="10000")
    s = session.Simulation(settings)
    s.step(6)
    return s


def parse(text: str) -> ET.Element:
    return ET.fromstring(text)  # raises if the SVG is not well-formed XML


# ---------------------------------------------------------------------------- svg helpers


@pytest.mark.parametrize(
    ("lo", "hi"), [(0, 1), (0, 3702), (2019, 2020.2), (-3, 10), (0.0, 1e-7), (5, 5), (0, 0)]
)
def test_nice_ticks_cover_the_range_with_round_steps(lo, hi):
    ticks = svg.nice_ticks(lo, hi)
    assert ticks[0] <= lo and ticks[-1] >= hi
    assert 2 <= len(ticks) <= 12
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0])
    mantissa = steps[0] / 10 ** math.floor(math.log10(steps[0]))
    assert any(math.isclose(mantissa, m) for m in (1, 2, 2.5, 5))


@pytest.mark.parametrize(("lo", "hi"), [(0.3, 40), (2, 3), (1, 1e6), (7, 7)])
def test_log_ticks_cover_the_range(lo, hi):
    ticks = svg.log_ticks(lo, hi)
    assert ticks[0] <= lo and ticks[-1] >= hi and 2 <= len(ticks) <= 9


def test_tick_labels():
    assert svg.tick_labels([2019.0, 2019.5, 2020.0], plain=True) == ["2019.0", "2019.5", "2020.0"]
    assert svg.tick_labels([0, 1000, 2000]) == ["0", "1,000", "2,000"]
    assert svg.tick_labels([0, 20000, 40000]) == ["0", "20k", "40k"]
    assert svg.fmt_number(1_250_000) == "1.25M"


def test_line_chart_draws_dashes_it_promises_and_a_log_axis():
    text = svg.line_chart(
        "T & t",
        [0, 1, 2, 3, 4],
        [
            svg.Series("a", [1, 2, math.nan, 4, 5]),
            svg.Series("b", [1, 10, 100, 1000, 10], dashed=True),
            svg.Series("hidden", [1, 1, 1, 1, 1], dashed=True, in_legend=False),
        ],
        ident="x",
        log_y=True,
        note="dashed: something",
    )
    root = parse(text)
    assert root.get("data-chart") == "x" and root.get("data-scale") == "log"
    lines = root.findall(".//s:polyline", NS)
    assert [p.get("data-series") for p in lines] == ["a", "a", "b", "hidden"]
    assert lines[2].get("stroke-dasharray")  # the line itself is dashed, as its legend
    legend = [ln for ln in root.findall("s:line", NS) if ln.get("stroke-width") == "2.5"]
    assert len(legend) == 2 and legend[1].get("stroke-dasharray")
    assert (
        "T &amp; t" in text
        and "a: 5" in text
        and "hidden" not in "".join(t.text or "" for t in root.findall(".//s:text", NS))
    )
    assert "dashed: something" in text
    labels = [t.text for t in root.findall(".//s:text", NS)]
    assert "1,000" in labels and "1" in labels  # log ticks 1, 10, 100, 1,000


def test_colour_scale_is_clipped_and_ordered():
    assert svg.colour(-5, 0, 100) == svg.colour(0, 0, 100)
    assert svg.colour(500, 0, 100) == svg.colour(100, 0, 100)
    assert svg.colour(math.nan, 0, 100) == svg.colour(0, 0, 100)
    assert svg.colour(10, 0, 100) != svg.colour(90, 0, 100)


# ---------------------------------------------------------------------------- the map


def test_map_draws_land_places_crossings_and_smoothed_flows(sim):
    m = sim.model
    root = parse(mapview.map_svg(m))
    layer = {g.get("data-layer"): g for g in root.iter("{http://www.w3.org/2000/svg}g")}
    assert len(layer["land"].findall("s:polygon", NS)) >= 8  # coast and borders
    homes = [p for p in m.places if p.kind in mapview.HOME_KINDS]
    assert len(layer["places"].findall("s:circle", NS)) == len(homes)
    assert len(layer["crossings"].findall("s:path", NS)) == len(m.crossings)
    guns = layer["gun-flows"].findall("s:path", NS)
    assert len(guns) == len({(a, b) for a, b, n in m.smoothed_flows("gun") if n > 0})
    widths = [float(p.get("stroke-width")) for p in guns]
    assert widths == sorted(widths)  # thinnest first, widest on top
    assert "4-week mean" in guns[0].find("s:title", NS).text
    labels = [t.text for t in layer["labels"].findall("s:text", NS)]
    assert "West (Jalisco…)" in labels and "Texas" in labels
    assert not [t for t in labels if re.fullmatch(r"(X|MX|US)-[A-Z]+", t or "")]


def test_migrant_flows_are_visibly_dashed_like_the_legend(sim):
    root = parse(mapview.map_svg(sim.model))
    layer = {g.get("data-layer"): g for g in root.iter("{http://www.w3.org/2000/svg}g")}
    flows = layer["migrant-flows"]
    assert flows.get("stroke-linecap") == "butt"  # round caps filled the gaps: drawn solid
    for p in flows.findall("s:path", NS):
        _, gap = map(float, p.get("stroke-dasharray").split())
        assert gap >= float(p.get("stroke-width")), "gaps narrower than the line vanish"
    legend = layer["legend"]
    assert any(ln.get("stroke-dasharray") for ln in legend.findall("s:line", NS))


def test_smoothing_averages_the_last_four_weeks(sim):
    m = sim.model
    weeks = list(m.recent_migrant_flows)
    assert len(weeks) == 4
    key = weeks[-1][0][:2]
    mean = sum(sum(v for a, b, v in w if (a, b) == key) for w in weeks) / 4
    smoothed = {(a, b): v for a, b, v in m.smoothed_flows("migrant")}
    assert smoothed[key] == pytest.approx(mean)


def test_map_positions_follow_coordinates(sim):
    by_id = {p.place_id: p for p in sim.model.places}
    x_tx, y_tx = mapview.project(by_id["US-TX"].lon, by_id["US-TX"].lat)
    x_gt, y_gt = mapview.project(by_id["GT"].lon, by_id["GT"].lat)
    assert x_gt > x_tx and y_gt > y_tx  # Guatemala is east and south of Texas


# ---------------------------------------------------------------------------- charts


@pytest.mark.parametrize("spec", panels.CHARTS, ids=lambda s: s.ident)
def test_every_chart_draws_its_series_and_the_baseline_dashed(sim, spec):
    root = parse(panels.chart_svg(sim.model, spec, sim.twin))
    assert root.get("data-chart") == spec.ident
    lines = root.findall(".//s:polyline", NS)
    drawn = {p.get("data-series") for p in lines}
    assert {label for _, label, _ in spec.columns} <= drawn
    dashed = [p for p in lines if p.get("stroke-dasharray")]
    assert {p.get("data-series") for p in dashed} == {
        f"{label} (2019 levers)" for _, label, _ in spec.columns
    }
    assert panels.BASELINE_NOTE in panels.chart_svg(sim.model, spec, sim.twin)
    assert root.findall(".//s:rect[@data-shade='burn-in']", NS)


def test_seizures_are_on_a_log_axis():
    spec = next(s for s in panels.CHARTS if s.ident == "seizures")
    assert spec.log_y
    labels = {label for _, label, _ in spec.columns}
    assert "Mexico–Guatemala" in labels


def test_charts_start_a_year_before_the_levers(sim):
    x = panels.years_axis(sim.model, len(sim.model.ledger.rows), panels.window_start(sim.model))
    assert x[0] == pytest.approx(-51 / 52) and x[-1] == pytest.approx(sim.model.year)


def test_migration_chart_is_smoothed():
    spec = next(s for s in panels.CHARTS if s.ident == "migration")
    assert spec.smooth_weeks == 4 and "4-week mean" in spec.title


def test_homicide_chart_uses_the_cli_country_colours():
    spec = next(s for s in panels.CHARTS if s.ident == "homicide")
    assert {label: colour for _, label, colour in spec.columns} == {
        style.COUNTRY_NAMES[c]: style.COUNTRY_COLOURS[c] for c in style.COUNTRY_NAMES
    }


def test_cumulative_arrivals_count_from_the_levers(sim):
    spec = next(s for s in panels.CHARTS if s.cumulative)
    v = panels._prepare(sim.model, spec, "arrivals", 0, len(sim.model.ledger.rows))
    burn = sim.burn_in_weeks
    after = panels.column(sim.model, "arrivals")[burn:]
    assert v[-1] == pytest.approx(after.sum())
    assert np.isnan(v[: burn - 1]).all()


# ---------------------------------------------------------------------------- monitors, words


def test_monitors_show_values_units_windows_and_the_baseline(sim):
    ms = {m.ident: m for m in panels.monitors(sim.model, sim.twin)}
    assert set(ms) == {"arrivals", "hom_mx", "hom_hn", "delivered", "seized_us", "cells"}
    delivered = ms["delivered"]
    assert delivered.unit == "a year" and "last 8 weeks" in delivered.against_baseline
    assert "vs 2019 levers" in delivered.against_baseline
    change = float(re.search(r"([+-][\d.]+)% vs", delivered.against_baseline).group(1))
    assert change < -20  # interdiction ×100 cuts deliveries at once


def test_monitors_before_the_first_week():
    s = session.Simulation(session.Settings.for_scenario("baseline", scale="10000"))
    assert all(m.value == "–" for m in panels.monitors(s.model, s.twin))


def test_explanation_names_the_scenario_its_description_and_the_week(sim):
    text = panels.explanation(sim)
    assert text.startswith("**interdiction_x100** — US southbound inspection seizes a hundred")
    assert f"**Week {sim.week}**" in text and "levers in effect" in text
    assert f"Seed {sim.seed}" in text


# ---------------------------------------------------------------------------- levers


@pytest.mark.parametrize("lever", levers.LEVERS, ids=lambda lv: lv.key)
def test_lever_positions_round_trip(lever):
    for v in (lever.default, lever.lo, lever.hi):
        assert lever.value(lever.position(v)) == pytest.approx(v, rel=1e-2, abs=1e-9)


def test_interdiction_slider_is_logarithmic_with_room_for_every_decade():
    lv = levers.BY_KEY["policy.us_southbound_interdiction"]
    assert lv.log
    span = lv.slider_max - lv.slider_min
    # 0.2%–5% (the range that matters) takes a third of the slider, not its first pixels
    assert (lv.position(0.05) - lv.position(0.002)) / span > 0.3
    assert lv.describe(0.0022) == "0.22% of loads seized"
    assert lv.describe(0.022) == "2.2% of loads seized"
    assert lv.describe(0.22) == "22% of loads seized"
    assert levers.BY_KEY["migration.violence_effect"].describe(1.0).startswith("×1 (1 = calibrated")


# ---------------------------------------------------------------------------- session


@pytest.mark.parametrize(
    ("text", "ok"), [("7", 7), (" 42 ", 42), ("", None), (None, None), ("0", 0)]
)
def test_seed_box_accepts(text, ok):
    assert session.parse_seed(text) == ok


@pytest.mark.parametrize("text", ["abc", "-1", "1.5", "4e3x"])
def test_seed_box_refuses_with_a_clear_message(text):
    with pytest.raises(session.SettingsError, match="not a whole number ≥ 0"):
        session.parse_seed(text)
    assert "seed" in session.Settings("baseline", seed=text).problems()


def test_settings_load_the_scenarios_own_lever_values():
    s = session.Settings.for_scenario("interdiction_x10")
    assert s.levers["policy.us_southbound_interdiction"] == pytest.approx(0.022)
    s = s.with_scenario("mx_customs_surge")
    assert s.levers["policy.us_southbound_interdiction"] == pytest.approx(0.0022)
    assert s.levers["policy.mx_customs_interdiction"] == pytest.approx(0.04)
    assert s.moved() == frozenset()


def test_a_moved_slider_is_used_and_marked():
    s = session.Settings.for_scenario("baseline", scale="10000")
    s = session.Settings(
        "baseline", scale="10000", levers={**s.levers, "policy.mx_customs_interdiction": 0.1}
    )
    sim = session.Simulation(s)
    assert sim.scenario.policy.mx_customs_interdiction == pytest.approx(0.1)
    assert sim.moved == {"policy.mx_customs_interdiction"}
    assert "Mexican customs: 10% of loads seized" in panels.levers_text(sim)


def test_the_view_runs_the_scenarios_burn_in_like_the_cli(sim):
    assert sim.burn_in_weeks == 52 * sim.scenario.burn_in_years > 0
    assert sim.model.week == sim.burn_in_weeks + 8


def test_twin_and_run_agree_through_the_burn_in_and_part_after(sim):
    rows, twin_rows = sim.model.ledger.rows, sim.twin.ledger.rows
    burn = sim.burn_in_weeks
    assert rows[burn - 1] == twin_rows[burn - 1]  # same seed, same 2019 levers until then
    assert rows[-1]["guns_delivered"] < twin_rows[-1]["guns_delivered"]


def test_the_twin_catches_up_after_the_page_shows_the_run():
    s = session.Simulation(session.Settings.for_scenario("interdiction_x10", scale="10000"))
    assert s.burn_in(with_twin=False)
    assert s.baseline is None and s.twin.week == 0
    assert (
        "comparing with 2019 levers"
        in panels.monitors(s.model, None, comparing=True)[0].against_baseline
    )
    s.step(2)  # the run goes on while the twin catches up
    assert s.catch_up_twin()
    assert s.baseline is s.twin and s.twin.week == s.model.week
    burn = s.burn_in_weeks
    assert s.model.ledger.rows[burn - 1] == s.twin.ledger.rows[burn - 1]
    s.step(1)
    assert s.twin.week == s.model.week  # and now they step together


def test_same_seed_same_run():
    a, b = (
        session.Simulation(session.Settings.for_scenario("baseline", seed="11", scale="10000"))
        for _ in range(2)
    )
    a.step(3)
    b.step(3)
    assert a.model.ledger.rows == b.model.ledger.rows


def test_the_csv_download_is_the_runs_weekly_data(short_sim):
    text = short_sim.csv()
    lines = text.splitlines()
    assert lines[0].startswith("# iron river view: scenario baseline, seed 42")
    rows = list(csv.DictReader(io.StringIO("\n".join(x for x in lines if not x.startswith("#")))))
    assert len(rows) == 6 and rows[-1]["week"] == "6"
    from iron_river.outputs import dictionary

    assert not dictionary.undescribed("timeseries.csv", rows[0].keys())
    assert short_sim.csv_name() == "iron-river-baseline-seed42-week6.csv"


def test_every_project_scenario_opens_in_the_view():
    for label in session.scenario_choices():
        s = session.Simulation(session.Settings.for_scenario(label, scale="10000"))
        s.step(1)
        assert s.week == 1, label


def test_a_broken_scenario_file_is_a_problem_not_a_crash(tmp_path, monkeypatch):
    (tmp_path / "baseline.toml").write_text('name = "baseline"\n')
    (tmp_path / "broken.toml").write_text("[enforcement\n")
    monkeypatch.setenv("IRON_RIVER_SCENARIOS", str(tmp_path))
    s = session.Settings.for_scenario("broken")
    assert "malformed TOML" in s.problems()["scenario"]
    with pytest.raises(session.SettingsError, match="cannot be opened"):
        session.Simulation(s)
