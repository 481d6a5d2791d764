"""Generated parts of the documentation: the ODD parameter table and the list of assumptions.

Both are written from the scenario schema (:data:`iron_river.scenario.PARAMETERS`) between
HTML-comment markers, so the documentation cannot drift from the code::

    <!-- params:begin -->       ...  <!-- params:end -->        (docs/ODD.md)
    <!-- assumptions:begin -->  ...  <!-- assumptions:end -->   (docs/ASSUMPTIONS.md)

Run ``python -m iron_river.outputs.docs`` (from the repository root) after changing a parameter;
``--check`` exits with status 1 instead of writing when a file is out of date.
"""

from __future__ import annotations

import argparse
import fnmatch
import re
import sys
from pathlib import Path

from iron_river.scenario import PARAMETERS, SECTIONS, ParamSpec, catalog

PARAMS_MARKERS = ("<!-- params:begin -->", "<!-- params:end -->")
ASSUMPTIONS_MARKERS = ("<!-- assumptions:begin -->", "<!-- assumptions:end -->")

SUBMODEL = {
    "": "Run control (scale, duration, burn-in)",
    "supply": "Gun purchase in the US source states",
    "trafficking": "Trafficker cells: buying, route choice, learning, entry and exit",
    "enforcement": "Border enforcement units",
    "market": "Black-market prices",
    "gangs": "Gangs and their arsenals",
    "tracing": "Tracing of seized guns",
    "violence": "Violence from armed strength and rivalry",
    "exposure": "Household exposure to violence",
    "households": "Household characteristics",
    "migration": "Migration decision, journey, arrival and return",
}

# Why each assumed value, and what data would replace it. Keys are fnmatch patterns over the
# dotted parameter keys; the first matching pattern wins. A parameter labelled "assumption"
# without a note here is listed with NO_NOTE, and tests/test_docs.py fails until one is added.
NOTE = tuple[str, str]
ASSUMPTION_NOTES: dict[str, NOTE] = {
    "scale": (
        "1:100 keeps a 15-year replicate near 7 s while the household submodels stay unbiased "
        "(they are rates applied per simulated household).",
        "Not data but a numerical check: compare headline metrics at 1:100 and 1:1.",
    ),
    "years": (
        "Ten measured years show the slow responses (arsenal turnover, migrant networks).",
        "A modelling choice; set it to the horizon of the policy question.",
    ),
    "burn_in_years": (
        "Arsenals turn over in about gun_life_years (3); five years let the baseline settle "
        "before levers switch.",
        "A numerical check: lengthen it until the baseline's first measured year stops drifting.",
    ),
    "supply.purchase_price_usd": (
        "Order of the US retail price of the pistols and rifles trafficked.",
        "Retail prices of the models most often traced (ATF trace reports, court records).",
    ),
    "supply.straw_enforcement": (
        "A modest share of straw attempts blocked, compatible with trafficking at T1's scale.",
        "ATF denial and straw-purchase prosecution counts against estimated attempts.",
    ),
    "supply.states.*.multiplier": (
        "A policy lever: 1 reproduces 2019 supply conditions by construction.",
        "Not replaced: scenarios set it (e.g. the assault-weapons scenario).",
    ),
    "supply.states.*.straw_enforcement": (
        "A policy lever: omitted, each state inherits the US-wide value.",
        "State-level ATF inspection and denial rates, if a state-specific baseline is wanted.",
    ),
    "trafficking.load_size_mean": (
        "'Ship mostly small loads' (FACTS.md): 'ant' trafficking, a few guns per trip.",
        "Size distribution of southbound seizures (CBP/HSI seizure records).",
    ),
    "trafficking.exit_hazard_per_year": (
        "Cells assumed to last about two years when not caught.",
        "Duration of trafficking rings in prosecuted cases (US court-case surveys).",
    ),
    "trafficking.straw_arrest_hazard_per_year": (
        "Straw enforcement also breaks up cells; one per year per unit of enforcement.",
        "Trafficking prosecutions that began from straw-purchase investigations (ATF, DOJ).",
    ),
    "trafficking.arrest_prob_per_seizure": (
        "A seized load sometimes leads investigators to the whole cell.",
        "Share of southbound seizures followed by ring-level indictments (HSI case data).",
    ),
    "trafficking.start_capital_usd": (
        "Enough for a few weeks of purchases at baseline prices.",
        "Financial detail from prosecuted trafficking cases.",
    ),
    "trafficking.risk_learning_rate": (
        "Cells react quickly to their own losses.",
        "Fit to how fast traffic shifted between crossings after past enforcement surges.",
    ),
    "trafficking.public_learning_rate": (
        "Others' losses are learned more slowly than one's own.",
        "Fit to displacement between crossings after past enforcement surges.",
    ),
    "trafficking.risk_penalty_usd": (
        "The cost a cell counts per seized gun beyond the gun (arrest, prison), in USD.",
        "Sentences for gun trafficking valued in money, or fit to observed route displacement.",
    ),
    "trafficking.transport_cost_usd_per_km": (
        "Order of smuggling fees per gun and km.",
        "Smuggling fees reported in court cases and journalistic investigations.",
    ),
    "trafficking.choice_temperature_usd": (
        "Route choices spread around the most profitable; not every cell optimises.",
        "Fit to the spread of seizures over crossings (CBP port-level seizures).",
    ),
    "trafficking.replan_weeks": (
        "Cells reconsider their route about monthly, or at once after a loss.",
        "Trip frequencies and route changes in prosecuted cases.",
    ),
    "trafficking.entry_elasticity": (
        "New cells enter in proportion to the margin relative to baseline (elasticity 1).",
        "Fit to how trafficking volumes recovered after past enforcement surges.",
    ),
    "enforcement.mx_customs_interdiction": (
        "Mexican customs seize a small share of loads, of the order of the US side.",
        "Mexican customs (ANAM) seizure counts at northern ports against T1's flow.",
    ),
    "enforcement.mx_gt_border_interdiction": (
        "The Mexico–Guatemala border seizes a few percent of loads.",
        "Guatemalan and Mexican seizure records at the southern border.",
    ),
    "enforcement.capacity_loads_per_week": (
        "Above this many loads a unit's attention is diluted; well above baseline traffic.",
        "Inspection staffing and outbound inspections per port (CBP).",
    ),
    "enforcement.crossings.*": (
        "A policy lever per crossing: omitted, it inherits the country-wide rate.",
        "Port-level seizure rates (CBP, ANAM), if a crossing-specific baseline is wanted.",
    ),
    "market.price_usd_mexico": (
        "Reported black-market prices of a US gun in Mexico.",
        "Systematic price series (press and court reports, undercover purchase data).",
    ),
    "market.scarcity_elasticity": (
        "Prices rise when gangs are under-armed relative to baseline, less than one for one.",
        "Price changes after large seizures or supply shocks.",
    ),
    "gangs.per_place": (
        "Three rival groups per place give contested but not fragmented markets.",
        "Counts of active criminal groups per state (e.g. Crisis Group, InSight Crime maps).",
    ),
    "gangs.size_concentration": (
        "Rivals of comparable size (Dirichlet 4 for three groups) keep contests, and so homicide "
        "rates, from hinging on one random draw per place.",
        "Estimates of the relative strength of rival groups per state (e.g. InSight Crime, "
        "Crisis Group).",
    ),
    "gangs.gun_life_years": (
        "Guns stay in use about three years before loss, breakage or resale.",
        "Time-to-crime of traced guns recovered in Mexico (ATF eTrace).",
    ),
    "gangs.countries.*.members": (
        "Order of magnitude of published estimates (Prieto-Curiel et al. 2023; UNODC 2012).",
        "Newer membership estimates per country; the violence lethalities are then re-fitted.",
    ),
    "violence.gun_elasticity": (
        "Guns raise homicides less than proportionally; Dube et al. 2013 find large effects.",
        "Elasticity estimated from quasi-experiments such as the 2004 US ban expiry.",
    ),
    "exposure.households_per_homicide": (
        "A homicide touches the victim's family, relatives and witnesses.",
        "Victimisation surveys (ENVIPE, LAPOP) on knowing a homicide victim.",
    ),
    "exposure.memory_half_life_weeks": (
        "Remembered exposure halves in a year.",
        "Panel surveys of victimisation and migration intentions over time.",
    ),
    "households.countries.*.children_share": (
        "Order of the share of households with children.",
        "Census household composition tables (INEGI, INE).",
    ),
    "households.countries.*.poverty_share": (
        "Order of national poverty rates (CONEVAL, INE).",
        "The official poverty rates of each country for 2019.",
    ),
    "households.countries.*.relatives_abroad_share": (
        "Order of the share of households receiving remittances or with kin in the US.",
        "Remittance and migration modules of household surveys (LAPOP, ENIGH, ENCOVI).",
    ),
    "migration.violence_effect": (
        "The link's sign and strength are contested (FACTS.md); 1 keeps the calibrated link.",
        "Not replaced by one number: vary it, as the report's screening does.",
    ),
    "migration.recruitment_weight": (
        "A forced-recruitment attempt weighs like two homicides or extortions on a family.",
        "Survey evidence on recruitment threats as a reason to leave (MSF, UNHCR).",
    ),
    "migration.poverty_multiplier": (
        "Poor households are more likely to leave, by a modest factor.",
        "Migration intention by income in LAPOP or national surveys.",
    ),
    "migration.network_multiplier": (
        "Relatives abroad make leaving markedly more likely (FACTS.md: networks).",
        "Migration by kin abroad in household surveys (e.g. Mexican Migration Project).",
    ),
    "migration.network_tie_years": (
        "A tie to a relative abroad stays useful for about twenty years.",
        "Survey data on contact with and help from relatives abroad by years since migration.",
    ),
    "migration.network_ties_per_migrant": (
        "Each settled household gives half a household more a tie abroad.",
        "Kinship network sizes in migration surveys.",
    ),
    "migration.us_deterrence": (
        "A policy lever: 0 is 2019.",
        "Not replaced: scenarios set it.",
    ),
    "migration.crossing_distance_scale_km": (
        "Migrants favour nearer US crossings.",
        "Apprehensions by sector and nationality (CBP).",
    ),
    "migration.travel_km_per_week": (
        "A journey north takes weeks to a few months.",
        "Journey durations in migrant surveys (MSF, EMIF Sur).",
    ),
    "migration.return_delay_weeks": (
        "A returned household is home about six weeks later.",
        "Removal and return processing times (DHS, INM).",
    ),
    "migration.countries.*.return_share": (
        "Most apprehended Mexicans are returned quickly, fewer Central Americans.",
        "Removals and returns by nationality against encounters (DHS yearbook).",
    ),
}
NO_NOTE: NOTE = ("(no note yet)", "(add one to iron_river.outputs.docs.ASSUMPTION_NOTES)")


def section_of(key: str) -> str:
    """The schema section a dotted key belongs to ('' for the top-level run controls)."""
    head = key.split(".", 1)[0]
    return head if head in SECTIONS else ""


def is_assumption(spec: ParamSpec) -> bool:
    """Whether a parameter's provenance labels it an assumption."""
    return "assumption" in spec.provenance.lower()


def note_for(key: str) -> NOTE:
    """The (why this value, what data would replace it) note of an assumed parameter."""
    for pattern, note in ASSUMPTION_NOTES.items():
        if fnmatch.fnmatchcase(key, pattern):
            return note
    return NO_NOTE


def params_markdown() -> str:
    """The parameter table exactly as ``iron-river params --markdown`` prints it."""
    return catalog.as_markdown()


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|")


def assumptions_markdown() -> str:
    """Every parameter whose provenance says 'assumption', grouped by submodel, with its note."""
    groups: dict[str, list[ParamSpec]] = {}
    for spec in PARAMETERS.values():
        if is_assumption(spec):
            groups.setdefault(section_of(spec.key), []).append(spec)
    total = sum(len(v) for v in groups.values())
    out = [
        f"{total} of the {len(PARAMETERS)} parameters are labelled assumptions "
        f"({len(PARAMETERS) - total} come from data, FACTS.md, or calibration).",
    ]
    order = ["", *SECTIONS]
    for section in order:
        specs = groups.get(section)
        if not specs:
            continue
        title = SUBMODEL[section]
        where = f"`[{section}]`" if section else "top level"
        out += [
            "",
            f"### {title} ({where}, {len(specs)})",
            "",
            "| key | default | unit | provenance | why this value | what would replace it |",
            "|---|---|---|---|---|---|",
        ]
        for s in specs:
            why, data = note_for(s.key)
            default = "inherit" if s.default is None else s.default
            out.append(
                f"| `{s.key}` | {_cell(default)} | {_cell(s.unit)} | {_cell(s.provenance)} "
                f"| {_cell(why)} | {_cell(data)} |"
            )
    return "\n".join(out)


def replace_between(text: str, markers: tuple[str, str], body: str) -> str:
    """Replace what lies between the two markers (which must both appear once, in order)."""
    begin, end = markers
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if len(pattern.findall(text)) != 1:
        raise ValueError(f"expected exactly one {begin} … {end} block")
    return pattern.sub(lambda _m: f"{begin}\n{body}\n{end}", text)


def _refresh(path: Path, markers: tuple[str, str], body: str, check: bool) -> bool:
    path = Path(path)
    old = path.read_text(encoding="utf-8")
    new = replace_between(old, markers, body)
    if new != old and not check:
        path.write_text(new, encoding="utf-8")
    return new == old


def refresh_odd(path: str | Path = "docs/ODD.md", *, check: bool = False) -> bool:
    """Regenerate the parameter table of the ODD document.

    Args:
        path: the ODD document, with ``<!-- params:begin -->`` / ``<!-- params:end -->``.
        check: only compare; do not write.

    Returns:
        Whether the file was already up to date.
    """
    return _refresh(Path(path), PARAMS_MARKERS, params_markdown(), check)


def refresh_assumptions(path: str | Path = "docs/ASSUMPTIONS.md", *, check: bool = False) -> bool:
    """Regenerate the list of assumptions (see :func:`refresh_odd` for the arguments)."""
    return _refresh(Path(path), ASSUMPTIONS_MARKERS, assumptions_markdown(), check)


def main(argv: list[str] | None = None) -> int:
    """Refresh (or ``--check``) docs/ODD.md and docs/ASSUMPTIONS.md."""
    parser = argparse.ArgumentParser(prog="python -m iron_river.outputs.docs", description=__doc__)
    parser.add_argument("--docs", default="docs", help="documentation folder (default docs/)")
    parser.add_argument("--check", action="store_true", help="fail if a file is out of date")
    args = parser.parse_args(argv)
    docs = Path(args.docs)
    fresh = {
        docs / "ODD.md": refresh_odd(docs / "ODD.md", check=args.check),
        docs / "ASSUMPTIONS.md": refresh_assumptions(docs / "ASSUMPTIONS.md", check=args.check),
    }
    for path, ok in fresh.items():
        state = "up to date" if ok else ("OUT OF DATE" if args.check else "refreshed")
        print(f"{path}: {state}")
    return 1 if args.check and not all(fresh.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
