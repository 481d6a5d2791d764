"""The second link: armed groups turn guns and rivalry into violence.

:mod:`.gang` (armed groups: arsenals, resupply, losses); what a place's groups do to its
people is in :meth:`iron_river.world.place.Place.fight`.
"""
