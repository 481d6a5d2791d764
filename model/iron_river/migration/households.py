"""Households: one row per simulated household, held as numpy arrays owned by the model.

There are millions of households, so they are never Python objects and never looped
over: every submodel (:mod:`exposure`, :mod:`migration`, :mod:`arrivals`) is a few
vectorised expressions over index arrays, and the weekly ones touch only the rows that
:meth:`Households.marks` picks, so their cost does not grow with the population. Rows are
sorted by origin place, so the households of place ``p`` are the contiguous block
``start[p] : start[p] + count[p]`` and a random household of a place is one uniform draw.
Exposure decays lazily: a row stores its exposure at the week it last changed.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from iron_river.world import geography

NEVER = -(10**6)  # a week long before the run: "no such event yet"


class Status(IntEnum):
    """Where a household is."""

    HOME = 0
    TRANSIT = 1  # travelling north
    RETURNING = 2  # arrived at the US border, returned, on the way home


class Households:
    """State of every simulated household (one row each)."""

    def __init__(
        self,
        place_ids: tuple[str, ...],
        real_households: np.ndarray,
        persons_per_household: np.ndarray,
        children_share: np.ndarray,
        poverty_share: np.ndarray,
        relatives_abroad_share: np.ndarray,
        network_weeks: float,
        scale: float,
        rng: np.random.Generator,
    ):
        """Draw the initial population.

        Args:
            place_ids: populated places, in the order of the per-place arrays.
            real_households: real households per place.
            persons_per_household: mean household size per place.
            children_share: initial share of households with children, per place.
            poverty_share: initial share of poor households, per place.
            relatives_abroad_share: initial share with a relative in the US, per place.
            network_weeks: the mean life of a tie to a relative abroad (weeks): existing ties
                get formation dates spread over it (the hazard does not use their age).
            scale: real households per simulated household.
            rng: the model's generator.
        """
        self.place_ids = place_ids
        self.scale = float(scale)
        self.key = int(rng.integers(2**63))  # the run's key of counter-based draws (uniform)
        count = np.maximum(1, np.rint(real_households / scale)).astype(np.int64)
        self.count = count
        self.start = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
        n = int(count.sum())
        self.n = n
        self.place = np.repeat(np.arange(len(place_ids), dtype=np.int16), count)
        # size 1 + Poisson(mean − 1) keeps the mean household size of the data
        self.size = (
            (1 + rng.poisson(np.repeat(persons_per_household - 1.0, count)))
            .clip(1, 20)
            .astype(np.uint8)
        )
        self.children = rng.random(n, dtype=np.float32) < np.repeat(children_share, count)
        self.poor = rng.random(n, dtype=np.float32) < np.repeat(poverty_share, count)
        self.status = np.zeros(n, dtype=np.int8)
        self.exposure = np.zeros(n, dtype=np.float32)
        self.t_exposure = np.zeros(n, dtype=np.int32)
        self.t_violent = np.full(n, NEVER, dtype=np.int32)
        # relatives abroad: ties of uniformly spread ages, so they expire at a steady pace
        has_tie = rng.random(n, dtype=np.float32) < np.repeat(relatives_abroad_share, count)
        age = rng.integers(0, max(int(network_weeks), 1), n).astype(np.int32)
        self.t_network = np.where(has_tie, -age, NEVER).astype(np.int32)
        self.t_departed = np.full(n, NEVER, dtype=np.int32)
        self.names_violence = np.zeros(n, dtype=bool)  # reported reason (T9), not a cause
        self.crossing = np.zeros(n, dtype=np.int8)
        self.route_victim = np.zeros(n, dtype=bool)
        self.initial_n = n
        # kept up to date by the submodels, so no weekly pass over all rows is needed
        self.home_size = np.bincount(self.place, weights=self.size, minlength=len(place_ids))
        self.status_counts = np.zeros(len(Status), dtype=np.int64)
        self.status_counts[Status.HOME] = n
        self.settled = 0  # households that arrived and stayed in the US
        self.formed = 0  # households formed at home to replace them
        self._children_share = np.asarray(children_share)
        self._poverty_share = np.asarray(poverty_share)
        self._size_mean = np.asarray(persons_per_household)

    def uniform(self, rows: np.ndarray, week: int, salt: int) -> np.ndarray:
        """A uniform number in [0, 1) for each of ``rows``, fixed by (run, row, week, salt).

        Counter-based (SplitMix64 of the key), not drawn from a stream: a household's draw for a
        given decision in a given week is the same in a baseline and a policy run of one seed,
        whatever else happened — so their difference is the policy's (common random numbers).
        """
        with np.errstate(over="ignore"):
            x = (
                rows.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
                ^ np.uint64((week + 1) * 0xBF58476D1CE4E5B9 % 2**64)
                ^ np.uint64((salt * 0x94D049BB133111EB + self.key) % 2**64)
            )
            x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            x ^= x >> np.uint64(31)
        return (x >> np.uint64(11)).astype(np.float64) * (1.0 / 2**53)

    def random_in_places(self, per_place: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Uniform random rows: ``per_place[p]`` of them in place ``p`` (with replacement)."""
        return self._uniform_rows(np.repeat(np.arange(len(per_place)), per_place), rng)

    def _uniform_rows(self, place: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One uniformly random row of each given place (a block of the sorted rows)."""
        return self.start[place] + (rng.random(place.size) * self.count[place]).astype(np.int64)

    def marks(self, rate: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Poisson marks on rows: ``rate[p, k]`` expected marks of kind ``k`` in place ``p``.

        Each mark lands on a uniform row of its place (a row may get several), so every row of
        place ``p`` receives independent Poisson(``rate[p, k] / count[p]``) marks of kind ``k``:
        violence landing at random, and the candidates of a thinned hazard. The work grows
        with the marks, not with the population, in a fixed dozen numpy calls: a Poisson total
        split over the cells by one multinomial draw, then one uniform per mark for its row.

        Returns:
            the row of each mark, and its cell ``p * K + k`` (``K`` kinds; the place if 1-D),
            grouped by cell.
        """
        flat = np.asarray(rate, dtype=float).ravel()
        total = float(flat.sum())
        if not total > 0.0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        per_cell = rng.multinomial(rng.poisson(total), flat / total)
        cell = np.repeat(np.arange(flat.size), per_cell)
        place = cell // (flat.size // self.count.size) if flat.size > self.count.size else cell
        return self._uniform_rows(place, rng), cell

    def persons(self, rows: np.ndarray) -> np.ndarray:
        """Real persons per place for a set of rows (scaled up)."""
        return (
            np.bincount(self.place[rows], weights=self.size[rows], minlength=len(self.place_ids))
            * self.scale
        )

    def move(self, rows: np.ndarray, to: Status) -> None:
        """Change the status of ``rows``, keeping the per-status and at-home tallies exact."""
        old = self.status[rows]
        self.status_counts -= np.bincount(old, minlength=len(Status))
        self.status_counts[to] += rows.size
        sign = int(to == Status.HOME) - (old == Status.HOME).astype(np.int8)
        self.home_size += np.bincount(
            self.place[rows], weights=self.size[rows] * sign, minlength=len(self.place_ids)
        )
        self.status[rows] = to

    def replace(self, rows: np.ndarray, week: int, rng: np.random.Generator) -> None:
        """Households that settled abroad are replaced by new households formed at home.

        The population is held steady (natural growth offsets emigration: an assumption); the
        new household has a relative abroad — the one that left (its tie is formed by
        :meth:`iron_river.migration.networks.Ties.settlers`).
        """
        p = self.place[rows]
        n = rows.size
        self.size[rows] = (1 + rng.poisson(self._size_mean[p] - 1.0)).clip(1, 20)
        self.children[rows] = rng.random(n) < self._children_share[p]
        self.poor[rows] = rng.random(n) < self._poverty_share[p]
        self.exposure[rows] = 0.0
        self.t_exposure[rows] = week
        self.t_violent[rows] = NEVER
        self.names_violence[rows] = False
        self.route_victim[rows] = False
        self.formed += n
        self.move(rows, Status.HOME)

    def persons_at_home(self) -> np.ndarray:
        """Real persons at home per place."""
        return self.home_size * self.scale

    def nbytes(self) -> int:
        """Memory held by the household arrays."""
        return sum(v.nbytes for v in vars(self).values() if isinstance(v, np.ndarray))


def first_of_runs(sorted_rows: np.ndarray) -> np.ndarray | None:
    """Mask of the first of each run of equal rows, or ``None`` if all differ (the usual case)."""
    if sorted_rows.size < 2:
        return None
    repeat = sorted_rows[1:] == sorted_rows[:-1]
    if not repeat.any():
        return None
    return np.concatenate(([True], ~repeat))


def per_place_inputs(place_ids: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Real households and mean household size of each populated place, from the data files.

    Mexican states have no household counts in ``places.csv``: national households
    (INEGI, ~3.6 persons per dwelling) are spread in proportion to population.
    """
    recs = {p.id: p for p in geography.places()}
    countries = geography.countries()
    real = np.empty(len(place_ids))
    size = np.empty(len(place_ids))
    for i, pid in enumerate(place_ids):
        rec = recs[pid]
        nat = countries[rec.country]
        persons_per_hh = nat.population / nat.households
        real[i] = rec.households if rec.households else rec.population / persons_per_hh
        size[i] = rec.population / real[i]
    return real, size
