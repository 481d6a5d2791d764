"""Runs, seeds, ids and batches are pure functions of the spec."""

from __future__ import annotations

import numpy as np
import pytest
from sweep_helpers import write_spec

from iron_river.experiments.seeds import run_seed
from iron_river.sweep.design import auto_batch_size, build_plan
from iron_river.sweep.spec import load_spec


def test_run_seed_is_the_nth_child_of_the_root_seed():
    children = np.random.SeedSequence(7).spawn(5)
    for i, child in enumerate(children):
        assert run_seed(7, i).generate_state(4).tolist() == child.generate_state(4).tolist()


def test_runs_ids_and_seed_keys(plan):
    assert len(plan.runs) == 12 and [r.index for r in plan.runs] == list(range(12))
    assert [(r.point, r.replicate) for r in plan.runs[:4]] == [(0, 0), (0, 1), (0, 2), (1, 0)]
    assert [r.seed_key for r in plan.runs] == list(range(12))
    assert len({r.run_id for r in plan.runs}) == 12


def test_common_random_numbers_share_seeds_across_points(tmp_path, fake):
    spec = write_spec(tmp_path, extra="common_random_numbers = true\n")
    plan = build_plan(load_spec(spec, fake), fake, "fake_model")
    assert [r.seed_key for r in plan.runs] == [0, 1, 2] * 4
    assert len({r.run_id for r in plan.runs}) == 12  # ids still differ: the values differ


def test_plan_is_reproducible_and_sensitive_to_the_base(tmp_path, fake, plan, spec_path):
    again = build_plan(load_spec(spec_path, fake), fake, "fake_model")
    assert again.design_hash == plan.design_hash and again.runs == plan.runs
    (spec_path.parent / "base.toml").write_text("scale = 200\n")
    changed = build_plan(load_spec(spec_path, fake), fake, "fake_model")
    assert changed.design_hash != plan.design_hash
    assert {r.run_id for r in changed.runs}.isdisjoint({r.run_id for r in plan.runs})


@pytest.mark.parametrize("count", [1, 2, 3, 5, 7])
def test_shards_partition_the_batches(plan, count):
    shards = [plan.shard_batches(k, count) for k in range(count)]
    assert sorted(b for s in shards for b in s) == list(range(plan.n_batches))
    runs = [r.index for s in shards for b in s for r in plan.batch_runs(b)]
    assert sorted(runs) == list(range(len(plan.runs)))


def test_batch_size_rule():
    assert auto_batch_size(10) == 1 and auto_batch_size(10_000) == 10
    assert auto_batch_size(10**7) == 100


def test_task_sizer_groups_fast_batches_and_keeps_workers_busy():
    from iron_river.experiments.backends import TaskSizer

    sizer = TaskSizer(target=1.0)
    assert sizer.size(remaining=1000, workers=4) == 1  # nothing measured yet
    sizer.record(batches=2, seconds=0.02)  # 10 ms a batch
    assert sizer.size(remaining=1000, workers=4) == 100
    assert sizer.size(remaining=40, workers=4) == 5  # the rest spread over every worker
    slow = TaskSizer(target=1.0)
    slow.record(batches=1, seconds=30.0)
    assert slow.size(remaining=1000, workers=4) == 1
