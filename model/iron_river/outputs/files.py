"""Writing a scenario's results: all files land together or not at all.

A run's folder (see :mod:`.folders` for the rules that keep users' files safe) holds the
resolved scenario, the manifest, the summary, weekly tables per region, place and crossing,
the figures and a data dictionary generated from :mod:`.dictionary`.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np

from iron_river.ledger import CROSSING_FIELDS, PLACE_FIELDS, SAMPLE_FIELDS
from iron_river.outputs import dictionary
from iron_river.outputs.folders import (
    OutputError,
    atomic_folder,
    check_name,
    check_parent,
    content_key,
    destination,
    fingerprint,
    read_manifest,
)
from iron_river.outputs.metrics import across_replicates
from iron_river.outputs.record import Run
from iron_river.scenario import IronRiverScenario, posterior

RESULTS = Path("results")
__all__ = ["atomic_folder", "check_writable", "find_run", "run_destination", "write_results"]


def check_writable(out: Path) -> None:
    """Fail early if ``out`` cannot be used by a command that fills it over time and resumes.

    (``iron-river calibrate`` keeps its history there.) An existing folder is used as it is;
    folders written in one go and replaced follow :func:`.folders.check_out` instead.
    """
    out = Path(out)
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise OutputError(f"{out}: exists and is not a folder")
    check_parent(out)


def run_key(scenario: IronRiverScenario, seed: int, replicates: int) -> str:
    """What identifies a run's results: the resolved scenario, the seeds, the posterior.

    A posterior given by path counts by its content: a fit that goes on changes it in place.
    """
    what = {"scenario": scenario.to_toml(), "seed": seed, "replicates": replicates}
    if scenario.posterior:
        what["posterior"] = posterior.digest(posterior.at(scenario.posterior))
    return content_key(kind="run", **what)


def run_destination(
    scenario: IronRiverScenario,
    seed: int,
    replicates: int,
    out: str | Path | None = None,
    origin: str = "scenario",
) -> tuple[Path, bool]:
    """Check the scenario's name and where its results go, before anything runs.

    Returns:
        (folder, whether ``results/<name>/latest`` should point at it).
    """
    check_name(scenario.name, origin)
    return destination(out, RESULTS / scenario.name, run_key(scenario, seed, replicates))


def find_run(scenario: IronRiverScenario, seed: int, replicates: int) -> Path | None:
    """The newest folder under ``results/<name>/`` with exactly these results, from this code.

    Reused only when the resolved scenario (every parameter, the measured years and the
    burn-in), the root seed and the number of replicates are identical and the package's code
    fingerprint is the same.
    """
    root = RESULTS / scenario.name
    key = run_key(scenario, seed, replicates)
    if not root.is_dir():
        return None
    found = []
    for child in root.iterdir():
        if child.is_symlink() or not child.is_dir():
            continue
        m = read_manifest(child)
        if (
            m is not None
            and m.get("kind") == "run"
            and m.get("run_key") == key
            and m.get("fingerprint") == fingerprint()
            and (child / "summary.json").is_file()
        ):
            found.append(child)
    return max(found, key=lambda p: p.name) if found else None


def write_results(
    out: Path,
    scenario: IronRiverScenario,
    runs: list[Run],
    seed: int,
    command: list[str] | None = None,
    overrides: list[str] = (),
) -> dict:
    """Write every output file of a scenario run into ``out`` (atomically); return the summary.

    Args:
        out: the folder (see :mod:`.folders` for when an existing one may be replaced).
        scenario: the resolved scenario.
        runs: its replicates.
        seed: the root seed.
        command: the command line to record (default: this process's).
        overrides: ``--set KEY=VALUE`` overrides, recorded and named in the figures' titles.
    """
    from iron_river.outputs import figures  # matplotlib is only needed when writing

    metrics = across_replicates([r.metrics for r in runs])
    summary = {
        "scenario": scenario.name,
        "replicates": len(runs),
        "years": scenario.years,
        "scale": scenario.scale,
        "units": "each metric's unit and how it summarises the weekly values: see definitions",
        "parameters": parameters_used(runs),
        "metrics": metrics,
        "definitions": dictionary.summary_definitions(metrics),
    }
    manifest = {
        "kind": "run",
        "run_key": run_key(scenario, seed, len(runs)),
        "scenario": scenario.name,
        "seed": seed,
        "replicates": len(runs),
        "years": scenario.years,
        "burn_in_years": scenario.burn_in_years,
        "scale": scenario.scale,
        "replicate_seeds": [_seed_text(r.seed) for r in runs],
        "parameters": summary["parameters"],
        "command": command if command is not None else sys.argv,
        "overrides": list(overrides),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
    }
    with atomic_folder(out, manifest) as tmp:
        (tmp / "scenario.toml").write_text(scenario.to_toml(), encoding="utf-8")
        _json(tmp / "summary.json", summary)
        columns = {
            "timeseries.csv": _timeseries(tmp / "timeseries.csv", runs),
            "places.csv": _per_item(
                tmp / "places.csv",
                runs,
                "place",
                runs[0].place_ids,
                PLACE_FIELDS,
                lambda r: r.places,
            ),
            "crossings.csv": _per_item(
                tmp / "crossings.csv",
                runs,
                "crossing",
                runs[0].crossing_ids,
                CROSSING_FIELDS,
                lambda r: r.crossings,
            ),
        }
        if runs[0].household_sample is not None:
            columns["households_sample.csv"] = _household_sample(
                tmp / "households_sample.csv", runs
            )
        columns["replicates.csv"] = _replicates(tmp / "replicates.csv", runs)
        columns["summary.json"] = list(metrics)
        figures.write_all(tmp, scenario, runs, overrides)
        write_dictionary(tmp, columns, scenario.scale)
    return summary


def _replicates(path: Path, runs: list[Run]) -> list[str]:
    """Every summary metric of every replicate (long format), for paired comparisons."""
    header = ["replicate", "particle", "metric", "value"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for i, r in enumerate(runs):
            particle = r.parameters.get("particle") if r.parameters else None
            for k, v in r.metrics.items():
                w.writerow([i, "" if particle is None else particle, k, repr(float(v))])
    return header


def read_replicates(folder: Path) -> dict[str, np.ndarray]:
    """A run folder's ``replicates.csv`` as ``{metric: value per replicate}``."""
    out: dict[str, list[float]] = {}
    with (Path(folder) / "replicates.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["metric"], []).append(float(row["value"]))
    return {k: np.array(v) for k, v in out.items()}


def parameters_used(runs: list[Run]) -> dict:
    """Where the runs' uncertain parameters came from, and so what their intervals mean."""
    src = runs[0].parameters if runs and runs[0].parameters else {}
    mode = src.get("parameters", "defaults")
    return {
        "mode": mode,
        "source": src.get("source", "schema defaults"),
        "posterior": (src.get("posterior") or "shipped") if mode != "defaults" else None,
        "particles": [r.parameters.get("particle") for r in runs] if mode == "posterior" else [],
        "intervals": "posterior predictive: parameter and seed uncertainty together"
        if mode == "posterior"
        else "seed noise only, at one parameter set",
    }


def write_dictionary(
    folder: Path,
    columns: dict[str, list[str]],
    scale: float | None,
    metrics: list[str] | None = None,
) -> None:
    """Write ``DATA_DICTIONARY.md`` and ``columns.csv`` describing ``columns`` by file.

    Args:
        folder: where to write.
        columns: each file's columns (for ``summary.json``: its metrics).
        scale: real households per simulated one (None: it differs between scenarios).
        metrics: summary metrics named in a file's rows (compare.csv's ``metric`` column).
    """
    others = [*sorted(p.name for p in folder.iterdir()), "manifest.json"]
    others += ["DATA_DICTIONARY.md", "columns.csv"]
    (folder / "columns.csv").write_text(dictionary.columns_csv(columns), encoding="utf-8")
    (folder / "DATA_DICTIONARY.md").write_text(
        dictionary.markdown(columns, others, scale, metrics), encoding="utf-8"
    )


def describe_folder(folder: Path, scale: float | None = None) -> None:
    """Write the data dictionary of a tool's folder (report, posterior, sensitivity).

    Its files, and the columns of every CSV in it as the files were written.
    """
    columns = {}
    for path in sorted(folder.glob("*.csv")):
        if path.name in dictionary.FILES:
            with path.open(newline="", encoding="utf-8") as fh:
                columns[path.name] = next(csv.reader(fh), [])
    write_dictionary(folder, columns, scale)


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


def _timeseries(path: Path, runs: list[Run]) -> list[str]:
    keys = [k for k in runs[0].weekly if k != "measured"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header := ["replicate", *keys])
        for i, run in enumerate(runs):
            cols = [run.weekly[k] for k in keys]
            for row in zip(*cols, strict=True):
                w.writerow([i, *(_fmt(v) for v in row)])
    return header


def _per_item(
    path: Path, runs: list[Run], label: str, ids: list[str], fields: tuple[str, ...], get: object
) -> list[str]:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header := ["replicate", "week", label, *fields])
        for i, run in enumerate(runs):
            data = get(run)  # type: ignore[operator]
            weeks = run.weekly["week"]
            for t in range(data.shape[0]):
                for j, item in enumerate(ids):
                    w.writerow([i, int(weeks[t]), item, *(_fmt(v) for v in data[t, j])])
    return header


def _household_sample(path: Path, runs: list[Run]) -> list[str]:
    place_ids = runs[0].place_ids
    status = ("home", "transit", "returning")
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header := ["replicate", *SAMPLE_FIELDS])
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
    return header
