"""The README's Python example runs as printed."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_python_example_runs(monkeypatch, capsys):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "batch_run" in b]
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert len(namespace["results"]) == 4  # two interdiction rates × two seeds
    assert float(capsys.readouterr().out.strip()) >= 0
    assert os.getcwd() == str(ROOT)


def test_the_quick_start_gives_the_two_commands_ci_and_users_run():
    """A new user's two commands (and CI's: `.ci/run` calls the README's test command) are
    under the Quick start heading, and the Makefile has both targets."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "\n## Quick start\n" in text, "the README lost its Quick start section"
    quick = text.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```bash\n(.*?)```", quick, re.S)
    commands = [line.split("#")[0].strip() for line in block.splitlines()]
    assert commands == ["make run", "make test"]
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run:", make, re.M) and re.search(r"^test:", make, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
