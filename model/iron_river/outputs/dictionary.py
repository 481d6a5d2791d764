"""The data dictionary: what every column of every results file means, in which unit.

Each file a run writes has a table here keyed by column name; ``{country}`` in a key stands
for each of MX, GT, HN, SV (and for the country's name in the meaning). Every results folder
gets ``DATA_DICTIONARY.md`` and ``columns.csv`` generated from these tables, and
``tests/test_data_dictionary.py`` fails, naming the column, when a file gains a column without
an entry (or an entry matches no column).

Adding a weekly series to the ledger? Add one line to :data:`TIMESERIES`, e.g.::

    "gang_members_{country}": stock("gang members in {country}", "persons"),

Each entry says:

- **basis**: ``real-world`` (guns, homicides and persons in real numbers: traffickers, gangs
  and places act at full size, household counts are scaled up by the scenario's ``scale``),
  ``simulated`` (counts of simulated households; one stands for ``scale`` real ones), or
  ``identifier``;
- **period**: ``per week`` (a count of that week), ``per year`` (a rate per year), ``stock``
  (a level at the end of the week), ``cumulative`` (since the run's first week, burn-in
  included), ``share`` (a fraction 0–1), or ``-`` for identifiers; summary metrics say how a
  weekly series became one number (``yearly total``, ``mean stock``, ``share over the period``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from iron_river.outputs.style import COUNTRY_NAMES
from iron_river.scenario import PARAMETERS
from iron_river.world.geography import places

REAL, SIMULATED, IDENTIFIER = "real-world", "simulated", "identifier"
PLACEHOLDERS: dict[str, dict[str, str]] = {"country": COUNTRY_NAMES}


@dataclass(frozen=True)
class Entry:
    """What one column (or summary metric) holds."""

    meaning: str
    unit: str
    basis: str
    period: str

    def filled(self, **names: str) -> Entry:
        """The entry with ``{country}`` etc. in its meaning replaced by readable names."""
        readable = {k: PLACEHOLDERS[k].get(v, v) for k, v in names.items()}
        return Entry(self.meaning.format(**readable), self.unit, self.basis, self.period)


def ident(meaning: str) -> Entry:
    """An identifier column (replicate, week, place...)."""
    return Entry(meaning, "-", IDENTIFIER, "-")


def weekly(meaning: str, unit: str, basis: str = REAL) -> Entry:
    """A count of what happened in the week."""
    return Entry(meaning, unit, basis, "per week")


def stock(meaning: str, unit: str, basis: str = REAL) -> Entry:
    """A level at the end of the week."""
    return Entry(meaning, unit, basis, "stock")


def cumulative(meaning: str, unit: str, basis: str = REAL) -> Entry:
    """A running total since the run's first week (burn-in included)."""
    return Entry(meaning, unit, basis, "cumulative")


def share(meaning: str) -> Entry:
    """A fraction 0–1."""
    return Entry(meaning, "fraction 0-1", REAL, "share")


def yearly(meaning: str, unit: str) -> Entry:
    """A summary metric: the weekly counts summed over each measured year, averaged over years."""
    return Entry(meaning, unit, REAL, "yearly total (mean over the measured years)")


def mean_stock(meaning: str, unit: str) -> Entry:
    """A summary metric: a weekly level averaged over the measured weeks."""
    return Entry(meaning, unit, REAL, "stock (mean over the measured weeks)")


def period_share(meaning: str) -> Entry:
    """A summary metric: a ratio of counts summed over the whole measured period."""
    return Entry(meaning, "fraction 0-1", REAL, "share (of totals over the measured period)")


REPLICATE = ident("replicate number (0, 1, ...); each has its own seed, see manifest.json")
WEEK = ident("week of the run, burn-in included (week 1 is the first simulated week)")

TIMESERIES: dict[str, Entry] = {
    "replicate": REPLICATE,
    "week": WEEK,
    "year": Entry(
        "years since the scenario's levers took effect at the end of the burn-in (week / 52)",
        "years",
        IDENTIFIER,
        "-",
    ),
    "guns_bought": weekly("guns bought by trafficker cells in the US source states", "guns"),
    "guns_attempted_us": weekly("guns in loads reaching US southbound inspection", "guns"),
    "guns_seized_us": weekly("guns seized by US southbound inspection at the crossings", "guns"),
    "guns_seized_mx": weekly("guns seized by Mexican customs at the crossings", "guns"),
    "guns_seized_gt_border": weekly(
        "guns seized at the Mexico-Guatemala border on the way to Central America", "guns"
    ),
    "guns_into_mexico": weekly(
        "guns that passed US southbound inspection into Mexico (FACTS.md T1)", "guns"
    ),
    "guns_delivered": weekly("guns delivered to armed groups, all countries", "guns"),
    "guns_delivered_mx": weekly("guns delivered to armed groups in Mexico", "guns"),
    "guns_delivered_ca": weekly(
        "guns delivered to armed groups in Guatemala, Honduras and El Salvador", "guns"
    ),
    "guns_between_ports": weekly(
        "guns carried south across the US border between ports of entry", "guns"
    ),
    "guns_seized_between": weekly("guns seized between ports (US Border Patrol)", "guns"),
    "border_loads": weekly("southbound loads crossing the US border, ports and between", "loads"),
    "guns_per_load": Entry(
        "mean guns per load crossing the US border that week", "guns per load", REAL, "per week"
    ),
    "concealment": stock("mean concealment of the loads that cells ship (0 none, 1 full)", "0-1"),
    "between_ports_share": share("share of border-crossing guns carried between ports"),
    "guns_in_transit": stock(
        "guns on their way south: bought, not yet delivered or seized", "guns"
    ),
    "cells": stock("active trafficker cells (each a Mesa agent)", "cells"),
    "cells_entered": weekly("new trafficker cells entering the trade", "cells"),
    "cells_exited": weekly("trafficker cells leaving the trade (not arrested)", "cells"),
    "cells_arrested": weekly("trafficker cells broken up by arrests", "cells"),
    "cum_guns_bought": cumulative("guns bought", "guns"),
    "cum_guns_seized": cumulative(
        "guns seized at US, Mexican and Mexico-Guatemala borders", "guns"
    ),
    "cum_guns_delivered": cumulative("guns delivered to armed groups", "guns"),
    "homicides_{country}": weekly("homicides in {country}", "homicides"),
    "firearm_homicides_{country}": weekly("homicides with a firearm in {country}", "homicides"),
    "population_{country}": stock("people at home in {country}", "persons"),
    "homicide_rate_{country}": Entry(
        "homicide rate in {country}: that week's homicides × 52 per 100,000 people at home",
        "homicides per 100,000 people per year",
        REAL,
        "per year",
    ),
    "arsenal_{country}": stock("guns held by armed groups in {country} (all origins)", "guns"),
    "seized_{country}": weekly("guns seized inside {country} (police and customs)", "guns"),
    "traced_{country}": weekly("guns seized in {country} and submitted to tracing", "guns"),
    "traced_us_{country}": weekly("traced guns from {country} found to come from the US", "guns"),
    "homicides": weekly("homicides in Mexico, Guatemala, Honduras and El Salvador", "homicides"),
    "us_sourced_share_seized_mx": share(
        "US-sourced share of the guns traced from Mexico that week (0 if none was traced)"
    ),
    "households_exposed": weekly(
        "households hit by a victimisation event that week (homicide nearby, extortion, "
        "forced recruitment)",
        "households",
    ),
    "departures": weekly("people leaving home to migrate north", "persons"),
    "departures_exposed": weekly(
        "people leaving home who were victimised within the recall window", "persons"
    ),
    "arrivals": weekly(
        "people arriving at the US southwest border (migration pressure)", "persons"
    ),
    "arrivals_{country}": weekly("people from {country} arriving at the US border", "persons"),
    "arrivals_exposed": weekly(
        "arrivals victimised at home in the recall window before leaving (FACTS.md T8)", "persons"
    ),
    "arrivals_route_victims": weekly("arrivals victimised on the way north", "persons"),
    "arrival_families": weekly("households with children arriving at the US border", "households"),
    "arrival_families_violence": weekly(
        "households with children arriving that left because of violence", "households"
    ),
    "nt_arrivals": weekly(
        "arrivals from the Northern Triangle (Guatemala, Honduras, El Salvador)", "persons"
    ),
    "nt_arrivals_exposed": weekly(
        "Northern Triangle arrivals victimised in the recall window before leaving (T8)", "persons"
    ),
    "nt_families": weekly("Northern Triangle households with children arriving", "households"),
    "nt_families_violence": weekly(
        "of those, households that left because of violence (FACTS.md T9)", "households"
    ),
    "leader_arrests": weekly("leaders of armed groups arrested or killed", "leaders"),
    "group_splits": weekly("armed groups splitting into rival groups", "splits"),
    "group_merges": weekly("armed groups merging", "merges"),
    "members_recruited": weekly("people joining armed groups", "persons"),
    "members_killed": weekly("armed-group members killed", "persons"),
    "members_lost": weekly("armed-group members lost (killed, arrested or leaving)", "persons"),
    "forced_recruits": weekly("people forcibly recruited by armed groups", "persons"),
    "members_{country}": stock("armed-group members in {country}", "persons"),
    "groups_{country}": stock("armed groups in {country}", "groups"),
    "price_{country}": stock(
        "black-market price of a US gun in {country} (mean over members)", "USD per gun"
    ),
    "relatives_abroad_share_{country}": share(
        "share of households in {country} with a recent tie abroad"
    ),
    "rivalry_{country}": stock(
        "rivalry between armed groups in {country} (0: one group; near 1: many equal ones)",
        "index 0-1",
    ),
    "delivered_{country}": weekly("guns delivered to armed groups in {country}", "guns"),
    "non_us_guns_{country}": weekly(
        "guns from non-US sources reaching armed groups in {country}", "guns"
    ),
    "guns_seized_police_{country}": weekly("guns seized by police inside {country}", "guns"),
    "guns_worn_{country}": weekly("guns lost to wear in {country}", "guns"),
    "households_home": stock("simulated households at home", "households", SIMULATED),
    "households_transit": stock("simulated households travelling north", "households", SIMULATED),
    "households_returning": stock(
        "simulated households returned from the border, on the way home", "households", SIMULATED
    ),
    "households_settled": cumulative(
        "simulated households that arrived and stayed in the US", "households", SIMULATED
    ),
    "households_formed": cumulative(
        "simulated households formed at home to replace those that settled abroad",
        "households",
        SIMULATED,
    ),
}

PLACES: dict[str, Entry] = {
    "replicate": REPLICATE,
    "week": WEEK,
    "place": ident("place id (Mexican state or region, or Central American country; see below)"),
    "population": stock("people at home in the place", "persons"),
    "homicides": weekly("homicides in the place", "homicides"),
    "firearm_homicides": weekly("homicides with a firearm in the place", "homicides"),
    "households_exposed": weekly("households hit by a victimisation event", "households"),
    "departures": weekly("people leaving the place to migrate north", "persons"),
    "departures_exposed": weekly(
        "people leaving who were victimised within the recall window", "persons"
    ),
    "arrivals": weekly("people from this place arriving at the US border", "persons"),
    "arsenal": stock("guns held by the place's armed groups (all origins)", "guns"),
    "arsenal_us": stock(
        "guns held there that a trace would attribute to the US (trafficked or diverted)", "guns"
    ),
    "members": stock("armed-group members in the place", "persons"),
    "groups": stock("armed groups in the place", "groups"),
    "rivalry": stock("rivalry between the place's armed groups (0: one group)", "index 0-1"),
    "guns_delivered": weekly("guns delivered by traffickers to the place's armed groups", "guns"),
    "price": stock("black-market price of a US gun in the place", "USD per gun"),
    "relatives_abroad_share": share("share of the place's households with a recent tie abroad"),
}

CROSSINGS: dict[str, Entry] = {
    "replicate": REPLICATE,
    "week": WEEK,
    "crossing": ident("crossing id (southwest-border ports and the Mexico-Guatemala crossing)"),
    "loads": weekly("southbound loads of guns reaching the crossing", "loads"),
    "guns_attempted": weekly("guns in those loads", "guns"),
    "guns_seized_us": weekly("guns seized by US southbound inspection", "guns"),
    "guns_seized_mx": weekly(
        "guns seized on the Mexican side (customs; at X-GT the Mexico-Guatemala border)", "guns"
    ),
    "guns_between_ports": weekly(
        "guns carried across the border between ports near this crossing", "guns"
    ),
    "guns_seized_between": weekly("of those, guns seized by US Border Patrol", "guns"),
    "guns_seized": weekly("guns seized at and around the crossing, all sides", "guns"),
}

HOUSEHOLDS_SAMPLE: dict[str, Entry] = {
    "replicate": REPLICATE,
    "week": WEEK,
    "household": ident("row of the simulated household (stable through the run)"),
    "place": ident("place id of the household's home"),
    "size": stock("persons in the household", "persons", SIMULATED),
    "children": stock("1 if the household has children", "0/1", SIMULATED),
    "poor": stock("1 if the household is poor", "0/1", SIMULATED),
    "relatives_abroad": stock("1 if the household has a recent tie abroad", "0/1", SIMULATED),
    "status": stock("where the household is: home, transit or returning", "-", SIMULATED),
    "exposure": stock(
        "remembered exposure to violence (decays with the memory half-life; capped at 2)",
        "events (decayed)",
        SIMULATED,
    ),
    "exposed_recently": stock(
        "1 if victimised within the recall window (FACTS.md T8)", "0/1", SIMULATED
    ),
}

SUMMARY: dict[str, Entry] = {
    "guns_bought": yearly("guns bought in the US source states", "guns per year"),
    "guns_trafficked_us_to_mx": yearly(
        "guns trafficked from the US into Mexico (past US inspection; FACTS.md T1)",
        "guns per year",
    ),
    "guns_seized_us": yearly("guns seized by US southbound inspection", "guns per year"),
    "guns_seized_mx_customs": yearly("guns seized by Mexican customs", "guns per year"),
    "guns_seized_between_ports": yearly(
        "guns seized between ports (US Border Patrol)", "guns per year"
    ),
    "guns_between_ports": yearly("guns carried across the border between ports", "guns per year"),
    "between_ports_share": period_share("share of border-crossing guns carried between ports"),
    "guns_per_load": Entry(
        "guns per load crossing the US border (total guns ÷ total loads)",
        "guns per load",
        REAL,
        "ratio of totals over the measured period",
    ),
    "concealment": mean_stock("mean concealment of the loads shipped (0 none, 1 full)", "0-1"),
    "guns_seized_mx_gt_border": yearly(
        "guns seized at the Mexico-Guatemala border", "guns per year"
    ),
    "guns_delivered": yearly("guns delivered to armed groups, all countries", "guns per year"),
    "guns_delivered_mx": yearly("guns delivered to armed groups in Mexico", "guns per year"),
    "guns_delivered_central_america": yearly(
        "guns delivered to armed groups in Guatemala, Honduras and El Salvador", "guns per year"
    ),
    "us_southbound_interdiction_rate": period_share(
        "guns seized by US southbound inspection ÷ guns reaching it (FACTS.md T4)"
    ),
    "us_sourced_share_seized_mexico": period_share(
        "US-sourced share of guns traced from Mexico (FACTS.md T2)"
    ),
    "us_sourced_share_seized_guatemala": period_share(
        "US-sourced share of guns traced from Guatemala (FACTS.md T3)"
    ),
    "guns_traced_to_us_from_mexico": yearly(
        "guns seized in Mexico traced to the US (FACTS.md T5)", "guns per year"
    ),
    "firearm_share_homicides_mexico": period_share(
        "firearm share of homicides in Mexico (FACTS.md T6)"
    ),
    "firearm_share_homicides_honduras": period_share("firearm share of homicides in Honduras"),
    "homicides_total": yearly(
        "homicides in Mexico, Guatemala, Honduras and El Salvador", "homicides per year"
    ),
    "households_exposed": yearly(
        "household-weeks with a victimisation event: each week's households hit, summed over "
        "the year (a household hit in three weeks counts three times)",
        "household-weeks per year",
    ),
    "departures": yearly("people leaving home to migrate north", "persons per year"),
    "departures_exposed_share": period_share(
        "share of departures victimised within the recall window before leaving"
    ),
    "us_border_arrivals": yearly(
        "people arriving at the US southwest border: migration pressure (FACTS.md T10)",
        "persons per year",
    ),
    "migrants_exposed_share": period_share(
        "share of Northern Triangle arrivals victimised in the two years before leaving (T8)"
    ),
    "migrants_exposed_share_all_origins": period_share(
        "share of all arrivals victimised in the two years before leaving"
    ),
    "migrants_victimised_on_route_share": period_share(
        "share of arrivals victimised on the way north"
    ),
    "families_with_children_violence_reason_share": period_share(
        "share of Northern Triangle families with children that left because of violence (T9)"
    ),
    "trafficker_cells": mean_stock("active trafficker cells", "cells"),
    "leader_arrests": yearly("leaders of armed groups arrested or killed", "leaders per year"),
    "group_splits": yearly("armed groups splitting into rival groups", "splits per year"),
    "forced_recruits": yearly("people forcibly recruited by armed groups", "persons per year"),
    "homicide_rate_per_100k_{country}": Entry(
        "homicide rate in {country}: yearly homicides per 100,000 people at home (FACTS.md T7)",
        "homicides per 100,000 people per year",
        REAL,
        "rate (yearly total ÷ mean population)",
    ),
    "homicides_{country}": yearly("homicides in {country}", "homicides per year"),
    "us_border_arrivals_{country}": yearly(
        "people from {country} arriving at the US border", "persons per year"
    ),
    "arsenal_{country}": mean_stock("guns held by armed groups in {country}", "guns"),
    "gang_members_{country}": mean_stock("armed-group members in {country}", "persons"),
    "armed_groups_{country}": mean_stock("armed groups in {country}", "groups"),
    "gun_price_{country}": mean_stock("black-market price of a US gun in {country}", "USD per gun"),
    "relatives_abroad_share_{country}": Entry(
        "share of households in {country} with a recent tie abroad",
        "fraction 0-1",
        REAL,
        "share (mean over the measured weeks)",
    ),
}
# Every summary metric is also reported over the final measured year only (metrics.FINAL).
SUFFIXES = {"_final_year": "final measured year only"}

COMPARE: dict[str, Entry] = {
    "scenario": ident("scenario name (the first one is the reference)"),
    "metric": ident("summary metric (its meaning: the Metrics table below)"),
    "unit": ident("unit of the metric"),
    "mean": Entry("mean over replicates", "the row's unit", REAL, "as the metric"),
    "p05": Entry("5th percentile over replicates", "the row's unit", REAL, "as the metric"),
    "p95": Entry("95th percentile over replicates", "the row's unit", REAL, "as the metric"),
    "reference_mean": Entry(
        "mean of the reference scenario", "the row's unit", REAL, "as the metric"
    ),
    "relative_change": Entry(
        "(mean − reference_mean) ÷ reference_mean", "fraction (−0.1 = 10% lower)", REAL, "-"
    ),
    "change_mean": Entry(
        "mean over replicates of the paired change (value ÷ the reference's value with the "
        "same replicate − 1): same seed and, with a posterior, the same parameter draw",
        "fraction (−0.1 = 10% lower)",
        REAL,
        "-",
    ),
    "change_p05": Entry(
        "5th percentile of the paired change (a predictive interval with posterior draws)",
        "fraction",
        REAL,
        "-",
    ),
    "change_p95": Entry("95th percentile of the paired change", "fraction", REAL, "-"),
}

REPLICATES: dict[str, Entry] = {
    "replicate": ident("replicate number (its seed: child of the root seed; manifest.json)"),
    "particle": ident(
        "the posterior particle this replicate ran (row of the posterior.csv named in "
        "summary.json parameters.posterior — the shipped one unless a path — from 0; empty: no "
        "draw)"
    ),
    "metric": ident("summary metric (its meaning: the Metrics table below)"),
    "value": Entry("the metric in this replicate", "the metric's unit", REAL, "as the metric"),
}

INPUT = "input"  # a parameter value a run was given (not an outcome)


def _parameter_entries() -> dict[str, Entry]:
    """Every schema parameter as a column: a value the run (or particle) used."""
    return {
        k: Entry(f"parameter `{k}`: {spec.help}", spec.unit or "-", INPUT, "-")
        for k, spec in PARAMETERS.items()
    }


PARAMETER_COLUMNS = _parameter_entries()

IDENTIFICATION: dict[str, Entry] = {
    "parameter": ident("fitted parameter (its meaning: `iron-river params`)"),
    "prior": ident("its prior: distribution and range"),
    "posterior_p05": Entry("5th percentile of the posterior", "the parameter's unit", INPUT, "-"),
    "posterior_median": Entry("posterior median", "the parameter's unit", INPUT, "-"),
    "posterior_p95": Entry("95th percentile of the posterior", "the parameter's unit", INPUT, "-"),
    "sd_ratio": Entry(
        "posterior SD ÷ prior SD, on the scale the prior is uniform on (log for log-uniform)",
        "ratio (1: the data taught nothing)",
        INPUT,
        "-",
    ),
    "verdict": ident("pinned (sd_ratio < 0.5), narrowed (< 0.8) or prior-dominated"),
    "prior_reason": ident("where the prior's range comes from"),
}

POSTERIOR: dict[str, Entry] = {
    **PARAMETER_COLUMNS,
    "weight": Entry("the particle's weight (equal weights: 1 ÷ particles)", "fraction", INPUT, "-"),
    "distance": Entry(
        "the particle's distance to the observed statistics: the largest |simulated − "
        "observed| ÷ half-tolerance over statistics (≤ 1: every target inside its tolerance)",
        "half-tolerances",
        INPUT,
        "-",
    ),
}

INDICES: dict[str, Entry] = {
    "output": ident("output metric (design.csv's column; its meaning: the Metrics table)"),
    "parameter": ident("parameter of the design (its meaning: `iron-river params`)"),
    "mu_star": Entry("Morris μ*: mean absolute elementary effect", "output unit", REAL, "-"),
    "mu_star_conf": Entry("μ*'s 95% confidence half-width", "output unit", REAL, "-"),
    "mu": Entry("Morris μ: mean elementary effect", "output unit", REAL, "-"),
    "sigma": Entry("Morris σ: spread of the elementary effects", "output unit", REAL, "-"),
    "S1": Entry("first-order index: share of the output's variance", "fraction", REAL, "-"),
    "S1_conf": Entry("S1's 95% confidence half-width", "fraction", REAL, "-"),
    "ST": Entry("total-order Sobol index", "fraction", REAL, "-"),
    "ST_conf": Entry("ST's 95% confidence half-width", "fraction", REAL, "-"),
    "delta": Entry("Borgonovo δ: moment-independent importance", "0–1", REAL, "-"),
    "delta_conf": Entry("δ's 95% confidence half-width", "0–1", REAL, "-"),
    "noise_share": Entry(
        "share of the output's variance across design rows that is seed noise",
        "fraction",
        REAL,
        "-",
    ),
}

SWEEP_RUNS: dict[str, Entry] = {
    "run_index": ident("run number in the sweep's design (0, 1, ...)"),
    "run_id": ident("the run's stable name: design hash, point and replicate"),
    "point_index": ident("design point (one set of swept values)"),
    "replicate": ident("replicate of the point: its seed, and with a posterior its draw"),
    "root_seed": ident("the sweep's root seed"),
    "seed_key": ident("the run's spawn key under the root seed"),
    "status": ident("ok, or failed (then error and traceback say why)"),
    "error": ident("the error of a failed run (empty: ok)"),
    "traceback": ident("the traceback of a failed run (empty: ok)"),
}

SWEEP_WEEKLY: dict[str, Entry] = {
    "run_index": ident("run number in the sweep's design (runs.parquet)"),
    "week": ident("week of the run from 0, burn-in included"),
}

FILES: dict[str, tuple[str, dict[str, Entry]]] = {
    "timeseries.csv": ("one row per replicate and measured week: the whole region", TIMESERIES),
    "places.csv": ("one row per replicate, measured week and populated place", PLACES),
    "crossings.csv": ("one row per replicate, measured week and crossing", CROSSINGS),
    "households_sample.csv": (
        "with --households-sample N: one row per replicate, measured week and sampled household",
        HOUSEHOLDS_SAMPLE,
    ),
    "summary.json": (
        "metrics: for each, mean, p05 and p95 over replicates of one number per replicate",
        SUMMARY,
    ),
    "compare.csv": ("one row per scenario and summary metric", COMPARE),
    "replicates.csv": (
        "one row per replicate and summary metric: what compare pairs by replicate",
        REPLICATES,
    ),
    "identification.csv": ("one row per fitted parameter: what the data pin down", IDENTIFICATION),
    "posterior.csv": ("one row per posterior particle: a parameter set and its fit", POSTERIOR),
    "design.csv": (
        "one row per design point: the parameters set and each output (mean over replicates; "
        "with a policy in the spec, the paired change against its baseline)",
        PARAMETER_COLUMNS,
    ),
    "indices.csv": ("one row per output and parameter: the sensitivity indices", INDICES),
    "runs.parquet": (
        "one row per sweep run (`sweep collect`): its design point, seed, swept parameters, "
        "status and summary metrics",
        SWEEP_RUNS,
    ),
    "weekly.parquet": ("one row per sweep run and week: the sweep's weekly series", SWEEP_WEEKLY),
}
# where a column missing from its file's table is looked up next: swept parameters, and
# summary metrics or weekly series
FALLBACKS: dict[str, tuple[dict[str, Entry], ...]] = {
    "design.csv": (),
    "runs.parquet": (PARAMETER_COLUMNS,),
    "weekly.parquet": (),
}
METRIC_COLUMNS = {"design.csv", "runs.parquet"}
WEEKLY_COLUMNS = {"weekly.parquet"}

OTHER_FILES: dict[str, str] = {
    "scenario.toml": "the resolved scenario: every parameter as used (see `iron-river params`)",
    "manifest.json": "package version, code fingerprint, seeds, command, files written",
    "DATA_DICTIONARY.md": "this file",
    "columns.csv": "this dictionary as a table (file, column, meaning, unit, basis, period)",
    "guns.png": "guns bought, crossed and delivered per week, and seizures on a log axis",
    "homicide_rates.png": "homicide rate by country, 13-week mean",
    "arrivals.png": "arrivals at the US border per week, with the replicate spread",
    "map.png": "map: homicide rates, gun and migrant flows over the measured period",
    "compare.png": "each key metric against the reference scenario",
    "REPORT.md": "the policy report in plain words; every number in it is cited in report.json",
    "report.json": "every computed result of the report, and `cited`: each number of REPORT.md",
    "answer.png": "arrivals' change under more interdiction, per origin, with its intervals",
    "interdiction_curve.png": "outcomes per year along the interdiction curve",
    "policy_effects.png": "each policy scenario's paired change against the baseline",
    "marginals.png": "each fitted parameter's posterior against its prior",
    "pairs.png": "pairwise posterior of the parameters the data narrow most",
    "identification.md": "identification.csv as a table, most narrowed first",
    "posterior.json": "the fit's provenance: seed, sizes, tolerances, cost, what it continues",
    "indices.json": "the sensitivity indices and the design's settings",
    "indices.png": "the sensitivity indices per output",
    "spec.toml": "the specification the folder was made from",
    "sensitivity": "folder: the sensitivity analysis run with the report (its own dictionary)",
    "batches": "folder: one Parquet file per finished batch (runs.parquet merges them)",
    "report": "folder: the tables and figures of `sweep report`",
    "logs": "folder: the batch system's job logs (cluster runs)",
}


# ---------------------------------------------------------------------------- lookup


def _pattern(key: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", key)
    regex = "".join(
        re.escape(p) if i % 2 == 0 else f"(?P<{p}>{'|'.join(map(re.escape, PLACEHOLDERS[p]))})"
        for i, p in enumerate(parts)
    )
    return re.compile(f"^{regex}$")


def lookup_column(file: str, column: str) -> tuple[str, Entry] | None:
    """The (key, entry) describing ``column`` of ``file``."""
    hit = lookup(FILES[file][1], column)
    for table in FALLBACKS.get(file, ()):
        hit = hit or lookup(table, column)
    if hit is None and file in METRIC_COLUMNS and (m := lookup(SUMMARY, column)):
        e = m[1]
        return m[0], Entry(f"output: {e.meaning}", e.unit, e.basis, e.period)
    if hit is None and file in WEEKLY_COLUMNS:
        hit = lookup(TIMESERIES, column)
    return hit


def lookup(table: dict[str, Entry], column: str) -> tuple[str, Entry] | None:
    """The (key, entry) describing ``column``.

    Exact key first, then ``{country}`` patterns; for summary metrics also a suffix of
    :data:`SUFFIXES` on a described metric (``us_border_arrivals_final_year``).
    """
    if table is SUMMARY:
        for suffix, what in SUFFIXES.items():
            if column.endswith(suffix) and (hit := lookup(table, column[: -len(suffix)])):
                e = hit[1]
                return hit[0], Entry(e.meaning, e.unit, e.basis, f"{e.period}, {what}")
    if column in table:
        return column, table[column]
    for key, entry in table.items():
        if "{" in key and (m := _pattern(key).match(column)):
            return key, entry.filled(**m.groupdict())
    return None


def undescribed(file: str, columns: Iterable[str]) -> list[str]:
    """Columns of ``file`` without an entry."""
    return [c for c in columns if lookup_column(file, c) is None]


def unused(file: str, columns: Iterable[str]) -> list[str]:
    """Entries of ``file`` that match none of ``columns`` (stale after a column was removed)."""
    used = {hit[0] for c in columns if (hit := lookup(FILES[file][1], c))}
    return [k for k in FILES[file][1] if k not in used]


# ---------------------------------------------------------------------------- writing


def rows(columns_by_file: dict[str, list[str]]) -> list[list[str]]:
    """``columns.csv`` rows for the files present: file, column, meaning, unit, basis, period."""
    out = []
    for file, columns in columns_by_file.items():
        for c in columns:
            hit = lookup_column(file, c)
            e = hit[1] if hit else Entry("(no entry: please report)", "?", "?", "?")
            out.append([file, c, e.meaning, e.unit, e.basis, e.period])
    return out


def columns_csv(columns_by_file: dict[str, list[str]]) -> str:
    """The text of ``columns.csv``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["file", "column", "meaning", "unit", "basis", "period"])
    w.writerows(rows(columns_by_file))
    return buf.getvalue()


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(
    columns_by_file: dict[str, list[str]],
    others: Iterable[str],
    scale: float | None,
    metrics: Iterable[str] | None = None,
) -> str:
    """The text of ``DATA_DICTIONARY.md`` for a folder holding these files and columns."""
    scale_text = (
        f"in this run one simulated household stands for {scale:g} real ones"
        if scale is not None
        else "one simulated household stands for `scale` real ones (see each scenario.toml)"
    )
    lines = [
        "# Data dictionary",
        "",
        "Generated by iron-river from `model/iron_river/outputs/dictionary.py`.",
        "",
        f"**Basis.** *real-world*: guns, homicides and persons in real numbers (traffickers, "
        f"gangs and places act at full size; household counts are scaled up: {scale_text}). "
        "*simulated*: counts of "
        "simulated households (multiply by the scale for real households). *input*: a "
        "parameter value, not an outcome.",
        "",
        "**Period.** *per week*: a count of that week. *per year*: a rate per year. *stock*: "
        "a level at the end of the week. *cumulative*: since the run's first week, burn-in "
        "included. *share*: a fraction 0-1. Summary metrics say how weekly values became one "
        "number per replicate: a *yearly total* is the weekly counts summed over the measured "
        "weeks and divided by the measured years; a *stock* is the weekly level averaged over "
        "the measured weeks; a *share* is a ratio of totals over the whole measured period.",
        "",
        "## Files",
        "",
        "| file | what it holds |",
        "|---|---|",
    ]
    lines += [f"| `{f}` | {_cell(FILES[f][0])} |" for f in columns_by_file]
    lines += [f"| `{f}` | {_cell(OTHER_FILES[f])} |" for f in others if f in OTHER_FILES]
    missing = [f for f in others if f not in OTHER_FILES and f not in FILES]
    lines += [f"| `{f}` | (no entry: please report) |" for f in missing]
    for file, columns in columns_by_file.items():
        lines += ["", f"## `{file}`", "", "| column | meaning | unit | basis | period |"]
        lines.append("|---|---|---|---|---|")
        for row in rows({file: columns}):
            lines.append("| `" + row[1] + "` | " + " | ".join(_cell(x) for x in row[2:]) + " |")
    if metrics is not None:
        lines += ["", "## Metrics (the `metric` column)", "", "| metric | meaning | unit | how |"]
        lines.append("|---|---|---|---|")
        for m, d in summary_definitions(metrics).items():
            lines.append(f"| `{m}` | {_cell(d['meaning'])} | {_cell(d['unit'])} | {d['kind']} |")
    if {"places.csv", "crossings.csv", "households_sample.csv"} & set(columns_by_file):
        lines += ["", "## Place and crossing ids", "", "| id | name | kind |", "|---|---|---|"]
        lines += [f"| `{p.id}` | {_cell(p.name)} | {p.kind} |" for p in places()]
    return "\n".join(lines) + "\n"


def summary_definitions(metrics: Iterable[str]) -> dict[str, dict[str, str]]:
    """For summary.json: each metric's meaning, unit and how it was summarised."""
    out = {}
    for m in metrics:
        hit = lookup(SUMMARY, m)
        if hit:
            e = hit[1]
            out[m] = {"meaning": e.meaning, "unit": e.unit, "kind": e.period}
    return out
