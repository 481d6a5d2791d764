"""The command line: forms of `sweep`, job scripts, shards from the environment."""

from __future__ import annotations

import argparse

import pytest
from sweep_helpers import sweep_cli

from iron_river.sweep import cli


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="iron-river")
    sub = parser.add_subparsers(dest="command", required=True)
    cli.register(sub)
    return parser.parse_args(["sweep", *argv])


def test_register_adds_sweep_with_a_handler():
    args = parse("scenarios/sweeps/interdiction.toml", "--workers", "3", "--out", "x")
    assert args.func is cli.handle and args.target == ["scenarios/sweeps/interdiction.toml"]
    assert args.workers == 3 and str(args.out) == "x"
    args = parse("collect", "a", "b", "--out", "m")
    assert args.target == ["collect", "a", "b"]


def test_actions_need_their_folder(capsys):
    assert cli.handle(parse("status")) == 2
    assert "sweep status needs a results folder" in capsys.readouterr().err
    assert cli.handle(parse("report", "a", "b")) == 2
    assert cli.handle(parse("a.toml", "b.toml")) == 2


def test_status_of_a_folder_that_is_not_a_sweep(tmp_path):
    r = sweep_cli("status", str(tmp_path))
    assert r.returncode == 2 and "no manifest.json; not a sweep results folder" in r.stderr


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            "slurm",
            [
                "#SBATCH -p long",
                "#SBATCH -A proj42",
                "#SBATCH --cpus-per-task=16",
                "#SBATCH --mem=60G",
                "#SBATCH -t 12:00:00",
                "--nworkers 16",
                "--nthreads 1",
                "--lifetime 684m",
            ],
        ),
        (
            "pbs",
            [
                "#PBS -q long",
                "#PBS -A proj42",
                "#PBS -l select=1:ncpus=16:mem=",
                "#PBS -l walltime=12:00:00",
                "--nworkers 16",
                "--lifetime 684m",
            ],
        ),
    ],
)
def test_dry_run_prints_a_job_script_with_the_requested_resources(
    spec_path, tmp_path, kind, expected
):
    out = tmp_path / "out"
    r = sweep_cli(
        str(spec_path),
        "--cluster",
        kind,
        "--jobs",
        "4",
        "--cores-per-job",
        "16",
        "--memory",
        "64GB",
        "--walltime",
        "12:00:00",
        "--queue",
        "long",
        "--account",
        "proj42",
        "--dry-run",
        "--out",
        str(out),
    )
    assert r.returncode == 0, r.stderr
    for line in expected:
        assert line in r.stdout, (line, r.stdout)
    assert not out.exists()  # a dry run writes nothing


def test_shard_from_environment():
    ns = parse("x.toml")
    slurm = {"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "3", "SLURM_ARRAY_TASK_COUNT": "4"}
    assert cli.resolve_shard(ns, slurm) == (2, 4)
    assert cli.resolve_shard(ns, {}) is None
    sge = {
        "SGE_TASK_ID": "3",
        "SGE_TASK_FIRST": "1",
        "SGE_TASK_LAST": "5",
        "SGE_TASK_STEPSIZE": "1",
    }
    assert cli.resolve_shard(ns, sge) == (2, 5)
    with pytest.raises(cli.UsageError, match="--shard-count"):
        cli.resolve_shard(ns, {"PBS_ARRAY_INDEX": "1"})
    pbs = {"PBS_ARRAY_INDEX": "1"}
    assert cli.resolve_shard(parse("x.toml", "--shard-count", "3"), pbs) == (1, 3)
    with pytest.raises(cli.UsageError, match=r"0\.\.2"):
        cli.resolve_shard(parse("x.toml", "--shard-index", "3", "--shard-count", "3"), {})
    # an engine given explicitly wins over the array environment
    assert cli.resolve_shard(parse("x.toml", "--local-dask"), slurm) is None


def test_the_iron_river_command_has_sweep(tmp_path, spec_path):
    """Through the project's console script (iron_river.cli registers the sweep command)."""
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("iron-river")
    if not exe.exists():
        pytest.skip("iron-river console script not installed")
    out = tmp_path / "out"
    r = subprocess.run(
        [
            str(exe),
            "sweep",
            str(spec_path),
            "--binding",
            "fake_model",
            "--workers",
            "1",
            "--out",
            str(out),
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    r = subprocess.run(
        [str(exe), "sweep", "status", str(out)], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0 and "done     12" in r.stdout
