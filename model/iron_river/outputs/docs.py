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
import os
import re
import sys
from pathlib import Path

from iron_river.scenario import PARAMETERS, SECTIONS, ParamSpec, catalog

PARAMS_MARKERS = ("<!-- params:begin -->", "<!-- params:end -->")
ASSUMPTIONS_MARKERS = ("<!-- assumptions:begin -->", "<!-- assumptions:end -->")
IDENTIFICATION_MARKERS = ("<!-- identification:begin -->", "<!-- identification:end -->")

SUBMODEL = {
    "": "Run control (scale, duration, burn-in)",
    "policy": "Policy levers (the 2019 value when omitted)",
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
    "reporting": "Reported reasons (a reporting step, FACTS.md T9)",
}

# Why each assumed value, and what data would replace it. Keys are fnmatch patterns over the
# dotted parameter keys; the first matching pattern wins. A parameter labelled "assumption"
# without a note here is listed with NO_NOTE, and tests/test_docs.py fails until one is added.
NOTE = tuple[str, str]
ASSUMPTION_NOTES: dict[str, NOTE] = {
    "scale": (
        "1:100 keeps a 15-year replicate to a few seconds while the household submodels stay "
        "unbiased (they are rates applied per simulated household).",
        "Not data but a numerical check: compare headline metrics at 1:100 and 1:1.",
    ),
    "years": (
        "Ten measured years show the slow responses (arsenal turnover, migrant networks).",
        "A modelling choice; set it to the horizon of the policy question.",
    ),
    "burn_in_years": (
        "Five years let arsenals, cells, groups and networks settle at the 2019 balance before "
        "levers switch (docs/figures/burn_in.png).",
        "A numerical check: `python -m iron_river.experiments.stationarity`.",
    ),
    "supply.straw_enforcement": (
        "A modest share of straw attempts blocked, compatible with trafficking at T1's scale.",
        "ATF denial and straw-purchase prosecution counts against estimated attempts.",
    ),
    "trafficking.initial_cells": (
        "Omitted, the model starts at the free-entry balance at 2019 prices; any other start "
        "converges to the same number (tests/test_mechanism.py).",
        "Not data: an initial condition.",
    ),
    "trafficking.entrants_per_year": (
        "Order of magnitude of trafficking cases a year; with the outside option it sets how "
        "strongly entry answers profit.",
        "Counts of new trafficking investigations a year (ATF, HSI).",
    ),
    "trafficking.outside_option_*": (
        "What a would-be cell gives up; with entrants_per_year it sets where entry balances exit.",
        "Earnings in prosecuted trafficking cases against alternative criminal income.",
    ),
    "trafficking.exit_hazard_per_year": (
        "Cells assumed to last one to five years when not caught.",
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
        "Enough for a few weeks of purchases at 2019 prices.",
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
        "Order of smuggling fees per gun and km (couriers, vehicles, bribes).",
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
    "trafficking.connections_per_cell": (
        "A cell has buyers in a few markets; with the distance scale this makes markets local.",
        "Buyers per ring in prosecuted cases (how many destination cities a ring served).",
    ),
    "trafficking.detection_size_elasticity": (
        "Between a load found whatever its size (0) and each gun on its own (1): the prior "
        "spans both.",
        "Seizure odds by load size at inspections (CBP outbound inspection records).",
    ),
    "trafficking.concealment_onset": (
        "Cells pay to hide loads once risk is several times 2019's; the prior spans almost at "
        "once to only at extreme risk.",
        "Concealment methods in seizures before and after enforcement surges.",
    ),
    "trafficking.load_size_max": (
        "A vehicle load; rarely binding.",
        "The largest southbound seizures (CBP).",
    ),
    "trafficking.between_ports_*": (
        "Smuggling between ports is dearer and slower per gun and carried by people on foot or "
        "by river; none of these has a published figure.",
        "Border Patrol and SEDENA records of southbound weapons smuggling between ports.",
    ),
    "enforcement.mx_customs_interdiction": (
        "Customs check ~10% of vehicles at random (FACTS.md); finding guns in a checked vehicle "
        "is unlikely.",
        "Mexican customs (ANAM) seizure counts at northern ports against T1's flow.",
    ),
    "enforcement.between_ports_interdiction": (
        "Southbound traffic between ports is rarely anyone's target: comparable to the ports' low "
        "2019 rates.",
        "Seizures between ports (Border Patrol, SEDENA) against estimated traffic.",
    ),
    "enforcement.mx_gt_border_interdiction": (
        "The Mexico–Guatemala border seizes a few percent of loads.",
        "Guatemalan and Mexican seizure records at the southern border.",
    ),
    "enforcement.capacity_loads_per_week": (
        "Above this many loads a unit's attention is diluted; well above 2019 traffic.",
        "Inspection staffing and outbound inspections per port (CBP).",
    ),
    "market.price_usd_central_america": (
        "Above Mexico's prices: further from the source.",
        "Black-market price reports from Guatemala, Honduras and El Salvador.",
    ),
    "market.scarcity_elasticity": (
        "No published price elasticity of illicit guns (docs/EVIDENCE.md 7); the prior spans a "
        "demand elasticity of −2 to −1/3.",
        "Price changes after large seizures or supply shocks.",
    ),
    "market.arms_budget_share": (
        "Groups spend a sizeable but bounded share of their income on guns; rarely binding.",
        "Accounts of criminal organisations' spending (seized ledgers, court cases).",
    ),
    "market.other_income_usd_per_member_year": (
        "Income besides extortion (drug retail, theft, smuggling), per member.",
        "Estimates of criminal groups' revenues per member (InSight Crime, UNODC).",
    ),
    "market.extortion_usd_per_event": (
        "With the calibrated extortion rate, income per member of the order docs/EVIDENCE.md 8 "
        "reports (SV ~$20k, HN ~$5.6k, GT ~$2.8k a member-year).",
        "Extortion payments per victim in victimisation surveys (ENVIPE, LAPOP).",
    ),
    "market.non_us_price_elasticity": (
        "Diversion and other sources answer price; no estimate exists (docs/EVIDENCE.md 7), so "
        "the prior runs from no response to a strong one.",
        "Seizure origins in Central America before and after US supply shocks (ATF, GAO).",
    ),
    "gangs.per_place": (
        "Three rival groups per place give contested but not fragmented markets.",
        "Counts of active criminal groups per state (Crisis Group, InSight Crime maps).",
    ),
    "gangs.max_per_place": (
        "A cap on splinters; rarely reached.",
        "Counts of active groups per state in the most fragmented years.",
    ),
    "gangs.size_concentration": (
        "Rivals of comparable size keep contests, and so homicide rates, from hinging on one "
        "random draw per place.",
        "Estimates of the relative strength of rival groups per state (InSight Crime).",
    ),
    "gangs.gun_life_years": (
        "Guns stay in use a few years before loss, breakage or resale.",
        "Time-to-crime of traced guns recovered in Mexico (ATF eTrace).",
    ),
    "gangs.member_arrest_rate": (
        "A tenth of members imprisoned a year, within a wide prior.",
        "Arrests of gang members against membership estimates (national police, prisons).",
    ),
    "gangs.desistance_rate": (
        "Members stay a few years.",
        "Desistance studies of Central American gangs (e.g. Cruz et al. on El Salvador).",
    ),
    "gangs.members_killed_share": (
        "A large share of homicide victims belong to armed groups.",
        "Victim profiles in homicide records (INEGI, national police).",
    ),
    "gangs.forced_recruitment_success": (
        "A tenth of forced-recruitment attempts yield a member.",
        "Surveys of recruitment of children (UNHCR, MSF).",
    ),
    "gangs.recruitment_income_elasticity": (
        "Recruitment follows a group's income; the prior spans none to proportional.",
        "Recruitment after changes in criminal revenue (e.g. Sviatschi on El Salvador).",
    ),
    "gangs.leader_arrest_rate": (
        "Most of Mexico's most-wanted were captured or killed in 2009–2012: order 0.15 a group "
        "a year.",
        "Captures and killings of leaders per group and year (Calderón et al. 2015 data).",
    ),
    "gangs.split_prob": (
        "Captures fragment organisations (Calderón et al. 2015, Phillips 2015); no rate exists.",
        "Splits after captures in the same data.",
    ),
    "gangs.splinter_merge_rate": (
        "The surge after a capture lasts about a year (Lindo & Padilla-Romo 2018).",
        "How long splinter groups last in the same data.",
    ),
    "gangs.turf_speed": (
        "Territory follows armed strength within about a year.",
        "Changes of territorial control after shifts in armed strength (InSight Crime maps).",
    ),
    "gangs.contest_decisiveness": (
        "1: turf in proportion to strength (above 1 the strong win more than their share).",
        "Territorial control against armed strength across places.",
    ),
    "gangs.collapse_share": (
        "A group with a few percent of its place's turf dissolves.",
        "Sizes of the smallest persistent groups.",
    ),
    "gangs.countries.*.members": (
        "Order of magnitude of published estimates (Prieto-Curiel et al. 2023; UNODC 2012).",
        "Newer membership estimates per country; the lethalities are then re-fitted.",
    ),
    "gangs.countries.*.guns_per_member": (
        "The arming at which prices are their reference: near the stock the 2019 flows sustain.",
        "Seizures per member in large operations; civilian stock estimates (Small Arms Survey).",
    ),
    "violence.extortion_gun_elasticity": (
        "Extortion rises with arming less than proportionally; no estimate found.",
        "Extortion after supply shocks or disarmament (victimisation surveys by place).",
    ),
    "violence.recruitment_per_member_year": (
        "Forced-recruitment attempts of the order of members' own turnover.",
        "Surveys of recruitment threats (MSF, UNHCR, LAPOP).",
    ),
    "exposure.recruitment_weight": (
        "A forced-recruitment attempt weighs like two homicides or extortions on a family.",
        "Survey evidence on recruitment threats as a reason to leave (MSF, UNHCR).",
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
        "A what-if multiplier: 1 is the evidence-based link, 0 none, negative reversed.",
        "Not replaced by one number: vary it, as the report's screening does.",
    ),
    "migration.children_violence_multiplier": (
        "Families with children leave first (FACTS.md); the prior spans no extra weight to double.",
        "Departures of families with children by local violence (e.g. Clemens' UAC data).",
    ),
    "migration.network_tie_years": (
        "A tie to a relative abroad lasts about twenty years on average.",
        "Contact with and help from relatives abroad by years since migration (surveys).",
    ),
    "migration.network_ties_per_migrant": (
        "Each settled household gives half a household more a tie abroad.",
        "Kinship network sizes in migration surveys.",
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
    "reporting.victim_names_violence": (
        "A family victimised before leaving nearly always names it (a reporting assumption, "
        "not a cause).",
        "Survey answers by victimisation history (MSF microdata).",
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


def identification_markdown() -> str:
    """What the shipped posterior pins down, per parameter (or why there is no table)."""
    from iron_river.outputs import identification
    from iron_river.scenario.posterior import shipped

    post, sentence = shipped()
    if post is None:
        return f"*No posterior is shipped: {sentence}.*"
    rows = identification.table(list(post.keys), post.values, post.weights)
    meta = post.meta
    counts = {v: sum(r["verdict"] == v for r in rows) for v in ("pinned", "narrowed")}
    eps = meta.get("epsilon_schedule", [])
    sizes = meta.get("sizes", {})
    cost = meta.get("cost") or {}
    spent = (
        f" The fit cost {cost['wall_seconds'] / 3600:.1f} h of wall time over "
        f"{cost['sessions']} sessions on at most {max(cost['workers'])} local worker processes "
        f"({cost['simulated']} simulations, {cost['wall_seconds'] / cost['simulated']:.2f} s "
        "each)."
        if cost.get("simulated")
        else ""
    )
    head = (
        f"The shipped posterior (`model/iron_river/scenario/data/posterior.csv`): "
        f"{post.size} particles from {meta.get('generations')} generations, "
        f"{meta.get('simulations')} simulations at 1:{sizes.get('scale', float('nan')):g} "
        f"({sizes.get('burn_in_years')}-year burn-in, {sizes.get('years')} measured years), "
        f"final tolerance {eps[-1] if eps else float('nan'):.3g} half-tolerances "
        f"(seed {meta.get('seed')}).{spent} Of {len(rows)} parameters the data pin "
        f"{counts['pinned']} (posterior SD < 0.5 × prior SD) and narrow {counts['narrowed']} "
        "(< 0.8); the rest stay prior-dominated: their uncertainty passes unchanged into every "
        "interval the model reports."
    )
    keys = list(post.keys)
    spread = identification.span(identification.logits(keys, post.values))
    head += (
        f" The particles spread along {spread} of the {len(keys)} directions of the parameter "
        "space (singular values of their centred logits above 1% of the largest; as many draws "
        f"from the prior spread along all {len(keys)})."
    )
    warning = identification.move_warning(meta, spread, len(keys))
    if warning:
        head += f" **{warning.rstrip('.')}** (section 9)."
    elif spread < len(keys):
        head += (
            " Every generation moved the particles with full-rank moves, which can regain any "
            f"direction, so the other {len(keys) - spread} are combinations of parameters the "
            "targets pin (a move along them leaves the tolerance), not directions the moves lost."
        )
    figures = (
        "![posterior against prior, every parameter](figures/posterior_marginals.png)\n\n"
        "![pairs of the parameters the data narrow most](figures/posterior_pairs.png)"
    )
    return head + "\n\n" + figures + "\n\n" + identification.markdown(rows)


def write_identification_figures(folder: str | Path) -> list[Path]:
    """The shipped posterior's marginals and pair plot, as the ODD document shows them."""
    from iron_river.outputs import identification
    from iron_river.scenario.posterior import shipped

    post, _ = shipped()
    if post is None:
        return []
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    keys = list(post.keys)
    rows = identification.table(keys, post.values, post.weights)
    paths = [folder / "posterior_marginals.png", folder / "posterior_pairs.png"]
    for path, draw in zip(paths, (identification.marginals, identification.pairs), strict=True):
        tmp = path.with_name(f".{path.stem}.tmp.png")  # drawn aside, then renamed: atomic
        draw(tmp, keys, post.values, post.weights, rows)
        os.replace(tmp, path)
    return paths


def refresh_identification(path: str | Path = "docs/ODD.md", *, check: bool = False) -> bool:
    """Regenerate the identification table of the ODD document (from the shipped posterior)."""
    return _refresh(Path(path), IDENTIFICATION_MARKERS, identification_markdown(), check)


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
        docs / "ODD.md": refresh_odd(docs / "ODD.md", check=args.check)
        & refresh_identification(docs / "ODD.md", check=args.check),
        docs / "ASSUMPTIONS.md": refresh_assumptions(docs / "ASSUMPTIONS.md", check=args.check),
    }
    for path, ok in fresh.items():
        state = "up to date" if ok else ("OUT OF DATE" if args.check else "refreshed")
        print(f"{path}: {state}")
    if not args.check:
        for path in write_identification_figures(docs / "figures"):
            print(f"{path}: drawn")
    return 1 if args.check and not all(fresh.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
