"""Arsenals over a week: non-US guns arrive, police seize some (traced), others wear out.

Non-US supply — diverted military and police stocks, legal imports diverted in-country,
other exporters, craft guns — is the 2019 flow of the group's country, shared by members,
scaled by the local price relative to 2019 to the power of ``market.non_us_price_elasticity``:
when interdiction makes US guns scarce and dear, other sources fill part of the gap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from iron_river.guns.arsenal import Origin

if TYPE_CHECKING:
    from iron_river.model import IronRiverModel


def resupply(model: IronRiverModel) -> None:
    """Non-US guns reach every group this week (tallied per country in ``model.non_us_guns``)."""
    g = model.gangs
    rows = g.rows
    c = g.country[rows]
    ratio = model.markets_state.price_ratio[g.place[rows]]
    eta = model.params.market.non_us_price_elasticity
    mean = model.non_us_per_member[c] * g.members[rows] * ratio**eta / 52.0
    n = model.gangs_rng.poisson(mean)
    us_made = model.gangs_rng.binomial(n, model.diverted_share[c])
    g.arsenal[rows, Origin.US_DIVERTED] += us_made
    g.arsenal[rows, Origin.OTHER] += n - us_made
    model.non_us_guns = np.bincount(c, weights=n, minlength=model.members_2019.size)


def lose(model: IronRiverModel) -> None:
    """Police seize a share of each arsenal (each seized gun may be traced); wear takes more."""
    g = model.gangs
    rows = g.rows
    arsenal = g.arsenal[rows]
    p_police = -np.expm1(-model.police_seizure_rate[g.country[rows]] / 52.0)
    seized = model.gangs_rng.binomial(arsenal, p_police[:, None])
    life = model.params.gangs.gun_life_years
    worn = model.gangs_rng.binomial(arsenal - seized, -np.expm1(-1.0 / (52.0 * life)))
    g.arsenal[rows] = arsenal - seized - worn
    model.tracing.record_by_country(g.country[rows], seized)
    n = model.members_2019.size
    model.guns_police_seized = np.bincount(g.country[rows], weights=seized.sum(axis=1), minlength=n)
    model.guns_worn = np.bincount(g.country[rows], weights=worn.sum(axis=1), minlength=n)
