"""The posterior in every run: which draw a replicate runs, and what a user's value overrides.

Most tests use a posterior built here (spread over the priors), so they hold whatever is
shipped; the last ones check the shipped posterior itself.
"""

from __future__ import annotations

import math

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


def fake(n: int = 30) -> Posterior:
    keys = tuple(PRIORS)
    u = np.random.default_rng(11).uniform(0.05, 0.95, (n, len(keys)))
    values = np.array(
        [
            [PRIORS[k].lo + x * (PRIORS[k].hi - PRIORS[k].lo) for k, x in zip(keys, r, strict=True)]
            for r in u
        ]
    )
    w = np.random.default_rng(12).uniform(0.5, 1.5, n)
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
