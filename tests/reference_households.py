"""A plain-Mesa reference for the weekly household rule: one ``mesa.Agent`` per household.

This is the oracle the numpy implementation (:mod:`iron_river.migration.exposure`,
:func:`iron_river.migration.decide`) is checked against, and the baseline its speed is
measured against (``benchmarks/households.py``). It restates the rule the obvious way,
without sharing any code with the numpy path:

- exposure: each kind ``k`` of violence in place ``p`` lands on random rows of the place, so
  a household at home receives Poisson(``events[p, k] / count[p]``) events of that kind
  (recruitment only if it has children). A household's exposure decays by ``2^(−1/half-life)``
  every week and, when hit, becomes ``min(E + Σ weights, EXPOSURE_CAP)``;
- migration: a household at home leaves this week with probability ``1 − exp(−h/52)``, with
  ``h`` the yearly hazard of the :mod:`iron_river.migration.decision` docstring.

Departed households stay away (arrivals and returns are not part of the rule compared).
:func:`numpy_week` drives the numpy implementation through one week the way
``IronRiverModel._households_week`` does, so tests and benchmarks compare like with like.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import mesa
import numpy as np

from iron_river.migration.decision import HazardInputs, decide
from iron_river.migration.exposure import EXPOSURE_CAP, current, victimise
from iron_river.migration.households import NEVER, Households, Status
from iron_river.scenario import IronRiverScenario


@dataclass(frozen=True)
class RuleInputs:
    """What the household rule is given each week (held constant here)."""

    events: np.ndarray  # (P, K) expected events per place and kind, in simulated households
    weights: np.ndarray  # (K,) exposure added by one event of each kind
    children_only: np.ndarray  # (K,) kinds that only land on households with children
    hazard: HazardInputs  # the terms of the migration hazard
    cap: float = EXPOSURE_CAP

    @property
    def half_life(self) -> float:
        """Exposure memory (weeks)."""
        return self.hazard.half_life

    def with_hazard(self, **changes) -> RuleInputs:
        """The same inputs with some terms of the hazard changed."""
        return replace(self, hazard=replace(self.hazard, **changes))


# ---------------------------------------------------------------- the plain-Mesa reference


class Household(mesa.Agent):
    """One household: where it lives, who it is, what it remembers, whether it is at home."""

    def __init__(
        self, model: ReferenceModel, place: int, children: bool, poor: bool, t_network: int
    ):
        super().__init__(model)
        self.place = place
        self.children = children
        self.poor = poor
        self.t_network = t_network  # week the tie to a relative abroad was made
        self.home = True
        self.exposure = 0.0
        self.t_violent = NEVER
        self.t_departed = NEVER

    def step(self) -> None:
        """One week: forget a little, perhaps suffer violence, perhaps leave."""
        self.forget()
        if self.home:
            self.suffer_violence()
            self.consider_leaving()

    def forget(self) -> None:
        self.exposure *= self.model.decay

    def suffer_violence(self) -> None:
        """Poisson(λ) events by inversion of one uniform; each event's kind by λ_k / λ."""
        model = self.model
        lam = model.lam_children[self.place] if self.children else model.lam_all[self.place]
        u = model.random.random()
        p = math.exp(-lam)
        if u < p:
            return  # no event: by far the commonest case
        kinds = model.kind_cum_children if self.children else model.kind_cum_all
        cum, hits, added = p, 0, 0.0
        while u >= cum:
            hits += 1
            p *= lam / hits
            cum += p
            pick = model.random.random()
            k = 0
            while pick >= kinds[self.place][k]:
                k += 1
            added += model.weights[k]
        self.exposure = min(self.exposure + added, model.cap)
        self.t_violent = model.week
        model.exposed[self.place] += 1

    def hazard(self) -> float:
        """Yearly migration hazard."""
        x, p = self.model.hazard, self.place
        h = float(x.base[p])
        if self.poor:
            h *= x.poverty
        if self.t_network > NEVER:
            h *= x.network
        weight = 1.0 + x.children * self.children
        signal = float(x.violence[p]) + float(x.log_victim[p]) * self.exposure
        return h * math.exp(weight * signal)

    def consider_leaving(self) -> None:
        if self.model.random.random() >= -math.expm1(-self.hazard() / 52.0):
            return
        self.home = False
        self.t_departed = self.model.week
        self.model.departures[self.place] += 1


class ReferenceModel(mesa.Model):
    """The households of a few places, stepped one agent at a time (``shuffle_do("step")``).

    Args:
        place: place index of each household.
        children: whether each household has children.
        poor: whether each household is poor.
        t_network: week each household's tie abroad was made (``NEVER`` if none).
        inputs: the weekly inputs.
        rng: seed.
    """

    def __init__(
        self,
        place: np.ndarray,
        children: np.ndarray,
        poor: np.ndarray,
        t_network: np.ndarray,
        inputs: RuleInputs,
        rng: int | None = None,
    ):
        super().__init__(rng=rng)
        self.week = 0
        self.n_places = n_places = inputs.events.shape[0]
        count = np.bincount(place, minlength=n_places)
        # events land uniformly on the rows of a place, at home or not: rate per household
        lam = inputs.events / count[:, None]
        adult_lam = np.where(inputs.children_only, 0.0, lam)
        self.lam_all = adult_lam.sum(axis=1).tolist()
        self.lam_children = lam.sum(axis=1).tolist()
        self.kind_cum_all = _cumulative_shares(adult_lam)
        self.kind_cum_children = _cumulative_shares(lam)
        self.weights = [float(w) for w in inputs.weights]
        self.hazard = inputs.hazard
        self.decay = 2.0 ** (-1.0 / inputs.half_life)
        self.cap = inputs.cap
        for row in zip(
            place.tolist(), children.tolist(), poor.tolist(), t_network.tolist(), strict=True
        ):
            Household(self, *row)
        self._clear_tallies()

    @classmethod
    def like(cls, hh: Households, inputs: RuleInputs, rng: int | None = None) -> ReferenceModel:
        """A reference population identical to the rows of ``hh``."""
        return cls(hh.place, hh.children, hh.poor, hh.t_network, inputs, rng)

    def _clear_tallies(self) -> None:
        self.departures = [0] * self.n_places
        self.exposed = [0] * self.n_places

    def step(self) -> None:
        """One week of the household rule."""
        self._clear_tallies()
        self.agents.shuffle_do("step")
        self.week += 1

    def exposure(self) -> np.ndarray:
        """Every household's remembered exposure now."""
        return np.array([a.exposure for a in self.agents])

    def ever_exposed(self) -> np.ndarray:
        """Whether each household has suffered violence."""
        return np.array([a.t_violent > NEVER for a in self.agents])


def _cumulative_shares(lam: np.ndarray) -> list[list[float]]:
    total = lam.sum(axis=1, keepdims=True)
    shares = np.divide(lam, total, out=np.zeros_like(lam), where=total > 0)
    cum = np.cumsum(shares, axis=1)
    cum[:, -1] = np.inf  # rounding never lets a draw fall off the end
    return cum.tolist()


# ---------------------------------------------------------------- the numpy implementation


@dataclass
class WeekTally:
    """Per-place counts from one week of the numpy rule."""

    departures: np.ndarray
    exposed: np.ndarray


def numpy_week(
    hh: Households, inputs: RuleInputs, week: int, rng: np.random.Generator
) -> WeekTally:
    """One week of the numpy household rule, called as ``IronRiverModel._households_week`` does."""
    exposed = victimise(
        hh, inputs.events, inputs.weights, inputs.children_only, week, inputs.half_life, rng
    )
    rows = decide(hh, week, inputs.hazard, rng)
    hh.move(rows, Status.TRANSIT)
    hh.t_departed[rows] = week
    n_places = len(hh.place_ids)
    return WeekTally(np.bincount(hh.place[rows], minlength=n_places), exposed.astype(np.int64))


def numpy_exposure(hh: Households, week: int, half_life: float) -> np.ndarray:
    """Every household's remembered exposure at ``week``."""
    return current(hh, np.arange(hh.n), week, half_life).astype(float)


# ---------------------------------------------------------------- a population and its inputs


TIE_WEEKS = 20 * 52


def population(n: int, rng: np.random.Generator | int = 0) -> Households:
    """About ``n`` households in four places of different sizes, poverty and networks."""
    shares = np.array([0.3, 0.25, 0.25, 0.2])
    return Households(
        ("p0", "p1", "p2", "p3"),
        real_households=np.rint(shares * n),
        persons_per_household=np.array([3.6, 4.2, 4.0, 3.9]),
        children_share=np.array([0.45, 0.6, 0.55, 0.4]),
        poverty_share=np.array([0.35, 0.6, 0.5, 0.25]),
        relatives_abroad_share=np.array([0.15, 0.3, 0.25, 0.1]),
        network_weeks=TIE_WEEKS,
        scale=1.0,
        rng=np.random.default_rng(rng),
    )


def rule_inputs(hh: Households) -> RuleInputs:
    """Violence and hazards for :func:`population`: a quiet place, two violent ones, a middle one.

    Base hazards are far above the calibrated ones and the violence terms stronger than the
    evidence-based ones, so that a few weeks give thousands of departures and every term of
    the rule shows in the counts (the comparison has power).
    """
    # weekly chance per household of a homicide-linked event, extortion, a recruitment attempt
    per_household = np.array(
        [
            [0.002, 0.004, 0.002],
            [0.012, 0.015, 0.010],
            [0.010, 0.008, 0.006],
            [0.004, 0.006, 0.003],
        ]
    )
    return RuleInputs(
        events=per_household * hh.count[:, None],
        weights=np.array([1.0, 1.0, 2.0]),
        children_only=np.array([False, False, True]),
        hazard=HazardInputs(
            base=np.array([0.02, 0.12, 0.09, 0.05]),
            violence=np.array([-0.1, 0.35, 0.2, 0.0]),  # v · ε · ln(H / H*)
            log_victim=np.full(4, math.log(2.0)),
            violence_cap=np.full(4, 0.1),
            children=0.5,
            poverty=1.5,
            network=2.0,
            half_life=IronRiverScenario().exposure.memory_half_life_weeks,
        ),
    )
