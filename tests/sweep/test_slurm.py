"""Sweeps on a real Slurm (`.ci/slurm-up`): the three HPC modes of the README, and the faults.

Every result is compared byte for byte with the local pool's. Worker jobs must be gone when a
test ends (the fixture below fails the test otherwise). Without a Slurm these tests skip with
the reason; CI sets IRON_RIVER_REQUIRE_SLURM=1 so that they fail instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
from sweep_helpers import LEVER, PY, assert_identical, sweep_cli, write_spec

from iron_river.sweep import store

pytestmark = [pytest.mark.slurm, pytest.mark.timeout(420)]

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(sys.prefix)
IRON_RIVER = str(Path(sys.executable).with_name("iron-river"))
# small jobs for a small node; short replacement delay (Dask waits 15 s by default)
JOBQ = ["--cluster", "slurm", "--memory", "1GB", "--walltime", "00:10:00"]
FAST_REPLACE = {"DASK_DISTRIBUTED__DEPLOY__LOST_WORKER_TIMEOUT": "3s"}
SLOW = f"""
[parameters."{LEVER}"]
range = [0.01, 0.5]
scale = "log"
points = 10
"""
# the stand-in for scenarios/sweeps/interdiction.toml: the real model at a tiny size
SMOKE = ROOT / "scenarios" / "sweeps" / "smoke.toml"
TINY_INTERDICTION = SMOKE.read_text().replace('name = "smoke"', 'name = "interdiction"')


# ---------------------------------------------------------------------------- helpers


def queue() -> dict[str, tuple[str, str]]:
    """Jobs in the queue: id -> (name, state)."""
    out = subprocess.run(
        ["squeue", "-h", "-o", "%i %j %T"], capture_output=True, text=True, timeout=30
    ).stdout
    return {i: (n, s) for i, n, s in (line.split() for line in out.splitlines())}


def active(ids) -> set[str]:
    """Those of ``ids`` still pending or running (a completing job is on its way out)."""
    return {i for i, (_, s) in queue().items() if i in set(ids) and s != "COMPLETING"}


def wait_gone(job: str, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while job in queue():
        assert time.monotonic() < deadline, f"job {job} still in the queue after {timeout} s"
        time.sleep(1)


def job_info(job: str) -> dict[str, str]:
    """`scontrol show job` as a dict (kept MinJobAge = 300 s after the job ends)."""
    out = subprocess.run(
        ["scontrol", "show", "job", job], capture_output=True, text=True, timeout=30
    ).stdout
    return dict(re.findall(r"(\w+)=(\S+)", out))


def cancelled_ids(stderr: str) -> list[str]:
    m = re.findall(r"worker job\(s\) ([\d ]+) cancelled", stderr)
    assert m, stderr
    return m[-1].split()


@pytest.fixture(autouse=True)
def no_jobs_left_behind():
    before = set(queue())
    yield
    deadline = time.monotonic() + 20
    while (left := active(set(queue()) - before)) and time.monotonic() < deadline:
        time.sleep(0.5)
    if left:
        subprocess.run(["scancel", *left], check=False)
        pytest.fail(f"jobs left in the queue: {sorted(left)}")


def slow_spec(folder: Path) -> Path:
    """40 runs of 0.2 s in 20 batches: about 4 s on two workers."""
    return write_spec(
        folder, params=SLOW, replicates=4, batch_size=2, body='[set]\n"test.sleep" = 0.2\n'
    )


@pytest.fixture(scope="module")
def slow(tmp_path_factory):
    """The slow sweep and its results on the local pool."""
    spec = slow_spec(tmp_path_factory.mktemp("slow"))
    ref = spec.parent / "pool"
    assert sweep_cli(str(spec), "--out", str(ref), "--workers", "2").returncode == 0
    assert sweep_cli("collect", str(ref)).returncode == 0
    return spec, ref


def start(*args: str, env: dict | None = None) -> subprocess.Popen:
    cmd = [PY, "-m", "iron_river.sweep", *args, "--binding", "fake_model", "--no-progress"]
    return subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )


def wait_for_batches(out: Path, n: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while len(store.finished_batches(out)) < n:
        if proc.poll() is not None:
            pytest.fail(f"the sweep ended early: {proc.communicate()}")
        assert time.monotonic() < deadline, "no batch written"
        time.sleep(0.1)


def collected(out: Path) -> Path:
    r = sweep_cli("collect", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    return out


def network_interface() -> str | None:
    """A network interface other than loopback with an IPv4 address, if the machine has one."""
    stats = psutil.net_if_stats()
    for name, addrs in psutil.net_if_addrs().items():
        up = name in stats and stats[name].isup
        if up and name != "lo" and any(a.family.name == "AF_INET" for a in addrs):
            return name
    return None


# ---------------------------------------------------------------------------- job-queue mode


def test_job_queue_sweep_matches_the_local_pool(slow, tmp_path):
    spec, ref = slow
    cwd, out = tmp_path / "cwd", tmp_path / "out"
    cwd.mkdir()
    r = sweep_cli(str(spec), "--out", str(out), *JOBQ, "--cores-per-job", "2", cwd=cwd, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "40 done, 0 failed, 0 missing; 40 computed now" in r.stderr
    assert "on 2 workers" in r.stderr  # counted once the workers had joined
    assert_identical(ref, collected(out), batches=20)
    (job,) = cancelled_ids(r.stderr)
    assert sorted(p.name for p in (out / "logs").iterdir()) == [
        f"ir-sweep-{job}.err",
        f"ir-sweep-{job}.out",
    ]
    assert not list(cwd.iterdir())  # no slurm-N.out, no scratch space in the current folder
    assert {p.name for p in out.iterdir()} == {
        "batches",
        "columns.csv",
        "DATA_DICTIONARY.md",
        "logs",
        "manifest.json",
        "spec.toml",
        "runs.parquet",
    }


@pytest.mark.parametrize("dashboard", [None, "0.0.0.0:0"])
def test_dashboard_link_works_and_nothing_listens_everywhere_unless_asked(
    slow, tmp_path, dashboard
):
    iface = network_interface()
    if iface is None:
        pytest.skip("no network interface besides loopback to give --interface")
    spec, _ = slow
    args = [str(spec), "--out", str(tmp_path / "out"), *JOBQ, "--cores-per-job", "2"]
    args += ["--interface", iface] + (["--dashboard", dashboard] if dashboard else [])
    proc = start(*args)
    wait_for_batches(tmp_path / "out", 1, proc)
    # the link printed before the first worker joined
    err = ""
    while "first worker joined" not in err:
        err += proc.stderr.readline()
    link = re.search(r"Dask dashboard: (http://\S+)", err)[1]
    with urllib.request.urlopen(link, timeout=10) as page:
        assert page.status == 200
    host = link.split("//")[1].rsplit(":", 1)[0]
    assert (host == "127.0.0.1") == (dashboard is None), link
    (job,) = [j for j, (n, st) in queue().items() if n == "ir-sweep" and st == "RUNNING"]
    everywhere = []  # sockets of the driver and the job's processes listening on every address
    for p in psutil.process_iter():
        try:
            mine = p.pid == proc.pid or p.environ().get("SLURM_JOB_ID") == job
            conns = p.net_connections("tcp") if mine else []
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        everywhere += [
            (p.pid, c.laddr)
            for c in conns
            if c.status == psutil.CONN_LISTEN and c.laddr.ip in ("0.0.0.0", "::")
        ]
    _, rest = proc.communicate(timeout=300)
    assert proc.returncode == 0, err + rest
    # only the scheduler's dashboard, and only when asked for
    assert len(everywhere) == (dashboard is not None), everywhere


# ---------------------------------------------------------------------------- array mode


def readme_block(containing: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```bash\n(.*?)```", text, re.S) if containing in b]
    assert len(blocks) == 1, f"README has {len(blocks)} bash blocks with {containing!r}"
    return blocks[0]


def project(tmp_path: Path) -> Path:
    """A project folder as the README assumes (.venv, docs/hpc, scenarios) with a tiny sweep."""
    proj = tmp_path / "project"
    (proj / "scenarios" / "sweeps").mkdir(parents=True)
    (proj / ".venv").symlink_to(VENV)
    (proj / "docs").symlink_to(ROOT / "docs")
    (proj / "scenarios" / "baseline.toml").symlink_to(ROOT / "scenarios" / "baseline.toml")
    (proj / "scenarios" / "sweeps" / "interdiction.toml").write_text(TINY_INTERDICTION)
    return proj


@pytest.fixture(scope="module")
def tiny_reference(tmp_path_factory):
    """The tiny real-model sweep on the local pool, collected."""
    proj = project(tmp_path_factory.mktemp("reference"))
    out = proj / "results" / "pool"
    r = subprocess.run(
        [
            IRON_RIVER,
            "sweep",
            "scenarios/sweeps/interdiction.toml",
            "--out",
            str(out),
            "--workers",
            "2",
            "--no-progress",
        ],
        cwd=proj,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    return collected(out)


def run_readme(block: str, proj: Path, tmp_path: Path, overrides: str, **env) -> str:
    """Run a README block with bash in ``proj``; return the id of the last job it submitted.

    The README's scripts ask for cluster-sized jobs (16-32 cores, 4 nodes); on this node an
    ``sbatch`` shim adds ``overrides`` to its command line (command-line options win over
    #SBATCH lines), as a user of a smaller cluster would. The block itself is unchanged.
    """
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "sbatch").write_text(f'#!/bin/bash\nexec {shutil.which("sbatch")} {overrides} "$@"\n')
    (shim / "sbatch").chmod(0o755)
    r = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block],
        cwd=proj,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}", **env},
    )
    assert r.returncode == 0, r.stdout + r.stderr
    jobs = re.findall(r"Submitted batch job (\d+)", r.stdout)
    assert jobs, r.stdout
    return jobs[-1]


def assert_completed(job: str, log: Path, done: str | None = None) -> None:
    """The job ended with status 0 and its log shows no error, up to ``done`` if given.

    After ``done`` (the last line of our work) only Dask's shutdown remains: its nanny now and
    then logs "Worker process died unexpectedly" with a traceback while closing (a race in
    distributed 2026.8, harmless by then); nothing of ours may fail there either.
    """
    info = job_info(job)
    text = log.read_text() if log.exists() else f"(no log {log})"
    assert (info.get("JobState"), info.get("ExitCode")) == ("COMPLETED", "0:0"), text
    ours, found, shutdown = text.partition(done) if done else (text, "", "")
    assert not done or found, text
    assert "Traceback" not in ours and "ERROR" not in ours, text
    assert "iron_river" not in shutdown and "iron-river: error" not in shutdown, text


def test_array_shards_and_a_dependent_collect_match_the_local_pool(tiny_reference, tmp_path):
    proj = project(tmp_path)
    block = readme_block("sbatch --parsable docs/hpc/sweep-array.sbatch")
    collect = run_readme(block, proj, tmp_path, "--cpus-per-task=1 --mem=1G")
    wait_gone(collect)
    assert_completed(collect, proj / "logs" / f"ir-collect-{collect}.out")
    out = proj / "results" / "interdiction"
    assert_identical(tiny_reference, out, batches=4)
    assert (out / "report" / "elasticity.md").is_file()
    shards = sorted((proj / "logs").glob("ir-array-*_*.out"))
    assert len(shards) == 16  # the script's --array=0-15, each shard its own log
    assert "shard 0 of 16" in shards[0].read_text()


# ---------------------------------------------------------------------------- allocation mode


def test_allocation_script_matches_the_local_pool_and_leaves_nothing(tiny_reference, tmp_path):
    proj = project(tmp_path)
    block = readme_block("\nsbatch docs/hpc/sweep-dask.sbatch\n")
    overrides = "--nodes=1 --cpus-per-task=2 --mem=4G"
    job = run_readme(block, proj, tmp_path, overrides, IFACE=network_interface() or "lo")
    wait_gone(job)
    log = proj / "logs" / f"ir-dask-{job}.out"
    assert_completed(job, log, done="wrote results/interdiction/report/elasticity.md")
    assert "8 done, 0 failed, 0 missing" in log.read_text()
    out = proj / "results" / "interdiction"
    assert_identical(tiny_reference, out, batches=4)
    # nothing left behind: no scheduler file, nothing in the project folder but logs and results
    assert sorted(p.name for p in out.iterdir()) == [
        "DATA_DICTIONARY.md",
        "batches",
        "columns.csv",
        "manifest.json",
        "report",
        "runs.parquet",
        "spec.toml",
        "weekly.parquet",
    ]
    assert sorted(p.name for p in proj.iterdir()) == [
        ".venv",
        "docs",
        "logs",
        "results",
        "scenarios",
    ]


# ---------------------------------------------------------------------------- faults


def test_a_cancelled_worker_job_is_replaced_and_no_run_is_lost_or_repeated(slow, tmp_path):
    spec, ref = slow
    out = tmp_path / "out"
    proc = start(str(spec), "--out", str(out), *JOBQ, "--cores-per-job", "2", env=FAST_REPLACE)
    wait_for_batches(out, 2, proc)
    (first,) = [j for j, (n, s) in queue().items() if n == "ir-sweep" and s == "RUNNING"]
    subprocess.run(["scancel", first], check=True)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert f"worker job(s) {first} ended" in err
    assert "40 done, 0 failed, 0 missing" in err
    assert len(list((out / "logs").glob("ir-sweep-*.out"))) >= 2  # the replacement's log
    runs = store.read_runs([out]).to_pandas()
    assert sorted(runs.run_index) == list(range(40))  # each run exactly once
    assert_identical(ref, collected(out), batches=20)


def test_workers_retiring_at_their_lifetime_are_replaced(slow, tmp_path):
    spec, ref = slow
    out = tmp_path / "out"
    r = sweep_cli(
        str(spec),
        "--out",
        str(out),
        *JOBQ,
        "--cores-per-job",
        "2",
        "--lifetime",
        "3s",
        env={**os.environ, **FAST_REPLACE},
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert " ended" in r.stderr  # at least one job retired and was replaced
    assert len(list((out / "logs").glob("ir-sweep-*.out"))) >= 2
    assert_identical(ref, collected(out), batches=20)


def test_an_impossible_request_fails_at_once_with_the_batch_systems_reason(slow, tmp_path):
    spec, _ = slow
    out = tmp_path / "out"
    t0 = time.monotonic()
    r = sweep_cli(str(spec), "--out", str(out), *JOBQ, "--cores-per-job", "512", timeout=120)
    assert r.returncode == 2, r.stderr
    assert time.monotonic() - t0 < 60
    assert "sbatch refused the worker job" in r.stderr
    assert "--cores-per-job 512" in r.stderr and "CPUs" in r.stderr  # what was asked, what is
    assert "Traceback" not in r.stderr and "AssertionError" not in r.stderr
    assert not out.exists()  # nothing written


def test_no_worker_within_the_timeout_is_a_clear_error(slow, tmp_path):
    spec, _ = slow
    cpus = subprocess.run(["sinfo", "-h", "-o", "%c"], capture_output=True, text=True).stdout
    blocker = subprocess.run(
        [
            "sbatch",
            "--parsable",
            f"--cpus-per-task={cpus.split()[0]}",
            "--mem=1G",
            "--job-name=ir-blocker",
            "--output=/dev/null",
            "--wrap",
            "sleep 300",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    try:
        while queue()[blocker][1] != "RUNNING":  # the node is full: worker jobs must wait
            time.sleep(0.5)
        t0 = time.monotonic()
        r = sweep_cli(
            str(spec),
            "--out",
            str(tmp_path / "out"),
            *JOBQ,
            "--cores-per-job",
            "1",
            "--worker-timeout",
            "5s",
            timeout=120,
        )
        assert r.returncode == 1, r.stderr
        assert time.monotonic() - t0 < 60
        assert "no Dask worker joined within 5 s (--worker-timeout" in r.stderr
        assert re.search(
            r"waiting for workers \(\d s, of --worker-timeout 5 s\): job\(s\) \d+ PENDING", r.stderr
        )
        (job,) = cancelled_ids(r.stderr)
        assert f"{job} PENDING (Resources)" in r.stderr
        assert not active([job])
    finally:
        subprocess.run(["scancel", blocker], check=False)


def test_a_worker_job_that_cannot_start_stops_the_sweep_with_its_log(slow, tmp_path):
    spec, _ = slow
    broken = tmp_path / "broken" / "distributed"  # as a compute node without the packages
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text('raise ImportError("no distributed on this node")\n')
    path = f"{broken.parent}{os.pathsep}{os.environ['PYTHONPATH']}"
    env = {**os.environ, "SBATCH_EXPORT": f"ALL,PYTHONPATH={path}"}  # the jobs' environment
    t0 = time.monotonic()
    r = sweep_cli(str(spec), "--out", str(tmp_path / "out"), *JOBQ, "--cores-per-job", "1", env=env)
    assert r.returncode == 1, r.stderr
    assert time.monotonic() - t0 < 60  # not the default --worker-timeout of an hour
    assert "ended before any Dask worker joined" in r.stderr
    assert "ImportError: no distributed on this node" in r.stderr  # the end of the job's log
    assert "finished batches" not in r.stderr  # none were


def test_ctrl_c_exits_130_cancels_the_worker_jobs_and_resumes(slow, tmp_path):
    spec, ref = slow
    out = tmp_path / "out"
    proc = start(str(spec), "--out", str(out), *JOBQ, "--jobs", "2", "--cores-per-job", "1")
    wait_for_batches(out, 2, proc)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert time.monotonic() - t0 < 40
    assert "interrupted: finished batches are saved; rerun the same command to resume" in err
    jobs = cancelled_ids(err)
    assert len(jobs) == 2 and not active(jobs)
    assert "Traceback" not in err
    done = store.finished_batches(out)
    assert 2 <= len(done) < 20
    r = sweep_cli(str(spec), "--out", str(out), "--workers", "2")
    assert r.returncode == 0 and f"{40 - 2 * len(done)} computed now" in r.stderr
    assert_identical(ref, collected(out), batches=20)


# ---------------------------------------------------------------------------- other commands


def test_the_quick_report_runs_on_slurm_with_the_same_numbers(tmp_path):
    common = ["report", "--quick", "--scenarios", str(ROOT / "scenarios"), "--quiet"]

    def report(out: Path, *engine: str) -> dict:
        r = subprocess.run(
            [IRON_RIVER, *common, "--out", str(out), *engine],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert r.returncode == 0, r.stderr
        return json.loads((out / "report.json").read_text())

    on_slurm = report(tmp_path / "slurm", *JOBQ, "--cores-per-job", "2", "--memory", "2GB")
    here = report(tmp_path / "serial")
    assert on_slurm["config"]["backend"] == "1 slurm job(s) x 2 cores"
    assert here["config"]["backend"] == "serial, in this process"
    for key in ("baseline", "policies", "interdiction", "answer"):
        assert on_slurm[key] == here[key], key
    assert [p.name for p in (tmp_path / "logs").iterdir()]  # job logs beside the report
    assert sorted(p.name for p in tmp_path.iterdir()) == ["logs", "serial", "slurm"]
