"""``iron-river report``: a policy report from fresh runs, every number in it generated.

The report (``results/report/REPORT.md`` with figures and ``report.json``) answers, in order:

1. does the baseline reproduce the facts (FACTS.md T1–T10)?
2. what does each policy scenario in ``scenarios/*.toml`` do to guns delivered, homicides and
   arrivals at the US border, relative to the baseline with paired seeds?
3. how do those respond to US southbound interdiction (a log-spaced curve from the calibrated
   baseline to half of all loads), and with what elasticity?
4. which assumptions is the answer most sensitive to (one-at-a-time ±50% screening of the
   response of arrivals to ×100 interdiction)?
5. a summary in plain words.

Every number in the text goes through :meth:`Cite.num` (or is a cell of a generated table), so
it is formatted from a computed value and recorded in ``report.json`` under ``cited``.

Runs go through the sweep engine's workers and backends (:mod:`iron_river.sweep.engine`):
in this process by default, on a local pool with ``--workers N``, or on a Dask cluster with
``--scheduler ADDRESS``. Identical runs (same resolved scenario and seed) are run once.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from iron_river.scenario import PARAMETERS, IronRiverScenario, ScenarioError, load_scenario

OUTCOMES = {
    "guns_delivered": "guns delivered to armed groups",
    "homicides_total": "homicides",
    "us_border_arrivals": "arrivals at the US border",
}
INTERDICTION = "enforcement.us_southbound_interdiction"
INTERDICTION_MAX = 0.5
SCREEN_KEYS = (
    "migration.violence_effect",
    "violence.gun_elasticity",
    "trafficking.entry_elasticity",
    "trafficking.risk_penalty_usd",
    "gangs.countries.MX.non_us_guns_per_year",
    "market.scarcity_elasticity",
)
SCREEN_FACTORS = (0.5, 1.5)  # ±50%
SCREEN_MULTIPLIER = 100  # the policy whose arrivals response is screened: interdiction ×100
BAND = (5.0, 95.0)  # percentiles of the 90% intervals
BINDING = "iron_river.sweep.adapter"


# ---------------------------------------------------------------------------- configuration


@dataclass
class Config:
    """What to run: sizes, seeds, where the scenarios are and where the report goes."""

    replicates: int = 10
    years: int = 10
    scale: float = 100.0
    burn_in_years: int | None = None  # None: the scenario's own
    points: int = 6
    screen_replicates: int | None = None  # None: as many as replicates
    seed: int = 20190101
    scenarios: Path = Path("scenarios")
    out: Path = Path("results/report")
    workers: int = 1
    scheduler: str | None = None
    quiet: bool = False
    sensitivity: Path | None = None  # a sensitivity spec to run and include
    is_quick: bool = False

    @classmethod
    def quick(cls, **kw: Any) -> Config:
        """A tiny report for tests and smoke checks (numbers are noise at this size)."""
        base = {
            "replicates": 2,
            "years": 1,
            "scale": 5000.0,
            "burn_in_years": 0,
            "points": 3,
            "screen_replicates": 1,
            "is_quick": True,
        }
        return cls(**{**base, **kw})

    @property
    def sizes(self) -> dict[str, Any]:
        """The overrides applied to every run."""
        out: dict[str, Any] = {"years": self.years, "scale": self.scale}
        if self.burn_in_years is not None:
            out["burn_in_years"] = self.burn_in_years
        return out

    @property
    def n_screen(self) -> int:
        """Replicates of each screening run."""
        return min(self.screen_replicates or self.replicates, self.replicates)


# ---------------------------------------------------------------------------- running a design


@dataclass(frozen=True)
class Job:
    """One model run: a scenario file, overrides, and the replicate (seed) index."""

    path: Path
    values: tuple[tuple[str, Any], ...]
    replicate: int


def _canonical(path: Path, values: dict[str, Any]) -> str:
    """A digest of the resolved scenario (name and description aside): equal runs, equal key."""
    flat = load_scenario(path).with_values(values).flat()
    flat.pop("name"), flat.pop("description")
    return hashlib.sha256(json.dumps(flat, sort_keys=True, default=str).encode()).hexdigest()


class Design:
    """A set of runs, deduplicated, executed on the sweep engine (or serially without it)."""

    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.jobs: dict[tuple[str, int], Job] = {}
        self.results: dict[tuple[str, int], dict[str, float]] = {}
        self.backend_name = ""
        self._keys: dict[tuple[Path, tuple], str] = {}

    def add(self, path: Path, values: dict[str, Any], replicates: Iterable[int]) -> list:
        """Register runs; return their keys (to look the metrics up after :meth:`run`)."""
        values = {**self.cfg.sizes, **values}
        frozen = tuple(sorted(values.items()))
        ident = self._keys.get((path, frozen))
        if ident is None:
            ident = self._keys[(path, frozen)] = _canonical(path, values)
        keys = []
        for r in replicates:
            self.jobs.setdefault((ident, r), Job(path, frozen, r))
            keys.append((ident, r))
        return keys

    def metrics(self, keys: list, metric: str) -> np.ndarray:
        """One metric of the given runs, in order."""
        return np.array([self.results[k][metric] for k in keys], dtype=float)

    def run(self) -> None:
        """Run every registered run not yet done."""
        todo = {k: j for k, j in self.jobs.items() if k not in self.results}
        if not todo:
            return
        try:
            from iron_river.sweep import engine
        except ImportError:  # the sweep extras are missing: run here, one after another
            self.backend_name = "serial (sweep engine unavailable)"
            self._run_serial(todo)
            return
        try:
            backend = self._backend(engine)
        except (AttributeError, TypeError) as e:  # the engine's API moved: run here instead
            self.backend_name = f"serial (sweep engine backend unusable: {e})"
            self._run_serial(todo)
            return
        order = list(todo)
        payloads = {
            i: {
                "binding": BINDING,
                "base": str(todo[k].path.resolve()),
                "metrics": None,
                "weekly": (),
                "root_seed": self.cfg.seed,
                "runs": [(i, f"{k[0][:12]}-{k[1]}", todo[k].replicate, dict(todo[k].values))],
            }
            for i, k in enumerate(order)
        }
        t0, done = time.perf_counter(), 0
        try:
            for i, result in backend.results(payloads):
                if isinstance(result, BaseException):
                    raise RuntimeError(f"run {order[i]} failed: {result}")
                row = result["rows"][0]
                if row["error"]:
                    raise RuntimeError(f"run {order[i]} failed: {row['error']}")
                self.results[order[i]] = row["metrics"]
                done += 1
                self._progress(done, len(order), t0)
        finally:
            backend.close()

    def _backend(self, engine: Any) -> Any:
        if self.cfg.scheduler:
            from distributed import Client

            client = Client(self.cfg.scheduler)
            self.backend_name = f"Dask cluster at {self.cfg.scheduler}"
            # a fresh key prefix per call: task keys of an earlier design must never be reused
            prefix = f"iron-river-{uuid.uuid4().hex[:12]}"
            return engine.DaskBackend(client, key_prefix=prefix, owned=(client,))
        if self.cfg.workers > 1:
            self.backend_name = f"sweep engine, local pool of {self.cfg.workers} processes"
            return engine.PoolBackend(self.cfg.workers)
        self.backend_name = "sweep engine, serial backend (one process)"
        return engine.SerialBackend()

    def _run_serial(self, todo: dict) -> None:
        from iron_river.runner import replicate_seeds, simulate

        t0 = time.perf_counter()
        for n, (k, job) in enumerate(todo.items(), 1):
            scenario = load_scenario(job.path).with_values(dict(job.values))
            seed = replicate_seeds(self.cfg.seed, job.replicate + 1)[job.replicate]
            self.results[k] = simulate(scenario, seed).metrics
            self._progress(n, len(todo), t0)

    def _progress(self, done: int, total: int, t0: float) -> None:
        if not self.cfg.quiet:
            el = time.perf_counter() - t0
            print(f"\rreport: {done}/{total} runs, {el:.0f} s", end="", file=sys.stderr)
            if done == total:
                print(file=sys.stderr)


# ---------------------------------------------------------------------------- statistics


def band(x: np.ndarray) -> tuple[float, float, float]:
    """Mean and the 90% interval (5th–95th percentile) of finite values."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return (math.nan, math.nan, math.nan)
    lo, hi = np.percentile(x, BAND)
    return (float(x.mean()), float(lo), float(hi))


def paired_change(policy: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Relative change of each replicate against the baseline run with the same seed."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return policy / base - 1.0


def log_slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of log y on log x (an elasticity); nan if undefined."""
    ok = (x > 0) & (y > 0) & np.isfinite(y)
    if ok.sum() < 2:
        return math.nan
    return float(np.polyfit(np.log(x[ok]), np.log(y[ok]), 1)[0])


def elasticity(x: np.ndarray, runs: np.ndarray, rng: np.random.Generator, n: int = 500) -> tuple:
    """Elasticity over the curve and a 90% bootstrap interval (replicates resampled jointly).

    Args:
        x: interdiction values (P).
        runs: metric per point and replicate (P × R), replicates paired across points.
        rng: generator for the bootstrap.
        n: bootstrap resamples.
    """
    est = log_slope(x, runs.mean(axis=1))
    reps = runs.shape[1]
    boot = [log_slope(x, runs[:, rng.integers(0, reps, reps)].mean(axis=1)) for _ in range(n)]
    lo, hi = np.nanpercentile(boot, BAND) if np.isfinite(boot).any() else (math.nan, math.nan)
    return est, float(lo), float(hi)


def interdiction_points(baseline: float, points: int) -> list[float]:
    """``points`` log-spaced rates from ``baseline`` to :data:`INTERDICTION_MAX` (rounded)."""
    xs = np.geomspace(baseline, INTERDICTION_MAX, points)
    return [float(f"{x:.4g}") for x in xs]


# ---------------------------------------------------------------------------- cited numbers


@dataclass
class Cite:
    """Formats numbers for the text and records each one (text → value) for report.json."""

    cited: dict[str, Any] = field(default_factory=dict)

    def num(self, value: float, spec: str = ".3g", suffix: str = "") -> str:
        """Format ``value`` and record it."""
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            text = "n/a"
        else:
            text = format(value, spec) + suffix
        self.cited.setdefault(text, _clean(value))
        return text

    def pct(self, value: float, digits: int = 0, signed: bool = True) -> str:
        """A fraction as a percentage (``+12%``)."""
        v = value * 100 if value is not None and math.isfinite(value) else math.nan
        return self.num(v, f"{'+' if signed else ''}.{digits}f", "%")

    def count(self, value: float) -> str:
        """A count with thousands separators, to three significant figures."""
        if not math.isfinite(value):
            return self.num(value)
        rounded = float(f"{value:.3g}")
        return self.num(rounded, ",.0f" if abs(rounded) >= 1 else ".3g")

    def cell(self, text: str) -> str:
        """A preformatted table cell (e.g. from ``validation_table``)."""
        self.cited.setdefault(text, text)
        return text


def _clean(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_clean(x) for x in v]
    if isinstance(v, float | np.floating):
        return float(v) if math.isfinite(v) else None
    if isinstance(v, np.integer):
        return int(v)
    return v


# ---------------------------------------------------------------------------- the report


def _policy_scenarios(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.toml") if p.stem != "baseline")


def build_report(cfg: Config) -> dict[str, Any]:
    """Run everything, write REPORT.md, figures and report.json into ``cfg.out`` atomically.

    Returns:
        The content of report.json.
    """
    from iron_river.outputs import atomic_folder, check_writable

    check_writable(cfg.out)
    base_path = cfg.scenarios / "baseline.toml"
    if not base_path.is_file():
        raise FileNotFoundError(f"{base_path}: the baseline scenario is needed for the report")
    policies = _policy_scenarios(cfg.scenarios)
    for p in policies:
        load_scenario(p)  # every scenario valid before anything runs (ScenarioError)
    reps = range(cfg.replicates)
    screen_reps = range(cfg.n_screen)
    design = Design(cfg)

    base_keys = design.add(base_path, {}, reps)
    policy_keys = {p.stem: design.add(p, {}, reps) for p in policies}
    x0 = PARAMETERS[INTERDICTION].default
    xs = interdiction_points(x0, cfg.points)
    curve_keys = [design.add(base_path, {INTERDICTION: x}, reps) for x in xs]
    x100 = float(f"{x0 * SCREEN_MULTIPLIER:.6g}")
    ref = (
        design.add(base_path, {}, screen_reps),
        design.add(base_path, {INTERDICTION: x100}, screen_reps),
    )
    screen_keys: dict[str, dict[float, tuple[list, list]]] = {}
    for key in SCREEN_KEYS:
        default = PARAMETERS[key].default
        screen_keys[key] = {
            f: (
                design.add(base_path, {key: default * f}, screen_reps),
                design.add(base_path, {key: default * f, INTERDICTION: x100}, screen_reps),
            )
            for f in SCREEN_FACTORS
        }
    t0 = time.perf_counter()
    design.run()
    wall = time.perf_counter() - t0

    cite = Cite()
    data: dict[str, Any] = {
        "config": {
            "replicates": cfg.replicates,
            "years": cfg.years,
            "scale": cfg.scale,
            "burn_in_years": cfg.burn_in_years
            if cfg.burn_in_years is not None
            else IronRiverScenario().burn_in_years,
            "interdiction_points": cfg.points,
            "screen_replicates": cfg.n_screen,
            "seed": cfg.seed,
            "runs": len(design.jobs),
            "backend": design.backend_name,
            "wall_seconds": wall,
        }
    }
    data["baseline"] = _baseline(design, base_keys)
    data["policies"] = _policies(design, base_keys, policy_keys)
    data["interdiction"] = _curve(design, xs, curve_keys, cfg.seed)
    data["screening"] = _screening(design, ref, screen_keys, x0, x100)

    with atomic_folder(cfg.out) as tmp:
        if cfg.sensitivity is not None:
            data["sensitivity"] = _sensitivity(cfg, tmp / "sensitivity")
        figures = _figures(tmp, data)
        text = _markdown(data, figures, cite, policies)
        (tmp / "REPORT.md").write_text(text, encoding="utf-8")
        data["cited"] = cite.cited
        data["figures"] = figures
        (tmp / "report.json").write_text(
            json.dumps(_clean(data), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return data


def _baseline(design: Design, keys: list) -> dict[str, Any]:
    from iron_river.cli import validation_table
    from iron_river.metrics import across_replicates

    metrics = across_replicates([design.results[k] for k in keys])
    rows, ok = validation_table(metrics)
    return {
        "metrics": metrics,
        "validation": rows,
        "passed": sum(r[-1] == "pass" for r in rows),
        "targets": len(rows),
        "all_pass": ok,
    }


def _policies(design: Design, base: list, policies: dict[str, list]) -> dict[str, Any]:
    out = {}
    for name, keys in policies.items():
        row = {}
        for metric in OUTCOMES:
            change = paired_change(design.metrics(keys, metric), design.metrics(base, metric))
            mean, lo, hi = band(change)
            row[metric] = {
                "change_mean": mean,
                "change_p05": lo,
                "change_p95": hi,
                "policy_mean": float(np.nanmean(design.metrics(keys, metric))),
            }
        out[name] = row
    return out


def _curve(design: Design, xs: list[float], keys: list[list], seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    x = np.array(xs)
    out: dict[str, Any] = {"x": xs, "metrics": {}}
    for metric in OUTCOMES:
        runs = np.array([design.metrics(k, metric) for k in keys])  # points × replicates
        bands = [band(r) for r in runs]
        est, lo, hi = elasticity(x, runs, rng)
        out["metrics"][metric] = {
            "mean": [b[0] for b in bands],
            "p05": [b[1] for b in bands],
            "p95": [b[2] for b in bands],
            "elasticity": est,
            "elasticity_p05": lo,
            "elasticity_p95": hi,
            "change_at_max": float(runs[-1].mean() / runs[0].mean() - 1.0),
        }
    return out


def _response(design: Design, pair: tuple[list, list]) -> float:
    """Mean paired relative change of arrivals from baseline interdiction to ×100."""
    base, x100 = pair
    m = "us_border_arrivals"
    return float(np.nanmean(paired_change(design.metrics(x100, m), design.metrics(base, m))))


def _screening(
    design: Design, ref: tuple[list, list], keys: dict, x0: float, x100: float
) -> dict[str, Any]:
    reference = _response(design, ref)
    base, x100_keys = ref
    m = "us_border_arrivals"
    per_rep = paired_change(design.metrics(x100_keys, m), design.metrics(base, m))
    per_rep = per_rep[np.isfinite(per_rep)]
    se = float(per_rep.std(ddof=1) / math.sqrt(per_rep.size)) if per_rep.size > 1 else math.nan
    # a shift is the difference of two such estimates: beyond noise if > 2 · √2 · SE
    threshold = 2.0 * math.sqrt(2.0) * se
    rows = {}
    for key, by_factor in keys.items():
        responses = {f: _response(design, pair) for f, pair in by_factor.items()}
        shifts = {f: r - reference for f, r in responses.items()}
        rows[key] = {
            "default": PARAMETERS[key].default,
            "provenance": PARAMETERS[key].provenance,
            "response_low": responses[SCREEN_FACTORS[0]],
            "response_high": responses[SCREEN_FACTORS[1]],
            "shift_low": shifts[SCREEN_FACTORS[0]],
            "shift_high": shifts[SCREEN_FACTORS[1]],
            "swing": float(max(abs(s) for s in shifts.values())),
        }
        rows[key]["beyond_noise"] = (
            bool(rows[key]["swing"] > threshold) if math.isfinite(threshold) else None
        )
    ranked = sorted(
        rows, key=lambda k: -rows[k]["swing"] if math.isfinite(rows[k]["swing"]) else 0.0
    )
    return {
        "interdiction_from": x0,
        "interdiction_to": x100,
        "factors": list(SCREEN_FACTORS),
        "reference_response": reference,
        "reference_se": se,
        "noise_threshold": threshold,
        "parameters": rows,
        "ranking": ranked,
    }


# ---------------------------------------------------------------------------- figures


def _figures(folder: Path, data: dict[str, Any]) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files = {}
    # policy effects: paired relative change with 90% intervals
    pol = data["policies"]
    if pol:
        names = list(pol)
        fig, axes = plt.subplots(
            1, len(OUTCOMES), figsize=(12, 0.6 * len(names) + 1.6), sharey=True
        )
        for ax, (metric, label) in zip(axes, OUTCOMES.items(), strict=True):
            mean = np.array([pol[n][metric]["change_mean"] for n in names]) * 100
            lo = np.array([pol[n][metric]["change_p05"] for n in names]) * 100
            hi = np.array([pol[n][metric]["change_p95"] for n in names]) * 100
            y = np.arange(len(names))
            ax.barh(y, mean, color="#4c72b0")
            ax.errorbar(mean, y, xerr=[mean - lo, hi - mean], fmt="none", color="black")
            ax.axvline(0, color="grey", lw=0.8)
            ax.set_title(label)
            ax.set_xlabel("change vs baseline (%)")
        axes[0].set_yticks(np.arange(len(names)), names)
        fig.tight_layout()
        fig.savefig(folder / "policy_effects.png", dpi=110)
        plt.close(fig)
        files["policy_effects"] = "policy_effects.png"
    # interdiction curve
    cur = data["interdiction"]
    x = np.array(cur["x"])
    fig, axes = plt.subplots(1, len(OUTCOMES), figsize=(12, 3.4))
    for ax, (metric, label) in zip(axes, OUTCOMES.items(), strict=True):
        m = cur["metrics"][metric]
        ax.fill_between(x, m["p05"], m["p95"], alpha=0.3, label="90% of replicates")
        ax.plot(x, m["mean"], "o-", label="mean")
        ax.axvline(x[0], color="grey", ls=":", label="2019 baseline")
        ax.set_xscale("log")
        ax.set_xlabel("US southbound interdiction (share of loads)")
        ax.set_title(f"{label} per year")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(folder / "interdiction_curve.png", dpi=110)
    plt.close(fig)
    files["interdiction_curve"] = "interdiction_curve.png"
    # screening tornado
    scr = data["screening"]
    keys = scr["ranking"][::-1]
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(keys) + 1.5))
    y = np.arange(len(keys))
    ref = scr["reference_response"] * 100
    low = np.array([scr["parameters"][k]["response_low"] for k in keys]) * 100
    high = np.array([scr["parameters"][k]["response_high"] for k in keys]) * 100
    ax.barh(y, low - ref, left=ref, color="#dd8452", label="parameter ×0.5")
    ax.barh(y, high - ref, left=ref, color="#55a868", alpha=0.8, label="parameter ×1.5")
    ax.axvline(ref, color="black", lw=1, label="default")
    ax.set_yticks(y, keys)
    ax.set_xlabel("change in arrivals from interdiction ×100 (%)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(folder / "screening.png", dpi=110)
    plt.close(fig)
    files["screening"] = "screening.png"
    return files


# ---------------------------------------------------------------------------- the text


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _interval(cite: Cite, mean: float, lo: float, hi: float) -> str:
    return f"{cite.pct(mean)} [{cite.pct(lo)}, {cite.pct(hi)}]"


def _markdown(data: dict, figures: dict[str, str], cite: Cite, policies: list[Path]) -> str:
    c = cite
    cfg = data["config"]
    base = data["baseline"]
    cur = data["interdiction"]
    scr = data["screening"]
    lines = ["# iron river — policy report", ""]
    lines += [
        f"From fresh runs: {c.num(cfg['runs'], 'd')} model runs, {c.num(cfg['replicates'], 'd')} "
        "replicates per scenario (paired seeds: replicate i of every scenario uses the same seed), "
        f"{c.num(cfg['years'], 'd')} measured years after a "
        f"{c.num(cfg['burn_in_years'], 'd')}-year burn-in at baseline levers, one simulated "
        f"household per {c.count(cfg['scale'])} real ones, "
        f"root seed {c.num(cfg['seed'], 'd')}. Runs executed on: {c.cell(cfg['backend'])} "
        f"({c.num(cfg['wall_seconds'], '.0f')} s). Intervals are the "
        f"{c.num(BAND[1] - BAND[0], '.0f', '%')} range of replicates "
        f"({c.num(BAND[0], '.0f')}th–{c.num(BAND[1], '.0f')}th percentile).",
        "",
    ]
    # -- summary
    lines += ["## Summary", ""]
    lines += _summary(data, c)
    # -- baseline
    lines += ["", "## The baseline against the facts", ""]
    lines.append(
        f"The baseline reproduces {c.num(base['passed'], 'd')} of the "
        f"{c.num(base['targets'], 'd')} FACTS.md targets within tolerance."
    )
    lines.append("")
    band_label = f"model {c.num(BAND[0], '.0f')}–{c.num(BAND[1], '.0f', '%')}"
    header = ["id", "quantity", "target", "tolerance", "model mean", band_label, "result"]
    rows = [[r[0], *(c.cell(x) for x in r[1:6]), r[6]] for r in base["validation"]]
    lines += _table(header, rows)
    # -- policies
    lines += ["", "## What each policy scenario does", ""]
    lines.append(
        "Change relative to the baseline, replicate by replicate with the same seed; mean "
        f"[{c.num(BAND[1] - BAND[0], '.0f', '%')} interval]. Scenarios are the files in "
        "`scenarios/`; their levers switch on at the end of the burn-in."
    )
    lines.append("")
    rows = []
    for p in policies:
        row = data["policies"][p.stem]
        rows.append([f"`{p.stem}`", *(_interval(c, **_ci(row[m])) for m in OUTCOMES)])
    lines += _table(["scenario", *OUTCOMES.values()], rows)
    if "policy_effects" in figures:
        lines += ["", f"![policy effects]({figures['policy_effects']})"]
    # -- interdiction curve
    lines += ["", "## The interdiction curve", ""]
    lines.append(
        f"US southbound interdiction at {c.num(len(cur['x']), 'd')} log-spaced values from the "
        f"calibrated baseline ({c.pct(cur['x'][0], 2, signed=False)} of loads) to "
        f"{c.pct(cur['x'][-1], 0, signed=False)}; yearly mean "
        f"[{c.num(BAND[1] - BAND[0], '.0f', '%')} interval]."
    )
    lines.append("")
    rows = []
    for i, x in enumerate(cur["x"]):
        cells = [c.pct(x, 2, signed=False)]
        for m in OUTCOMES:
            v = cur["metrics"][m]
            cells.append(
                f"{c.count(v['mean'][i])} [{c.count(v['p05'][i])}, {c.count(v['p95'][i])}]"
            )
        rows.append(cells)
    lines += _table(["interdiction", *OUTCOMES.values()], rows)
    lines += ["", f"![interdiction curve]({figures['interdiction_curve']})", ""]
    lines.append(
        "Elasticity: the slope of log(mean outcome) on log(interdiction) over the whole curve, "
        f"with a {c.num(BAND[1] - BAND[0], '.0f', '%')} bootstrap interval over replicates."
    )
    lines.append("")
    rows = []
    for m, label in OUTCOMES.items():
        v = cur["metrics"][m]
        rows.append(
            [
                label,
                f"{c.num(v['elasticity'], '+.3f')} [{c.num(v['elasticity_p05'], '+.3f')}, "
                f"{c.num(v['elasticity_p95'], '+.3f')}]",
                c.pct(v["change_at_max"]),
            ]
        )
    lines += _table(
        [
            "outcome",
            f"elasticity [{c.num(BAND[1] - BAND[0], '.0f', '%')}]",
            f"change at {c.pct(cur['x'][-1], 0, signed=False)}",
        ],
        rows,
    )
    # -- screening
    lines += ["", "## Which assumptions matter", ""]
    lines.append(
        f"One at a time, each key assumption is set to {c.num(SCREEN_FACTORS[0], 'g')}× and "
        f"{c.num(SCREEN_FACTORS[1], 'g')}× its default, and the response of arrivals to raising "
        f"interdiction from {c.pct(scr['interdiction_from'], 2, signed=False)} to "
        f"{c.pct(scr['interdiction_to'], 0, signed=False)} (×{c.num(SCREEN_MULTIPLIER, 'd')}) "
        f"is measured again ({c.num(cfg['screen_replicates'], 'd')} paired replicate(s) each). "
        f"With every default the response is {c.pct(scr['reference_response'], 1)} (standard "
        f"error over replicates {c.num(scr['reference_se'] * 100, '.1f', ' pts')}, so a shift "
        f"beyond {c.num(scr['noise_threshold'] * 100, '.1f', ' pts')} is unlikely to be noise). "
        "Ranked by the largest shift:"
    )
    lines.append("")
    rows = []
    for k in scr["ranking"]:
        v = scr["parameters"][k]
        rows.append(
            [
                f"`{k}`",
                c.num(v["default"], "g"),
                c.pct(v["response_low"], 1),
                c.pct(v["response_high"], 1),
                c.num(v["swing"] * 100, ".1f", " pts"),
                {True: "yes", False: "no", None: "n/a"}[v["beyond_noise"]],
            ]
        )
    lines += _table(
        [
            "assumption",
            "default",
            f"response at ×{c.num(SCREEN_FACTORS[0], 'g')}",
            f"response at ×{c.num(SCREEN_FACTORS[1], 'g')}",
            "largest shift",
            "beyond noise",
        ],
        rows,
    )
    lines += ["", f"![screening]({figures['screening']})", ""]
    lines.append(
        "A screening, not a variance decomposition: interactions between assumptions are not "
        "measured; `iron-river sensitivity scenarios/sensitivity/key_assumptions.toml` (SALib, "
        "Morris or Sobol) does that. Where a shift is not beyond noise, more replicates are "
        "needed before ranking."
    )
    if "sensitivity" in data:
        lines += _sensitivity_markdown(data["sensitivity"], c)
    lines += ["", "## Reproduce", ""]
    lines.append(
        "`iron-river report --replicates {r} --years {y} --scale {s} --burn-in-years {b} "
        "--points {p} --screen-replicates {sr} --seed {seed}`; see `docs/ODD.md` for the model "
        "and `docs/ASSUMPTIONS.md` for the assumptions.".format(
            r=c.num(cfg["replicates"], "d"),
            y=c.num(cfg["years"], "d"),
            s=c.num(cfg["scale"], "g"),
            b=c.num(cfg["burn_in_years"], "d"),
            p=c.num(cfg["interdiction_points"], "d"),
            sr=c.num(cfg["screen_replicates"], "d"),
            seed=c.num(cfg["seed"], "d"),
        )
    )
    return "\n".join(lines) + "\n"


def _ci(row: dict[str, float]) -> dict[str, float]:
    return {"mean": row["change_mean"], "lo": row["change_p05"], "hi": row["change_p95"]}


def _summary(data: dict, c: Cite) -> list[str]:
    base, cur, scr = data["baseline"], data["interdiction"], data["screening"]
    out = []
    verdict = "all" if base["all_pass"] else f"{c.num(base['passed'], 'd')} of"
    out.append(
        f"- **The baseline** reproduces {verdict} the {c.num(base['targets'], 'd')} calibration "
        "targets of FACTS.md (T7 counted per country; see *The baseline against the facts*)."
    )
    arr = cur["metrics"]["us_border_arrivals"]
    gun = cur["metrics"]["guns_delivered"]
    hom = cur["metrics"]["homicides_total"]
    out.append(
        f"- **Interdiction.** Raising US southbound inspection from "
        f"{c.pct(cur['x'][0], 2, signed=False)} to {c.pct(cur['x'][-1], 0, signed=False)} of loads "
        f"changes guns delivered to armed groups by {c.pct(gun['change_at_max'])}, homicides by "
        f"{c.pct(hom['change_at_max'])} and arrivals at the US border by "
        f"{c.pct(arr['change_at_max'])}. The elasticity of arrivals with respect to interdiction "
        f"is {c.num(arr['elasticity'], '+.3f')} "
        f"({c.num(BAND[1] - BAND[0], '.0f', '%')} interval {c.num(arr['elasticity_p05'], '+.3f')}"
        f" to {c.num(arr['elasticity_p95'], '+.3f')}): "
        + _elasticity_words(arr["elasticity"], arr["elasticity_p05"], arr["elasticity_p95"])
    )
    pol = data["policies"]
    if pol:
        best = min(pol, key=lambda n: _finite(pol[n]["us_border_arrivals"]["change_mean"]))
        v = pol[best]["us_border_arrivals"]
        h = pol[best]["homicides_total"]
        what = (
            "lowers arrivals most"
            if v["change_mean"] < 0
            else "raises arrivals least (none of them lowers arrivals on average)"
        )
        out.append(
            f"- **Scenarios.** Of the {c.num(len(pol), 'd')} policy scenarios, `{best}` {what}: "
            f"{_interval(c, **_ci(v))}, with homicides "
            f"{_interval(c, **_ci(h))} (see *What each policy scenario does*)."
        )
    top = scr["ranking"][0]
    t = scr["parameters"][top]
    out.append(
        f"- **Uncertainty.** The answer depends most on `{top}`: at half or one and a half times "
        f"its default the arrivals response to ×{c.num(SCREEN_MULTIPLIER, 'd')} interdiction is "
        f"{c.pct(t['response_low'], 1)} or {c.pct(t['response_high'], 1)}, against "
        f"{c.pct(scr['reference_response'], 1)} with the defaults (see *Which assumptions matter*)."
        + {
            True: "",
            False: " At this number of replicates that shift is not beyond replicate noise.",
            None: " Too few replicates to tell that shift from noise.",
        }[t["beyond_noise"]]
    )
    return out


def _finite(v: float) -> float:
    return v if math.isfinite(v) else math.inf


def _elasticity_words(est: float, lo: float, hi: float) -> str:
    if not all(math.isfinite(v) for v in (est, lo, hi)):
        return "too few runs to say."
    if lo <= 0.0 <= hi:
        return "the interval includes zero, so these runs cannot tell the effect from noise."
    size = "small" if abs(est) < 0.05 else ("moderate" if abs(est) < 0.3 else "large")
    way = "fewer" if est < 0 else "more"
    return f"a {size} effect — more interdiction, {way} arrivals."


# ---------------------------------------------------------------------------- command line


def cmd_report(args: argparse.Namespace) -> int:
    """Build the policy report (``iron-river report``)."""
    make = Config.quick if args.quick else Config
    given = {
        "replicates": args.replicates,
        "years": args.years,
        "scale": args.scale,
        "burn_in_years": args.burn_in_years,
        "points": args.points,
        "screen_replicates": args.screen_replicates,
        "seed": args.seed,
        "workers": args.workers,
        "scheduler": args.scheduler,
        "sensitivity": Path(args.sensitivity) if args.sensitivity else None,
    }
    cfg = make(
        **{k: v for k, v in given.items() if v is not None},
        scenarios=Path(args.scenarios),
        out=Path(args.out),
        quiet=args.quiet,
    )
    if cfg.points < 2:
        raise ScenarioError(f"must be at least 2, got {cfg.points}", key="--points")
    data = build_report(cfg)
    print(f"report: {cfg.out / 'REPORT.md'} ({data['config']['runs']} runs)")
    return 0


def register(subparsers: Any) -> None:
    """Add ``iron-river report`` to the CLI's subparsers."""
    p = subparsers.add_parser(
        "report", help="policy report from fresh runs: results/report/REPORT.md"
    )
    p.add_argument("--replicates", type=int, help="replicates per scenario (default 10)")
    p.add_argument("--years", type=int, help="measured years (default 10)")
    p.add_argument("--scale", type=float, help="real households per simulated one (default 100)")
    p.add_argument("--burn-in-years", type=int, help="burn-in years (default: the scenario's)")
    p.add_argument("--points", type=int, help="interdiction curve points (default 6)")
    p.add_argument(
        "--screen-replicates", type=int, help="replicates per screening run (default: all)"
    )
    p.add_argument("--seed", type=int, help="root seed (default 20190101)")
    p.add_argument("--scenarios", default="scenarios", help="folder of scenario files")
    p.add_argument("--out", default="results/report", help="report folder")
    p.add_argument("--workers", type=int, help="local worker processes (default 1: serial)")
    p.add_argument("--scheduler", help="address of a running Dask scheduler")
    p.add_argument(
        "--sensitivity",
        metavar="SPEC",
        help="also run a sensitivity file (e.g. scenarios/sensitivity/key_assumptions.toml) "
        "and include its indices",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="tiny smoke-test report: scale 5000, 1 year, no burn-in, 2 replicates, 3 points",
    )
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=cmd_report)


# ---------------------------------------------------------------------------- global sensitivity


def _sensitivity(cfg: Config, out: Path) -> dict[str, Any]:
    """Run a sensitivity file (tiny sizes under ``--quick``) into ``out``; return its indices."""
    from iron_river import sensitivity

    spec = sensitivity.load_spec(cfg.sensitivity)
    if cfg.is_quick:
        spec.samples, spec.replicates = 2, min(spec.replicates, cfg.replicates)
        spec.years, spec.scale, spec.burn_in_years = cfg.years, cfg.scale, cfg.burn_in_years
    res = sensitivity.run(spec, out, workers=cfg.workers, scheduler=cfg.scheduler, quiet=cfg.quiet)
    res["spec"] = str(cfg.sensitivity)
    res["figure"] = "sensitivity/indices.png"
    return res


def _sensitivity_markdown(res: dict[str, Any], c: Cite) -> list[str]:
    sobol = res["method"] == "sobol"
    key, conf = ("ST", "ST_conf") if sobol else ("mu_star", "mu_star_conf")
    what = "total-order Sobol index ST" if sobol else "Morris μ* (mean absolute elementary effect)"
    names = list(res["parameters"])
    lines = ["", "## Global sensitivity", ""]
    lines.append(
        f"From `{c.cell(res['spec'])}`: {c.num(res['rows'], 'd')} design rows × "
        f"{c.num(res['replicates'], 'd')} common seeds ({c.num(res['runs'], 'd')} runs), "
        f"{res['method']} design with SALib; outputs "
        + (
            "are the paired relative change under the policy "
            + ", ".join(f"`{k}` = {c.num(v, 'g')}" for k, v in res["policy"].items())
            if res["policy"]
            else "are yearly levels"
        )
        + f". Index: {what}, ± its confidence half-width. The noise share is the part of the "
        "output's variance over the design that is replicate noise; where it is not small, "
        "the ranking is not reliable."
    )
    for output, o in res["outputs"].items():
        lines += [
            "",
            f"**{OUTCOMES.get(output, output)}** (noise share {c.num(o['noise_share'], '.2g')})",
            "",
        ]
        order = sorted(range(len(names)), key=lambda j: -_finite_or(o["indices"][key][j]))
        rows = [
            [
                f"`{names[j]}`",
                f"{c.num(o['indices'][key][j], '.3g')} ± {c.num(o['indices'][conf][j], '.2g')}",
            ]
            for j in order
        ]
        lines += _table(["parameter", key], rows)
    lines += ["", f"![global sensitivity]({res['figure']})"]
    return lines


def _finite_or(v: float, default: float = -math.inf) -> float:
    return v if math.isfinite(v) else default
