"""What the data pin down: each fitted parameter's posterior against its prior.

For every parameter the spread is measured on the scale it was sampled on (log for log-uniform
priors): ``ratio = posterior SD / prior SD``. Below 0.5 the targets and responses *pin* the
parameter; from 0.5 to 0.8 they *narrow* it; above 0.8 it stays *prior-dominated* — the
answer's uncertainty about it is the prior's, and only new evidence would shrink it.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from iron_river.scenario.scenario import PRIORS

PINNED, NARROWED = 0.5, 0.8


def _scaled(key: str, x: np.ndarray) -> np.ndarray:
    return np.log(x) if PRIORS[key].kind == "log-uniform" else x


def _prior_sd(key: str) -> float:
    p = PRIORS[key]
    lo, hi = (math.log(p.lo), math.log(p.hi)) if p.kind == "log-uniform" else (p.lo, p.hi)
    return (hi - lo) / math.sqrt(12.0)


def logits(keys: list[str], values: np.ndarray) -> np.ndarray:
    """Each value's logit of its position in its prior (:meth:`Prior.logit`): the fit's z."""
    return np.array([[PRIORS[k].logit(v) for k, v in zip(keys, r, strict=True)] for r in values])


def span(z: np.ndarray, rel: float = 0.01) -> int:
    """Directions the particles spread along (a degenerate population has lost some).

    The singular values of the centred logits of the distinct particles above ``rel`` of the
    largest (see :func:`iron_river.experiments.abc_smc.proposal_covariance` for how a fit loses
    directions).
    """
    u = np.unique(z, axis=0)
    if u.shape[0] < 2:
        return 0
    s = np.linalg.svd(u - u.mean(axis=0), compute_uv=False)
    return int((s > rel * s[0]).sum())


def sample_kernel_generations(meta: dict) -> tuple[int, int]:
    """(generations moved with the sample covariance, all generations) over a fit's history.

    A fit without a ``kernel`` field predates the option and used the sample covariance; a
    continued fit's earlier generations are those of the posterior it continued.
    """
    total = int(meta.get("generations", 0))
    sample, end, m = 0, total, meta
    while m is not None:
        start = int(m["continued_from"].get("generations", 0)) if "continued_from" in m else 0
        if m.get("kernel", "sample") == "sample":
            sample += end - start
        end, m = start, m.get("continued_from")
    return sample, total


def move_warning(meta: dict, spread: int, n_keys: int) -> str:
    """What a reader must know about the moves that made a posterior ('' if nothing)."""
    sample, total = sample_kernel_generations(meta)
    if sample == 0:
        return ""
    if sample >= total:
        return (
            "This fit's moves used the sample covariance of its kept particles, fewer than the "
            "parameters, which confines every move to their span: the population lost "
            "directions generation by generation, so the SD ratios and every interval drawn "
            "from it understate what the data leave unknown."
        )
    return (
        f"Its first {sample} of {total} generations moved the particles with the sample "
        "covariance of the kept ones, which confined the moves to their span and lost "
        f"directions; the last {total - sample} used full-rank moves, which spread the "
        f"population back along {spread} of {n_keys} directions, but a few generations "
        "restore only part of the spread lost: the intervals may still understate what the "
        "data leave unknown."
    )


def quantiles(x: np.ndarray, w: np.ndarray, qs=(0.05, 0.5, 0.95)) -> list[float]:
    """Weighted quantiles of ``x``."""
    order = np.argsort(x)
    cum = np.cumsum(w[order])
    return [float(x[order[min(np.searchsorted(cum, q), x.size - 1)]]) for q in qs]


def table(keys: list[str], values: np.ndarray, w: np.ndarray) -> list[dict]:
    """One row per parameter: prior, posterior quantiles, SD ratio and what the data did."""
    rows = []
    for j, key in enumerate(keys):
        x = _scaled(key, values[:, j])
        mean = float(np.sum(w * x))
        sd = float(math.sqrt(max(np.sum(w * (x - mean) ** 2), 0.0)))
        ratio = sd / _prior_sd(key)
        q05, q50, q95 = quantiles(values[:, j], w)
        rows.append(
            {
                "parameter": key,
                "prior": PRIORS[key].describe(),
                "posterior_p05": q05,
                "posterior_median": q50,
                "posterior_p95": q95,
                "sd_ratio": ratio,
                "verdict": "pinned"
                if ratio < PINNED
                else ("narrowed" if ratio < NARROWED else "prior-dominated"),
                "prior_reason": PRIORS[key].reason,
            }
        )
    return rows


def markdown(rows: list[dict]) -> str:
    """The table as Markdown, most pinned first."""
    lines = [
        "| parameter | prior | posterior median [5%, 95%] | SD ratio | verdict |",
        "|---|---|---|---|---|",
    ]
    lines.extend(
        f"| `{r['parameter']}` | {r['prior']} | {r['posterior_median']:.4g} "
        f"[{r['posterior_p05']:.4g}, {r['posterior_p95']:.4g}] | {r['sd_ratio']:.2f} "
        f"| {r['verdict']} |"
        for r in sorted(rows, key=lambda r: r["sd_ratio"])
    )
    return "\n".join(lines)


def write(folder: Path, keys: list[str], values: np.ndarray, w: np.ndarray) -> list[dict]:
    """``identification.csv``, ``identification.md``, ``marginals.png`` and ``pairs.png``."""
    rows = table(keys, values, w)
    with (folder / "identification.csv").open("w", newline="", encoding="utf-8") as fh:
        wr = csv.DictWriter(fh, fieldnames=list(rows[0]))
        wr.writeheader()
        wr.writerows(rows)
    (folder / "identification.md").write_text(markdown(rows) + "\n", encoding="utf-8")
    marginals(folder / "marginals.png", keys, values, w, rows)
    pairs(folder / "pairs.png", keys, values, w, rows)
    return rows


def _log_axis_tools():
    from matplotlib.ticker import LogLocator, NullFormatter

    return LogLocator, NullFormatter


def density(
    key: str, x: np.ndarray, w: np.ndarray, bins: int = 15
) -> tuple[np.ndarray, np.ndarray, float]:
    """A weighted histogram of ``x`` over the prior's support, and the prior's (flat) level.

    Densities are per unit of the prior's own scale (log value for log-uniform priors), so a
    posterior equal to its prior has bars at the level of the line, on a linear or a log axis.

    Returns:
        bin edges (in values), density per bin, and the prior's density.
    """
    p = PRIORS[key]
    lo, hi = (math.log(p.lo), math.log(p.hi)) if p.kind == "log-uniform" else (p.lo, p.hi)
    scaled_edges = np.linspace(lo, hi, bins + 1)
    dens, _ = np.histogram(_scaled(key, x), bins=scaled_edges, weights=w, density=True)
    edges = np.exp(scaled_edges) if p.kind == "log-uniform" else scaled_edges
    return edges, dens, 1.0 / (hi - lo)


def marginals(path: Path, keys, values, w, rows) -> None:
    """Each parameter's posterior histogram over its prior's support (flat line: the prior).

    Log-uniform priors are drawn on a log axis with densities per unit of log value.
    """
    from iron_river.outputs.figures import figure

    LogLocator, NullFormatter = _log_axis_tools()  # noqa: N806 (matplotlib's class names)
    n = len(keys)
    cols = 6
    nrows = math.ceil(n / cols)
    fig, axes = figure((2.6 * cols, 1.9 * nrows), nrows, cols)
    verdict = {r["parameter"]: r for r in rows}
    colour = {"pinned": "#1b7837", "narrowed": "#e08214", "prior-dominated": "#8c8c8c"}
    for ax, (j, key) in zip(axes.flat, enumerate(keys), strict=False):
        p = PRIORS[key]
        x = values[:, j]
        log = p.kind == "log-uniform"
        edges, dens, flat = density(key, x, w)
        ax.stairs(dens, edges, fill=True, color=colour[verdict[key]["verdict"]], alpha=0.85)
        ax.plot([edges[0], edges[-1]], [flat, flat], color="k", lw=0.8)
        if log:
            ax.set_xscale("log")
            ax.xaxis.set_major_locator(LogLocator(numticks=3))
            ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_title(key.replace("countries.", ""), fontsize=6.5)
        ax.tick_params(labelsize=5.5)
        ax.set_yticks([])
        ax.text(0.02, 0.92, f"{verdict[key]['sd_ratio']:.2f}", transform=ax.transAxes, fontsize=6)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.suptitle(
        "Posterior (bars) against prior (line) of every fitted parameter; number: posterior SD / "
        "prior SD. Green: pinned by the data (< 0.5), orange: narrowed (< 0.8), grey: "
        "prior-dominated.",
        fontsize=9,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    fig.savefig(path, dpi=110)


def _short(key: str) -> str:
    """A parameter's name without its section, e.g. ``MX.firearm_lethality``."""
    return key.replace("countries.", "").split(".", 1)[-1][:24]


def pairs(path: Path, keys, values, w, rows, k: int = 8) -> None:
    """Pairwise scatter of the ``k`` most pinned parameters: the ridges the data leave."""
    from iron_river.outputs.figures import figure

    best = sorted(rows, key=lambda r: r["sd_ratio"])[:k]
    idx = [keys.index(r["parameter"]) for r in best]
    n = len(idx)
    fig, axes = figure((1.7 * n, 1.7 * n), n, n)
    size = 4 + 60 * w / w.max()
    for a, i in enumerate(idx):
        for b, j in enumerate(idx):
            ax = axes[a, b]
            ax.tick_params(labelsize=4.5)
            if a == b:
                ax.hist(values[:, i], bins=15, weights=w, color="#4575b4")
            elif a > b:
                ax.scatter(
                    values[:, j], values[:, i], s=size, alpha=0.4, color="#4575b4", linewidths=0
                )
            else:
                ax.axis("off")
                r = np.corrcoef(_scaled(keys[i], values[:, i]), _scaled(keys[j], values[:, j]))
                ax.text(0.5, 0.5, f"r = {r[0, 1]:+.2f}", ha="center", va="center", fontsize=8)
            if b == 0:
                ax.set_ylabel(_short(keys[i]), fontsize=5.5)
            if a == n - 1:
                ax.set_xlabel(_short(keys[j]), fontsize=5.5)
    fig.suptitle(
        f"The {n} parameters the data narrow most (smallest posterior SD ÷ prior SD): pairwise "
        "posterior (upper: correlation)",
        fontsize=9,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    fig.savefig(path, dpi=110)
