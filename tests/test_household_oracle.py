"""The numpy household rule agrees in distribution with a plain-Mesa reference (the oracle).

Both implementations start from the same households (``tests/reference_households.py``)
and are given the same weekly violence and hazards for ``WEEKS`` weeks, over several seeds.
Every statistic is a sum over independent households, so each comparison is a z-test:

- counts (departures, households exposed in a week): ``z = (A − B) / √(A + B)``. A count of
  rare Bernoulli events has variance ≤ its mean, so this Poisson error is conservative;
- proportions (who departs, share ever exposed, share of households in each exposure bin):
  pooled two-proportion z-test;
- means (exposure at the end): ``z = Δmean / √(s₁²/n₁ + s₂²/n₂)``.

A comparison fails if ``|z| > 4``: with ~40 comparisons a false alarm comes once in ~400
seed sets (the seeds are fixed, so the outcome is deterministic). ``test_oracle_has_power``
changes one parameter of the rule on the numpy side (cheap) and checks that the comparison
with the unchanged reference then fails: the tolerances are tight enough to mean something.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from iron_river.migration import decision as migration
from iron_river.migration import exposure
from iron_river.migration.households import NEVER
from tests.reference_households import (
    ReferenceModel,
    numpy_exposure,
    numpy_week,
    population,
    rule_inputs,
)

N_HOUSEHOLDS = 20_000
WEEKS = 30
SEEDS = (11, 12, 13, 14, 15)
BLOCKS = 3  # departures are also compared per place in blocks of WEEKS / BLOCKS weeks
EXPOSURE_BINS = [0.0, 1e-9, 0.5, 1.0, 1.5, 1.99, 2.01, np.inf]  # (1.99, 2.01]: at the cap
Z_MAX = 4.0


@dataclasses.dataclass
class Outcome:
    """What one implementation produced over all seeds.

    Weekly tallies are summed over seeds (weeks × places); the end state has one entry per
    household of every seed (pooled).
    """

    departures: np.ndarray
    exposed: np.ndarray
    end: dict[str, np.ndarray]


def run_numpy(perturb=None) -> Outcome:
    weekly, end = [], []
    for seed in SEEDS:
        hh = population(N_HOUSEHOLDS, seed)
        inputs = rule_inputs(hh) if perturb is None else perturb(rule_inputs(hh))
        rng = np.random.default_rng(seed + 1000)
        tallies = [numpy_week(hh, inputs, week, rng) for week in range(WEEKS)]
        weekly.append([[t.departures, t.exposed] for t in tallies])
        end.append(
            {
                "place": hh.place,
                "poor": hh.poor,
                "children": hh.children,
                "t_network": hh.t_network,
                "t_departed": hh.t_departed,
                "exposure": numpy_exposure(hh, WEEKS - 1, inputs.half_life),
                "ever_exposed": hh.t_violent > NEVER,
            }
        )
    return _outcome(weekly, end)


def run_reference() -> Outcome:
    weekly, end = [], []
    for seed in SEEDS:
        hh = population(N_HOUSEHOLDS, seed)
        model = ReferenceModel.like(hh, rule_inputs(hh), rng=seed + 2000)
        tallies = []
        for _ in range(WEEKS):
            model.step()
            tallies.append([model.departures, model.exposed])
        weekly.append(tallies)
        agents = list(model.agents)
        end.append(
            {
                "place": np.array([a.place for a in agents]),
                "poor": np.array([a.poor for a in agents]),
                "children": np.array([a.children for a in agents]),
                "t_network": np.array([a.t_network for a in agents]),
                "t_departed": np.array([a.t_departed for a in agents]),
                "exposure": model.exposure(),
                "ever_exposed": model.ever_exposed(),
            }
        )
    return _outcome(weekly, end)


def _outcome(weekly: list, end: list[dict]) -> Outcome:
    w = np.asarray(weekly, dtype=float).sum(axis=0)  # weeks × metric × places
    pooled = {k: np.concatenate([e[k] for e in end]) for k in end[0]}
    return Outcome(w[:, 0], w[:, 1], pooled)


def z_counts(a, b) -> np.ndarray:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return (a - b) / np.sqrt(np.maximum(a + b, 1.0))


def z_proportions(k1, n1, k2, n2) -> np.ndarray:
    k1, n1, k2, n2 = (np.asarray(x, dtype=float) for x in (k1, n1, k2, n2))
    pooled = (k1 + k2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return np.divide(k1 / n1 - k2 / n2, se, out=np.zeros_like(se), where=se > 0)


def z_means(x: np.ndarray, y: np.ndarray) -> float:
    se = np.sqrt(x.var(ddof=1) / x.size + y.var(ddof=1) / y.size)
    return float((x.mean() - y.mean()) / se) if se > 0 else 0.0


def compare(a: Outcome, b: Outcome) -> dict[str, float]:
    """z of every comparison, by name."""
    z: dict[str, float] = {}
    places = range(a.departures.shape[1])

    def per_place(name: str, values: np.ndarray) -> None:
        z.update({f"{name}, place {p}": float(values[p]) for p in places})

    # weekly departures per place: in total and over time
    per_place("departures", z_counts(a.departures.sum(0), b.departures.sum(0)))
    for weeks in np.array_split(np.arange(WEEKS), BLOCKS):
        zz = z_counts(a.departures[weeks].sum(0), b.departures[weeks].sum(0))
        per_place(f"departures in weeks {weeks[0]}-{weeks[-1]}", zz)

    # who left: each term of the hazard shows up in the make-up of the departures
    def leavers(o: Outcome) -> dict[str, np.ndarray]:
        e = o.end
        gone = e["t_departed"] > NEVER
        tie = e["t_network"] > NEVER
        return {"poor": e["poor"][gone], "children": e["children"][gone], "tie": tie[gone]}

    la, lb = leavers(a), leavers(b)
    for key in la:
        z[f"share of departures with {key}"] = float(
            z_proportions(la[key].sum(), la[key].size, lb[key].sum(), lb[key].size)
        )

    # exposure: events landing, memory, cap
    per_place("households exposed per week", z_counts(a.exposed.sum(0), b.exposed.sum(0)))
    ea, eb = a.end, b.end
    for p in places:
        in_a, in_b = ea["place"] == p, eb["place"] == p
        k_a, k_b = ea["ever_exposed"][in_a].sum(), eb["ever_exposed"][in_b].sum()
        z[f"share ever exposed, place {p}"] = float(z_proportions(k_a, in_a.sum(), k_b, in_b.sum()))
        z[f"mean exposure, place {p}"] = z_means(ea["exposure"][in_a], eb["exposure"][in_b])
    hist_a = np.histogram(ea["exposure"], EXPOSURE_BINS)[0]
    hist_b = np.histogram(eb["exposure"], EXPOSURE_BINS)[0]
    zz = z_proportions(hist_a, hist_a.sum(), hist_b, hist_b.sum())
    for lo, hi, zi in zip(EXPOSURE_BINS[:-1], EXPOSURE_BINS[1:], zz, strict=True):
        z[f"share with exposure in ({lo:g}, {hi:g}]"] = float(zi)
    return z


def failures(z: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 1) for k, v in z.items() if abs(v) > Z_MAX}


@pytest.fixture(scope="module")
def numpy_outcome() -> Outcome:
    return run_numpy()


@pytest.fixture(scope="module")
def reference_outcome() -> Outcome:
    return run_reference()


def test_setting_has_signal(numpy_outcome: Outcome) -> None:
    """The comparison is only worth something if every part of the rule shows in the counts."""
    deps = numpy_outcome.departures.sum()
    assert deps > 10_000
    assert 0.2 < numpy_outcome.end["ever_exposed"].mean() < 0.8
    capped = np.isclose(numpy_outcome.end["exposure"], exposure.EXPOSURE_CAP, atol=0.01)
    assert capped.sum() > 100
    assert (numpy_outcome.end["exposure"] > 1.0).sum() > 5000


def test_numpy_rule_matches_mesa_reference(numpy_outcome: Outcome, reference_outcome: Outcome):
    z = compare(numpy_outcome, reference_outcome)
    assert len(z) == 38
    assert not failures(z), f"implementations disagree beyond {Z_MAX} sigma: {failures(z)}"


def _hazard(**changes):
    return lambda inputs: inputs.with_hazard(**changes)


def _weights(recruitment: float):
    return lambda inputs: dataclasses.replace(inputs, weights=np.array([1.0, 1.0, recruitment]))


# Each change is about the smallest this setting detects reliably (|z| ≈ 6 or more).
POWER_CHECKS = {
    "victimisation ratio 2->2.5": _hazard(log_victim=np.full(4, np.log(2.5))),
    "violence terms x1.5": _hazard(violence=np.array([-0.15, 0.525, 0.3, 0.0])),
    "children multiplier 0.5->0.25": _hazard(children=0.25),
    "poverty multiplier 1.5->1.2": _hazard(poverty=1.2),
    "network multiplier 2->1.7": _hazard(network=1.7),
    "half-life 52->40 weeks": _hazard(half_life=40.0),
    "recruitment weight 2->1.5": _weights(recruitment=1.5),
    "exposure cap 2->2.5": "cap",
}


@pytest.mark.parametrize("perturb", POWER_CHECKS.values(), ids=POWER_CHECKS.keys())
def test_oracle_has_power(perturb, reference_outcome: Outcome, monkeypatch) -> None:
    """A slightly different rule on the numpy side must fail the comparison."""
    if perturb == "cap":
        monkeypatch.setattr(exposure, "EXPOSURE_CAP", 2.5)
        monkeypatch.setattr(migration, "EXPOSURE_CAP", 2.5)
        perturb = None
    assert failures(compare(run_numpy(perturb), reference_outcome))
