"""Writing the policy report: REPORT.md in plain words and its figures, every number cited.

Every number in the text goes through :meth:`Cite.num` (or is a cell of a generated table), so
it is formatted from a computed value and recorded in ``report.json`` under ``cited``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from iron_river.experiments import answer_writer
from iron_river.experiments.design import BAND
from iron_river.experiments.writing import SMOKE_TITLE, Cite, _interval, _save, _table

OUTCOMES = {
    "guns_delivered": "guns delivered to armed groups",
    "homicides_total": "homicides",
    "us_border_arrivals": "arrivals at the US border",
}
SCREEN_MULTIPLIER = 100  # the headline policy: US southbound interdiction ×100 the 2019 rate
SMOKE_WARNING = (
    "Smoke test (iron-river report --quick), not to be cited: a few tiny runs (sizes in the "
    "next paragraph) that only show that the report's pipeline works. At this size the "
    "baseline is not calibrated (targets fail) and every effect below is noise. Run "
    "`iron-river report` without --quick for results."
)


def _figures(folder: Path, data: dict[str, Any]) -> dict[str, str]:
    from iron_river.outputs.figures import figure

    files = {}
    smoke = bool(data["config"].get("smoke_test"))
    # policy effects: paired relative change with 90% intervals
    pol = data["policies"]
    if pol:
        names = list(pol)
        fig, axes = figure((12, 0.6 * len(names) + 1.6), 1, len(OUTCOMES), sharey=True)
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
        files["policy_effects"] = "policy_effects.png"
    # interdiction curve: each replicate against its own baseline (same draw, same seed)
    cur = data["interdiction"]
    x = np.array(cur["x"])
    drawn = data["answer"]["parameters"] == "posterior"
    what = "parameters and seeds" if drawn else "seeds only"
    fig, axes = figure((12, 3.6), 1, len(OUTCOMES))
    for ax, (metric, label) in zip(axes, OUTCOMES.items(), strict=True):
        m = cur["metrics"][metric]
        pct = {k: np.array(m[k]) * 100 for k in ("change_mean", "change_p05", "change_p95")}
        ax.fill_between(
            x, pct["change_p05"], pct["change_p95"], alpha=0.3, label=f"90% interval ({what})"
        )
        ax.plot(x, pct["change_mean"], "o-", label="mean of paired changes")
        ax.axhline(0, color="grey", lw=0.8)
        ax.axvline(x[0], color="grey", ls=":", label="2019 rate")
        ax.set_xscale("log")
        ax.set_xlabel("US southbound interdiction (share of loads)")
        ax.set_ylabel("change vs 2019 rate (%)")
        ax.set_title(label)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    _save(fig, folder / "interdiction_curve.png", smoke)
    files["interdiction_curve"] = "interdiction_curve.png"
    files["answer"] = answer_writer.figure(folder, data, smoke)
    if data["answer"]["parameters"] == "posterior":
        files |= _identification_figures(folder, data)
    return files


def _drawn_from(data: dict[str, Any]) -> Any:
    """The posterior the report's runs drew from (a path given, or the shipped one)."""
    from iron_river.scenario.posterior import named

    return named(data["config"].get("posterior_path"))[0]


def _identification_figures(folder: Path, data: dict[str, Any]) -> dict[str, str]:
    """The posterior the runs drew from against its prior: the table, marginals, pair plot."""
    from iron_river.outputs import identification

    post = _drawn_from(data)
    if post is None:
        return {}
    identification.write(folder, list(post.keys), post.values, post.weights)
    return {
        "marginals": "marginals.png",
        "pairs": "pairs.png",
        "identification": "identification.md",
    }


def _identification_markdown(data: dict, figures: dict[str, str], c: Cite) -> list[str]:
    """What the data pin down, every number cited (the table itself is a linked file)."""
    from iron_river.outputs import identification

    post = _drawn_from(data)
    path = data["config"].get("posterior_path")
    which = f"the posterior at `{path}`" if path else "the shipped posterior"
    rows = identification.table(list(post.keys), post.values, post.weights)
    meta = post.meta
    n = {v: sum(r["verdict"] == v for r in rows) for v in ("pinned", "narrowed")}
    keys = list(post.keys)
    spread = identification.span(identification.logits(keys, post.values))
    said = identification.move_warning(meta, spread, len(keys))
    warning = (
        [
            "",
            f"**The particles spread along {c.num(spread, 'd')} of the {c.num(len(keys), 'd')} "
            f"directions of the parameter space.** {c.cell(said)} A refit with full-rank moves "
            "from the start (`iron-river calibrate`, whose default they are) would tell by how "
            "much (docs/ODD.md, *Calibration and what the data pin down*).",
        ]
        if said
        else []
    )
    fitted = (
        f" from {c.num(meta['generations'], 'd')} generations and "
        f"{c.count(meta['simulations'])} simulations, final tolerance "
        f"{c.num(meta['epsilon_schedule'][-1], '.3g')} half-tolerances"
        if {"generations", "simulations", "epsilon_schedule"} <= set(meta)
        else " (its record names no fit: generations, simulations or tolerance unknown)"
    )
    return [
        "",
        "## What the data pin down",
        "",
        f"The runs drew from {which}: {c.num(post.size, 'd')} particles{fitted}. "
        f"Of {c.num(len(rows), 'd')} parameters the data pin "
        f"{c.num(n['pinned'], 'd')} (posterior SD under half the prior's) and narrow "
        f"{c.num(n['narrowed'], 'd')} (under 0.8 of it); the rest stay as uncertain as their "
        "priors, and that uncertainty is in every interval above. Per parameter: "
        f"[{figures['identification']}]({figures['identification']}).",
        *warning,
        "",
        f"![marginals]({figures['marginals']})",
        "",
        f"![pairs]({figures['pairs']})",
    ]


# ---------------------------------------------------------------------------- the text


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
        f"{c.pct(cur['x'][-1], 0, signed=False)}. The table gives each outcome's yearly mean "
        f"[{c.num(BAND[1] - BAND[0], '.0f', '%')} interval]; the figure gives the change of "
        "each replicate against its own baseline (the same parameter draw and seed at the "
        "calibrated rate), the policy's effect with the noise common to both arms taken out."
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
    lines += answer_writer.markdown(data, figures, c)
    if "marginals" in figures:
        lines += _identification_markdown(data, figures, c)
    if "sensitivity" in data:
        lines += _sensitivity_markdown(data["sensitivity"], c)
    lines += ["", "## Reproduce", ""]
    lines.append(
        f"`{_command(data, c)}`; see `docs/ODD.md` for the model and `docs/ASSUMPTIONS.md` for "
        "the assumptions."
    )
    return "\n".join(lines) + "\n"


def _command(data: dict, c: Cite) -> str:
    """The command that rebuilds this report: its sizes, seed and every choice that changes it."""
    cfg = data["config"]
    words = ["iron-river report"]
    if cfg.get("smoke_test"):
        words.append("--quick")
    words += [
        f"--replicates {c.num(cfg['replicates'], 'd')}",
        f"--years {c.num(cfg['years'], 'd')}",
        f"--scale {c.num(cfg['scale'], 'g')}",
        f"--burn-in-years {c.num(cfg['burn_in_years'], 'd')}",
        f"--points {c.num(cfg['interdiction_points'], 'd')}",
        f"--seed-runs {c.num(cfg['seed_runs'], 'd')}",
        f"--seed {c.num(cfg['seed'], 'd')}",
    ]
    if cfg.get("parameters") == "point":
        words.append("--point")
    if cfg.get("posterior_path"):
        words.append(f"--posterior {cfg['posterior_path']}")
    if cfg.get("scenarios", "scenarios") != "scenarios":
        words.append(f"--scenarios {cfg['scenarios']}")
    if "sensitivity" in data:
        words.append(f"--sensitivity {data['sensitivity']['spec']}")
    return " ".join(words)


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
    out += answer_writer.summary(data, c)
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
