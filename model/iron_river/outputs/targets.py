"""The FACTS.md targets the baseline must reproduce, and the table that checks runs against them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """A FACTS.md figure the baseline must reproduce."""

    id: str
    metric: str
    what: str
    target: float
    lo: float
    hi: float
    source: str

    def passes(self, value: float) -> bool:
        """Whether the model mean is within tolerance."""
        return bool(self.lo <= value <= self.hi)

    @property
    def tolerance(self) -> str:
        """The tolerance as FACTS.md states it."""
        return f"[{self.lo:.4g}, {self.hi:.4g}]"


def _rel(tid: str, metric: str, what: str, target: float, tol: float, source: str) -> Target:
    return Target(tid, metric, what, target, target * (1 - tol), target * (1 + tol), source)


def _abs(tid: str, metric: str, what: str, target: float, tol: float, source: str) -> Target:
    return Target(tid, metric, what, target, target - tol, target + tol, source)


TARGETS: tuple[Target, ...] = (
    _rel(
        "T1",
        "guns_trafficked_us_to_mx",
        "firearms trafficked US→Mexico per year",
        200_000,
        0.15,
        "SRE estimate in GAO-21-322",
    ),
    _abs(
        "T2",
        "us_sourced_share_seized_mexico",
        "US-sourced share of traced guns, Mexico",
        0.70,
        0.05,
        "ATF eTrace via GAO-16-223, GAO-21-322",
    ),
    _abs(
        "T3",
        "us_sourced_share_seized_guatemala",
        "US-sourced share of traced guns, Guatemala",
        0.42,
        0.06,
        "ATF Dec 2019; GAO-22-104680",
    ),
    Target(
        "T4",
        "us_southbound_interdiction_rate",
        "US southbound seizures ÷ guns trafficked",
        0.002,
        0.0006,
        0.004,
        "GAO-21-322",
    ),
    _rel(
        "T5",
        "guns_traced_to_us_from_mexico",
        "guns from Mexico traced to the US per year",
        12_000,
        0.20,
        "ATF via the article",
    ),
    _abs(
        "T6",
        "firearm_share_homicides_mexico",
        "firearm share of homicides, Mexico",
        0.70,
        0.05,
        "INEGI death records",
    ),
    _rel("T7-MX", "homicide_rate_per_100k_MX", "homicides per 100k, Mexico", 29.0, 0.20, "INEGI"),
    _rel(
        "T7-GT",
        "homicide_rate_per_100k_GT",
        "homicides per 100k, Guatemala",
        21.5,
        0.20,
        "InSight Crime",
    ),
    _rel(
        "T7-HN",
        "homicide_rate_per_100k_HN",
        "homicides per 100k, Honduras",
        41.2,
        0.20,
        "InSight Crime",
    ),
    _rel(
        "T7-SV",
        "homicide_rate_per_100k_SV",
        "homicides per 100k, El Salvador",
        36.0,
        0.20,
        "InSight Crime",
    ),
    _abs(
        "T8",
        "migrants_exposed_share",
        "Northern Triangle arrivals exposed to violence in the 2 years before leaving",
        0.62,
        0.05,
        "Doctors Without Borders, via the article (a survey of Northern Triangle migrants)",
    ),
    _abs(
        "T9",
        "families_with_children_violence_reason_share",
        "Northern Triangle families with children naming violence as a key reason",
        0.75,
        0.05,
        "Doctors Without Borders 'No Way Out' (2020); a reported reason, not a cause",
    ),
    _rel(
        "T10",
        "us_border_arrivals",
        "SW-border apprehensions, MX+GT+HN+SV nationals, FY2019",
        770_000,
        0.25,
        "CBP / CRS R46012 / Pew",
    ),
    _rel(
        "T10-MX",
        "us_border_arrivals_MX",
        "SW-border apprehensions of Mexican nationals, FY2019",
        166_458,
        0.25,
        "CBP, USBP Nationwide Apprehensions by Citizenship and Sector FY2007-2020",
    ),
    _rel(
        "T10-GT",
        "us_border_arrivals_GT",
        "SW-border apprehensions of Guatemalan nationals, FY2019",
        264_168,
        0.25,
        "CBP, USBP Nationwide Apprehensions by Citizenship and Sector FY2007-2020",
    ),
    _rel(
        "T10-HN",
        "us_border_arrivals_HN",
        "SW-border apprehensions of Honduran nationals, FY2019",
        253_795,
        0.25,
        "CBP, USBP Nationwide Apprehensions by Citizenship and Sector FY2007-2020",
    ),
    _rel(
        "T10-SV",
        "us_border_arrivals_SV",
        "SW-border apprehensions of Salvadoran nationals, FY2019",
        89_811,
        0.25,
        "CBP, USBP Nationwide Apprehensions by Citizenship and Sector FY2007-2020",
    ),
    _abs(
        "T11",
        "firearm_share_homicides_honduras",
        "firearm share of homicides, Honduras",
        0.81,
        0.05,
        "UNAH Violence Observatory; UNODC Global Study on Homicide 2013",
    ),
)


def validation_table(metrics: dict[str, dict[str, float]]) -> tuple[list[list[str]], bool]:
    """Rows of target, tolerance, model mean and interval, pass/fail, for every target."""
    rows, ok = [], True
    for t in TARGETS:
        m = metrics[t.metric]
        passed = t.passes(m["mean"])
        ok &= passed
        rows.append(
            [
                t.id,
                t.what,
                f"{t.target:.4g}",
                t.tolerance,
                f"{m['mean']:.4g}",
                f"[{m['p05']:.4g}, {m['p95']:.4g}]",
                "pass" if passed else "FAIL",
            ]
        )
    return rows, ok
