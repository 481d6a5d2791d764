"""Sweep files are validated before anything runs: clear message, exit 2, nothing written."""

from __future__ import annotations

import itertools

import pytest
from sweep_helpers import LEVER, STRAW, sweep_cli, write_spec

from iron_river.sweep.design import axis_values, build_plan, design_points
from iron_river.sweep.spec import SpecError, load_spec


def bad(tmp_path, fake, **kw):
    path = write_spec(tmp_path / "s", **kw)
    with pytest.raises(SpecError) as e:
        build_plan(load_spec(path, fake), fake, "fake_model")
    msg = str(e.value)
    assert msg.startswith(str(path))
    return msg


def test_unknown_parameter_suggests_the_closest_name(tmp_path, fake):
    msg = bad(
        tmp_path,
        fake,
        params="""
        [parameters."enforcement.us_southbound_interdicton"]
        values = [0.1]
        """,
    )
    assert 'parameters."enforcement.us_southbound_interdicton": unknown parameter' in msg
    assert f'did you mean "{LEVER}"' in msg


def test_unknown_top_level_key_lists_what_is_allowed(tmp_path, fake):
    msg = bad(tmp_path, fake, extra="replicate = 3\n")
    assert "replicate: unknown key" in msg and '"replicates"' in msg and "allowed:" in msg


@pytest.mark.parametrize(
    ("params", "expect"),
    [
        (
            'range = [0.1, 1.5]\nscale = "linear"\npoints = 3',
            "outside the allowed range [0.0, 1.0]",
        ),
        ('range = [0.0, 0.5]\nscale = "log"\npoints = 3', 'scale = "log" needs lo > 0'),
        ("range = [0.5, 0.1]\npoints = 3", "needs lo < hi"),
        ("range = [0.1, 0.5]", "grid sampling over a range needs points"),
        ("values = [0.1, 0.1]", "values repeat"),
        ('values = ["high"]', "must be float"),
        ("values = [0.1]\nrange = [0.1, 0.2]", "give exactly one of"),
        ('values = [0.1]\nscale = "cubic"', "must be one of linear, log"),
    ],
)
def test_bad_parameter_tables(tmp_path, fake, params, expect):
    msg = bad(tmp_path, fake, params=f'[parameters."{LEVER}"]\n{params}\n')
    assert expect in msg


def test_sampling_rules(tmp_path, fake):
    assert "sobol needs a power of two" in bad(
        tmp_path,
        fake,
        extra='sampling = "sobol"\nsamples = 12\n',
        params=f'[parameters."{LEVER}"]\nrange = [0.01, 0.5]\n',
    )
    assert 'explicit values need sampling = "grid"' in bad(
        tmp_path,
        fake,
        extra='sampling = "lhs"\nsamples = 8\n',
        params=f'[parameters."{LEVER}"]\nvalues = [0.1, 0.2]\n',
    )
    assert "lhs sampling needs samples" in bad(
        tmp_path,
        fake,
        extra='sampling = "lhs"\n',
        params=f'[parameters."{LEVER}"]\nrange = [0.01, 0.5]\n',
    )


def test_fixed_values_and_missing_base_are_checked(tmp_path, fake):
    assert 'set."scale": 0 is outside' in bad(tmp_path, fake, body="[set]\nscale = 0\n")
    path = write_spec(tmp_path / "s2")
    path.write_text(path.read_text().replace('base = "base.toml"', 'base = "nope.toml"'))
    with pytest.raises(SpecError, match=r"base: 'nope\.toml' does not exist"):
        load_spec(path, fake)


def test_baseline_resolves_to_the_base_scenario_value(tmp_path, fake):
    path = write_spec(tmp_path / "s", base=f'scale = 100\n"{LEVER}" = 0.03\n')
    spec = load_spec(path, fake)
    values = axis_values(spec.axes[0])
    assert values[0] == 0.03 and values[-1] == 0.5 and len(values) == 4
    ratios = [b / a for a, b in itertools.pairwise(values)]
    assert max(ratios) / min(ratios) == pytest.approx(1, abs=1e-6)  # log-spaced


def test_grid_is_a_cartesian_product_first_lever_slowest(tmp_path, fake):
    path = write_spec(
        tmp_path / "s",
        params=f"""
        [parameters."{LEVER}"]
        values = [0.01, 0.1]
        [parameters."{STRAW}"]
        range = [0.0, 0.5]
        points = 3
        """,
    )
    points = design_points(load_spec(path, fake))
    assert [tuple(p.values()) for p in points] == [
        (0.01, 0.0),
        (0.01, 0.25),
        (0.01, 0.5),
        (0.1, 0.0),
        (0.1, 0.25),
        (0.1, 0.5),
    ]


@pytest.mark.parametrize("sampling", ["lhs", "sobol"])
def test_space_filling_designs_are_seeded_and_in_range(tmp_path, fake, sampling):
    path = write_spec(
        tmp_path / "s",
        extra=f'sampling = "{sampling}"\nsamples = 16\n',
        params=f"""
        [parameters."{LEVER}"]
        range = [0.001, 0.5]
        scale = "log"
        [parameters."{STRAW}"]
        range = [0.0, 0.9]
        """,
    )
    a = design_points(load_spec(path, fake))
    b = design_points(load_spec(path, fake))
    assert a == b and len(a) == 16
    xs = [p[LEVER] for p in a]
    assert min(xs) >= 0.001 and max(xs) <= 0.5
    # log scale: about half the samples below the geometric midpoint
    assert 5 <= sum(x < (0.001 * 0.5) ** 0.5 for x in xs) <= 11


def test_cli_rejects_a_bad_spec_with_exit_2_and_writes_nothing(tmp_path):
    path = write_spec(
        tmp_path / "s",
        params=f"""
        [parameters."{LEVER}"]
        range = [0.1, 2.0]
        points = 3
        """,
    )
    out = tmp_path / "out"
    r = sweep_cli(str(path), "--out", str(out))
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip().splitlines() == [
        f'iron-river: error: {path}: parameters."{LEVER}".range[1]: 2.0 is outside the allowed '
        "range [0.0, 1.0] fraction of loads"
    ]
    assert not out.exists()


def test_cli_rejects_a_missing_spec_and_bad_options(tmp_path, spec_path):
    r = sweep_cli(str(tmp_path / "missing.toml"))
    assert r.returncode == 2 and "cannot read the sweep file" in r.stderr
    r = sweep_cli(str(spec_path), "--scheduler", "tcp://127.0.0.1:1", "--local-dask")
    assert r.returncode == 2 and "choose one engine" in r.stderr
    r = sweep_cli(str(spec_path), "--dry-run")
    assert r.returncode == 2 and "--dry-run" in r.stderr and "--cluster" in r.stderr


def test_resuming_into_a_folder_of_another_design_is_refused(tmp_path, spec_path):
    out = tmp_path / "out"
    assert sweep_cli(str(spec_path), "--out", str(out), "--workers", "1").returncode == 0
    before = sorted(p.name for p in (out / "batches").iterdir())
    r = sweep_cli(str(spec_path), "--out", str(out), "--root-seed", "7")
    assert r.returncode == 2 and "holds a different sweep" in r.stderr
    assert sorted(p.name for p in (out / "batches").iterdir()) == before
