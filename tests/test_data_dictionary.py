"""Every column of every results file has a data-dictionary entry (issue 14, item 12).

When the ledger gains a weekly series (or a file a column), the first test fails naming it and
the line to add to ``model/iron_river/outputs/dictionary.py``.
"""

from __future__ import annotations

import csv
import json

import pytest

from iron_river.cli import main
from iron_river.outputs import dictionary
from tests.conftest import SCENARIOS

SMALL = ["--replicates", "1", "--years", "1", "--scale", "5000", "--quiet"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("dd") / "run"
    args = ["run", str(SCENARIOS / "baseline.toml"), *SMALL, "--households-sample", "3"]
    assert main([*args, "--out", str(out)]) == 0
    return out


def header(path) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return next(csv.reader(fh))


def written(folder) -> dict[str, list[str]]:
    files = {f: header(folder / f) for f in dictionary.FILES if (folder / f).is_file()}
    files.pop("summary.json", None)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    files["summary.json"] = list(summary["metrics"])
    return files


def test_every_column_of_every_file_has_an_entry(folder):
    files = written(folder)
    assert set(files) == {
        "timeseries.csv",
        "places.csv",
        "crossings.csv",
        "households_sample.csv",
        "replicates.csv",
        "summary.json",
    }
    problems = []
    for file, columns in files.items():
        table = next(name for name, t in vars(dictionary).items() if t is dictionary.FILES[file][1])
        helper = "yearly" if table == "SUMMARY" else "weekly"
        problems += [
            f"{file}: column '{c}' has no entry; add it to {table} in "
            "model/iron_river/outputs/dictionary.py (e.g. "
            f'"{c}": {helper}("what it counts", "unit"),)'
            for c in dictionary.undescribed(file, columns)
        ]
    assert not problems, "\n".join(problems)


def test_no_entry_describes_a_column_that_is_not_written(folder):
    stale = [
        f"{file}: entry '{key}' matches no column"
        for file, columns in written(folder).items()
        for key in dictionary.unused(file, columns)
    ]
    assert not stale, "\n".join(stale)


def test_every_entry_says_unit_basis_and_period():
    for file, (_, table) in dictionary.FILES.items():
        for key, e in table.items():
            assert e.meaning and e.unit and e.period, (file, key)
            assert e.basis in (
                dictionary.REAL,
                dictionary.SIMULATED,
                dictionary.IDENTIFIER,
                dictionary.INPUT,
            )


def test_the_folder_carries_the_dictionary(folder):
    rows = list(csv.DictReader((folder / "columns.csv").open(encoding="utf-8")))
    described = {(r["file"], r["column"]) for r in rows}
    for file, columns in written(folder).items():
        assert {(file, c) for c in columns} <= described, file
    by = {(r["file"], r["column"]): r for r in rows}
    # what the issue found ambiguous is now said
    assert by["timeseries.csv", "population_MX"]["basis"] == "real-world"
    assert by["timeseries.csv", "households_home"]["basis"] == "simulated"
    assert by["timeseries.csv", "homicides_HN"]["meaning"] == "homicides in Honduras"
    assert by["summary.json", "arsenal_MX"]["period"].startswith("stock")
    assert by["summary.json", "trafficker_cells"]["period"].startswith("stock")
    assert by["summary.json", "households_exposed"]["unit"] == "household-weeks per year"
    text = (folder / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    for file in written(folder):
        assert f"## `{file}`" in text
    assert "| `X-GT` |" in text  # place and crossing ids with their names


def test_summary_json_says_what_each_metric_is(folder):
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert "per year" not in summary["units"]  # no blanket claim
    d = summary["definitions"]
    assert set(d) == set(summary["metrics"])
    assert d["us_border_arrivals"]["unit"] == "persons per year"
    assert d["arsenal_MX"]["kind"] == "stock (mean over the measured weeks)"
    assert d["migrants_exposed_share"]["unit"] == "fraction 0-1"
    assert d["homicide_rate_per_100k_SV"]["meaning"].startswith("homicide rate in El Salvador")


def test_a_final_year_summary_is_described_by_its_metric():
    key, e = dictionary.lookup(dictionary.SUMMARY, "us_border_arrivals_final_year")
    assert key == "us_border_arrivals" and e.period.endswith("final measured year only")
    assert dictionary.lookup(dictionary.SUMMARY, "no_such_metric_final_year") is None


def test_patterns_expand_per_country():
    key, e = dictionary.lookup(dictionary.TIMESERIES, "arrivals_GT")
    assert key == "arrivals_{country}" and "Guatemala" in e.meaning
    assert dictionary.lookup(dictionary.TIMESERIES, "arrivals_XX") is None
