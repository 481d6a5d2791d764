"""With every lever at its 2019 value the baseline neither grows nor shrinks over the decade."""

from __future__ import annotations

import numpy as np
import pytest

from iron_river.experiments import stationarity
from iron_river.migration.networks import Ties
from tests.conftest import small

REPLICATES = 6


@pytest.fixture(scope="module")
def drift() -> stationarity.Drift:
    return stationarity.measure(small(None, years=10, scale=400), REPLICATES, seed=7)


def test_headline_metrics_and_network_shares_are_stationary(drift):
    assert set(drift.drift) == set(stationarity.SERIES)
    assert not drift.failing(), {k: (drift.drift[k], drift.se[k]) for k in drift.failing()}
    # the slow stocks are steady well inside the tolerance, not only within the noise
    for key in ("relatives_abroad_share_MX", "relatives_abroad_share_GT", "members_MX", "price_MX"):
        assert abs(drift.drift[key]) < stationarity.TOLERANCE, key


def test_the_drift_test_has_power(monkeypatch):
    """Without the diaspora's flow after the burn-in, ties lapse faster than settlers renew
    them: the network shares fall, and the test says so."""
    monkeypatch.setattr(Ties, "freeze", lambda self: setattr(self, "diaspora_rate", np.zeros(17)))
    d = stationarity.measure(small(None, years=10, scale=2000), 3, seed=7)
    bad = d.failing()
    assert "relatives_abroad_share_MX" in bad and d.drift["relatives_abroad_share_MX"] < -0.1


def test_the_burn_in_figure_is_drawn(drift, tmp_path):
    path = tmp_path / "burn_in.png"
    stationarity.figure(drift, path)
    assert path.stat().st_size > 20_000
