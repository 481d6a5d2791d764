"""Command-line values checked as they are parsed, so bad ones stop before anything runs.

``argparse`` calls these as ``type=`` functions; a bad value becomes one message naming the
option and what is allowed (``argument --seed: got -1; allowed: a whole number ≥ 0``) and
exit status 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from iron_river.scenario import PARAMETERS, ScenarioError, coerce


def whole(lo: int, hi: int | None = None, what: str = "") -> Callable[[str], int]:
    """A whole number in [lo, hi]."""
    rule = f"a whole number ≥ {lo}" if hi is None else f"a whole number from {lo} to {hi}"
    rule += f" ({what})" if what else ""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"got {text!r}; allowed: {rule}") from None
        if value < lo or (hi is not None and value > hi):
            raise argparse.ArgumentTypeError(f"got {value}; allowed: {rule}")
        return value

    parse.__name__ = "whole number"
    return parse


def schema(key: str) -> Callable[[str], object]:
    """A value of the scenario parameter ``key``, checked against its unit and range."""
    spec = PARAMETERS[key]

    def parse(text: str) -> object:
        try:
            return coerce(spec, text, key)
        except ScenarioError:
            raise argparse.ArgumentTypeError(
                f"got {text!r}; allowed: {spec.describe_range()} ({spec.unit})"
            ) from None

    parse.__name__ = key
    return parse


SEED = whole(0, what="numpy seeds are non-negative")
REPLICATES = whole(1)
PORT = whole(0, 65535, "0 picks a free port")
YEARS = schema("years")
SCALE = schema("scale")
BURN_IN = schema("burn_in_years")
WORKERS = whole(1)
