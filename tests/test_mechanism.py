"""The mechanism, not shortcuts: responses the causal chain implies."""

from __future__ import annotations

import mesa
import numpy as np

from iron_river.model import IronRiverModel
from iron_river.scenario import PARAMETERS
from tests.conftest import mean, runs, small


def test_interdiction_lowers_delivered_guns_violence_and_arrivals(baseline_runs, x100_runs):
    for metric in ("guns_delivered", "homicides_total", "us_border_arrivals"):
        assert mean(x100_runs, metric) < mean(baseline_runs, metric), metric
    assert mean(x100_runs, "us_southbound_interdiction_rate") > 0.1


def test_causal_order_guns_then_violence_then_arrivals(baseline_runs, x100_runs):
    """Guns delivered fall at once; violence and arrivals follow as arsenals wear down."""

    def drop(key: str, years: slice) -> float:
        b = np.mean([r.weekly[key].reshape(-1, 52)[years].sum() for r in baseline_runs])
        x = np.mean([r.weekly[key].reshape(-1, 52)[years].sum() for r in x100_runs])
        return 1 - x / b

    first, late = slice(0, 1), slice(2, 4)
    guns, violence, arrivals = ("guns_delivered", "homicides", "arrivals")
    assert drop(guns, first) > 0.8 * drop(guns, late) > 0.5  # the policy bites at once
    assert drop(violence, late) > 2 * drop(violence, first) > 0  # violence falls later
    assert drop(arrivals, late) > drop(arrivals, first)  # and arrivals after it
    assert drop(arrivals, late) > 0
    # each link is weaker than the one before it: arrivals move less than violence, which
    # moves less than guns
    assert drop(guns, late) > drop(violence, late) > drop(arrivals, late)


def test_without_violence_link_interdiction_leaves_arrivals_unchanged():
    off = "migration.violence_effect=0"
    base = runs(small("baseline.toml", off, years=3), n=3)
    x100 = runs(small("interdiction_x100.toml", off, years=3), n=3)
    assert mean(x100, "guns_delivered") < 0.9 * mean(base, "guns_delivered")
    b = np.array([r.metrics["us_border_arrivals"] for r in base])
    x = np.array([r.metrics["us_border_arrivals"] for r in x100])
    # same seeds: the difference is within the replicate noise
    assert abs(x.mean() - b.mean()) < 3 * max(b.std(ddof=1), x.std(ddof=1), 0.005 * b.mean())


def test_raising_interdiction_at_one_crossing_shifts_traffic():
    def loads_share(rs, crossing):
        ids = rs[0].crossing_ids
        j = ids.index(crossing)
        return np.mean([r.crossings[:, j, 0].sum() / r.crossings[:, :-1, 0].sum() for r in rs])

    base = runs(small(None, years=2), n=2)
    tight = runs(
        small(None, "enforcement.crossings.X-NLD.us_southbound_interdiction=0.3", years=2), n=2
    )
    assert loads_share(tight, "X-NLD") < 0.5 * loads_share(base, "X-NLD")
    for other in ("X-REY", "X-PNG"):
        assert loads_share(tight, other) > loads_share(base, other)


def test_straw_crackdown_lowers_guns_bought_in_texas_and_arizona():
    base = runs(small(None, years=2), n=2)
    crack = runs(small("straw_crackdown_tx_az.toml", years=2), n=2)
    assert mean(crack, "guns_bought") < mean(base, "guns_bought")


def test_more_supply_raises_guns_and_homicides():
    base = runs(small(None, years=3), n=2)
    more = runs(small("assault_weapons_supply.toml", years=3), n=2)
    assert mean(more, "guns_delivered") > mean(base, "guns_delivered")
    assert mean(more, "homicides_total") > mean(base, "homicides_total")


def test_negative_violence_effect_lowers_departures():
    pos = runs(small(None, years=2), n=2)
    neg = runs(small(None, "migration.violence_effect=-1", years=2), n=2)
    assert mean(neg, "departures") < mean(pos, "departures")
    assert mean(neg, "departures_violence_share") == 0.0


def test_batch_run_works():
    key = "enforcement__us_southbound_interdiction"
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
    a = IronRiverModel(rng=1, **{"enforcement.us_southbound_interdiction": 0.3, "scale": 5000})
    b = IronRiverModel(rng=1, enforcement__us_southbound_interdiction=0.3, scale=5000)
    assert a.scenario.enforcement.us_southbound_interdiction == 0.3
    assert b.scenario.enforcement.us_southbound_interdiction == 0.3
    # the lever waits for the measured period: the burn-in runs the 2019 baseline
    default = PARAMETERS["enforcement.us_southbound_interdiction"].default
    assert a.us_units[0].rate == default
