"""The documentation matches the code: parameter table, assumptions, named functions."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from iron_river.outputs import docs as docs_gen
from iron_river.scenario import PARAMETERS

ROOT = Path(__file__).resolve().parents[1]
ODD = ROOT / "docs" / "ODD.md"
ASSUMPTIONS = ROOT / "docs" / "ASSUMPTIONS.md"


def _between(text: str, markers: tuple[str, str]) -> str:
    begin, end = markers
    assert text.count(begin) == 1 and text.count(end) == 1, f"markers {begin} {end}"
    return text.split(begin, 1)[1].split(end, 1)[0]


def _table_keys(block: str) -> list[str]:
    return re.findall(r"^\| `([^`]+)` \|", block, flags=re.MULTILINE)


def test_odd_parameter_table_matches_schema():
    keys = _table_keys(_between(ODD.read_text(encoding="utf-8"), docs_gen.PARAMS_MARKERS))
    assert len(keys) == len(set(keys)), "a key appears twice in the ODD table"
    missing = set(PARAMETERS) - set(keys)
    extra = set(keys) - set(PARAMETERS)
    assert not missing, f"in PARAMETERS but not in docs/ODD.md: {sorted(missing)}"
    assert not extra, f"in docs/ODD.md but not in PARAMETERS: {sorted(extra)}"


def test_generated_blocks_are_fresh():
    assert docs_gen.refresh_odd(ODD, check=True), "run: python -m iron_river.outputs.docs"
    assert docs_gen.refresh_identification(ODD, check=True), (
        "run: python -m iron_river.outputs.docs (the posterior changed)"
    )
    assert docs_gen.refresh_assumptions(ASSUMPTIONS, check=True), (
        "run: python -m iron_river.outputs.docs"
    )


def test_every_assumption_is_listed_with_a_note():
    block = _between(ASSUMPTIONS.read_text(encoding="utf-8"), docs_gen.ASSUMPTIONS_MARKERS)
    listed = set(_table_keys(block))
    expected = {k for k, s in PARAMETERS.items() if docs_gen.is_assumption(s)}
    assert listed == expected
    unnoted = sorted(k for k in expected if docs_gen.note_for(k) == docs_gen.NO_NOTE)
    assert not unnoted, f"add a note to docs_gen.ASSUMPTION_NOTES for {unnoted}"


def _defined(path: Path, dotted: str) -> bool:
    """Whether ``Class.method`` / ``function`` / ``CONSTANT`` is defined at module level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    scope: list[ast.stmt] = tree.body
    for part in dotted.split("."):
        found = None
        for node in scope:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                if node.name == part:
                    found = node
            elif isinstance(node, ast.Assign):
                if any(isinstance(t, ast.Name) and t.id == part for t in node.targets):
                    found = node
            elif (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and node.target.id == part
            ):
                found = node
        if found is None:
            return False
        scope = getattr(found, "body", [])
    return True


REFS = sorted(set(re.findall(r"`(model/[\w/]+\.py):([\w.]+)`", ODD.read_text(encoding="utf-8"))))


def test_odd_names_code():
    assert len(REFS) > 40  # every submodel names its implementation


@pytest.mark.parametrize(("file", "name"), REFS, ids=[f"{f}:{n}" for f, n in REFS])
def test_named_code_exists(file, name):
    path = ROOT / file
    assert path.is_file(), f"docs/ODD.md names {file}, which does not exist"
    assert _defined(path, name), f"docs/ODD.md names {file}:{name}, which is not defined there"


def test_named_files_exist():
    text = ODD.read_text(encoding="utf-8")
    for file in set(re.findall(r"`(model/[\w/]+\.(?:py|csv))`", text)):
        assert (ROOT / file).is_file(), file
