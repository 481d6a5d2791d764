"""The world: places from US source states to the Northern Triangle, the routes between them.

:mod:`.geography` reads the embedded data files (``data/*.csv``, each row with its source);
:mod:`.place` is the Mesa agent of one node of the map and its weekly tallies.
"""
