"""Summary metrics of a run, and the FACTS.md targets they are checked against.

Every metric is computed from the ledger's weekly tallies over the measured period:
counts become yearly averages, shares are ratios of summed counts (fractions 0–1).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from iron_river.world.geography import COUNTRIES


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b else float("nan")


def summarise(series: Mapping[str, np.ndarray]) -> dict[str, float]:
    """Yearly averages and shares over the measured weeks of one run."""
    s = {k: np.asarray(v, dtype=float) for k, v in series.items()}
    years = len(s["week"]) / 52.0
    total = {k: float(v.sum()) for k, v in s.items()}

    def per_year(key: str) -> float:
        return total[key] / years

    m: dict[str, float] = {
        "guns_bought": per_year("guns_bought"),
        "guns_trafficked_us_to_mx": per_year("guns_into_mexico"),
        "guns_seized_us": per_year("guns_seized_us"),
        "guns_seized_mx_customs": per_year("guns_seized_mx"),
        "guns_seized_mx_gt_border": per_year("guns_seized_gt_border"),
        "guns_delivered": per_year("guns_delivered"),
        "guns_delivered_mx": per_year("guns_delivered_mx"),
        "guns_delivered_central_america": per_year("guns_delivered_ca"),
        "us_southbound_interdiction_rate": _ratio(
            total["guns_seized_us"], total["guns_attempted_us"]
        ),
        "us_sourced_share_seized_mexico": _ratio(total["traced_us_MX"], total["traced_MX"]),
        "us_sourced_share_seized_guatemala": _ratio(total["traced_us_GT"], total["traced_GT"]),
        "guns_traced_to_us_from_mexico": per_year("traced_us_MX"),
        "firearm_share_homicides_mexico": _ratio(
            total["firearm_homicides_MX"], total["homicides_MX"]
        ),
        "homicides_total": per_year("homicides"),
        "households_exposed": per_year("households_exposed"),
        "departures": per_year("departures"),
        "departures_violence_share": _ratio(total["departures_violence"], total["departures"]),
        "us_border_arrivals": per_year("arrivals"),
        "migrants_exposed_share": _ratio(total["arrivals_exposed"], total["arrivals"]),
        "migrants_victimised_on_route_share": _ratio(
            total["arrivals_route_victims"], total["arrivals"]
        ),
        "families_with_children_violence_reason_share": _ratio(
            total["arrival_families_violence"], total["arrival_families"]
        ),
        "trafficker_cells": float(s["cells"].mean()),
    }
    for c in COUNTRIES:
        pop = float(s[f"population_{c}"].mean())
        m[f"homicide_rate_per_100k_{c}"] = _ratio(per_year(f"homicides_{c}") * 1e5, pop)
        m[f"homicides_{c}"] = per_year(f"homicides_{c}")
        m[f"us_border_arrivals_{c}"] = per_year(f"arrivals_{c}")
        m[f"arsenal_{c}"] = float(s[f"arsenal_{c}"].mean())
    return m


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
