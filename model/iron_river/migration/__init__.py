"""The third link: violence reaches households, who leave, travel north and arrive at the border.

:mod:`.households` (the numpy arrays, one row per household), :mod:`.exposure` (victimisation
and memory), :mod:`.decision` (who leaves and why), :mod:`.journey` (the route north) and
:mod:`.arrivals` (the migration pressure at the US border, returns, networks).
"""
