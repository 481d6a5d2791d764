"""Scenario files: reading TOML and ``--set KEY=VALUE`` overrides into a validated scenario."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from iron_river.scenario.scenario import IronRiverScenario
from iron_river.scenario.schema import ScenarioError


def _flatten_toml(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for k, v in data.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            yield from _flatten_toml(v, f"{key}.")
        else:
            yield key, v


def load_scenario(
    path: str | Path | None = None, sets: list[str] | None = None, *, rng: Any = None
) -> IronRiverScenario:
    """Read and validate a scenario file, then apply ``--set key=value`` overrides.

    Args:
        path: a TOML scenario file; ``None`` for the built-in defaults (the baseline).
        sets: overrides as ``"dotted.key=value"`` strings.
        rng: the seed or generator handed to Mesa.

    Raises:
        ScenarioError: naming the file, the key and what is allowed.
    """
    values: dict[str, Any] = {}
    origin = "defaults"
    if path is not None:
        origin = str(path)
        p = Path(path)
        if not p.is_file():
            raise ScenarioError("no such scenario file", file=origin)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(f"malformed TOML: {exc}", file=origin) from None
        except UnicodeDecodeError:
            raise ScenarioError("not a UTF-8 text file", file=origin) from None
        values = dict(_flatten_toml(data))
        values.setdefault("name", p.stem)
    scenario = IronRiverScenario(rng=rng).with_values(values, origin=origin, rng=rng)
    overrides: dict[str, str] = {}
    for item in sets or []:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise ScenarioError(f"expected KEY=VALUE, got {item!r}", file="--set")
        overrides[key.strip()] = text.strip()
    if overrides:
        scenario = scenario.with_values(overrides, origin="--set", rng=rng)
    if "posterior" in overrides or path is None:
        return with_posterior(scenario, "--set")
    return with_posterior(scenario, origin, Path(path).parent)


def with_posterior(
    scenario: IronRiverScenario, origin: str, folder: Path | None = None
) -> IronRiverScenario:
    """The scenario with its ``posterior`` path checked and made absolute (:func:`.checked`).

    A relative path is from ``folder`` (a scenario file's own folder, so the file means the
    same from anywhere, on any worker), else from the current folder (``--set``).
    """
    if not scenario.posterior:
        return scenario
    from iron_river.scenario.posterior import checked

    given = Path(scenario.posterior).expanduser()
    if folder is not None and not given.is_absolute():
        given = folder / given
    return scenario.with_values({"posterior": checked(given, origin)}, origin=origin)
