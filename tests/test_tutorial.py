"""The tutorial notebook runs as written (issue 14, item 15), at a tiny size."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT, SCENARIOS

NOTEBOOK = ROOT / "docs" / "tutorial.ipynb"
TINY = f'SCENARIOS = r"{SCENARIOS}"\nREPLICATES = 2\nYEARS = 1\nSCALE = 5000\n'


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    (params,) = [
        c for c in nb.cells if c.cell_type == "code" and c.source.startswith("# parameters")
    ]
    params.source = "# parameters\n" + TINY
    work = tmp_path_factory.mktemp("tutorial")
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(work)}}
    ).execute()
    return nb, work


def test_every_cell_runs_without_error(executed):
    nb, _ = executed
    for cell in nb.cells:
        if cell.cell_type == "code":
            errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
            assert not errors, f"{cell.source[:60]!r}: {errors[0]['ename']}: {errors[0]['evalue']}"


def test_it_runs_compares_plots_and_opens_the_view(executed):
    nb, work = executed
    assert (work / "results" / "baseline" / "latest" / "summary.json").is_file()
    assert (work / "results" / "compare" / "latest" / "compare.csv").is_file()
    kinds = [o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    pngs = sum("image/png" in d for d in kinds)
    assert pngs >= 2, "the pandas/matplotlib plot and the run's map.png are both shown"
    assert any("application/vnd.jupyter.widget-view+json" in d for d in kinds), "no view shown"


def test_the_notebook_is_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
