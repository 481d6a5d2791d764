"""Summary metrics of a run, over the measured period and over its final year.

Every metric is computed from the ledger's weekly tallies: flows become yearly averages
(``per year``), stocks and levels become averages over the weeks (``mean``), shares are ratios
of summed counts (fractions 0-1). Each metric is reported twice: over the whole measured
period, and over its final 52 weeks (suffix ``_final_year``), because effects that are still
growing at the end of a decade are understated by the decade's average.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from iron_river.world.geography import COUNTRIES

FINAL = "_final_year"


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b else float("nan")


def _summary(s: Mapping[str, np.ndarray]) -> dict[str, float]:
    years = len(s["week"]) / 52.0
    total = {k: float(v.sum()) for k, v in s.items()}

    def per_year(key: str) -> float:
        return total[key] / years

    def mean(key: str) -> float:
        return float(s[key].mean())

    m: dict[str, float] = {
        "guns_bought": per_year("guns_bought"),
        "guns_trafficked_us_to_mx": per_year("guns_into_mexico"),
        "guns_seized_us": per_year("guns_seized_us"),
        "guns_seized_mx_customs": per_year("guns_seized_mx"),
        "guns_seized_between_ports": per_year("guns_seized_between"),
        "guns_seized_mx_gt_border": per_year("guns_seized_gt_border"),
        "guns_delivered": per_year("guns_delivered"),
        "guns_delivered_mx": per_year("guns_delivered_mx"),
        "guns_delivered_central_america": per_year("guns_delivered_ca"),
        "guns_between_ports": per_year("guns_between_ports"),
        "between_ports_share": _ratio(
            total["guns_between_ports"], total["guns_attempted_us"] + total["guns_between_ports"]
        ),
        "guns_per_load": _ratio(
            total["guns_attempted_us"] + total["guns_between_ports"], total["border_loads"]
        ),
        "concealment": mean("concealment"),
        "us_southbound_interdiction_rate": _ratio(
            total["guns_seized_us"], total["guns_attempted_us"]
        ),
        "us_sourced_share_seized_mexico": _ratio(total["traced_us_MX"], total["traced_MX"]),
        "us_sourced_share_seized_guatemala": _ratio(total["traced_us_GT"], total["traced_GT"]),
        "guns_traced_to_us_from_mexico": per_year("traced_us_MX"),
        "firearm_share_homicides_mexico": _ratio(
            total["firearm_homicides_MX"], total["homicides_MX"]
        ),
        "firearm_share_homicides_honduras": _ratio(
            total["firearm_homicides_HN"], total["homicides_HN"]
        ),
        "homicides_total": per_year("homicides"),
        "households_exposed": per_year("households_exposed"),
        "departures": per_year("departures"),
        "departures_exposed_share": _ratio(total["departures_exposed"], total["departures"]),
        "us_border_arrivals": per_year("arrivals"),
        "migrants_exposed_share": _ratio(total["nt_arrivals_exposed"], total["nt_arrivals"]),
        "migrants_exposed_share_all_origins": _ratio(total["arrivals_exposed"], total["arrivals"]),
        "migrants_victimised_on_route_share": _ratio(
            total["arrivals_route_victims"], total["arrivals"]
        ),
        "families_with_children_violence_reason_share": _ratio(
            total["nt_families_violence"], total["nt_families"]
        ),
        "trafficker_cells": mean("cells"),
        "leader_arrests": per_year("leader_arrests"),
        "group_splits": per_year("group_splits"),
        "forced_recruits": per_year("forced_recruits"),
    }
    for c in COUNTRIES:
        pop = float(s[f"population_{c}"].mean())
        m[f"homicide_rate_per_100k_{c}"] = _ratio(per_year(f"homicides_{c}") * 1e5, pop)
        m[f"homicides_{c}"] = per_year(f"homicides_{c}")
        m[f"us_border_arrivals_{c}"] = per_year(f"arrivals_{c}")
        m[f"arsenal_{c}"] = mean(f"arsenal_{c}")
        m[f"gang_members_{c}"] = mean(f"members_{c}")
        m[f"armed_groups_{c}"] = mean(f"groups_{c}")
        m[f"gun_price_{c}"] = mean(f"price_{c}")
        m[f"relatives_abroad_share_{c}"] = mean(f"relatives_abroad_share_{c}")
    return m


def summarise(series: Mapping[str, np.ndarray]) -> dict[str, float]:
    """Metrics over the measured weeks of one run, and over their final year."""
    s = {k: np.asarray(v, dtype=float) for k, v in series.items()}
    out = _summary(s)
    last = _summary({k: v[-52:] for k, v in s.items()}) if len(s["week"]) > 52 else out
    out.update({f"{k}{FINAL}": v for k, v in last.items()})
    return out


def across_replicates(runs: list[Mapping[str, float]]) -> dict[str, dict[str, float]]:
    """``{metric: {mean, p05, p95}}`` over replicates."""
    out = {}
    for key in runs[0]:
        v = np.array([r[key] for r in runs], dtype=float)
        v = v[np.isfinite(v)]
        if v.size == 0:
            out[key] = {"mean": float("nan"), "p05": float("nan"), "p95": float("nan")}
            continue
        out[key] = {
            "mean": float(v.mean()),
            "p05": float(np.percentile(v, 5)),
            "p95": float(np.percentile(v, 95)),
        }
    return out
