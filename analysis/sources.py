"""Sources of comparisons, charts and reports: a scenario file solved on the spot, or a sweep folder.

A :class:`ScenarioSource` is a scenario file loaded, compiled and solved at its defaults; a
:class:`SweepSource` is a sweep output folder (its ``manifest.json`` and Parquet chunks) with, when
it can be found by its content hash, the compiled scenario the sweep ran on, so thresholds can be
bisected and the sensitivity computed on the exact scenario that was swept.
:func:`load_source` tells the two apart by what is on disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from analysis.io import file_sha256
from sim.errors import ScenarioError


@dataclass(frozen=True)
class ScenarioSource:
    """A scenario file and its equilibria at the defaults (``results``: one SolverResult per method;
    for a sequential scenario the tree's own methods come first: the default with beliefs
    (:func:`sim.registry.solve_tree_default`) where some mover does not see an earlier move, then ``spe``)."""

    path: Path
    scenario: Any
    compiled: Any
    game: Any            # NormalFormGame, or ExtensiveFormGame for a sequential timing
    normal_form: Any     # the game, or the tree's reduced normal form (None when too large to build)
    results: tuple       # SolverResult per method
    sha256: str


@dataclass(frozen=True)
class SweepSource:
    """A sweep output folder: its manifest, its result table, and the scenario it ran on if found."""

    path: Path
    manifest: dict
    table: Any           # pandas DataFrame
    scenario_path: Path | None
    compiled: Any


def solve_scenario(path, methods: Sequence[str] = ("enumpure",)) -> ScenarioSource:
    """Load, compile and solve a scenario file at its defaults.

    A sequential scenario is solved on its tree first: with perfect information its
    subgame-perfect equilibria (``spe``, whose equilibria carry the behaviour and the path of
    play); when some mover does not see an earlier move, first the equilibria of
    :func:`sim.registry.solve_tree_default` (``pbe``, with beliefs; ``pbe_agent`` where ``pbe``
    cannot run or finds none), then the subgame-perfect ones. Then ``methods`` run on its
    reduced normal form (Kuhn 1953), whose equilibria are Nash but not necessarily subgame
    perfect, when that form is small enough to build
    (:func:`sim.extensive.behaviour.has_reduced_view`); otherwise ``normal_form`` is ``None``
    and only the tree's methods are listed. Every method is checked before any is run.

    Examples
    --------
    >>> import tempfile
    >>> from analysis.compare import TOY_SCENARIO
    >>> path = Path(tempfile.mkdtemp()) / "toy.toml"
    >>> _ = path.write_text(TOY_SCENARIO)
    >>> src = solve_scenario(path, ("enumpure", "logit"))
    >>> [r.method for r in src.results], src.results[0].equilibria[0].pure_profile, len(src.sha256)
    (['enumpure', 'logit'], (0,), 64)
    >>> solve_scenario(path, ("enumpure", "lcp"))
    Traceback (most recent call last):
    sim.errors.SolverError: method 'lcp' applies to 2-player games only; this game has 1 players
    """
    from sim.registry import check_applicable, solve
    from sim.scenario import compile_scenario, load_scenario

    path = Path(path)
    scenario = load_scenario(path)
    compiled = compile_scenario(scenario)
    game = compiled.game()
    if compiled.sequential:
        from sim.extensive.behaviour import flatten, has_reduced_view

        normal = game.reduced_normal_form() if has_reduced_view(flatten(game)) else None
    else:
        normal = game
    if normal is not None:
        for m in methods:  # every method is checked before any is solved
            check_applicable(m, n_players=normal.n_players, tree=False)
    results = []
    if compiled.sequential:
        from sim.extensive.spe import spe_solve
        from sim.registry import solve_tree_default

        if game.perfect_information:
            results.append(spe_solve(game))
        else:
            # First: where a mover does not see an earlier move, the equilibria with beliefs are
            # the scenario's answer (subgame perfection alone leaves many Nash equilibria), by
            # the one default (pbe, else pbe_agent; details["method_choice"] says which and why).
            first = solve_tree_default(game)
            results.append(first)
            if first.method != "spe":
                results.append(spe_solve(game))
    if normal is not None:
        results += [solve(normal, m) for m in methods]
    return ScenarioSource(path, scenario, compiled, game, normal, tuple(results), file_sha256(path))


def find_scenario(manifest: dict, folder: Path, search: Sequence[Path] = ()) -> Path | None:
    """The scenario file a sweep ran on: a file of the manifest's name whose SHA-256 matches,
    looked for in ``search``, the current directory's ``scenarios/`` and the folder's parents.

    Examples
    --------
    >>> find_scenario({"scenario": "x.toml"}, Path("."))  is None  # no hash, nothing to match
    True
    """
    name, want = manifest.get("scenario"), manifest.get("scenario_hash")
    if not name or not want:
        return None
    places = [*map(Path, search), Path.cwd() / "scenarios", Path.cwd(), *Path(folder).resolve().parents]
    for place in places:
        candidate = place / name if place.is_dir() else place
        if candidate.is_file() and candidate.name == name and file_sha256(candidate) == want:
            return candidate
    return None


def load_sweep_source(folder, scenario: Path | None = None) -> SweepSource:
    """Read a sweep output folder; ``scenario`` (else a search by content hash) gives the scenario.

    A ``scenario`` whose content hash is not the manifest's is refused with a ``ScenarioError``.
    """
    from analysis.sweep import read_results
    from analysis.sweep.folder import load_manifest

    folder = Path(folder)
    manifest = load_manifest(folder)  # one line for a folder without one, or a damaged one
    table = read_results(folder)
    compiled = None
    if scenario is not None:
        scenario = Path(scenario)
        if file_sha256(scenario) != manifest.get("scenario_hash"):
            raise ScenarioError("is not the scenario this sweep ran on (content hash differs from the manifest's "
                                f"{str(manifest.get('scenario_hash'))[:12]})", path=str(scenario))
    else:
        scenario = find_scenario(manifest, folder)
    if scenario is not None:
        from sim.scenario import compile_scenario, load_scenario

        compiled = compile_scenario(load_scenario(scenario))
        table = _current_paths(table, manifest, scenario, compiled)
    return SweepSource(folder, manifest, table, scenario, compiled)


def _current_paths(table, manifest: dict, scenario: Path, compiled):
    """A tree sweep's table with its ``path`` column in the current text: a folder written before
    players were named on the path gets it rebuilt from its outcome labels
    (:func:`analysis.sweep.paths.upgrade_paths`)."""
    from analysis.sweep.paths import PATH_LABELS, upgrade_paths

    if not compiled.sequential or (int(manifest.get("path_labels", 1)) >= PATH_LABELS and "path" in table.columns):
        return table
    from analysis.sweep.run import scenario_model

    return upgrade_paths(table, manifest, scenario_model(str(scenario), file_sha256(scenario)))


def load_source(text, methods: Sequence[str] = ("enumpure",)) -> ScenarioSource | SweepSource:
    """A scenario file or a sweep output folder, by what is on disk.

    Examples
    --------
    >>> load_source("no-such-file.txt")
    Traceback (most recent call last):
    sim.errors.ScenarioError: no-such-file.txt: is neither a scenario file (.toml) nor a sweep output folder
    """
    p = Path(text)
    if p.is_dir():
        return load_sweep_source(p)
    if p.suffix.lower() == ".toml" and p.is_file():
        return solve_scenario(p, methods)
    raise ScenarioError("is neither a scenario file (.toml) nor a sweep output folder", path=str(p))


def is_grid(manifest: dict) -> bool:
    """Whether a sweep's manifest describes a grid (else a sample).

    Examples
    --------
    >>> is_grid({"spec": {"sweep": {"grid": {"a": [0, 1]}}}}), is_grid({"spec": {"sweep": {"sample": {}}}})
    (True, False)
    """
    return "grid" in manifest.get("spec", {}).get("sweep", {})
