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
class Prior:
    """What we believe about an uncertain parameter before calibration, and why.

    ``kind`` is ``"uniform"`` or ``"log-uniform"`` (for scales spanning decades) on
    ``[lo, hi]``; ``reason`` says where the range comes from (a study, a data range, or why an
    assumption is this wide). The posterior fit (``iron-river calibrate``) samples from it.
    """

    kind: str
    lo: float
    hi: float
    reason: str
    relative: bool = False  # lo and hi are factors of each item's default (per-country tables)

    def __post_init__(self) -> None:
        if self.kind not in ("uniform", "log-uniform") or not self.lo < self.hi:
            raise ValueError(f"bad prior {self}")
        if self.kind == "log-uniform" and self.lo <= 0:
            raise ValueError(f"log-uniform prior needs lo > 0: {self}")

    def around(self, default: float) -> Prior:
        """The absolute prior of one item (a relative prior scaled by the item's default)."""
        if not self.relative:
            return self
        lo, hi = sorted((self.lo * default, self.hi * default))
        return Prior(self.kind, lo, hi, self.reason)

    def describe(self) -> str:
        """The prior in words, e.g. ``log-uniform [0.0006, 0.004]``."""
        return f"{self.kind} [{self.lo:g}, {self.hi:g}]"

    def logit(self, value: float) -> float:
        """The logit of ``value``'s position in the prior (log scale if log-uniform).

        What the fit samples (``iron-river calibrate``): standard logistic under the prior.
        """
        v = float(value)
        if self.kind == "log-uniform":
            u = (math.log(v) - math.log(self.lo)) / (math.log(self.hi) - math.log(self.lo))
        else:
            u = (v - self.lo) / (self.hi - self.lo)
        u = min(max(u, 1e-12), 1.0 - 1e-12)
        return math.log(u) - math.log1p(-u)

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the prior's support."""
        return self.lo <= value <= self.hi


def uniform(lo: float, hi: float, reason: str) -> Prior:
    """A uniform prior on ``[lo, hi]``."""
    return Prior("uniform", lo, hi, reason)


def log_uniform(lo: float, hi: float, reason: str) -> Prior:
    """A log-uniform prior on ``[lo, hi]`` (each decade equally likely)."""
    return Prior("log-uniform", lo, hi, reason)


def times(lo: float, hi: float, reason: str, *, log: bool = True) -> Prior:
    """A prior from ``lo`` x to ``hi`` x each item's default (for per-country tables)."""
    return Prior("log-uniform" if log else "uniform", lo, hi, reason, relative=True)


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """What a user may set: a dotted key, its default, unit, allowed range and provenance.

    ``role`` is ``"lever"`` for policy levers (the ``[policy]`` section: the 2019 value during
    the burn-in, the scenario's value after), ``"structural"`` for everything that describes
    the world (in force from week 0), and ``"run"`` for run controls. ``inherits`` names the
    structural key a lever takes its 2019 value from when it is not set. ``prior`` is set for
    every uncertain parameter the posterior fit samples.
    """

    key: str
    default: Any
    unit: str
    lo: float | None
    hi: float | None
    provenance: str
    help: str
    kind: type
    optional: bool = False
    role: str = "structural"
    prior: Prior | None = None
    inherits: str | None = None
    choices: tuple[str, ...] = ()  # the allowed values of a text parameter (empty: any text)

    def describe_range(self) -> str:
        """The allowed values in words, for error messages and tables."""
        if self.choices:
            return "one of " + ", ".join(f'"{c}"' for c in self.choices)
        if self.kind is str:
            return "text"
        if self.kind is bool:
            return "true or false"
        lo = "-inf" if self.lo is None else f"{self.lo:g}"
        hi = "inf" if self.hi is None else f"{self.hi:g}"
        what = "an integer" if self.kind is int else "a number"
        return f"{what} in [{lo}, {hi}]" + (" (omit to inherit)" if self.optional else "")


def param(
    default: Any,
    unit: str,
    lo: float | None,
    hi: float | None,
    provenance: str,
    help: str,
    *,
    prior: Prior | None = None,
    inherits: str | None = None,
) -> Any:
    """A scenario field with its schema metadata (used inside the section dataclasses).

    Args:
        default: the value in the 2019 world (``INHERIT`` for a lever that takes it from
            ``inherits``).
        unit: what the number counts.
        lo: the smallest value accepted from a user (``None``: unbounded).
        hi: the largest value accepted.
        provenance: a FACTS.md source, a data file, "calibrated to …" or "assumption".
        help: what the parameter does, in a sentence.
        prior: for uncertain parameters, the range the posterior fit samples and why.
        inherits: for a lever, the structural key holding its 2019 value.
    """
    return field(
        default=default,
        metadata={
            "unit": unit,
            "lo": lo,
            "hi": hi,
            "provenance": provenance,
            "help": help,
            "prior": prior,
            "inherits": inherits,
        },
    )


def family(
    member: type,
    ids: Callable[[], tuple[str, ...]],
    defaults: Mapping[str, Any],
    priors: Mapping[str, Mapping[str, Prior | None]] | None = None,
) -> Any:
    """A table of per-place (or per-country) values, e.g. ``policy.states.US-TX.straw_enforcement``.

    Args:
        member: the dataclass of one row.
        ids: the row ids (places or countries), read from the data files.
        defaults: rows that differ from ``member()``'s defaults.
        priors: ``{id: {field: prior}}`` where a row needs its own prior (``None``: no prior).
    """
    return field(
        default_factory=lambda: MappingProxyType({i: defaults.get(i, member()) for i in ids()}),
        metadata={"family": ids, "member": member, "priors": dict(priors or {})},
    )


def check_prior(spec: ParamSpec) -> None:
    """A prior must lie in the allowed range and hold the default (raises ``ValueError``)."""
    p = spec.prior
    if p is None:
        return
    inside = (spec.lo is None or spec.lo <= p.lo) and (spec.hi is None or p.hi <= spec.hi)
    if not inside or not p.contains(spec.default):
        raise ValueError(
            f"{spec.key}: prior {p.describe()} must hold the default {spec.default} "
            f"and lie inside [{spec.lo}, {spec.hi}]"
        )


INHERIT = None  # an omitted lever or per-place override inherits its 2019 / section-wide value


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
        if not isinstance(value, str) or (spec.choices and value not in spec.choices):
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
