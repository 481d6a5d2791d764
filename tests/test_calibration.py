"""``iron-river calibrate``: the objective, the keys it fits, a tiny search."""

from __future__ import annotations

import argparse
import csv
import json

import pytest

from iron_river.experiments import calibration
from iron_river.outputs.targets import TARGETS
from iron_river.scenario import PARAMETERS, ScenarioError, load_scenario
from tests.conftest import SCENARIOS


def test_calibrated_keys_are_the_labelled_ones():
    keys = calibration.calibrated_keys()
    assert "trafficking.guns_per_cell_week" in keys
    assert "migration.violence_effect" not in keys  # an assumption
    assert all(PARAMETERS[k].provenance.lower().startswith("calibrated to t") for k in keys)


def test_objective_is_zero_on_target_and_one_at_the_tolerance_edge():
    on = {t.metric: t.target for t in TARGETS}
    j, terms = calibration.objective(on)
    assert j == pytest.approx(0.0)
    t = TARGETS[0]
    edge = {**on, t.metric: t.hi}
    j, terms = calibration.objective(edge)
    assert terms[t.id] == pytest.approx(((t.hi - t.target) / ((t.hi - t.lo) / 2)) ** 2)


def _run(argv):
    parser = argparse.ArgumentParser()
    calibration.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["calibrate", *argv])
    return args.func(args)


def test_tiny_calibration_writes_results(tmp_path):
    out = tmp_path / "cal"
    keys = ",".join(
        [
            "trafficking.guns_per_cell_week",
            "tracing.submission_rate",
            "gangs.countries.MX.diverted_us_made_share",
        ]
    )
    rc = _run(
        [
            "--budget",
            "2",
            "--population",
            "2",
            "--replicates",
            "1",
            "--years",
            "1",
            "--scale",
            "5000",
            "--burn-in-years",
            "0",
            "--params",
            keys,
            "--out",
            str(out),
            "--scenario",
            str(SCENARIOS / "baseline.toml"),
            "--quiet",
        ]
    )
    assert rc == 0
    res = json.loads((out / "calibration.json").read_text(encoding="utf-8"))
    assert res["skipped_zero_default"] == ["gangs.countries.MX.diverted_us_made_share"]
    assert res["objective_fitted"] <= res["objective_start"]
    with (out / "history.csv").open(encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 3  # the start and two candidates
    with (out / "fit.csv").open(encoding="utf-8") as fh:
        assert [r["id"] for r in csv.DictReader(fh)] == [t.id for t in TARGETS]
    fitted = load_scenario(out / "fitted.toml")  # a valid scenario file
    assert fitted.trafficking.guns_per_cell_week == res["fitted"]["trafficking.guns_per_cell_week"]
    assert (out / "objective.png").is_file()


def test_unknown_parameter_is_refused(tmp_path):
    with pytest.raises(ScenarioError, match="unknown"):
        _run(["--params", "trafficking.gunz", "--out", str(tmp_path / "x")])
