"""Guns and households are conserved exactly, every week."""

from __future__ import annotations

import numpy as np

from iron_river.migration.households import Status
from iron_river.model import IronRiverModel
from tests.conftest import small


def test_guns_and_households_conserved_every_week():
    model = IronRiverModel(
        small(None, "enforcement.us_southbound_interdiction=0.1", years=2, scale=2000), rng=3
    )
    hh = model.households
    while model.running:
        model.step()
        row = model.ledger.rows[-1]
        # every gun bought is seized somewhere or delivered to a gang (none is held in transit)
        assert row["cum_guns_bought"] == row["cum_guns_seized"] + row["cum_guns_delivered"]
        assert row["guns_bought"] == (
            row["guns_seized_us"]
            + row["guns_seized_mx"]
            + row["guns_seized_gt_border"]
            + row["guns_delivered"]
        )
        counts = np.bincount(hh.status, minlength=len(Status))
        assert np.array_equal(counts, hh.status_counts)
        # home + travelling + being returned = the initial households; each settled household
        # was replaced at home by a newly formed one
        assert counts.sum() == hh.initial_n
        assert hh.settled == hh.formed
        pending = model.arrivals_due.pending()
        assert pending == counts[Status.TRANSIT]
        assert model.returns_due.pending() == counts[Status.RETURNING]
    assert row["cum_guns_seized"] > 0 and row["cum_guns_delivered"] > 0
    assert hh.settled > 0


def test_home_population_tally_matches_arrays():
    model = IronRiverModel(small(None, years=1, scale=2000), rng=5)
    for _ in range(60):
        model.step()
    hh = model.households
    home = np.bincount(
        hh.place, weights=hh.size * (hh.status == Status.HOME), minlength=len(hh.place_ids)
    )
    assert np.allclose(home, hh.home_size)


def test_counts_are_in_real_units_at_any_scale():
    """Scale changes how many simulated households stand for the population, not the totals."""
    a = IronRiverModel(small(None, years=1, scale=200), rng=1)
    b = IronRiverModel(small(None, years=1, scale=2000), rng=1)
    pa, pb = a.households.persons_at_home().sum(), b.households.persons_at_home().sum()
    assert abs(pa - pb) / pa < 0.01
    assert abs(pa - 126.0e6 - 14.9e6 - 9.0e6 - 6.5e6) / pa < 0.02
