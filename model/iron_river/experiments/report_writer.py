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
SCREEN_MULTIPLIER = 100  # the headline policy: US southbound interdiction ×100 the 2019 rate
COUNTRY_NAMES = {"MX": "Mexico", "GT": "Guatemala", "HN": "Honduras", "SV": "El Salvador"}
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
    # the answer: arrivals' response by country and horizon, whole vs seed-only interval
    ans = data["answer"]["policies"]["x100"]["rows"]
    labels = ["all origins", *COUNTRY_NAMES.values()]
    metrics = ["us_border_arrivals", *(f"us_border_arrivals_{c}" for c in COUNTRY_NAMES)]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    y = np.arange(len(labels))
    for k, (horizon, shift, colour) in enumerate(
        (("decade", -0.17, "#4c72b0"), ("final year", 0.17, "#dd8452"))
    ):
        rows = [ans[f"{m}|{horizon}"] for m in metrics]
        mean = np.array([r["mean"] for r in rows]) * 100
        lo = np.array([r["p05"] for r in rows]) * 100
        hi = np.array([r["p95"] for r in rows]) * 100
        slo = np.array([r["seed_p05"] for r in rows]) * 100
        shi = np.array([r["seed_p95"] for r in rows]) * 100
        ax.errorbar(
            mean,
            y + shift,
            xerr=[mean - lo, hi - mean],
            fmt="o",
            color=colour,
            capsize=3,
            label=f"{horizon}: 90% predictive interval",
        )
        seed_half = (shi - slo) / 2
        ax.errorbar(
            mean,
            y + shift,
            xerr=seed_half,
            fmt="none",
            color="black",
            lw=3,
            alpha=0.5,
            label="seed noise alone" if k == 0 else None,
        )
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    x_from, x_to = data["answer"]["from"], data["answer"]["policies"]["x100"]["x"]
    ax.set_xlabel(
        f"change in arrivals at the US border (%), interdiction "
        f"{x_from * 100:.2g}% → {x_to * 100:.3g}% of loads"
    )
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    drawn = data["answer"]["parameters"] == "posterior"
    ax.set_title(
        "Arrivals' response to interdiction by origin, "
        + (
            f"{data['config']['replicates']} posterior draws"
            if drawn
            else "one parameter set (seed noise only)"
        ),
        fontsize=10,
    )
    fig.tight_layout()
    _save(fig, folder / "answer.png", smoke)
    plt.close(fig)
    files["answer"] = "answer.png"
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
        f"({c.num(BAND[0], '.0f')}th–{c.num(BAND[1], '.0f')}th percentile). "
        + (
            "Replicate i of every scenario also runs posterior draw i, so they are predictive "
            "intervals: what we do not know about the parameters and seed noise together."
            if data["answer"]["parameters"] == "posterior"
            else "Every replicate runs the same parameters "
            f"({c.cell(data['answer']['parameters'])}), so they are seed noise only."
        ),
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
    header = ["id", "quantity", "target", "tolerance", "model mean", band_label, "target inside"]
    header.append("result")
    rows = [[r[0], *(c.cell(x) for x in r[1:7]), r[7]] for r in base["validation"]]
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
    lines += _answer_markdown(data, figures, c)
    if "sensitivity" in data:
        lines += _sensitivity_markdown(data["sensitivity"], c)
    lines += ["", "## Reproduce", ""]
    lines.append(
        "`iron-river report --replicates {r} --years {y} --scale {s} --burn-in-years {b} "
        "--points {p} --seed-runs {sr} --seed {seed}`; see `docs/ODD.md` for the model "
        "and `docs/ASSUMPTIONS.md` for the assumptions.".format(
            r=c.num(cfg["replicates"], "d"),
            y=c.num(cfg["years"], "d"),
            s=c.num(cfg["scale"], "g"),
            b=c.num(cfg["burn_in_years"], "d"),
            p=c.num(cfg["interdiction_points"], "d"),
            sr=c.num(cfg["seed_runs"], "d"),
            seed=c.num(cfg["seed"], "d"),
        )
    )
    return "\n".join(lines) + "\n"


def _ci(row: dict[str, float]) -> dict[str, float]:
    return {"mean": row["change_mean"], "lo": row["change_p05"], "hi": row["change_p95"]}


def _summary(data: dict, c: Cite) -> list[str]:
    base, cur = data["baseline"], data["interdiction"]
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
    out += _answer_summary(data, c)
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


# ---------------------------------------------------------------------------- the answer


def _pp(c: Cite, row: dict[str, float]) -> str:
    """A change per percentage point of loads seized, with its interval, in percent."""
    return (
        f"{c.num(row['per_point'] * 100, '+.2f', '%')} "
        f"[{c.num(row['per_point_p05'] * 100, '+.2f')}, "
        f"{c.num(row['per_point_p95'] * 100, '+.2f')}]"
    )


def _nan(v: float | None) -> float:
    """A number from report.json, where NaN is stored as null."""
    return math.nan if v is None else float(v)


def _seed_words(c: Cite, row: dict[str, float]) -> str:
    if not math.isfinite(_nan(row["seed_sd"])):
        return "n/a"
    half = (row["seed_p95"] - row["seed_p05"]) / 2
    return f"±{c.num(half * 100, '.1f')} pts"


def _share(c: Cite, row: dict[str, float]) -> str:
    v = _nan(row["parameter_share"])
    return c.pct(v, 0, signed=False) if math.isfinite(v) else "n/a"


def _answer_markdown(data: dict, figures: dict[str, str], c: Cite) -> list[str]:
    ans = data["answer"]
    x0 = ans["from"]
    drawn = ans["parameters"] == "posterior"
    lines = ["", "## The answer: interdiction and migration pressure", ""]
    if drawn:
        lines.append(
            f"Each of {c.num(ans['draws'], 'd')} paired replicates runs its own parameter set, "
            f"drawn from the posterior ({c.cell(ans['source'])}), and its own seed — the same for "
            "the baseline and the policy. Their spread, the "
            f"{c.num(BAND[1] - BAND[0], '.0f', '%')} predictive interval, carries what we do not "
            "know about the parameters and the noise of the simulation together. Seed noise "
            f"alone is the spread of {c.num(ans['seed_runs'], 'd')} replicates that share one "
            "parameter set (the posterior's medians), shown as ± half its interval; the "
            "parameters' share is 1 − (seed SD / whole SD)²."
        )
    else:
        lines.append(
            f"Every replicate runs the same parameters ({c.cell(ans['parameters'])}: "
            f"{c.cell(ans['source'])}), so the intervals below are seed noise only and say "
            "nothing about what we do not know about the parameters."
        )
    for policy in ("x100", "max"):
        entry = ans["policies"][policy]
        x = entry["x"]
        lines += [
            "",
            f"**Interdiction from {c.pct(x0, 2, signed=False)} to {c.pct(x, 0, signed=False)} "
            "of loads**, change in arrivals at the US border against the baseline:",
            "",
        ]
        rows = []
        for metric, who in (
            ("us_border_arrivals", "all origins"),
            *((f"us_border_arrivals_{k}", v) for k, v in COUNTRY_NAMES.items()),
        ):
            for horizon in ("decade", "final year"):
                r = entry["rows"][f"{metric}|{horizon}"]
                rows.append(
                    [
                        who,
                        horizon,
                        _interval(c, r["mean"], r["p05"], r["p95"]),
                        _pp(c, r),
                        _seed_words(c, r),
                        _share(c, r),
                    ]
                )
        lines += _table(
            [
                "origin",
                "horizon",
                f"change [{c.num(BAND[1] - BAND[0], '.0f', '%')}]",
                "per point of loads seized",
                "seed noise alone",
                "parameters' share",
            ],
            rows,
        )
        e = entry["elasticity"]
        lines += [
            "",
            f"Elasticity of arrivals (decade) with respect to interdiction over this step: "
            f"{c.num(e['mean'], '+.4f')} [{c.num(e['p05'], '+.4f')}, {c.num(e['p95'], '+.4f')}].",
        ]
    if "answer" in figures:
        lines += ["", f"![the answer]({figures['answer']})"]
    lines += ["", "## What the answer hinges on", ""]
    lines += _hinges_markdown(ans, c)
    return lines


def _hinges_markdown(ans: dict, c: Cite) -> list[str]:
    entry = ans["policies"]["x100"]
    h = entry.get("hinges")
    if h is None:
        return [
            "Without posterior draws the runs cannot say which parameters the answer depends "
            "on; run without `--point` (and with a shipped posterior)."
        ]
    out = [
        f"Across the {c.num(ans['draws'], 'd')} draws ({c.num(h['distinct_particles'], 'd')} "
        "distinct parameter sets), the rank correlation (Spearman ρ) between each parameter's "
        "value and the draw's change in arrivals from ×100 interdiction; kept where "
        f"|ρ| > {c.num(h['threshold'], '.2f')}, what chance alone gives this many draws about "
        "one time in twenty."
    ]
    if not h["rows"]:
        out.append(
            " No parameter stands out of chance: the answer's spread is spread over many "
            "parameters (or is mostly seed noise)."
        )
        return ["".join(out)]
    out.append("")
    rows = [
        [
            f"`{r['parameter']}`",
            c.num(r["rho"], "+.2f"),
            c.pct(r["low"], 1),
            c.pct(r["high"], 1),
        ]
        for r in h["rows"]
    ]
    return [
        out[0],
        "",
        *_table(["parameter", "ρ", "change, lowest third of draws", "change, highest third"], rows),
    ]


def _answer_summary(data: dict, c: Cite) -> list[str]:
    ans = data["answer"]
    entry = ans["policies"]["x100"]
    r = entry["rows"]["us_border_arrivals|decade"]
    f = entry["rows"]["us_border_arrivals|final year"]
    text = (
        f"- **The answer.** Raising US southbound interdiction from "
        f"{c.pct(ans['from'], 2, signed=False)} to {c.pct(entry['x'], 0, signed=False)} of loads "
        f"changes arrivals at the US border by {c.pct(r['mean'], 1)} "
        f"[{c.pct(r['p05'], 1)}, {c.pct(r['p95'], 1)}] over the decade "
        f"({_pp(c, r)} per point of loads seized) and by "
        f"{_interval(c, f['mean'], f['p05'], f['p95'])} in its final year."
    )
    if ans["parameters"] == "posterior":
        text += (
            f" Seed noise alone is {_seed_words(c, r)}; the parameters carry "
            f"{_share(c, r)} of the variance (see *The answer*)."
        )
        h = entry.get("hinges", {}).get("rows", [])
        if h:
            text += f" It moves most with `{h[0]['parameter']}` (ρ {c.num(h[0]['rho'], '+.2f')})."
    else:
        text += " Seed noise only: one parameter set."
    return [text]
