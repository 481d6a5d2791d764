"""The package a user installs: its data files ship, and its top level exports the model."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("iron_river-*.whl")
    return zipfile.ZipFile(path)


def test_wheel_holds_the_data_files(wheel):
    names = set(wheel.namelist())
    for data in (ROOT / "model" / "iron_river").rglob("*.csv"):
        rel = data.relative_to(ROOT / "model").as_posix()
        assert rel in names, f"{rel} is not in the wheel: add it to package-data in pyproject.toml"
    assert "iron_river/world/data/land.csv" in names  # the maps need it


def test_wheel_holds_every_module(wheel):
    names = set(wheel.namelist())
    for module in (ROOT / "model" / "iron_river").rglob("*.py"):
        rel = module.relative_to(ROOT / "model").as_posix()
        assert rel in names, f"{rel} is not in the wheel"


def test_top_level_exports_the_model():
    import iron_river

    assert {"IronRiverModel", "IronRiverScenario", "load_scenario"} <= set(dir(iron_river))
    scenario = iron_river.load_scenario(ROOT / "scenarios" / "baseline.toml")
    assert isinstance(scenario, iron_river.IronRiverScenario)
    assert iron_river.IronRiverModel.__module__ == "iron_river.model"
