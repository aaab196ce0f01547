"""Running a sweep: chunks of points compiled in one matrix product, solved, written whole.

Output folder layout::

    OUT/manifest.json            scenario and sweep hashes, spec, seed, versions, timings
    OUT/chunks/chunk-000000.parquet  ...   one file per chunk, written to a temporary name and
                                            renamed, so a chunk is there whole or not at all

The result table has one row per equilibrium per point and method (a point where a method finds
none gets one row with ``n_equilibria = 0`` and outcome ``"(none)"``), with columns::

    point_id, param.<name>..., method, eq_index, n_equilibria, outcome, regime, [path,]
    prob.<player>.<action>..., payoff.<player>..., max_regret

``outcome`` names each player's action (or support, for mixed play); ``regime`` names the set of
equilibrium outcomes of the point for that method, so points with the same regime share a label.
A sequential scenario's table also has ``path``: the actions played on the equilibrium path, move
by move (:mod:`analysis.sweep.paths`).
"""

from __future__ import annotations

import functools
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from analysis.io import TMP_PATTERN, atomic_path, versions, write_json_atomic
from analysis.io import file_sha256
from analysis.sweep.design import points as design_points
from analysis.sweep.spec import SweepSpec, load_sweep
from sim.errors import ScenarioError
from sim.solvers.pure import DEFAULT_TOL as PURE_DEFAULT_TOL, pure_equilibrium_mask

MANIFEST = "manifest.json"
CHUNKS = "chunks"
NONE_OUTCOME = "(none)"
PURE_TOL = PURE_DEFAULT_TOL  # enumpure_solve's own default: one tolerance for both routes
BATCHED_METHODS = frozenset({"enumpure"})  # batched for simultaneous scenarios; the rest per point
#: ``spe`` on a perfect-information tree is batched (tied points fall back to ``spe_solve``).
#: Private switch: tests and benchmarks set it to False to force the point-by-point route.
_SPE_BATCHED = True


# ----- the scenario model, as the sweep sees it -----------------------------------------------------
@dataclass(frozen=True)
class ScenarioModel:
    """What a chunk needs of a compiled scenario: names, defaults and batched payoffs."""

    compiled: object
    players: tuple[str, ...]
    actions: tuple[tuple[str, ...], ...]
    parameter_names: tuple[str, ...]
    defaults: np.ndarray
    sequential: bool = False
    tree: object = None  # the ExtensiveFormGame at the defaults, for a sequential scenario
    #: How equilibria are named: ``"profile"`` (a simultaneous scenario: actions), ``"reduced"``
    #: (a tree whose reduced normal form is small enough to build: reduced strategies) or
    #: ``"path"`` (a larger tree: each move's actions on the equilibrium path; see :func:`path_columns`).
    naming: str = "profile"
    #: For ``"path"`` naming: ``(player index, move, actions)`` of each player move in timing order.
    moves: tuple = ()
    #: ``spe_batch`` lists each player's reduced strategies (at most ``MAX_PLANS``); beyond that
    #: a perfect-information tree is solved point by point.
    spe_batchable: bool = True

    def full_points(self, names: tuple[str, ...], values: np.ndarray) -> np.ndarray:
        full = np.broadcast_to(self.defaults, (len(values), len(self.defaults))).copy()
        for j, name in enumerate(names):
            full[:, self.parameter_names.index(name)] = values[:, j]
        return full

    def payoffs(self, full: np.ndarray) -> np.ndarray:
        """Payoffs ``(B, a_0, ..., N)``; each row is the same floats whatever the batch (see
        :meth:`sim.scenario.compile.CompiledScenario.payoffs`)."""
        return np.asarray(self.compiled.payoffs(full))

    def game(self, full_row: np.ndarray):
        return self.games(np.asarray(full_row, dtype=float)[None])[0]

    def games(self, full: np.ndarray) -> list:
        """One game per point, built from :meth:`payoffs` (as ``compiled.game`` builds them)."""
        from sim.scenario.compile import build_tree

        c = self.compiled
        pay = self.payoffs(full)
        if not self.sequential:
            from sim.game import NormalFormGame

            return [NormalFormGame.from_payoffs(p, c.players, c.labels, c.scenario.title) for p in pay]
        probs = c.chance_probabilities(full, check=False)
        return [build_tree(c, pay[b], [p[b] for p in probs]) for b in range(len(full))]


@functools.lru_cache(maxsize=4)
def scenario_model(path: str, content_hash: str) -> ScenarioModel:
    """Load and compile a scenario once per process (keyed by content, so edits are seen)."""
    from sim.scenario import compile_scenario, load_scenario

    compiled = compile_scenario(load_scenario(path))
    game = compiled.game()
    names = tuple(compiled.parameter_names)
    defaults = np.asarray(compiled.defaults, dtype=float)
    sequential = bool(compiled.sequential)
    if not sequential:
        return ScenarioModel(compiled, game.players, tuple(game.actions), names, defaults)
    from sim.extensive.behaviour import flatten, has_reduced_view, reduced_strategy_counts
    from sim.extensive.reduced import MAX_ENTRIES, MAX_PLANS

    # A tree whose reduced normal form can be built names reduced strategies (the tree's .actions);
    # a larger one (which spe solves all the same) names each move's actions on the path.
    flat = flatten(game)
    if has_reduced_view(flat, limit=MAX_ENTRIES):
        return ScenarioModel(compiled, game.players, tuple(game.actions), names, defaults, True, game, "reduced")
    moves = path_moves(compiled)
    actions = tuple(tuple(f"{key}={a}" for j, key, acts in moves if j == i for a in acts)
                    for i in range(len(game.players)))
    return ScenarioModel(compiled, game.players, actions, names, defaults, True, game, "path", moves,
                         bool(reduced_strategy_counts(flat).max(initial=1) <= MAX_PLANS))


def path_moves(compiled) -> tuple:
    """``(player index, move, actions)`` of each player move of a sequential scenario, in timing order."""
    from sim.scenario.schema import PlayerMove, move_labels

    s = compiled.scenario
    return tuple((compiled.players.index(m.player), m.key, move_labels(s, m)) for m in s.timing
                 if isinstance(m, PlayerMove))


def path_columns(model: ScenarioModel, tree, policy, chance_probs=None) -> np.ndarray:
    """Probability ``(B, columns)`` that play passes through each move's action (the columns of
    ``model.actions`` in player order), for ``"path"`` naming.

    ``policy(d, node)`` gives the action probabilities ``(B, k)`` at the ``d``-th decision node
    in preorder; ``chance_probs`` those of each chance node in preorder (default the tree's own).
    A move reached at several nodes (after chance, or in several equilibrium branches) sums
    over them; a move off the path gets 0 for every action.
    """
    from sim.extensive.tree import Chance, Terminal

    column = {}
    for i in range(len(model.players)):
        for k, name in enumerate(model.actions[i]):
            column[(i, name)] = sum(len(a) for a in model.actions[:i]) + k
    first = policy(0, tree.root) if not isinstance(tree.root, (Chance, Terminal)) else None
    B = len(first) if first is not None else (len(chance_probs[0]) if chance_probs else 1)
    out = np.zeros((B, sum(len(a) for a in model.actions)))
    counters = {"d": 0, "c": 0}
    stack = [(tree.root, np.ones(B))]
    while stack:  # preorder: children pushed in reverse, as spe_batch numbers nodes
        node, reach = stack.pop()
        if isinstance(node, Terminal):
            continue
        if isinstance(node, Chance):
            c = counters["c"]
            counters["c"] += 1
            p = np.broadcast_to(np.asarray(chance_probs[c] if chance_probs is not None else node.probs, dtype=float),
                                (B, len(node.children)))
        else:
            d = counters["d"]
            counters["d"] += 1
            p = np.asarray(policy(d, node), dtype=float).reshape(B, len(node.children))
            for k, a in enumerate(node.actions):
                out[:, column[(node.player, f"{node.label}={a}")]] += reach * p[:, k]
        stack.extend((child, reach * p[:, k]) for k, child in reversed(list(enumerate(node.children))))
    return out


def path_label(model: ScenarioModel, probs: np.ndarray) -> str:
    """The outcome label of a ``"path"`` row: each move reached, in timing order, with the actions
    played there (``|`` between several): ``"us_plan=drop, russia_iran=pressure, ..."``."""
    flat = [(i, name) for i in range(len(model.players)) for name in model.actions[i]]
    played = {flat[k] for k in np.flatnonzero(np.asarray(probs) > 1e-12)}
    parts = []
    for i, key, acts in model.moves:
        hit = [a for a in acts if (i, f"{key}={a}") in played]
        if hit:
            parts.append(f"{key}={'|'.join(hit)}")
    return ", ".join(parts) or NONE_OUTCOME


def check_parameters(spec: SweepSpec, model: ScenarioModel) -> None:
    """Refuse, before anything is written, a swept name the scenario lacks or a method that
    cannot run on the scenario's game (a 2-player method on 4 players, a tree method on a
    simultaneous scenario)."""
    from sim import registry
    from sim.errors import SolverError

    for i, method in enumerate(spec.methods):
        try:
            registry.check_applicable(method, n_players=len(model.players), tree=model.sequential)
        except SolverError as exc:
            raise ScenarioError(f"{exc} (got {method!r})", path=str(spec.path), field=f"sweep.methods[{i}]") from None
    for name in spec.parameter_names:
        if name not in model.parameter_names:
            raise ScenarioError(
                f"the scenario has no parameter of that name; it has {list(model.parameter_names)} (got {name!r})",
                path=str(spec.path), field=f"sweep.{'grid' if spec.grid else 'sample'}.{name}",
            )


# ----- one chunk ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChunkJob:
    spec_path: str
    scenario_hash: str
    out_dir: str
    index: int
    start: int
    stop: int


def profile_labels(players, actions) -> np.ndarray:
    """Outcome label of every pure profile (``"US=drop_shield, NATO=engage, ..."``), flat C order."""
    grids = np.meshgrid(*[np.asarray(a, dtype=object) for a in actions], indexing="ij")
    labels = [", ".join(f"{p}={a}" for p, a in zip(players, combo))
              for combo in zip(*(g.ravel() for g in grids))]
    return np.array(labels, dtype=object)


def regimes(mask_rows: np.ndarray, outcome_names) -> tuple[np.ndarray, list[str]]:
    """Regime of each point from a boolean (points, outcomes) matrix of equilibrium outcomes.

    Returns a code per point and the label of each code; labels are built once per distinct
    regime, not once per point.
    """
    packed = np.packbits(mask_rows, axis=1)
    # One integer (or a few) per point: sorting those is far cheaper than np.unique(axis=0).
    pad = (-packed.shape[1]) % 8
    words = np.ascontiguousarray(np.pad(packed, ((0, 0), (0, pad)))).view(np.uint64)
    if words.shape[1] == 1:
        uniq, inverse = np.unique(words[:, 0], return_inverse=True)
        uniq = uniq[:, None]
    else:
        uniq, inverse = np.unique(words, axis=0, return_inverse=True)
    uniq_bits = np.unpackbits(uniq.view(np.uint8), axis=1, count=mask_rows.shape[1]).astype(bool)
    names = []
    for row in uniq_bits:
        hits = [outcome_names[k] for k in np.flatnonzero(row)]
        names.append(" | ".join(hits) if hits else NONE_OUTCOME)
    return inverse.ravel().astype(np.int32), names


def _pure_rows(model: ScenarioModel, payoffs: np.ndarray, ids: np.ndarray, tol: float = PURE_TOL) -> dict:
    B = payoffs.shape[0]
    shape = payoffs.shape[1:-1]
    n = len(shape)
    F = int(np.prod(shape))
    # One thread: the executor runs one worker per core. The tie rule is enumpure_solve's own.
    flat = pure_equilibrium_mask(payoffs, tol, threads=1).reshape(B, -1)
    counts = flat.sum(axis=1)
    labels = profile_labels(model.players, model.actions)
    regime_codes, regime_names = regimes(flat, labels)
    # Equilibrium rows, plus one "(none)" row for each point without any, in (point, profile) order.
    b_eq, f_eq = np.nonzero(flat)
    empty = np.flatnonzero(counts == 0)
    if len(empty):
        b_all = np.concatenate([b_eq, empty])
        f_all = np.concatenate([f_eq, np.full(len(empty), -1)])
        order = np.lexsort((f_all, b_all))
        b_all, f_all = b_all[order], f_all[order]
    else:
        b_all, f_all = b_eq, f_eq
    has = f_all >= 0
    f_safe = np.where(has, f_all, 0)
    first = np.searchsorted(b_all, b_all, side="left")
    eq_index = np.where(has, np.arange(len(b_all)) - first, -1)
    cols = {
        "point_id": ids[b_all],
        "eq_index": eq_index,
        "n_equilibria": counts[b_all],
        # Dictionary-encoded: codes index the label lists, so no string is built per row.
        "outcome": (np.where(has, f_all, F).astype(np.int32), [*labels, NONE_OUTCOME]),
        "regime": (regime_codes[b_all], regime_names),
    }
    idx = np.unravel_index(f_safe, shape)
    strides = [int(np.prod(shape[i + 1:])) for i in range(n)]
    regret = np.zeros(len(b_all))
    for i, player in enumerate(model.players):
        for k, action in enumerate(model.actions[i]):
            col = (idx[i] == k).astype(float)
            col[~has] = np.nan
            cols[f"prob.{player}.{action}"] = col
    # Gathers by linear index into the flat payoff array: much faster than 3-D fancy indexing.
    flat_all = payoffs.reshape(-1)
    row_base = b_all.astype(np.int64) * F
    for i, player in enumerate(model.players):
        own = np.take(flat_all, (row_base + f_safe) * n + i)
        # Regret measured only at the equilibrium rows: player i's payoff at each own deviation.
        dev_base = row_base + f_safe - idx[i] * strides[i]
        best = np.take(flat_all, dev_base * n + i)
        for k in range(1, shape[i]):
            np.maximum(best, np.take(flat_all, (dev_base + k * strides[i]) * n + i), out=best)
        regret = np.maximum(regret, best - own)
        own[~has] = np.nan
        cols[f"payoff.{player}"] = own
    regret[~has] = np.nan
    cols["max_regret"] = regret
    return cols


def _per_point_rows(model: ScenarioModel, method: str, full: np.ndarray, ids: np.ndarray,
                    options: dict | None = None) -> dict:
    """Methods without a batched kernel: solved point by point inside the worker."""
    from sim.solvers import solve

    rows: dict[str, list] = {k: [] for k in ("point_id", "eq_index", "n_equilibria", "outcome", "regime", "max_regret")}
    probs = {f"prob.{p}.{a}": [] for i, p in enumerate(model.players) for a in model.actions[i]}
    pays = {f"payoff.{p}": [] for p in model.players}
    for pid, game in zip(ids, model.games(full)):  # one game per point: these methods have no batched kernel
        result = solve(game, method, **(options or {}))
        eqs = result.equilibria
        named = [_named(model, game, result.game, e) for e in eqs]
        labels = [label for label, _ in named]
        regime = " | ".join(sorted(set(labels))) if labels else NONE_OUTCOME
        for k, eq in enumerate(eqs or [None]):
            rows["point_id"].append(pid)
            rows["eq_index"].append(k if eq is not None else -1)
            rows["n_equilibria"].append(len(eqs))
            rows["outcome"].append(labels[k] if eq is not None else NONE_OUTCOME)
            rows["regime"].append(regime)
            rows["max_regret"].append(eq.max_regret if eq is not None else np.nan)
            for i, p in enumerate(model.players):
                for a_idx, a in enumerate(model.actions[i]):
                    probs[f"prob.{p}.{a}"].append(float(named[k][1][i][a_idx]) if eq is not None else np.nan)
                pays[f"payoff.{p}"].append(float(eq.payoffs[i]) if eq is not None else np.nan)
    cols = {k: np.asarray(v) for k, v in rows.items()}
    cols.update({k: np.asarray(v, dtype=float) for k, v in {**probs, **pays}.items()})
    return cols


def _named(model: ScenarioModel, game, solved, eq) -> tuple[str, tuple]:
    """An equilibrium's outcome label and its probabilities over the columns of ``model.actions``
    (one sequence per player). ``solved`` is the game the result refers to: the normal form (a
    simultaneous scenario, or a tree's reduced normal form when spe built that view), or the tree
    itself, whose equilibria then hold only a behaviour profile."""
    from analysis.render import outcome_label
    from sim.extensive.reduced import behaviour_from_mixed, mixed_from_behaviour

    if model.naming == "path":
        behaviour = eq.behaviour if eq.behaviour is not None else behaviour_from_mixed(game, eq.profile)
        row = path_columns(model, game, lambda d, node: np.asarray(behaviour[node.infoset], dtype=float)[None])[0]
        bounds = np.cumsum([0] + [len(a) for a in model.actions])
        return path_label(model, row), tuple(row[bounds[i]:bounds[i + 1]] for i in range(len(model.players)))
    if eq.profile:  # a normal form: the game itself, or the tree's reduced normal form
        return outcome_label(solved, eq), tuple(eq.profile)
    # A tree without the reduced view: the reduced strategies that realise the behaviour (Kuhn 1953).
    profile = mixed_from_behaviour(game, eq.behaviour)
    label = ", ".join(f"{p}={'|'.join(model.actions[i][a] for a in np.flatnonzero(profile[i] > 1e-12))}"
                      for i, p in enumerate(model.players))
    return label, profile


def _spe_batched(model: ScenarioModel) -> bool:
    return _SPE_BATCHED and model.tree is not None and model.tree.perfect_information and model.spe_batchable


def _spe_rows(model: ScenarioModel, full: np.ndarray, ids: np.ndarray) -> dict:
    """``spe`` on a perfect-information tree: one backward induction for the whole chunk.

    Tie-free points (one subgame-perfect equilibrium, found by :func:`sim.extensive.spe.spe_batch`)
    get their row here, equal to what ``spe_solve`` and :func:`_per_point_rows` would write: the
    outcome names the reduced strategies, the profile is pure, payoffs and regret are read off the
    reduced normal form (whose entries ``reduced_normal_form`` rounds to 12 decimals, hence the
    rounding here; rounding is monotone, so the best deviation is the rounded best reply). Points
    with a tie at some node have several equilibria and go to :func:`_per_point_rows`.
    """
    from sim.extensive.spe import DEFAULT_TOL, spe_batch
    from sim.extensive.tree import Chance
    from sim.scenario.schema import ChanceMove

    tree = model.tree
    B, N = len(full), len(model.players)
    pay = model.payoffs(full).reshape(B, -1, N)  # terminals in preorder = outcomes in C order
    probs = model.compiled.chance_probabilities(full, check=False)
    # chance_probabilities lists the timing's chance moves in order; tree chance nodes carry the
    # move's name as their label, and every node of one move shares its probabilities.
    moves = [m.name for m in model.compiled.scenario.timing if isinstance(m, ChanceMove)]
    by_move = {m: k for k, m in enumerate(moves)}
    chance = [probs[by_move[n.label]] for _, n in tree.nodes() if isinstance(n, Chance)]
    r = spe_batch(tree, pay, tol=DEFAULT_TOL, chance_probs=chance)
    free = np.flatnonzero(~r.tied)
    if model.naming == "path":
        choices = r.choices[free]
        onehot = path_columns(model, tree, lambda d, node: np.eye(len(node.children))[choices[:, d]],
                              [c[free] for c in chance] if chance else None) if len(free) else \
            np.zeros((0, sum(len(a) for a in model.actions)))
        uniq, codes = np.unique(onehot > 1e-12, axis=0, return_inverse=True)
        names = [path_label(model, row) for row in uniq]
        bounds = np.cumsum([0] + [len(a) for a in model.actions])
        prob_of = {f"prob.{p}.{a}": onehot[:, bounds[i] + k] for i, p in enumerate(model.players)
                   for k, a in enumerate(model.actions[i])}
    else:
        strat = r.strategies[free]
        shape = tuple(len(a) for a in model.actions)
        flat = np.ravel_multi_index(tuple(strat.T), shape) if len(free) else np.zeros(0, dtype=np.intp)
        uniq, codes = np.unique(flat, return_inverse=True)
        names = [", ".join(f"{p}={model.actions[i][s]}" for i, (p, s) in enumerate(zip(model.players, idx)))
                 for idx in zip(*np.unravel_index(uniq, shape))]
        prob_of = {f"prob.{p}.{a}": (strat[:, i] == k).astype(float) for i, p in enumerate(model.players)
                   for k, a in enumerate(model.actions[i])}
    own = np.round(r.values[free], 12) + 0.0
    best = np.round(r.best_reply[free], 12) + 0.0
    cols = {
        "point_id": ids[free],
        "eq_index": np.zeros(len(free), dtype=np.int64),
        "n_equilibria": np.ones(len(free), dtype=np.int64),
        "max_regret": np.maximum(0.0, (best - own).max(axis=1)) if len(free) else np.zeros(0),
    }
    cols.update(prob_of)
    for i, p in enumerate(model.players):
        cols[f"payoff.{p}"] = own[:, i]
    code = codes.ravel().astype(np.int32)
    outcome, regime = code, code.copy()
    tied = np.flatnonzero(r.tied)
    if len(tied):
        rest = _per_point_rows(model, "spe", full[tied], ids[tied])
        index = {n: k for k, n in enumerate(names)}
        for key in ("outcome", "regime"):
            extra = np.array([index.setdefault(str(v), len(index)) for v in rest[key]], dtype=np.int32)
            if key == "outcome":
                outcome = np.concatenate([outcome, extra])
            else:
                regime = np.concatenate([regime, extra])
        names = list(index)
        for key in cols:
            cols[key] = np.concatenate([cols[key], np.asarray(rest[key], dtype=cols[key].dtype)])
        order = np.lexsort((cols["eq_index"], cols["point_id"]))
        cols = {k: v[order] for k, v in cols.items()}
        outcome, regime = outcome[order], regime[order]
    cols["outcome"] = (outcome, names)
    cols["regime"] = (regime, list(names))
    return cols


def chunk_table(spec: SweepSpec, model: ScenarioModel, start: int, stop: int):
    """The result table of points ``start..stop-1`` as a ``pyarrow.Table``."""
    import pyarrow as pa

    values = design_points(spec, start, stop)
    ids = np.arange(start, stop, dtype=np.int64)
    full = model.full_points(spec.parameter_names, values)
    tables = []
    payoffs = None
    for method in spec.methods:
        options = spec.options_for(method)
        if method in BATCHED_METHODS and not model.sequential:
            if payoffs is None:
                payoffs = model.payoffs(full)
            cols = _pure_rows(model, payoffs, ids, options.get("tol", PURE_TOL))
        elif method == "spe" and _spe_batched(model) and not options:  # the batch runs spe's defaults
            cols = _spe_rows(model, full, ids)
        else:
            cols = _per_point_rows(model, method, full, ids, options)
        row_points = cols["point_id"] - start
        out = {"point_id": pa.array(cols["point_id"], pa.int64())}
        for j, name in enumerate(spec.parameter_names):
            out[f"param.{name}"] = pa.array(values[row_points, j])
        out["method"] = pa.DictionaryArray.from_arrays(
            pa.array(np.zeros(len(row_points), dtype=np.int32)), pa.array([method]))
        out["eq_index"] = pa.array(cols["eq_index"], pa.int32())
        out["n_equilibria"] = pa.array(cols["n_equilibria"], pa.int32())
        for key in ("outcome", "regime"):
            value = cols[key]
            if isinstance(value, tuple):
                codes, names = value
            else:
                names, codes = np.unique(value.astype(str), return_inverse=True)
                names, codes = names.tolist(), codes.astype(np.int32)
            out[key] = pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), pa.array(list(names), pa.string()))
        if model.sequential:  # what happens, move by move (analysis.sweep.paths)
            from analysis.sweep.paths import path_column

            out["path"] = path_column(model, out["outcome"])
        for key in cols:
            if key.startswith(("prob.", "payoff.")):
                out[key] = pa.array(cols[key], pa.float64())
        out["max_regret"] = pa.array(cols["max_regret"], pa.float64())
        tables.append(pa.table(out))
    table = pa.concat_tables(tables, promote_options="permissive") if len(tables) > 1 else tables[0]
    return table


def run_chunk(job: ChunkJob) -> dict:
    """Worker: compute one chunk and write it whole (temporary name, then an atomic rename)."""
    import pyarrow.parquet as pq

    t0 = time.perf_counter()
    spec = load_sweep(job.spec_path)
    model = scenario_model(str(spec.scenario_path), job.scenario_hash)
    table = chunk_table(spec, model, job.start, job.stop)
    with atomic_path(Path(job.out_dir) / CHUNKS / f"chunk-{job.index:06d}.parquet") as tmp:
        pq.write_table(table, tmp, compression="zstd")
    return {"index": job.index, "points": job.stop - job.start, "rows": table.num_rows,
            "seconds": time.perf_counter() - t0}


# ----- the driver -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SweepSummary:
    """What a finished sweep reports (also stored in the manifest)."""

    out_dir: Path
    n_points: int
    n_rows: int
    n_chunks: int
    chunks_run: int
    seconds: float
    executor: str
    workers: int
    equilibria_per_point: dict = field(default_factory=dict)
    regimes: dict = field(default_factory=dict)

    def format(self) -> str:
        lines = [
            f"sweep: {self.n_points:,} points in {self.n_chunks} chunks "
            f"({self.chunks_run} run now) on {self.executor} x{self.workers}, {self.seconds:.2f} s "
            f"({self.n_points / max(self.seconds, 1e-9):,.0f} points/s)",
            f"rows: {self.n_rows:,}   results: {self.out_dir}",
        ]
        for method, mean in self.equilibria_per_point.items():
            lines.append(f"{method}: {mean:.3f} equilibria per point")
        for method, regimes in self.regimes.items():
            lines.append(f"{method}: {len(regimes)} regimes")
            for label, share in list(regimes.items())[:6]:
                lines.append(f"  {share:6.1%}  {label}")
            if len(regimes) > 6:
                lines.append(f"  ... and {len(regimes) - 6} more")
        return "\n".join(lines)


def _prepare_out(out: Path, manifest: dict, resume: bool) -> None:
    mpath = out / MANIFEST
    if mpath.exists():
        if not resume:
            raise ScenarioError("already holds a sweep; pass --resume to continue it or choose another folder",
                                path=str(out))
        old = json.loads(mpath.read_text())
        for key, what in (("scenario_hash", "the scenario file"), ("sweep_hash", "the sweep file")):
            if old.get(key) != manifest[key]:
                raise ScenarioError(f"{what} changed since this sweep started; refusing to resume "
                                    f"(got {key} {manifest[key][:12]}, manifest has {str(old.get(key))[:12]})",
                                    path=str(out))
        if old.get("chunk_size") != manifest["chunk_size"] or old.get("n_points") != manifest["n_points"]:
            raise ScenarioError("chunking differs from the manifest; resume with the original --chunk-size "
                                f"(got {manifest['chunk_size']}, manifest has {old.get('chunk_size')})", path=str(out))
        return
    if resume and out.exists() and any(out.iterdir()):
        raise ScenarioError("has no sweep manifest to resume from", path=str(out))
    try:
        (out / CHUNKS).mkdir(parents=True, exist_ok=True)
        probe = out / f".write-probe.{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ScenarioError(f"output folder is not writable ({exc.strerror or exc})", path=str(out)) from None
    write_json_atomic(mpath, manifest)


def run_sweep(sweep_path, out_dir, *, workers: int | None = None, scheduler: str | None = None,
              chunk_size: int | None = None, resume: bool = False, executor: str = "processes",
              progress: bool = False) -> SweepSummary:
    """Run (or resume) a sweep into ``out_dir`` and summarise it.

    ``executor`` is ``"processes"`` (``workers`` local processes, the default), ``"inprocess"``
    or, with ``scheduler``, a Dask cluster; every executor writes the same table.

    Examples
    --------
    The 41 x 41 grid over the first version of the baseline (kept in the tests' data, so the
    figures stay fixed while the shipped scenarios evolve), in this process:

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as out:
    ...     summary = run_sweep("tests/data/scenarios-v1/sweeps/baseline-grid.toml", out, executor="inprocess")
    ...     table = read_results(out)
    >>> summary.n_points, summary.n_chunks, len(table)
    (1681, 1, 6068)
    >>> round(summary.equilibria_per_point["enumpure"], 2)
    3.61
    """
    from analysis.sweep.executors import make_executor

    t0 = time.perf_counter()
    spec = load_sweep(sweep_path)
    scenario_hash = file_sha256(spec.scenario_path)
    model = scenario_model(str(spec.scenario_path), scenario_hash)
    check_parameters(spec, model)
    chunk = chunk_size or spec.chunk_size
    if chunk < 1:
        raise ScenarioError(f"chunk size must be positive (got {chunk})", field="--chunk-size")
    out = Path(out_dir)
    n = spec.n_points
    n_chunks = -(-n // chunk)
    manifest = {
        "format": 1,
        "scenario": str(spec.scenario_path.name),
        "scenario_hash": scenario_hash,
        "sweep": str(Path(sweep_path).name),
        "sweep_hash": file_sha256(Path(sweep_path)),
        "spec": spec.raw,
        "seed": spec.seed,
        "methods": list(spec.methods),
        "parameters": list(spec.parameter_names),
        "n_points": n,
        "chunk_size": chunk,
        "n_chunks": n_chunks,
        "versions": versions(),
    }
    _prepare_out(out, manifest, resume)
    chunk_dir = out / CHUNKS
    for stale in chunk_dir.glob(TMP_PATTERN):
        stale.unlink()  # a killed worker's unfinished chunk
    done = {int(p.stem.split("-")[1]) for p in chunk_dir.glob("chunk-*.parquet")}
    jobs = [ChunkJob(str(Path(sweep_path).resolve()), scenario_hash, str(out.resolve()), c,
                     c * chunk, min(n, (c + 1) * chunk)) for c in range(n_chunks) if c not in done]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=n, initial=n - sum(j.stop - j.start for j in jobs), unit="pt", unit_scale=True,
                   desc="sweep", smoothing=0.1)
    ex = make_executor(executor, workers, scheduler)
    with ex:
        for stats in ex.map_unordered(run_chunk, jobs):
            if bar is not None:
                bar.update(stats["points"])
        n_workers = ex.workers
    if bar is not None:
        bar.close()
    summary = summarise(out, time.perf_counter() - t0, len(jobs), ex.name, n_workers)
    doc = json.loads((out / MANIFEST).read_text())
    doc.setdefault("runs", []).append({"seconds": summary.seconds, "chunks_run": summary.chunks_run,
                                       "executor": summary.executor, "workers": summary.workers,
                                       "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    write_json_atomic(out / MANIFEST, doc)
    return summary


def summarise(out: Path, seconds: float, chunks_run: int, executor: str, workers: int) -> SweepSummary:
    """Count equilibria per point and regimes, reading one chunk at a time (memory stays bounded)."""
    from collections import Counter

    import pyarrow.parquet as pq

    manifest = json.loads((Path(out) / MANIFEST).read_text())
    n_rows = 0
    eq_sums: Counter = Counter()
    points: Counter = Counter()
    regimes: dict[str, Counter] = {}
    for path in sorted((Path(out) / CHUNKS).glob("chunk-*.parquet")):
        table = pq.read_table(path, columns=["method", "n_equilibria", "eq_index", "regime"])
        n_rows += table.num_rows
        first = table.filter(_first_rows(table)).to_pandas()  # one row per point and method
        for method, group in first.groupby("method", observed=True):
            method = str(method)
            eq_sums[method] += int(group["n_equilibria"].sum())
            points[method] += len(group)
            regimes.setdefault(method, Counter()).update(group["regime"].astype(str).value_counts().to_dict())
    eqpp = {m: eq_sums[m] / points[m] for m in points}
    shares = {m: {k: v / points[m] for k, v in c.most_common()} for m, c in regimes.items()}
    return SweepSummary(Path(out), manifest["n_points"], n_rows, manifest["n_chunks"], chunks_run,
                        seconds, executor, workers, eqpp, shares)


def _first_rows(table):
    import pyarrow.compute as pc

    return pc.less_equal(table["eq_index"], 0)


def read_results(out_dir) -> "pandas.DataFrame":  # noqa: F821
    """The sweep's result table as a pandas DataFrame, sorted by point, method and equilibrium."""
    import pyarrow.parquet as pq

    files = sorted((Path(out_dir) / CHUNKS).glob("chunk-*.parquet"))
    if not files:
        raise ScenarioError("holds no sweep results", path=str(out_dir))
    df = pq.ParquetDataset(files).read().to_pandas()
    return df.sort_values(["point_id", "method", "eq_index"], kind="stable").reset_index(drop=True)
