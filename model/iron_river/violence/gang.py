"""Armed groups: they arm themselves, lose guns to police and wear, and fight rivals.

A gang's armed strength (guns per member) and its rivals' drive the violence its
place suffers (see :mod:`iron_river.world.place`). Guns reach it from traffickers
(US-sourced) and from non-US sources; police seizures are traced, which is how
the model produces the trace statistics of FACTS.md T2, T3 and T5.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import CellAgent

from iron_river.guns.arsenal import Arsenal, Origin

if TYPE_CHECKING:
    from iron_river.model import IronRiverModel
    from iron_river.world.place import Place


class Gang(CellAgent):
    """One armed group in one place."""

    def __init__(self, model: IronRiverModel, place: Place, members: float, guns: np.ndarray):
        super().__init__(model)
        self.place = place
        self.country = place.country
        self.members = members
        self.arsenal = Arsenal(guns)
        self.guns_bought = 0  # from traffickers, this week
        self.cell = place.cell

    @property
    def guns(self) -> int:
        """Guns held."""
        return self.arsenal.total

    @property
    def guns_per_member(self) -> float:
        """Armed strength per member."""
        return self.arsenal.total / self.members if self.members > 0 else 0.0

    def receive(self, guns: int) -> None:
        """Take delivery of trafficked US guns."""
        self.arsenal.add(Origin.US_TRAFFICKED, guns)
        self.guns_bought += guns

    def resupply(self) -> None:
        """Obtain guns from non-US sources: stockpiles diverted in-country, other countries."""
        params = self.model.params.gangs.countries[self.country]
        share = self.members / self.model.gang_members[self.country]
        n = self.model.rng.poisson(params.non_us_guns_per_year / 52.0 * share)
        us_made = self.model.rng.binomial(n, params.diverted_us_made_share)
        self.arsenal.add(Origin.US_DIVERTED, us_made)
        self.arsenal.add(Origin.OTHER, n - us_made)

    def lose_guns(self) -> None:
        """Police seize some guns (they go to tracing); others wear out or are lost."""
        gangs = self.model.params.gangs
        seize_p = -math.expm1(-gangs.countries[self.country].police_seizure_rate / 52.0)
        seized = self.arsenal.remove(self.model.rng, seize_p)
        self.model.tracing.record(self.country, seized)
        self.arsenal.remove(self.model.rng, -math.expm1(-1.0 / (52.0 * gangs.gun_life_years)))
