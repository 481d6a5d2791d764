"""Ship a fit: its posterior becomes the package's, the one every command draws from.

    python -m iron_river.experiments.install_posterior results/calibration/<fit>/posterior

(``make ship-posterior FIT=…`` does this, then refreshes every document that shows the
posterior: the ODD's identification table and figures, the policy report, the README blocks.)

Only a posterior every command can use is installed: fitted to this model version, over
every parameter with a prior, by ``iron-river calibrate`` (its record names the fit). The
two files are replaced together, each atomically, the CSV last, so a reader never pairs a new
record with old particles for longer than one rename.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path

from iron_river.scenario import ScenarioError
from iron_river.scenario.posterior import Posterior, at, checked, digest, fitted_keys

EXIT_BAD_INPUT = 2


def package_data() -> Path:
    """The folder of the package's posterior (in a source checkout: the repository's)."""
    return Path(str(resources.files("iron_river.scenario").joinpath("data")))


def check(path: str | Path) -> Posterior:
    """The posterior at ``path`` if every command can draw from it, else one ScenarioError."""
    post = at(checked(path, str(path)))
    missing = sorted(set(fitted_keys()) - set(post.keys))
    if missing:
        raise ScenarioError(
            f"does not fit {len(missing)} parameters with a prior: {missing}", file=str(path)
        )
    for need in ("generations", "simulations", "epsilon_schedule", "seed", "sizes"):
        if need not in post.meta:
            raise ScenarioError(
                f"its posterior.json names no {need!r}: not a fit by `iron-river calibrate`",
                file=str(path),
            )
    return post


def install(path: str | Path, into: Path | None = None) -> Path:
    """Copy a checked posterior into ``into`` (default: the package's data folder)."""
    check(path)
    src = Path(checked(path, str(path)))
    into = package_data() if into is None else into
    if not into.is_dir():
        raise ScenarioError("no such folder to install into", file=str(into))
    for name, source in (("posterior.json", src.with_suffix(".json")), ("posterior.csv", src)):
        target = into / name
        if target.exists() and target.resolve() == source.resolve():
            continue
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=into)
        os.close(fd)
        try:
            shutil.copyfile(source, tmp)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return into / "posterior.csv"


def main(argv: list[str] | None = None) -> int:
    """Install a fit's posterior as the package's."""
    parser = argparse.ArgumentParser(
        prog="python -m iron_river.experiments.install_posterior", description=__doc__
    )
    parser.add_argument("posterior", help="a fit's posterior/ or checkpoint/ folder, or its CSV")
    parser.add_argument("--into", help="install here instead of the package's data folder")
    args = parser.parse_args(argv)
    try:
        post = check(args.posterior)
        target = install(args.posterior, Path(args.into) if args.into else None)
    except ScenarioError as exc:
        print(f"install_posterior: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    meta = post.meta
    print(
        f"installed {target}: {post.size} particles, {meta['generations']} generations, "
        f"{meta['simulations']} simulations, final tolerance {meta['epsilon_schedule'][-1]:.3g} "
        f"({digest(post)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
