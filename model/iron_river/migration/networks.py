"""Ties to relatives abroad: formed by settlers, lapsing after years, renewed by the diaspora.

A household's tie lasts ``migration.network_tie_years``; settling in the US gives the
household that replaces the migrants at home a tie, and ``migration.network_ties_per_migrant``
other households of the place one too — so a wave of migration raises the next one through
networks. Most ties in 2019 came from a diaspora the model does not simulate (Mexicans abroad
outnumber a year's settlers a hundredfold): during the burn-in it renews whatever ties keep
each place's number of tied households at its 2019 value, and from the measured period on it
renews ties at its average rate of the burn-in's last year. With 2019 levers the share then
stays where the data put it; a policy that changes settlement moves it from there.
"""

from __future__ import annotations

import numpy as np

from iron_river.migration.households import NEVER, Households
from iron_river.migration.journey import Calendar


class Ties:
    """Expiry calendar of every household's tie, and the diaspora's balancing flow."""

    def __init__(self, hh: Households, tie_weeks: int):
        self.tie_weeks = int(tie_weeks)
        self.expiries = Calendar()
        tied = np.flatnonzero(hh.t_network > NEVER)
        self.expiries.add(hh.t_network[tied] + self.tie_weeks, tied)
        n = len(hh.place_ids)
        self.diaspora_sum = np.zeros(n)  # diaspora ties over the last burn-in year
        self.diaspora_weeks = 0
        self.diaspora_rate: np.ndarray | None = None  # frozen at the end of the burn-in
        self.formed_by_settlers = np.zeros(n)
        self.expired = np.zeros(n)
        self.formed_by_diaspora = np.zeros(n)
        self.active = np.bincount(hh.place[tied], minlength=n).astype(float)  # tied households
        self.target = self.active.copy()  # the 2019 number the burn-in keeps

    def form(self, hh: Households, rows: np.ndarray, week: int) -> None:
        """Households gain a (fresh) tie this week."""
        rows = np.unique(rows)
        new = hh.t_network[rows] <= week - self.tie_weeks  # had no active tie
        self.active += np.bincount(hh.place[rows[new]], minlength=self.active.size)
        hh.t_network[rows] = week
        self.expiries.add(np.full(rows.size, week + self.tie_weeks), rows)

    def settlers(self, hh: Households, rows: np.ndarray, week: int) -> None:
        """Ties formed because households settled abroad (counted for the balance)."""
        self.form(hh, rows, week)
        self.formed_by_settlers += np.bincount(hh.place[rows], minlength=self.expired.size)

    def expire(self, hh: Households, week: int) -> None:
        """Ties made ``tie_weeks`` ago lapse (first thing in the households' week)."""
        due = self.expiries.pop(week)
        due = due[hh.t_network[due] == week - self.tie_weeks]  # not renewed since
        self.expired = np.bincount(hh.place[due], minlength=self.active.size).astype(float)
        self.active -= self.expired

    def renew(self, hh: Households, week: int, balancing: bool, rng: np.random.Generator) -> None:
        """The diaspora renews ties (after this week's settlers formed theirs).

        Args:
            hh: the households.
            week: the current week.
            balancing: during the burn-in, the diaspora restores each place's 2019 number of
                tied households (its rate is averaged over the burn-in's last year).
            rng: the households' generator.
        """
        n = self.active.size
        if balancing or self.diaspora_rate is None:
            # the diaspora restores each place's tied households to their 2019 number
            counts = np.maximum(np.rint(self.target - self.active), 0).astype(np.int64)
            self.diaspora_sum = self.diaspora_sum * (51.0 / 52.0) + counts / 52.0
            self.diaspora_weeks += 1
        else:
            counts = rng.poisson(self.diaspora_rate)
        self.formed_by_diaspora = counts.astype(float)
        if counts.sum():
            self.form(hh, hh.random_in_places(counts, rng), week)
        self.formed_by_settlers = np.zeros(n)

    def freeze(self) -> None:
        """From now on the diaspora's flow is fixed at its recent burn-in rate."""
        years = min(self.diaspora_weeks / 52.0, 1.0)
        norm = (1.0 - (51.0 / 52.0) ** self.diaspora_weeks) if years else 1.0
        self.diaspora_rate = self.diaspora_sum / max(norm, 1e-12) if self.diaspora_weeks else None

    def share(self, hh: Households) -> np.ndarray:
        """Share of households with an active tie, per place."""
        return self.active / hh.count
