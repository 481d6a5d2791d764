"""Members over a week: recruited, forced from families, arrested, killed, leaving.

Weekly, for a group with ``M`` members and income per member ``I`` (extortion and other
trade):

    ΔM = r₀ · M · (I / I₀)^ψ  +  forced  −  killed  −  M · (arrest + desistance)

``r₀`` is the voluntary recruitment of the 2019 world: during the burn-in it is whatever keeps
each country's membership at its 2019 size (restoring a gap within half a year), and from the
measured period on it is frozen at its average over the burn-in's last year — so the
baseline is stationary, and a policy moves membership through what it changes: income
(``ψ``, ``gangs.recruitment_income_elasticity``), killings and forced recruitment. Forced
recruits are the successful attempts on families (:mod:`iron_river.migration.exposure` lands
them), shared by turf; the killed are the group's share of its place's homicide victims who
were members.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from iron_river.violence.conflict import Violence, poisson_inverse

if TYPE_CHECKING:
    from iron_river.model import IronRiverModel


def attrition_per_week(model: IronRiverModel) -> float:
    """Share of members arrested or leaving in a week (the same in every country)."""
    gp = model.params.gangs
    return -np.expm1(-(gp.member_arrest_rate + gp.desistance_rate) / 52.0)


def income(model: IronRiverModel, rows: np.ndarray) -> np.ndarray:
    """Each group's income this week (USD): extortion and other trade."""
    mk = model.params.market
    return (
        model.gangs.extortion[rows] * mk.extortion_usd_per_event
        + model.gangs.members[rows] * mk.other_income_usd_per_member_year / 52.0
    )


def forced_recruits(model: IronRiverModel, violence: Violence) -> np.ndarray:
    """Successful forced-recruitment attempts per place this week (persons).

    Attempts target families with children (their share of households, from the data); each
    succeeds with ``gangs.forced_recruitment_success``. Drawn on the gun side's stream, so a
    run's groups are the same at every household scale; the households receive the same
    attempts as exposure (:mod:`iron_river.migration.exposure`).
    """
    p = model.params.gangs.forced_recruitment_success
    mean = violence.recruitment * p * model.children_share_by_market
    return poisson_inverse(model.violence_rng.random(mean.size), mean)


def update(model: IronRiverModel, violence: Violence) -> None:
    """Apply a week of recruitment, forced recruitment, arrests, killings and desistance.

    Args:
        model: the model.
        violence: this week's violence (homicides and forced-recruitment attempts per place).
    """
    g, gp = model.gangs, model.params.gangs
    forced = forced_recruits(model, violence)
    model.forced_recruits = forced
    rows = g.rows
    place, c = g.place[rows], g.country[rows]
    m = g.members[rows]
    g.income[rows] = income(model, rows)
    ipm = g.income[rows] / np.maximum(m, 1e-9)
    pull = m * (ipm / model.income_per_member_2019[c]) ** gp.recruitment_income_elasticity
    turf_total = np.bincount(place, weights=g.turf[rows], minlength=len(model.markets))
    forced_in = forced[place] * g.turf[rows] / np.maximum(turf_total[place], 1e-12)
    killed = gp.members_killed_share * violence.homicides[place] * g.violence_share[rows]
    lost = m * attrition_per_week(model)
    if model.week < model.burn_in_weeks:
        _balance(model, c, m, pull, forced_in + 0.0, killed + lost)
    voluntary = model.recruitment_rate[c] * pull
    g.members[rows] = np.maximum(m + voluntary + forced_in - killed - lost, 1.0)
    model.members_recruited = float(voluntary.sum() + forced_in.sum())
    model.members_lost = float(killed.sum() + lost.sum())
    model.members_killed = float(killed.sum())
    model.members_arrested = float(m.sum() * -np.expm1(-gp.member_arrest_rate / 52.0))


def _balance(
    model: IronRiverModel,
    c: np.ndarray,
    m: np.ndarray,
    pull: np.ndarray,
    forced: np.ndarray,
    losses: np.ndarray,
) -> None:
    """Burn-in: the recruitment rate that restores each country's 2019 membership in ~26 weeks."""
    n = model.members_2019.size
    gap = (model.members_2019 - np.bincount(c, weights=m, minlength=n)) / 26.0
    need = np.bincount(c, weights=losses - forced, minlength=n) + gap
    rate = np.maximum(need, 0.0) / np.maximum(np.bincount(c, weights=pull, minlength=n), 1e-9)
    model.recruitment_rate = rate
    model.recruitment_sum = model.recruitment_sum * (51.0 / 52.0) + rate / 52.0
    model.recruitment_weeks += 1


def freeze(model: IronRiverModel) -> None:
    """From the measured period on, recruitment keeps its average rate of the last burn-in year."""
    if model.recruitment_weeks:
        norm = 1.0 - (51.0 / 52.0) ** model.recruitment_weeks
        model.recruitment_rate = model.recruitment_sum / norm
