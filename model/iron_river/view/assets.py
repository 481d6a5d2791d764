"""Make Solara's front end work with no internet by filling its CDN cache from the npm registry.

Solara's server does not ship its browser code. The page asks the server for
``/_solara/cdn/<package>@<version>/<file>``; the server answers from a cache folder
(``solara.server.settings.assets.proxy_cache_dir``, by default ``$VIRTUAL_ENV/share/solara/cdn``)
and, on a miss, downloads the file from a public CDN. Offline, a miss leaves a blank page.

This module reads which packages and versions the *installed* Solara names (its page template and
its components), fetches each once with ``npm pack`` and unpacks it into
``<cache>/<package>@<version>/``, the layout the server looks up. A solara upgrade changes the
names, so they are never hard-coded here. Run it once per environment (``make test`` does)::

    python -m iron_river.view.assets install   # fetch what is missing (idempotent, fast if done)
    python -m iron_river.view.assets check     # exit 1, listing what is missing
    python -m iron_river.view.assets list      # what solara needs and where it goes
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Solara's page names files as {{cdn}}/<pkg>@<ver>/<path> (Jinja) and its Vue components as
# ${this.getCdn()}/<pkg>@<ver>/<path>. Versions given as ${variable} are chosen at run time by
# components this project does not use (code editor, echarts) and cannot be prefetched.
_REFERENCE = re.compile(
    r"(?:\{\{\s*cdn\s*\}\}|getCdn\(\)\})/"
    r"(?P<name>(?:@[\w.-]+/)?[\w.-]+)@(?P<spec>[\w.+-]+)/(?P<path>[^\"'`\s<>]+)"
)
# Solara's own documentation website and the Vuetify 3 variant of the page are not used here.
_SKIP_DIRS = ("website",)
_SKIP_NAMES = ("@widgetti/solara-vuetify3-app",)
_MARKER = ".iron-river-assets.json"


class AssetError(RuntimeError):
    """The front-end assets could not be found or installed."""


@dataclass(frozen=True)
class Asset:
    """One npm package that Solara's page loads through its CDN proxy.

    Attributes:
        name: npm package name, e.g. ``@widgetti/solara-vuetify-app``.
        spec: the version or range as written in Solara's URL, e.g. ``10.1.1`` or ``5``.
        files: paths inside the package that Solara's code names (used to verify the unpack).
    """

    name: str
    spec: str
    files: tuple[str, ...]

    @property
    def folder(self) -> str:
        """Folder under the cache, exactly as it appears in Solara's URLs."""
        return f"{self.name}@{self.spec}"


def cache_dir() -> Path:
    """Return the folder Solara's server reads its CDN cache from.

    Honours ``SOLARA_ASSETS_PROXY_CACHE_DIR`` because Solara's settings do.
    """
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def _solara_root() -> Path:
    import solara

    return Path(solara.__file__).parent


def required_assets() -> list[Asset]:
    """List the packages the installed Solara loads from its CDN, read from its own source.

    Returns:
        One `Asset` per package@version, sorted by folder name.

    Raises:
        AssetError: Solara's source names none (its layout changed: this module needs updating).
    """
    import ipywidgets
    from solara.server import settings

    widget_major = ipywidgets.__version__.split(".")[0]
    found: dict[tuple[str, str], set[str]] = {}
    root = _solara_root()
    for path in root.rglob("*"):
        if path.suffix not in {".j2", ".html", ".vue", ".py", ".js"} or not path.is_file():
            continue
        if any(part in _SKIP_DIRS for part in path.relative_to(root).parts):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if "cdn" not in text.lower():
            continue
        for m in _REFERENCE.finditer(text):
            name, spec, file = m["name"], m["spec"], m["path"]
            if name in _SKIP_NAMES or "$" in spec:
                continue
            file = file.replace("{{ipywidget_major_version}}", widget_major)
            if "{" in file or "$" in file:
                file = ""
            found.setdefault((name, spec), set()).add(file)
    # Font Awesome is named by a setting rather than in the template.
    fa = settings.assets.fontawesome_path.strip("/")
    m = re.match(r"(?P<name>(?:@[\w.-]+/)?[\w.-]+)@(?P<spec>[\w.+-]+)/(?P<path>.+)", fa)
    if settings.assets.fontawesome_enabled and m:
        found.setdefault((m["name"], m["spec"]), set()).add(m["path"])
    if not any(name.startswith("@widgetti/solara-vuetify-app") for name, _ in found):
        raise AssetError(
            f"solara {_solara_version()} at {root} names no '@widgetti/solara-vuetify-app' in its "
            "page template: its layout changed; update iron_river/view/assets.py"
        )
    return sorted(
        (Asset(n, s, tuple(sorted(f for f in files if f))) for (n, s), files in found.items()),
        key=lambda a: a.folder,
    )


def _solara_version() -> str:
    import solara

    return solara.__version__


def missing(assets: list[Asset], cache: Path) -> list[Asset]:
    """Return the assets not (completely) present in ``cache``."""
    out = []
    for asset in assets:
        folder = cache / asset.folder
        if not (folder / _MARKER).is_file() or not all((folder / f).is_file() for f in asset.files):
            out.append(asset)
    return out


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError(
            "npm was not found on PATH. It is needed once, at setup, to fetch Solara's front end "
            "from the npm registry so the browser view works offline (e.g. `apt-get install -y "
            "npm`, or install Node.js), then rerun `python -m iron_river.view.assets install`."
        )
    return npm


def _npm_pack(assets: list[Asset], dest: Path) -> list[dict]:
    specs = [asset.folder for asset in assets]
    cmd = [_npm(), "pack", "--json", "--pack-destination", str(dest), *specs]
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=600, cwd=dest, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise AssetError(
            f"`{' '.join(cmd)}` took more than 10 minutes; is the npm registry reachable?"
        ) from exc
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise AssetError(
            f"`npm pack {' '.join(specs)}` failed (exit {proc.returncode}); the npm registry "
            f"must be reachable once, at setup (check `npm config get registry` and any "
            f"proxy):\n{tail}"
        )
    try:
        packed = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise AssetError(f"could not read `npm pack --json` output:\n{proc.stdout[:2000]}") from exc
    if len(packed) != len(assets):
        raise AssetError(f"npm packed {len(packed)} packages for {len(assets)} requested")
    return packed


def _unpack(tgz: Path, target: Path) -> None:
    """Unpack an npm tarball into ``target``, dropping its top folder (usually ``package/``)."""
    with tarfile.open(tgz, "r:gz") as tar:
        members = []
        for member in tar.getmembers():
            parts = Path(member.name).parts
            if len(parts) < 2 or not (member.isfile() or member.isdir()):
                continue
            member.name = str(Path(*parts[1:]))
            members.append(member)
        tar.extractall(target, members=members, filter="data")


def _add_min_aliases(folder: Path, files: tuple[str, ...]) -> None:
    """Copy ``x.js`` to ``x.min.js`` where Solara names a minified file the package lacks.

    The public CDN (jsDelivr) minifies such files on the fly, so Solara may name files that no
    npm tarball contains (``requirejs@2.3.6/require.min.js``); the unminified file does the same.
    """
    for name in files:
        target = folder / name
        for ext in (".js", ".css"):
            source = folder / name.replace(f".min{ext}", ext)
            if name.endswith(f".min{ext}") and not target.exists() and source.is_file():
                shutil.copyfile(source, target)


def install(cache: Path | None = None, force: bool = False, quiet: bool = False) -> list[Asset]:
    """Fetch and unpack every missing asset into Solara's CDN cache.

    Idempotent: an asset already present (with its marker file and every file Solara names) is
    left alone, so a second run only reads the disk.

    Args:
        cache: cache folder; Solara's configured one by default.
        force: reinstall assets even if present.
        quiet: print nothing when there is nothing to do.

    Returns:
        The assets that were installed by this call.

    Raises:
        AssetError: npm is missing, the registry is unreachable, or a package lacks a file Solara
            names.
    """
    cache = cache or cache_dir()
    assets = required_assets()
    todo = assets if force else missing(assets, cache)
    if not todo:
        if not quiet:
            print(f"solara front end: all {len(assets)} packages present in {cache}")
        return []
    print(f"solara front end: fetching {len(todo)} npm packages into {cache}", flush=True)
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="iron-river-assets-") as tmp:
        tmpdir = Path(tmp)
        packed = _npm_pack(todo, tmpdir)
        for asset, info in zip(todo, packed, strict=True):
            final = cache / asset.folder
            staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=cache))
            staging.chmod(0o755)  # mkdtemp makes it private; a shared environment needs to read it
            try:
                _unpack(tmpdir / info["filename"], staging)
                _add_min_aliases(staging, asset.files)
                absent = [f for f in asset.files if not (staging / f).is_file()]
                if absent:
                    raise AssetError(
                        f"{info['name']}@{info['version']} (for {asset.folder}) lacks {absent}"
                    )
                marker = {
                    "spec": asset.folder,
                    "version": info["version"],
                    "integrity": info.get("integrity"),
                    "solara": _solara_version(),
                }
                (staging / _MARKER).write_text(json.dumps(marker, indent=1) + "\n")
                final.parent.mkdir(parents=True, exist_ok=True)
                if final.exists():
                    shutil.rmtree(final)
                os.replace(staging, final)
            finally:
                if staging.exists():
                    shutil.rmtree(staging)
            print(f"  {asset.folder:45s} <- {info['name']}@{info['version']}", flush=True)
    return todo


def main(argv: list[str] | None = None) -> int:
    """Command line: ``install`` (default), ``check`` or ``list``."""
    parser = argparse.ArgumentParser(
        prog="python -m iron_river.view.assets",
        description="Fill Solara's CDN cache from the npm registry so the view works offline.",
    )
    parser.add_argument(
        "command", nargs="?", default="install", choices=["install", "check", "list"]
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="cache folder (default: Solara's, from SOLARA_ASSETS_PROXY_CACHE_DIR)",
    )
    parser.add_argument("--force", action="store_true", help="reinstall even if present")
    args = parser.parse_args(argv)
    try:
        cache = args.cache_dir or cache_dir()
        if args.command == "install":
            install(cache, force=args.force)
            return 0
        assets = required_assets()
        if args.command == "list":
            for asset in assets:
                print(f"{asset.folder:45s} {cache / asset.folder}")
            return 0
        absent = missing(assets, cache)
        for asset in absent:
            print(f"missing: {cache / asset.folder}", file=sys.stderr)
        if absent:
            print("run: python -m iron_river.view.assets install", file=sys.stderr)
            return 1
        print(f"solara front end: all {len(assets)} packages present in {cache}")
        return 0
    except AssetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
