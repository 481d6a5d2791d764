"""Places on the map: US source states, crossings, Mexican states and regions, Central America.

A place is a Mesa agent living in its own cell of the route network. Populated
places turn the armed strength and rivalry of their gangs into violence
(homicides with and without firearms, extortion, forced recruitment) and set the
local black-market price of guns from how armed their gangs are.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate
from typing import TYPE_CHECKING

from mesa.discrete_space import CellAgent

from iron_river.world.geography import PlaceRecord

if TYPE_CHECKING:
    from iron_river.model import IronRiverModel
    from iron_river.violence.gang import Gang


class Place(CellAgent):
    """One node of the map, with this week's tallies."""

    def __init__(self, model: IronRiverModel, record: PlaceRecord):
        super().__init__(model)
        self.record = record
        self.place_id = record.id
        self.name = record.name
        self.kind = record.kind
        self.country = record.country
        self.lon, self.lat = record.lon, record.lat
        self.gangs: list[Gang] = []
        self._cum_members: list[float] | None = None  # for choosing a buyer (members are fixed)
        self.population = float(record.population)  # persons at home (set by the model)
        self.price = 0.0  # black-market price of a US gun here (USD)
        self.reference_guns_per_member = 0.0
        self.index = -1  # row in the household arrays' place index (populated places only)
        self.expected_homicide_rate = 0.0  # per 100k per year, from the gangs' current state
        self.guns_bought_here = 0  # for US source states
        self.clear_week()

    def clear_week(self) -> None:
        """Reset the weekly tallies."""
        self.homicides = self.firearm_homicides = 0
        self.extortion = self.recruitment = 0.0
        self.guns_delivered = self.guns_bought_here = 0
        self.guns_attempted = self.guns_seized = self.loads = 0
        self.departures = self.departures_violence = self.arrivals = 0.0
        self.households_exposed = 0.0

    # -- violence ---------------------------------------------------------------------------

    @property
    def members(self) -> float:
        """Gang members in this place."""
        return sum(g.members for g in self.gangs)

    @property
    def guns(self) -> int:
        """Guns held by this place's gangs."""
        return sum(g.guns for g in self.gangs)

    @property
    def arsenal(self) -> int:
        """Guns held by this place's gangs (all origins)."""
        return self.guns

    @property
    def arsenal_us(self) -> int:
        """Guns held here that a trace would attribute to the US (trafficked or diverted)."""
        return sum(g.arsenal.us_sourced for g in self.gangs)

    @property
    def guns_per_member(self) -> float:
        """Armed strength of the place's gangs."""
        m = self.members
        return self.guns / m if m > 0 else 0.0

    @property
    def rivalry(self) -> float:
        """1 − Herfindahl index of the gangs' shares of guns: 0 under a monopoly."""
        total = self.guns
        if total <= 0:
            return 0.0
        return 1.0 - sum((g.guns / total) ** 2 for g in self.gangs)

    def fight(self) -> None:
        """Turn armed strength and rivalry into this week's violence.

        firearm homicides ~ Poisson(a · R · M · g^α / 52),
        other homicides   ~ Poisson(b · R · M / 52),
        extortion = x · M · g^α / 52, recruitment attempts = r · M / 52,
        with M members, g guns per member, R rivalry, α the gun elasticity.
        """
        if not self.gangs:
            return
        v = self.model.params.violence
        lethality = v.countries[self.country]
        members, rivalry = self.members, self.rivalry
        armed = self.guns_per_member**v.gun_elasticity
        rng = self.model.rng
        firearm = lethality.firearm_lethality * rivalry * members * armed  # expected, per year
        other = lethality.other_lethality * rivalry * members
        self.expected_homicide_rate = (
            (firearm + other) / self.population * 1e5 if self.population > 0 else 0.0
        )
        self.firearm_homicides = int(rng.poisson(firearm / 52.0))
        self.homicides = self.firearm_homicides + int(rng.poisson(other / 52.0))
        self.extortion = v.extortion_per_member_year * members * armed / 52.0
        self.recruitment = v.recruitment_per_member_year * members / 52.0

    @property
    def homicide_rate(self) -> float:
        """Homicides of this week as a yearly rate per 100,000 people."""
        return self.homicides * 52.0 / self.population * 1e5 if self.population > 0 else 0.0

    # -- market -----------------------------------------------------------------------------

    def set_price(self) -> None:
        """Set the local price from scarcity: base · (g_ref / g)^ε, within [¼, 4] × base.

        The price rises where gangs hold fewer guns per member than at baseline (g_ref) and
        falls where the market is saturated.
        """
        market = self.model.params.market
        base = market.price_usd_mexico if self.country == "MX" else market.price_usd_central_america
        g = max(self.guns_per_member, 1e-3)
        ratio = (self.reference_guns_per_member / g) ** market.scarcity_elasticity
        self.price = base * min(4.0, max(0.25, ratio))

    def sell(self, guns: int) -> None:
        """A delivery goes to one gang, chosen in proportion to its members."""
        self.guns_delivered += guns
        if self._cum_members is None:
            self._cum_members = list(accumulate(g.members for g in self.gangs))
        pick = self.model.random.random() * self._cum_members[-1]
        self.gangs[bisect_right(self._cum_members, pick)].receive(guns)
