"""The answer's uncertainty split and what it hinges on, on planted data."""

from __future__ import annotations

import numpy as np
import pytest

from iron_river.experiments import answer


def test_seed_only_spread_is_split_from_the_parameters():
    rng = np.random.default_rng(1)
    seed = rng.normal(-0.05, 0.01, 4000)  # the dice alone
    both = -0.05 + rng.normal(0, 0.01, 4000) + rng.normal(0, 0.02, 4000)  # dice + parameters
    u = answer.uncertainty(both, seed)
    assert u.mean == pytest.approx(-0.05, abs=0.002)
    assert u.parameter_share == pytest.approx(0.8, abs=0.03)  # 0.02² / (0.01² + 0.02²)
    assert u.p05 < u.seed_p05 < u.seed_p95 < u.p95
    assert answer.uncertainty(seed, seed).parameter_share == pytest.approx(0.0, abs=1e-12)


def test_hinges_find_the_parameter_that_drives_the_answer_and_not_noise():
    rng = np.random.default_rng(2)
    r = 60
    values = rng.uniform(0, 1, (r, 5))
    change = -0.1 * values[:, 3] + rng.normal(0, 0.01, r)
    h = answer.hinges(values, ["a", "b", "c", "d", "e"], change)
    assert [x.parameter for x in h.rows] == ["d"]
    assert h.rows[0].rho < -0.8 and h.rows[0].high < h.rows[0].low
    noise = answer.hinges(values, list("abcde"), rng.normal(0, 1, r))  # chance alone
    assert all(abs(x.rho) < 0.45 for x in noise.rows)


def test_per_point():
    assert answer.per_point(-0.05, 0.0022, 0.2222) == pytest.approx(-0.05 / 22.0)
