"""``iron-river calibrate``: statistics, prior, and a tiny ABC-SMC fit end to end.

The fit must be a function of its seed alone (not of the batch size or the number of workers),
resume where it stopped, refuse to mix fits in one folder, and write a posterior the model loads.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import pytest

from iron_river.experiments import abc_smc, calibration
from iron_river.outputs.identification import logits, span
from iron_river.outputs.targets import TARGETS
from iron_river.scenario import ScenarioError
from iron_river.scenario.posterior import Posterior
from iron_river.scenario.scenario import PRIORS
from tests.conftest import assert_described

TINY = {"scale": 20000.0, "years": 1, "burn_in_years": 0}


def _cfg(out: Path, **kw) -> calibration.FitConfig:
    base = dict(particles=4, generations=2, min_epsilon=0.0, max_simulations=200, quiet=True)
    return calibration.FitConfig(out=out, **{**base, **TINY, **kw})


def test_statistics_are_every_target_and_the_response():
    obs, half = calibration.observed(), calibration.half_tolerance()
    want = {t.id for t in TARGETS if t.id != "T10"} | {calibration.RESPONSE}
    assert set(obs) == set(half) == want
    t = next(t for t in TARGETS if t.id == "T1")
    assert obs["T1"] + half["T1"] == pytest.approx(t.hi)  # distance 1 = the tolerance edge


def test_prior_decodes_inside_its_bounds():
    keys = tuple(PRIORS)
    rng = np.random.default_rng(3)
    draws = [calibration.decode(abc_smc.sample_prior(rng, len(keys)), keys) for _ in range(400)]
    for values in draws[:20]:
        for k, v in values.items():
            assert PRIORS[k].lo - 1e-9 <= v <= PRIORS[k].hi + 1e-9, k
    # log-uniform priors are sampled on the log scale: the median is the geometric mean
    k = next(k for k in keys if PRIORS[k].kind == "log-uniform")
    median = np.median([d[k] for d in draws])
    assert median == pytest.approx(math.sqrt(PRIORS[k].lo * PRIORS[k].hi), rel=0.35)
    # and the logistic density is the one sampled
    z = abc_smc.sample_prior(rng, 20000)
    assert np.mean(z < 0) == pytest.approx(0.5, abs=0.02)
    assert abc_smc.log_prior(np.zeros(2)) == pytest.approx(2 * math.log(0.25))


def test_early_rejection_changes_no_decision():
    values = {}  # the defaults
    full = calibration.statistics(values, 5, TINY)
    d = calibration.distance(full)
    tight = calibration.statistics(values, 5, TINY, tolerance=d / 2)
    assert calibration.distance(tight) > d / 2  # rejected either way
    loose = calibration.statistics(values, 5, TINY, tolerance=2 * d)
    assert loose == full  # below the tolerance both arms run


@pytest.fixture(scope="module")
def tiny_fit(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fit") / "a"
    calibration.fit(_cfg(out))
    return out


def test_tiny_fit_writes_a_posterior_the_model_loads(tiny_fit):
    post = Posterior.load(tiny_fit / "posterior" / "posterior.csv")
    assert post.size == 4 and set(post.keys) == set(PRIORS)
    assert_described(tiny_fit / "posterior")
    assert post.meta["generations"] == 2 and post.meta["sizes"] == TINY
    eps = post.meta["epsilon_schedule"]
    assert eps == sorted(eps, reverse=True)  # tolerances only shrink
    assert (post.distance <= eps[-1] + 1e-9).all()  # every particle was accepted at the last one
    for name in ("identification.csv", "identification.md", "marginals.png", "pairs.png"):
        assert (tiny_fit / "posterior" / name).stat().st_size > 0
    draw = post.draw(0, 20190101)
    assert draw == post.draw(0, 20190101) and set(draw) == set(PRIORS)


def test_one_seed_one_posterior_whatever_the_batch(tiny_fit, tmp_path):
    other = tmp_path / "b"
    calibration.fit(_cfg(other, batch=3))
    a = (tiny_fit / "posterior" / "posterior.csv").read_text()
    assert (other / "posterior" / "posterior.csv").read_text() == a


def test_one_seed_one_posterior_on_a_pool_and_on_dask(tiny_fit, tmp_path):
    """Results come back in whatever order the workers finish; the fit decides in order."""
    from distributed import Client

    want = (tiny_fit / "posterior" / "posterior.csv").read_text()
    calibration.fit(_cfg(tmp_path / "pool"), workers=2)
    assert (tmp_path / "pool" / "posterior" / "posterior.csv").read_text() == want
    with Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None) as c:
        calibration.fit(_cfg(tmp_path / "dask"), client=c)
    assert (tmp_path / "dask" / "posterior" / "posterior.csv").read_text() == want


def test_a_stopped_fit_resumes_where_it_stopped(tiny_fit, tmp_path):
    out = tmp_path / "c"
    calibration.fit(_cfg(out, generations=1))
    first = (out / "posterior" / "posterior.csv").read_text()
    assert first != (tiny_fit / "posterior" / "posterior.csv").read_text()
    calibration.fit(_cfg(out, generations=2))  # more generations: continues the same fit
    assert (out / "posterior" / "posterior.csv").read_text() == (
        tiny_fit / "posterior" / "posterior.csv"
    ).read_text()
    # the cost is every session's: the second simulated only what the first had not
    cost = json.loads((out / "posterior" / "posterior.json").read_text())["cost"]
    whole = json.loads((tiny_fit / "posterior" / "posterior.json").read_text())
    assert cost["sessions"] == 2
    assert cost["simulated"] == whole["cost"]["simulated"] == whole["simulations"]


def test_a_posterior_continues_its_fit(tiny_fit, tmp_path):
    """A shipped posterior (its database gone) is the first generation of a continued fit."""
    start = str(tiny_fit / "posterior")
    whole = json.loads((tiny_fit / "posterior" / "posterior.json").read_text())
    a, b = tmp_path / "a", tmp_path / "b"
    calibration.fit(_cfg(a, generations=3, start_from=start))
    calibration.fit(_cfg(b, generations=3, start_from=start))
    text = (a / "posterior" / "posterior.csv").read_text()
    assert (b / "posterior" / "posterior.csv").read_text() == text  # one seed, one posterior
    meta = json.loads((a / "posterior" / "posterior.json").read_text())
    assert meta["generations"] == 3
    assert meta["epsilon_schedule"][:2] == whole["epsilon_schedule"]  # the schedule carries on
    assert meta["epsilon_schedule"][2] <= whole["epsilon_schedule"][1]
    assert meta["simulations"] > whole["simulations"]
    # the cost is the start's and the continuation's together
    assert meta["cost"]["simulated"] == meta["simulations"]
    assert meta["cost"]["sessions"] == whole["cost"]["sessions"] + 1
    # and it says what it continues: reproducible as that fit's command, then this one
    assert meta["continued_from"]["generations"] == 2
    assert meta["continued_from"]["command"] == whole["command"]
    post = Posterior.load(a / "posterior" / "posterior.csv")
    assert (post.distance <= meta["epsilon_schedule"][-1] + 1e-9).all()
    # another fit's sizes are refused before anything is written
    c = tmp_path / "c"
    with pytest.raises(ScenarioError, match="sizes"):
        calibration.fit(_cfg(c, generations=3, start_from=start, years=2))
    with pytest.raises(ScenarioError, match="particles"):
        calibration.fit(_cfg(c, generations=3, start_from=start, particles=6))
    with pytest.raises(ScenarioError, match="missing"):
        calibration.fit(_cfg(c, generations=3, start_from=str(tmp_path / "nowhere")))
    assert not c.exists()


def test_every_generation_leaves_a_checkpoint_that_continues_the_fit_exactly(tiny_fit, tmp_path):
    """A fit stopped anywhere (a session's end, a batch time limit, its database lost) goes on
    from its checkpoint as the very fit that would have run on: same particles, to the bit."""
    check = tiny_fit / calibration.CHECKPOINT
    assert (check / "posterior.csv").read_text() == (
        tiny_fit / "posterior" / "posterior.csv"
    ).read_text()
    meta = json.loads((check / "posterior.json").read_text())
    assert meta["stopped"] == "checkpoint after generation 1"
    said = calibration.stopped(tiny_fit)  # what an interrupted fit tells its user
    assert "generation 1" in said and f"--start-from {check}" in said
    assert "rerun the same command to resume" in said
    # stopped before any generation finished: the cache alone, and the same advice
    early = calibration.stopped(tmp_path / "early")
    assert "evaluations.sqlite" in early and "rerun the same command to resume" in early
    assert meta["simulations"] == meta["cost"]["simulated"]
    straight = tmp_path / "straight"
    calibration.fit(_cfg(straight, generations=3))
    continued = tmp_path / "continued"
    calibration.fit(_cfg(continued, generations=3, start_from=str(check)))
    want = (straight / "posterior" / "posterior.csv").read_text()
    assert (continued / "posterior" / "posterior.csv").read_text() == want
    # without the recorded logits the particles are recomputed from their values: not exact
    post = Posterior.load(check / "posterior.csv")
    z = np.array(meta["logits"])
    again = np.array([calibration.encode(post.particle(i), post.keys) for i in range(post.size)])
    assert np.abs(again - z).max() < 1e-6


def test_logits_round_trip():
    keys = tuple(PRIORS)
    z = abc_smc.sample_prior(np.random.default_rng(5), len(keys))
    values = calibration.decode(z, keys)
    again = calibration.decode(calibration.encode(values, keys), keys)
    assert again == pytest.approx(values, rel=1e-12)


def test_a_folder_holds_one_fit(tiny_fit, tmp_path):
    with pytest.raises(ScenarioError, match="other settings"):
        calibration.fit(_cfg(tiny_fit, seed=7))
    user = tmp_path / "mine"
    user.mkdir()
    (user / "notes.txt").write_text("keep me")
    with pytest.raises(ScenarioError, match="not written by"):
        calibration.fit(_cfg(user))
    assert (user / "notes.txt").read_text() == "keep me"


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    calibration.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["calibrate", *argv])
    return args.func(args)


def test_cli_refuses_bad_sizes_and_engines(tmp_path):
    with pytest.raises(ScenarioError, match="--particles must be at least 1"):
        _cli(["--particles", "0", "--out", str(tmp_path / "x")])
    from iron_river.experiments.clusters import EngineError

    with pytest.raises(EngineError, match="--dry-run"):
        _cli(["--dry-run", "--out", str(tmp_path / "x")])
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("kind", ["log-uniform", "uniform"])
def test_a_posterior_equal_to_its_prior_draws_level_with_the_prior_line(kind):
    """The marginals figure: bars and prior line share a unit, also on log axes."""
    from iron_river.outputs.identification import density

    key = next(k for k, p in PRIORS.items() if p.kind == kind)
    p = PRIORS[key]
    u = np.random.default_rng(5).random(200_000)
    if kind == "log-uniform":
        x = np.exp(math.log(p.lo) + u * (math.log(p.hi) - math.log(p.lo)))
    else:
        x = p.lo + u * (p.hi - p.lo)
    edges, dens, flat = density(key, x, np.full(x.size, 1.0 / x.size))
    assert edges[0] == pytest.approx(p.lo) and edges[-1] == pytest.approx(p.hi)
    assert np.allclose(dens, flat, rtol=0.05)  # flat, at the prior's level


GENERATIONS = 5  # while moves are still accepted (a toy's tolerance soon reaches its noise)


class _Toy:
    """A fit of K logits where the data inform only the first: the rest keep their prior."""

    K, N = 30, 40  # 20 kept particles: fewer than the parameters, as in the shipped fit

    def __init__(self, kernel: str, tmp: Path):
        self.cfg = argparse.Namespace(
            keys=tuple(f"k{i}" for i in range(self.K)),
            seed=7,
            sizes={},
            batch=0,
            particles=self.N,
            generations=GENERATIONS,
            min_epsilon=0.0,
            max_simulations=10**9,
            kernel=kernel,
        )
        self.cache = abc_smc.Cache(tmp / f"{kernel}.sqlite")

    @staticmethod
    def simulate(task) -> dict[str, float]:
        params, seed, _, _ = task
        return {"a": params["k0"] + 0.2 * float(np.random.default_rng(seed).standard_normal())}

    def run(self) -> abc_smc.Population:
        ev = abc_smc.Evaluator(self.simulate)
        fit = abc_smc.Fit(
            self.cfg,
            ev,
            self.cache,
            lambda m: None,
            lambda z: {f"k{i}": float(v) for i, v in enumerate(z)},
            lambda st: abs(st["a"]) / 0.5,
        )
        pop, _ = fit.run()
        self.cache.close()
        return pop


def test_moves_keep_every_direction_the_data_leave_open(tmp_path):
    """With fewer kept particles than parameters, the sample covariance confines the moves to
    the kept particles' span and the population loses dimensions; the shrunk one does not."""
    sample = _Toy("sample", tmp_path).run()
    shrunk = _Toy("shrunk", tmp_path).run()
    assert span(sample.z) <= _Toy.N // 2 - 1 < _Toy.K
    assert span(shrunk.z) >= _Toy.K - 2
    prior_sd = math.pi / math.sqrt(3.0)  # standard logistic
    free = shrunk.z[:, 1:].std(axis=0, ddof=1) / prior_sd
    assert np.median(free) > 0.65  # the uninformed logits keep most of their prior spread
    assert shrunk.z[:, 0].std() < 0.5 * prior_sd  # the informed one is pinned


def test_the_shrunk_covariance_is_positive_definite_with_few_particles():
    z = np.random.default_rng(3).standard_normal((10, 30))
    assert np.linalg.eigvalsh(abc_smc.proposal_covariance(z, "sample")).min() < 1e-9
    cov = abc_smc.proposal_covariance(z)
    assert np.linalg.eigvalsh(cov).min() > 0
    assert np.allclose(np.diag(cov), z.var(axis=0, ddof=1))  # variances are kept


def test_logits_of_a_posterior_are_the_fits_z():
    post = Posterior.load()
    keys = list(post.keys)
    z = np.array([calibration.encode(dict(zip(keys, r, strict=True)), keys) for r in post.values])
    assert np.allclose(logits(keys, post.values), z, atol=1e-9)


def test_the_moves_of_a_continued_fit_are_counted_generation_by_generation():
    from iron_river.outputs.identification import move_warning, sample_kernel_generations

    old = {"generations": 16, "continued_from": {"generations": 6}}  # before --kernel: sample
    assert sample_kernel_generations(old) == (16, 16)
    new = {"generations": 19, "kernel": "shrunk", "continued_from": {**old, "kernel": "sample"}}
    new["continued_from"]["continued_from"] = old["continued_from"]
    assert sample_kernel_generations(new) == (16, 19)
    assert sample_kernel_generations({"generations": 5, "kernel": "shrunk"}) == (0, 5)
    assert move_warning({"generations": 5, "kernel": "shrunk"}, 70, 70) == ""
    assert "first 16 of 19 generations" in move_warning(new, 60, 70)
    assert "understate" in move_warning(old, 26, 70)


def test_a_fit_stopped_by_kill_records_what_it_spent(tmp_path):
    """SIGTERM (kill, a batch system's time limit) still records the session's cost."""
    import sqlite3
    import subprocess
    import sys
    import time

    out = tmp_path / "fit"
    cmd = [sys.executable, "-m", "iron_river.cli", "calibrate", "--out", str(out), "--quiet"]
    cmd += ["--particles", "4", "--generations", "50", "--min-epsilon", "0"]
    cmd += ["--scale", "20000", "--years", "1", "--burn-in-years", "0"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    db = out / "evaluations.sqlite"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            with sqlite3.connect(db) as con:
                try:
                    if con.execute("SELECT count(*) FROM proposal").fetchone()[0] >= 4:
                        break
                except sqlite3.OperationalError:
                    pass
        time.sleep(0.5)
    assert proc.poll() is None, "the fit ended before it could be stopped"
    proc.terminate()
    assert proc.wait(60) == 128 + 15
    _, said = proc.communicate()
    assert "terminated;" in said and "rerun the same command to resume" in said, said
    with sqlite3.connect(db) as con:
        (wall, evaluated), *_ = con.execute("SELECT wall_seconds, evaluated FROM session")
    assert wall > 0 and evaluated >= 4


def test_the_shipped_fit_can_be_continued_exactly(tmp_path):
    """The shipped posterior fits this model and carries the logits its fit moved:
    ``--start-from shipped`` continues it as the very fit that stopped (a tighter tolerance
    needs no refit from the prior)."""
    cfg = calibration.FitConfig(out=tmp_path / "fit", start_from="shipped")
    pop, cost = calibration.start_population(cfg)
    post = Posterior.load()
    assert np.array_equal(pop.z, np.array(post.meta["logits"]))
    assert post.meta["kernel"] == "shrunk" and post.meta["seed"] == cfg.seed
    assert cost["simulated"] == post.meta["simulations"] > 0
