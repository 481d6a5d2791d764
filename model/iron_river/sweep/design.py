"""From a sweep file to a plan: design points, runs with deterministic ids and seeds, batches.

Everything here is a pure function of the sweep file and the base scenario, so the same spec
gives the same runs, seeds and batches on any machine, backend, worker count or shard split:

- design points: a grid (Cartesian product, first parameter slowest), a Latin hypercube or
  scrambled Sobol' sequence (``scipy.stats.qmc``), or Saltelli's design for Sobol' sensitivity
  indices (SALib; ``samples * (parameters + 2)`` points), all seeded from ``root_seed`` and
  mapped onto each parameter's range on a linear or log scale;
- run ``i`` is replicate ``i % replicates`` of point ``i // replicates``; its seed is
  ``SeedSequence(root_seed, spawn_key=(seed_key,))`` with ``seed_key = i``, or
  ``seed_key = replicate`` with ``common_random_numbers = true`` (every point then sees the same
  random streams, and replicate ``r`` of a point is exactly replicate ``r`` of
  ``iron-river run BASE --seed ROOT_SEED --replicates R --set KEY=VALUE``);
- the run id is a digest of everything that determines the run (base scenario, values, seed);
- batch ``k`` holds runs ``[k*B, (k+1)*B)``; shard ``K`` of ``N`` takes batches ``k % N == K``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from iron_river.sweep.spec import Axis, SpecError, SweepSpec

FORMAT = 1


def canonical(obj: Any) -> str:
    """Canonical JSON text (sorted keys, no spaces) used for digests."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=repr)


def digest(obj: Any, n: int = 16) -> str:
    """Hex SHA-256 of the canonical JSON of ``obj``, truncated to ``n`` characters."""
    return hashlib.sha256(canonical(obj).encode()).hexdigest()[:n]


def _round(x: float) -> float:
    # 0.020000000000000004 -> 0.02: readable manifests and column values, same on every machine.
    return float(f"{x:.10g}")


def _from_unit(axis: Axis, u: np.ndarray) -> list[Any]:
    lo, hi = axis.lo, axis.hi
    if axis.scale == "log":
        x = np.exp(math.log(lo) + u * (math.log(hi) - math.log(lo)))
    else:
        x = lo + u * (hi - lo)
    x = np.clip(x, lo, hi)
    if axis.kind == "int":
        return [round(float(v)) for v in x]
    return [_round(float(v)) for v in x]


def axis_values(axis: Axis) -> list[Any]:
    """Return the grid values of one axis: explicit values, or ``points`` spaced over the range."""
    if axis.values is not None:
        return list(axis.values)
    vals = _from_unit(axis, np.linspace(0.0, 1.0, axis.points))
    return list(dict.fromkeys(vals))  # int ranges may repeat after rounding


def design_points(spec: SweepSpec) -> list[dict[str, Any]]:
    """Return the design points of a spec, each a dict swept key -> value."""
    keys = spec.keys
    if spec.sampling == "grid":
        grids = [axis_values(a) for a in spec.axes]
        return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*grids)]
    from scipy.stats import qmc

    rng = np.random.default_rng(spec.root_seed)
    d = len(spec.axes)
    if spec.sampling == "lhs":
        unit = qmc.LatinHypercube(d=d, rng=rng).random(spec.samples)
    elif spec.sampling == "saltelli":
        from SALib.sample import sobol as saltelli

        problem = {"num_vars": d, "names": list(keys), "bounds": [[0.0, 1.0]] * d}
        unit = saltelli.sample(problem, spec.samples, calc_second_order=False, seed=spec.root_seed)
    else:
        unit = qmc.Sobol(d=d, scramble=True, rng=rng).random_base2(int(math.log2(spec.samples)))
    cols = [_from_unit(a, unit[:, j]) for j, a in enumerate(spec.axes)]
    return [dict(zip(keys, row, strict=True)) for row in zip(*cols, strict=True)]


def auto_batch_size(n_runs: int) -> int:
    """Return runs per batch (Parquet file) when the spec does not say: ~1000 files, <= 100 runs.

    Tasks are sized separately, at run time (see :mod:`iron_river.sweep.engine`).
    """
    return max(1, min(100, n_runs // 1000))


@dataclass(frozen=True)
class Run:
    """One model run of the plan."""

    index: int
    point: int
    replicate: int
    seed_key: int
    run_id: str
    values: dict[str, Any]


@dataclass(frozen=True)
class Plan:
    """Every run of a sweep, its batches, and the digest that identifies the whole design."""

    spec: SweepSpec
    binding: str
    points: list[dict[str, Any]]
    runs: list[Run]
    batch_size: int
    design_hash: str
    base_digest: str

    @property
    def n_batches(self) -> int:
        """Number of batches (tasks) in the whole sweep."""
        return math.ceil(len(self.runs) / self.batch_size)

    def batch_runs(self, k: int) -> list[Run]:
        """Return the runs of batch ``k``."""
        return self.runs[k * self.batch_size : (k + 1) * self.batch_size]

    def shard_batches(self, index: int = 0, count: int = 1) -> list[int]:
        """Return the batches of shard ``index`` of ``count`` (round-robin: balanced shards)."""
        return list(range(index, self.n_batches, count))

    def payload(self, k: int) -> dict[str, Any]:
        """Return the picklable task for batch ``k`` (see :func:`worker.run_batch`)."""
        return {
            "binding": self.binding,
            "base": str(self.spec.base),
            "metrics": self.spec.metrics,
            "weekly": self.spec.weekly,
            "root_seed": self.spec.root_seed,
            "runs": [(r.index, r.run_id, r.seed_key, r.values) for r in self.batch_runs(k)],
        }


def build_plan(spec: SweepSpec, adapter: Any, binding: str, batch_size: int | None = None) -> Plan:
    """Expand a spec into runs and check every design point against the scenario schema.

    Args:
        spec: The validated sweep file.
        adapter: The binding module (see :mod:`iron_river.experiments.binding`).
        binding: Its import name, sent to the workers.
        batch_size: Runs per task; overrides the spec's ``batch_size`` and the automatic choice.

    Raises:
        SpecError: If a design point is rejected by the scenario (e.g. out of range).
    """
    base = adapter.load_base(str(spec.base))
    base_flat = adapter.base_values(base)
    base_digest = digest(base_flat)
    points = design_points(spec)
    fixed = dict(spec.fixed)
    if spec.years is not None:
        fixed["years"] = spec.years
    for i, point in enumerate(points):
        try:
            adapter.apply(base, {**fixed, **point})
        except adapter.ScenarioError as e:
            raise SpecError(
                spec.path, "parameters", f"design point {i} {point} is invalid: {e}"
            ) from None
    runs = []
    for p, point in enumerate(points):
        values = {**fixed, **point}
        for rep in range(spec.replicates):
            index = p * spec.replicates + rep
            key = rep if spec.common_random_numbers else index
            seed = {"root_seed": spec.root_seed, "seed_key": key}
            run_id = digest({"base": base_digest, "values": values, "seed": seed}, 12)
            runs.append(Run(index, p, rep, key, run_id, values))
    size = batch_size or spec.batch_size or auto_batch_size(len(runs))
    design = {
        "format": FORMAT,
        "binding": binding,
        "base": base_digest,
        "fixed": fixed,
        "points": points,
        "replicates": spec.replicates,
        "root_seed": spec.root_seed,
        "common_random_numbers": spec.common_random_numbers,
        "metrics": spec.metrics,
        "weekly": spec.weekly,
        "batch_size": size,
    }
    return Plan(spec, binding, points, runs, size, digest(design), base_digest)
