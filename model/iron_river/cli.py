"""The ``iron-river`` command: run scenarios, validate the baseline, compare, list parameters.

Bad input (a scenario file that is missing, malformed or misspelt, a value out of
range, a scenario name that is not a plain name, an ``--out`` folder that is not ours or
cannot be written, engine options that cannot work or a worker job the batch system refuses)
ends with one clear message and exit code 2, before anything runs and with nothing written.
No Dask worker within ``--worker-timeout`` ends with exit code 1; Ctrl-C with 130. A closed
pipe (``iron-river params | head``) ends quietly.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from iron_river import __version__
from iron_river.experiments import (
    calibration,
    engine_options,
    options,
    report,
    sensitivity,
)
from iron_river.experiments.compare import compare, plan
from iron_river.experiments.runs import run_replicates
from iron_river.outputs.files import run_destination, write_results
from iron_river.outputs.folders import finish
from iron_river.outputs.metrics import across_replicates
from iron_river.outputs.targets import VALIDATION_HEADER, validation_table
from iron_river.scenario import IronRiverScenario, ScenarioError, catalog, load_scenario
from iron_river.sweep import cli as sweep

EXIT_BAD_INPUT = 2
EXIT_BROKEN_PIPE = 141  # what a shell reports for a Unix tool ended by SIGPIPE
HEADLINE = (
    "guns_trafficked_us_to_mx",
    "guns_delivered",
    "homicides_total",
    "us_border_arrivals",
    "migrants_exposed_share",
)


class Parser(argparse.ArgumentParser):
    """``argparse`` with one-line errors: ``iron-river run: error: argument --seed: ...``."""

    def error(self, message: str) -> NoReturn:
        """Print the message and a pointer to ``--help``; exit with status 2."""
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _default_scenario_path() -> Path | None:
    p = Path("scenarios/baseline.toml")
    return p if p.is_file() else None


def _load(path: str | None, sets: list[str], args: argparse.Namespace) -> IronRiverScenario:
    extra = list(sets or [])
    for key in ("years", "scale"):
        value = getattr(args, key, None)
        if value is not None:
            extra.append(f"{key}={value}")
    if getattr(args, "point", False):
        extra.append("parameters=point")
    if getattr(args, "posterior", None):
        extra.append(f"posterior={args.posterior}")
    try:
        return load_scenario(path, extra)
    except ScenarioError as exc:
        if exc.key == "posterior" and getattr(args, "posterior", None):
            raise ScenarioError(exc.reason, file="--posterior") from None
        raise


def _name_origin(path: str | None, sets: list[str]) -> str:
    """Where a scenario's name came from, for error messages: ``--set`` or the file."""
    if any(item.partition("=")[0].strip() == "name" for item in sets or []):
        return "--set"
    return path or "defaults"


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3f}"


def _print_headline(summary: dict, out: Path) -> None:
    print(f"results: {out}")
    for key in HEADLINE:
        m = summary["metrics"][key]
        print(
            f"  {key:32s} {_fmt(m['mean']):>12s}   (90% of replicates: "
            f"{_fmt(m['p05'])} – {_fmt(m['p95'])})"
        )
    p = summary.get("parameters") or {}
    if p:
        what = {"posterior": "a draw per replicate from the", "point": "the medians of the"}
        source = f"{what.get(p.get('mode'), '')} {p.get('source')}".strip()
        print(f"  parameters: {source}; the 90% ranges are {p.get('intervals')}")


def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario and write its results."""
    scenario = _load(args.scenario, args.set, args)
    out, latest = run_destination(
        scenario, args.seed, args.replicates, args.out, _name_origin(args.scenario, args.set)
    )
    runs = run_replicates(scenario, args.seed, args.replicates, args.quiet, args.households_sample)
    summary = write_results(
        out, scenario, runs, args.seed, [sys.argv[0], *sys.argv[1:]], overrides=args.set
    )
    finish(out, latest)
    _print_headline(summary, out)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Run the baseline and check it against FACTS.md T1–T10."""
    scenario = _load(args.scenario, args.set, args)
    runs = run_replicates(scenario, args.seed, args.replicates, args.quiet)
    metrics = across_replicates([r.metrics for r in runs])
    rows, ok = validation_table(metrics)
    header = VALIDATION_HEADER
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))
    print(
        f"\n{'all targets pass' if ok else 'some targets FAIL'} "
        f"({len(runs)} replicates, scale 1:{scenario.scale:g}, {scenario.years} years)"
    )
    print(f"parameters: {_parameters_line(runs)}")
    return 0 if ok else 1


def _parameters_line(runs: list) -> str:
    """Where the runs' parameters came from, in words."""
    src = runs[0].parameters if runs and runs[0].parameters else {}
    mode = src.get("parameters", "defaults")
    if mode == "posterior":
        drawn = len({r.parameters.get("particle") for r in runs})
        return (
            f"a posterior draw per replicate ({drawn} distinct of the {src['source']}): "
            "5–95% is the predictive interval, parameter and seed uncertainty together"
        )
    if mode == "point":
        return f"the posterior's medians ({src['source']}): 5–95% is seed noise only"
    return f"the schema defaults ({src.get('source', '')}): 5–95% is seed noise only"


def cmd_compare(args: argparse.Namespace) -> int:
    """Run (or reuse) several scenarios and tabulate each metric against the first."""
    scenarios = [_load(p, args.set, args) for p in args.scenarios]
    out, latest = plan(scenarios, args.out, args.seed, args.replicates)
    return compare(scenarios, out, args, latest)


def cmd_params(args: argparse.Namespace) -> int:
    """List every parameter with default, unit, range and provenance."""
    text = catalog.as_json() if args.json else catalog.as_markdown() if args.markdown else None
    print(text if text is not None else catalog.as_text())
    return 0


def cmd_view(args: argparse.Namespace) -> int:
    """Start the browser view."""
    from iron_river.view.server import serve

    if args.scenario and Path(args.scenario).suffix == ".toml":
        load_scenario(args.scenario)  # validate a file before starting a server
    return serve(args.scenario, host=args.host, port=args.port) or 0


def _add_scenario_options(p: argparse.ArgumentParser, *, replicates: int) -> None:
    p.add_argument(
        "--seed", type=options.SEED, default=20190101, help="root seed (default 20190101)"
    )
    p.add_argument("--years", type=options.YEARS, help="measured years (default: the scenario's)")
    p.add_argument(
        "--replicates",
        type=options.REPLICATES,
        default=replicates,
        help=f"replicates with independent seeds (default {replicates})",
    )
    p.add_argument("--scale", type=options.SCALE, help="real households per simulated household")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter by dotted key (repeatable; see `iron-river params`)",
    )
    p.add_argument(
        "--point",
        action="store_true",
        help="run every replicate at the posterior's medians (quick; intervals are seed noise "
        "only) instead of a posterior draw per replicate (same as --set parameters=point)",
    )
    p.add_argument(
        "--posterior",
        metavar="PATH",
        help="draw from this posterior instead of the shipped one: a fit's posterior/ or "
        "checkpoint/ folder (or its posterior.csv), e.g. your own `iron-river calibrate` "
        "(same as --set posterior=PATH)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``iron-river``."""
    parser = Parser(
        prog="iron-river",
        description="Agent-based model of US guns trafficked south and migration north.",
    )
    parser.add_argument("--version", action="version", version=f"iron-river {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="run a scenario and write results/<name>/<time>-<key>/")
    p.add_argument("scenario", help="scenario TOML file, e.g. scenarios/baseline.toml")
    _add_scenario_options(p, replicates=5)
    p.add_argument(
        "--out",
        help="results folder (default: a new results/<name>/<UTC time>-<key>/, with "
        "results/<name>/latest pointing at it); an existing folder is replaced only if "
        "iron-river wrote it and nothing was added to it",
    )
    p.add_argument(
        "--households-sample",
        type=options.whole(0),
        default=0,
        metavar="N",
        help="also write the weekly trajectories of N random households",
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("validate", help="check the baseline against FACTS.md T1–T10")
    p.add_argument("--scenario", default=None, help="scenario file (default: the baseline)")
    _add_scenario_options(p, replicates=10)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("compare", help="compare scenarios against the first one")
    p.add_argument("scenarios", nargs="+", help="scenario TOML files; the first is the reference")
    _add_scenario_options(p, replicates=10)
    p.add_argument(
        "--out",
        help="folder for the table and figure (default: a new results/compare/<time>-<key>/)",
    )
    p.add_argument("--rerun", action="store_true", help="ignore results already on disk")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("params", help="list every parameter")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true")
    g.add_argument("--markdown", action="store_true")
    p.set_defaults(func=cmd_params)

    p = sub.add_parser("view", help="start the interactive browser view")
    p.add_argument("scenario", nargs="?", help="scenario to open (default: the baseline)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=options.PORT, default=8765)
    p.set_defaults(func=cmd_view)

    sweep.register(sub)
    report.register(sub)
    sensitivity.register(sub)
    calibration.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``iron-river`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        return _broken_pipe()
    except ScenarioError as exc:
        print(f"iron-river: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (
        engine_options.EngineError
    ) as exc:  # bad engine options, or a job the batch system refused
        print(f"iron-river: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except engine_options.NoWorkersError as exc:
        print(f"iron-river: error: {exc}; nothing was written", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"iron-river: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("iron-river: interrupted; nothing was written", file=sys.stderr)
        return 130


def _broken_pipe() -> int:
    """The reader of our output went away (``| head``): stop quietly, as Unix tools do."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush cannot fail again
    return EXIT_BROKEN_PIPE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
