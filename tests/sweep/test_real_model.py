"""The shipped sweep files and a short sweep of the real model (scale 2000, one year)."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from iron_river.experiments import backends
from iron_river.experiments import binding as adapter
from iron_river.scenario import IronRiverScenario
from iron_river.sweep import engine, store
from iron_river.sweep.design import build_plan
from iron_river.sweep.spec import SpecError, load_spec
from tests.conftest import assert_described

ROOT = Path(__file__).resolve().parents[2]
SWEEPS = sorted((ROOT / "scenarios" / "sweeps").glob("*.toml"))
LEVER = "policy.us_southbound_interdiction"


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.stem)
def test_shipped_sweeps_are_valid(path):
    plan = build_plan(load_spec(path, adapter), adapter, "iron_river.experiments.binding")
    xs = sorted({p[LEVER] for p in plan.points})
    assert xs[0] == IronRiverScenario().value(LEVER) and xs[-1] == 0.5
    if path.stem == "smoke":  # a setup check, not an answer: tiny and quick
        assert len(plan.runs) <= 16 and plan.spec.fixed["scale"] >= 1000
        return
    assert len(plan.runs) >= 200
    assert plan.spec.replicates >= (20 if len(plan.spec.axes) == 1 else 10)


def test_shipped_sweep_names():
    assert {p.stem for p in SWEEPS} >= {"interdiction", "interdiction_x_straw"}


def test_unknown_real_parameter_is_caught_early(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text(
        f'base = "{ROOT / "scenarios" / "baseline.toml"}"\n'
        '[parameters."policy.us_southbound_interdictions"]\nvalues = [0.1]\n'
    )
    with pytest.raises(SpecError, match=f'did you mean "{LEVER}"'):
        load_spec(spec, adapter)


def test_a_sweeps_posterior_is_read_relative_to_the_sweep_file(tmp_path, monkeypatch):
    """In [set] or as an axis, as a scenario file's own ``posterior`` is: the sweep means the
    same from any working folder, and a path that holds no posterior stops it before a run."""
    from tests.test_posterior import fake, save

    save(fake(8, seed=3), tmp_path / "sweeps" / "fits" / "a")
    save(fake(8, seed=4), tmp_path / "sweeps" / "fits" / "b")
    spec = tmp_path / "sweeps" / "s.toml"
    base = f'base = "{ROOT / "scenarios" / "baseline.toml"}"\n'
    spec.write_text(
        base + '[set]\nposterior = "fits/a"\n[parameters."policy.us_southbound_interdiction"]\n'
        "values = [0.1, 0.2]\n"
    )
    monkeypatch.chdir(tmp_path)  # not the sweep file's folder
    loaded = load_spec(spec, adapter)
    assert loaded.fixed["posterior"] == str(tmp_path / "sweeps" / "fits" / "a" / "posterior.csv")
    spec.write_text(base + '[parameters."posterior"]\nvalues = ["fits/a", "fits/b"]\n')
    axis = load_spec(spec, adapter).axes[0]
    assert [Path(v).parent.name for v in axis.values] == ["a", "b"]
    assert all(Path(v).is_absolute() for v in axis.values)
    spec.write_text(base + '[parameters."posterior"]\nvalues = ["fits/a", "fits/c"]\n')
    with pytest.raises(SpecError, match=r'parameters\."posterior"\.values\[1\].*no posterior'):
        load_spec(spec, adapter)


def test_a_short_real_sweep_is_reproducible(tmp_path):
    spec = tmp_path / "real.toml"
    spec.write_text(f"""
base = "{ROOT / "scenarios" / "baseline.toml"}"
replicates = 2
years = 1
root_seed = 1
common_random_numbers = true
metrics = ["us_border_arrivals", "homicides_total", "guns_delivered"]
weekly = ["arrivals"]
[set]
scale = 2000
burn_in_years = 0
[parameters."{LEVER}"]
values = ["baseline", 0.3]
""")
    plan = build_plan(load_spec(spec, adapter), adapter, "iron_river.experiments.binding")
    a, b = tmp_path / "a", tmp_path / "b"
    assert engine.run_sweep(plan, a, backends.SerialBackend(), progress=False).done == 4
    pool = backends.PoolBackend(2)
    try:
        assert engine.run_sweep(plan, b, pool, progress=False).done == 4
    finally:
        pool.close()
    store.collect([a])
    store.collect([b])
    assert filecmp.cmp(a / "runs.parquet", b / "runs.parquet", shallow=False)
    t = pq.read_table(a / "runs.parquet").to_pandas()
    assert (t.status == "ok").all() and (t.us_border_arrivals > 0).all()
    assert len(pq.read_table(a / "weekly.parquet")) == 4 * 52
    # the collected folder says what every column holds
    assert_described(a)
    listed = (a / "columns.csv").read_text(encoding="utf-8")
    for name in ("runs.parquet", "weekly.parquet"):
        for column in pq.read_schema(a / name).names:
            assert f"{name},{column}," in listed, (name, column)

    # common random numbers: replicate r of a point is replicate r of `iron-river run --seed 1`
    from iron_river.experiments.runs import simulate
    from iron_river.experiments.seeds import replicate_seeds
    from iron_river.scenario import load_scenario

    sc = load_scenario(ROOT / "scenarios" / "baseline.toml").with_values(
        {"scale": 2000, "years": 1, "burn_in_years": 0, LEVER: 0.3}
    )
    run = simulate(sc, replicate_seeds(1, 2)[1])
    row = t[(t[LEVER] == 0.3) & (t.replicate == 1)].iloc[0]
    assert row.us_border_arrivals == run.metrics["us_border_arrivals"]
    # every metric and weekly series the shipped sweeps keep is one the model produces
    for path in SWEEPS:
        spec_ = load_spec(path, adapter)
        assert set(spec_.metrics or ()) <= set(run.metrics), path.name
        assert set(spec_.weekly) <= set(run.weekly), path.name
