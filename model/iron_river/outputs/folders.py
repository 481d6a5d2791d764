"""Results folders that never cost a user a file.

The rules every command that writes a folder follows:

- **A folder per run.** Without ``--out``, results go to a new folder
  ``results/<name>/<UTC time>-<key>/`` (``key``: a short hash of what was run) and
  ``results/<name>/latest`` points at the newest; nothing earlier is replaced.
- **``--out`` replaces only our own folders.** An existing ``--out`` folder is replaced only
  if it is empty, or if its ``manifest.json`` says iron-river wrote it and it holds nothing
  but the files that manifest lists. Anything else is refused before anything runs, and left
  untouched.
- **All or nothing.** Everything is written into a temporary folder beside the destination
  and moved into place with one rename; a failed or interrupted run leaves nothing behind.
- **Shared folders stay shared.** Folders get the mode the user's umask gives a new folder
  (``tempfile.mkdtemp`` would make them private).
- **Names are names.** A scenario name becomes a folder name only if it matches
  :data:`NAME_PATTERN` (no ``/``, no ``..``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path
from typing import Any

from iron_river import __version__
from iron_river.scenario import ScenarioError

MANIFEST = "manifest.json"
LATEST = "latest"
PACKAGE = "iron-river"
NAME_PATTERN = re.compile(r"^[^\W_][\w.+-]{0,99}$")
NAME_RULE = (
    "letters, digits, '_', '-', '.' and '+', starting with a letter or digit, "
    "at most 100 characters (it names a folder under results/)"
)


class OutputError(OSError):
    """A results folder cannot be used; ``str()`` says which and what to do instead."""


# ---------------------------------------------------------------------------- names and modes


def check_name(name: str, origin: str = "scenario") -> None:
    """Refuse a name that cannot safely be one folder under ``results/``.

    Raises:
        ScenarioError: naming the origin (a file, ``--set``), the key ``name`` and the rule.
    """
    if not isinstance(name, str) or not NAME_PATTERN.match(name) or name.endswith("."):
        raise ScenarioError(f"got {name!r}; allowed: {NAME_RULE}", file=origin, key="name")


def umask() -> int:
    """The process's umask (read without changing it where Linux allows)."""
    with suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)  # elsewhere: the classic set-and-restore
    os.umask(mask)
    return mask


def folder_mode() -> int:
    """The mode ``mkdir`` gives a new folder under the current umask (e.g. 0o755 for 022)."""
    return 0o777 & ~umask()


def file_mode() -> int:
    """The mode ``open(..., "w")`` gives a new file under the current umask (e.g. 0o644)."""
    return 0o666 & ~umask()


# ---------------------------------------------------------------------------- what a run is


@cache
def fingerprint() -> str:
    """A hash of the package's code and data files: results from other code are not reused."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".csv", ".toml") and "__pycache__" not in path.parts:
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def content_key(**what: Any) -> str:
    """A short hash of what a folder holds the results of (scenario, seeds, sizes...)."""
    text = json.dumps(what, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def utc_now() -> str:
    """The current UTC time as ``YYYYMMDDTHHMMSSZ`` (sorts as text, safe in a file name)."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


def new_folder(root: Path, key: str) -> Path:
    """A folder name under ``root`` that does not exist yet: ``<UTC time>-<key>[-n]``."""
    base = f"{utc_now()}-{key}"
    path, n = root / base, 2
    while path.exists() or path.is_symlink():
        path, n = root / f"{base}-{n}", n + 1
    return path


def point_latest(folder: Path) -> Path | None:
    """Point ``<folder's parent>/latest`` at ``folder``; return the link (None if impossible).

    A relative symbolic link, replaced atomically, so ``results/<name>/latest/summary.json``
    works in every tool and survives moving ``results/``. Where the file system has no
    symbolic links, ``latest`` is a one-line text file naming the folder instead. A ``latest``
    that is a real folder (not ours) is left alone.
    """
    link = folder.parent / LATEST
    if link.exists() and not link.is_symlink() and link.is_dir():
        print(f"iron-river: note: {link} is a folder, not updated", file=sys.stderr)
        return None
    tmp = folder.parent / f".{LATEST}.{os.getpid()}"
    with suppress(FileNotFoundError):
        tmp.unlink()
    try:
        tmp.symlink_to(folder.name, target_is_directory=True)
    except OSError:
        tmp.write_text(folder.name + "\n", encoding="utf-8")
    os.replace(tmp, link)
    return link


def read_latest(root: Path) -> Path | None:
    """The folder ``root/latest`` points at (a link or a text file), or None."""
    link = root / LATEST
    if link.is_symlink() or link.is_dir():
        return link.resolve() if link.exists() else None
    if link.is_file():
        target = root / link.read_text(encoding="utf-8").strip()
        return target if target.is_dir() else None
    return None


# ---------------------------------------------------------------------------- ours or not


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's manifest if iron-river wrote it, else None."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("package") == PACKAGE else None


def _files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir())


def _describe(names: list[str], n: int = 3) -> str:
    shown = ", ".join(names[:n])
    return shown + (f" and {len(names) - n} more" if len(names) > n else "")


def check_out(out: Path) -> None:
    """Refuse, before anything runs, an ``--out`` folder that cannot be written or replaced.

    Allowed: a folder that does not exist yet (in a writable folder), an empty folder, or a
    folder iron-river wrote that holds only the files its manifest lists (it is replaced).

    Raises:
        OutputError: saying what is wrong and that the folder is left untouched.
    """
    out = Path(out)
    here = Path.cwd().resolve()
    if out.exists() and (out.resolve() == here or out.resolve() in here.parents):
        raise OutputError(
            f"{out}: is the current folder or one of its parents; give a new folder for results"
        )
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise OutputError(f"{out}: exists and is not a folder; give a new folder for results")
    if out.is_dir():
        try:
            present = _files_under(out)
        except OSError as exc:
            raise OutputError(f"{out}: cannot be read ({exc.strerror})") from None
        if present:
            manifest = read_manifest(out)
            if manifest is None:
                raise OutputError(
                    f"{out}: exists and was not written by iron-river (it has no iron-river "
                    f"{MANIFEST}); it is left untouched. Give a new or empty folder."
                )
            listed = manifest.get("files")
            if not isinstance(listed, list):
                raise OutputError(
                    f"{out}: written by an older iron-river that did not list its files, so "
                    "it is not replaced; it is left untouched. Give a new or empty folder."
                )
            extra = sorted(set(present) - set(listed))
            if extra:
                raise OutputError(
                    f"{out}: holds files iron-river did not write ({_describe(extra)}); it is "
                    "left untouched. Move them away, or give a new or empty folder."
                )
    check_parent(out)


def check_parent(out: Path) -> None:
    """Prove, by creating and removing an empty folder, that ``out`` can be created."""
    probe = out.parent if out.parent != Path("") else Path(".")
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise OutputError(f"{out}: cannot be created ({probe} is not a folder)")
    try:
        Path(tempfile.mkdtemp(prefix=".iron-river-probe-", dir=probe)).rmdir()
    except OSError as exc:
        raise OutputError(
            f"{out}: cannot be created ({probe} is not writable: {exc.strerror})"
        ) from None


def check_root(root: Path) -> None:
    """Refuse, before anything runs, a default results location that cannot be written."""
    if (root.exists() or root.is_symlink()) and not root.is_dir():
        raise OutputError(f"{root}: exists and is not a folder; results cannot be written there")
    check_parent(root / "x")


# ---------------------------------------------------------------------------- writing


@contextmanager
def atomic_folder(out: Path, manifest: dict[str, Any] | None = None) -> Iterator[Path]:
    """Yield an empty temporary folder; on success it becomes ``out`` in one rename.

    ``manifest.json`` is written last, listing every file, so the folder can later be
    recognised as ours (and replaced only if nobody added files to it).

    Args:
        out: the destination (checked with :func:`check_out`, again just before the rename).
        manifest: what to record besides the package, version, time and file list.
    """
    out = Path(out)
    check_out(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        tmp.chmod(folder_mode())
        yield tmp
        record = {
            "package": PACKAGE,
            "version": __version__,
            "fingerprint": fingerprint(),
            "created_utc": utc_now(),
            **(manifest or {}),
            "files": sorted({*_files_under(tmp), MANIFEST}),
        }
        (tmp / MANIFEST).write_text(
            json.dumps(record, indent=2, default=float) + "\n", encoding="utf-8"
        )
        check_out(out)
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def destination(out: str | Path | None, root: Path, key: str) -> tuple[Path, bool]:
    """Where a command writes: ``--out`` as given (checked), or a new folder under ``root``.

    Returns:
        (folder, whether ``root/latest`` should point at it once written).
    """
    if out:
        check_out(Path(out))
        return Path(out), False
    check_root(root)
    return new_folder(root, key), True


def finish(folder: Path, latest: bool) -> None:
    """After a successful write: update ``latest`` if the folder is one of a series."""
    if latest:
        point_latest(folder)
