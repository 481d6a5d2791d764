"""The mechanism, not shortcuts: responses the causal chain implies.

Gun-side responses are checked at a coarse household scale (the gun side of a run does not
depend on it, ``test_scale_invariance.py``); replicates share seeds across scenarios, so
differences are mostly the policy's.
"""

from __future__ import annotations

import mesa
import numpy as np
import pytest

from iron_river.model import IronRiverModel
from iron_river.scenario import IronRiverScenario, load_scenario
from iron_river.violence import arsenals
from tests.conftest import mean, runs, small

GUNS = 20000.0  # households scale for gun-side tests: a few hundred simulated households


def _paired(rs_a, rs_b, metric):
    pairs = zip(rs_a, rs_b, strict=True)
    return np.array([b.metrics[metric] / a.metrics[metric] - 1 for a, b in pairs])


def test_port_interdiction_lowers_guns_delivered_and_arsenals(baseline_runs, x100_runs):
    for metric in ("guns_delivered", "arsenal_MX", "arsenal_GT"):
        assert (_paired(baseline_runs, x100_runs, metric) < -0.03).all(), metric
    assert mean(x100_runs, "us_southbound_interdiction_rate") > 0.05


def test_port_interdiction_raises_between_ports_share_and_prices():
    base = runs(small(None, years=3, scale=GUNS), n=3)
    tight = runs(small(None, "policy.us_southbound_interdiction=0.05", years=3, scale=GUNS), n=3)
    assert mean(tight, "between_ports_share") > 2 * mean(base, "between_ports_share")
    assert (_paired(base, tight, "gun_price_MX") > 0).all()
    assert mean(tight, "guns_per_load") < mean(base, "guns_per_load")  # loads shrink with risk


def test_at_half_of_loads_seized_at_ports_the_trade_reroutes_instead_of_vanishing():
    base = runs(small(None, years=3, scale=GUNS), n=3)
    half = runs(small(None, "policy.us_southbound_interdiction=0.5", years=3, scale=GUNS), n=3)
    assert mean(half, "between_ports_share") > 0.8
    assert mean(half, "guns_delivered") > 0.5 * mean(base, "guns_delivered")
    # closing both ways does cut the trade: rerouting is what kept it going
    both = runs(
        small(
            None,
            "policy.us_southbound_interdiction=0.5",
            "policy.between_ports_interdiction=0.5",
            years=3,
            scale=GUNS,
        ),
        n=3,
    )
    assert mean(both, "guns_delivered") < 0.3 * mean(base, "guns_delivered")


def test_non_us_supply_rises_with_price():
    model = IronRiverModel(small(None, years=1, burn_in_years=0, scale=GUNS), rng=1)
    eta = model.params.market.non_us_price_elasticity
    assert eta > 0

    def supply(ratio: float) -> float:
        model.markets_state.paid = model.markets_state.reference * ratio
        total = 0.0
        for _ in range(200):
            arsenals.resupply(model)
            total += model.non_us_guns.sum()
        return total

    low, high = supply(1.0), supply(2.0)
    assert abs(high / low - 2.0**eta) < 0.05 * 2.0**eta
    # and in a run: when US guns become scarce, non-US guns rise
    base = runs(small(None, years=3, scale=GUNS), n=2)
    scarce = runs(small(None, "policy.straw_enforcement=0.9", years=3, scale=GUNS), n=2)
    assert (_paired(base, scarce, "gun_price_MX") > 0.03).all()
    assert mean(scarce, "arsenal_MX") < mean(base, "arsenal_MX")


def _place_change(base, shock, field, places):
    """Relative change of a per-place series summed over the measured weeks, by place."""
    ids = base[0].place_ids
    from iron_river.ledger import PLACE_FIELDS

    f = PLACE_FIELDS.index(field)
    out = {}
    for p in places:
        j = ids.index(p)
        b = np.mean([r.places[:, j, f].sum() for r in base])
        s = np.mean([r.places[:, j, f].sum() for r in shock])
        out[p] = s / b - 1
    return out


def test_a_supply_shock_is_local():
    """Three times the guns in Arizona arm Sonora and Baja California far more than Tamaulipas
    or Nuevo León (Texas's corridor) or Central America, and raise their violence.

    (Not "most there": where arms rise, turf also consolidates, which lowers rivalry, and
    group splits elsewhere are drawn by row, so at this size the far places' homicides move
    by as much in either direction.)"""
    base = runs(small(None, years=3, scale=GUNS), n=3)
    shock = runs(small(None, "policy.states.US-AZ.supply_multiplier=3", years=3, scale=GUNS), n=3)
    near, far = ("MX-SON", "MX-BCN"), ("MX-TAM", "MX-NLE", "GT", "SV")
    arms = _place_change(base, shock, "arsenal_us", near + far)
    assert min(arms[p] for p in near) > 2 * max(arms[p] for p in far), arms
    kills = _place_change(base, shock, "firearm_homicides", near)
    assert np.mean([kills[p] for p in near]) > 0.02, kills


def test_without_violence_link_interdiction_leaves_arrivals_exactly_unchanged():
    off = "migration.violence_effect=0"
    base = runs(small("baseline.toml", off, years=3), n=2)
    x100 = runs(small("interdiction_x100.toml", off, years=3), n=2)
    assert mean(x100, "guns_delivered") < 0.95 * mean(base, "guns_delivered")
    assert mean(x100, "homicides_total") < mean(base, "homicides_total")
    for b, x in zip(base, x100, strict=True):  # the decision draws from a stream of its own
        np.testing.assert_array_equal(b.weekly["arrivals"], x.weekly["arrivals"])


def test_closing_the_whole_border_lowers_violence_and_arrivals():
    base = runs(small("baseline.toml", years=3), n=3)
    border = runs(
        small(
            "baseline.toml",
            "policy.us_southbound_interdiction=0.5",
            "policy.between_ports_interdiction=0.5",
            years=3,
        ),
        n=3,
    )
    assert (_paired(base, border, "homicides_total") < -0.02).all()
    # arrivals answer violence with a lag and a small elasticity: over three years at this
    # size a replicate's change is within noise of zero, their mean is not
    assert _paired(base, border, "us_border_arrivals").mean() < -0.005


def test_raising_interdiction_at_one_crossing_shifts_traffic():
    def loads_share(rs, crossing):
        j = rs[0].crossing_ids.index(crossing)
        return np.mean([r.crossings[:, j, 1].sum() / r.crossings[:, :-1, 1].sum() for r in rs])

    base = runs(small(None, years=2, scale=GUNS), n=2)
    tight = runs(
        small(
            None,
            "policy.crossings.X-NLD.us_southbound_interdiction=0.3",
            "policy.crossings.X-NLD.between_ports_interdiction=0.3",
            years=2,
            scale=GUNS,
        ),
        n=2,
    )
    assert loads_share(tight, "X-NLD") < 0.5 * loads_share(base, "X-NLD")
    for other in ("X-REY", "X-PNG"):
        assert loads_share(tight, other) > loads_share(base, other)


def test_straw_crackdown_lowers_guns_bought():
    base = runs(small(None, years=2, scale=GUNS), n=2)
    crack = runs(small("straw_crackdown_tx_az.toml", years=2, scale=GUNS), n=2)
    assert mean(crack, "guns_bought") < 0.9 * mean(base, "guns_bought")


def test_more_supply_raises_guns_and_homicides():
    base = runs(small(None, years=3, scale=GUNS), n=2)
    more = runs(small("assault_weapons_supply.toml", years=3, scale=GUNS), n=2)
    assert mean(more, "guns_delivered") > mean(base, "guns_delivered")
    assert mean(more, "homicides_total") > mean(base, "homicides_total")


def test_leader_arrests_fragment_groups_and_raise_violence():
    base = runs(small(None, years=2, scale=GUNS), n=2)
    kingpin = runs(
        small(None, "policy.countries.MX.leader_arrest_rate=2", years=2, scale=GUNS), n=2
    )
    assert mean(kingpin, "armed_groups_MX") > 1.2 * mean(base, "armed_groups_MX")
    assert mean(kingpin, "homicides_MX") > 1.05 * mean(base, "homicides_MX")


def test_forced_recruitment_replaces_volunteers_at_the_observed_membership():
    """The burn-in sets voluntary recruitment to hold membership at its 2019 level, so more
    forced recruitment changes who the members are, not how many (T-members stay met)."""
    none = runs(small(None, "gangs.forced_recruitment_success=0", years=2, scale=GUNS), n=2)
    more = runs(small(None, "gangs.forced_recruitment_success=0.5", years=2, scale=GUNS), n=2)
    assert mean(none, "forced_recruits") == 0 < mean(more, "forced_recruits")
    for c in ("MX", "SV"):
        assert mean(more, f"gang_members_{c}") == pytest.approx(
            mean(none, f"gang_members_{c}"), rel=0.03
        )


def test_negative_violence_effect_lowers_departures():
    pos = runs(small(None, years=2), n=2)
    neg = runs(small(None, "migration.violence_effect=-1", years=2), n=2)
    assert mean(neg, "departures") < mean(pos, "departures")


def test_long_run_cells_do_not_depend_on_the_starting_count():
    """Free entry settles the number of cells where margins balance, from any start."""
    final = {}
    for start in (None, 100, 1000):
        sets = [] if start is None else [f"trafficking.initial_cells={start}"]
        rs = runs(small(None, *sets, years=3, scale=GUNS, burn_in_years=5), n=2)
        final[start] = mean(rs, "trafficker_cells_final_year")
    assert abs(final[100] / final[None] - 1) < 0.1, final
    assert abs(final[1000] / final[None] - 1) < 0.1, final


def test_structural_parameters_act_in_the_burn_in():
    """A structural parameter is in force from week 0; a lever waits for the measured period."""

    def first_week(*sets: str) -> IronRiverModel:
        model = IronRiverModel(small(None, *sets, years=1, scale=GUNS, burn_in_years=5), rng=2)
        for _ in range(model.burn_in_weeks + 1):
            model.step()
        return model

    base = first_week()
    police = first_week("gangs.countries.MX.police_seizure_rate=0.3")
    lever = first_week("policy.countries.MX.police_seizure_rate=0.3")
    arsenal = lambda m: m.ledger.rows[-1]["arsenal_MX"]  # noqa: E731
    assert arsenal(police) < 0.9 * arsenal(base)  # five years of seizures at 0.3 a year
    assert abs(arsenal(lever) / arsenal(base) - 1) < 0.05  # one week of the lever
    assert lever.police_seizure_rate[0] == 0.3 and base.police_seizure_rate[0] < 0.1


def test_equal_seeds_equal_runs_from_the_python_api():
    ss = np.random.SeedSequence(20190101)
    sc = small(None, years=1, burn_in_years=0, scale=5000)
    a, b = IronRiverModel(sc, rng=ss), IronRiverModel(sc, rng=ss)
    assert ss.n_children_spawned == 0  # the caller's seed is never changed
    for _ in range(30):
        a.step()
        b.step()
    assert a.ledger.rows == b.ledger.rows
    c = IronRiverModel(sc, rng=42)
    d = IronRiverModel(
        load_scenario(None, ["parameters=defaults", "years=1", "burn_in_years=0", "scale=5000"]),
        rng=42,
    )
    for _ in range(10):
        c.step()
        d.step()
    assert c.ledger.rows == d.ledger.rows


def test_batch_run_works():
    key = "policy__us_southbound_interdiction"
    results = mesa.batch_run(
        IronRiverModel,
        parameters={key: [0.002, 0.2], "scale": 5000, "years": 1, "burn_in_years": 1},
        rng=[1, 2],
        max_steps=104,
        number_processes=1,
        display_progress=False,
    )
    assert len(results) == 4
    assert {r[key] for r in results} == {0.002, 0.2}
    assert all("guns_delivered" in r for r in results)


def test_model_params_accept_dotted_and_underscored_keys():
    kw = {"scale": 5000, "parameters": "defaults"}
    a = IronRiverModel(rng=1, **{"policy.us_southbound_interdiction": 0.3}, **kw)
    b = IronRiverModel(rng=1, policy__us_southbound_interdiction=0.3, **kw)
    assert a.scenario.policy.us_southbound_interdiction == 0.3
    assert b.scenario.policy.us_southbound_interdiction == 0.3
    # the lever waits for the measured period: the burn-in runs the 2019 rate
    assert a.border.rate[a.border.us[0]] == IronRiverScenario().value(
        "enforcement.us_southbound_interdiction"
    )


def test_without_burn_in_a_policy_starts_from_the_2019_world():
    """The world is built at the 2019 levers: a policy changes what happens, not the start."""
    sets = ["years=1", "burn_in_years=0", "scale=5000", "parameters=defaults"]
    base = IronRiverModel(load_scenario(None, sets), rng=5)
    tight = IronRiverModel(
        load_scenario(None, [*sets, "policy.us_southbound_interdiction=0.5"]), rng=5
    )
    g, h = base.gangs, tight.gangs
    assert (g.arsenal[g.rows] == h.arsenal[h.rows]).all()
    assert base.cells.count == tight.cells.count
    assert base.border.rate[base.border.us[0]] < 0.01  # the 2019 rate until the first week
    tight.step()
    assert tight.border.rate[tight.border.us[0]] == 0.5
