"""``iron-river sensitivity``: spec validation, SALib designs, a tiny Morris run."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

from iron_river.experiments import sensitivity
from iron_river.scenario import ScenarioError, posterior
from iron_river.scenario.posterior import MODEL_VERSION, Posterior
from iron_river.scenario.scenario import PRIORS
from tests.conftest import ROOT, SCENARIOS, assert_described

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
    assert_described(out)


def _fake_posterior(n: int = 40) -> Posterior:
    """A posterior of ``n`` particles spread over the priors (the shipped one may be absent)."""
    keys = tuple(PRIORS)
    rng = np.random.default_rng(5)
    u = rng.uniform(0.3, 0.7, (n, len(keys)))
    values = np.array(
        [
            [
                PRIORS[k].lo + x * (PRIORS[k].hi - PRIORS[k].lo)
                for k, x in zip(keys, row, strict=True)
            ]
            for row in u
        ]
    )
    return Posterior(
        keys, values, np.full(n, 1.0 / n), np.zeros(n), {"model_version": MODEL_VERSION}
    )


POSTERIOR_SPEC = """
name = "tiny-posterior"
base = "{base}"
method = "posterior"
samples = 40
replicates = 1
years = 1
scale = 20000
burn_in_years = 0
outputs = ["guns_delivered"]
parameters = ["supply.guns_per_cell_week", "violence.gun_elasticity"]

[policy]
"policy.us_southbound_interdiction" = 0.22
"""


def test_posterior_design_runs_calibrated_worlds(tmp_path, monkeypatch):
    post = _fake_posterior()
    monkeypatch.setattr(posterior, "shipped", lambda: (post, "fake posterior"))
    spec = sensitivity.load_spec(_spec(tmp_path, POSTERIOR_SPEC))
    x = sensitivity.design_matrix(spec)
    rows = sensitivity.posterior_rows(spec)
    assert x.shape == (40, 2) and rows == sensitivity.posterior_rows(spec)  # seeded
    j = post.keys.index("violence.gun_elasticity")
    assert np.array_equal(x[:, 1], post.values[rows, j])  # the particles' own values
    res = sensitivity.run(spec, tmp_path / "out", quiet=True)
    d = res["outputs"]["guns_delivered"]["indices"]
    assert set(d) == {"delta", "delta_conf", "S1", "S1_conf"} and len(d["delta"]) == 2
    assert (tmp_path / "out" / "indices.png").stat().st_size > 0
    assert_described(tmp_path / "out")
    # every fitted parameter of a row comes from its particle
    bad = POSTERIOR_SPEC.replace('"violence.gun_elasticity"', '"years"')
    with pytest.raises(ScenarioError, match="not fitted"):
        sensitivity.load_spec(_spec(tmp_path, bad))


def test_posterior_method_needs_a_posterior(tmp_path, monkeypatch):
    monkeypatch.setattr(posterior, "shipped", lambda: (None, "no posterior here"))
    with pytest.raises(ScenarioError, match="needs the shipped posterior: no posterior here"):
        sensitivity.load_spec(_spec(tmp_path, POSTERIOR_SPEC))
