"""The policy answer in words, tables and one figure (from ``report.json``'s ``answer``).

What :func:`iron_river.experiments.report._answer` computed: arrivals' change from
interdiction per point of loads seized and as an elasticity, decade and final year, overall and
by origin, the predictive interval with its seed-only part and the parameters' share, and the
parameters the answer hinges on.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from iron_river.experiments.design import BAND
from iron_river.experiments.writing import Cite, _interval, _save, _table

COUNTRY_NAMES = {"MX": "Mexico", "GT": "Guatemala", "HN": "Honduras", "SV": "El Salvador"}


def figure(folder: Path, data: dict[str, Any], smoke: bool) -> str:
    """``answer.png``: the change by origin and horizon, whole and seed-only intervals."""
    from iron_river.outputs.figures import figure as new_figure

    ans = data["answer"]["policies"]["x100"]["rows"]
    labels = ["all origins", *COUNTRY_NAMES.values()]
    metrics = ["us_border_arrivals", *(f"us_border_arrivals_{c}" for c in COUNTRY_NAMES)]
    fig, ax = new_figure((8, 3.6))
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
    return "answer.png"


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


def markdown(data: dict, figures: dict[str, str], c: Cite) -> list[str]:
    """The answer's section of the report (and of the README)."""
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
        if ans.get("from_draws"):
            lo, mid, hi = ans["from_draws"]
            lines[-1] += (
                " The baseline rate itself is uncertain (T4 bounds it only loosely): each draw "
                f"starts from its own, {c.pct(mid, 2, signed=False)} at the median "
                f"[{c.pct(lo, 2, signed=False)}, {c.pct(hi, 2, signed=False)}] against the "
                f"schema's {c.pct(x0, 2, signed=False)}; a policy sets the same rate in every "
                "draw, and changes per point and elasticities are measured from each draw's own "
                "baseline rate."
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
    if "chain" in ans["policies"]["x100"]:
        lines += chain_markdown(ans, c)
    lines += ["", "## What the answer hinges on", ""]
    lines += hinges_markdown(ans, c)
    return lines


def _names(codes: list[str]) -> str:
    names = [COUNTRY_NAMES[k] for k in codes]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def chain_markdown(ans: dict, c: Cite) -> list[str]:
    """The ×100 step link by link, per country: where the change in arrivals comes from."""
    entry = ans["policies"]["x100"]
    chain, x = entry["chain"], entry["x"]
    lines = [
        "",
        "### From guns to arrivals, link by link",
        "",
        f"Interdiction from {c.pct(ans['from'], 2, signed=False)} to "
        f"{c.pct(x, 0, signed=False)} of loads, the same paired replicates: change of each "
        "link of the chain against the baseline, averaged over the decade "
        f"[{c.num(BAND[1] - BAND[0], '.0f', '%')} interval].",
        "",
    ]
    rows = [
        [link, *(_interval(c, v["mean"], v["p05"], v["p95"]) for v in by.values())]
        for link, by in chain.items()
    ]
    lines += _table(["link", *(COUNTRY_NAMES[k] for k in chain["homicides"])], rows)
    guns, hom = chain["guns held by armed groups"], chain["homicides"]
    groups, arr = chain["armed groups"], chain["arrivals at the US border"]
    # a link "falls" or "rises" only where its whole interval does; the rest is unclear
    fewer = [k for k, v in guns.items() if v["p95"] < 0]
    calmer = [k for k in fewer if hom[k]["p95"] < 0]
    hotter = [k for k in fewer if hom[k]["p05"] > 0]
    words = []
    if calmer:
        words.append(
            "Where armed groups hold fewer guns, homicides fall: "
            + ", ".join(f"{COUNTRY_NAMES[k]} {c.pct(hom[k]['mean'], 1)}" for k in calmer)
            + "."
        )
    if hotter:
        words.append(
            f"In {_names(hotter)} they rise although armed groups hold fewer guns: homicides "
            + ", ".join(f"{c.pct(hom[k]['mean'], 1)}" for k in hotter)
            + ", armed groups "
            + ", ".join(f"{c.pct(groups[k]['mean'], 1)}" for k in hotter)
            + (
                ". In the model more groups contesting a place means more rivalry, and rivalry "
                "drives killing"
                if all(groups[k]["mean"] > 0 for k in hotter)
                else ". Rivalry and succession surges drive killing in the model"
            )
            + " (docs/ODD.md, *Territory* and *Violence*: turf follows armed strength; groups "
            "split, rejoin and dissolve) — links whose strength is assumed, not measured."
        )
    if words:
        words.append(
            "Arrivals follow homicides only as far as the evidence on migration's response to "
            "violence allows (docs/EVIDENCE.md 3): "
            + ", ".join(f"{COUNTRY_NAMES[k]} {c.pct(v['mean'], 1)}" for k, v in arr.items())
            + "."
        )
        lines += ["", " ".join(words)]
    return lines


def hinges_markdown(ans: dict, c: Cite) -> list[str]:
    """Which parameters the answer moves with across the posterior draws."""
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


def _from(c: Cite, ans: dict) -> str:
    """Where the step starts: the schema's rate, and with draws the posterior's spread of it."""
    schema = c.pct(ans["from"], 2, signed=False)
    if ans["parameters"] != "posterior" or not ans.get("from_draws"):
        return schema
    lo, _, hi = ans["from_draws"]
    return (
        f"its baseline rate ({schema} in the schema; {c.pct(lo, 2, signed=False)}–"
        f"{c.pct(hi, 2, signed=False)} across the posterior draws)"
    )


def summary(data: dict, c: Cite) -> list[str]:
    """The answer's bullet in the summary."""
    ans = data["answer"]
    entry = ans["policies"]["x100"]
    r = entry["rows"]["us_border_arrivals|decade"]
    f = entry["rows"]["us_border_arrivals|final year"]
    text = (
        f"- **The answer.** Raising US southbound interdiction from {_from(c, ans)} to "
        f"{c.pct(entry['x'], 0, signed=False)} of loads "
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
