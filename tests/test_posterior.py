"""The posterior in every run: which draw a replicate runs, and what a user's value overrides.

Most tests use a posterior built here (spread over the priors), so they hold whatever is
shipped; the last ones check the shipped posterior itself.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from iron_river.experiments.runs import run_replicates, simulate
from iron_river.experiments.seeds import run_seed
from iron_river.model import IronRiverModel
from iron_river.scenario import IronRiverScenario, load_scenario, posterior
from iron_river.scenario.posterior import MODEL_VERSION, Posterior, PosteriorError
from iron_river.scenario.scenario import PRIORS

TINY = {"scale": 20000.0, "years": 1, "burn_in_years": 0}
KEY = "migration.poverty_multiplier"


def fake(n: int = 30, seed: int = 11) -> Posterior:
    keys = tuple(PRIORS)
    u = np.random.default_rng(seed).uniform(0.05, 0.95, (n, len(keys)))
    values = np.array(
        [
            [PRIORS[k].lo + x * (PRIORS[k].hi - PRIORS[k].lo) for k, x in zip(keys, r, strict=True)]
            for r in u
        ]
    )
    w = np.random.default_rng(seed + 1).uniform(0.5, 1.5, n)
    return Posterior(keys, values, w / w.sum(), np.zeros(n), {"model_version": MODEL_VERSION})


@pytest.fixture
def post(monkeypatch) -> Posterior:
    p = fake()
    monkeypatch.setattr(posterior, "shipped", lambda: (p, "fake posterior of 30 particles"))
    return p


def _model(sc: IronRiverScenario, seed) -> IronRiverModel:
    return IronRiverModel(sc, rng=seed)


def test_replicate_r_runs_draw_r_in_baseline_and_policy(post):
    base = IronRiverScenario().with_values(TINY)
    policy = base.with_values({"policy.us_southbound_interdiction": 0.22})
    for r in range(3):
        seed = run_seed(20190101, r)
        a, b = _model(base, seed), _model(policy, seed)
        i = post.index(r, 20190101)
        assert a.parameter_source["particle"] == b.parameter_source["particle"] == i
        assert a.scenario.get(KEY) == pytest.approx(post.particle(i)[KEY])
    picks = {post.index(r, 20190101) for r in range(20)}
    assert len(picks) > 5  # replicates explore the posterior


def test_a_value_the_user_sets_is_the_users(post, tmp_path):
    default = IronRiverScenario().get(KEY)
    f = tmp_path / "mine.toml"
    f.write_text(f'name = "mine"\n[migration]\npoverty_multiplier = {default}\n')
    sc = load_scenario(f, [f"scale={TINY['scale']}", "years=1", "burn_in_years=0"])
    m = _model(sc, run_seed(20190101, 0))
    assert m.scenario.get(KEY) == default  # set to the default explicitly: still the file's
    other = next(k for k in PRIORS if k != KEY and k.startswith("migration."))
    assert m.scenario.get(other) == pytest.approx(post.draw(0, 20190101)[other])


def test_point_and_defaults(post):
    sc = IronRiverScenario().with_values({**TINY, "parameters": "point"})
    m = _model(sc, 1)
    assert m.parameter_source["parameters"] == "point" and m.parameter_source["particle"] is None
    assert m.scenario.get(KEY) == pytest.approx(post.point()[KEY])
    d = _model(IronRiverScenario().with_values({**TINY, "parameters": "defaults"}), 1)
    assert d.scenario.get(KEY) == IronRiverScenario().get(KEY)


def test_same_seed_same_run_from_python_and_the_cli_path(post):
    sc = IronRiverScenario().with_values(TINY)
    runs = run_replicates(sc, 7, 2, quiet=True)
    again = simulate(sc, np.random.SeedSequence(7).spawn(2)[1])
    assert runs[1].metrics == again.metrics
    assert runs[1].parameters == again.parameters and runs[1].parameters["particle"] is not None


def test_a_posterior_for_another_model_is_refused(tmp_path):
    p = fake()
    csv = tmp_path / "p.csv"
    csv.write_text(
        ",".join([*p.keys, "weight", "distance"])
        + "\n"
        + "\n".join(
            ",".join(map(str, [*row, w, 0.0])) for row, w in zip(p.values, p.weights, strict=True)
        )
        + "\n"
    )
    (tmp_path / "p.json").write_text('{"model_version": "0.1"}')
    with pytest.raises(PosteriorError, match="refit"):
        Posterior.load(csv)


# ---------------------------------------------------------------------------- a posterior by path


def save(p: Posterior, folder: Path, version: str = MODEL_VERSION) -> Path:
    """Write a posterior as ``iron-river calibrate`` lays it out (a fit's posterior/)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [",".join([*p.keys, "weight", "distance"])]
    rows += [
        ",".join(map(repr, [*map(float, row), float(w), 0.0]))
        for row, w in zip(p.values, p.weights, strict=True)
    ]
    (folder / "posterior.csv").write_text("\n".join(rows) + "\n")
    (folder / "posterior.json").write_text(json.dumps({**p.meta, "model_version": version}))
    return folder


def test_runs_draw_from_a_posterior_given_by_path(post, tmp_path):
    """A user's own fit (or one not yet shipped) is drawn from instead of the shipped one, by
    the same rule, and every run says which it drew from."""
    mine = fake(12, seed=5)
    folder = save(mine, tmp_path / "fit" / "posterior")
    sc = load_scenario(None, [f"{k}={v}" for k, v in TINY.items()] + [f"posterior={folder}"])
    assert sc.posterior == str((folder / "posterior.csv").resolve())
    for r in range(3):
        m = _model(sc, run_seed(20190101, r))
        i = mine.index(r, 20190101)
        assert m.parameter_source["particle"] == i
        assert m.parameter_source["posterior"] == sc.posterior
        assert "sha256" in m.parameter_source["source"]
        assert m.scenario.get(KEY) == pytest.approx(mine.particle(i)[KEY])
        assert m.scenario.get(KEY) != pytest.approx(post.draw(r, 20190101)[KEY])
    point = _model(sc.with_values({"parameters": "point"}), 1)
    assert point.scenario.get(KEY) == pytest.approx(mine.point()[KEY])


def test_a_scenario_file_names_its_posterior_from_its_own_folder(post, tmp_path, monkeypatch):
    """So the file means the same from any folder, and on workers that run elsewhere."""
    save(fake(12, seed=5), tmp_path / "fit" / "posterior")
    f = tmp_path / "scenarios" / "mine.toml"
    f.parent.mkdir()
    f.write_text('posterior = "../fit/posterior"\n')
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert load_scenario(f).posterior == str(tmp_path / "fit" / "posterior" / "posterior.csv")


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda d: d / "nowhere", "no posterior there"),
        (lambda d: save(fake(4), d / "old", version="0.1"), "refit"),
    ],
    ids=["missing", "another model version"],
)
def test_a_bad_posterior_path_stops_the_command_before_anything_runs(tmp_path, capsys, make, said):
    from iron_river.cli import main

    given, out = make(tmp_path), tmp_path / "out"
    quiet = ["--quiet", "--out", str(out), "--posterior", str(given)]
    code = main(["run", "scenarios/baseline.toml", "--years", "1", "--replicates", "1", *quiet])
    err = capsys.readouterr().err.strip()
    assert code == 2 and not out.exists()
    assert err.startswith("iron-river: error: --posterior: "), err
    assert said in err and "\n" not in err
    code = main(["report", "--quick", *quiet])
    assert code == 2 and not out.exists() and said in capsys.readouterr().err


def test_results_follow_the_posterior_content_not_its_path(tmp_path):
    """A fit that goes on rewrites its checkpoint in place: results drawn from the old one
    must not be taken for the new one's (run folders, compare's reuse, sweeps' resume)."""
    from iron_river.experiments import binding
    from iron_river.outputs.files import run_key

    folder = save(fake(12, seed=5), tmp_path / "checkpoint")
    sc = load_scenario(None, [f"posterior={folder}"])
    key, base = run_key(sc, 1, 2), binding.base_values(sc)["posterior"]
    save(fake(12, seed=6), folder)
    assert run_key(sc, 1, 2) != key and binding.base_values(sc)["posterior"] != base
    assert run_key(load_scenario(None, []), 1, 2) == run_key(load_scenario(None, []), 1, 2)


# ---------------------------------------------------------------------------- the shipped one


def test_the_shipped_posterior_loads_and_fits_this_model():
    post, sentence = posterior.shipped()
    assert post is not None, sentence
    assert post.meta["model_version"] == MODEL_VERSION
    assert set(post.keys) == set(PRIORS)
    assert math.isclose(post.weights.sum(), 1.0)
    for j, k in enumerate(post.keys):
        assert (PRIORS[k].lo - 1e-9 <= post.values[:, j]).all(), k
        assert (post.values[:, j] <= PRIORS[k].hi + 1e-9).all(), k
    eps = post.meta["epsilon_schedule"]
    assert (post.distance <= eps[-1] + 1e-9).all()


def test_the_shipped_posterior_reproduces_the_targets():
    """Re-simulated at the fit's sizes, its draws land where the fit accepted them: the mean
    over draws of every statistic is within the final tolerance of the observed value."""
    from iron_river.experiments import calibration

    post, sentence = posterior.shipped()
    assert post is not None, sentence
    eps = post.meta["epsilon_schedule"][-1]
    obs, half = calibration.observed(), calibration.half_tolerance()
    stats = [
        calibration.statistics(post.draw(r, 4242), 1000 + r, post.meta["sizes"]) for r in range(6)
    ]
    for k in obs:
        mean = float(np.mean([s[k] for s in stats]))
        assert abs(mean - obs[k]) / half[k] <= max(eps, 1.0), (k, mean, obs[k], half[k])


def test_compare_pairs_draws_from_one_posterior_only(tmp_path, capsys):
    """Replicate r of each scenario must run draw r of the same posterior, or the paired
    change mixes parameter sets."""
    from iron_river.cli import main

    save(fake(12, seed=5), tmp_path / "fit")
    mine = tmp_path / "mine.toml"
    mine.write_text('name = "mine"\nposterior = "fit"\n')
    out = tmp_path / "out"
    code = main(["compare", "scenarios/baseline.toml", str(mine), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "scenario 2 ('mine') draws its parameters otherwise than the first" in err


def test_a_posterior_sensitivity_follows_its_base_scenarios_posterior(post, tmp_path):
    """``method = "posterior"`` reports over the worlds of the posterior its runs draw from."""
    from iron_river.experiments import sensitivity

    mine = fake(12, seed=5)
    save(mine, tmp_path / "fit")
    (tmp_path / "base.toml").write_text('posterior = "fit"\n')
    spec_file = tmp_path / "s.toml"
    spec_file.write_text(
        'base = "base.toml"\nmethod = "posterior"\nsamples = 40\nyears = 1\n'
        'outputs = ["guns_delivered"]\nparameters = ["supply.guns_per_cell_week", "'
        f'{KEY}"]\n'
    )
    spec = sensitivity.load_spec(spec_file)
    assert spec.posterior == str(tmp_path / "fit" / "posterior.csv")
    rows = sensitivity.posterior_rows(spec)
    assert max(rows) < mine.size < post.size
    x = sensitivity.design_matrix(spec)
    assert np.array_equal(x[:, 1], mine.values[rows, mine.keys.index(KEY)])


def test_shipping_a_fit_installs_only_a_posterior_every_command_can_use(tmp_path, capsys):
    from iron_river.experiments import install_posterior

    into = tmp_path / "data"
    into.mkdir()
    meta = {"generations": 3, "simulations": 300, "epsilon_schedule": [9.0, 2.5], "seed": 1}
    good = fake(12, seed=5)
    good.meta = {**good.meta, **meta, "sizes": {"scale": 1000.0}}
    fit = save(good, tmp_path / "fit" / "posterior")
    assert install_posterior.main([str(fit), "--into", str(into)]) == 0
    for name in ("posterior.csv", "posterior.json"):
        assert (into / name).read_bytes() == (fit / name).read_bytes()
    assert "installed" in capsys.readouterr().out
    # not a calibrate fit, or fitted to another model: refused, nothing replaced
    before = (into / "posterior.csv").read_bytes()
    for bad in (save(fake(4), tmp_path / "hand"), save(good, tmp_path / "old", version="0.1")):
        assert install_posterior.main([str(bad), "--into", str(into)]) == 2
        assert (into / "posterior.csv").read_bytes() == before
    err = capsys.readouterr().err
    assert "not a fit by `iron-river calibrate`" in err and "refit" in err
    assert sorted(p.name for p in into.iterdir()) == ["posterior.csv", "posterior.json"]
