"""Writing a scenario's results: all files land together or not at all.

Everything is written into a temporary folder beside the destination, then moved
into place with one rename, so an interrupted or failed run never leaves a
half-written results folder.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from iron_river import __version__
from iron_river.ledger import CROSSING_FIELDS, PLACE_FIELDS, SAMPLE_FIELDS
from iron_river.outputs.metrics import across_replicates
from iron_river.outputs.record import Run
from iron_river.scenario import IronRiverScenario


class OutputError(OSError):
    """The results folder cannot be written."""


def check_writable(out: Path) -> None:
    """Fail early, before any run, if ``out`` cannot be created or written."""
    parent = out.parent
    probe = parent
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
        raise OutputError(f"{out}: cannot write results here ({probe} is not a writable folder)")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder")


@contextmanager
def atomic_folder(out: Path) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces ``out`` in one rename."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        yield tmp
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_results(
    out: Path,
    scenario: IronRiverScenario,
    runs: list[Run],
    seed: int,
    command: list[str] | None = None,
) -> dict:
    """Write every output file of a scenario run into ``out`` (atomically); return the summary."""
    from iron_river.outputs import figures  # matplotlib is only needed when writing

    summary = {
        "scenario": scenario.name,
        "replicates": len(runs),
        "years": scenario.years,
        "scale": scenario.scale,
        "units": "counts are real-world persons/guns/homicides per year; shares are fractions",
        "metrics": across_replicates([r.metrics for r in runs]),
    }
    with atomic_folder(out) as tmp:
        (tmp / "scenario.toml").write_text(scenario.to_toml(), encoding="utf-8")
        manifest = {
            "package": "iron-river",
            "version": __version__,
            "seed": seed,
            "replicate_seeds": [_seed_text(r.seed) for r in runs],
            "command": command if command is not None else sys.argv,
            "python": sys.version.split()[0],
            "numpy": np.__version__,
        }
        _json(tmp / "manifest.json", manifest)
        _json(tmp / "summary.json", summary)
        _timeseries(tmp / "timeseries.csv", runs)
        _per_item(
            tmp / "places.csv",
            runs,
            "place",
            runs[0].place_ids,
            PLACE_FIELDS,
            lambda r: r.places,
        )
        _per_item(
            tmp / "crossings.csv",
            runs,
            "crossing",
            runs[0].crossing_ids,
            CROSSING_FIELDS,
            lambda r: r.crossings,
        )
        if runs[0].household_sample is not None:
            _household_sample(tmp / "households_sample.csv", runs)
        figures.write_all(tmp, scenario, runs)
    return summary


def _seed_text(seed: object) -> object:
    if isinstance(seed, np.random.SeedSequence):
        return {"entropy": str(seed.entropy), "spawn_key": list(seed.spawn_key)}
    return seed


def _json(path: Path, data: object) -> None:
    path.write_text(
        json.dumps(data, indent=2, sort_keys=False, default=float) + "\n", encoding="utf-8"
    )


def _fmt(v: float) -> str:
    f = float(v)
    return str(int(f)) if f.is_integer() else f"{f:.6g}"


def _timeseries(path: Path, runs: list[Run]) -> None:
    keys = [k for k in runs[0].weekly if k != "measured"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["replicate", *keys])
        for i, run in enumerate(runs):
            cols = [run.weekly[k] for k in keys]
            for row in zip(*cols, strict=True):
                w.writerow([i, *(_fmt(v) for v in row)])


def _per_item(
    path: Path, runs: list[Run], label: str, ids: list[str], fields: tuple[str, ...], get: object
) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["replicate", "week", label, *fields])
        for i, run in enumerate(runs):
            data = get(run)  # type: ignore[operator]
            weeks = run.weekly["week"]
            for t in range(data.shape[0]):
                for j, item in enumerate(ids):
                    w.writerow([i, int(weeks[t]), item, *(_fmt(v) for v in data[t, j])])


def _household_sample(path: Path, runs: list[Run]) -> None:
    place_ids = runs[0].place_ids
    status = ("home", "transit", "returning")
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["replicate", *SAMPLE_FIELDS])
        for i, run in enumerate(runs):
            for row in run.household_sample:
                w.writerow(
                    [
                        i,
                        int(row[0]),
                        int(row[1]),
                        place_ids[int(row[2])],
                        int(row[3]),
                        int(row[4]),
                        int(row[5]),
                        int(row[6]),
                        status[int(row[7])],
                        f"{row[8]:.4g}",
                        int(row[9]),
                    ]
                )
