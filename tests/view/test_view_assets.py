"""The offline front end: the asset cache is complete and a Solara page renders with no internet."""

from __future__ import annotations

import pytest

from iron_river.view import assets


def test_required_assets_are_read_from_solara():
    found = {a.name: a for a in assets.required_assets()}
    assert "@widgetti/solara-vuetify-app" in found
    assert "requirejs" in found
    assert "font-awesome" in found
    app = found["@widgetti/solara-vuetify-app"]
    assert any(f.endswith(".js") for f in app.files)
    assert all("{" not in f and "$" not in f for a in found.values() for f in a.files)


def test_cache_is_complete():
    cache = assets.cache_dir()
    absent = assets.missing(assets.required_assets(), cache)
    assert not absent, f"run `python -m iron_river.view.assets install`; missing {absent}"


def test_install_is_a_fast_no_op_when_done(capsys):
    assert assets.install(quiet=True) == []
    assert capsys.readouterr().out == ""


def test_check_command_reports_missing(tmp_path, capsys):
    assert assets.main(["check", "--cache-dir", str(tmp_path)]) == 1
    assert "missing" in capsys.readouterr().err


def test_missing_npm_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm here
    assert assets.main(["install", "--cache-dir", str(tmp_path / "cache")]) == 1
    assert "npm was not found" in capsys.readouterr().err


def test_min_alias_is_made_from_unminified_file(tmp_path):
    (tmp_path / "require.js").write_text("x")
    assets._add_min_aliases(tmp_path, ("require.min.js", "other.min.js"))
    assert (tmp_path / "require.min.js").read_text() == "x"
    assert not (tmp_path / "other.min.js").exists()


@pytest.mark.browser
def test_toy_page_renders_offline(watched_page, toy_server, tmp_path):
    page = watched_page.page
    page.goto(toy_server.url)
    page.get_by_role("button", name="Step").wait_for()
    img = page.locator(".v-window-item img").first
    img.wait_for()
    before = img.get_attribute("src")
    page.get_by_role("button", name="Step").click()
    page.wait_for_function(
        "([sel, old]) => { const i = document.querySelector(sel); return i && i.src !== old; }",
        arg=[".v-window-item img", before],
    )
    page.screenshot(path=str(tmp_path / "toy.png"), full_page=True)
    assert not watched_page.problems(), watched_page.problems()
    assert not watched_page.external, watched_page.external
