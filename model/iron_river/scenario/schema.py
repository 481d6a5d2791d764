"""The building blocks of the parameter schema: a parameter's spec, its checks, its errors.

Every section of the scenario (:mod:`.guns`, :mod:`.violence`, :mod:`.migration`) declares its
parameters with :func:`param` (default, unit, range, provenance, meaning) and its per-place or
per-country tables with :func:`family`; :func:`coerce` checks a value against its spec.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


class ScenarioError(ValueError):
    """A scenario file, key or value that cannot be used; ``str()`` is the one clear message."""

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None):
        self.file, self.key, self.reason = file, key, message
        where = ": ".join(x for x in (file, f"key '{key}'" if key else None) if x)
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """What a user may set: a dotted key, its default, unit, allowed range and provenance."""

    key: str
    default: Any
    unit: str
    lo: float | None
    hi: float | None
    provenance: str
    help: str
    kind: type
    optional: bool = False

    def describe_range(self) -> str:
        """The allowed values in words, for error messages and tables."""
        if self.kind is str:
            return "text"
        if self.kind is bool:
            return "true or false"
        lo = "-inf" if self.lo is None else f"{self.lo:g}"
        hi = "inf" if self.hi is None else f"{self.hi:g}"
        what = "an integer" if self.kind is int else "a number"
        return f"{what} in [{lo}, {hi}]" + (" (omit to inherit)" if self.optional else "")


def param(
    default: Any, unit: str, lo: float | None, hi: float | None, provenance: str, help: str
) -> Any:
    """A scenario field with its schema metadata (used inside the section dataclasses)."""
    return field(
        default=default,
        metadata={"unit": unit, "lo": lo, "hi": hi, "provenance": provenance, "help": help},
    )


def family(member: type, ids: Callable[[], tuple[str, ...]], defaults: Mapping[str, Any]) -> Any:
    """A table of per-place (or per-country) values, e.g. ``supply.states.US-TX.multiplier``."""
    return field(
        default_factory=lambda: MappingProxyType({i: defaults.get(i, member()) for i in ids()}),
        metadata={"family": ids, "member": member},
    )


INHERIT = None  # an omitted per-place override inherits the section-wide value


def coerce(spec: ParamSpec, raw: Any, origin: str) -> Any:
    """Check one value against its spec (type, range) and return it in the spec's type."""
    value = raw
    if raw is None and spec.optional:
        return None
    if isinstance(raw, str) and spec.kind is not str:
        value = _parse_text(raw)
    bad = ScenarioError(
        f"got {raw!r}; allowed: {spec.describe_range()} ({spec.unit})".replace(" ()", ""),
        file=origin,
        key=spec.key,
    )
    if spec.kind is str:
        if not isinstance(value, str):
            raise bad
        return value
    if spec.kind is bool:
        if not isinstance(value, bool):
            raise bad
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad
    if spec.kind is int:
        if isinstance(value, float) and not value.is_integer():
            raise bad
        value = int(value)
    else:
        value = float(value)
    if not math.isfinite(value):
        raise bad
    if (spec.lo is not None and value < spec.lo) or (spec.hi is not None and value > spec.hi):
        raise bad
    return value


def _parse_text(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text
