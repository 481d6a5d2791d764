"""The baseline reproduces FACTS.md T1–T10 (default scale, 10 replicates)."""

from __future__ import annotations

import pytest

from iron_river.cli import main


@pytest.mark.slow
def test_baseline_passes_every_target(capsys):
    code = main(["validate", "--replicates", "10", "--quiet"])
    out = capsys.readouterr().out
    assert "FAIL" not in out, out
    assert code == 0
    for tid in (
        "T1",
        "T2",
        "T3",
        "T4",
        "T5",
        "T6",
        "T7-MX",
        "T7-GT",
        "T7-HN",
        "T7-SV",
        "T8",
        "T9",
        "T10",
    ):
        assert f"\n{tid} " in out or out.startswith(f"{tid} ")
