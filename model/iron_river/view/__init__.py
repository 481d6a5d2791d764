"""The browser view (Mesa SolaraViz): map, live charts and policy levers, served offline.

Modules: ``app`` (the page), ``panels`` (map, charts, explanation), ``mapview`` and ``svg``
(drawing), ``server`` (``iron-river view``), ``assets`` (Solara's front end from npm, for offline
use). Importing this package imports nothing heavy; ``app`` needs the ``view`` extra.
"""
