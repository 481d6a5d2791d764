"""The decision to migrate: which households leave this week, and whether violence was why.

The yearly hazard of a household at home is

    h = b_c · π^poor · ν^network · (1 − d·s) · exp(v · (1 + κ·children) · (β_a·H_p + β_e·E))

with b_c the country's base hazard, π and ν the poverty and network hazard ratios,
d·s US deterrence times its effect, v the sign and strength of the violence→migration
link, H_p the local homicide rate, E the household's remembered exposure. A departure
is attributed to violence with probability 1 − h(v=0)/h (competing hazards).

Households are drawn by thinning: Poisson candidate marks at the place's maximum hazard
(:meth:`Households.marks`), each kept with probability h/h_max, so the work grows with
departures, not with the population.
"""

from __future__ import annotations

import numpy as np

from iron_river.migration.exposure import EXPOSURE_CAP, current
from iron_river.migration.households import Households, Status, first_of_runs
from iron_river.scenario.migration import Migration

SCAN_ABOVE = 1.0  # candidate marks per household and week above which every one is looked at


def base_hazard(
    hh: Households, rows: np.ndarray, place: np.ndarray, base: np.ndarray, m: Migration, week: int
) -> np.ndarray:
    """Yearly hazard without violence: country base × poverty × network × deterrence."""
    deterrence = 1.0 - m.us_deterrence * m.deterrence_sensitivity
    poor = np.where(hh.poor[rows], m.poverty_multiplier * deterrence, deterrence)
    has_network = hh.t_network[rows] > week - m.network_tie_years * 52
    return base[place] * poor * np.where(has_network, m.network_multiplier, 1.0)


def violence_exponent(
    hh: Households,
    rows: np.ndarray,
    place: np.ndarray,
    ambient: np.ndarray,
    m: Migration,
    week: int,
    half_life: float,
) -> np.ndarray:
    """V · (1 + κ·children) · (β_a·H_p + β_e·E) for each row."""
    weight = np.where(
        hh.children[rows],
        m.violence_effect * (1.0 + m.children_violence_multiplier),
        m.violence_effect,
    )
    signal = (m.ambient_coefficient * ambient)[place] + m.exposure_coefficient * current(
        hh, rows, week, half_life
    )
    return weight * signal


def decide(
    hh: Households,
    week: int,
    base: np.ndarray,
    ambient: np.ndarray,
    m: Migration,
    half_life: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw this week's departures; return their rows and whether violence was the reason."""
    v_max = max(m.violence_effect, 0.0) * (1.0 + max(m.children_violence_multiplier, 0.0))
    static_max = (
        max(1.0, m.poverty_multiplier)
        * max(1.0, m.network_multiplier)
        * (1.0 - m.us_deterrence * m.deterrence_sensitivity)
    )
    h_max = (static_max * base) * np.exp(
        v_max * (m.ambient_coefficient * ambient + m.exposure_coefficient * EXPOSURE_CAP)
    )
    # candidates: Poisson marks at the bound; a mark is kept with probability h / h_max, so
    # kept marks are Poisson(h / 52) per household and it leaves with probability 1 − e^(−h/52).
    # Where the bound gives more marks than households, every household is looked at instead.
    rate = h_max * (1.0 / 52.0)
    scan = rate > SCAN_ABOVE
    rows, place = hh.marks(np.where(scan, 0.0, hh.count * rate), rng)
    n_marks = rows.size
    if scan.any():
        every = [np.arange(hh.start[p], hh.start[p] + hh.count[p]) for p in np.flatnonzero(scan)]
        rows = np.concatenate([rows, *every])
        place = np.concatenate([place, hh.place[rows[n_marks:]]])
    home = hh.status[rows] == Status.HOME
    h0 = base_hazard(hh, rows, place, base, m, week)
    h = h0 * np.exp(violence_exponent(hh, rows, place, ambient, m, week, half_life))
    u = rng.random((2, rows.size))
    keep = u[0] * h_max[place] < h
    if rows.size > n_marks:  # households looked at one by one: the weekly chance itself
        keep[n_marks:] = u[0, n_marks:] < -np.expm1(h[n_marks:] * (-1.0 / 52.0))
    keep &= home  # marks on households away are void
    rows, h0, h, u = rows[keep], h0[keep], h[keep], u[1, keep]
    # competing hazards: violence is the reason with probability 1 − h(v=0)/h
    violence = u * h < h - h0
    order = np.argsort(rows, kind="stable")
    rows, violence = rows[order], violence[order]
    first = first_of_runs(rows)  # two kept marks on one household: it leaves once
    if first is not None:
        rows, violence = rows[first], violence[first]
    return rows, violence
