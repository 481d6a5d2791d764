"""What armed groups do to their place each week: homicides, extortion, forced recruitment.

For group ``i`` in place ``p`` with ``M`` members, ``x = (guns per member) / (2019 guns per
member)``, rivalry ``R_p = 1 − Σ turf²`` (0 under a monopoly) and succession surge ``u``:

    firearm homicides  λ_f = a_c · M · R_p · x^α · (1 + u)
    other homicides    λ_o = b_c · M · R_p · (1 + u) + σ · a_c · M · R_p · max(0, 1 − x^α)
    extortion          X · M · x^α_x          forced-recruitment attempts   r · M

per year, with α the gun elasticity of firearm homicides (evidence: docs/EVIDENCE.md 1) and σ
the share of homicides that scarce guns prevent which happen with other weapons instead. A
place's homicides are Poisson draws of the sums; each group's share of the victims who were
members is its share of the expected violence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import pdtrik

if TYPE_CHECKING:
    from iron_river.model import IronRiverModel


@dataclass
class Violence:
    """A week's violence, one entry per market place (real-world counts)."""

    homicides: np.ndarray
    firearm_homicides: np.ndarray
    extortion: np.ndarray
    recruitment: np.ndarray
    expected_rate: np.ndarray  # expected homicides per 100,000 a year
    rivalry: np.ndarray

    @classmethod
    def empty(cls, n: int) -> Violence:
        """No violence yet (before the first week)."""
        z = np.zeros(n)
        return cls(
            np.zeros(n, dtype=np.int64),
            np.zeros(n, dtype=np.int64),
            z,
            z.copy(),
            z.copy(),
            z.copy(),
        )


def poisson_inverse(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Poisson(``lam``) counts by inversion of the uniforms ``u``.

    Inversion is monotone in ``lam`` for a given ``u``: a baseline and a policy run that share
    their uniforms (common random numbers) draw counts that differ only as their means do.
    """
    # pdtr(k, λ) = P(X ≤ k) is continuous and increasing in k, equal to the CDF at integers:
    # the smallest integer with CDF ≥ u is the ceiling of the continuous solution
    lam = np.asarray(lam, dtype=float)
    k = np.ceil(pdtrik(u, np.maximum(lam, 1e-12)))
    return np.where(lam > 0, np.maximum(k, 0), 0).astype(np.int64)


def strength(model: IronRiverModel, rows: np.ndarray) -> np.ndarray:
    """Guns per member of each group relative to its country's 2019 arming (x)."""
    g = model.gangs
    gpm = g.guns(rows) / np.maximum(g.members[rows], 1e-9)
    return gpm / model.reference_gpm[g.country[rows]]


def rivalry(model: IronRiverModel, rows: np.ndarray) -> np.ndarray:
    """1 − Herfindahl index of turf, per market place."""
    g = model.gangs
    hhi = np.bincount(g.place[rows], weights=g.turf[rows] ** 2, minlength=len(model.markets))
    total = np.bincount(g.place[rows], weights=g.turf[rows], minlength=len(model.markets))
    return np.where(total > 0, 1.0 - hhi / np.maximum(total, 1e-12) ** 2, 0.0)


def fight(model: IronRiverModel) -> Violence:
    """The week's violence in every place; each group's share of it is kept in its row."""
    g, v = model.gangs, model.params.violence
    rows = g.rows
    place, c = g.place[rows], g.country[rows]
    m = g.members[rows]
    x = strength(model, rows)
    rivalry_by_place = rivalry(model, rows)
    rv = rivalry_by_place[place]
    armed = x**v.gun_elasticity
    scale = m * rv * (1.0 + g.surge[rows])
    fire = model.firearm_lethality[c] * scale * armed
    other = model.other_lethality[c] * scale + v.nonfirearm_substitution * (
        model.firearm_lethality[c] * scale * np.maximum(0.0, 1.0 - armed)
    )
    extortion = v.extortion_per_member_year * m * x**v.extortion_gun_elasticity
    n = len(model.markets)
    lam_f = np.bincount(place, weights=fire, minlength=n) / 52.0
    lam_o = np.bincount(place, weights=other, minlength=n) / 52.0
    u = model.violence_rng.random((2, n))
    firearm = poisson_inverse(u[0], lam_f)
    homicides = firearm + poisson_inverse(u[1], lam_o)
    pop = np.maximum(model.population, 1.0)
    total = fire + other
    share = total / np.maximum(np.bincount(place, weights=total, minlength=n)[place], 1e-12)
    g.violence_share[rows] = share
    g.extortion[rows] = extortion / 52.0
    out = Violence(
        homicides=homicides,
        firearm_homicides=firearm,
        extortion=np.bincount(place, weights=extortion, minlength=n) / 52.0,
        recruitment=np.bincount(place, weights=v.recruitment_per_member_year * m, minlength=n)
        / 52.0,
        expected_rate=(lam_f + lam_o) * 52.0 / pop * 1e5,
        rivalry=rivalry_by_place,
    )
    return out
