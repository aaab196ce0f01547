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
A sequential scenario's table also has ``path``: the play on the equilibrium path, each move by
its player and action (``"US drop -> Russia halt -> ..."``, :mod:`analysis.sweep.paths`); the
manifest's ``"path_labels"`` records that text's version, and a folder of an older version is not
resumed (its chunks would mix two texts). Regimes are counted by path where a table has one: two
regimes that differ only off the path (in what would be done elsewhere) are one.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from analysis.io import atomic_path, file_sha256, versions
from analysis.sweep.design import points as design_points
from analysis.sweep.folder import CHUNKS, FORMAT, MANIFEST, chunk_name
from analysis.sweep.paths import PATH_LABELS
from analysis.sweep.precheck import check_parameters  # noqa: F401  (its public home before precheck)
from analysis.sweep.spec import SweepSpec, design_record, load_sweep
from sim.errors import ScenarioError
from sim.solvers.pure import DEFAULT_TOL as PURE_DEFAULT_TOL, pure_equilibrium_mask

NONE_OUTCOME = "(none)"
PURE_TOL = PURE_DEFAULT_TOL  # enumpure_solve's own default: one tolerance for both routes
BATCHED_METHODS = frozenset({"enumpure"})  # batched for simultaneous scenarios; the rest per point
#: ``spe`` on a perfect-information tree is batched (tied points fall back to ``spe_solve``).
#: Private switch: tests and benchmarks set it to False to force the point-by-point route.
_SPE_BATCHED = True
#: Nash methods solved once per class of strategically equivalent points of a simultaneous
#: scenario (:mod:`sim.solvers.equivalence`), each equilibrium then certified on every member's
#: own payoffs; a member where one fails its tolerance is solved point by point.
CLASS_METHODS = frozenset({"enumpoly"})
#: Private switch, as ``_SPE_BATCHED``: False forces the point-by-point route for CLASS_METHODS.
_CLASSES = True
#: ``enumpoly`` classes not yet solved are first solved together, support profile by support
#: profile over the whole slice (:func:`sim.solvers.poly_batch.enumpoly_batch`); the classes it
#: leaves undecided (ties, boundaries, polynomial supports) are solved one by one as before.
#: Private switch: False solves every class on its own.
_POLY_BATCH = True
#: Results of classes already solved in this process (a class's points are spread over slices
#: and chunks): at most this many, least recently used dropped first.
CLASS_CACHE = 4096
_class_cache: "OrderedDict[bytes, object]" = OrderedDict()
_class_lock = threading.Lock()  # a Dask worker may run chunks in threads


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
    names = [regime_label([outcome_names[k] for k in np.flatnonzero(row)]) for row in uniq_bits]
    return inverse.ravel().astype(np.int32), names


#: A regime label longer than this is shortened (see :func:`regime_label`).
MAX_REGIME_CHARS = 1000


def regime_label(outcomes) -> str:
    """The label of a regime: its outcomes joined by ``" | "`` (``"(none)"`` when there are none).

    A label that would exceed ``MAX_REGIME_CHARS`` (a tree with dozens of equilibria at a point,
    each named by long strategies) is shortened to its count, its first outcomes and a digest of
    the whole list, so distinct regimes keep distinct labels without building huge strings per
    point.

    Examples
    --------
    >>> regime_label(["A=x", "A=y"]), regime_label([])
    ('A=x | A=y', '(none)')
    >>> long = regime_label([f"P=strategy{k:04d}" * 8 for k in range(60)])
    >>> len(long) < 400, long.startswith("60 outcomes: P=strategy0000")
    (True, True)
    """
    import hashlib

    outcomes = list(outcomes)
    if not outcomes:
        return NONE_OUTCOME
    if sum(len(o) + 3 for o in outcomes) - 3 <= MAX_REGIME_CHARS:
        return " | ".join(outcomes)
    digest = hashlib.sha256()
    for o in outcomes:
        digest.update(o.encode())
        digest.update(b"\n")
    head, size = [], 0
    for o in outcomes:
        if head and size + len(o) > 200:
            break
        head.append(o[:200])
        size += len(o) + 3
    return f"{len(outcomes)} outcomes: {' | '.join(head)} | ... #{digest.hexdigest()[:12]}"


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
    # Outcome and regime labels are dictionary codes: no label string is stored (or widened to a
    # fixed-width array) per row.
    outcome_codes: dict[str, int] = {}
    regime_codes: dict[str, int] = {}
    for pid, game in zip(ids, model.games(full)):  # one game per point: these methods have no batched kernel
        result = solve(game, method, **(options or {}))
        eqs = result.equilibria
        named = [_named(model, game, result.game, e) for e in eqs]
        labels = [label for label, _ in named]
        regime = regime_codes.setdefault(regime_label(sorted(set(labels))), len(regime_codes))
        for k, eq in enumerate(eqs or [None]):
            label = labels[k] if eq is not None else NONE_OUTCOME
            rows["point_id"].append(pid)
            rows["eq_index"].append(k if eq is not None else -1)
            rows["n_equilibria"].append(len(eqs))
            rows["outcome"].append(outcome_codes.setdefault(label, len(outcome_codes)))
            rows["regime"].append(regime)
            rows["max_regret"].append(eq.max_regret if eq is not None else np.nan)
            for i, p in enumerate(model.players):
                for a_idx, a in enumerate(model.actions[i]):
                    probs[f"prob.{p}.{a}"].append(float(named[k][1][i][a_idx]) if eq is not None else np.nan)
                pays[f"payoff.{p}"].append(float(eq.payoffs[i]) if eq is not None else np.nan)
    cols = {k: np.asarray(v) for k, v in rows.items() if k not in ("outcome", "regime")}
    cols["point_id"] = np.asarray(rows["point_id"], dtype=np.int64)
    cols["max_regret"] = np.asarray(rows["max_regret"], dtype=float)
    cols["outcome"] = (np.asarray(rows["outcome"], dtype=np.int32), list(outcome_codes))
    cols["regime"] = (np.asarray(rows["regime"], dtype=np.int32), list(regime_codes))
    cols.update({k: np.asarray(v, dtype=float) for k, v in {**probs, **pays}.items()})
    return cols


def _classes_apply(model: ScenarioModel, method: str) -> bool:
    return _CLASSES and method in CLASS_METHODS and not model.sequential


def _class_rows(model: ScenarioModel, method: str, full: np.ndarray, ids: np.ndarray,
                options: dict | None = None) -> dict:
    """A Nash method on classes of strategically equivalent points (:mod:`sim.solvers.equivalence`).

    Points whose strategic payoff weights are bitwise equal have the same equilibria: the class
    is solved once, on its canonical game (the strategic parts of the payoffs only, so what is
    solved depends on the class alone, never on the batch or the chunking), and each of its
    equilibria is measured on every member's own payoffs (payoffs, regret) and certified there with
    the method's tolerance. A member where an equilibrium fails that test (round-off at a tie can
    do it) is solved point by point, as is any point when the method refuses the canonical game.
    Rows are what :func:`_per_point_rows` writes, with the canonical game's equilibria.
    """
    from sim.game import NormalFormGame
    from sim.registry import CERTIFY_TOL, get, solve
    from sim.solvers.equivalence import canonical_payoffs, certify_profiles, inert_components, strategic_classes

    options = dict(options or {})
    c = model.compiled
    N = len(model.players)
    tensor = np.asarray(c.tensor).reshape(-1, *c.outcome_shape, N)
    inert = inert_components(tensor)
    terms = c.terms(full)
    rep, cls = strategic_classes(terms, inert)
    canon = canonical_payoffs(terms[rep], tensor, inert)
    pay = model.payoffs(full)
    names_ = {o.name: o for o in get(method).options}
    tol = options.get("tol", names_["tol"].default if "tol" in names_ else CERTIFY_TOL)
    tag = repr((method, sorted(options.items()), model.players, model.actions)).encode()
    outcome_codes: dict[str, int] = {}
    regime_codes: dict[str, int] = {}
    parts: list[dict] = []
    fallback: list[np.ndarray] = []
    keys = [tag + canon[k].tobytes() for k in range(len(rep))]
    done = _poly_batch_part(model, method, options, canon, keys, cls, pay, ids, tol,
                            outcome_codes, regime_codes, parts, fallback)
    order = np.argsort(cls, kind="stable")
    bounds = np.searchsorted(cls[order], np.arange(len(rep) + 1))
    for k in np.flatnonzero(~done):
        members = order[bounds[k]:bounds[k + 1]]
        key = keys[k]
        with _class_lock:
            entry = _class_cache.get(key)
            if entry is not None:
                _class_cache.move_to_end(key)
        if entry is None:
            game = NormalFormGame.from_payoffs(canon[k], c.players, c.labels, c.scenario.title)
            try:
                result = solve(game, method, **options)
            except Exception:  # noqa: BLE001 - the point-by-point route reports it, point by point
                fallback.append(members)
                continue
            eqs = result.equilibria
            labels = [_named(model, game, result.game, e)[0] for e in eqs]
            strategies = [np.array([e.profile[i] for e in eqs]).reshape(len(eqs), len(model.actions[i]))
                          for i in range(N)]
            entry = (labels, regime_label(sorted(set(labels))), strategies)
            with _class_lock:
                _class_cache[key] = entry
                while len(_class_cache) > CLASS_CACHE:
                    _class_cache.popitem(last=False)
        labels, regime, strategies = entry
        K = len(labels)
        if K:
            p, r, ok = certify_profiles(pay[members], strategies, tol)
            good = ok.all(axis=1)
            if not good.all():
                fallback.append(members[~good])
                members, p, r = members[good], p[good], r[good]
        if not len(members):
            continue
        m = len(members)
        reg = regime_codes.setdefault(regime, len(regime_codes))
        if K:
            codes = np.array([outcome_codes.setdefault(lb, len(outcome_codes)) for lb in labels], dtype=np.int32)
            part = {"point_id": np.repeat(ids[members], K), "eq_index": np.tile(np.arange(K), m),
                    "n_equilibria": np.full(m * K, K), "outcome": np.tile(codes, m),
                    "regime": np.full(m * K, reg, dtype=np.int32), "max_regret": r.reshape(-1)}
            for i, player in enumerate(model.players):
                for a, action in enumerate(model.actions[i]):
                    part[f"prob.{player}.{action}"] = np.tile(strategies[i][:, a], m)
                part[f"payoff.{player}"] = p[:, :, i].reshape(-1)
        else:
            none = outcome_codes.setdefault(NONE_OUTCOME, len(outcome_codes))
            part = {"point_id": ids[members], "eq_index": np.full(m, -1), "n_equilibria": np.zeros(m, dtype=np.int64),
                    "outcome": np.full(m, none, dtype=np.int32), "regime": np.full(m, reg, dtype=np.int32),
                    "max_regret": np.full(m, np.nan)}
            for i, player in enumerate(model.players):
                for action in model.actions[i]:
                    part[f"prob.{player}.{action}"] = np.full(m, np.nan)
                part[f"payoff.{player}"] = np.full(m, np.nan)
        parts.append(part)
    if fallback:
        idx = np.sort(np.concatenate(fallback))
        rest = _per_point_rows(model, method, full[idx], ids[idx], options)
        part = {}
        for key, codes_of in (("outcome", outcome_codes), ("regime", regime_codes)):
            rest_codes, rest_names = rest.pop(key)
            remap = np.array([codes_of.setdefault(n, len(codes_of)) for n in rest_names], dtype=np.int32)
            part[key] = remap[rest_codes] if len(rest_codes) else np.zeros(0, dtype=np.int32)
        part.update(rest)
        parts.append(part)
    keys = ["point_id", "eq_index", "n_equilibria", "outcome", "regime", "max_regret",
            *(f"prob.{p}.{a}" for i, p in enumerate(model.players) for a in model.actions[i]),
            *(f"payoff.{p}" for p in model.players)]
    cols = {key: np.concatenate([np.asarray(part[key]) for part in parts]) for key in keys}
    order = np.lexsort((cols["eq_index"], cols["point_id"]))
    cols = {key: v[order] for key, v in cols.items()}
    cols["point_id"] = cols["point_id"].astype(np.int64)
    cols["eq_index"] = cols["eq_index"].astype(np.int64)
    cols["n_equilibria"] = cols["n_equilibria"].astype(np.int64)
    for key in keys[5:]:
        cols[key] = cols[key].astype(float)
    cols["outcome"] = (cols["outcome"].astype(np.int32), list(outcome_codes))
    cols["regime"] = (cols["regime"].astype(np.int32), list(regime_codes))
    return cols


def _poly_batch_part(model: ScenarioModel, method: str, options: dict, canon: np.ndarray, keys: list,
                     cls: np.ndarray, pay: np.ndarray, ids: np.ndarray, tol: float, outcome_codes: dict,
                     regime_codes: dict, parts: list, fallback: list) -> np.ndarray:
    """The rows of the classes :func:`sim.solvers.poly_batch.enumpoly_batch` decides, in array
    operations (appended to ``parts``; members failing certification to ``fallback``).

    Only classes not in the cache are batched. Rows are those the class loop of
    :func:`_class_rows` writes: the class's equilibria in ``enumpoly_solve``'s order, each measured
    and certified on every member's own payoffs (:func:`sim.solvers.equivalence.certify_rows`).
    Returns which classes are done.
    """
    done = np.zeros(len(keys), dtype=bool)
    if not (_POLY_BATCH and method == "enumpoly" and set(options) <= {"tol", "seed"}):
        return done
    from sim.result import SUPPORT_TOL
    from sim.solvers.equivalence import certify_rows
    from sim.solvers.poly_batch import enumpoly_batch

    with _class_lock:
        todo = np.array([k for k, key in enumerate(keys) if key not in _class_cache], dtype=np.int64)
    if not len(todo):
        return done
    c = model.compiled
    N = len(model.players)
    batch = enumpoly_batch(canon[todo], tol=tol)
    done[todo[batch.decided]] = True
    # Equilibria of each class: a contiguous range of the batch's rows (sorted by point).
    eq_class = todo[batch.point]
    K = np.bincount(eq_class, minlength=len(keys))
    first = np.zeros(len(keys) + 1, dtype=np.int64)
    first[1:] = np.cumsum(K)
    # Outcome labels from supports (one bit per action), named once per distinct support.
    widths = [len(a) for a in model.actions]
    bits = np.zeros(len(eq_class), dtype=np.int64)
    shift = 0
    for i in range(N):
        for a in range(widths[i]):
            bits |= (batch.strategies[i][:, a] > SUPPORT_TOL).astype(np.int64) << shift
            shift += 1
    uniq, label_of = np.unique(bits, return_inverse=True)
    names = []
    for code in uniq.tolist():
        parts_, shift = [], 0
        for i, p in enumerate(c.players):
            acts = [c.labels[i][a] for a in range(widths[i]) if code >> (shift + a) & 1]
            parts_.append(f"{p}={'|'.join(acts)}")
            shift += widths[i]
        names.append(", ".join(parts_))
    outcome_of = np.array([outcome_codes.setdefault(n, len(outcome_codes)) for n in names], dtype=np.int32)
    # Regime of each class: the sorted set of its labels.
    regime_key: dict[tuple, int] = {}
    class_regime = np.full(len(keys), -1, dtype=np.int64)
    for k in todo[batch.decided]:
        key = tuple(sorted(set(label_of[first[k]:first[k + 1]].tolist())))
        reg = regime_key.get(key)
        if reg is None:
            reg = regime_key[key] = regime_codes.setdefault(regime_label(sorted(names[j] for j in key)), len(regime_codes))
        class_regime[k] = reg
    # Rows: each member point of a decided class, each of its class's equilibria (or one "(none)").
    pts = np.flatnonzero(done[cls])
    if not len(pts):
        return done
    kp = K[cls[pts]]
    reps = np.maximum(kp, 1)
    row_point = np.repeat(pts, reps)
    start = np.repeat(np.cumsum(reps) - reps, reps)
    row_k = np.arange(len(row_point)) - start                   # equilibrium index within the point
    has = np.repeat(kp > 0, reps)
    row_eq = np.where(has, first[cls[row_point]] + row_k, 0)
    strategies = [s[row_eq] for s in batch.strategies] if len(eq_class) else \
        [np.zeros((len(row_point), w)) for w in widths]
    p, regret, ok = certify_rows(pay[row_point], strategies, tol) if len(row_point) else (
        np.zeros((0, N)), np.zeros(0), np.zeros(0, dtype=bool))
    ok |= ~has
    bad_points = np.unique(row_point[~ok])
    if len(bad_points):
        fallback.append(bad_points)
        keep = ~np.isin(row_point, bad_points)
        row_point, row_k, has, row_eq, p, regret = (x[keep] for x in (row_point, row_k, has, row_eq, p, regret))
        strategies = [s[keep] for s in strategies]
    none = outcome_codes.setdefault(NONE_OUTCOME, len(outcome_codes)) if (~has).any() else 0
    part = {"point_id": ids[row_point], "eq_index": np.where(has, row_k, -1),
            "n_equilibria": K[cls[row_point]],
            "outcome": np.where(has, outcome_of[label_of[row_eq]] if len(label_of) else 0, none).astype(np.int32),
            "regime": class_regime[cls[row_point]].astype(np.int32),
            "max_regret": np.where(has, regret, np.nan)}
    for i, player in enumerate(model.players):
        for a, action in enumerate(model.actions[i]):
            part[f"prob.{player}.{action}"] = np.where(has, strategies[i][:, a], np.nan)
        part[f"payoff.{player}"] = np.where(has, p[:, i], np.nan)
    parts.append(part)
    return done


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
            rest_codes, rest_names = rest.pop(key)
            remap = np.array([index.setdefault(n, len(index)) for n in rest_names], dtype=np.int32)
            extra = remap[rest_codes] if len(rest_codes) else np.zeros(0, dtype=np.int32)
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


def chunk_table(spec: SweepSpec, model: ScenarioModel, start: int, stop: int, methods=None):
    """The result table of points ``start..stop-1`` (for ``methods``, default the sweep's) as a
    ``pyarrow.Table``."""
    import pyarrow as pa

    values = design_points(spec, start, stop)
    ids = np.arange(start, stop, dtype=np.int64)
    full = model.full_points(spec.parameter_names, values)
    tables = []
    payoffs = None
    for method in methods or spec.methods:
        options = spec.options_for(method)
        if method in BATCHED_METHODS and not model.sequential:
            if payoffs is None:
                payoffs = model.payoffs(full)
            cols = _pure_rows(model, payoffs, ids, options.get("tol", PURE_TOL))
        elif method == "spe" and _spe_batched(model) and not options:  # the batch runs spe's defaults
            cols = _spe_rows(model, full, ids)
        elif _classes_apply(model, method):
            cols = _class_rows(model, method, full, ids, options)
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


#: Points solved at once inside a chunk: a chunk's rows are written in slices of points, so a
#: worker's memory is bounded by the slice, not by the chunk size or the number of points.
#: Batched kernels take as many points as fit in ``BATCH_ENTRIES`` payoff entries; methods solved
#: point by point (whose rows are Python objects until the slice ends) take ``POINT_BATCH``.
BATCH_ENTRIES = 1 << 24
POINT_BATCH = 512
#: Points per slice for CLASS_METHODS: their rows are arrays, a few dozen per point at most.
CLASS_BATCH = 8192


def batch_points(spec: SweepSpec, model: ScenarioModel) -> int:
    """Points per slice of a chunk (see ``BATCH_ENTRIES`` and ``POINT_BATCH``)."""
    entries = max(1, int(model.compiled.n_outcomes) * len(model.players))
    step = max(1, BATCH_ENTRIES // entries)
    for method in spec.methods:
        batched = (method in BATCHED_METHODS and not model.sequential) or (
            method == "spe" and _spe_batched(model) and not spec.options_for(method))
        if _classes_apply(model, method):
            step = min(step, CLASS_BATCH)
        elif not batched:
            step = min(step, POINT_BATCH)
    return step


def write_chunk(spec: SweepSpec, model: ScenarioModel, path: Path, start: int, stop: int) -> int:
    """Write the rows of points ``start..stop-1`` to the Parquet file ``path``, one row group per
    slice of points; returns the number of rows."""
    import pyarrow.parquet as pq

    step = batch_points(spec, model)
    writer = None
    rows = 0
    try:
        for lo in range(start, stop, step):
            table = chunk_table(spec, model, lo, min(stop, lo + step))
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="zstd")
            elif table.schema != writer.schema:
                table = table.cast(writer.schema)
            writer.write_table(table)
            rows += table.num_rows
    finally:
        if writer is not None:
            writer.close()
    return rows


def run_chunk(job: ChunkJob) -> dict:
    """Worker: compute one chunk and write it whole (temporary name, then an atomic rename).

    Returns the chunk's record for the manifest: its point range, row count and the SHA-256 of
    the file's bytes (hashed before the rename, so the record is of exactly what was committed).
    """
    t0 = time.perf_counter()
    spec = load_sweep(job.spec_path)
    model = scenario_model(str(spec.scenario_path), job.scenario_hash)
    path = Path(job.out_dir) / CHUNKS / chunk_name(job.index)
    try:
        with atomic_path(path) as tmp:
            rows = write_chunk(spec, model, tmp, job.start, job.stop)
            sha = file_sha256(tmp)
    except OSError as exc:
        raise ScenarioError(f"cannot write a chunk ({exc.strerror or exc}); the folder stays usable by --resume",
                            path=str(path)) from None
    return {"index": job.index, "start": job.start, "stop": job.stop, "points": job.stop - job.start,
            "rows": rows, "sha256": sha, "seconds": time.perf_counter() - t0}


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
    #: Chunks found damaged, unrecorded or missing at the start of a resume, and recomputed.
    chunks_repaired: int = 0

    def format(self) -> str:
        repaired = f", {self.chunks_repaired} of them repaired" if self.chunks_repaired else ""
        lines = [
            f"sweep: {self.n_points:,} points in {self.n_chunks} chunks "
            f"({self.chunks_run} run now{repaired}) on {self.executor} x{self.workers}, {self.seconds:.2f} s "
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


def _refuse(out: Path, message: str) -> ScenarioError:
    return ScenarioError(message, path=str(out))


def _prepare_out(out: Path, manifest: dict, resume: bool, overwrite: bool, paths: bool = False) -> dict:
    """Decide, under the folder's lock, what this run continues from; returns the manifest to use
    (written to the folder before any chunk). ``paths``: the table has a ``path`` column, so a
    folder whose manifest records another version of its text is not resumed."""
    import analysis.sweep.folder as f

    mpath = out / MANIFEST
    if overwrite:
        f.clear_owned(out)
    elif resume and mpath.exists():
        old = f.load_manifest(out)
        f.refuse_strays(out, old["n_chunks"])
        started = bool(old["chunks"]) or any((out / CHUNKS).glob("chunk-*.parquet"))
        changes = [(what, key) for key, what in (("scenario_hash", "the scenario file"), ("sweep_hash", "the sweep file"))
                   if old.get(key) != manifest[key]]
        chunking = old["chunk_size"] != manifest["chunk_size"] or old["n_points"] != manifest["n_points"]
        if not started:
            pass  # nothing was computed: a fixed sweep or scenario file simply starts again
        elif changes:
            what, key = changes[0]
            raise _refuse(out, f"{what} changed since this sweep started; refusing to resume "
                               f"(got {key} {manifest[key][:12]}, manifest has {str(old.get(key))[:12]}); "
                               "use --overwrite to start again")
        elif chunking:
            raise _refuse(out, "chunking differs from the manifest; resume without --chunk-size or with the "
                               f"original (got {manifest['chunk_size']}, manifest has {old['chunk_size']})")
        elif paths and old.get("path_labels", 1) != manifest["path_labels"]:
            raise _refuse(out, f"was written with path labels version {old.get('path_labels', 1)} and this version "
                               f"writes {manifest['path_labels']} (players named on the path); refusing to resume "
                               "into a folder that would mix the two; use --overwrite to start again (reading "
                               "it needs no resume)")
        else:
            old["path_labels"] = manifest["path_labels"]  # a table without a path column reads the same
            return old
    elif f.has_content(out):
        if mpath.exists():
            raise _refuse(out, "already holds a sweep; pass --resume to continue it or --overwrite to replace it")
        if resume:
            raise _refuse(out, "has no sweep manifest to resume from, and files in it are never adopted; "
                               "use --overwrite to start again")
        _, others = f.owned(out)
        shown = sorted(p.relative_to(out).as_posix() for p in others)
        first = shown[0] if shown else CHUNKS + "/"
        raise _refuse(out, f"is not empty (holds {first}); use --overwrite to replace the sweep files in it, "
                           "or choose another folder")
    chunk_dir = out / CHUNKS
    if chunk_dir.is_symlink() or (chunk_dir.exists() and not chunk_dir.is_dir()):
        raise _refuse(out, f"{CHUNKS} is not a folder of its own (a link or a file); move it away")
    for stale in chunk_dir.glob("chunk-*.parquet"):  # only possible in a folder that never got started
        stale.unlink()
    chunk_dir.mkdir(exist_ok=True)
    f.write_manifest(out, manifest)
    return manifest


def _to_do(out: Path, doc: dict) -> tuple[list[int], int]:
    """Chunks to compute: every chunk not present with the recorded bytes (damaged, unrecorded or
    missing ones are removed and computed again); and how many of those had a file or record."""
    from analysis.sweep.folder import TMP_RE, verify_chunk

    chunk_dir = out / CHUNKS
    for stale in chunk_dir.iterdir():
        if TMP_RE.fullmatch(stale.name):
            stale.unlink()  # a killed worker's unfinished chunk (no live run: we hold the lock)
    todo, repaired = [], 0
    for c in range(doc["n_chunks"]):
        if doc["chunks"].get(str(c)) is not None or (chunk_dir / chunk_name(c)).exists():
            data, why = verify_chunk(out, doc, c)
            if data is not None:
                continue
            repaired += why != "missing" or str(c) in doc["chunks"]
            doc["chunks"].pop(str(c), None)
            (chunk_dir / chunk_name(c)).unlink(missing_ok=True)
        todo.append(c)
    return todo, repaired


def run_sweep(sweep_path, out_dir, *, workers: int | None = None, scheduler: str | None = None,
              chunk_size: int | None = None, resume: bool = False, overwrite: bool = False,
              executor: str = "processes", progress: bool = False,
              scheduler_timeout: float | None = None) -> SweepSummary:
    """Run (or resume) a sweep into ``out_dir`` and summarise it.

    ``executor`` is ``"processes"`` (``workers`` local processes, the default), ``"inprocess"``
    or, with ``scheduler``, a Dask cluster; every executor writes the same table. A resume
    takes the chunk size from the manifest when ``chunk_size`` is not given, verifies every chunk
    against the manifest and recomputes those that are damaged or missing. ``overwrite`` replaces
    the sweep files of a folder (only those: see :mod:`analysis.sweep.folder`). Everything that
    can be checked is checked before anything is written (:mod:`analysis.sweep.precheck`).
    ``scheduler_timeout`` bounds each wait on a Dask cluster (to connect, for a worker).

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
    from analysis.sweep.folder import ManifestWriter, load_manifest, lock_folder
    from analysis.sweep.precheck import check_sweep

    t0 = time.perf_counter()
    if resume and overwrite:
        raise ScenarioError("--resume continues a sweep and --overwrite replaces it; choose one", field="--overwrite")
    spec = load_sweep(sweep_path)
    scenario_hash = file_sha256(spec.scenario_path)
    model = scenario_model(str(spec.scenario_path), scenario_hash)
    out = Path(out_dir)
    chunk = chunk_size
    if chunk is None and resume and (out / MANIFEST).is_file():
        chunk = load_manifest(out)["chunk_size"]  # a resume remembers the chunking
    chunk = chunk or spec.chunk_size
    if chunk < 1:
        raise ScenarioError(f"chunk size must be positive (got {chunk})", field="--chunk-size")
    check_sweep(spec, model, chunk_table)
    ex = make_executor(executor, workers, scheduler, timeout=scheduler_timeout)
    n = spec.n_points
    n_chunks = -(-n // chunk)
    manifest = {
        "format": FORMAT,
        "scenario": str(spec.scenario_path.name),
        "scenario_hash": scenario_hash,
        "sweep": str(Path(sweep_path).name),
        "sweep_hash": file_sha256(Path(sweep_path)),
        "spec": spec.raw,
        "seed": spec.seed,
        "methods": list(spec.methods),
        "parameters": list(spec.parameter_names),
        "design": design_record(spec),  # how point ids map to the design (bargain sensitivity reads it)
        "n_points": n,
        "chunk_size": chunk,
        "n_chunks": n_chunks,
        "chunks": {},
        "versions": versions(),
        "path_labels": PATH_LABELS,  # the version of the path column's text (analysis.sweep.paths)
    }
    # The executor is entered first: a scheduler that cannot be reached, or has no worker, is
    # refused before the folder is touched.
    with ex:
        n_workers = ex.workers
        try:
            out.mkdir(parents=True, exist_ok=True)
            probe = out / f".write-probe.{os.getpid()}.tmp"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise ScenarioError(f"output folder is not writable ({exc.strerror or exc})", path=str(out)) from None
        with lock_folder(out):
            doc = _prepare_out(out, manifest, resume, overwrite, paths=model.sequential)
            todo, repaired = _to_do(out, doc)
            jobs = [ChunkJob(str(Path(sweep_path).resolve()), scenario_hash, str(out.resolve()), c,
                             c * chunk, min(n, (c + 1) * chunk)) for c in todo]
            bar = None
            if progress:
                from tqdm import tqdm

                bar = tqdm(total=n, initial=n - sum(j.stop - j.start for j in jobs), unit="pt", unit_scale=True,
                           desc="sweep", smoothing=0.1)
            writer = ManifestWriter(out, doc)
            try:
                for stats in ex.map_unordered(run_chunk, jobs):
                    writer.record(stats)
                    if bar is not None:
                        bar.update(stats["points"])
                n_workers = max(n_workers, ex.workers)
            finally:
                if bar is not None:
                    bar.close()
                if jobs:
                    writer.save()  # whatever was committed stays usable by --resume
            summary = summarise(out, time.perf_counter() - t0, len(jobs), ex.name, n_workers, repaired,
                                by_path=model.sequential)
            doc.setdefault("runs", []).append({"seconds": summary.seconds, "chunks_run": summary.chunks_run,
                                               "executor": summary.executor, "workers": summary.workers,
                                               "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
            writer.save()
    return summary


def summarise(out: Path, seconds: float, chunks_run: int, executor: str, workers: int,
              repaired: int = 0, by_path: bool = False) -> SweepSummary:
    """Count equilibria per point and regimes, reading one verified chunk at a time (memory stays
    bounded). ``by_path``: the table has a ``path`` column, and a regime is the set of a point's
    paths (:func:`analysis.sweep.paths.path_regimes`), as every reader of the folder counts them."""
    from collections import Counter

    from analysis.sweep.paths import path_regimes

    n_rows = 0
    eq_sums: Counter = Counter()
    points: Counter = Counter()
    regimes: dict[str, Counter] = {}
    manifest = None
    columns = ["point_id", "method", "n_equilibria", "eq_index", "regime"] + (["path"] if by_path else [])
    for manifest, _, table in _verified_chunks(out, columns=columns):
        n_rows += table.num_rows
        if by_path:  # a point's rows all lie in its chunk
            frame = path_regimes(table.to_pandas())
            first = frame[frame["eq_index"] <= 0]
        else:
            first = table.filter(_first_rows(table)).to_pandas()  # one row per point and method
        for method, group in first.groupby("method", observed=True):
            method = str(method)
            eq_sums[method] += int(group["n_equilibria"].sum())
            points[method] += len(group)
            regimes.setdefault(method, Counter()).update(group["regime"].astype(str).value_counts().to_dict())
    eqpp = {m: eq_sums[m] / points[m] for m in points}
    shares = {m: {k: v / points[m] for k, v in c.most_common()} for m, c in regimes.items()}
    return SweepSummary(Path(out), manifest["n_points"], n_rows, manifest["n_chunks"], chunks_run,
                        seconds, executor, workers, eqpp, shares, repaired)


def _first_rows(table):
    import pyarrow.compute as pc

    return pc.less_equal(table["eq_index"], 0)


def _verified_chunks(out_dir, columns=None, partial: bool = False, missing: list | None = None):
    """``(manifest, index, table)`` of each chunk whose bytes, row count and point range match the
    manifest; anything else is a one-line error naming the folder and the chunk (or, with
    ``partial``, is appended to ``missing`` as ``(start, stop, why)``)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from analysis.sweep.folder import chunk_range, load_manifest, refuse_strays, verify_chunk

    out = Path(out_dir)
    doc = load_manifest(out)
    refuse_strays(out, doc["n_chunks"])
    hint = "run the sweep again with --resume to recompute it"
    for c in range(doc["n_chunks"]):
        start, stop = chunk_range(doc, c)
        data, why = verify_chunk(out, doc, c)
        if data is not None:
            rec = doc["chunks"][str(c)]
            try:
                table = pq.read_table(pa.BufferReader(data), columns=columns)
            except (OSError, ValueError, pa.ArrowException) as exc:
                why = f"unreadable ({type(exc).__name__})"
            else:
                ids = table["point_id"] if "point_id" in table.column_names else \
                    pq.read_table(pa.BufferReader(data), columns=["point_id"])["point_id"]
                if table.num_rows != rec["rows"]:
                    why = f"has {table.num_rows} rows where the manifest records {rec['rows']}"
                elif table.num_rows and (pc.min(ids).as_py() < start or pc.max(ids).as_py() >= stop):
                    why = f"holds points outside its range {start}..{stop - 1}"
                else:
                    yield doc, c, table
                    continue
        if not partial:
            raise ScenarioError(f"{CHUNKS}/{chunk_name(c)} (points {start}..{stop - 1}) is {why}; {hint}",
                                path=str(out))
        if missing is not None:
            missing.append((start, stop, why))


def read_results(out_dir, *, partial: bool = False) -> "pandas.DataFrame":  # noqa: F821
    """The sweep's result table as a pandas DataFrame, sorted by point, method and equilibrium.

    Every chunk is checked against the manifest (SHA-256, row count, point range) and the table
    against the sweep (each ``(point_id, method, eq_index)`` once, every point present for every
    method). A chunk that is missing, damaged or not recorded, or a file in ``chunks/`` that is no
    chunk of this sweep, is a one-line :class:`~sim.errors.ScenarioError` naming the folder and the
    file. With ``partial=True`` the verified chunks are returned and what is missing is listed
    in ``df.attrs["missing"]`` as ``(start, stop, why)`` point ranges instead.
    """
    import pyarrow as pa

    out = Path(out_dir)
    missing: list = []
    tables, doc = [], None
    for doc, _, table in _verified_chunks(out, partial=partial, missing=missing):
        tables.append(table)
    if not tables:
        raise ScenarioError("holds no sweep results", path=str(out_dir))
    df = pa.concat_tables(tables, promote_options="permissive").to_pandas()
    df = df.sort_values(["point_id", "method", "eq_index"], kind="stable").reset_index(drop=True)
    # Sorted, so a repeated (point_id, method, eq_index) key sits next to its twin; each point has
    # exactly one row with eq_index <= 0 per method (its first equilibrium, or its "(none)" row).
    method = df["method"].astype("category")
    codes = method.cat.codes.to_numpy()
    pid, eq = df["point_id"].to_numpy(), df["eq_index"].to_numpy()
    twin = np.flatnonzero((pid[1:] == pid[:-1]) & (codes[1:] == codes[:-1]) & (eq[1:] == eq[:-1]))
    if len(twin):
        raise ScenarioError(f"its chunks repeat a result (point {int(pid[twin[0]])}); run the sweep again with "
                            "--overwrite", path=str(out))
    firsts = np.bincount(codes[eq <= 0], minlength=len(method.cat.categories))
    per_method = dict(zip(map(str, method.cat.categories), firsts.tolist()))
    expected = doc["n_points"] - sum(stop - start for start, stop, _ in missing)
    short = [m for m in (doc.get("methods") or list(per_method)) if per_method.get(m, 0) != expected]
    if short:
        raise ScenarioError(f"method {short[0]!r} has results for {per_method.get(short[0], 0)} of "
                            f"{expected} points; run the sweep again with --overwrite", path=str(out))
    df.attrs["missing"] = missing
    return df
