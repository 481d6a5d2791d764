"""``python -m iron_river.sweep ...`` is ``iron-river sweep ...``."""

import sys

from iron_river.sweep.cli import main

if __name__ == "__main__":
    sys.exit(main())
