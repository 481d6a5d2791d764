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
  ``h`` the yearly hazard of the :mod:`iron_river.migration` docstring, and the departure is
  attributed to violence with probability ``1 − h(v=0)/h``.

Departed households stay away (arrivals and returns are not part of the rule compared).
:func:`numpy_week` drives the numpy implementation through one week the way
``IronRiverModel._households_week`` does, so tests and benchmarks compare like with like.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import mesa
import numpy as np

from iron_river.migration.decision import decide
from iron_river.migration.exposure import EXPOSURE_CAP, current, victimise
from iron_river.migration.households import NEVER, Households, Status
from iron_river.scenario import IronRiverScenario
from iron_river.scenario.migration import Migration


@dataclass(frozen=True)
class RuleInputs:
    """What the household rule is given each week (held constant here)."""

    events: np.ndarray  # (P, K) expected events per place and kind, in simulated households
    weights: np.ndarray  # (K,) exposure added by one event of each kind
    children_only: np.ndarray  # (K,) kinds that only land on households with children
    base: np.ndarray  # (P,) yearly base hazard of each place's country
    ambient: np.ndarray  # (P,) expected homicide rate per 100k
    migration: Migration
    half_life: float  # weeks
    cap: float = EXPOSURE_CAP

    def with_migration(self, **changes: float) -> RuleInputs:
        """The same inputs with some migration parameters changed."""
        return replace(self, migration=replace(self.migration, **changes))


def default_migration() -> Migration:
    """The baseline migration parameters."""
    return IronRiverScenario().migration


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
        self.violence_reason = False

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

    def hazard(self) -> tuple[float, float]:
        """Yearly migration hazard without and with violence."""
        m, model = self.model.migration, self.model
        h0 = model.base[self.place] * (1.0 - m.us_deterrence * m.deterrence_sensitivity)
        if self.poor:
            h0 *= m.poverty_multiplier
        if model.week - self.t_network < m.network_tie_years * 52:
            h0 *= m.network_multiplier
        weight = 1.0 + m.children_violence_multiplier * self.children
        signal = m.ambient_coefficient * model.ambient[self.place]
        signal += m.exposure_coefficient * self.exposure
        return h0, h0 * math.exp(m.violence_effect * weight * signal)

    def consider_leaving(self) -> None:
        h0, h = self.hazard()
        if self.model.random.random() >= -math.expm1(-h / 52.0):
            return
        self.home = False
        self.t_departed = self.model.week
        violence_share = min(max(1.0 - h0 / h, 0.0), 1.0)
        self.violence_reason = self.model.random.random() < violence_share
        self.model.departures[self.place] += 1
        self.model.departures_violence[self.place] += self.violence_reason


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
        self.base = [float(b) for b in inputs.base]
        self.ambient = [float(a) for a in inputs.ambient]
        self.migration = inputs.migration
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
        self.departures_violence = [0] * self.n_places
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
    departures_violence: np.ndarray
    exposed: np.ndarray


def numpy_week(
    hh: Households, inputs: RuleInputs, week: int, rng: np.random.Generator
) -> WeekTally:
    """One week of the numpy household rule, called as ``IronRiverModel._households_week`` does."""
    exposed = victimise(
        hh, inputs.events, inputs.weights, inputs.children_only, week, inputs.half_life, rng
    )
    rows, violence = decide(
        hh, week, inputs.base, inputs.ambient, inputs.migration, inputs.half_life, rng
    )
    hh.move(rows, Status.TRANSIT)
    hh.t_departed[rows] = week
    hh.violence_reason[rows] = violence
    n_places = len(hh.place_ids)
    return WeekTally(
        np.bincount(hh.place[rows], minlength=n_places),
        np.bincount(hh.place[rows[violence]], minlength=n_places),
        exposed.astype(np.int64),
    )


def numpy_exposure(hh: Households, week: int, half_life: float) -> np.ndarray:
    """Every household's remembered exposure at ``week``."""
    return current(hh, np.arange(hh.n), week, half_life).astype(float)


# ---------------------------------------------------------------- a population and its inputs


def population(
    n: int, rng: np.random.Generator | int = 0, migration: Migration | None = None
) -> Households:
    """About ``n`` households in four places of different sizes, poverty and networks."""
    m = migration or default_migration()
    shares = np.array([0.3, 0.25, 0.25, 0.2])
    return Households(
        ("p0", "p1", "p2", "p3"),
        real_households=np.rint(shares * n),
        persons_per_household=np.array([3.6, 4.2, 4.0, 3.9]),
        children_share=np.array([0.45, 0.6, 0.55, 0.4]),
        poverty_share=np.array([0.35, 0.6, 0.5, 0.25]),
        relatives_abroad_share=np.array([0.15, 0.3, 0.25, 0.1]),
        network_weeks=m.network_tie_years * 52,
        scale=1.0,
        rng=np.random.default_rng(rng),
    )


def rule_inputs(hh: Households, migration: Migration | None = None) -> RuleInputs:
    """Violence and hazards for :func:`population`: a quiet place, two violent ones, a middle one.

    Base hazards are raised above the calibrated ones (×10–20) so that a few weeks give
    thousands of departures and the comparison has power.
    """
    m = migration or default_migration()
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
        weights=np.array([1.0, 1.0, m.recruitment_weight]),
        children_only=np.array([False, False, True]),
        base=np.array([0.01, 0.07, 0.05, 0.03]),
        ambient=np.array([20.0, 45.0, 35.0, 25.0]),
        migration=m,
        half_life=IronRiverScenario().exposure.memory_half_life_weeks,
    )
