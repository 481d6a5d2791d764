"""The decision to migrate: which households leave this week.

The yearly hazard of a household at home in place ``p`` of country ``c`` is

    h = b_c · D · π^poor · ν^network · exp((1 + κ·children) · v · (ε_c · ln(H_p / H*_c) + ln ρ · E))

with ``b_c`` the country's base hazard (calibrated to its apprehensions), ``D`` deterrence
(US border enforcement relative to 2019 to the power of its elasticity), ``π`` and ``ν`` the
poverty and network hazard ratios, ``ε_c`` the country's elasticity of departures with respect
to the local homicide rate ``H_p`` (``H*_c`` its 2019 national rate), ``ρ`` the hazard ratio
of a unit of the household's own remembered victimisation ``E``, ``κ`` the extra weight of
violence for families with children and ``v`` the user's multiplier of every violence
response (``migration.violence_effect``). Each causal strength comes from evidence on
responses (docs/EVIDENCE.md); none is fitted to what migrants say.

Households are drawn by thinning: Poisson candidate marks at the place's largest hazard
(:meth:`Households.marks`), each kept with probability h / h_max, so the work grows with
departures, not with the population. The decision draws from a random stream of its own, so
with ``v = 0`` a policy that changes violence leaves every departure exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iron_river.migration.exposure import EXPOSURE_CAP, current
from iron_river.migration.households import NEVER, Households, Status, first_of_runs

SCAN_ABOVE = 1.0  # candidate marks per household and week above which every one is looked at


@dataclass(frozen=True, slots=True)
class HazardInputs:
    """The per-place terms of this week's hazard, and the household-level ratios."""

    base: np.ndarray  # b_c · D per place (1/year)
    violence: np.ndarray  # v · ε_c · ln(H_p / H*_c) per place
    log_victim: np.ndarray  # v · ln ρ per unit of exposure, per place
    violence_cap: np.ndarray  # the violence term's bound: |v · ε| · ln 3 (H within ×3 of H*)
    children: float  # κ
    poverty: float  # π
    network: float  # ν
    half_life: float  # exposure memory (weeks)


def hazard(hh: Households, rows: np.ndarray, place: np.ndarray, x: HazardInputs, week: int):
    """Yearly migration hazard of each of ``rows`` (households of ``place``)."""
    has_network = hh.t_network[rows] > NEVER
    static = x.base[place] * np.where(hh.poor[rows], x.poverty, 1.0)
    static *= np.where(has_network, x.network, 1.0)
    weight = np.where(hh.children[rows], 1.0 + x.children, 1.0)
    signal = x.violence[place] + x.log_victim[place] * current(hh, rows, week, x.half_life)
    return static * np.exp(weight * signal)


def bound(x: HazardInputs) -> np.ndarray:
    """The largest hazard any household of each place can have this week (h_max)."""
    static = x.base * max(1.0, x.poverty) * max(1.0, x.network)
    corners = [
        w * (x.violence + x.log_victim * e)
        for w in (1.0, 1.0 + x.children)
        for e in (0.0, EXPOSURE_CAP)
    ]
    return static * np.exp(np.max(corners, axis=0))


def decide(hh: Households, week: int, x: HazardInputs, rng: np.random.Generator) -> np.ndarray:
    """Draw this week's departures; return their rows (sorted, each once)."""
    h_max = bound(x)
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
    h = hazard(hh, rows, place, x, week)
    u = rng.random(rows.size)
    keep = u * h_max[place] < h
    if rows.size > n_marks:  # households looked at one by one: the weekly chance itself
        keep[n_marks:] = u[n_marks:] < -np.expm1(h[n_marks:] * (-1.0 / 52.0))
    rows = np.sort(rows[keep & home])  # marks on households away are void
    first = first_of_runs(rows)  # two kept marks on one household: it leaves once
    return rows if first is None else rows[first]
