"""The same spec gives byte-identical Parquet on every backend, worker count and shard split."""

from __future__ import annotations

import filecmp
import os
import stat

import pyarrow.parquet as pq
import pytest
from sweep_helpers import (
    LEVER,
    STRAW,
    assert_identical,
    dask_scheduler,
    dask_workers,
    stop,
    sweep_cli,
    write_spec,
)

from iron_river.experiments import backends
from iron_river.outputs import folders
from iron_river.sweep import engine, store
from iron_river.sweep.design import build_plan
from iron_river.sweep.spec import load_spec

TWO_LEVERS = f"""
[parameters."{LEVER}"]
range = ["baseline", 0.5]
scale = "log"
points = 3
[parameters."{STRAW}"]
values = [0.1, 0.5]
"""


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    return write_spec(
        tmp_path_factory.mktemp("spec"),
        params=TWO_LEVERS,
        replicates=3,
        batch_size=4,
        extra='weekly = ["arrivals", "homicides"]\n',
    )


@pytest.fixture(scope="module")
def reference(spec, tmp_path_factory):
    """The sweep run serially in this process: what every backend must reproduce."""
    import fake_model

    out = tmp_path_factory.mktemp("serial")
    plan = build_plan(load_spec(spec, fake_model), fake_model, "fake_model")
    summary = engine.run_sweep(plan, out, backends.SerialBackend(), progress=False)
    assert summary.done == 18 and summary.failed == 0 and summary.missing == 0
    store.collect([out])
    return out


def test_sweep_files_follow_the_umask(reference):
    """Collaborators on a shared cluster can read a sweep (mkstemp alone makes files 0600)."""
    mode = 0o666 & ~folders.umask()
    written = [*(reference / "batches").iterdir(), reference / "manifest.json"]
    assert {stat.S_IMODE(p.stat().st_mode) for p in written} == {mode}


def test_reference_contents(reference, spec):
    t = pq.read_table(reference / "runs.parquet").to_pandas()
    assert list(t.run_index) == list(range(18))
    assert t.run_id.is_unique and list(t.seed_key) == list(range(18)) and (t.root_seed == 42).all()
    assert sorted(t[STRAW].unique()) == [0.1, 0.5]
    assert (t.status == "ok").all() and t.error.isna().all()
    assert list(t.columns[:6]) == [
        "run_index",
        "run_id",
        "point_index",
        "replicate",
        "root_seed",
        "seed_key",
    ]
    w = pq.read_table(reference / "weekly.parquet").to_pandas()
    assert len(w) == 18 * 52 and list(w.columns) == ["run_index", "week", "arrivals", "homicides"]


def test_local_pool_matches(reference, spec, tmp_path):
    r = sweep_cli(str(spec), "--out", str(tmp_path), "--workers", "2")
    assert r.returncode == 0, r.stderr
    assert sweep_cli("collect", str(tmp_path)).returncode == 0
    assert_identical(reference, tmp_path)


def test_local_cluster_matches(reference, spec, tmp_path):
    import fake_model
    from distributed import Client, LocalCluster

    plan = build_plan(load_spec(spec, fake_model), fake_model, "fake_model")
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address="127.0.0.1:0"
        ) as cluster,
        Client(cluster) as client,
    ):
        backend = backends.DaskBackend(client, key_prefix=plan.design_hash)
        summary = engine.run_sweep(plan, tmp_path, backend, progress=False)
    assert summary.done == 18 and not summary.lost
    store.collect([tmp_path])
    assert_identical(reference, tmp_path)


@pytest.fixture
def dask_processes(tmp_path):
    """`dask scheduler` + `dask worker` as separate processes on 127.0.0.1; torn down after."""
    sched_file = tmp_path / "scheduler.json"
    procs = [dask_scheduler(sched_file)]
    try:
        procs.append(dask_workers(sched_file, 2))
        from distributed import Client

        with Client(scheduler_file=str(sched_file), timeout="30s") as c:
            c.wait_for_workers(2, timeout=60)
        yield sched_file
    finally:
        stop(procs)


def test_separate_scheduler_and_worker_processes_match(reference, spec, tmp_path, dask_processes):
    out = tmp_path / "out"
    r = sweep_cli(str(spec), "--out", str(out), "--scheduler-file", str(dask_processes))
    assert r.returncode == 0, r.stderr
    assert sweep_cli("collect", str(out)).returncode == 0
    assert_identical(reference, out)


@pytest.mark.parametrize("count", [2, 3])
def test_shard_splits_match(reference, spec, tmp_path, count):
    dirs = []
    for k in range(count):
        out = tmp_path / f"shard{k}"  # separate folders, as without a shared file system
        r = sweep_cli(
            str(spec),
            "--out",
            str(out),
            "--workers",
            "1",
            "--shard-index",
            str(k),
            "--shard-count",
            str(count),
        )
        assert r.returncode == 0, r.stderr
        st = store.status(out)
        assert st.missing > 0  # one shard alone is incomplete
        dirs.append(str(out))
    merged = tmp_path / "merged"
    r = sweep_cli("collect", *dirs, "--out", str(merged))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "missing  0" in r.stdout
    for n in ["runs.parquet", "weekly.parquet", "manifest.json"]:
        assert filecmp.cmp(reference / n, merged / n, shallow=False), n
    # collecting again into the same folder replaces its own collect
    assert sweep_cli("collect", *dirs, "--out", str(merged)).returncode == 0
    # a folder of someone's files is refused, and nothing in it is touched
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "columns.csv").write_text("my data\n", encoding="utf-8")
    r = sweep_cli("collect", *dirs, "--out", str(mine))
    assert r.returncode == 2 and "holds other files" in r.stderr, r.stdout + r.stderr
    assert sorted(p.name for p in mine.iterdir()) == ["columns.csv"]
    assert (mine / "columns.csv").read_text(encoding="utf-8") == "my data\n"


def test_shards_from_the_slurm_array_environment_share_one_folder(reference, spec, tmp_path):
    for task in (1, 2):  # --array=1-2
        env = {
            **os.environ,
            "SLURM_ARRAY_TASK_ID": str(task),
            "SLURM_ARRAY_TASK_MIN": "1",
            "SLURM_ARRAY_TASK_COUNT": "2",
        }
        r = sweep_cli(str(spec), "--out", str(tmp_path), "--workers", "1", env=env)
        assert r.returncode == 0, r.stderr
        assert f"shard {task - 1} of 2" in r.stderr
    assert sweep_cli("collect", str(tmp_path)).returncode == 0
    assert_identical(reference, tmp_path)
