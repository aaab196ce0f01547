"""Indicators and observations on a sweep's result table: what a point's equilibria say, as numbers.

Conditions are written in a small language read without any evaluation:

``outcome: NAME=ACTION[, NAME=ACTION ...]``  (``path:`` is a synonym)
    An equilibrium matches when, for each item, the move named plays ``ACTION`` (with
    probability at least ``1 - PROB_TOL`` at every node of it that play reaches) and is reached.
    ``NAME`` is a player (any of its moves), a move of a sequential timing (``russia_iran``), or
    ``PLAYER.MOVE``. As an indicator of a point: 1 when some equilibrium (or, with
    ``selected``, the selected one) matches, else 0.
``payoff: PLAYER``
    The player's payoff in the point's selected equilibrium.
``regime: LABEL``
    1 when the point's regime (its set of equilibrium outcomes, as the sweep labels it) is
    ``LABEL``, else 0; ``LABEL`` may also be the short name ``R1, R2, ...`` of the regime table
    (:func:`analysis.compare.regime_key`, regimes by decreasing share).

The *selected* equilibrium of a point is the first, in the method's order, that no other
equilibrium of the point Pareto-dominates (weakly for every player, strictly for one, beyond
``PAYOFF_TOL``; Harsanyi and Selten 1988, chapter 3). With one equilibrium it is that one.

What each equilibrium plays is read from the table's ``prob.`` columns: a simultaneous game's
mixed profile; a large tree's path columns (``prob.P.move=action``: the probability that play
passes through that action); or, for a tree named by reduced strategies, the behaviour those
strategies induce (Kuhn 1953) walked along the path of play of the tree at the defaults (chance
probabilities at their defaults decide only which chance outcomes are reached).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from sim.errors import ScenarioError

#: Probability below one that still counts as "plays the action" (and above zero as "reached").
PROB_TOL = 1e-9
#: Payoff differences smaller than this do not make one equilibrium Pareto-dominate another.
PAYOFF_TOL = 1e-9
KINDS = ("outcome", "path", "payoff", "regime")
_PAIRS_PER_BATCH = 4_000_000  # payoff comparisons held at once by selected_rows
_NAME = re.compile(r"^[A-Za-z_][\w\-]*(\.[A-Za-z_][\w\-]*)?$")
_ACTION = re.compile(r"^[^\s=,]+$")


class IndicatorError(ScenarioError):
    """A malformed indicator or observation, or one that names what the sweep does not have."""


@dataclass(frozen=True)
class Indicator:
    """A parsed condition: ``kind`` is ``"outcome"``, ``"payoff"`` or ``"regime"``."""

    text: str
    kind: str
    items: tuple[tuple[str, str], ...] = ()
    player: str = ""
    label: str = ""

    @property
    def binary(self) -> bool:
        return self.kind != "payoff"


def parse_indicator(text: str) -> Indicator:
    """Read ``"outcome: Iran=halt"``, ``"payoff: US"`` or ``"regime: LABEL"`` (module docstring).

    Examples
    --------
    >>> parse_indicator("outcome: Iran=halt, russia_iran=pressure").items
    (('Iran', 'halt'), ('russia_iran', 'pressure'))
    >>> parse_indicator("payoff: US").player
    'US'
    >>> parse_indicator("halt")
    Traceback (most recent call last):
    analysis.indicators.IndicatorError: indicator 'halt': must read KIND: ..., with KIND one of outcome, path, payoff, regime
    """
    if not isinstance(text, str) or ":" not in text:
        raise IndicatorError(f"indicator {text!r}: must read KIND: ..., with KIND one of {', '.join(KINDS)}")
    kind, _, body = text.partition(":")
    kind, body = kind.strip().lower(), body.strip()
    if kind not in KINDS:
        raise IndicatorError(f"indicator {text!r}: unknown kind {kind!r}; choose from {', '.join(KINDS)}")
    if not body:
        raise IndicatorError(f"indicator {text!r}: nothing after '{kind}:'")
    if kind == "payoff":
        if not _NAME.match(body) or "." in body:
            raise IndicatorError(f"indicator {text!r}: 'payoff:' takes one player name (got {body!r})")
        return Indicator(text, "payoff", player=body)
    if kind == "regime":
        return Indicator(text, "regime", label=body)
    items = []
    for part in body.split(","):
        name, eq, action = (s.strip() for s in part.partition("="))
        if not eq or not _NAME.match(name) or not _ACTION.match(action):
            raise IndicatorError(f"indicator {text!r}: each item must read NAME=ACTION (got {part.strip()!r})")
        items.append((name, action))
    return Indicator(text, "outcome", items=tuple(items))


# ----- what each equilibrium plays -----------------------------------------------------------------
@dataclass(frozen=True)
class Moves:
    """The moves of a sweep's scenario: ``(player, move, actions)`` each, in timing order, and how
    the table names equilibria (``naming`` as :class:`analysis.sweep.run.ScenarioModel`)."""

    moves: tuple[tuple[str, str, tuple[str, ...]], ...]
    naming: str
    model: object = None


def scenario_moves(model) -> Moves:
    """The moves of a :class:`analysis.sweep.run.ScenarioModel` (a simultaneous game: each player
    is its own one move)."""
    if not model.sequential:
        return Moves(tuple((p, p, tuple(model.actions[i])) for i, p in enumerate(model.players)), "profile", model)
    from analysis.sweep.run import path_moves

    moves = tuple((model.players[i], key, tuple(acts)) for i, key, acts in path_moves(model.compiled))
    return Moves(moves, model.naming, model)


def _resolve(moves: Moves, name: str, action: str, text: str) -> list[int]:
    """Indices of the moves an item names; checks that the action exists there."""
    if "." in name:
        player, move = name.split(".", 1)
        hits = [k for k, (p, m, _) in enumerate(moves.moves) if p == player and m == move]
    else:
        hits = [k for k, (p, m, _) in enumerate(moves.moves) if name in (p, m)]
    if not hits:
        known = sorted({p for p, _, _ in moves.moves} | {m for _, m, _ in moves.moves})
        raise IndicatorError(f"indicator {text!r}: no player or move named {name!r}; the scenario has {known}")
    hits = [k for k in hits if action in moves.moves[k][2]]
    if not hits:
        acts = sorted({a for k, (p, m, acts) in enumerate(moves.moves) if name in (p, m, f"{p}.{m}") for a in acts})
        raise IndicatorError(f"indicator {text!r}: {name} has no action {action!r}; its actions are {acts}")
    return hits


def _play_of_row(moves: Moves, columns: list[str], row: np.ndarray) -> dict[tuple[int, str], float]:
    """``{(move index, action): probability given the move is reached}`` for the moves reached."""
    out: dict[tuple[int, str], float] = {}
    index = {(p, m): k for k, (p, m, _) in enumerate(moves.moves)}
    if moves.naming == "profile":
        for c, v in zip(columns, row):
            _, player, action = c.split(".", 2)
            out[(index[(player, player)], action)] = float(v)
        return out
    if moves.naming == "path":
        reach: dict[int, float] = {}
        mass: dict[tuple[int, str], float] = {}
        for c, v in zip(columns, row):
            _, player, rest = c.split(".", 2)
            move, action = rest.split("=", 1)
            k = index[(player, move)]
            reach[k] = reach.get(k, 0.0) + float(v)
            mass[(k, action)] = float(v)
        return {(k, a): v / reach[k] for (k, a), v in mass.items() if reach[k] > PROB_TOL}
    # Reduced strategies: the behaviour they induce, walked along the tree's path of play.
    from sim.extensive.reduced import behaviour_from_mixed
    from sim.extensive.spe import equilibrium_path

    model = moves.model
    tree = model.tree
    profile, j = [], 0
    for acts in model.actions:
        profile.append(np.asarray(row[j:j + len(acts)], dtype=float))
        j += len(acts)
    steps = equilibrium_path(tree, behaviour_from_mixed(tree, profile))
    node_reach: dict[tuple[int, str], float] = {}
    mass = {}
    for s in steps:
        if s["mover"] == "chance":
            continue
        k = index.get((s["mover"], s["node"]))
        if k is None:
            continue
        node_reach[(k, s["path"])] = s["reach"]
        mass[(k, s["action"])] = mass.get((k, s["action"]), 0.0) + s["reach"] * s["probability"]
    reach = {}
    for (k, _), r in node_reach.items():
        reach[k] = reach.get(k, 0.0) + r
    return {(k, a): v / reach[k] for (k, a), v in mass.items() if reach.get(k, 0.0) > PROB_TOL}


def row_matches(df, moves: Moves, indicator: Indicator) -> np.ndarray:
    """Whether each row's equilibrium matches an ``outcome`` indicator (rows without an
    equilibrium never do). Computed once per distinct row of probabilities."""
    wanted = [(_resolve(moves, name, action, indicator.text), action) for name, action in indicator.items]
    columns = _columns(df, moves)
    probs = df[columns].to_numpy(float)
    has = df["eq_index"].to_numpy() >= 0
    out = np.zeros(len(df), dtype=bool)
    if not has.any():
        return out
    uniq, inverse = np.unique(np.round(probs[has], 12), axis=0, return_inverse=True)
    verdict = np.zeros(len(uniq), dtype=bool)
    for u, row in enumerate(uniq):
        play = _play_of_row(moves, columns, row)
        verdict[u] = all(any(play.get((k, action), 0.0) >= 1 - PROB_TOL for k in ks) for ks, action in wanted)
    out[has] = verdict[inverse.ravel()]
    return out


def _columns(df, moves: Moves) -> list[str]:
    if moves.naming == "reduced":  # the table's columns follow the players' reduced strategies in order
        return [f"prob.{p}.{a}" for p, acts in zip(moves.model.players, moves.model.actions) for a in acts]
    return [c for c in df.columns if c.startswith("prob.")]


def play_labels(df, moves: Moves) -> np.ndarray:
    """Each row's play in words: every move reached, in timing order, with the actions it plays
    (``|`` between several): ``"us_plan=drop, russia_kaliningrad=halt, ..."``; ``"(none)"`` for a
    row without an equilibrium. A tree sweep's table has its play named by player and action
    (its ``path`` column, :mod:`analysis.sweep.paths`), which is used as it is."""
    if "path" in df.columns:
        return df["path"].astype(str).to_numpy(dtype=object)
    columns = _columns(df, moves)
    probs = df[columns].to_numpy(float)
    has = df["eq_index"].to_numpy() >= 0
    out = np.full(len(df), "(none)", dtype=object)
    if not has.any():
        return out
    uniq, inverse = np.unique(np.round(probs[has], 12), axis=0, return_inverse=True)
    labels = []
    for row in uniq:
        play = _play_of_row(moves, columns, row)
        parts = []
        for k, (p, m, acts) in enumerate(moves.moves):
            hit = [a for a in acts if play.get((k, a), 0.0) > PROB_TOL]
            if hit:
                parts.append(f"{m}={'|'.join(hit)}")
        labels.append(", ".join(parts) or "(none)")
    out[has] = np.asarray(labels, dtype=object)[inverse.ravel()]
    return out


# ----- per point -----------------------------------------------------------------------------------
def method_rows(df, method: str | None):
    """The rows of one method (default: the table's first), sorted by point and equilibrium."""
    methods = list(dict.fromkeys(df["method"].astype(str)))
    method = method or methods[0]
    if method not in methods:
        raise IndicatorError(f"the sweep ran no method {method!r}; it ran {methods}")
    rows = df[df["method"].astype(str) == method]
    return rows.sort_values(["point_id", "eq_index"], kind="stable").reset_index(drop=True)


def selected_rows(df) -> np.ndarray:
    """Mask of each point's selected equilibrium (module docstring): the first row of its point
    that no other row of the point Pareto-dominates. ``df`` is sorted by point and equilibrium.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"point_id": [0, 0, 1], "eq_index": [0, 1, 0],
    ...                    "payoff.A": [1.0, 2.0, 0.0], "payoff.B": [1.0, 1.0, 0.0]})
    >>> selected_rows(df).tolist()
    [False, True, True]
    """
    pays = df[[c for c in df.columns if c.startswith("payoff.")]].to_numpy(float)
    pid = df["point_id"].to_numpy()
    has = df["eq_index"].to_numpy() >= 0
    starts = np.flatnonzero(np.r_[True, pid[1:] != pid[:-1]])
    sizes = np.diff(np.r_[starts, len(pid)])
    out = np.zeros(len(df), dtype=bool)
    single = starts[(sizes == 1) & has[starts]]
    out[single] = True
    for size in np.unique(sizes[sizes > 1]):  # points with the same number of equilibria at once
        firsts = starts[sizes == size]
        step = max(1, _PAIRS_PER_BATCH // (size * size * pays.shape[1]))  # bounded memory per batch
        for lo in range(0, len(firsts), step):
            first = firsts[lo:lo + step]
            block = pays[first[:, None] + np.arange(size)[None, :]]  # (points, size, players)
            ge = (block[:, :, None, :] >= block[:, None, :, :] - PAYOFF_TOL).all(axis=3)  # [p, f, e]: f >= e
            gt = (block[:, :, None, :] > block[:, None, :, :] + PAYOFF_TOL).any(axis=3)
            dominated = (ge & gt).any(axis=1)  # [p, e]
            out[first + np.argmax(~dominated, axis=1)] = True
    return out & has


@dataclass(frozen=True)
class PointValues:
    """An indicator's value at each point of a sweep (point ids ascending)."""

    indicator: Indicator
    method: str
    point_ids: np.ndarray
    values: np.ndarray


def point_values(df, indicator: Indicator | str, moves: Moves | None, *, method: str | None = None,
                 selected: bool = False) -> PointValues:
    """The indicator at every point (``selected``: an outcome must hold in the selected
    equilibrium, not merely in some equilibrium). ``payoff`` is ``NaN`` where no equilibrium was
    found; ``moves`` (:func:`scenario_moves`) is needed for ``outcome`` indicators only."""
    if isinstance(indicator, str):
        indicator = parse_indicator(indicator)
    rows = method_rows(df, method)
    name = str(rows["method"].iloc[0])
    pid = rows["point_id"].to_numpy()
    ids = np.unique(pid)
    where = np.searchsorted(ids, pid)
    if indicator.kind == "regime":
        from analysis.compare import regime_table
        from analysis.sweep.paths import path_regimes

        rows = path_regimes(rows)  # a tree's regimes by path, numbered as bargain compare numbers them
        labels = rows["regime"].astype(str).to_numpy()
        short = {f"R{k + 1}": r["regime"] for k, r in enumerate(regime_table(rows))}
        label = short.get(indicator.label, indicator.label)
        if label not in set(labels):
            raise IndicatorError(f"indicator {indicator.text!r}: no point has that regime; regimes are "
                                 f"{sorted(short)} (bargain compare DIR lists them)")
        values = np.zeros(len(ids))
        values[where] = labels == label
        return PointValues(indicator, name, ids, values)
    if indicator.kind == "payoff":
        col = f"payoff.{indicator.player}"
        if col not in rows.columns:
            players = [c[len("payoff."):] for c in rows.columns if c.startswith("payoff.")]
            raise IndicatorError(f"indicator {indicator.text!r}: no player {indicator.player!r}; players are {players}")
        sel = selected_rows(rows)
        values = np.full(len(ids), np.nan)
        values[where[sel]] = rows[col].to_numpy(float)[sel]
        return PointValues(indicator, name, ids, values)
    if moves is None:
        raise IndicatorError(f"indicator {indicator.text!r}: needs the scenario the sweep ran on")
    match = row_matches(rows, moves, indicator)
    if selected:
        match &= selected_rows(rows)
    values = np.zeros(len(ids))
    np.maximum.at(values, where, match.astype(float))
    return PointValues(indicator, name, ids, values)


def sweep_moves(src) -> Moves | None:
    """The moves of the scenario a :class:`analysis.sources.SweepSource` ran on (``None`` when
    that scenario was not found by its content hash)."""
    if src.scenario_path is None:
        return None
    from analysis.sweep.run import scenario_model

    return scenario_moves(scenario_model(str(src.scenario_path), src.manifest["scenario_hash"]))


def require_moves(src, indicator: Indicator) -> Moves | None:
    """:func:`sweep_moves`, refusing in one line when an ``outcome`` indicator needs the scenario."""
    moves = sweep_moves(src) if indicator.kind == "outcome" else None
    if indicator.kind == "outcome" and moves is None:
        raise IndicatorError(f"{src.path}: the scenario this sweep ran on ({src.manifest.get('scenario')}, "
                             f"SHA-256 {str(src.manifest.get('scenario_hash'))[:12]}) was not found; pass --scenario FILE")
    return moves
