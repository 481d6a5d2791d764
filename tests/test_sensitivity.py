"""``iron-river sensitivity``: spec validation, SALib designs, a tiny Morris run."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

from iron_river.experiments import sensitivity
from iron_river.scenario import ScenarioError
from tests.conftest import ROOT, SCENARIOS

SPEC = """
name = "tiny"
base = "{base}"
method = "morris"
samples = 2
replicates = 2
years = 1
scale = 5000
burn_in_years = 0
outputs = ["us_border_arrivals", "guns_delivered"]

[parameters]
"violence.gun_elasticity" = [0.25, 0.75]
"gangs.per_place" = [2, 4]
"""


def _spec(tmp_path, text=SPEC):
    path = tmp_path / "tiny.toml"
    path.write_text(text.format(base=(SCENARIOS / "baseline.toml").as_posix()), encoding="utf-8")
    return path


def test_shipped_spec_is_valid():
    spec = sensitivity.load_spec(SCENARIOS / "sensitivity" / "key_assumptions.toml")
    assert "migration.violence_effect" in spec.parameters
    assert spec.policy
    sobol = sensitivity.load_spec(spec.path, "sobol", 16)
    with pytest.raises(ScenarioError, match="power of two"):
        sensitivity.load_spec(spec.path, "sobol")
    assert sobol.method == "sobol"


@pytest.mark.parametrize(
    ("bad", "needle"),
    [
        ("samples = 2\nsampels = 3\n", "did you mean 'samples'"),
        ('"violence.gun_elastcity" = [0.1, 0.5]\n', "did you mean 'violence.gun_elasticity'"),
        ('"violence.gun_elasticity" = [0.5, 0.1]\n', "low < high"),
        ('"violence.gun_elasticity" = [0.5, 9.0]\n', "outside"),
    ],
)
def test_bad_specs_are_refused(tmp_path, bad, needle):
    text = SPEC.replace("samples = 2\n", "") if "sampels" in bad else SPEC
    if bad.startswith('"'):
        text = text.replace('"violence.gun_elasticity" = [0.25, 0.75]\n', bad)
    else:
        text = text.replace('method = "morris"\n', f'method = "morris"\n{bad}')
    with pytest.raises(ScenarioError, match=needle.replace("(", r"\(")):
        sensitivity.load_spec(_spec(tmp_path, text))


def test_sobol_design_shape_and_integers(tmp_path):
    spec = sensitivity.load_spec(_spec(tmp_path), "sobol")
    x = sensitivity.design_matrix(spec)
    assert x.shape == (2 * (2 + 2), 2)  # N · (D + 2) without second order
    assert np.all(x[:, 1] == np.rint(x[:, 1]))  # gangs.per_place is an integer


def test_noise_share():
    rng = np.random.default_rng(0)
    signal = np.repeat(np.arange(20.0)[:, None], 4, axis=1)
    assert sensitivity.noise_share(signal + rng.normal(0, 0.01, signal.shape)) < 0.01
    assert sensitivity.noise_share(rng.normal(0, 1, (20, 4))) > 0.1


def test_tiny_morris_run(tmp_path):
    out = tmp_path / "out"
    parser = argparse.ArgumentParser()
    sensitivity.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["sensitivity", str(_spec(tmp_path)), "--out", str(out), "--quiet"])
    assert args.func(args) == 0
    res = json.loads((out / "indices.json").read_text(encoding="utf-8"))
    assert res["rows"] == 2 * 3  # trajectories × (D + 1)
    mu = res["outputs"]["guns_delivered"]["indices"]["mu_star"]
    assert len(mu) == 2 and all(np.isfinite(mu))
    for f in ("indices.csv", "design.csv", "indices.png", "spec.toml"):
        assert (out / f).is_file()
    assert ROOT.is_dir()
