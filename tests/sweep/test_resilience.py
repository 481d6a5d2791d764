"""Failures are recorded, interrupted sweeps resume, killed workers are replaced."""

from __future__ import annotations

import filecmp
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pyarrow.parquet as pq
import pytest
from sweep_helpers import LEVER, PY, dask_scheduler, dask_workers, stop, sweep_cli, write_spec

from iron_river.experiments import backends, jobqueue
from iron_river.sweep import store
from iron_river.sweep.design import build_plan
from iron_river.sweep.spec import load_spec

SLOW = f"""
[parameters."{LEVER}"]
range = [0.01, 0.5]
scale = "log"
points = 10
"""


def slow_spec(folder: Path, sleep: float = 0.05) -> Path:
    # 10 points x 4 replicates, 2 runs a batch: 20 batches of ~0.1 s compute each.
    return write_spec(
        folder, params=SLOW, replicates=4, batch_size=2, body=f'[set]\n"test.sleep" = {sleep}\n'
    )


def wait_for_batches(out: Path, n: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(store.finished_batches(out)) < n:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.02)


def _default_sigint() -> None:
    # A shell starts background jobs (`make test &`, nohup) with SIGINT ignored, and Python
    # keeps an inherited SIG_IGN: the CLI would never see the Ctrl-C this module sends.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_cli(*args: str) -> subprocess.Popen:
    cmd = [PY, "-m", "iron_river.sweep", *args, "--binding", "fake_model", "--no-progress"]
    return subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_default_sigint,
    )


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path):
    spec = write_spec(
        tmp_path / "s",
        params=f'[parameters."{LEVER}"]\nvalues = [0.1, 0.2, 0.3]\n',
        body='[set]\n"test.fail_interdiction" = 0.2\n',
        replicates=2,
        batch_size=1,
    )
    out = tmp_path / "out"
    r = sweep_cli(str(spec), "--out", str(out), "--workers", "2")
    assert r.returncode == 0, r.stderr  # every run has a result, two of them a failure
    assert "4 done, 2 failed, 0 missing" in r.stderr
    t = store.read_runs([out]).to_pandas()
    failed = t[t.status == "failed"]
    assert list(failed.run_index) == [2, 3]
    assert failed.error.str.startswith("RuntimeError: deliberate failure at interdiction 0.2").all()
    assert failed.traceback.str.contains("fake_model.py").all()
    assert failed.us_border_arrivals.isna().all()
    assert t[t.status == "ok"].us_border_arrivals.notna().all()
    st = sweep_cli("status", str(out))
    assert "done     4" in st.stdout and "failed   2" in st.stdout and "missing  0" in st.stdout
    assert "2 x RuntimeError: deliberate failure" in st.stdout
    # resuming does not redo failures unless asked to
    again = sweep_cli(str(spec), "--out", str(out), "--workers", "1")
    assert "0 computed now" in again.stderr
    retried = sweep_cli(str(spec), "--out", str(out), "--workers", "1", "--retry-failed")
    assert "2 computed now" in retried.stderr


def test_driver_killed_midway_resumes_without_recomputing(tmp_path):
    spec = slow_spec(tmp_path / "s")
    out = tmp_path / "out"
    proc = start_cli(str(spec), "--out", str(out), "--workers", "2")
    wait_for_batches(out, 4, proc)
    os.killpg(proc.pid, signal.SIGKILL)  # driver and pool, as `kill -9` or an OOM kill would
    proc.wait()
    kept = {k: store.batch_path(out, k).stat().st_mtime_ns for k in store.finished_batches(out)}
    assert 4 <= len(kept) < 20
    r = sweep_cli(str(spec), "--out", str(out), "--workers", "2")
    assert r.returncode == 0, r.stderr
    assert f"{40 - 2 * len(kept)} computed now" in r.stderr
    for k, mtime in kept.items():  # finished batches untouched
        assert store.batch_path(out, k).stat().st_mtime_ns == mtime
    assert not list(out.rglob("*.tmp"))
    sweep_cli("collect", str(out))
    runs = pq.read_table(out / "runs.parquet").to_pandas()
    assert list(runs.run_index) == list(range(40)) and (runs.status == "ok").all()
    # and the result is the one an uninterrupted sweep gives
    ref = tmp_path / "ref"
    assert sweep_cli(str(spec), "--out", str(ref), "--workers", "2").returncode == 0
    sweep_cli("collect", str(ref))
    assert filecmp.cmp(ref / "runs.parquet", out / "runs.parquet", shallow=False)


def test_ctrl_c_stops_cleanly_and_resumes(tmp_path):
    spec = slow_spec(tmp_path / "s")
    out = tmp_path / "out"
    proc = start_cli(str(spec), "--out", str(out), "--workers", "2")
    wait_for_batches(out, 2, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "rerun the same command to resume" in err
    assert sweep_cli(str(spec), "--out", str(out), "--workers", "2").returncode == 0
    assert store.status(out).done == 40


def test_a_killed_pool_worker_is_replaced(tmp_path):
    spec = slow_spec(tmp_path / "s")
    out = tmp_path / "out"
    proc = start_cli(str(spec), "--out", str(out), "--workers", "2")
    wait_for_batches(out, 2, proc)
    driver = psutil.Process(proc.pid)
    # pool workers are the grandchildren (the forkserver forks them) running a batch
    workers = [c for c in driver.children(recursive=True) if c.ppid() != proc.pid]
    assert workers, driver.children(recursive=True)
    workers[0].send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    st = store.status(out)
    assert (st.done, st.failed, st.missing) == (40, 0, 0)


def test_a_killed_dask_worker_is_replaced(tmp_path):
    spec = slow_spec(tmp_path / "s", sleep=0.1)
    out = tmp_path / "out"
    sched_file = tmp_path / "scheduler.json"
    procs = [dask_scheduler(sched_file)]
    try:
        procs.append(dask_workers(sched_file, 2))
        from distributed import Client

        with Client(scheduler_file=str(sched_file), timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
            pids = sorted(client.run(os.getpid).values())
            driver = start_cli(str(spec), "--out", str(out), "--scheduler-file", str(sched_file))
            wait_for_batches(out, 2, driver)
            os.kill(pids[0], signal.SIGKILL)  # a worker dies mid-task; its nanny restarts it
            _, err = driver.communicate(timeout=120)
        assert driver.returncode == 0, err
        st = store.status(out)
        assert (st.done, st.failed, st.missing) == (40, 0, 0)
    finally:
        stop(procs)


def test_a_task_that_keeps_killing_its_pool_worker_is_reported_lost(tmp_path, monkeypatch):
    """A batch that crashes its worker every time is given up after the retries; others finish."""
    import fake_model

    spec = write_spec(
        tmp_path / "s",
        params=f'[parameters."{LEVER}"]\nvalues = [0.1, 0.2]\n',
        replicates=1,
        batch_size=1,
    )
    plan = build_plan(load_spec(spec, fake_model), fake_model, "fake_model")
    payloads = {k: plan.payload(k) for k in range(plan.n_batches)}
    payloads[1] = {**payloads[1], "binding": "crash_model"}
    (tmp_path / "crash_model.py").write_text(
        "import os\nfrom fake_model import *  # noqa\ndef simulate(sc, seed):\n    os._exit(9)\n"
    )
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path}{os.pathsep}{os.environ['PYTHONPATH']}")
    sys.path.insert(0, str(tmp_path))
    pool = backends.PoolBackend(2, retries=1)
    try:
        results = dict(pool.results(payloads))
    finally:
        pool.close()
        sys.path.remove(str(tmp_path))
    assert results[0]["rows"][0]["error"] is None
    assert isinstance(results[1], RuntimeError) and "died 2 times" in str(results[1])


@pytest.mark.parametrize("walltime", ["01:00:00", "2-00:00:00", "30:00", "90", "1-12"])
def test_worker_lifetime_is_shorter_than_walltime(walltime):
    minutes = int(jobqueue.lifetime_for(walltime)[0].removesuffix("m"))
    total = {"01:00:00": 60, "2-00:00:00": 2880, "30:00": 30, "90": 90, "1-12": 2160}[walltime]
    assert total - max(5, total * 0.05) - 1 <= minutes < total


def test_a_truncated_batch_file_is_computed_again(tmp_path):
    spec = write_spec(tmp_path / "s")
    out = tmp_path / "out"
    assert sweep_cli(str(spec), "--out", str(out), "--workers", "1").returncode == 0
    sweep_cli("collect", str(out))
    good = (out / "runs.parquet").read_bytes()
    victim = store.batch_path(out, 3)
    victim.write_bytes(victim.read_bytes()[:100])  # as an OS crash before the data hit the disk
    r = sweep_cli(str(spec), "--out", str(out), "--workers", "1")
    assert r.returncode == 0 and "batch 3: unreadable" in r.stderr and "2 computed now" in r.stderr
    sweep_cli("collect", str(out))
    assert (out / "runs.parquet").read_bytes() == good
