"""The posterior: parameter sets that reproduce the targets, shipped with the model.

``iron-river calibrate`` fits every parameter that has a prior by ABC-SMC against the FACTS.md
targets and the response evidence (:mod:`iron_river.experiments.calibration`); the accepted
particles of its last generation, with their weights, are this package's ``data/posterior.csv``
and their provenance ``data/posterior.json`` (the fit's seed, sizes, tolerance schedule, the
model version it was fitted to, each particle's distance).

Replicate ``r`` of a design with root seed ``S`` runs posterior draw ``draw(r, S)``: a weighted
resample fixed by ``(S, r)``, so a baseline and a policy run of one replicate share their
parameters as well as their seed, and a headline interval carries parameter uncertainty and
stochastic noise together. A parameter a scenario sets to a value other than its default is
the scenario's, not the draw's.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from iron_river.scenario.scenario import PARAMETERS, PRIORS, IronRiverScenario
from iron_river.scenario.schema import ScenarioError

# Bumped whenever a mechanism changes what a parameter means: a posterior fitted to another
# version is refused (refit with `iron-river calibrate`).
MODEL_VERSION = "2.0"
DRAW_KEY = 0x5EED  # spawn-key salt of the draw stream, distinct from every model stream


class PosteriorError(ValueError):
    """A posterior file that cannot be used with this model."""


@dataclass
class Posterior:
    """Weighted parameter sets (one row each) and the fit that produced them."""

    keys: tuple[str, ...]
    values: np.ndarray  # N × K
    weights: np.ndarray  # N, summing to 1
    distance: np.ndarray  # N: each particle's distance to the observed statistics
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Posterior:
        """Read a posterior (default: the one shipped in the package) and check it fits."""
        if path is None:
            folder = resources.files("iron_river.scenario").joinpath("data")
            csv_path, meta_path = (
                folder.joinpath("posterior.csv"),
                folder.joinpath("posterior.json"),
            )
            name = "iron_river/scenario/data/posterior.csv"
        else:
            csv_path = Path(path)
            meta_path = csv_path.with_suffix(".json")
            name = str(csv_path)
        try:
            with csv_path.open(encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh))
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise PosteriorError(f"{name} (or its .json) is missing") from None
        except (OSError, ValueError) as exc:
            raise PosteriorError(f"{name}: cannot read the posterior ({exc})") from None
        if not rows:
            raise PosteriorError(f"{name}: no particles")
        keys = tuple(k for k in rows[0] if k not in ("weight", "distance"))
        post = cls(
            keys,
            np.array([[float(r[k]) for k in keys] for r in rows]),
            np.array([float(r["weight"]) for r in rows]),
            np.array([float(r["distance"]) for r in rows]),
            meta,
        )
        post.check()
        return post

    def check(self) -> None:
        """Refuse a posterior fitted to another model version or with unknown parameters."""
        version = self.meta.get("model_version")
        if version != MODEL_VERSION:
            raise PosteriorError(
                f"the posterior was fitted to model version {version!r}, this is {MODEL_VERSION!r}"
                "; refit with `iron-river calibrate`"
            )
        unknown = [k for k in self.keys if k not in PARAMETERS]
        if unknown:
            raise PosteriorError(f"the posterior has parameters the model lacks: {unknown}")
        if not np.isclose(self.weights.sum(), 1.0) or (self.weights < 0).any():
            raise PosteriorError("posterior weights must be non-negative and sum to 1")

    @property
    def size(self) -> int:
        """Number of particles."""
        return self.weights.size

    def particle(self, i: int) -> dict[str, float]:
        """Parameter values of particle ``i``, typed as the schema says."""
        return {k: _typed(k, v) for k, v in zip(self.keys, self.values[i], strict=True)}

    def index(self, replicate: int, root_seed: int) -> int:
        """The particle replicate ``replicate`` of a design with ``root_seed`` runs."""
        seq = np.random.SeedSequence(root_seed, spawn_key=(replicate, DRAW_KEY))
        return int(np.random.default_rng(seq).choice(self.size, p=self.weights))

    def draw(self, replicate: int, root_seed: int) -> dict[str, float]:
        """Parameter values for replicate ``replicate`` of a design with ``root_seed``."""
        return self.particle(self.index(replicate, root_seed))

    def point(self) -> dict[str, float]:
        """One point estimate: the weighted median of each parameter (for quick runs)."""
        out = {}
        for j, k in enumerate(self.keys):
            order = np.argsort(self.values[:, j])
            cum = np.cumsum(self.weights[order])
            out[k] = _typed(k, float(self.values[order[np.searchsorted(cum, 0.5)], j]))
        return out


def _typed(key: str, value: float) -> Any:
    return round(value) if PARAMETERS[key].kind is int else float(value)


def apply(scenario: IronRiverScenario, values: dict[str, float]) -> IronRiverScenario:
    """The scenario with a posterior draw, except where the user set a value of its own."""
    own = scenario.given()
    chosen = {k: v for k, v in values.items() if k not in own}
    if not chosen:
        return scenario
    return scenario.with_values(chosen, origin="posterior", user=False)


def resolve(
    scenario: IronRiverScenario, seed: np.random.SeedSequence
) -> tuple[IronRiverScenario, dict[str, Any]]:
    """The scenario a run with ``seed`` runs, and a record of where its parameters came from.

    ``scenario.parameters`` says which: ``"posterior"`` (the draw of the seed's replicate:
    ``SeedSequence(S).spawn(n)[r]`` and ``run_seed(S, r)`` run draw ``draw(r, S)``), ``"point"``
    (the posterior's weighted medians) or ``"defaults"`` (the schema's values). Without a
    usable posterior both of the first two fall back to the defaults, and the record says why.
    """
    mode = scenario.parameters
    record: dict[str, Any] = {"parameters": mode, "particle": None}
    if mode == "defaults":
        record["source"] = "schema defaults"
        return scenario, record
    post, sentence = of(scenario)
    if scenario.posterior:
        record["posterior"] = scenario.posterior
    record["source"] = sentence
    if post is None:
        record["parameters"] = "defaults"
        return scenario, record
    if mode == "point":
        return apply(scenario, post.point()), record
    replicate = int(seed.spawn_key[0]) if seed.spawn_key else 0
    record["particle"] = i = post.index(replicate, seed.entropy)
    return apply(scenario, post.particle(i)), record


def of(scenario: IronRiverScenario) -> tuple[Posterior | None, str]:
    """The posterior a scenario draws from (its ``posterior`` file, else the shipped one)."""
    return named(scenario.posterior)


def named(path: str | None) -> tuple[Posterior | None, str]:
    """The posterior at ``path`` (empty or None: the shipped one) and a sentence saying which."""
    if not path:
        return shipped()
    post = at(path)
    return post, f"posterior at {path} ({post.size} particles, {digest(post)})"


def checked(path: str | Path, origin: str) -> str:
    """The absolute path of a usable posterior, or one clear :class:`ScenarioError`.

    Checked where the path is given, so a missing or mismatched posterior stops a command
    before any run starts; absolute, so that workers in other folders find it.
    """
    full = csv_path(Path(path).expanduser()).resolve()
    try:
        at(full)
    except PosteriorError as exc:
        raise ScenarioError(exc.args[0], file=origin, key="posterior") from None
    return str(full)


def csv_path(path: str | Path) -> Path:
    """A posterior's CSV: the file itself, or ``posterior.csv`` in a fit's folder."""
    p = Path(path)
    return p / "posterior.csv" if p.is_dir() else p


def at(path: str | Path) -> Posterior:
    """A posterior read from a file or a fit's folder, once per version of the file.

    E.g. a fit's ``posterior/`` or ``checkpoint/``: a user's own fit, or one not yet shipped.

    Raises:
        PosteriorError: the file is missing, unreadable or fitted to another model version.
    """
    p = csv_path(path)
    try:
        st = p.stat()
    except OSError:
        raise PosteriorError(
            f"{path}: no posterior there (a posterior.csv with its posterior.json, or a "
            "folder holding them, e.g. a fit's posterior/ or checkpoint/)"
        ) from None
    return _load_cached(str(p.resolve()), st.st_mtime_ns, st.st_size)


@cache
def _load_cached(path: str, _mtime_ns: int, _size: int) -> Posterior:
    return Posterior.load(path)


def digest(post: Posterior) -> str:
    """A short hash of a posterior's particles and weights: which posterior a result used."""
    h = hashlib.sha256(np.ascontiguousarray(post.values).tobytes())
    h.update(np.ascontiguousarray(post.weights).tobytes())
    return f"sha256 {h.hexdigest()[:12]}"


@cache
def shipped() -> tuple[Posterior | None, str]:
    """The posterior shipped with the package and a sentence saying so, or ``None`` and why not."""
    try:
        post = Posterior.load()
    except PosteriorError as exc:
        return None, f"no usable posterior ({exc}); every run uses the schema defaults"
    return post, f"posterior of {post.size} particles (model version {MODEL_VERSION})"


def fitted_keys() -> tuple[str, ...]:
    """Every parameter the fit samples (those with a prior), in schema order."""
    return tuple(PRIORS)
