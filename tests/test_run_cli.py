"""The CLI end to end, and reproducibility of its outputs."""

from __future__ import annotations

import filecmp
import json
import subprocess
import sys
from pathlib import Path

from iron_river.cli import main
from iron_river.ledger import PLACE_FIELDS

FILES = (
    "DATA_DICTIONARY.md",
    "columns.csv",
    "scenario.toml",
    "manifest.json",
    "summary.json",
    "timeseries.csv",
    "places.csv",
    "crossings.csv",
    "guns.png",
    "homicide_rates.png",
    "arrivals.png",
    "map.png",
)
SMALL = ["--replicates", "2", "--years", "1", "--scale", "2000", "--quiet"]


def test_run_writes_every_output(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["run", "scenarios/baseline.toml", *SMALL, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert str(out) in printed and "us_border_arrivals" in printed
    # the headline says where its parameters came from, and so what its ranges mean
    assert "parameters: a draw per replicate from the posterior" in printed
    assert "parameter and seed uncertainty together" in printed
    for f in FILES:
        assert (out / f).is_file() and (out / f).stat().st_size > 0, f
    summary = json.loads((out / "summary.json").read_text())
    for key in (
        "guns_trafficked_us_to_mx",
        "us_sourced_share_seized_mexico",
        "us_sourced_share_seized_guatemala",
        "us_southbound_interdiction_rate",
        "guns_traced_to_us_from_mexico",
        "firearm_share_homicides_mexico",
        "homicide_rate_per_100k_MX",
        "homicide_rate_per_100k_GT",
        "homicide_rate_per_100k_HN",
        "homicide_rate_per_100k_SV",
        "migrants_exposed_share",
        "families_with_children_violence_reason_share",
        "us_border_arrivals",
        "us_border_arrivals_MX",
        "us_border_arrivals_GT",
        "us_border_arrivals_HN",
        "us_border_arrivals_SV",
    ):
        m = summary["metrics"][key]
        assert set(m) == {"mean", "p05", "p95"} and m["p05"] <= m["mean"] <= m["p95"]
    header = (out / "places.csv").read_text().splitlines()[0].split(",")
    assert header == ["replicate", "week", "place", *PLACE_FIELDS]
    assert {"homicides", "firearm_homicides", "departures", "arrivals", "arsenal", "price"} <= set(
        header
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 20190101 and len(manifest["replicate_seeds"]) == 2
    assert not list(tmp_path.glob(".r.*")), "no temporary folder left behind"


def test_same_seed_identical_outputs_different_seed_differs(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out, seed in ((a, "5"), (b, "5"), (c, "6")):
        assert (
            main(["run", "scenarios/baseline.toml", *SMALL, "--seed", seed, "--out", str(out)]) == 0
        )
    for f in ("summary.json", "timeseries.csv", "places.csv", "crossings.csv", "scenario.toml"):
        assert filecmp.cmp(a / f, b / f, shallow=False), f
    assert not filecmp.cmp(a / "timeseries.csv", c / "timeseries.csv", shallow=False)


def test_rerun_replaces_its_own_results_atomically(tmp_path):
    out = tmp_path / "r"
    assert main(["run", "scenarios/baseline.toml", *SMALL, "--out", str(out)]) == 0
    before = (out / "manifest.json").read_text()
    assert main(["run", "scenarios/baseline.toml", *SMALL, "--seed", "3", "--out", str(out)]) == 0
    assert (out / "manifest.json").read_text() != before
    assert json.loads((out / "manifest.json").read_text())["seed"] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]  # nothing left beside it


def test_params_lists_every_key(capsys):
    assert main(["params", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    keys = {r["key"] for r in rows}
    assert "enforcement.us_southbound_interdiction" in keys
    assert all(r["provenance"] for r in rows)
    assert main(["params", "--markdown"]) == 0
    assert "| `scale` |" in capsys.readouterr().out


def test_compare_writes_table_and_figure(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = Path(__file__).resolve().parents[1] / "scenarios"

    def files() -> list[str]:
        return [str(root / "baseline.toml"), str(root / "interdiction_x100.toml")]

    def compare() -> int:
        return main(["compare", *files(), *SMALL, "--out", "cmp"])

    assert compare() == 0
    table = (tmp_path / "cmp" / "compare.csv").read_text()
    assert "interdiction_x100,us_border_arrivals" in table
    assert (tmp_path / "cmp" / "compare.png").stat().st_size > 0
    # the second time the scenarios are reused, not run again
    summary = tmp_path / "results" / "baseline" / "latest" / "summary.json"
    before = summary.stat().st_mtime_ns
    assert compare() == 0  # cmp/ is ours: replaced
    assert summary.stat().st_mtime_ns == before
    assert len(list((tmp_path / "results" / "baseline").iterdir())) == 2  # one run and latest


def test_console_script_runs():
    done = subprocess.run(
        [sys.executable, "-m", "iron_river.cli", "params"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and "migration.violence_effect" in done.stdout


def test_households_sample_does_not_change_the_run(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", "scenarios/baseline.toml", *SMALL, "--out", str(a)]) == 0
    assert (
        main(
            ["run", "scenarios/baseline.toml", *SMALL, "--households-sample", "20", "--out", str(b)]
        )
        == 0
    )
    assert filecmp.cmp(a / "timeseries.csv", b / "timeseries.csv", shallow=False)
    lines = (b / "households_sample.csv").read_text().splitlines()
    assert lines[0].startswith("replicate,week,household,place")
    assert len(lines) == 1 + 2 * 52 * 20  # replicates × measured weeks × households
    assert not (a / "households_sample.csv").exists()
