"""The first link: guns bought in US gun shops go south to armed groups.

:mod:`.trafficker` (cells that buy, choose a route, ship and learn), :mod:`.enforcement`
(border units that inspect loads), :mod:`.arsenal` (gun stocks by origin) and
:mod:`.tracing` (what tracing seized guns reveals).
"""
