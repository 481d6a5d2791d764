"""The figures say what they show (issue 14, item 13).

Each figure is built by a function returning the matplotlib Figure, so what a reader sees is
checked on the figure itself: titles, legends kept off the data, every line explained, names on
the map instead of codes, units on every axis.
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb
from matplotlib.patches import FancyArrowPatch, Polygon
from matplotlib.text import Text

from iron_river.outputs import figures, style
from tests.conftest import runs, small

SET = ["migration.violence_effect=0.5"]


@pytest.fixture(scope="module")
def run_pair():
    sc = small("baseline.toml", "migration.violence_effect=0.5", years=1, scale=5000)
    return sc, runs(sc, n=2)


@pytest.fixture(scope="module")
def built(run_pair):
    sc, rs = run_pair
    sub = figures.subtitle(sc, len(rs), SET)
    out = {name: make(sc, rs, sub) for name, make in figures.FIGURES.items()}
    for fig in out.values():
        fig.canvas.draw()
    return out


def texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


@pytest.mark.parametrize("name", list(figures.FIGURES))
def test_title_names_scenario_period_replicates_and_overrides(built, name):
    words = "\n".join(texts(built[name]))
    assert "baseline" in words
    assert "mean of 2 replicates" in words and "measured year 1" in words
    assert "--set migration.violence_effect=0.5" in words


@pytest.mark.parametrize("name", ["guns.png", "homicide_rates.png", "arrivals.png"])
def test_legends_do_not_cover_data(built, name):
    fig = built[name]
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is not None:
            box = legend.get_window_extent(renderer)
            assert not box.overlaps(ax.get_window_extent(renderer)), (name, ax.get_title())


def test_guns_shows_bought_delivered_and_every_seizure(built):
    upper, lower = built["guns.png"].axes
    lines = {ln.get_label().split(":")[0]: ln for ln in upper.get_lines()}
    bought, delivered = lines["bought in US shops"], lines["delivered to armed groups"]
    # bought ≈ delivered: bought is drawn wider and beneath, so both stay visible
    assert bought.get_linewidth() > delivered.get_linewidth()
    assert bought.get_zorder() < delivered.get_zorder()
    seized = [ln.get_label() for ln in lower.get_lines()]
    assert any(s.startswith("seized, Mexico–Guatemala border") for s in seized)
    assert any(s.startswith("seized, US southbound") for s in seized)
    assert any(s.startswith("seized, Mexican customs") for s in seized)
    assert lower.get_yscale() == "log"
    assert "guns per week" in upper.get_ylabel() and "log scale" in lower.get_ylabel()


def test_country_colours_are_the_shared_palette(built):
    (ax,) = built["homicide_rates.png"].axes
    drawn = {ln.get_label(): ln.get_color() for ln in ax.get_lines() if ln.get_label()[0] != "_"}
    for code, name in style.COUNTRY_NAMES.items():
        assert drawn[name].lower() == style.COUNTRY_COLOURS[code].lower()


def test_map_is_a_map_with_names_a_period_and_a_legend_for_every_line(built):
    fig = built["map.png"]
    ax = fig.axes[0]
    words = texts(fig)
    for name in ("Texas", "Tijuana", "Piedras Negras", "West (Jalisco…)", "Honduras"):
        assert name in words, name
    codes = [w for w in words if re.fullmatch(r"(X|MX|US)-[A-Z]+", w)]
    assert not codes, f"place codes on the map: {codes}"
    assert any("yearly means over the measured period" in w for w in words)
    land = [p for p in ax.patches if isinstance(p, Polygon)]
    assert len(land) >= 8  # US, Mexico, Central America (Natural Earth outlines)
    flows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    drawn = {tuple(np.round(p.get_edgecolor()[:3], 3)) for p in flows}
    legend = ax.get_legend()
    explained = {tuple(np.round(to_rgb(h.get_color()), 3)) for h in legend.legend_handles}
    assert drawn and drawn <= explained, "a line colour on the map is not in its legend"
    labels = [t.get_text() for t in legend.get_texts()]
    assert any(t.startswith("guns south") for t in labels)
    assert any(t.startswith("migrants north") for t in labels)
    assert any("borders" in t for t in labels)


def test_sweep_response_has_units_and_an_axis_from_zero(tmp_path, monkeypatch):
    from iron_river.sweep import report

    x = [0.0022, 0.01, 0.1, 0.5]
    table = pd.DataFrame({"enforcement.us_southbound_interdiction": x})
    for m, level in (("us_border_arrivals", 7e5), ("guns_delivered", 1.8e5)):
        table[f"{m}_mean"] = np.linspace(level, level * 0.9, 4)
        for q in report.QUANTILES:
            table[f"{m}_q{round(q * 100):02d}"] = table[f"{m}_mean"] * (0.95 + 0.1 * q)
    from iron_river.outputs import figures as canvas

    kept = []

    def figure(*a, **k):  # keep the figure the report draws on (its own canvas, not pyplot)
        fig, axes = new_figure(*a, **k)
        kept.append(fig)
        return fig, axes

    new_figure = canvas.figure
    monkeypatch.setattr(canvas, "figure", figure)
    report.plot_response(
        table,
        "enforcement.us_southbound_interdiction",
        "log",
        ["us_border_arrivals", "guns_delivered"],
        tmp_path / "r.png",
        0.0022,
    )
    (fig,) = kept
    arrivals, guns = fig.axes
    assert arrivals.get_ylabel() == "persons per year" and guns.get_ylabel() == "guns per year"
    assert arrivals.get_ylim()[0] == 0 and guns.get_ylim()[0] == 0  # not a truncated axis
    assert "(probability" in arrivals.get_xlabel() and "log scale" in arrivals.get_xlabel()
    assert (tmp_path / "r.png").stat().st_size > 0


def test_writing_figures_leaves_pyplot_alone(run_pair, tmp_path, monkeypatch):
    """A notebook keeps its inline plots after writing results (no backend switch)."""
    import matplotlib

    sc, rs = run_pair
    used = []
    monkeypatch.setattr(matplotlib, "use", lambda *a, **k: used.append(a))
    before = plt.get_fignums()
    figures.write_all(tmp_path, sc, rs)
    assert not used and plt.get_fignums() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(figures.FIGURES)
