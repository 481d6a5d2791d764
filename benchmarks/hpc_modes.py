"""What each HPC mode costs: the same sweep on the local pool and the three Slurm modes.

    python benchmarks/hpc_modes.py [--runs 16] [--cores 2]      # needs a Slurm (.ci/slurm-up)

For each mode it prints the seconds from the command (or sbatch) to the first batch written
(submission-to-first-result latency: queue, job start, Python and model imports) and to the
last one written (before any collect), and the engine overhead once running,
``(worker-seconds - compute) / compute``, from the sweep's own summary line where it prints
one. The sweep is the real model at a tiny size
(runs of about 0.3 s), so these are fixed costs, not throughput; on a busy cluster add the
queue wait. The README's figures come from this script.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SMOKE = ROOT / "scenarios" / "sweeps" / "smoke.toml"  # renamed "interdiction", more runs


def project(tmp: Path, runs: int) -> Path:
    proj = tmp / "project"
    (proj / "scenarios" / "sweeps").mkdir(parents=True)
    (proj / "logs").mkdir()
    (proj / ".venv").symlink_to(Path(sys.prefix))
    (proj / "docs").symlink_to(ROOT / "docs")
    (proj / "scenarios" / "baseline.toml").symlink_to(ROOT / "scenarios" / "baseline.toml")
    spec = SMOKE.read_text().replace('name = "smoke"', 'name = "interdiction"')
    spec = re.sub(r"(?m)^replicates = \d+$", f"replicates = {max(1, runs // 4)}", spec)
    spec = re.sub(r"(?m)^batch_size = \d+$", "batch_size = 1", spec)
    (proj / "scenarios" / "sweeps" / "interdiction.toml").write_text(spec)
    return proj


def batches(out: Path) -> int:
    folder = out / "batches"
    return len(list(folder.glob("batch-*.parquet"))) if folder.is_dir() else 0


def in_queue(job: str) -> bool:
    out = subprocess.run(["squeue", "-h", "-j", job], capture_output=True, text=True).stdout
    return bool(out.strip())


def timed(start, done, out: Path, n: int) -> tuple[float, float]:
    """Seconds to the first batch and to ``done()``; ``start()`` launches the mode."""
    t0 = time.perf_counter()
    handle = start()
    first = None
    while not done(handle):
        if first is None and batches(out):
            first = time.perf_counter() - t0
        time.sleep(0.05)
    total = time.perf_counter() - t0
    assert batches(out) == n, f"{batches(out)} of {n} batches"
    return first if first is not None else total, total


def overhead(text: str) -> str:
    m = re.search(r"overhead (-?\d+)%", text)
    return f"{m[1]}%" if m else "-"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=16, help="runs in the sweep (multiple of 4)")
    ap.add_argument("--cores", type=int, default=2, help="cores per job / pool size")
    args = ap.parse_args()
    if shutil.which("sbatch") is None:
        sys.exit("no sbatch: start a Slurm with .ci/slurm-up")
    n, c = args.runs, args.cores
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        proj = project(Path(tmp), n)
        spec = "scenarios/sweeps/interdiction.toml"
        sweep = [str(BIN / "iron-river"), "sweep", spec, "--no-progress"]

        def run(extra: list[str], out: str):
            def start():
                return subprocess.Popen(
                    [*sweep, "--out", out, *extra],
                    cwd=proj,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )

            return start

        for label, extra in [
            ("local pool", ["--workers", str(c)]),
            (
                "job-queue (--cluster slurm)",
                ["--cluster", "slurm", "--cores-per-job", str(c), "--memory", "2GB"],
            ),
        ]:
            out = f"results/{label.split()[0]}"
            procs = []

            def start(extra=extra, out=out, procs=procs):
                procs.append(run(extra, out)())
                return procs[-1]

            first, total = timed(start, lambda p: p.poll() is not None, proj / out, n)
            err = procs[-1].communicate()[1]
            rows.append((label, first, total, overhead(err)))

        def sbatch(*cmd: str) -> str:
            r = subprocess.run(
                ["sbatch", "--parsable", *cmd], cwd=proj, capture_output=True, text=True
            )
            assert r.returncode == 0, r.stderr
            return r.stdout.strip().split(";")[0]

        arr = proj / "results" / "interdiction"
        jobs = []

        def submit(*cmd: str) -> str:
            jobs.append(sbatch(*cmd))
            return jobs[-1]

        def written(_job) -> bool:
            return batches(arr) == n

        first, total = timed(
            lambda: submit(
                f"--array=0-{c - 1}",
                "--cpus-per-task=1",
                "--mem=1G",
                "docs/hpc/sweep-array.sbatch",
            ),
            written,
            arr,
            n,
        )
        while in_queue(jobs[-1]):
            time.sleep(0.2)
        rows.append((f"array ({c} shards of 1 core)", first, total, "-"))
        shutil.rmtree(arr)
        env = {"IFACE": "lo"}
        first, total = timed(
            lambda: submit(
                "--nodes=1",
                f"--cpus-per-task={c}",
                "--mem=4G",
                f"--export=ALL,IFACE={env['IFACE']}",
                "docs/hpc/sweep-dask.sbatch",
            ),
            written,
            arr,
            n,
        )
        while in_queue(jobs[-1]):
            time.sleep(0.2)
        log = sorted((proj / "logs").glob("ir-dask-*.out"))[-1].read_text()
        rows.append(("allocation (Dask in one job)", first, total, overhead(log)))
    print(f"{n} runs of the real model (scale 5000, 1 year, about 0.3 s each), {c} cores\n")
    print("| mode | first result after | all results after | overhead once running |")
    print("|---|---|---|---|")
    for label, first, total, ov in rows:
        print(f"| {label} | {first:.1f} s | {total:.1f} s | {ov} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
