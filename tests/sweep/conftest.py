"""Fixtures for the sweep tests (helpers live in sweep_helpers, which sets up the paths)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sweep_helpers import write_spec


@pytest.fixture
def spec_path(tmp_path: Path) -> Path:
    return write_spec(tmp_path / "spec")


@pytest.fixture
def fake():
    import fake_model

    return fake_model


@pytest.fixture
def plan(spec_path, fake):
    from iron_river.sweep.design import build_plan
    from iron_river.sweep.spec import load_spec

    return build_plan(load_spec(spec_path, fake), fake, "fake_model")
