"""``iron-river report --quick``: figures it links exist, every number it cites is generated."""

from __future__ import annotations

import argparse
import json
import re

import pytest

from iron_river.experiments import engine_options, report
from tests.conftest import ROOT, assert_described

NUMBER = re.compile(r"(?<![\w.])[+\-−]?\d(?:[\d,]*\d)?(?:\.\d+)?%?")


def _numbers(text: str) -> set[str]:
    return set(NUMBER.findall(text))


TINY_SENSITIVITY = """
name = "tiny"
base = "{base}"
method = "morris"
outputs = ["us_border_arrivals", "guns_delivered"]

[parameters]
"violence.gun_elasticity" = [0.25, 0.75]
"market.scarcity_elasticity" = [0.4, 1.2]
"""


def built_args(out):
    """The command line of the module's report (its sensitivity spec sits beside it)."""
    spec = out.parent / "tiny.toml"
    return [
        "report",
        "--quick",
        "--quiet",
        "--out",
        str(out),
        "--scenarios",
        str(ROOT / "scenarios"),
        "--sensitivity",
        str(spec),
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    out = tmp / "report"
    spec = tmp / "tiny.toml"
    base = (ROOT / "scenarios" / "baseline.toml").as_posix()
    spec.write_text(TINY_SENSITIVITY.format(base=base), encoding="utf-8")
    parser = argparse.ArgumentParser()
    report.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(built_args(out))
    import matplotlib
    import matplotlib.pyplot as plt

    with pytest.MonkeyPatch.context() as mp:  # the report is written as a notebook user would
        mp.setattr(matplotlib, "use", lambda *a, **k: PYPLOT["backend switches"].append(a))
        before = plt.get_fignums()
        assert args.func(args) == 0
        PYPLOT["figures left open"] = sorted(set(plt.get_fignums()) - set(before))
    return out


PYPLOT: dict[str, list] = {"backend switches": [], "figures left open": []}


def test_writing_the_report_leaves_pyplot_alone(built):
    """Report, sensitivity and identification figures switch no backend and open no pyplot
    figure: a notebook keeps its inline plots after ``report.run`` (figures on their own
    canvas, as the run's figures are)."""
    assert PYPLOT == {"backend switches": [], "figures left open": []}
    assert (built / "answer.png").stat().st_size > 0


def test_report_files(built):
    assert (built / "REPORT.md").is_file()
    assert (built / "report.json").is_file()
    assert not list(built.parent.glob(".report.*")), "temporary folder left behind"


def test_the_report_folder_has_a_data_dictionary(built):
    assert_described(built)


def test_linked_figures_exist(built):
    text = (built / "REPORT.md").read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(links) >= 3
    for link in links:
        assert (built / link).is_file(), link


def test_every_cited_number_is_in_report_json(built):
    text = (built / "REPORT.md").read_text(encoding="utf-8")
    data = json.loads((built / "report.json").read_text(encoding="utf-8"))
    cited = data["cited"]
    allowed = set()
    for key, value in cited.items():
        allowed |= _numbers(key)
        if isinstance(value, str):
            allowed |= _numbers(value)
    stray = sorted(_numbers(text) - allowed)
    assert not stray, f"numbers in REPORT.md not generated through report.json: {stray}"
    # and the cited values are the computed ones, e.g. the elasticity of arrivals
    e = data["interdiction"]["metrics"]["us_border_arrivals"]["elasticity"]
    assert f"{e:+.3f}" in text
    assert cited[f"{e:+.3f}"] == pytest.approx(e)


def test_report_content(built):
    data = json.loads((built / "report.json").read_text(encoding="utf-8"))
    policies = {p.stem for p in (ROOT / "scenarios").glob("*.toml")} - {"baseline"}
    assert set(data["policies"]) == policies
    assert len(data["interdiction"]["x"]) == 3
    assert data["interdiction"]["x"][0] == pytest.approx(0.0022)
    assert data["interdiction"]["x"][-1] == pytest.approx(0.5)
    # the curve's changes are paired: the 2019 point against itself is no change at all,
    # and at 50% of loads seized fewer guns arrive in every replicate
    guns = data["interdiction"]["metrics"]["guns_delivered"]
    assert guns["change_mean"][0] == guns["change_p95"][0] == 0.0
    assert guns["change_p95"][-1] < 0.0
    ans = data["answer"]
    assert set(ans["policies"]) == {"x100", "max"}
    # the chain link by link: every link in every country, and the first links respond
    chain = ans["policies"]["x100"]["chain"]
    assert set(chain) == set(report.CHAIN)
    assert all(set(by) == {"MX", "GT", "HN", "SV"} for by in chain.values())
    assert chain["gun price"]["MX"]["mean"] > 0 > chain["guns held by armed groups"]["MX"]["mean"]
    assert "### From guns to arrivals, link by link" in (built / "REPORT.md").read_text()
    rows = ans["policies"]["x100"]["rows"]
    assert {k.split("|")[1] for k in rows} == {"decade", "final year"}
    assert {k.split("|")[0] for k in rows} == {
        "us_border_arrivals",
        *(f"us_border_arrivals_{c}" for c in ("MX", "GT", "HN", "SV")),
    }
    assert data["baseline"]["targets"] == len(data["baseline"]["validation"])
    assert set(data["sensitivity"]["outputs"]) == {"us_border_arrivals", "guns_delivered"}
    # paired seeds: the x100 scenario file and the answer's x100 runs coincide
    x100 = data["policies"]["interdiction_x100"]["guns_delivered"]["change_mean"]
    assert x100 < -0.1


def test_paired_change_and_elasticity():
    import numpy as np

    assert report.paired_change(np.array([2.0]), np.array([4.0]))[0] == -0.5
    x = np.array([0.01, 0.1, 1.0])
    y = np.array([[100.0, 100.0], [10.0, 10.0], [1.0, 1.0]])
    est, lo, hi = report.elasticity(x, y, np.random.default_rng(0), n=20)
    assert est == pytest.approx(-1.0)
    assert lo == pytest.approx(-1.0) and hi == pytest.approx(-1.0)
    assert report.interdiction_points(0.0022, 3) == [0.0022, 0.03317, 0.5]


def test_design_backends_agree_and_deduplicate():
    cfg = {"quiet": True, "replicates": 1}
    runs = {}
    for workers in (1, 2):
        engine = engine_options.EngineOptions(workers=workers)
        d = report.Design(report.Config.quick(engine=engine, **cfg))
        a = d.add(ROOT / "scenarios" / "interdiction_x100.toml", {}, range(1))
        b = d.add(ROOT / "scenarios" / "baseline.toml", {report.INTERDICTION: 0.22}, range(1))
        assert a == b  # the same resolved scenario and seed: one run
        d.run()
        runs[workers] = d.metrics(a, "guns_delivered")
        assert ("pool" in d.backend_name) == (workers == 2)
    assert runs[1] == pytest.approx(runs[2])


def test_a_quick_report_says_it_is_a_smoke_test_not_to_be_cited(built):
    lines = (built / "REPORT.md").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# ") and "SMOKE TEST, NOT TO BE CITED" in lines[0]
    assert "not to be cited" in lines[2]  # the banner under the title
    data = json.loads((built / "report.json").read_text(encoding="utf-8"))
    assert list(data)[:2] == ["smoke_test", "warning"]
    assert data["smoke_test"] is True and data["config"]["smoke_test"] is True
    assert "not to be cited" in data["warning"]


def test_the_reproduce_line_rebuilds_the_same_report(built):
    """The command under "Reproduce" gives back every setting of the report that printed it,
    --quick, --scenarios and --sensitivity included (not only its sizes)."""
    import dataclasses
    import shlex

    text = (built / "REPORT.md").read_text(encoding="utf-8")
    line = text.split("## Reproduce\n\n", 1)[1].splitlines()[0]
    words = shlex.split(line.split("`")[1])
    assert words[:2] == ["iron-river", "report"] and "--quick" in words
    parser = argparse.ArgumentParser()
    report.register(parser.add_subparsers(dest="command"))
    again = parser.parse_args(words[1:])
    first = parser.parse_args(built_args(built))

    def settings(args):
        return dataclasses.replace(report.config_of(args), engine=None, quiet=False)

    assert settings(again) == settings(first)


def test_a_full_report_is_not_marked(built):
    from pathlib import Path

    from iron_river.experiments.report_writer import _markdown
    from iron_river.experiments.writing import Cite

    data = json.loads((built / "report.json").read_text(encoding="utf-8"))
    data.pop("smoke_test"), data.pop("warning")
    data["config"]["smoke_test"] = False
    policies = sorted(Path(ROOT / "scenarios").glob("*.toml"))
    policies = [p for p in policies if p.stem != "baseline"]
    text = _markdown(data, data["figures"], Cite(), policies)
    assert text.startswith("# iron river — policy report\n")
    assert "SMOKE" not in text and "not to be cited" not in text


def test_smoke_test_figures_carry_the_warning(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from iron_river.experiments.writing import SMOKE_TITLE, _save

    fig = plt.figure()
    _save(fig, tmp_path / "f.png", smoke=True)
    assert SMOKE_TITLE in [t.get_text() for t in fig.texts]
    plt.close(fig)


def test_the_same_quantity_has_one_number(built):
    data = json.loads((built / "report.json").read_text(encoding="utf-8"))
    text = (built / "REPORT.md").read_text(encoding="utf-8")
    x100 = data["policies"]["interdiction_x100"]["us_border_arrivals"]["change_mean"]
    reference = data["answer"]["policies"]["x100"]["rows"]["us_border_arrivals|decade"]["mean"]
    assert reference == pytest.approx(x100), "×100 interdiction: two different numbers"
    assert f"{100 * x100:+.1f}%" in text
    assert "n/a pts" not in text and "beyond n/a" not in text


def test_readme_blocks_are_regenerated_from_a_report(built, tmp_path):
    from iron_river.experiments import readme_tables

    readme = tmp_path / "README.md"
    body = "\n\n".join(
        f"{b}\n{e}" for b, e in (readme_tables.markers(n) for n in readme_tables.BLOCKS)
    )
    readme.write_text(f"# title\n\n{body}\n", encoding="utf-8")
    assert not readme_tables.refresh(readme, built / "report.json")
    text = readme.read_text(encoding="utf-8")
    data = json.loads((built / "report.json").read_text(encoding="utf-8"))
    assert "SMOKE TEST" in text  # a --quick report says so in the README too
    assert f"{data['baseline']['passed']} of {data['baseline']['targets']} targets" in text
    assert "per point of loads seized" in text and "`interdiction_x100`" in text
    assert readme_tables.refresh(readme, built / "report.json", check=True)  # now fresh
    # the project's README carries every block
    real = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in readme_tables.BLOCKS:
        assert all(m in real for m in readme_tables.markers(name)), name


def test_a_report_draws_from_a_posterior_given_by_path(tmp_path):
    """A user's own fit (or one not yet shipped): every run draws from it, and the report
    says so, shows what it pins down and how to reproduce it."""
    from iron_river.cli import main
    from tests.test_posterior import fake, save

    mine = save(fake(12, seed=5), tmp_path / "fit" / "posterior")
    out = tmp_path / "report"
    given = ["--scenarios", str(ROOT / "scenarios"), "--posterior", str(mine)]
    code = main(["report", "--quick", "--quiet", "--out", str(out), *given])
    assert code == 0
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    csv = str((mine / "posterior.csv").resolve())
    assert data["config"]["posterior_path"] == csv
    assert data["answer"]["source"].startswith(f"posterior at {csv} (12 particles, sha256 ")
    text = (out / "REPORT.md").read_text(encoding="utf-8")
    assert f"The runs drew from the posterior at `{csv}`: 12 particles (its record" in text
    assert f"--posterior {csv} --scenarios {ROOT / 'scenarios'}`" in text
    assert (out / "marginals.png").is_file()
