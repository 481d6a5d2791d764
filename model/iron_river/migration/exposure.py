"""Exposure: violence in a place lands on its households, who remember it and slowly forget.

Each week a place's homicides (× households touched per homicide), extortion and
forced-recruitment attempts become victimisation events on random households at home
there; recruitment only lands on households with children. A household's exposure
is ``E(t) = E(t₀) · 2^(−(t − t₀)/half-life) + new events``, capped, stored lazily at t₀.
"""

from __future__ import annotations

import numpy as np

from iron_river.migration.households import Households, Status, first_of_runs

EXPOSURE_CAP = 2.0  # remembered exposure saturates: a few recent events weigh as much as many


def current(hh: Households, rows: np.ndarray, week: int, half_life: float) -> np.ndarray:
    """Remembered exposure of ``rows`` at ``week`` (decayed since it last changed)."""
    return hh.exposure[rows] * np.exp2((hh.t_exposure[rows] - week) * np.float32(1.0 / half_life))


def victimise(
    hh: Households,
    events: np.ndarray,
    weights: np.ndarray,
    children_only: np.ndarray,
    week: int,
    half_life: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Apply this week's victimisation events; return simulated households exposed per place.

    Args:
        hh: the households.
        events: expected events per place and kind, in simulated households (P × K).
        weights: exposure added by one event of each kind (K).
        children_only: whether each kind only lands on households with children (K).
        week: the current week.
        half_life: memory half-life in weeks.
        rng: the model's generator.
    """
    n_places, n_kinds = events.shape
    rows, cell = hh.marks(events, rng)
    kind = cell % n_kinds
    keep = hh.status[rows] == Status.HOME
    if children_only.any():  # only the marks of such kinds need the household's children
        needs = np.flatnonzero(children_only[kind])
        keep[needs] &= hh.children[rows[needs]]
    rows, added = rows[keep], weights.astype(np.float32)[kind[keep]]
    if rows.size == 0:
        return np.zeros(n_places)
    order = np.argsort(rows)  # the order of a household's events does not matter
    unique, added = rows[order], added[order]
    first = first_of_runs(unique)
    if first is not None:  # a household hit twice this week adds both events
        added = np.add.reduceat(added, np.flatnonzero(first))
        unique = unique[first]
    hh.exposure[unique] = np.minimum(current(hh, unique, week, half_life) + added, EXPOSURE_CAP)
    hh.t_exposure[unique] = week
    hh.t_violent[unique] = week
    return np.bincount(hh.place[unique], minlength=n_places).astype(float)
