"""Speed of one replicate, this checkout against another, measured back to back.

    .venv/bin/python benchmarks/speed.py --other ../old-main --rounds 5

Runs the default replicate (the baseline at 1:100, 5 burn-in + 10 measured years, model
construction included, outputs not written) in a fresh subprocess per measurement, alternating
between this checkout and ``--other`` (another checkout of the project, e.g. a worktree of an
older commit: ``git worktree add ../old-main <commit>``), so both see the same machine load.
Prints wall and CPU seconds of every round, the minimum and median of each, and the ratios
(other / this). A checkout with the ``parameters`` key runs ``--parameters`` (default: the
schema defaults, the same kind of parameter set an older checkout runs, so the comparison is
of code, not of a posterior draw). The machine may be shared: the minimum CPU time is the
steadiest figure.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys, time
sys.path.insert(0, {path!r})
from iron_river.scenario import load_scenario
from iron_river.model import IronRiverModel
try:
    from iron_river.scenario.scenario import PARAMETERS
except ImportError:  # before issue 10: one module
    from iron_river.scenario import PARAMETERS
extra = ["parameters={parameters}"] if "parameters" in PARAMETERS else []
sc = load_scenario(None, ["years=10", "burn_in_years=5", "scale=100", *extra])
w0, c0 = time.perf_counter(), time.process_time()
m = IronRiverModel(sc, rng={seed})
while m.running:
    m.step()
print(json.dumps({{"wall": time.perf_counter() - w0, "cpu": time.process_time() - c0}}))
"""


def package_dir(checkout: Path, tmp: Path) -> str:
    """A folder to put on sys.path so that ``import iron_river`` imports that checkout."""
    if (checkout / "model" / "iron_river").is_dir():  # layout since issue 10
        return str(checkout / "model")
    link = tmp / "old"  # before: the folder model/ was the package, mapped by pyproject
    link.mkdir()
    (link / "iron_river").symlink_to(checkout / "model")
    return str(link)


def measure(path: str, seed: int, parameters: str) -> dict[str, float]:
    """One replicate in a fresh interpreter."""
    code = CHILD.format(path=path, seed=seed, parameters=parameters)
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    """Measure, print, return 0."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--other", type=Path, required=True, help="another checkout to compare with")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--parameters",
        default="defaults",
        choices=("defaults", "posterior", "point"),
        help="the parameters of a checkout that has the `parameters` key (older ones: defaults)",
    )
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = {"this": str(ROOT / "model"), "other": package_dir(args.other.resolve(), Path(tmp))}
        times: dict[str, list[dict[str, float]]] = {"this": [], "other": []}
        for r in range(args.rounds):
            for name in ("other", "this") if r % 2 == 0 else ("this", "other"):
                t = measure(paths[name], args.seed, args.parameters)
                times[name].append(t)
                print(f"round {r + 1} {name:5s}  wall {t['wall']:6.2f} s  cpu {t['cpu']:6.2f} s")
    print()
    summary = {}
    for name, ts in times.items():
        for k in ("wall", "cpu"):
            v = [t[k] for t in ts]
            summary[name, k] = (min(v), statistics.median(v))
        print(
            f"{name:5s}  wall min {summary[name, 'wall'][0]:.2f} "
            f"median {summary[name, 'wall'][1]:.2f}"
            f"   cpu min {summary[name, 'cpu'][0]:.2f} median {summary[name, 'cpu'][1]:.2f}"
        )
    for k in ("wall", "cpu"):
        lo = summary["other", k][0] / summary["this", k][0]
        med = summary["other", k][1] / summary["this", k][1]
        print(f"speed-up ({k}): {lo:.2f}x on the minimum, {med:.2f}x on the median")
    return 0


if __name__ == "__main__":
    sys.exit(main())
