"""Sweep results on disk: a manifest, one Parquet file per batch, atomic writes, resume.

Layout of ``results/<sweep-name>/``::

    manifest.json                    the design (points, seeds rule, batches); no timestamps,
                                     so every shard writes the same bytes
    spec.toml                        a copy of the sweep file
    batches/batch-000042.parquet     one row per run: run_index, run_id, point_index, replicate,
                                     root_seed, seed_key, swept parameters, status, error,
                                     traceback, metrics
    batches/batch-000042.weekly.parquet   optional weekly series (run_index, week, series...)
    runs.parquet, weekly.parquet     written by ``sweep collect``: all batches, sorted
    DATA_DICTIONARY.md, columns.csv  written by ``sweep collect``: what every column holds

Every file is written to a temporary name in the same folder and renamed into place, so a
batch file either exists complete or not at all; a batch whose file exists is finished.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from iron_river.outputs import dictionary
from iron_river.outputs.folders import file_mode
from iron_river.sweep.design import FORMAT, Plan, axis_values

MANIFEST = "manifest.json"
BATCH_RE = re.compile(r"^batch-(\d{6,})\.parquet$")
KIND_TYPES = {"float": pa.float64(), "int": pa.int64(), "bool": pa.bool_(), "str": pa.string()}


class StoreError(RuntimeError):
    """A results folder cannot be used (e.g. it holds a different sweep)."""


def atomic_write(path: Path, write, durable: bool = False) -> None:
    """Call ``write(tmp_path)``, then rename it onto ``path``.

    The rename makes the file appear complete or not at all to anyone, even if this process is
    killed. ``durable`` also flushes it to disk first (survives an OS crash too); batch files
    skip that (~20 ms each here) and are checked instead when a sweep resumes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    os.chmod(tmp, file_mode())  # mkstemp makes it private; collaborators should read results
    try:
        write(tmp)
        if durable:
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write a table as zstd Parquet, atomically."""
    atomic_write(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))


def write_json(obj: Any, path: Path) -> None:
    """Write JSON (sorted keys, indented), atomically."""
    text = json.dumps(obj, indent=2, sort_keys=True, default=repr) + "\n"
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"), durable=True)


def batch_path(out: Path, k: int, weekly: bool = False) -> Path:
    """Path of batch ``k``'s file (or its weekly series file)."""
    return out / "batches" / f"batch-{k:06d}{'.weekly' if weekly else ''}.parquet"


def manifest_for(plan: Plan) -> dict[str, Any]:
    """Return the manifest of a plan: everything needed to interpret and resume the results."""
    spec = plan.spec
    return {
        "format": FORMAT,
        "name": spec.name,
        "description": spec.description,
        "design_hash": plan.design_hash,
        "base": spec.base.name,
        "base_digest": plan.base_digest,
        "binding": plan.binding,
        "sampling": spec.sampling,
        "samples": spec.samples,
        "replicates": spec.replicates,
        "years": spec.years,
        "fixed": spec.fixed,
        "root_seed": spec.root_seed,
        "seed_rule": "numpy.random.SeedSequence(root_seed, spawn_key=(seed_key,)), seed_key = "
        "replicate if common_random_numbers else run_index",
        "common_random_numbers": spec.common_random_numbers,
        "metrics": spec.metrics,
        "weekly": list(spec.weekly),
        "report": {"metrics": list(spec.report_metrics), "lever": spec.report_lever},
        "parameters": [
            {
                "key": a.key,
                "kind": a.kind,
                "scale": a.scale,
                "range": [a.lo, a.hi],
                "baseline": a.baseline,
                "values": axis_values(a) if spec.sampling == "grid" else None,
            }
            for a in spec.axes
        ],
        "points": plan.points,
        "n_points": len(plan.points),
        "n_runs": len(plan.runs),
        "batch_size": plan.batch_size,
        "n_batches": plan.n_batches,
    }


def read_manifest(out: Path) -> dict[str, Any]:
    """Read ``out/manifest.json``; StoreError if there is none."""
    path = Path(out) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreError(f"{out}: no {MANIFEST}; not a sweep results folder") from None


def prepare(out: Path, plan: Plan) -> None:
    """Create (or check, when resuming) a results folder for ``plan``.

    Raises:
        StoreError: If ``out`` already holds a different sweep; nothing is written then.
    """
    out = Path(out)
    if (out / MANIFEST).exists():
        old = read_manifest(out)
        if old.get("design_hash") != plan.design_hash:
            raise StoreError(
                f"{out} holds a different sweep (design {old.get('design_hash')}, this spec gives "
                f"{plan.design_hash}: the spec, base scenario or batch size changed); "
                "pass another --out or delete the folder"
            )
    manifest = manifest_for(plan)
    if not (out / MANIFEST).exists():
        write_json(manifest, out / MANIFEST)
    if not (out / "spec.toml").exists():
        atomic_write(
            out / "spec.toml", lambda tmp: Path(tmp).write_text(plan.spec.text, encoding="utf-8")
        )
    (out / "batches").mkdir(exist_ok=True)


def finished_batches(out: Path) -> set[int]:
    """Return the batches whose file exists (and is therefore complete)."""
    folder = Path(out) / "batches"
    if not folder.is_dir():
        return set()
    return {int(m.group(1)) for p in folder.iterdir() if (m := BATCH_RE.match(p.name))}


def read_batch_status(out: Path, k: int) -> tuple[int, int]:
    """Return (runs ok, runs failed) of finished batch ``k``."""
    status = pq.read_table(batch_path(out, k), columns=["status"]).column("status").to_pylist()
    failed = sum(s != "ok" for s in status)
    return len(status) - failed, failed


def failed_batches(out: Path) -> set[int]:
    """Return the finished batches that contain at least one failed run."""
    return {k for k in finished_batches(out) if read_batch_status(out, k)[1]}


def remove_stale_temporaries(out: Path) -> int:
    """Delete temporary files left by a killed writer; return how many."""
    n = 0
    for folder in (Path(out), Path(out) / "batches"):
        if folder.is_dir():
            for p in folder.glob(".*.tmp"):
                p.unlink(missing_ok=True)
                n += 1
    return n


def batch_tables(plan: Plan, k: int, result: dict[str, Any]) -> tuple[pa.Table, pa.Table | None]:
    """Arrow tables (runs, weekly or None) for batch ``k`` from a worker's result."""
    runs = {r.index: r for r in plan.batch_runs(k)}
    rows = sorted(result["rows"], key=lambda r: r["run_index"])
    if [r["run_index"] for r in rows] != sorted(runs):
        raise StoreError(f"batch {k}: the worker returned runs {[r['run_index'] for r in rows]}")
    spec = plan.spec
    cols: dict[str, pa.Array] = {
        "run_index": pa.array([r["run_index"] for r in rows], pa.int64()),
        "run_id": pa.array([r["run_id"] for r in rows], pa.string()),
        "point_index": pa.array([runs[r["run_index"]].point for r in rows], pa.int64()),
        "replicate": pa.array([runs[r["run_index"]].replicate for r in rows], pa.int64()),
        "root_seed": pa.array([spec.root_seed] * len(rows), pa.int64()),
        "seed_key": pa.array([runs[r["run_index"]].seed_key for r in rows], pa.int64()),
    }
    for a in spec.axes:
        values = [runs[r["run_index"]].values[a.key] for r in rows]
        cols[a.key] = pa.array(values, KIND_TYPES[a.kind])
    cols["status"] = pa.array(["ok" if r["error"] is None else "failed" for r in rows], pa.string())
    cols["error"] = pa.array([r["error"] for r in rows], pa.string())
    cols["traceback"] = pa.array([r["traceback"] for r in rows], pa.string())
    names = (
        spec.metrics
        if spec.metrics is not None
        else sorted({m for r in rows for m in r["metrics"]})
    )
    for m in names:
        cols[m] = pa.array([r["metrics"].get(m) for r in rows], pa.float64())
    table = pa.table(cols)
    weekly = None
    if spec.weekly:
        idx, week, series = [], [], {w: [] for w in spec.weekly}
        for r in rows:
            if r["error"] is None:
                n = len(r["weekly"][spec.weekly[0]])
                idx += [r["run_index"]] * n
                week += list(range(n))
                for w in spec.weekly:
                    series[w].extend(r["weekly"][w].tolist())
        weekly = pa.table(
            {
                "run_index": pa.array(idx, pa.int64()),
                "week": pa.array(week, pa.int32()),
                **{w: pa.array(v, pa.float64()) for w, v in series.items()},
            }
        )
    return table, weekly


def write_batch(out: Path, plan: Plan, k: int, result: dict[str, Any]) -> tuple[int, int]:
    """Write batch ``k`` (weekly file first: the runs file marks the batch finished).

    Returns:
        (runs ok, runs failed) in the batch.
    """
    table, weekly = batch_tables(plan, k, result)
    if weekly is not None:
        write_parquet(weekly, batch_path(out, k, weekly=True))
    write_parquet(table, batch_path(out, k))
    failed = sum(s != "ok" for s in table.column("status").to_pylist())
    return table.num_rows - failed, failed


def batch_sources(dirs: Iterable[Path]) -> dict[int, Path]:
    """Map each finished batch to the first folder holding it.

    Raises:
        StoreError: If two folders hold the same batch with different contents.
    """
    sources: dict[int, Path] = {}
    for d in dirs:
        for k in sorted(finished_batches(d)):
            if k in sources:
                here, there = batch_path(d, k), batch_path(sources[k], k)
                if not pq.read_table(here).equals(pq.read_table(there)):
                    raise StoreError(f"batch {k} differs between {sources[k]} and {d}")
                continue
            sources[k] = Path(d)
    return sources


def read_runs(dirs: Iterable[Path]) -> pa.Table:
    """All batch rows from one or more results folders, sorted by run index."""
    sources = batch_sources(dirs)
    tables = [pq.read_table(batch_path(d, k)) for k, d in sorted(sources.items())]
    if not tables:
        return pa.table({"run_index": pa.array([], pa.int64())})
    return pa.concat_tables(tables, promote_options="default").sort_by("run_index")


@dataclass
class Status:
    """Counts of a results folder."""

    name: str
    n_runs: int
    done: int
    failed: int
    batches_done: int
    n_batches: int
    errors: dict[str, int]

    @property
    def missing(self) -> int:
        """Runs not yet computed."""
        return self.n_runs - self.done - self.failed


def status(out: Path) -> Status:
    """Done / failed / missing counts of a results folder, and the most common errors."""
    manifest = read_manifest(out)
    done = failed = 0
    errors: dict[str, int] = {}
    batches = finished_batches(out)
    for k in batches:
        t = pq.read_table(batch_path(out, k), columns=["status", "error"])
        for s, e in zip(t.column("status").to_pylist(), t.column("error").to_pylist(), strict=True):
            if s == "ok":
                done += 1
            else:
                failed += 1
                errors[e] = errors.get(e, 0) + 1
    return Status(
        manifest["name"],
        manifest["n_runs"],
        done,
        failed,
        len(batches),
        manifest["n_batches"],
        errors,
    )


def _describe(out: Path, columns: dict[str, list[str]]) -> None:
    """``DATA_DICTIONARY.md`` and ``columns.csv`` of the collected folder (written atomically)."""
    names = sorted({p.name for p in out.iterdir()} | {"DATA_DICTIONARY.md", "columns.csv"})
    others = [n for n in names if n not in columns]
    for name, text in (
        ("columns.csv", dictionary.columns_csv(columns)),
        ("DATA_DICTIONARY.md", dictionary.markdown(columns, others, None)),
    ):
        atomic_write(out / name, lambda tmp, t=text: Path(tmp).write_text(t, encoding="utf-8"))


COLLECTED = {MANIFEST, "runs.parquet", "weekly.parquet", "DATA_DICTIONARY.md", "columns.csv"}


def _check_collect_folder(out: Path, design_hash: str) -> None:
    """Refuse a folder holding anything but an earlier collect of this sweep.

    Collecting replaces its files, so a folder of someone's own files is never written into.
    """
    if not out.exists():
        return
    if not out.is_dir():
        raise StoreError(f"{out}: exists and is not a folder; give a new or empty folder")
    names = {p.name for p in out.iterdir()}
    if not names:
        return
    ours = (out / MANIFEST).is_file() and names <= COLLECTED
    if not ours or read_manifest(out).get("design_hash") != design_hash:
        raise StoreError(
            f"{out}: holds other files (it is not a collect of this sweep), which collecting "
            "would replace; give a new or empty folder"
        )


def collect(dirs: list[Path], out: Path | None = None) -> tuple[Path, Status]:
    """Merge the batches of one or more results folders (e.g. shards) into ``runs.parquet``.

    Args:
        dirs: Results folders of the same sweep (same design hash).
        out: Where to write; defaults to the first folder.

    Returns:
        The path of ``runs.parquet`` and the status of the merged sweep.

    Raises:
        StoreError: If the folders hold different sweeps or disagree on a batch.
    """
    dirs = [Path(d) for d in dirs]
    manifests = [read_manifest(d) for d in dirs]
    hashes = {m["design_hash"] for m in manifests}
    if len(hashes) != 1:
        raise StoreError(f"the folders hold different sweeps (designs {sorted(hashes)})")
    out = Path(out) if out else dirs[0]
    if out not in dirs:
        _check_collect_folder(out, next(iter(hashes)))
    sources = batch_sources(dirs)
    if out not in dirs:
        write_json(manifests[0], out / MANIFEST)
    tables = [pq.read_table(batch_path(d, k)) for k, d in sorted(sources.items())]
    table = (
        pa.concat_tables(tables, promote_options="default").sort_by("run_index")
        if tables
        else pa.table({"run_index": pa.array([], pa.int64())})
    )
    write_parquet(table, out / "runs.parquet")
    weekly = [
        pq.read_table(p)
        for k, d in sorted(sources.items())
        if (p := batch_path(d, k, weekly=True)).exists()
    ]
    if weekly:
        w = pa.concat_tables(weekly).sort_by([("run_index", "ascending"), ("week", "ascending")])
        write_parquet(w, out / "weekly.parquet")
    _describe(
        out,
        {"runs.parquet": table.column_names}
        | ({"weekly.parquet": w.column_names} if weekly else {}),
    )
    statuses = table.column("status").to_pylist() if table.num_rows else []
    errors: dict[str, int] = {}
    for s, e in zip(statuses, table.column("error").to_pylist() if statuses else [], strict=True):
        if s != "ok":
            errors[e] = errors.get(e, 0) + 1
    done = sum(s == "ok" for s in statuses)
    m = manifests[0]
    return out / "runs.parquet", Status(
        m["name"], m["n_runs"], done, len(statuses) - done, len(sources), m["n_batches"], errors
    )
