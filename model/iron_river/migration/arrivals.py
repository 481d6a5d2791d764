"""Arrivals at the US border — the migration pressure — and what follows them.

Every household reaching the border counts as an arrival (persons, by origin and
crossing; apprehensions count repeat crossers again). A share is returned home and
may leave again; the others stay in the US. A settled household is replaced at home
by a new one (population held steady) that has a relative abroad, and a few other
households of its place gain a tie too: migration spreads through networks
(:mod:`.networks`). What arrivals lived through and name as reasons is tallied here for
the survey comparisons (FACTS.md T8, T9), which are about Northern Triangle migrants.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iron_river.migration.households import Households, Status
from iron_river.migration.networks import Ties

RETURN_SALT, WAIT_SALT = 21, 22  # which counter-based draw of a household (uniform)


@dataclass
class ArrivalTally:
    """What this week's arrivals were (real persons; shares need the counts together)."""

    persons_by_place: np.ndarray
    persons_by_crossing: np.ndarray
    persons: float = 0.0
    exposed_persons: float = 0.0  # victimised in the recall window before leaving
    route_victim_persons: float = 0.0
    families: float = 0.0  # households with children (real households)
    families_violence: float = 0.0  # of which name violence as a key reason
    nt_persons: float = 0.0  # from Guatemala, Honduras, El Salvador (the surveys' population)
    nt_exposed_persons: float = 0.0
    nt_families: float = 0.0
    nt_families_violence: float = 0.0


def arrive(
    hh: Households,
    rows: np.ndarray,
    week: int,
    n_crossings: int,
    recall_weeks: int,
    return_share: np.ndarray,
    return_delay: int,
    ties_per_migrant: float,
    returns: object,
    ties: Ties,
    northern_triangle: np.ndarray,
    rng: np.random.Generator,
) -> ArrivalTally:
    """Households reach the US border: count them, return some, settle the rest."""
    place = hh.place[rows]
    persons = hh.size[rows].astype(float) * hh.scale
    exposed = (hh.t_departed[rows] - hh.t_violent[rows]) <= recall_weeks
    kids = hh.children[rows]
    nt = northern_triangle[place]
    names = hh.names_violence[rows]
    tally = ArrivalTally(
        persons_by_place=np.bincount(place, weights=persons, minlength=len(hh.place_ids)),
        persons_by_crossing=np.bincount(hh.crossing[rows], weights=persons, minlength=n_crossings),
        persons=float(persons.sum()),
        exposed_persons=float(persons[exposed].sum()),
        route_victim_persons=float(persons[hh.route_victim[rows]].sum()),
        families=float(kids.sum()) * hh.scale,
        families_violence=float((kids & names).sum()) * hh.scale,
        nt_persons=float(persons[nt].sum()),
        nt_exposed_persons=float(persons[nt & exposed].sum()),
        nt_families=float((kids & nt).sum()) * hh.scale,
        nt_families_violence=float((kids & nt & names).sum()) * hh.scale,
    )
    returned = hh.uniform(rows, week, RETURN_SALT) < return_share[place]
    back = rows[returned]
    hh.move(back, Status.RETURNING)
    # the wait varies (detention, processing): a geometric delay with the scenario's mean
    q = 1.0 / max(return_delay, 1)
    u = hh.uniform(back, week, WAIT_SALT)
    wait = np.maximum(1, np.ceil(np.log1p(-u) / np.log1p(-min(q, 1 - 1e-12)))).astype(np.int64)
    returns.add(week + wait, back)
    settled = rows[~returned]
    hh.settled += settled.size
    new_ties = rng.poisson(
        ties_per_migrant * np.bincount(hh.place[settled], minlength=len(hh.place_ids))
    )
    hh.replace(settled, week, rng)
    ties.settlers(hh, np.concatenate([settled, hh.random_in_places(new_ties, rng)]), week)
    return tally


def come_home(hh: Households, rows: np.ndarray) -> None:
    """Returned households are home again (and may leave again)."""
    hh.move(rows, Status.HOME)
