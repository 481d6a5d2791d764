"""The ``iron-river sweep`` command.

Forms::

    iron-river sweep SPEC [--workers N] [--out DIR] [engine options]   run or resume a sweep
    iron-river sweep status DIR                                       done / failed / missing
    iron-river sweep collect DIR [DIR ...] [--out DIR]                merge batches (and shards)
    iron-river sweep report DIR [--out DIR]                           figures and tables

The first positional word selects the action when it is ``status``, ``collect`` or ``report``;
anything else is a sweep file. Dask, pyarrow and matplotlib are imported inside the handlers so
that ``iron-river run`` does not pay for them.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import os
import sys
from pathlib import Path

from iron_river.experiments import clusters, engine_options
from iron_river.sweep.spec import SpecError

ACTIONS = ("status", "collect", "report")
DEFAULT_BINDING = "iron_river.experiments.binding"
JOB_NAME = "ir-sweep"  # batch job name: job logs are <out>/logs/ir-sweep-<job id>.out/.err
INTERRUPTED = "interrupted: finished batches are saved; rerun the same command to resume"
USAGE = """iron-river sweep SPEC [--workers N] [--out DIR] [engine options]
       iron-river sweep status DIR
       iron-river sweep collect DIR [DIR ...] [--out DIR]
       iron-river sweep report DIR [--out DIR]"""
EPILOG = """engines (pick at most one; default: a local process pool on every core):
  --scheduler tcp://HOST:PORT | --scheduler-file F   a running Dask cluster
  --local-dask                                       a Dask LocalCluster on 127.0.0.1
  --cluster slurm|pbs|sge|lsf --jobs N ...           Dask workers as batch jobs (dask-jobqueue);
      N jobs kept running (one that ends is replaced); job logs in OUT/logs
  --shard-index K --shard-count N                    no engine: this process runs shard K of N
      (defaults from SLURM_ARRAY_TASK_ID/_MIN/_COUNT, PBS_ARRAY_INDEX, SGE_TASK_ID)

Rerunning the same command resumes: finished batches are skipped. Exit codes: 0 every run of
this shard has a result (possibly a recorded failure), 1 some runs are still missing (also: no
Dask worker within --worker-timeout), 2 invalid input or a job the batch system refuses
(nothing written), 130 interrupted (worker jobs are cancelled)."""


class UsageError(ValueError):
    """Bad combination of command-line options."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the ``sweep`` arguments to a parser."""
    p.add_argument(
        "target",
        nargs="+",
        metavar="SPEC|ACTION",
        help="a sweep file (scenarios/sweeps/*.toml), or status/collect/report DIR",
    )
    g = p.add_argument_group("running a sweep")
    g.add_argument(
        "--out",
        type=Path,
        help="results folder (default results/<sweep name>); for collect/report: where to write",
    )
    g.add_argument(
        "--root-seed",
        type=int,
        help="override the spec's root_seed (default folder then results/<name>-seed<N>)",
    )
    g.add_argument(
        "--batch-size",
        type=int,
        help="runs per task (default from the spec, else "
        "about 256 tasks); part of the design: changing it needs a new --out",
    )
    g.add_argument("--retry-failed", action="store_true", help="rerun batches with failed runs")
    g.add_argument("--no-progress", action="store_true", help="no progress bar")
    g.add_argument("--binding", default=DEFAULT_BINDING, help=argparse.SUPPRESS)
    engine_options.add_arguments(p)
    s = p.add_argument_group("shards (array jobs, no engine)")
    s.add_argument("--shard-index", type=int)
    s.add_argument("--shard-count", type=int)


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``sweep`` command to the top-level ``iron-river`` subparsers."""
    p = subparsers.add_parser(
        "sweep",
        help="run, resume, inspect and report parameter sweeps",
        description="Parameter sweeps over any scenario key, on a local pool, Dask or a batch "
        "system.",
        usage=USAGE,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(p)
    p.set_defaults(func=handle)
    return p


def _err(msg: str) -> int:
    print(f"iron-river: error: {msg}", file=sys.stderr)
    return 2


def handle(args: argparse.Namespace) -> int:
    """Dispatch ``iron-river sweep ...``; returns the exit code."""
    first, rest = args.target[0], args.target[1:]
    if first in ACTIONS:
        if not rest:
            return _err(f"sweep {first} needs a results folder")
        if first != "collect" and len(rest) > 1:
            return _err(f"sweep {first} takes one results folder, got {len(rest)}")
        return {"status": _status, "collect": _collect, "report": _report}[first](args, rest)
    if rest:
        return _err(
            f"sweep takes one sweep file, got {len(args.target)} arguments; "
            f"actions are {', '.join(ACTIONS)}"
        )
    return _run(args, Path(first))


def env_shard(env=os.environ) -> tuple[int, int, str] | None:
    """Return (index, count, source) of an array job from Slurm, PBS or SGE variables, if any."""
    if "SLURM_ARRAY_TASK_ID" in env and "SLURM_ARRAY_TASK_COUNT" in env:
        idx = int(env["SLURM_ARRAY_TASK_ID"]) - int(env.get("SLURM_ARRAY_TASK_MIN", 0))
        return idx, int(env["SLURM_ARRAY_TASK_COUNT"]), "SLURM_ARRAY_TASK_ID"
    for var in ("PBS_ARRAY_INDEX", "PBS_ARRAYID"):
        if var in env:
            return int(env[var]), 0, var  # PBS does not export the array size
    if env.get("SGE_TASK_ID", "undefined") != "undefined":
        first, step = int(env.get("SGE_TASK_FIRST", 1)), int(env.get("SGE_TASK_STEPSIZE", 1))
        count = (int(env.get("SGE_TASK_LAST", first)) - first) // step + 1
        return (int(env["SGE_TASK_ID"]) - first) // step, count, "SGE_TASK_ID"
    return None


def resolve_shard(args: argparse.Namespace, env=os.environ) -> tuple[int, int] | None:
    """Return the shard to run (options, else array-job environment), or None for no sharding."""
    engines = [getattr(args, a, None) for a in ("scheduler", "scheduler_file", "cluster")]
    engines.append(getattr(args, "local_dask", False) or None)
    explicit = args.shard_index is not None or args.shard_count is not None
    if explicit:
        if any(engines):
            raise UsageError(
                "--shard-index/--shard-count run without an engine; "
                "drop --scheduler/--scheduler-file/--cluster/--local-dask"
            )
        auto = env_shard(env)
        index = args.shard_index if args.shard_index is not None else (auto or (None,))[0]
        count = args.shard_count if args.shard_count is not None else (auto or (0, 0))[1]
    elif any(engines) or (auto := env_shard(env)) is None:
        return None
    else:
        index, count, source = auto
        print(f"array job ({source}): shard {index} of {count or '?'}", file=sys.stderr)
    if index is None or not count:
        raise UsageError(
            "sharding needs --shard-count N (and --shard-index K unless set by "
            "SLURM_ARRAY_TASK_ID, PBS_ARRAY_INDEX or SGE_TASK_ID)"
        )
    if count < 1 or not 0 <= index < count:
        raise UsageError(f"--shard-index must be in 0..{count - 1}, got {index}")
    return index, count


def _check_options(args: argparse.Namespace) -> None:
    try:
        engine_options.EngineOptions.of(args).check(args)
    except engine_options.EngineError as e:
        raise UsageError(str(e)) from None
    if args.batch_size is not None and args.batch_size < 1:
        raise UsageError(f"--batch-size must be >= 1, got {args.batch_size}")


def _run(args: argparse.Namespace, spec_path: Path) -> int:
    from iron_river.sweep import store
    from iron_river.sweep.design import build_plan
    from iron_river.sweep.spec import load_spec

    try:
        _check_options(args)
        shard = resolve_shard(args)
        binding = importlib.import_module(args.binding)
        spec = load_spec(spec_path, binding)
        if args.root_seed is not None:
            if args.root_seed < 0:
                raise UsageError(f"--root-seed must be >= 0, got {args.root_seed}")
            spec = dataclasses.replace(spec, root_seed=args.root_seed)
        plan = build_plan(spec, binding, args.binding, batch_size=args.batch_size)
    except (SpecError, UsageError) as e:
        return _err(str(e))
    default_out = Path("results") / (
        spec.name if args.root_seed is None else f"{spec.name}-seed{args.root_seed}"
    )
    out = args.out or default_out
    logs = out / "logs"
    if clusters.dry_run(args, log_directory=logs, job_name=JOB_NAME):
        return 0
    try:
        if (out / store.MANIFEST).exists():
            store.prepare(out, plan)  # refuses a folder holding another design
    except store.StoreError as e:
        return _err(str(e))
    print(
        f"sweep {spec.name}: {len(plan.points)} points x {spec.replicates} replicates = "
        f"{len(plan.runs)} runs in {plan.n_batches} batches of {plan.batch_size} -> {out}",
        file=sys.stderr,
    )
    from iron_river.sweep.engine import run_sweep

    try:
        with clusters.open_backend(
            args, key_prefix=f"iron-river-{plan.design_hash}", log_directory=logs, job_name=JOB_NAME
        ) as backend:
            summary = run_sweep(
                plan,
                out,
                backend,
                shard=shard or (0, 1),
                retry_failed=args.retry_failed,
                progress=not args.no_progress,
            )
    except KeyboardInterrupt:
        print(f"\n{INTERRUPTED}", file=sys.stderr)
        return 130
    except engine_options.JobRefusedError as e:
        return _err(str(e))
    except engine_options.NoWorkersError as e:
        saved = store.finished_batches(out)
        hint = f"\n  {len(saved)} finished batches are saved; rerun to resume" if saved else ""
        print(f"iron-river: error: {e}{hint}", file=sys.stderr)
        return 1
    where = f" (shard {summary.shard[0]} of {summary.shard[1]})" if shard else ""
    on = (
        f" in {summary.wall:.1f} s on {summary.workers} worker{'s' * (summary.workers != 1)} "
        f"(first result after {summary.first_result:.1f} s, overhead {100 * summary.overhead:.0f}%)"
        if summary.computed_runs
        else ""
    )
    print(
        f"{spec.name}{where}: {summary.done} done, {summary.failed} failed, "
        f"{summary.missing} missing; {summary.computed_runs} computed now{on}",
        file=sys.stderr,
    )
    for k, msg in sorted(summary.lost.items())[:5]:
        print(f"  batch {k} lost: {msg}", file=sys.stderr)
    if summary.failed:
        print(
            f"  failed runs are recorded with their error: iron-river sweep status {out}",
            file=sys.stderr,
        )
    return 0 if summary.missing == 0 else 1


def _print_status(st, out: Path) -> None:
    print(f"{st.name}: {st.n_runs} runs in {st.n_batches} batches ({out})")
    print(f"  done     {st.done}")
    print(f"  failed   {st.failed}")
    print(f"  missing  {st.missing}  ({st.n_batches - st.batches_done} batches)")
    for err, n in sorted(st.errors.items(), key=lambda kv: -kv[1])[:5]:
        print(f"    {n} x {err}")


def _status(args: argparse.Namespace, dirs: list[str]) -> int:
    from iron_river.sweep import store

    try:
        st = store.status(Path(dirs[0]))
    except store.StoreError as e:
        return _err(str(e))
    _print_status(st, Path(dirs[0]))
    return 0


def _collect(args: argparse.Namespace, dirs: list[str]) -> int:
    from iron_river.sweep import store

    try:
        path, st = store.collect([Path(d) for d in dirs], args.out)
    except store.StoreError as e:
        return _err(str(e))
    _print_status(st, path.parent)
    print(f"wrote {path}")
    return 0 if st.missing == 0 else 1


def _report(args: argparse.Namespace, dirs: list[str]) -> int:
    from iron_river.sweep import store
    from iron_river.sweep.report import make_report

    try:
        result = make_report(Path(dirs[0]), args.out)
    except store.StoreError as e:
        return _err(str(e))
    el = result["elasticity"]
    if el is not None and not el.empty:
        from iron_river.sweep.report import markdown

        print(f"elasticity of {result['metrics'][0]} with respect to {result['lever']}:")
        print(markdown(el))
    for f in result["files"]:
        print(f"wrote {f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``sweep`` standalone (``python -m iron_river.sweep``)."""
    parser = argparse.ArgumentParser(prog="iron-river")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["sweep", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)
