"""iron river: an agent-based model of US guns trafficked south and migration north."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("iron-river")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
