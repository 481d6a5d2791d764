"""The shared engine options (no batch system needed): checks, lifetimes, timeouts, signals."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sweep_helpers import PY, dask_scheduler, dask_workers, stop, sweep_cli

from iron_river.experiments import clusters, engine_options, jobqueue

ROOT = Path(__file__).resolve().parents[2]


def parse(*argv: str) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    engine_options.add_arguments(p)
    return p.parse_args(list(argv))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--jobs", "4"], "--jobs only apply with --cluster slurm|pbs|sge|lsf"),
        (["--interface", "ib0", "--local-dask"], "--interface only apply with --cluster"),
        (["--local-dask", "--scheduler", "tcp://x:1"], "choose one engine"),
        (["--cluster", "slurm", "--workers", "4"], "use --jobs and --cores-per-job"),
        (["--cluster", "slurm", "--walltime", "4h"], "is not a walltime; use H:M:S"),
        (["--cluster", "slurm", "--memory", "lots"], "is not an amount of memory"),
        (["--cluster", "slurm", "--cores-per-job", "0"], "--cores-per-job must be >= 1"),
        (["--cluster", "slurm", "--lifetime", "2h"], "must be shorter than --walltime"),
        (["--dry-run"], "it needs --cluster"),
        (["--dashboard", "0.0.0.0:8787"], "--dashboard applies to --cluster and --local-dask"),
        (["--scheduler-file", "/nonexistent.json"], "does not exist"),
        (["--cluster", "slurm", "--interface", "nope0"], "not a network interface of this"),
    ],
)
def test_options_that_cannot_work_are_named(argv, message):
    args = parse(*argv)
    with pytest.raises(engine_options.EngineError, match=message.replace("|", r"\|")):
        engine_options.EngineOptions.of(args).check(args)


def test_defaults_and_durations():
    opts = engine_options.EngineOptions.of(parse("--cluster", "pbs"))
    assert (opts.jobs, opts.cores_per_job, opts.memory, opts.walltime) == (1, 8, "16GB", "01:00:00")
    assert opts.timeout == engine_options.WAIT_CLUSTER == 3600
    assert (
        engine_options.EngineOptions.of(parse("--local-dask")).timeout == engine_options.WAIT_DASK
    )
    assert engine_options.EngineOptions.of(parse("--worker-timeout", "0")).timeout == 0
    assert [engine_options.duration(x) for x in ("90", "90s", "10m", "1.5h")] == [90, 90, 600, 5400]
    with pytest.raises(argparse.ArgumentTypeError, match="use seconds"):
        engine_options.duration("soon")
    with (
        pytest.raises(engine_options.EngineError, match="needs a Dask engine"),
        clusters.open_client(parse("--workers", "2")),
    ):
        pass


@pytest.mark.parametrize("walltime", ["00:05:00", "10", "01:00:00", "12:00:00", "2-00:00:00"])
def test_workers_retire_before_the_walltime_and_never_at_once(walltime):
    from dask.utils import parse_timedelta

    wall = jobqueue.parse_walltime(walltime)
    life, stagger = (parse_timedelta(x) for x in jobqueue.lifetime_for(walltime))
    # Dask draws each worker's lifetime within life +- stagger
    assert life + stagger < wall
    assert life - stagger >= 0.7 * life > 0
    assert wall - life >= min(300, wall / 4)


def test_lsf_walltimes_are_hours_and_minutes():
    assert jobqueue.parse_walltime("04:00", "lsf") == 4 * 3600
    assert jobqueue.parse_walltime("04:00", "slurm") == 4 * 60


def test_importing_dask_jobqueue_keeps_ctrl_c_a_keyboard_interrupt():
    code = (
        "import signal\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"  # as if in a terminal
        "from iron_river.experiments import jobqueue\n"
        "jobqueue.import_jobqueue()\n"
        "assert signal.getsignal(signal.SIGINT) is signal.default_int_handler\n"
    )
    r = subprocess.run([PY, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_a_refused_submission_is_quoted_from_the_batch_system():
    exc = RuntimeError(
        "Command exited with non-zero exit code.\nExit code: 1\nCommand:\nsbatch /tmp/x.sh\n"
        "stdout:\n\nstderr:\nsbatch: error: Batch job submission failed: Invalid account\n\n"
    )
    assert jobqueue.refusal_message(exc) == (
        "sbatch refused the worker job: sbatch: error: Batch job submission failed: Invalid account"
    )


def test_a_dry_run_that_cannot_work_writes_nothing(spec_path, tmp_path):
    out = tmp_path / "out"
    r = sweep_cli(str(spec_path), "--out", str(out), "--cluster", "slurm", "--interface", "ib9")
    assert r.returncode == 2 and "--interface ib9 is not a network interface" in r.stderr
    assert "Traceback" not in r.stderr and not out.exists()


def test_dry_run_of_the_report_prints_the_job_script_and_writes_nothing(tmp_path):
    exe = Path(sys.executable).with_name("iron-river")
    r = subprocess.run(
        [
            str(exe),
            "report",
            "--quick",
            "--cluster",
            "slurm",
            "--cores-per-job",
            "4",
            "--memory",
            "8GB",
            "--out",
            str(tmp_path / "results" / "report"),
            "--dry-run",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert "#SBATCH -J ir-report" in r.stdout and "--nworkers 4" in r.stdout
    assert f"#SBATCH -o {tmp_path}/results/logs/ir-report-%J.out" in r.stdout
    assert "--dashboard-address 127.0.0.1:0" in r.stdout  # worker dashboards: loopback
    assert list(tmp_path.iterdir()) == []


def test_no_worker_on_a_running_scheduler_is_a_clear_error(spec_path, tmp_path):
    sched = tmp_path / "scheduler.json"
    proc = dask_scheduler(sched)
    try:
        t0 = time.monotonic()
        r = sweep_cli(
            str(spec_path),
            "--out",
            str(tmp_path / "out"),
            "--scheduler-file",
            str(sched),
            "--worker-timeout",
            "2s",
        )
        assert r.returncode == 1, r.stderr
        assert time.monotonic() - t0 < 60
        assert (
            "no Dask worker joined within 2 s (--worker-timeout; engine: Dask cluster" in r.stderr
        )
        assert "Traceback" not in r.stderr
    finally:
        stop([proc])


def test_an_unreachable_scheduler_is_a_clear_error(spec_path, tmp_path):
    out = tmp_path / "out"
    r = sweep_cli(
        str(spec_path),
        "--out",
        str(out),
        "--scheduler",
        "tcp://127.0.0.1:9",
        "--worker-timeout",
        "3s",
    )
    assert r.returncode == 1, r.stderr
    assert "could not reach the Dask scheduler at tcp://127.0.0.1:9" in r.stderr


def test_open_client_is_usable_on_its_own_and_restores_ctrl_c():
    before = signal.getsignal(signal.SIGINT)
    opts = engine_options.EngineOptions(local_dask=True, workers=1)
    with clusters.open_client(opts) as client:
        assert client.submit(sum, [1, 2, 3]).result() == 6
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert client.status == "closed"
    assert signal.getsignal(signal.SIGINT) is before


def test_code_blocked_on_a_future_is_stopped_when_the_workers_are_gone(tmp_path):
    """The contract for callers that drive Dask themselves (a calibration's sampler)."""
    sched = tmp_path / "scheduler.json"
    procs = [dask_scheduler(sched)]
    try:
        procs.append(dask_workers(sched, 1))
        opts = engine_options.EngineOptions(scheduler_file=sched, worker_timeout=2)
        with (
            pytest.raises(engine_options.NoWorkersError, match="all Dask workers left"),
            clusters.open_client(opts) as client,
        ):
            future = client.submit(time.sleep, 120, pure=False)
            time.sleep(1)
            os.killpg(procs[1].pid, signal.SIGKILL)  # the worker and its nanny: none comes back
            t0 = time.monotonic()
            future.result()  # blocks until the watch interrupts it
        assert time.monotonic() - t0 < 20
    finally:
        stop(procs)


def test_readme_shows_the_scripts_the_tests_run():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("sweep-array.sbatch", "sweep-dask.sbatch"):
        script = (ROOT / "docs" / "hpc" / name).read_text(encoding="utf-8")
        assert f"[`docs/hpc/{name}`](docs/hpc/{name}):\n\n```bash\n{script}```" in text, name
