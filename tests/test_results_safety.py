"""Results handling never costs a user a file (issue 14, items 1-5).

Refusals are checked to happen before anything runs: the model is replaced by a function that
fails the test if it is called.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from iron_river import cli
from iron_river.outputs import folders
from tests.conftest import SCENARIOS

SMALL = ["--replicates", "1", "--years", "1", "--scale", "5000", "--quiet"]
BASELINE = str(SCENARIOS / "baseline.toml")


@pytest.fixture
def no_run(monkeypatch):
    """Fail if a simulation starts: the refusal must come first."""

    def refuse(*_a, **_k):
        raise AssertionError("the simulation ran before the bad input was refused")

    monkeypatch.setattr(cli, "run_replicates", refuse)
    monkeypatch.setattr("iron_river.experiments.compare.run_replicates", refuse)


def run(*args: str) -> int:
    return cli.main(["run", BASELINE, *SMALL, *args])


def refused(capsys, *args: str) -> str:
    """Run with ``args``; assert exit 2 and one message; return it."""
    assert run(*args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("iron-river: error: ") and "Traceback" not in err, err
    return err


# ---------------------------------------------------------------------------- 1. --out


def test_out_that_is_a_users_folder_is_refused_and_kept(tmp_path, capsys, no_run):
    out = tmp_path / "Documents"
    (out / "sub").mkdir(parents=True)
    (out / "important.txt").write_text("mine")
    (out / "sub" / "data.csv").write_text("a,b\n")
    err = refused(capsys, "--out", str(out))
    assert "not written by iron-river" in err and "left untouched" in err
    assert (out / "important.txt").read_text() == "mine"
    assert (out / "sub" / "data.csv").read_text() == "a,b\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Documents"]  # no temp folder


def test_our_folder_is_replaced_but_not_if_a_user_added_a_file(tmp_path, capsys):
    out = tmp_path / "r"
    assert run("--out", str(out)) == 0
    listed = json.loads((out / "manifest.json").read_text())["files"]
    assert sorted(listed) == sorted(p.name for p in out.iterdir())
    assert run("--out", str(out)) == 0  # ours and untouched: replaced
    (out / "notes.txt").write_text("my notes on this run")
    capsys.readouterr()
    err = refused(capsys, "--out", str(out))
    assert "notes.txt" in err and "left untouched" in err
    assert (out / "notes.txt").read_text() == "my notes on this run"
    assert (out / "summary.json").is_file()


def test_an_empty_folder_is_used(tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    assert run("--out", str(out)) == 0
    assert (out / "summary.json").is_file()


# ---------------------------------------------------------------------------- 2. a folder per run


def test_each_run_gets_its_own_folder_and_latest_points_at_the_newest(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run() == 0
    assert run("--seed", "7") == 0
    root = tmp_path / "results" / "baseline"
    runs = sorted(p for p in root.iterdir() if p.name != "latest")
    assert len(runs) == 2, "the second run replaced the first"
    assert (root / "latest").is_symlink()
    assert (root / "latest").resolve() == runs[-1].resolve()
    assert json.loads((root / "latest" / "manifest.json").read_text())["seed"] == 7
    assert folders.read_latest(root) == runs[-1].resolve()


def test_compare_reuses_only_identical_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["run", BASELINE, *SMALL]) == 0
    first = (tmp_path / "results" / "baseline" / "latest").resolve()
    x100 = str(SCENARIOS / "interdiction_x100.toml")
    capsys.readouterr()
    assert cli.main(["compare", BASELINE, x100, *SMALL]) == 0
    assert (
        f"baseline: reusing {Path('results') / 'baseline' / first.name}" in capsys.readouterr().err
    )
    # two replicates is another result: it runs, and the one-replicate folder stays
    more = ["--replicates", "2", "--years", "1", "--scale", "5000", "--quiet"]
    assert cli.main(["compare", BASELINE, x100, *more]) == 0
    assert "reusing" not in capsys.readouterr().err
    assert first.is_dir()
    assert len([p for p in first.parent.iterdir() if p.name != "latest"]) == 2
    comparisons = [p for p in (tmp_path / "results" / "compare").iterdir() if p.name != "latest"]
    assert len(comparisons) == 2, "the second comparison replaced the first"
    manifest = json.loads(
        (tmp_path / "results" / "compare" / "latest" / "manifest.json").read_text()
    )
    assert set(manifest["runs"]) == {"baseline", "interdiction_x100"}


def test_compare_out_follows_the_same_rules(tmp_path, capsys, no_run):
    out = tmp_path / "cmp"
    out.mkdir()
    (out / "draft.md").write_text("mine")
    code = cli.main(["compare", BASELINE, BASELINE, *SMALL, "--out", str(out)])
    assert code == 2 and "both named 'baseline'" in capsys.readouterr().err
    x100 = str(SCENARIOS / "interdiction_x100.toml")
    assert cli.main(["compare", BASELINE, x100, *SMALL, "--out", str(out)]) == 2
    assert "not written by iron-river" in capsys.readouterr().err
    assert (out / "draft.md").read_text() == "mine"


# ---------------------------------------------------------------------------- 3. names


@pytest.mark.parametrize("name", ["../../etc/evil", "a/b", "..", ".hidden", "x\\y", ""])
def test_a_scenario_name_must_be_a_plain_name(tmp_path, monkeypatch, capsys, no_run, name):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    bad = tmp_path / "work" / "evil.toml"
    bad.write_text(f"name = {json.dumps(name)}\n")
    assert cli.main(["run", str(bad), *SMALL]) == 2
    err = capsys.readouterr().err
    assert f"evil.toml: key 'name': got {name!r}; allowed: letters, digits" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["evil.toml"]


def test_a_name_from_set_is_blamed_on_set(capsys, no_run):
    err = refused(capsys, "--set", "name=../x")
    assert err.startswith("iron-river: error: --set: key 'name'")


# ---------------------------------------------------------------------------- 4. modes


@pytest.mark.parametrize(("mask", "folder", "file"), [(0o022, 0o755, 0o644), (0o077, 0o700, 0o600)])
def test_results_follow_the_umask(tmp_path, mask, folder, file):
    old = os.umask(mask)
    try:
        assert run("--out", str(tmp_path / "r")) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "r").stat().st_mode) == folder
    assert stat.S_IMODE((tmp_path / "r" / "summary.json").stat().st_mode) == file


# ---------------------------------------------------------------------------- 5. refused early


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "-1"], "argument --seed: got -1; allowed: a whole number ≥ 0"),
        (["--seed", "x"], "argument --seed: got 'x'; allowed: a whole number"),
        (["--scale", "0"], "argument --scale: got '0'; allowed: a number in [1, 100000]"),
        (["--years", "0"], "argument --years: got '0'; allowed: an integer in [1, 100]"),
        (["--replicates", "0"], "argument --replicates: got 0; allowed: a whole number ≥ 1"),
    ],
)
def test_bad_numbers_are_refused_naming_the_option(capsys, no_run, args, message):
    with pytest.raises(SystemExit) as exc:
        cli.main(["run", BASELINE, *args])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "--set" not in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_out_dot_a_file_or_an_unwritable_place_is_refused_before_running(
    tmp_path, monkeypatch, capsys, no_run
):
    monkeypatch.chdir(tmp_path)
    assert "is the current folder" in refused(capsys, "--out", ".")
    (tmp_path / "f.txt").write_text("x")
    assert "exists and is not a folder" in refused(capsys, "--out", "f.txt")
    assert "f.txt is not a folder" in refused(capsys, "--out", "f.txt/sub")
    if Path("/proc/self").is_dir():  # a place nobody can create folders in, even root
        err = refused(capsys, "--out", "/proc/iron-river-test")
        assert "/proc/iron-river-test: cannot be created (/proc is not writable" in err
        assert ".iron-river" not in err.split("(")[0]  # names the user's folder, not a temp one


def test_params_into_a_closed_pipe_ends_quietly():
    proc = subprocess.Popen(
        [sys.executable, "-m", "iron_river.cli", "params"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # like `| head` that has read enough
    err = proc.stderr.read().decode()
    assert proc.wait() == cli.EXIT_BROKEN_PIPE
    assert err == "", err


def test_params_into_head_shows_no_error():
    done = subprocess.run(
        f"'{sys.executable}' -m iron_river.cli params --markdown | head -3",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and done.stderr == ""
    assert len(done.stdout.splitlines()) == 3
