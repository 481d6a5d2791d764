"""Writing the policy report: REPORT.md in plain words and its figures, every number cited.

Every number in the text goes through :meth:`Cite.num` (or is a cell of a generated table), so
it is formatted from a computed value and recorded in ``report.json`` under ``cited``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from iron_river.experiments.design import BAND

OUTCOMES = {
    "guns_delivered": "guns delivered to armed groups",
    "homicides_total": "homicides",
    "us_border_arrivals": "arrivals at the US border",
}
SCREEN_FACTORS = (0.5, 1.5)  # ±50%
SCREEN_MULTIPLIER = 100  # the policy whose arrivals response is screened: interdiction ×100
SMOKE_TITLE = "SMOKE TEST, NOT TO BE CITED"
SMOKE_WARNING = (
    "Smoke test (iron-river report --quick), not to be cited: a few tiny runs (sizes in the "
    "next paragraph) that only show that the report's pipeline works. At this size the "
    "baseline is not calibrated (targets fail) and every effect below is noise. Run "
    "`iron-river report` without --quick for results."
)


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


# ---------------------------------------------------------------------------- figures


def _save(fig: Any, path: Path, smoke: bool) -> None:
    """Write a figure; a smoke test's figures say so across them (they get copied out)."""
    if smoke:
        fig.text(
            0.5,
            0.5,
            SMOKE_TITLE,
            ha="center",
            va="center",
            rotation=12,
            fontsize=22,
            color="#c00000",
            alpha=0.35,
            fontweight="bold",
        )
    fig.savefig(path, dpi=110)


def _figures(folder: Path, data: dict[str, Any]) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files = {}
    smoke = bool(data["config"].get("smoke_test"))
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
        _save(fig, folder / "policy_effects.png", smoke)
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
    _save(fig, folder / "interdiction_curve.png", smoke)
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
    _save(fig, folder / "screening.png", smoke)
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
    smoke = bool(cfg.get("smoke_test"))
    if smoke:
        lines = [f"# {SMOKE_TITLE} — iron river policy report (--quick)", ""]
        lines += [f"> **{SMOKE_WARNING}**", ""]
    else:
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
    if smoke:
        lines += [
            "*Smoke test: the sentences below are what the full report would say; at this size "
            "their numbers are noise, not findings.*",
            "",
        ]
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
        f"With every default the response is {c.pct(scr['reference_response'], 1)}"
        + _same_as_policy_table(data, c)
        + _noise_words(scr, c)
        + " Ranked by the largest shift:"
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


def _same_as_policy_table(data: dict, c: Cite) -> str:
    """Say how the screening reference relates to the policy table's ×100 row."""
    cfg = data["config"]
    row = data["policies"].get("interdiction_x100", {}).get("us_border_arrivals")
    if row is None:
        return ""
    if cfg["screen_replicates"] == cfg["replicates"]:
        return ", from the same runs as `interdiction_x100` in the policy table"
    return (
        f" over the first {c.num(cfg['screen_replicates'], 'd')} replicate(s); over all "
        f"{c.num(cfg['replicates'], 'd')}, as in the policy table, it is "
        f"{c.pct(row['change_mean'], 1)}"
    )


def _noise_words(scr: dict, c: Cite) -> str:
    """How big a shift must be to stand out from replicate noise, if that can be told."""
    if scr["noise_threshold"] is None or not math.isfinite(scr["noise_threshold"]):
        return (
            ". With a single replicate the replicate noise cannot be estimated, so no shift "
            "below can be told from noise."
        )
    return (
        f" (standard error over replicates {c.num(scr['reference_se'] * 100, '.1f', ' pts')}, "
        f"so a shift beyond {c.num(scr['noise_threshold'] * 100, '.1f', ' pts')} is unlikely "
        "to be noise)."
    )


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
