"""Scale changes only the households' noise: the gun side of a run does not depend on it.

Traffickers, border units and gangs never read the households, and the households draw
from random streams of their own (``iron_river.model.Streams``), so two runs with
one seed at different scales share every gun and every homicide week by week; only the
household-side figures differ, by sampling noise. This is what makes a 1:1 run and a 1:100
run of one seed a paired comparison (``benchmarks/scale.py``).
"""

from __future__ import annotations

import numpy as np

from iron_river.model import IronRiverModel


def _run(scale: float, seed: int, weeks: int = 40) -> dict[str, np.ndarray]:
    model = IronRiverModel(rng=seed, scale=scale, burn_in_years=0, years=1)
    weekly: dict[str, list] = {"homicides": [], "guns_into_mexico": [], "departures": []}
    for _ in range(weeks):
        model.step()
        weekly["homicides"].append([pl.homicides for pl in model.markets])
        weekly["guns_into_mexico"].append(model.guns_into_mexico)
        weekly["departures"].append([pl.departures for pl in model.markets])
    out = {k: np.array(v, dtype=float) for k, v in weekly.items()}
    out["households"] = np.array([model.households.n])
    return out


def test_gun_side_is_identical_across_scales_and_households_are_not() -> None:
    small, large = _run(4000.0, seed=5), _run(1000.0, seed=5)
    assert large["households"][0] > 3 * small["households"][0]
    np.testing.assert_array_equal(small["homicides"], large["homicides"])
    np.testing.assert_array_equal(small["guns_into_mexico"], large["guns_into_mexico"])
    assert small["departures"].sum() > 0 and large["departures"].sum() > 0
    assert not np.array_equal(small["departures"], large["departures"])


def test_another_seed_gives_another_gun_side() -> None:
    assert not np.array_equal(_run(4000.0, seed=5)["homicides"], _run(4000.0, seed=6)["homicides"])
