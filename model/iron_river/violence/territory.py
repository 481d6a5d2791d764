"""Territory: turf follows armed strength; leaders' arrests bring surges and splinters.

Each week a group's turf moves toward its share of its place's armed strength,

    turf += (speed / 52) · (S^d / Σ S^d − turf),    S = members · (guns per member / 2019)^α,

so a group that loses guns loses ground to its rivals. When a group's leaders are arrested
(the ``policy.countries.*.leader_arrest_rate`` lever) its violence surges by
``gangs.succession_violence`` (fading with a half-life of 26 weeks) and, with
``gangs.split_prob``, it splits: a splinter takes a third to a half of its members, guns and
turf. Splinters rejoin the group they broke from at ``gangs.splinter_merge_rate`` (the
strongest rival if it is gone), and a group whose turf falls below ``gangs.collapse_share``
dissolves into the strongest rival,
so the number of groups fluctuates around its 2019 level instead of drifting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from iron_river.violence.conflict import strength
from iron_river.violence.gang import SURGE_HALF_LIFE_WEEKS, dissolve, spawn

if TYPE_CHECKING:
    from iron_river.model import IronRiverModel


def contest(model: IronRiverModel) -> None:
    """Turf moves toward each group's share of its place's armed strength."""
    g, gp = model.gangs, model.params.gangs
    rows = g.rows
    place = g.place[rows]
    s = (g.members[rows] * strength(model, rows) ** model.params.violence.gun_elasticity) ** (
        gp.contest_decisiveness
    )
    total = np.bincount(place, weights=s, minlength=len(model.markets))
    target = s / np.maximum(total[place], 1e-12)
    g.turf[rows] += gp.turf_speed / 52.0 * (target - g.turf[rows])


def leaders(model: IronRiverModel) -> None:
    """Leaders are arrested: violence surges, and some groups split."""
    g, gp = model.gangs, model.params.gangs
    g.surge *= 2.0 ** (-1.0 / SURGE_HALF_LIFE_WEEKS)
    rows = g.rows
    rate = model.leader_arrest_rate[g.country[rows]]
    hit = rows[model.gangs_rng.random(rows.size) < -np.expm1(-rate / 52.0)]
    model.leader_arrests = int(hit.size)
    if hit.size == 0:
        return
    g.surge[hit] = gp.succession_violence
    count = np.bincount(g.place[rows], minlength=len(model.markets))
    split = hit[model.gangs_rng.random(hit.size) < gp.split_prob]
    split = split[count[g.place[split]] < gp.max_per_place]
    split = split[np.unique(g.place[split], return_index=True)[1]]  # one split a place a week
    if split.size == 0:
        return
    f = model.gangs_rng.uniform(1.0 / 3.0, 0.5, split.size)
    guns = model.gangs_rng.binomial(g.arsenal[split], f[:, None])
    g.arsenal[split] -= guns
    members, turf = g.members[split] * f, g.turf[split] * f
    g.members[split] -= members
    g.turf[split] -= turf
    new = spawn(model, g.place[split], members, turf, guns, parent=split)
    g.surge[new] = gp.succession_violence
    model.splits = int(split.size)


def _merge(model: IronRiverModel, rows: np.ndarray) -> None:
    """Hand members, guns and turf of ``rows`` to their parent group, or the strongest rival.

    A splinter rejoins the group it broke from if that still exists in the place.
    """
    g = model.gangs
    for row in rows:  # a few a year: a loop is clearer than the array form here
        rivals = np.flatnonzero(g.alive & (g.place == g.place[row]))
        rivals = rivals[rivals != row]
        if rivals.size == 0:
            continue
        parent = g.parent[row]
        to = parent if parent in rivals else rivals[np.argmax(g.turf[rivals])]
        g.members[to] += g.members[row]
        g.arsenal[to] += g.arsenal[row]
        g.turf[to] += g.turf[row]
        dissolve(model, np.array([row]))


def consolidate(model: IronRiverModel) -> None:
    """Splinters rejoin; groups whose turf withered dissolve into the strongest rival."""
    g, gp = model.gangs, model.params.gangs
    rows = g.rows
    absorbed = g.splinter[rows] & (
        model.gangs_rng.random(rows.size) < -np.expm1(-gp.splinter_merge_rate / 52)
    )
    gone = rows[absorbed | (g.turf[rows] < gp.collapse_share)]
    model.merges = int(gone.size)
    if gone.size:
        _merge(model, gone)
