"""Ties to relatives abroad: formed by settlers, lapsing over the years, renewed by the diaspora.

A household's tie lapses with a constant hazard, ``1 / migration.network_tie_years`` a year
(contact lost, relatives return or move on); settling in the US gives the household that
replaces the migrants at home a tie, and ``migration.network_ties_per_migrant`` other
households of the place one too — so a wave of migration raises the next one through networks.
Most ties in 2019 came from a diaspora the model does not simulate (Mexicans abroad outnumber a
year's settlers a hundredfold): during the burn-in it renews or ends whatever ties keep each
place's number of tied households at its 2019 value, and from the measured period on it keeps
its average net flow of the burn-in's last year. Lapses being memoryless, that flow balances
the 2019 settlers exactly, so with 2019 levers the share stays where the data put it; a policy
that changes settlement moves it from there.
"""

from __future__ import annotations

import numpy as np

from iron_river.migration.households import NEVER, Households, first_of_runs


class Ties:
    """Tied households per place, their lapses, and the diaspora's balancing flow."""

    def __init__(self, hh: Households, tie_years: float):
        self.lapse_prob = -np.expm1(-1.0 / (52.0 * tie_years))  # per tie and week
        n = len(hh.place_ids)
        tied = hh.t_network > NEVER
        self.active = np.bincount(hh.place[tied], minlength=n).astype(float)  # tied households
        self.target = self.active.copy()  # the 2019 number the burn-in keeps
        self.diaspora_sum = np.zeros(n)  # net diaspora ties over the last burn-in year (EMA)
        self.diaspora_weeks = 0
        self.diaspora_rate: np.ndarray | None = None  # frozen at the end of the burn-in
        self.formed_by_settlers = np.zeros(n)
        self.lapsed = np.zeros(n)
        self.formed_by_diaspora = np.zeros(n)

    def tied(self, hh: Households, rows: np.ndarray) -> np.ndarray:
        """Whether each of ``rows`` has a relative abroad now."""
        return hh.t_network[rows] > NEVER

    def form(self, hh: Households, rows: np.ndarray, week: int) -> None:
        """Households gain a (fresh) tie this week."""
        rows = _distinct(rows)
        new = ~self.tied(hh, rows)
        self.active += np.bincount(hh.place[rows[new]], minlength=self.active.size)
        hh.t_network[rows] = week

    def settlers(self, hh: Households, rows: np.ndarray, week: int) -> None:
        """Ties formed because households settled abroad (counted for the balance)."""
        before = self.active.copy()
        self.form(hh, rows, week)
        self.formed_by_settlers += self.active - before

    def expire(self, hh: Households, week: int, rng: np.random.Generator) -> None:
        """Draw the week's lapses (first thing in the households' week)."""
        counts = rng.binomial(self.active.astype(np.int64), self.lapse_prob)
        self.lapsed = self._end(hh, counts, week, rng)

    def renew(self, hh: Households, week: int, balancing: bool, rng: np.random.Generator) -> None:
        """The diaspora renews or ends ties (after this week's settlers formed theirs).

        Args:
            hh: the households.
            week: the current week.
            balancing: during the burn-in, the diaspora restores each place's 2019 number of
                tied households (its net flow is averaged over the burn-in's last year).
            rng: the households' generator.
        """
        n = self.active.size
        if balancing or self.diaspora_rate is None:
            before = self.active.copy()
            net = np.rint(self.target - self.active).astype(np.int64)
            self._apply(hh, net, week, rng)
            achieved = self.active - before
            self.diaspora_sum = self.diaspora_sum * (51.0 / 52.0) + achieved / 52.0
            self.diaspora_weeks += 1
        else:
            rate = self.diaspora_rate
            net = (np.sign(rate) * rng.poisson(np.abs(rate))).astype(np.int64)
            before = self.active.copy()
            self._apply(hh, net, week, rng)
            achieved = self.active - before
        self.formed_by_diaspora = achieved
        self.formed_by_settlers = np.zeros(n)

    def _apply(self, hh: Households, net: np.ndarray, week: int, rng: np.random.Generator):
        if (net > 0).any():
            untied = self._pick(hh, np.maximum(net, 0), week, rng, tied=False)
            self.form(hh, untied, week)
        if (net < 0).any():
            self._end(hh, np.maximum(-net, 0), week, rng)

    def _pick(
        self, hh: Households, counts: np.ndarray, week: int, rng: np.random.Generator, tied: bool
    ) -> np.ndarray:
        """Up to ``counts[p]`` random households of place ``p`` that are (not) tied."""
        share = self.active / hh.count
        share = np.maximum(share if tied else 1.0 - share, 1e-3)
        tries = np.ceil(3 * counts / share).astype(np.int64) + 8 * (counts > 0)
        rows = hh.random_in_places(np.minimum(tries, hh.count), rng)  # grouped by place
        rows = rows[self.tied(hh, rows) == tied]
        place = hh.place[rows]
        first = np.searchsorted(place, np.arange(counts.size))
        rank = np.arange(rows.size) - first[place]
        return _distinct(rows[rank < counts[place]])

    def _end(
        self, hh: Households, counts: np.ndarray, week: int, rng: np.random.Generator
    ) -> np.ndarray:
        """End ``counts[p]`` active ties in place ``p``; return the number ended per place."""
        if not counts.any():
            return np.zeros(self.active.size)
        rows = self._pick(hh, counts, week, rng, tied=True)
        hh.t_network[rows] = NEVER
        ended = np.bincount(hh.place[rows], minlength=self.active.size).astype(float)
        self.active -= ended
        return ended

    def freeze(self) -> None:
        """From now on the diaspora's net flow is fixed at its recent burn-in rate."""
        if self.diaspora_weeks:
            norm = 1.0 - (51.0 / 52.0) ** self.diaspora_weeks
            self.diaspora_rate = self.diaspora_sum / max(norm, 1e-12)

    def share(self, hh: Households) -> np.ndarray:
        """Share of households with an active tie, per place."""
        return self.active / hh.count


def _distinct(rows: np.ndarray) -> np.ndarray:
    """The rows, sorted, each once (repeats are rare: a sort beats hashing at these sizes)."""
    rows = np.sort(rows)
    first = first_of_runs(rows)
    return rows if first is None else rows[first]
