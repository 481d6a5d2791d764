"""The policy answer and its uncertainty: how much is the parameters', how much the dice's.

Replicate ``r`` of a design runs posterior draw ``r`` (:mod:`iron_river.scenario.posterior`)
with seed ``r``, for the baseline and the policy alike; its paired change therefore carries
parameter uncertainty and stochastic noise together, and the spread over replicates is the
answer's whole uncertainty. Seed noise alone is measured by replicates that share one parameter
set (the posterior's point, ``parameters = "point"``); the rest of the variance is the
parameters'.

Which parameters the answer hinges on: across replicates, the rank correlation between each
parameter's drawn value and the replicate's change (Spearman), kept when it stands out of
what chance gives ``R`` replicates (|ρ| > 2/√(R−1)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import spearmanr

from iron_river.experiments.design import BAND


@dataclass
class Uncertainty:
    """A paired change's mean, 90% interval, and the seed-only part of its spread."""

    mean: float
    p05: float
    p95: float
    sd: float
    seed_sd: float = math.nan  # SD of the change over seeds at one parameter set
    seed_p05: float = math.nan
    seed_p95: float = math.nan
    replicates: int = 0
    seed_replicates: int = 0

    @property
    def parameter_share(self) -> float:
        """Share of the change's variance due to the parameters (1 − seed variance / total)."""
        if not (self.sd > 0 and math.isfinite(self.seed_sd)):
            return math.nan
        return float(min(max(1.0 - (self.seed_sd / self.sd) ** 2, 0.0), 1.0))

    def as_dict(self) -> dict[str, float]:
        """For report.json."""
        return {
            "mean": self.mean,
            "p05": self.p05,
            "p95": self.p95,
            "sd": self.sd,
            "seed_sd": self.seed_sd,
            "seed_p05": self.seed_p05,
            "seed_p95": self.seed_p95,
            "parameter_share": self.parameter_share,
            "replicates": self.replicates,
            "seed_replicates": self.seed_replicates,
        }


def _finite(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return x[np.isfinite(x)]


def uncertainty(change: np.ndarray, seed_only: np.ndarray | None = None) -> Uncertainty:
    """Summarise paired changes (one per replicate) and, if given, changes at one parameter set."""
    x = _finite(change)
    if x.size == 0:
        return Uncertainty(math.nan, math.nan, math.nan, math.nan)
    lo, hi = np.percentile(x, BAND)
    out = Uncertainty(
        float(x.mean()),
        float(lo),
        float(hi),
        float(x.std(ddof=1)) if x.size > 1 else 0.0,
        replicates=int(x.size),
    )
    if seed_only is not None:
        s = _finite(seed_only)
        if s.size > 1:
            slo, shi = np.percentile(s, BAND)
            out.seed_sd, out.seed_p05, out.seed_p95 = float(s.std(ddof=1)), float(slo), float(shi)
            out.seed_replicates = int(s.size)
    return out


@dataclass
class Hinge:
    """One parameter's rank correlation with the answer across posterior draws."""

    parameter: str
    rho: float
    low: float  # mean change among replicates in the lowest third of this parameter
    high: float  # ... and in the highest third


@dataclass
class Hinges:
    """The parameters the answer moves with, strongest first, and the chance threshold."""

    threshold: float
    rows: list[Hinge] = field(default_factory=list)


def hinges(values: np.ndarray, keys: list[str], change: np.ndarray, top: int = 6) -> Hinges:
    """Rank correlations between drawn parameter values (R × K) and the paired change (R).

    Kept: the ``top`` strongest with |ρ| above 2/√(R−1) (about two standard errors of ρ under
    no association). Parameters a replicate does not draw (constant) are skipped.
    """
    ok = np.isfinite(change)
    y, x = np.asarray(change)[ok], np.asarray(values)[ok]
    r = y.size
    threshold = 2.0 / math.sqrt(r - 1) if r > 2 else math.inf
    rows = []
    if r > 2:
        for j, key in enumerate(keys):
            col = x[:, j]
            if np.ptp(col) == 0:
                continue
            rho = float(spearmanr(col, y).statistic)
            if not math.isfinite(rho) or abs(rho) <= threshold:
                continue
            lo, hi = np.quantile(col, [1 / 3, 2 / 3])
            rows.append(Hinge(key, rho, float(y[col <= lo].mean()), float(y[col >= hi].mean())))
    rows.sort(key=lambda h: -abs(h.rho))
    return Hinges(threshold, rows[:top])


def per_point(change: float, x_from: float, x_to: float) -> float:
    """A change per percentage point of interdiction between two rates (fractions of loads)."""
    return change / ((x_to - x_from) * 100.0)
