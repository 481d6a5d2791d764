"""Sweep files: read a ``scenarios/sweeps/*.toml`` file into a validated :class:`SweepSpec`.

A sweep file names a base scenario, the parameters to vary and how, and what to keep::

    name = "interdiction"                  # optional; defaults to the file name
    base = "../baseline.toml"              # relative to this file
    sampling = "grid"                      # grid | lhs | sobol | saltelli
    replicates = 20                        # runs per design point, each with its own seed
    years = 10                             # measured years per run
    root_seed = 20261128
    metrics = ["us_border_arrivals", "homicides_total", "guns_delivered"]
    weekly = ["arrivals"]                  # optional weekly series to keep

    [set]                                  # optional: fixed overrides for every run
    scale = 100

    [parameters."policy.us_southbound_interdiction"]
    range = ["baseline", 0.5]              # "baseline" = the base scenario's value
    scale = "log"
    points = 12                            # grid only; others use top-level `samples`

Everything is checked here, before any run starts: unknown keys (with the closest valid
name), parameter names against the scenario schema, and values against each parameter's range.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SAMPLINGS = ("grid", "lhs", "sobol", "saltelli")
SCALES = ("linear", "log")
TOP_KEYS = (
    "name",
    "description",
    "base",
    "sampling",
    "samples",
    "replicates",
    "years",
    "metrics",
    "weekly",
    "root_seed",
    "batch_size",
    "common_random_numbers",
    "set",
    "parameters",
    "report",
)
PARAM_KEYS = ("values", "range", "scale", "points")
REPORT_KEYS = ("metrics", "lever")
DEFAULT_REPORT_METRICS = ("us_border_arrivals", "homicides_total", "guns_delivered")


class SpecError(ValueError):
    """A sweep file is invalid; ``str(error)`` names the file, the key and what is allowed."""

    def __init__(self, path: Path | str, key: str, message: str):
        self.path, self.key = str(path), key
        where = f"{self.path}: {key}: " if key else f"{self.path}: "
        super().__init__(where + message)


@dataclass(frozen=True)
class Axis:
    """One swept parameter.

    Attributes:
        key: Dotted scenario key, e.g. ``policy.us_southbound_interdiction``.
        values: Explicit values (grid sampling), or None when a range is given.
        lo: Lower end of the range (resolved: ``"baseline"`` replaced by the base value).
        hi: Upper end of the range.
        scale: ``linear`` or ``log`` spacing/sampling within the range.
        points: Number of grid points within the range.
        kind: ``float``, ``int``, ``bool`` or ``str``, from the parameter's default.
        baseline: The base scenario's value of this key (None if unset).
    """

    key: str
    values: tuple[Any, ...] | None
    lo: float | None
    hi: float | None
    scale: str
    points: int | None
    kind: str
    baseline: Any = None


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep file (see the module docstring for the format)."""

    path: Path
    name: str
    description: str
    base: Path
    sampling: str
    samples: int | None
    replicates: int
    years: int | None
    metrics: tuple[str, ...] | None
    weekly: tuple[str, ...]
    root_seed: int
    batch_size: int | None
    common_random_numbers: bool
    fixed: dict[str, Any]
    axes: tuple[Axis, ...]
    report_metrics: tuple[str, ...] = DEFAULT_REPORT_METRICS
    report_lever: str | None = None
    text: str = field(default="", repr=False)

    @property
    def keys(self) -> tuple[str, ...]:
        """The swept parameter keys, in file order."""
        return tuple(a.key for a in self.axes)


def suggest(word: str, choices) -> str:
    """Return ``'; did you mean "x"?'`` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f'; did you mean "{close[0]}"?' if close else ""


def _kind(default: Any) -> str:
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, float):
        return "float"
    return "str"


def _check_keys(path: Path, where: str, table: dict, allowed) -> None:
    for key in table:
        if key not in allowed:
            raise SpecError(
                path,
                f"{where}{key}",
                f"unknown key{suggest(key, allowed)} (allowed: {', '.join(allowed)})",
            )


def _int(path: Path, key: str, value: Any, lo: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise SpecError(path, key, f"must be an integer >= {lo}, got {value!r}")
    return value


def _names(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise SpecError(path, key, f"must be a list of names, got {value!r}")
    return tuple(value)


def _in_range(path: Path, where: str, spec: Any, value: Any) -> None:
    lo, hi = getattr(spec, "lo", None), getattr(spec, "hi", None)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise SpecError(path, where, f"must be finite, got {value!r}")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            unit = getattr(spec, "unit", "") or ""
            raise SpecError(
                path, where, f"{value!r} is outside the allowed range [{lo}, {hi}] {unit}".rstrip()
            )


def _resolved(path: Path, where: str, adapter: Any, key: str, value: Any) -> Any:
    """A value as the model will use it: one naming a file is read relative to the sweep file.

    The binding's optional ``resolve(key, value, folder)`` does it (and checks the file), so a
    sweep means the same from any working folder and on workers in other folders.
    """
    resolve = getattr(adapter, "resolve", None)
    if resolve is None:
        return value
    try:
        return resolve(key, value, path.parent)
    except adapter.ScenarioError as e:
        raise SpecError(path, where, getattr(e, "reason", None) or str(e)) from None


def _axis(
    path: Path, key: str, table: Any, spec: Any, base_value: Any, sampling: str, adapter: Any
) -> Axis:
    where = f'parameters."{key}"'
    if not isinstance(table, dict):
        raise SpecError(path, where, "must be a table with values = [...] or range = [lo, hi]")
    _check_keys(path, where + ".", table, PARAM_KEYS)
    declared = getattr(spec, "kind", None)
    if isinstance(declared, type):
        kind = declared.__name__
    else:
        kind = _kind(getattr(spec, "default", base_value))
    scale = table.get("scale", "linear")
    if scale not in SCALES:
        raise SpecError(
            path, f"{where}.scale", f"must be one of {', '.join(SCALES)}, got {scale!r}"
        )
    has_values, has_range = "values" in table, "range" in table
    if has_values == has_range:
        raise SpecError(path, where, "give exactly one of values = [...] or range = [lo, hi]")
    if has_values:
        values = table["values"]
        if not isinstance(values, list) or not values:
            raise SpecError(path, f"{where}.values", "must be a non-empty list")
        if sampling != "grid":
            raise SpecError(
                path, f"{where}.values", f'explicit values need sampling = "grid", not "{sampling}"'
            )
        if "points" in table:
            raise SpecError(path, f"{where}.points", "only with range = [lo, hi], not with values")
        out = []
        for i, v in enumerate(values):
            if kind in ("float", "int") and isinstance(v, str) and v == "baseline":
                v = base_value
            if kind == "float" and isinstance(v, int) and not isinstance(v, bool):
                v = float(v)
            if _kind(v) != kind:
                raise SpecError(path, f"{where}.values[{i}]", f"must be {kind}, got {v!r}")
            _in_range(path, f"{where}.values[{i}]", spec, v)
            out.append(_resolved(path, f"{where}.values[{i}]", adapter, key, v))
        if len(set(out)) != len(out):
            raise SpecError(path, f"{where}.values", "values repeat")
        return Axis(key, tuple(out), None, None, scale, None, kind, base_value)
    if kind not in ("float", "int"):
        raise SpecError(
            path, f"{where}.range", f"a range needs a numeric parameter; this one is {kind}"
        )
    rng = table["range"]
    if not isinstance(rng, list) or len(rng) != 2:
        raise SpecError(path, f"{where}.range", 'must be [lo, hi] (numbers or "baseline")')
    ends = []
    for i, v in enumerate(rng):
        if v == "baseline":
            if base_value is None:
                raise SpecError(
                    path,
                    f"{where}.range[{i}]",
                    "the base scenario leaves this key unset (it inherits); give a number",
                )
            v = base_value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise SpecError(
                path, f"{where}.range[{i}]", f'must be a number or "baseline", got {v!r}'
            )
        _in_range(path, f"{where}.range[{i}]", spec, v)
        ends.append(float(v))
    lo, hi = ends
    if not lo < hi:
        raise SpecError(path, f"{where}.range", f"needs lo < hi, got [{lo}, {hi}]")
    if scale == "log" and lo <= 0:
        raise SpecError(path, f"{where}.range", f'scale = "log" needs lo > 0, got {lo}')
    points = None
    if sampling == "grid":
        if "points" not in table:
            raise SpecError(
                path, f"{where}.points", "grid sampling over a range needs points = N (>= 2)"
            )
        points = _int(path, f"{where}.points", table["points"], lo=2)
    elif "points" in table:
        raise SpecError(
            path,
            f"{where}.points",
            f'only for sampling = "grid"; {sampling} uses top-level samples = N',
        )
    return Axis(key, None, lo, hi, scale, points, kind, base_value)


def load_spec(path: str | Path, adapter: Any) -> SweepSpec:
    """Read and validate a sweep file.

    Args:
        path: The ``.toml`` sweep file.
        adapter: The model binding (see :mod:`iron_river.experiments.binding`): its ``PARAMETERS``,
            ``load_base`` and ``base_values`` are used to check names, ranges and "baseline".

    Returns:
        The validated spec. Design points are checked against the scenario by
        :func:`iron_river.sweep.design.build_plan`.

    Raises:
        SpecError: On any invalid content; nothing has been run or written.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise SpecError(path, "", f"cannot read the sweep file ({e.strerror})") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise SpecError(path, "", f"not valid TOML ({e})") from None
    _check_keys(path, "", doc, TOP_KEYS)

    name = doc.get("name", path.stem)
    if (
        not isinstance(name, str)
        or not name
        or any(c in name for c in "/\\")
        or name.startswith(".")
    ):
        raise SpecError(path, "name", f"must be a plain name usable as a folder, got {name!r}")
    description = doc.get("description", "")
    if not isinstance(description, str):
        raise SpecError(path, "description", "must be a string")
    if "base" not in doc or not isinstance(doc["base"], str):
        raise SpecError(
            path, "base", 'is required: the base scenario file, e.g. "../baseline.toml"'
        )
    base = (path.parent / doc["base"]).resolve()
    if not base.is_file():
        raise SpecError(path, "base", f"{doc['base']!r} does not exist (looked for {base})")
    try:
        base_scenario = adapter.load_base(str(base))
    except adapter.ScenarioError as e:
        raise SpecError(path, "base", f"the base scenario is invalid: {e}") from None
    base_flat = adapter.base_values(base_scenario)

    sampling = doc.get("sampling", "grid")
    if sampling not in SAMPLINGS:
        raise SpecError(
            path, "sampling", f"must be one of {', '.join(SAMPLINGS)}, got {sampling!r}"
        )
    samples = None
    if sampling == "grid":
        if "samples" in doc:
            raise SpecError(
                path, "samples", "only for lhs/sobol/saltelli; a grid uses points = N per parameter"
            )
    else:
        samples = _int(path, "samples", doc.get("samples"), lo=2) if "samples" in doc else None
        if samples is None:
            raise SpecError(path, "samples", f"{sampling} sampling needs samples = N")
        if sampling in ("sobol", "saltelli") and samples & (samples - 1):
            raise SpecError(path, "samples", f"{sampling} needs a power of two, got {samples}")
    replicates = _int(path, "replicates", doc.get("replicates", 1))
    years = _int(path, "years", doc["years"]) if "years" in doc else None
    metrics = _names(path, "metrics", doc["metrics"]) if "metrics" in doc else None
    weekly = _names(path, "weekly", doc.get("weekly", []))
    root_seed = _int(path, "root_seed", doc.get("root_seed", 0), lo=0)
    if root_seed >= 2**63:
        raise SpecError(path, "root_seed", f"must be below 2**63, got {root_seed}")
    batch_size = _int(path, "batch_size", doc["batch_size"]) if "batch_size" in doc else None
    crn = doc.get("common_random_numbers", False)
    if not isinstance(crn, bool):
        raise SpecError(path, "common_random_numbers", f"must be true or false, got {crn!r}")

    params = adapter.PARAMETERS
    fixed = doc.get("set", {})
    if not isinstance(fixed, dict):
        raise SpecError(path, "set", "must be a table of dotted key = value")
    fixed = dict(fixed)
    for key, value in fixed.items():
        if key not in params:
            raise SpecError(path, f'set."{key}"', f"unknown parameter{suggest(key, params)}")
        _in_range(path, f'set."{key}"', params[key], value)
        fixed[key] = _resolved(path, f'set."{key}"', adapter, key, value)

    table = doc.get("parameters")
    if not isinstance(table, dict) or not table:
        raise SpecError(path, "parameters", 'needs at least one [parameters."dotted.key"] table')
    axes = []
    for key, sub in table.items():
        if key not in params:
            raise SpecError(path, f'parameters."{key}"', f"unknown parameter{suggest(key, params)}")
        if key in fixed:
            raise SpecError(path, f'parameters."{key}"', "is both swept and fixed in [set]")
        if key == "years" and years is not None:
            raise SpecError(path, 'parameters."years"', "is both swept and set by top-level years")
        axes.append(_axis(path, key, sub, params[key], base_flat.get(key), sampling, adapter))
    if sampling != "grid" and any(a.values is not None for a in axes):
        raise SpecError(path, "sampling", f"{sampling} needs range = [lo, hi] for every parameter")

    report = doc.get("report", {})
    if not isinstance(report, dict):
        raise SpecError(path, "report", "must be a table")
    _check_keys(path, "report.", report, REPORT_KEYS)
    report_metrics = (
        _names(path, "report.metrics", report["metrics"])
        if "metrics" in report
        else DEFAULT_REPORT_METRICS
    )
    if metrics is not None:
        for m in report_metrics:
            if m not in metrics and "metrics" in report:
                raise SpecError(path, "report.metrics", f"{m!r} is not among the kept metrics")
        report_metrics = tuple(m for m in report_metrics if m in metrics)
    lever = report.get("lever")
    if lever is not None and lever not in [a.key for a in axes]:
        raise SpecError(path, "report.lever", f"must be one of the swept parameters, got {lever!r}")

    known = getattr(adapter, "METRICS", None)
    if known and metrics is not None:
        for m in metrics:
            if m not in known:
                raise SpecError(path, "metrics", f"unknown metric {m!r}{suggest(m, known)}")
    known_weekly = getattr(adapter, "WEEKLY", None)
    if known_weekly:
        for w in weekly:
            if w not in known_weekly:
                raise SpecError(
                    path, "weekly", f"unknown weekly series {w!r}{suggest(w, known_weekly)}"
                )

    return SweepSpec(
        path=path,
        name=name,
        description=description,
        base=base,
        sampling=sampling,
        samples=samples,
        replicates=replicates,
        years=years,
        metrics=metrics,
        weekly=weekly,
        root_seed=root_seed,
        batch_size=batch_size,
        common_random_numbers=crn,
        fixed=fixed,
        axes=tuple(axes),
        report_metrics=report_metrics,
        report_lever=lever,
        text=text,
    )
