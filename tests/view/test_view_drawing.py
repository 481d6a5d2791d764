"""The view's drawing (map, charts, explanation) on a real model, without Solara or a browser."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from iron_river.view import mapview, panels, svg
from iron_river.view.app import ViewModel

NS = {"s": "http://www.w3.org/2000/svg"}


@pytest.fixture(scope="module")
def model():
    m = ViewModel(rng=7, scale="3000")
    for _ in range(4):
        m.step()
    return m


def parse(text: str) -> ET.Element:
    return ET.fromstring(text)  # raises if the SVG is not well-formed XML


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


def test_tick_labels():
    assert svg.tick_labels([2019.0, 2019.5, 2020.0], plain=True) == ["2019.0", "2019.5", "2020.0"]
    assert svg.tick_labels([0, 1000, 2000]) == ["0", "1,000", "2,000"]
    assert svg.tick_labels([0, 20000, 40000]) == ["0", "20k", "40k"]
    assert svg.fmt_number(1_250_000) == "1.25M"


def test_colour_scale_is_clipped_and_ordered():
    assert svg.colour(-5, 0, 100) == svg.colour(0, 0, 100)
    assert svg.colour(500, 0, 100) == svg.colour(100, 0, 100)
    assert svg.colour(math.nan, 0, 100) == svg.colour(0, 0, 100)
    assert svg.colour(10, 0, 100) != svg.colour(90, 0, 100)


def test_line_chart_draws_each_series_and_splits_at_gaps():
    text = svg.line_chart(
        "T & t",
        [0, 1, 2, 3, 4],
        [svg.Series("a", [1, 2, math.nan, 4, 5]), svg.Series("b", [0, 0, 0, 0, 0], dashed=True)],
        ident="x",
    )
    root = parse(text)
    assert root.get("data-chart") == "x"
    lines = root.findall(".//s:polyline", NS)
    assert [p.get("data-series") for p in lines] == ["a", "a", "b"]
    assert lines[2].get("stroke-dasharray")
    assert "T &amp; t" in text
    assert "a: 5" in text  # the legend shows the latest value


def test_flat_and_empty_charts_get_a_readable_axis():
    root = parse(svg.line_chart("flat", [0, 1, 2], [svg.Series("z", [0, 0, 0])]))
    labels = [t.text for t in root.findall(".//s:text", NS)]
    assert labels[1:6] == ["0.00", "0.25", "0.50", "0.75", "1.00"]
    parse(svg.line_chart("empty", [], [svg.Series("z", [])]))


def test_borders_are_inside_the_map():
    lon0, lon1, lat0, lat1 = mapview.EXTENT
    for line in mapview.borders().values():
        assert (line[:, 0] >= lon0).all() and (line[:, 0] <= lon1).all()
        assert (line[:, 1] >= lat0).all() and (line[:, 1] <= lat1).all()


def test_map_shows_every_place_crossing_and_flow(model):
    root = parse(mapview.map_svg(model))
    layer = {g.get("data-layer"): g for g in root.iter("{http://www.w3.org/2000/svg}g")}
    homes = [p for p in model.places if p.kind in mapview.HOME_KINDS]
    assert len(layer["places"].findall("s:circle", NS)) == len(homes)
    assert len(layer["places"].findall("s:rect", NS)) == sum(
        p.kind == "us_state" for p in model.places
    )
    assert len(layer["crossings"].findall("s:path", NS)) == len(model.crossings)
    assert any(c.place_id == "X-GT" for c in model.crossings)
    pairs = {(a, b) for a, b, n in model.gun_flows if n > 0 and a != b}
    guns = layer["gun-flows"].findall("s:path", NS)
    assert len(guns) == len(pairs) > 0
    widths = [float(p.get("stroke-width")) for p in guns]
    assert widths == sorted(widths)  # drawn thinnest first, widest on top
    assert len(layer["migrant-flows"].findall("s:path", NS)) == len(
        {(a, b) for a, b, n in model.migrant_flows if n > 0 and a != b}
    )
    assert layer["legend"] is not None
    assert f"Week {model.week} " in mapview.map_svg(model)


def test_map_positions_follow_coordinates(model):
    by_id = {p.place_id: p for p in model.places}
    x_tx, y_tx = mapview.project(by_id["US-TX"].lon, by_id["US-TX"].lat)
    x_gt, y_gt = mapview.project(by_id["GT"].lon, by_id["GT"].lat)
    assert x_gt > x_tx and y_gt > y_tx  # Guatemala is east and south of Texas


def test_flow_width_grows_with_amount():
    assert mapview.flow_width(1, 100) < mapview.flow_width(50, 100) < mapview.flow_width(100, 100)
    assert mapview.flow_width(100, 100) == pytest.approx(7.0)
    assert mapview.flow_width(0, 0) == pytest.approx(0.8)


@pytest.mark.parametrize("spec", panels.CHARTS, ids=lambda s: s.ident)
def test_every_chart_draws_its_columns(model, spec):
    root = parse(panels.chart_svg(model, spec))
    assert root.get("data-chart") == spec.ident
    drawn = {p.get("data-series") for p in root.findall(".//s:polyline", NS)}
    collected = model.datacollector.model_vars
    assert drawn == {label for column, label in spec.columns if column in collected}
    assert drawn, f"the model collects none of {spec.columns}"
    for column, _ in spec.columns:
        if column in collected:
            assert len(collected[column]) == model.week


def test_a_column_the_model_lacks_is_left_out(model):
    spec = panels.ChartSpec("t", "t", (("guns_bought", "a"), ("no_such_column", "b")), "x")
    drawn = {
        p.get("data-series")
        for p in parse(panels.chart_svg(model, spec)).findall(".//s:polyline", NS)
    }
    assert drawn == {"a"}


def test_cumulative_chart_is_running_total(model):
    spec = next(s for s in panels.CHARTS if s.cumulative)
    text = panels.chart_svg(model, spec)
    total = sum(model.datacollector.model_vars[spec.columns[0][0]])
    assert f"{spec.columns[0][1]}: {svg.fmt_number(total)}" in text


def test_years_axis_starts_at_the_levers(model):
    years = panels.years_axis(model, model.week)
    assert years[-1] == pytest.approx(model.year)
    assert np.allclose(np.diff(years), 1 / 52)


def test_explanation_says_where_and_when(model):
    text = panels.explanation(model)
    assert re.search(rf"\*\*Week {model.week}\*\*", text)
    assert "US inspection 0.22% ·" in text
    assert "The picture" in text
    assert "guns bought in the US" in text
