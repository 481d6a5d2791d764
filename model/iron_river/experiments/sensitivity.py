"""``iron-river sensitivity SPEC``: global sensitivity indices with SALib (Sobol or Morris).

A sensitivity file (``scenarios/sensitivity/*.toml``) names the base scenario, the uncertain
parameters with their ranges, the outputs, and optionally a policy to measure the response to::

    name = "key_assumptions"
    base = "../baseline.toml"          # relative to this file
    method = "morris"                  # morris | sobol (the command's --method overrides)
    samples = 10                       # Morris trajectories; Sobol base samples N (power of 2)
    replicates = 2                     # seeds per design row (common to every row)
    years = 10
    scale = 100
    root_seed = 20261128
    outputs = ["us_border_arrivals", "homicides_total", "guns_delivered"]

    [policy]                           # optional: outputs become the paired relative change
    "policy.us_southbound_interdiction" = 0.22

    [parameters]
    "migration.violence_effect" = [0.0, 2.0]

Stochastic noise must not masquerade as sensitivity: every design row uses the same replicate
seeds (common random numbers), each output is the mean over the replicates, and the report gives
the *noise share* of each output — the variance of a row's replicate mean that is noise, as a
fraction of the output's variance over the design. Indices of an output whose noise share is
not small are not to be trusted; add replicates.

``method = "posterior"`` measures sensitivity over the worlds the calibration accepts, not over
ranges that include worlds it rejects: the design rows are ``samples`` parameter sets drawn from
the shipped posterior (every fitted parameter of a row set together, by weight), and the index
is Borgonovo's moment-independent δ with SALib's given-data estimator (with its first-order S1),
for the parameters named as a list (``parameters = ["migration.violence_effect", ...]``; default
every fitted parameter).

Runs go through the sweep engine's backends (see :class:`iron_river.experiments.design.Design`).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import difflib
import io
import json
import math
import sys
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from iron_river.experiments import clusters, engine_options, options
from iron_river.experiments.design import Config, Design, open_backend, paired_change
from iron_river.outputs.files import describe_folder
from iron_river.outputs.folders import (
    atomic_folder,
    check_name,
    check_out,
    content_key,
    destination,
    finish,
)
from iron_river.scenario import PARAMETERS, ScenarioError, load_scenario
from iron_river.scenario.posterior import named
from iron_river.scenario.scenario import PRIORS

METHODS = ("morris", "sobol", "posterior")
TOP_KEYS = (
    "name",
    "description",
    "base",
    "method",
    "samples",
    "replicates",
    "years",
    "scale",
    "burn_in_years",
    "root_seed",
    "outputs",
    "policy",
    "parameters",
    "num_levels",
)
DEFAULT_OUTPUTS = ("us_border_arrivals", "homicides_total", "guns_delivered")
POSTERIOR_MIN_SAMPLES = 40  # fewer and SALib's δ cannot bin the given data
INDEX = {
    "morris": ("mu_star", "mu_star_conf"),
    "sobol": ("ST", "ST_conf"),
    "posterior": ("delta", "delta_conf"),
}
LABEL = {
    "morris": "Morris μ*",
    "sobol": "total-order index ST",
    "posterior": "Borgonovo δ over the posterior",
}


@dataclass
class SensitivitySpec:
    """A validated sensitivity file."""

    path: Path
    name: str
    base: Path
    method: str
    samples: int
    replicates: int
    years: int
    scale: float
    burn_in_years: int | None
    root_seed: int
    outputs: tuple[str, ...]
    parameters: dict[str, tuple[float, float]]
    policy: dict[str, Any] = field(default_factory=dict)
    num_levels: int = 4
    description: str = ""
    posterior: str = ""  # the base scenario's (absolute path; empty: the shipped one)

    @property
    def problem(self) -> dict[str, Any]:
        """The SALib problem definition."""
        return {
            "num_vars": len(self.parameters),
            "names": list(self.parameters),
            "bounds": [list(b) for b in self.parameters.values()],
        }


def _err(path: Path, key: str, msg: str) -> ScenarioError:
    return ScenarioError(msg, file=str(path), key=key or None)


def load_spec(
    path: str | Path, method: str | None = None, samples: int | None = None
) -> SensitivitySpec:
    """Read and validate a sensitivity file; ``method`` and ``samples`` override the file's.

    Raises:
        ScenarioError: naming the file, the key and what is allowed; nothing has run.
    """
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise _err(path, "", f"cannot read the sensitivity file ({e.strerror})") from None
    except tomllib.TOMLDecodeError as e:
        raise _err(path, "", f"malformed TOML: {e}") from None
    for key in doc:
        if key not in TOP_KEYS:
            close = difflib.get_close_matches(key, TOP_KEYS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise _err(path, key, f"unknown key{hint}")
    if "base" not in doc:
        raise _err(path, "base", 'is required, e.g. base = "../baseline.toml"')
    base = (path.parent / str(doc["base"])).resolve()
    drawn = load_scenario(base).posterior  # ScenarioError if missing or invalid
    method = method or doc.get("method", "morris")
    if method not in METHODS:
        raise _err(path, "method", f"must be one of {', '.join(METHODS)}, got {method!r}")
    samples = _int(
        path,
        "samples",
        samples or doc.get("samples", 8),
        POSTERIOR_MIN_SAMPLES if method == "posterior" else 2,
    )
    if method == "sobol" and samples & (samples - 1):
        raise _err(path, "samples", f"sobol needs a power of two, got {samples}")
    if method == "posterior":
        bounds = _posterior_keys(path, doc.get("parameters"), drawn)
        params = {}
    else:
        params = doc.get("parameters", {})
    if method != "posterior" and (not isinstance(params, dict) or len(params) < 2):
        raise _err(path, "parameters", "needs at least two parameters: key = [low, high]")
    bounds = bounds if method == "posterior" else {}
    for key, rng in params.items():
        spec = PARAMETERS.get(key)
        if spec is None:
            close = difflib.get_close_matches(key, PARAMETERS, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise _err(path, f"parameters.{key}", f"unknown parameter{hint}")
        ok = isinstance(rng, list) and len(rng) == 2
        ok = ok and all(isinstance(v, int | float) and not isinstance(v, bool) for v in rng)
        if not ok or not rng[0] < rng[1]:
            raise _err(path, f"parameters.{key}", f"must be [low, high] with low < high: {rng!r}")
        if (spec.lo is not None and rng[0] < spec.lo) or (spec.hi is not None and rng[1] > spec.hi):
            raise _err(path, f"parameters.{key}", f"outside {spec.describe_range()}: {rng!r}")
        bounds[key] = (float(rng[0]), float(rng[1]))
    outputs = tuple(doc.get("outputs", DEFAULT_OUTPUTS))
    policy = dict(doc.get("policy", {}))
    scenario = load_scenario(base)
    scenario.with_values({**policy, **{k: b[0] for k, b in bounds.items()}}, origin=str(path))
    return SensitivitySpec(
        path=path,
        name=str(doc.get("name", path.stem)),
        base=base,
        method=method,
        samples=samples,
        replicates=_int(path, "replicates", doc.get("replicates", 2), 1),
        years=_int(path, "years", doc.get("years", 10), 1),
        scale=float(doc.get("scale", 100)),
        burn_in_years=_int(path, "burn_in_years", doc["burn_in_years"], 0)
        if "burn_in_years" in doc
        else None,
        root_seed=_int(path, "root_seed", doc.get("root_seed", 20261128), 0),
        outputs=outputs,
        parameters=bounds,
        policy=policy,
        num_levels=_int(path, "num_levels", doc.get("num_levels", 4), 2),
        description=str(doc.get("description", "")),
        posterior=drawn,
    )


def _posterior_keys(path: Path, given: Any, drawn: str) -> dict[str, tuple[float, float]]:
    """The fitted parameters a posterior design reports (bounds: their priors)."""
    post, sentence = named(drawn)
    if post is None:
        raise _err(path, "method", f"'posterior' needs the shipped posterior: {sentence}")
    if given is None:
        keys = list(post.keys)
    elif isinstance(given, list | dict) and len(given) >= 2:
        keys = list(given)
    else:
        raise _err(path, "parameters", "with method 'posterior': a list of at least two keys")
    missing = [k for k in keys if k not in post.keys]
    if missing:
        raise _err(
            path,
            "parameters",
            f"not fitted, so not in the posterior: {missing} (fitted: `iron-river params`, "
            "the ones with a prior)",
        )
    return {k: (PRIORS[k].lo, PRIORS[k].hi) for k in keys}


def posterior_rows(spec: SensitivitySpec) -> list[int]:
    """The particles of a posterior design: ``samples`` weighted draws fixed by the root seed."""
    post = named(spec.posterior)[0]
    assert post is not None
    rng = np.random.default_rng(spec.root_seed)
    return [int(i) for i in rng.choice(post.size, spec.samples, p=post.weights)]


def _int(path: Path, key: str, value: Any, lo: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise _err(path, key, f"must be an integer ≥ {lo}, got {value!r}")
    return value


def design_matrix(spec: SensitivitySpec) -> np.ndarray:
    """The SALib sample (rows × parameters); integer parameters are rounded."""
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    if spec.method == "posterior":
        post = named(spec.posterior)[0]
        cols = [post.keys.index(k) for k in spec.parameters]
        return post.values[posterior_rows(spec)][:, cols]
    if spec.method == "sobol":
        x = sobol_sample.sample(
            spec.problem, spec.samples, calc_second_order=False, seed=spec.root_seed
        )
    else:
        x = morris_sample.sample(
            spec.problem, spec.samples, num_levels=spec.num_levels, seed=spec.root_seed
        )
    for j, key in enumerate(spec.parameters):
        if PARAMETERS[key].kind is int:
            x[:, j] = np.rint(x[:, j])
    return x


def analyse(spec: SensitivitySpec, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """SALib indices of one output (means over replicates, one value per design row)."""
    from SALib.analyze import delta as delta_analyze
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    if spec.method == "posterior":
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SALib's notes on how it binned
            si = delta_analyze.analyze(
                spec.problem, x, y, num_resamples=50, seed=spec.root_seed, print_to_console=False
            )
        # the balanced (bias-corrected) estimate where SALib could bin, else the raw one
        bal, raw = np.asarray(si["delta_balanced"]), np.asarray(si["delta_raw"])
        ok = np.isfinite(bal)
        si = {
            "delta": np.where(ok, bal, raw),
            "delta_conf": np.where(ok, si["delta_balanced_conf"], si["delta_raw_conf"]),
            "S1": si["S1"],
            "S1_conf": si["S1_conf"],
        }
        keys = ("delta", "delta_conf", "S1", "S1_conf")
    elif spec.method == "sobol":
        si = sobol_analyze.analyze(spec.problem, y, calc_second_order=False, seed=spec.root_seed)
        keys = ("S1", "S1_conf", "ST", "ST_conf")
    else:
        si = morris_analyze.analyze(
            spec.problem, x, y, num_levels=spec.num_levels, seed=spec.root_seed
        )
        keys = ("mu_star", "mu_star_conf", "mu", "sigma")
    return {k: [float(v) for v in np.asarray(si[k], dtype=float)] for k in keys}


def noise_share(per_replicate: np.ndarray) -> float:
    """Share of the variance of row means that is replicate noise (rows × replicates)."""
    r = per_replicate.shape[1]
    if r < 2:
        return math.nan
    noise = float(np.nanmean(np.nanvar(per_replicate, axis=1, ddof=1))) / r
    total = float(np.nanvar(np.nanmean(per_replicate, axis=1), ddof=1))
    return noise / total if total > 0 else math.nan


def run(
    spec: SensitivitySpec,
    out: Path,
    *,
    engine: Any = None,
    backend: Any = None,
    quiet: bool = False,
) -> dict[str, Any]:
    """Run the design, compute indices, write the tables and figure into ``out`` atomically.

    Args:
        spec: the sensitivity file.
        out: the results folder.
        engine: engine options (:class:`engine_options.EngineOptions` or parsed args); None: serial.
        backend: an open backend to use instead (e.g. the report's).
        quiet: no progress output.
    """
    check_out(out)
    cfg = Config(
        replicates=spec.replicates,
        years=spec.years,
        scale=spec.scale,
        burn_in_years=spec.burn_in_years,
        seed=spec.root_seed,
        out=out,
        engine=engine,
        quiet=quiet,
        posterior=spec.posterior or None,
    )
    if backend is None:
        with open_backend(cfg, "sensitivity") as opened:
            return _run(spec, out, Design(cfg, opened))
    return _run(spec, out, Design(cfg, backend))


def _run(spec: SensitivitySpec, out: Path, design: Design) -> dict[str, Any]:
    x = design_matrix(spec)
    reps = range(spec.replicates)
    names = list(spec.parameters)
    rows = []
    particles = posterior_rows(spec) if spec.method == "posterior" else None
    for i, row in enumerate(x):
        if particles is not None:  # the whole calibrated world of the particle, not one key
            values = named(spec.posterior)[0].particle(particles[i])
        else:
            values = {
                k: (int(v) if PARAMETERS[k].kind is int else float(v))
                for k, v in zip(names, row, strict=True)
            }
        base = design.add(spec.base, values, reps)
        pol = design.add(spec.base, {**values, **spec.policy}, reps) if spec.policy else None
        rows.append((base, pol))
    design.run()
    results: dict[str, Any] = {
        "name": spec.name,
        "method": spec.method,
        "parameters": {k: list(b) for k, b in spec.parameters.items()},
        "policy": spec.policy,
        "replicates": spec.replicates,
        "rows": len(x),
        "runs": len(design.jobs),
        "backend": design.backend_name,
        "outputs": {},
    }
    ys = {}
    for output in spec.outputs:
        per = []
        for base, pol in rows:
            b = design.metrics(base, output)
            per.append(paired_change(design.metrics(pol, output), b) if pol else b)
        per_rep = np.array(per)
        y = np.nanmean(per_rep, axis=1)
        ys[output] = y
        results["outputs"][output] = {
            "indices": analyse(spec, x, y),
            "noise_share": noise_share(per_rep),
            "mean": float(np.nanmean(y)),
        }
    with atomic_folder(out, {"kind": "sensitivity", "command": sys.argv}) as tmp:
        _write_design(tmp / "design.csv", names, x, ys)
        _write_indices(tmp / "indices.csv", spec, names, results)
        _figure(tmp / "indices.png", spec, names, results)
        (tmp / "indices.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        (tmp / "spec.toml").write_text(spec.path.read_text(encoding="utf-8"), encoding="utf-8")
        describe_folder(tmp)
    return results


def _write_design(path: Path, names: list[str], x: np.ndarray, ys: dict[str, np.ndarray]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([*names, *ys])
        for i, row in enumerate(x):
            w.writerow([*(f"{v:.6g}" for v in row), *(f"{ys[o][i]:.6g}" for o in ys)])


def _write_indices(path: Path, spec: SensitivitySpec, names: list[str], res: dict) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        first = next(iter(res["outputs"].values()))["indices"]
        w.writerow(["output", "parameter", *first, "noise_share"])
        for output, o in res["outputs"].items():
            for j, name in enumerate(names):
                w.writerow(
                    [
                        output,
                        name,
                        *(f"{o['indices'][k][j]:.4g}" for k in o["indices"]),
                        f"{o['noise_share']:.3g}",
                    ]
                )


def _figure(path: Path, spec: SensitivitySpec, names: list[str], res: dict) -> None:
    from iron_river.outputs.figures import figure

    outs = list(res["outputs"])
    fig, axes = figure(
        (4.2 * len(outs), 0.45 * len(names) + 1.6), 1, len(outs), sharey=True, squeeze=False
    )
    key, conf = INDEX[spec.method]
    y = np.arange(len(names))
    for ax, output in zip(axes[0], outs, strict=True):
        o = res["outputs"][output]
        ax.barh(y, o["indices"][key], xerr=o["indices"][conf], color="#4c72b0")
        ax.set_title(f"{output}\n(noise share {o['noise_share']:.2g})", fontsize=9)
        ax.set_xlabel(LABEL[spec.method])
    axes[0][0].set_yticks(y, names, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """Run ``iron-river sensitivity``."""
    spec = load_spec(args.spec, args.method, args.samples)
    if args.replicates:
        spec.replicates = args.replicates
    for key in ("years", "scale", "burn_in_years"):
        if getattr(args, key) is not None:
            setattr(spec, key, getattr(args, key))
    check_name(spec.name, str(args.spec))
    root = Path("results") / "sensitivity" / spec.name
    if clusters.dry_run(args, log_directory=root / "logs", job_name="ir-sensitivity"):
        return 0
    key = content_key(kind="sensitivity", spec=repr(spec))
    out, latest = destination(args.out, root, key)
    res = run(spec, out, engine=engine_options.EngineOptions.of(args), quiet=args.quiet)
    finish(out, latest)
    print(f"sensitivity: {out} ({res['runs']} runs, {res['rows']} design rows, {spec.method})")
    for output, o in res["outputs"].items():
        key = INDEX[spec.method][0]
        top = sorted(zip(spec.parameters, o["indices"][key], strict=True), key=lambda t: -t[1])
        print(
            f"  {output}: "
            + ", ".join(f"{k} {v:.3g}" for k, v in top[:3])
            + f" (noise share {o['noise_share']:.2g})"
        )
    return 0


def register(subparsers: Any) -> None:
    """Add ``iron-river sensitivity`` to the CLI's subparsers."""
    p = subparsers.add_parser(
        "sensitivity", help="Sobol, Morris or (over the posterior) Borgonovo indices with SALib"
    )
    p.add_argument("spec", help="sensitivity file, e.g. scenarios/sensitivity/key_assumptions.toml")
    p.add_argument("--method", choices=METHODS, help="override the file's method")
    p.add_argument("--samples", type=options.whole(1), help="override the file's samples")
    p.add_argument("--replicates", type=options.REPLICATES, help="override the file's replicates")
    p.add_argument("--years", type=options.YEARS, help="override the measured years")
    p.add_argument("--scale", type=options.SCALE, help="override the scale")
    p.add_argument("--burn-in-years", type=options.BURN_IN, help="override the burn-in")
    p.add_argument(
        "--out", help="results folder (default: a new results/sensitivity/<name>/<time>-<key>/)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress output")
    engine_options.add_arguments(
        p, workers_help="local worker processes (default 1: in this process)"
    )
    p.set_defaults(func=cmd_sensitivity)
