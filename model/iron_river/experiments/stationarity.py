"""Is the 2019 baseline stationary? Drift of the headline metrics over the measured decade.

FY2019 is treated as a steady state (FACTS.md asks a model that does so to say so): with every
lever at its 2019 value, what the model reports should neither grow nor shrink over the
measured period, or a policy's effect would be confounded with the baseline's drift. The
drift of a metric is the least-squares trend of its yearly values (mean over replicates)
across the measured years, times their span, relative to its mean: within ±3% is stationary.

    python -m iron_river.experiments.stationarity --replicates 6 --out docs/figures

writes ``burn_in.png`` (burn-in and measured years, each metric relative to its measured
mean) and prints the drift table.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from iron_river.experiments.runs import simulate
from iron_river.experiments.seeds import replicate_seeds
from iron_river.scenario import IronRiverScenario, load_scenario

TOLERANCE = 0.03
# the headline yearly flows, levels and network shares a stationary baseline must hold
SERIES = (
    "guns_bought",
    "guns_into_mexico",
    "guns_delivered",
    "cells",
    "homicides_MX",
    "homicides_GT",
    "homicides_HN",
    "homicides_SV",
    "arsenal_MX",
    "arsenal_GT",
    "members_MX",
    "members_SV",
    "price_MX",
    "arrivals",
    "arrivals_MX",
    "arrivals_GT",
    "arrivals_HN",
    "arrivals_SV",
    "relatives_abroad_share_MX",
    "relatives_abroad_share_GT",
    "relatives_abroad_share_HN",
    "relatives_abroad_share_SV",
)


@dataclass
class Drift:
    """Yearly values (burn-in included) and the measured decade's drift, per series."""

    years: np.ndarray  # years relative to the start of the measured period
    yearly: dict[str, np.ndarray]  # replicate-mean yearly value per series
    drift: dict[str, float]  # trend × span ÷ mean over the measured years (replicate mean)
    se: dict[str, float]  # its standard error over replicates
    replicates: int

    def failing(self, tolerance: float = TOLERANCE, alpha: float = 0.05) -> dict[str, float]:
        """Series whose drift is beyond the tolerance by more than its sampling error.

        "More than its sampling error": ``k`` standard errors, ``k`` the Student-t quantile
        (replicates − 1 degrees of freedom) that keeps the chance of any false alarm over all
        the series below ``alpha`` (Bonferroni): a stationary model passes 95% of seeds.
        """
        from scipy.stats import t

        k = float(t.ppf(1 - alpha / (2 * len(self.drift)), max(self.replicates - 1, 1)))
        return {k_: v for k_, v in self.drift.items() if abs(v) - k * self.se[k_] > tolerance}


def measure(scenario: IronRiverScenario, replicates: int, seed: int = 20190101) -> Drift:
    """Run the replicates with the full weekly record (burn-in included) and fit the drifts."""
    per_run = []
    for s in replicate_seeds(seed, replicates):
        run = simulate(scenario, s, measured_only=False)
        per_run.append({k: run.weekly[k].reshape(-1, 52).mean(axis=1) for k in SERIES})
    yearly = {k: np.mean([r[k] for r in per_run], axis=0) for k in SERIES}
    n_years = len(next(iter(yearly.values())))
    years = np.arange(n_years) - scenario.burn_in_years
    measured = years >= 0
    drift, se = {}, {}
    for k in SERIES:
        each = np.array([_drift(years[measured], r[k][measured]) for r in per_run])
        drift[k] = float(each.mean())
        se[k] = float(each.std(ddof=1) / np.sqrt(each.size)) if each.size > 1 else 0.0
    return Drift(years, yearly, drift, se, replicates)


def _drift(x: np.ndarray, y: np.ndarray) -> float:
    """Trend of ``y`` over ``x`` times the span, relative to the mean of ``y``."""
    if y.size < 2 or not y.mean():
        return 0.0
    return float(np.polyfit(x, y, 1)[0] * (x[-1] - x[0] + 1) / y.mean())


def figure(d: Drift, path: Path) -> None:
    """Each series relative to its measured mean, burn-in shaded, the ±3% band drawn."""
    from iron_river.outputs.figures import figure as new_figure

    groups = {
        "guns": ("guns_bought", "guns_delivered", "cells", "arsenal_MX", "price_MX"),
        "violence": (
            "homicides_MX",
            "homicides_GT",
            "homicides_HN",
            "homicides_SV",
            "members_MX",
            "members_SV",
        ),
        "migration": (
            "arrivals_MX",
            "arrivals_GT",
            "arrivals_HN",
            "arrivals_SV",
            "relatives_abroad_share_MX",
            "relatives_abroad_share_GT",
        ),
    }
    fig, axes = new_figure((15, 4.6), 1, 3, sharey=True)
    measured = d.years >= 0
    for ax, (title, keys) in zip(axes, groups.items(), strict=True):
        ax.axvspan(d.years[0] - 0.5, -0.5, color="0.92", label="burn-in (2019 levers)")
        ax.axhspan(
            -100 * TOLERANCE,
            100 * TOLERANCE,
            color="#d9ead3",
            alpha=0.6,
            label=f"±{TOLERANCE:.0%} of the measured mean",
        )
        for k in keys:
            v = d.yearly[k]
            ax.plot(
                d.years,
                100 * (v / v[measured].mean() - 1),
                marker="o",
                ms=3,
                label=f"{k} (drift {d.drift[k]:+.1%})",
            )
        ax.axhline(0, color="k", lw=0.6)
        ax.set_title(f"{title}: yearly value vs its measured mean", fontsize=10)
        ax.set_xlabel("year (0 = first measured year)")
        ax.legend(fontsize=6.5, loc="lower right")
    axes[0].set_ylabel("% of the measured decade's mean")
    axes[0].set_ylim(-25, 15)
    fig.suptitle(
        f"The 2019 baseline with every lever held: {d.replicates} replicates (mean), scale "
        "1:100. Drift = trend over the measured years.",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table, write the figure; exit 1 if a series drifts too much."""
    p = argparse.ArgumentParser(prog="python -m iron_river.experiments.stationarity")
    p.add_argument("--replicates", type=int, default=6)
    p.add_argument("--years", type=int, default=10)
    p.add_argument("--scale", type=float, default=100.0)
    p.add_argument("--out", type=Path, default=None, help="folder for burn_in.png")
    args = p.parse_args(argv)
    sc = load_scenario(None, [f"years={args.years}", f"scale={args.scale}"])
    d = measure(sc, args.replicates)
    bad = d.failing()
    for k, v in d.drift.items():
        print(f"{k:28s} {v:+.2%} ± {2 * d.se[k]:.2%}{'  DRIFTS' if k in bad else ''}")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        figure(d, args.out / "burn_in.png")
        print(f"figure: {args.out / 'burn_in.png'}")
    return 1 if d.failing() else 0


if __name__ == "__main__":
    sys.exit(main())
