"""The samplers under the household rule draw what they claim to, whichever path they take.

:meth:`Households.marks` must give every row of place ``p`` independent
Poisson(``rate[p, k] / count[p]``) marks of kind ``k``; :func:`migration.decide` must give the
same departures whether a place's candidates are Poisson marks or every household is looked
at (``SCAN_ABOVE``). Comparisons are z-tests at 4σ over fixed seeds.
"""

from __future__ import annotations

import numpy as np

from iron_river.migration import decision as migration
from iron_river.migration.households import first_of_runs
from tests.reference_households import numpy_week, population, rule_inputs

Z_MAX = 4.0


def test_marks_land_in_their_place_with_poisson_counts_per_row() -> None:
    hh = population(4_000, 0)
    rate = np.array([[3.0, 0.0], [0.0, 0.0], [40.0, 5.0], [0.5, 600.0]])  # marks per week
    rng = np.random.default_rng(1)
    draws = 2_000
    per_cell = np.zeros(rate.size)
    per_row = np.zeros(hh.n)
    hit_rows = np.zeros(hh.n)
    for _ in range(draws):
        rows, cell = hh.marks(rate, rng)
        place = cell // rate.shape[1]
        assert ((rows >= hh.start[place]) & (rows < hh.start[place] + hh.count[place])).all()
        per_cell += np.bincount(cell, minlength=rate.size)
        per_row += np.bincount(rows, minlength=hh.n)
        hit_rows += np.bincount(np.unique(rows), minlength=hh.n)
    expected = rate.ravel() * draws
    assert per_cell[expected == 0].sum() == 0  # a cell with no rate never gets a mark
    z = (per_cell - expected)[expected > 0] / np.sqrt(expected[expected > 0])
    assert np.abs(z).max() < Z_MAX, z
    # each row of a place: the same Poisson rate; share of weeks with ≥ 1 mark = 1 − e^(−λ)
    lam = rate.sum(axis=1) / hh.count
    for p in range(len(hh.count)):
        block = slice(hh.start[p], hh.start[p] + hh.count[p])
        if lam[p] == 0:
            assert per_row[block].sum() == 0
            continue
        mean = per_row[block].mean() / draws
        assert abs(mean - lam[p]) < Z_MAX * np.sqrt(lam[p] / (draws * hh.count[p]))
        q = -np.expm1(-lam[p])
        share = hit_rows[block].mean() / draws
        assert abs(share - q) < Z_MAX * np.sqrt(q * (1 - q) / (draws * hh.count[p]))
        # no row favoured: per-row counts are Poisson (dispersion index ≈ 1)
        dispersion = per_row[block].var() / per_row[block].mean()
        assert abs(dispersion - 1.0) < Z_MAX * np.sqrt(2.0 / hh.count[p])


def test_marks_with_no_rate_draw_nothing() -> None:
    hh = population(100, 0)
    rows, cell = hh.marks(np.zeros(len(hh.count)), np.random.default_rng(0))
    assert rows.size == 0 and cell.size == 0


def test_first_of_runs_marks_repeats() -> None:
    assert first_of_runs(np.array([1, 2, 5])) is None
    assert first_of_runs(np.array([7])) is None
    np.testing.assert_array_equal(
        first_of_runs(np.array([1, 1, 2, 3, 3, 3])), [True, False, True, True, False, False]
    )


def _departures(scan_above: float, monkeypatch, base_factor: float = 1.0) -> np.ndarray:
    """Departures per place, 4 seeds × 20 weeks."""
    monkeypatch.setattr(migration, "SCAN_ABOVE", scan_above)
    total = np.zeros(4)
    for seed in range(4):
        hh = population(20_000, seed)
        inputs = rule_inputs(hh)
        inputs = inputs.with_hazard(base=inputs.hazard.base * base_factor)
        rng = np.random.default_rng(100 + seed)
        for week in range(20):
            total += numpy_week(hh, inputs, week, rng).departures
    return total


def test_scanning_every_household_and_thinning_marks_agree(monkeypatch) -> None:
    """Same inputs, all places by marks vs all places scanned: the same departures per place."""
    a = _departures(np.inf, monkeypatch)
    b = _departures(0.0, monkeypatch)
    assert a.min() > 200  # every place has departures to compare
    z = (a - b) / np.sqrt(a + b)
    assert np.abs(z).max() < Z_MAX, z


def test_scan_comparison_has_power(monkeypatch) -> None:
    """A 20% higher base hazard on one side is visible: the agreement above means something."""
    marks = _departures(np.inf, monkeypatch)
    higher = _departures(0.0, monkeypatch, base_factor=1.2)
    z = (higher - marks) / np.sqrt(higher + marks)
    assert np.abs(z).max() > Z_MAX
