"""`sweep report`: response curves with bands, a heat map for two levers, elasticity with CIs."""

from __future__ import annotations

import pandas as pd
import pytest
from sweep_helpers import LEVER, STRAW, sweep_cli, write_spec

from iron_river.sweep import report


@pytest.fixture(scope="module")
def two_lever_results(tmp_path_factory):
    root = tmp_path_factory.mktemp("rep")
    spec = write_spec(
        root / "s",
        replicates=6,
        batch_size=8,
        params=f"""
        [parameters."{LEVER}"]
        range = [0.01, 0.8]
        scale = "log"
        points = 4
        [parameters."{STRAW}"]
        values = [0.0, 0.9]
        """,
    )
    out = root / "out"
    assert sweep_cli(str(spec), "--out", str(out), "--workers", "2").returncode == 0
    return out


def test_report_writes_figures_and_tables(two_lever_results):
    r = sweep_cli("report", str(two_lever_results))
    assert r.returncode == 0, r.stderr
    rep = two_lever_results / "report"
    names = sorted(p.name for p in rep.iterdir())
    assert names == sorted(
        [
            "response_us_southbound_interdiction.csv",
            "response_us_southbound_interdiction.png",
            "response_straw_purchase_enforcement.csv",
            "response_straw_purchase_enforcement.png",
            "heatmap_us_southbound_interdiction__straw_purchase_enforcement.csv",
            "heatmap_us_southbound_interdiction__straw_purchase_enforcement.png",
            "elasticity.csv",
            "elasticity.md",
        ]
    )
    assert "elasticity of us_border_arrivals with respect to " + LEVER in r.stdout
    curve = pd.read_csv(rep / "response_us_southbound_interdiction.csv")
    assert len(curve) == 4 and (curve.n_runs == 12).all()
    for m in ("us_border_arrivals", "homicides_total", "guns_delivered"):
        q = curve[[f"{m}_q05", f"{m}_q25", f"{m}_q50", f"{m}_q75", f"{m}_q95"]].to_numpy()
        assert (q[:, :-1] <= q[:, 1:]).all()
    # guns delivered fall as interdiction rises (the fake model: proportional to 1 - x)
    assert curve.guns_delivered_mean.is_monotonic_decreasing
    heat = pd.read_csv(rep / "heatmap_us_southbound_interdiction__straw_purchase_enforcement.csv")
    assert len(heat) == 8


def test_elasticity_has_bootstrap_intervals_per_level_of_the_other_lever(two_lever_results):
    report.make_report(two_lever_results)
    el = pd.read_csv(two_lever_results / "report" / "elasticity.csv")
    assert set(el["at"]) == {f"{STRAW} = 0", f"{STRAW} = 0.9"}
    slope = el[el.kind == "log-log slope"]
    assert len(slope) == 2 and len(el[el.kind == "arc"]) == 6
    assert (slope.elasticity < 0).all()  # fewer guns, fewer homicides, fewer arrivals
    assert (el.ci_low <= el.elasticity).all() and (el.elasticity <= el.ci_high).all()
    again = report.make_report(two_lever_results)["elasticity"]  # seeded: reproducible
    pd.testing.assert_frame_equal(again.reset_index(drop=True), el, check_dtype=False)


def test_elasticity_matches_a_known_power_law():
    import numpy as np

    rng = np.random.default_rng(0)
    xs = np.repeat([0.01, 0.03, 0.1, 0.3], 50)
    df = pd.DataFrame({LEVER: xs, "y": 1000 * xs**-0.3 * rng.lognormal(0, 0.05, len(xs))})
    rows = report.elasticity_rows(df, LEVER, "y", np.random.default_rng(1))
    assert rows[0]["elasticity"] == pytest.approx(-0.3, abs=0.01)
    assert rows[0]["ci_low"] < -0.3 < rows[0]["ci_high"]


def test_report_of_an_empty_sweep_is_a_clear_error(tmp_path, spec_path, fake):
    from iron_river.sweep import store
    from iron_river.sweep.design import build_plan
    from iron_river.sweep.spec import load_spec

    store.prepare(tmp_path, build_plan(load_spec(spec_path, fake), fake, "fake_model"))
    r = sweep_cli("report", str(tmp_path))
    assert r.returncode == 2 and "no successful runs to report yet" in r.stderr


def test_saltelli_design_gives_sobol_indices(tmp_path):
    # The fake model ignores the Texas supply multiplier: with common random numbers its
    # indices are exactly zero, while interdiction explains (nearly) everything.
    spec = write_spec(
        tmp_path / "s",
        replicates=2,
        batch_size=16,
        extra="""
        sampling = "saltelli"
        samples = 16
        common_random_numbers = true
        """,
        params=f"""
        [parameters."{LEVER}"]
        range = [0.01, 0.8]
        scale = "log"
        [parameters."supply.states.US-TX.multiplier"]
        range = [0.5, 2.0]
        """,
    )
    out = tmp_path / "out"
    r = sweep_cli(str(spec), "--out", str(out), "--workers", "2")
    assert r.returncode == 0, r.stderr
    assert "64 points x 2 replicates = 128 runs" in r.stderr
    assert sweep_cli("report", str(out)).returncode == 0
    si = pd.read_csv(out / "report" / "sobol_indices.csv")
    assert len(si) == 3 * 2
    dummy = si[si.parameter == "supply.states.US-TX.multiplier"]
    lever = si[si.parameter == LEVER]
    assert (dummy.ST.abs() < 1e-9).all() and (dummy.S1.abs() < 1e-9).all()
    assert (lever.ST > 0.5).all()
