"""The figures and tables a sweep is run for.

``iron-river sweep report DIR`` writes into ``DIR/report/``:

- ``response_<lever>.png`` / ``.csv``: each report metric (by default arrivals per year,
  homicides, guns delivered) against each swept lever: mean, median, 50% and 90% bands across
  replicates (other levers pooled);
- ``heatmap_<lever1>__<lever2>.png`` / ``.csv``: with two or more levers, the mean of each
  metric over the first two levers;
- ``elasticity.csv`` / ``.md``: the elasticity of arrivals with respect to the interdiction
  lever, d ln(arrivals) / d ln(lever): the log-log slope over the swept range and the arc
  elasticity between neighbouring lever values, with 95% bootstrap intervals (replicates
  resampled within each design point; seeded from the sweep's root seed, so reproducible).

- ``sobol_indices.csv`` / ``.md`` (``sampling = "saltelli"`` only): first-order and total
  Sobol' indices of each report metric for every swept parameter (SALib, on the means over
  replicates of each design point), with 95% confidence intervals.

Levers with many distinct values (Latin hypercube, Sobol') are binned into deciles.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from iron_river.outputs import dictionary
from iron_river.scenario import PARAMETERS
from iron_river.sweep import store

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
MAX_LEVELS = 40
BOOTSTRAP = 2000


def short(key: str) -> str:
    """Return a file-name-friendly short form of a dotted key."""
    return key.rsplit(".", 1)[-1] if key.count(".") <= 1 else "_".join(key.split(".")[-2:])


def load_runs(out: Path):
    """Return the successful runs of a results folder as a DataFrame (from the batch files)."""
    table = store.read_runs([out])
    df = table.to_pandas()
    if "status" not in df:
        return df
    return df[df["status"] == "ok"].reset_index(drop=True)


def levels(df, key: str, scale: str):
    """Group labels for a lever: its values, or decile bins (by median) when there are many."""
    x = df[key]
    if x.nunique() <= MAX_LEVELS:
        return x
    import pandas as pd

    bins = pd.qcut(np.log(x) if scale == "log" else x, 10, labels=False, duplicates="drop")
    return x.groupby(bins).transform("median")


def response_table(df, key: str, scale: str, metrics: list[str]):
    """Mean and quantiles of each metric at each level of ``key``."""
    import pandas as pd

    groups = df.groupby(levels(df, key, scale).rename(key))
    parts = {"n_runs": groups.size()}
    for m in metrics:
        g = groups[m]
        parts[f"{m}_mean"] = g.mean()
        for q in QUANTILES:
            parts[f"{m}_q{round(q * 100):02d}"] = g.quantile(q)
    return pd.DataFrame(parts).reset_index()


def metric_unit(metric: str) -> str:
    """The unit of a summary metric, from the data dictionary (empty if it has no entry)."""
    hit = dictionary.lookup(dictionary.SUMMARY, metric)
    return hit[1].unit if hit else ""


def lever_label(key: str) -> str:
    """The x-axis label of a lever: its key and unit (from the parameter schema)."""
    spec = PARAMETERS.get(key)
    return f"{key}\n({spec.unit})" if spec is not None and spec.unit else key


def _lever_axis(ax, x: np.ndarray, key: str, scale: str, baseline: Any) -> None:
    if scale == "log":
        ax.set_xscale("log")
    if len(x) <= 8:
        from matplotlib.ticker import NullFormatter

        ax.set_xticks(x, [f"{v:.3g}" for v in x], fontsize=7, rotation=45)
        ax.xaxis.set_minor_formatter(NullFormatter())
    if isinstance(baseline, (int, float)) and not isinstance(baseline, bool):
        ax.axvline(baseline, color="grey", ls="--", lw=0.8, label="baseline")
    ax.set_xlabel(lever_label(key) + (", log scale" if scale == "log" else ""), fontsize=8)


def plot_response(
    table, key: str, scale: str, metrics: list[str], path: Path, baseline: Any = None
) -> None:
    """Draw panels of metric vs lever with 50% and 90% bands."""
    from matplotlib.ticker import FuncFormatter

    from iron_river.outputs.figures import figure

    fig, axes = figure((4.2 * len(metrics), 3.6), 1, len(metrics), squeeze=False)
    x = table[key].to_numpy(dtype=float)
    for ax, m in zip(axes[0], metrics, strict=True):
        ax.fill_between(
            x,
            table[f"{m}_q05"],
            table[f"{m}_q95"],
            alpha=0.2,
            color="C0",
            lw=0,
            label="90% of runs",
        )
        ax.fill_between(
            x,
            table[f"{m}_q25"],
            table[f"{m}_q75"],
            alpha=0.4,
            color="C0",
            lw=0,
            label="50% of runs",
        )
        ax.plot(x, table[f"{m}_mean"], "o-", color="C0", ms=3, label="mean")
        ax.plot(x, table[f"{m}_q50"], ":", color="k", lw=1, label="median")
        _lever_axis(ax, x, key, scale, baseline)
        ax.set_title(m.replace("_", " "), fontsize=10)
        ax.set_ylabel(metric_unit(m) or m, fontsize=8)
        low = float(np.nanmin(table[f"{m}_q05"]))
        if low >= 0:  # counts and shares: from zero, so the size of a change reads true
            ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(
            FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}")
        )
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def heatmap(df, keys: tuple[str, str], scales: tuple[str, str], metrics: list[str], path: Path):
    """Mean of each metric over two levers; returns the long table that was drawn."""
    from iron_river.outputs.figures import figure

    a, b = keys
    la, lb = levels(df, a, scales[0]).rename(a), levels(df, b, scales[1]).rename(b)
    table = df.groupby([la, lb])[metrics].mean()
    fig, axes = figure((4.6 * len(metrics), 4.0), 1, len(metrics), squeeze=False)
    for ax, m in zip(axes[0], metrics, strict=True):
        grid = table[m].unstack(b)
        im = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(
            range(grid.shape[1]), [f"{v:.3g}" for v in grid.columns], fontsize=7, rotation=45
        )
        ax.set_yticks(range(grid.shape[0]), [f"{v:.3g}" for v in grid.index], fontsize=7)
        ax.set_xlabel(b, fontsize=8)
        ax.set_ylabel(a, fontsize=8)
        ax.set_title(f"{m.replace('_', ' ')} (mean)", fontsize=10)
        fig.colorbar(im, ax=ax, shrink=0.85)
        if grid.size <= 100:
            for (i, j), v in np.ndenumerate(grid.to_numpy()):
                text = f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=6,
                    color="k" if im.norm(v) > 0.6 else "w",
                )
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return table.reset_index()


def _bootstrap_log_means(groups: list[np.ndarray], rng: np.random.Generator, n: int) -> np.ndarray:
    """(n + 1, G) log means: row 0 from the data, rows 1.. from resampled replicates."""
    out = np.empty((n + 1, len(groups)))
    for g, v in enumerate(groups):
        out[0, g] = v.mean()
        out[1:, g] = v[rng.integers(0, len(v), size=(n, len(v)))].mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(np.clip(out, 1e-300, None))


def elasticity_rows(
    df, lever: str, metric: str, rng: np.random.Generator, at: str = "all", n_boot: int = BOOTSTRAP
) -> list[dict[str, Any]]:
    """Log-log slope and arc elasticities of ``metric`` wrt ``lever`` with bootstrap 95% CIs."""
    sub = df[(df[lever] > 0) & df[metric].notna()]
    xs = np.sort(sub[lever].unique())
    if len(xs) < 2:
        return []
    groups = [sub.loc[sub[lever] == x, metric].to_numpy(dtype=float) for x in xs]
    logy = _bootstrap_log_means(groups, rng, n_boot)
    logx = np.log(xs)
    dx = logx - logx.mean()
    slopes = (logy - logy.mean(axis=1, keepdims=True)) @ dx / (dx @ dx)
    rows = [
        {
            "lever": lever,
            "metric": metric,
            "at": at,
            "from": float(xs[0]),
            "to": float(xs[-1]),
            "kind": "log-log slope",
            "elasticity": float(slopes[0]),
            "ci_low": float(np.nanpercentile(slopes[1:], 2.5)),
            "ci_high": float(np.nanpercentile(slopes[1:], 97.5)),
            "n_runs": len(sub),
        }
    ]
    arcs = np.diff(logy, axis=1) / np.diff(logx)
    rows.extend(
        {
            "lever": lever,
            "metric": metric,
            "at": at,
            "from": float(xs[i]),
            "to": float(xs[i + 1]),
            "kind": "arc",
            "elasticity": float(arcs[0, i]),
            "ci_low": float(np.nanpercentile(arcs[1:, i], 2.5)),
            "ci_high": float(np.nanpercentile(arcs[1:, i], 97.5)),
            "n_runs": len(groups[i]) + len(groups[i + 1]),
        }
        for i in range(len(xs) - 1)
    )
    return rows


def elasticity_table(df, manifest: dict[str, Any], metric: str, lever: str):
    """Elasticity rows for ``lever``, per level of one other lever (or pooled), as a DataFrame."""
    import pandas as pd

    rng = np.random.default_rng(manifest.get("root_seed", 0))
    others = [p["key"] for p in manifest["parameters"] if p["key"] != lever]
    rows = []
    if others and df[others[0]].nunique() <= 12 and df[lever].nunique() <= MAX_LEVELS:
        o = others[0]
        for v in sorted(df[o].unique()):
            rows.extend(elasticity_rows(df[df[o] == v], lever, metric, rng, at=f"{o} = {v:.4g}"))
    else:
        scale = next(p["scale"] for p in manifest["parameters"] if p["key"] == lever)
        d = df.assign(**{lever: levels(df, lever, scale)})
        rows += elasticity_rows(d, lever, metric, rng)
    return pd.DataFrame(rows)


def markdown(table) -> str:
    """Render the elasticity table as Markdown (no extra dependency)."""
    cols = ["at", "kind", "from", "to", "elasticity", "ci_low", "ci_high", "n_runs"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for d in table.to_dict("records"):
        cells = [f"{d[c]:.4g}" if isinstance(d[c], float) else str(d[c]) for c in cols]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def sobol_indices(df, manifest: dict[str, Any], metrics: list[str]):
    """Return first-order and total Sobol' indices per metric and parameter (Saltelli design)."""
    import pandas as pd
    from SALib.analyze import sobol

    keys = [p["key"] for p in manifest["parameters"]]
    problem = {"num_vars": len(keys), "names": keys, "bounds": [[0.0, 1.0]] * len(keys)}
    means = df.groupby("point_index")[metrics].mean().reindex(range(manifest["n_points"]))
    rows = []
    for m in metrics:
        y = means[m].to_numpy(dtype=float)
        if np.isnan(y).any():
            raise store.StoreError(
                f"Sobol' indices need every design point; {int(np.isnan(y).sum())} have no "
                f"successful run of {m} yet"
            )
        si = sobol.analyze(
            problem,
            y,
            calc_second_order=False,
            num_resamples=1000,
            seed=manifest.get("root_seed", 0),
        )
        rows.extend(
            {
                "metric": m,
                "parameter": k,
                "S1": si["S1"][i],
                "S1_conf": si["S1_conf"][i],
                "ST": si["ST"][i],
                "ST_conf": si["ST_conf"][i],
            }
            for i, k in enumerate(keys)
        )
    return pd.DataFrame(rows)


def elasticity_lever(manifest: dict[str, Any]) -> str | None:
    """Return the lever for the elasticity: the spec's, else one named *interdiction*."""
    chosen = (manifest.get("report") or {}).get("lever")
    if chosen:
        return chosen
    numeric = [p["key"] for p in manifest["parameters"] if p["kind"] in ("float", "int")]
    for key in numeric:
        if "interdiction" in key:
            return key
    return numeric[0] if numeric else None


def make_report(out: Path, dest: Path | None = None) -> dict[str, Any]:
    """Write the report of a results folder.

    Args:
        out: The results folder.
        dest: Where to write (default ``out/report``).

    Returns:
        ``{"files": [paths], "elasticity": DataFrame or None, "runs": n}``.

    Raises:
        store.StoreError: If the folder is not a sweep or holds no successful run.
    """
    out = Path(out)
    manifest = store.read_manifest(out)
    df = load_runs(out)
    if df.empty:
        raise store.StoreError(f"{out}: no successful runs to report yet")
    dest = Path(dest) if dest else out / "report"
    dest.mkdir(parents=True, exist_ok=True)
    wanted = (manifest.get("report") or {}).get("metrics") or []
    metrics = [m for m in wanted if m in df.columns]
    if not metrics:
        skip = {"run_index", "point_index", "replicate", "seed"}
        keys = {p["key"] for p in manifest["parameters"]}
        metrics = [c for c in df.columns if df[c].dtype.kind == "f" and c not in skip | keys][:3]
    files = []
    params = manifest["parameters"]
    for p in params:
        if p["kind"] not in ("float", "int"):
            continue
        table = response_table(df, p["key"], p["scale"], metrics)
        name = f"response_{short(p['key'])}"
        table.to_csv(dest / f"{name}.csv", index=False)
        plot_response(table, p["key"], p["scale"], metrics, dest / f"{name}.png", p.get("baseline"))
        files += [dest / f"{name}.csv", dest / f"{name}.png"]
    numeric = [p for p in params if p["kind"] in ("float", "int")]
    if len(numeric) >= 2:
        a, b = numeric[0], numeric[1]
        name = f"heatmap_{short(a['key'])}__{short(b['key'])}"
        table = heatmap(
            df, (a["key"], b["key"]), (a["scale"], b["scale"]), metrics, dest / f"{name}.png"
        )
        table.to_csv(dest / f"{name}.csv", index=False)
        files += [dest / f"{name}.csv", dest / f"{name}.png"]
    if manifest.get("sampling") == "saltelli":
        indices = sobol_indices(df, manifest, metrics)
        indices.to_csv(dest / "sobol_indices.csv", index=False)
        lines = ["| metric | parameter | S1 | ± | ST | ± |", "|---|---|---|---|---|---|"]
        lines += [
            f"| {r['metric']} | {r['parameter']} | {r['S1']:.3f} | {r['S1_conf']:.3f} | "
            f"{r['ST']:.3f} | {r['ST_conf']:.3f} |"
            for r in indices.to_dict("records")
        ]
        (dest / "sobol_indices.md").write_text(
            "# Sobol' indices (first order S1, total ST; ± is the 95% interval)\n\n"
            + "\n".join(lines)
            + "\n",
            encoding="utf-8",
        )
        files += [dest / "sobol_indices.csv", dest / "sobol_indices.md"]
    lever = elasticity_lever(manifest)
    elasticity = None
    if lever and metrics:
        elasticity = elasticity_table(df, manifest, metrics[0], lever)
        if not elasticity.empty:
            elasticity.to_csv(dest / "elasticity.csv", index=False)
            head = (
                f"# Elasticity of {metrics[0]} with respect to {lever}\n\n"
                f"d ln({metrics[0]}) / d ln({lever}); 95% bootstrap intervals "
                f"({BOOTSTRAP} resamples of replicates within design points).\n\n"
                + (
                    "Replicate r of every design point runs posterior draw r of the model's "
                    "shipped posterior with seed r (unless the sweep sets `parameters`), so the "
                    "intervals carry parameter uncertainty as well as seed noise.\n\n"
                    if manifest.get("binding") == "iron_river.experiments.binding"
                    else ""
                )
            )
            (dest / "elasticity.md").write_text(head + markdown(elasticity), encoding="utf-8")
            files += [dest / "elasticity.csv", dest / "elasticity.md"]
    return {
        "files": files,
        "elasticity": elasticity,
        "runs": len(df),
        "metrics": metrics,
        "lever": lever,
    }
