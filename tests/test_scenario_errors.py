"""Bad input fails before anything runs: one clear message, exit code 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from iron_river.cli import main
from iron_river.scenario import PARAMETERS, ScenarioError, load_scenario


def _run(tmp_path: Path, scenario: Path | str, *extra: str) -> tuple[int, Path]:
    out = tmp_path / "out"
    code = main(
        [
            "run",
            str(scenario),
            "--replicates",
            "1",
            "--years",
            "1",
            "--quiet",
            "--out",
            str(out),
            *extra,
        ]
    )
    return code, out


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "bad.toml"
    p.write_text(text)
    return p


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "name = 'x'\n[enforcement\nus_southbound_interdiction = 0.1\n",
            ["malformed TOML", "line 2"],
        ),
        (
            "[enforcement]\nus_southbund_interdiction = 0.1\n",
            [
                "enforcement.us_southbund_interdiction",
                "did you mean",
                "enforcement.us_southbound_interdiction",
            ],
        ),
        (
            "[enforcement]\nus_southbound_interdiction = 'high'\n",
            ["enforcement.us_southbound_interdiction", "allowed: a number in [0, 1]"],
        ),
        (
            "[enforcement]\nus_southbound_interdiction = 1.5\n",
            ["enforcement.us_southbound_interdiction", "1.5", "[0, 1]"],
        ),
        (
            "[supply.states.US-XX]\nmultiplier = 2\n",
            ["supply.states.US-XX.multiplier", "unknown parameter"],
        ),
        ("years = 2.5\n", ["'years'", "an integer"]),
        ("[migration]\nviolence_effect = true\n", ["migration.violence_effect"]),
    ],
)
def test_bad_scenario_file(tmp_path, capsys, text, expected):
    path = _write(tmp_path, text)
    code, out = _run(tmp_path, path)
    err = capsys.readouterr().err
    assert code == 2
    assert str(path) in err
    for piece in expected:
        assert piece in err
    assert err.count("\n") == 1, "one clear message"
    assert not out.exists(), "nothing written"
    assert not any(p.name.startswith(".out") for p in tmp_path.iterdir())


def test_missing_file(tmp_path, capsys):
    code, out = _run(tmp_path, tmp_path / "nope.toml")
    err = capsys.readouterr().err
    assert code == 2 and "nope.toml" in err and "no such scenario file" in err
    assert not out.exists()


def test_bad_set_uses_same_validation(tmp_path, capsys):
    code, out = _run(
        tmp_path,
        Path("scenarios/baseline.toml"),
        "--set",
        "enforcement.us_southbound_interdiction=2",
    )
    err = capsys.readouterr().err
    assert code == 2 and "--set" in err and "enforcement.us_southbound_interdiction" in err
    assert not out.exists()


def test_unwritable_output(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code = main(
        [
            "run",
            "scenarios/baseline.toml",
            "--replicates",
            "1",
            "--years",
            "1",
            "--quiet",
            "--out",
            str(blocker / "results"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "cannot be created" in err and "is not a folder" in err
    assert blocker.read_text() == "not a folder"


def test_every_key_has_provenance_unit_and_range():
    for spec in PARAMETERS.values():
        assert spec.provenance, spec.key
        if spec.kind in (int, float):
            assert spec.lo is not None and spec.hi is not None, spec.key
            assert spec.unit, spec.key
            if spec.default is not None:
                assert spec.lo <= spec.default <= spec.hi, spec.key


def test_required_keys_exist():
    for key in (
        "enforcement.us_southbound_interdiction",
        "policy.us_southbound_interdiction",
        "policy.crossings.X-NLD.us_southbound_interdiction",
        "policy.states.US-TX.supply_multiplier",
        "migration.violence_effect",
        "scale",
    ):
        assert key in PARAMETERS


def test_levers_are_the_policy_section_and_never_calibrated():
    levers = {k for k, s in PARAMETERS.items() if s.role == "lever"}
    assert levers == {k for k in PARAMETERS if k.startswith("policy.")}
    for key in levers:
        spec = PARAMETERS[key]
        assert spec.prior is None and "calibrated" not in spec.provenance, key
    # a lever left unset is the 2019 world: it inherits a structural value
    sc = load_scenario(None)
    assert sc.value("policy.crossings.X-TIJ.us_southbound_interdiction") == sc.value(
        "enforcement.us_southbound_interdiction"
    )
    assert sc.value("policy.countries.GT.police_seizure_rate") == sc.value(
        "gangs.countries.GT.police_seizure_rate"
    )


def test_every_prior_is_inside_the_allowed_range_and_holds_the_default():
    for key, spec in PARAMETERS.items():
        if spec.prior is not None:
            assert spec.lo is None or spec.lo <= spec.prior.lo, key
            assert spec.hi is None or spec.prior.hi <= spec.hi, key
            assert spec.prior.lo <= spec.default <= spec.prior.hi, key
            assert spec.prior.reason, key


def test_set_overrides_file():
    sc = load_scenario(
        "scenarios/interdiction_x10.toml",
        ["policy.us_southbound_interdiction=0.5", "scale=1000"],
    )
    assert sc.policy.us_southbound_interdiction == 0.5
    assert sc.scale == 1000.0
    assert sc.name == "interdiction_x10"


def test_all_shipped_scenarios_load():
    for path in Path("scenarios").glob("*.toml"):
        load_scenario(path)


def test_scenario_error_type():
    with pytest.raises(ScenarioError, match="did you mean"):
        load_scenario(None, ["migration.violence_efect=0"])
