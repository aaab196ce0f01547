"""Reduced normal form of an extensive-form game, and the maps between its strategies and plans.

A *plan* of player ``i`` is a mapping ``infoset -> action`` over the information sets that the
player's own choices leave reachable; plans that differ only where the player's own earlier
actions exclude play are one reduced strategy (Kuhn 1953; Gambit's reduced strategic form).
Axis conventions of the normal form are those of :mod:`sim.game`: the reduced strategies of
player ``i`` lie along axis ``i``, in the order of :func:`reduced_strategies`.

A *behaviour strategy* is a mapping ``infoset -> probability vector over its actions``.
"""

from __future__ import annotations

from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Mapping

import math

import numpy as np

from sim._arrays import readonly
from sim.errors import GameError
from sim.extensive.nodes import Chance, Decision, Node, Terminal

if TYPE_CHECKING:  # annotations only: the tree module imports this one at run time
    from sim.extensive.tree import ExtensiveFormGame

Plan = Mapping[str, str]
UNREACHED = "*"
MAX_PLANS = 20_000  # reduced strategies per player before we refuse (tic-tac-toe has ~10^5)
MAX_ENTRIES = 50_000_000  # profiles x terminals of the payoff contraction


class _TooLarge(Exception):
    pass


def _merge(left: list[frozenset], right: list[frozenset]) -> list[frozenset]:
    """Every consistent union of one plan from each list (an infoset may recur in both)."""
    out = {}
    for a in left:
        da = dict(a)
        for b in right:
            if all(da.get(h, x) == x for h, x in b):
                u = a | b
                out[u] = None
    return list(out)


def _plans(node: Node, player: int, memo: dict) -> list[frozenset]:
    key = id(node)
    if key in memo:
        return memo[key][1]
    if isinstance(node, Terminal):
        result = [frozenset()]
    elif isinstance(node, Decision) and node.player == player:
        found = {}
        for a, child in zip(node.actions, node.children):
            for p in _plans(child, player, memo):
                # Absent-mindedness: the same infoset deeper down must repeat this action.
                if dict(p).get(node.infoset, a) == a:
                    found[p | {(node.infoset, a)}] = None
        result = list(found)
        if len(result) > MAX_PLANS:
            raise _TooLarge
    else:
        result = [frozenset()]
        for child in node.children:
            result = _merge(result, _plans(child, player, memo))
            if len(result) > MAX_PLANS:
                raise _TooLarge
    memo[key] = (node, result)  # keep node alive so id() stays unique
    return result


def _order_key(plan: frozenset, infosets: tuple[str, ...], actions) -> tuple[int, ...]:
    d = dict(plan)
    return tuple(actions[h].index(d[h]) if h in d else -1 for h in infosets)


@lru_cache(maxsize=64)
def _reduced(game: "ExtensiveFormGame"):
    strategies, names = [], []
    acts = {h: a for h, (_, a) in game.infosets.items()}
    for i in range(game.n_players):
        own = game.player_infosets(i)
        try:
            found = _plans(game.root, i, {})
        except _TooLarge:
            raise GameError(f"reduced_strategies(): player {game.players[i]!r} has more than {MAX_PLANS} "
                            f"reduced strategies; the reduced normal form is too large to build") from None
        plans = sorted(found, key=lambda p: _order_key(p, own, acts))
        # Plans list their infosets in the game's order (frozenset order is not stable).
        strategies.append(tuple(MappingProxyType({h: dict(p)[h] for h in own if h in dict(p)}) for p in plans))
        labels = ["/".join(p.get(h, UNREACHED) for h in own) or UNREACHED for p in strategies[-1]]
        if len(set(labels)) != len(labels):  # action names containing "/" can collide
            labels = [f"{lab}#{k + 1}" for k, lab in enumerate(labels)]
        names.append(tuple(labels))
    return tuple(strategies), tuple(names)


def reduced_strategies(game: "ExtensiveFormGame") -> tuple[tuple[Plan, ...], ...]:
    """Each player's reduced strategies as plans ``infoset -> action``.

    Examples
    --------
    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> g = ExtensiveFormGame.from_root(("A",), Decision(0, "h1", ("stop", "go"), (
    ...     Terminal((0.0,)), Decision(0, "h2", ("l", "r"), (Terminal((1.0,)), Terminal((2.0,)))))))
    >>> [dict(p) for p in reduced_strategies(g)[0]]
    [{'h1': 'stop'}, {'h1': 'go', 'h2': 'l'}, {'h1': 'go', 'h2': 'r'}]
    """
    return _reduced(game)[0]


def terminal_table(game: "ExtensiveFormGame"):
    """Terminals in preorder with chance reach probability and each player's required moves.

    Returns ``(paths, probs, payoffs, requirements)`` where ``requirements[t][i]`` is the tuple of
    ``(infoset, action)`` player ``i`` must choose for play to reach terminal ``t``.
    """
    paths, probs, pays, reqs = [], [], [], []
    stack = [(game.root, (), 1.0, tuple(() for _ in game.players))]
    while stack:
        node, path, prob, req = stack.pop()
        if isinstance(node, Terminal):
            paths.append(path)
            probs.append(prob)
            pays.append(node.payoffs)
            reqs.append(req)
        elif isinstance(node, Chance):
            for o, q, c in reversed(list(zip(node.outcomes, node.probs, node.children))):
                stack.append((c, (*path, o), prob * q, req))
        else:
            for a, c in reversed(list(zip(node.actions, node.children))):
                r = list(req)
                r[node.player] = (*req[node.player], (node.infoset, a))
                stack.append((c, (*path, a), prob, tuple(r)))
    return paths, np.array(probs), np.array(pays, dtype=float).reshape(len(pays), game.n_players), reqs


def reach_matrices(game: "ExtensiveFormGame") -> list[np.ndarray]:
    """``M[i][s, t] = 1`` when player ``i``'s reduced strategy ``s`` allows terminal ``t``."""
    _, _, _, reqs = terminal_table(game)
    out = []
    for i, plans in enumerate(reduced_strategies(game)):
        m = np.zeros((len(plans), len(reqs)))
        for s, plan in enumerate(plans):
            for t, r in enumerate(reqs):
                m[s, t] = all(plan.get(h) == a for h, a in r[i])
        out.append(m)
    return out


#: Entries at least this large are left as they are by :func:`_clean_round_off`: their spacing
#: is already coarser than the 1e-12 grid (and ``np.round(x, 12)`` would overflow near 1.8e296).
_ROUND_LIMIT = 2.0 ** 52 * 1e-12


def _clean_round_off(tensor: np.ndarray) -> np.ndarray:
    """Each player's expected payoffs rounded to 12 decimals of the player's magnitude, so that
    the round-off of chance-probability products does not break ties.

    A player whose payoffs are at most 0.1 in absolute value is rounded on the grid 1e-12 times
    the power of ten above its largest payoff (scale-free: payoffs of 1e-13 are not rounded to
    0); otherwise on the grid 1e-12, entries beyond :data:`_ROUND_LIMIT` excepted, so payoffs up
    to the largest float neither overflow nor change.

    Examples
    --------
    >>> t = np.array([[0.1 + 0.2, (0.1 + 0.2) * 1e-20], [0.3, 3e-21], [1.7e308, 0.0]])
    >>> bool(t[0, 0] == t[1, 0]), bool(t[0, 1] == t[1, 1])
    (False, False)
    >>> c = _clean_round_off(t)
    >>> bool(c[0, 0] == c[1, 0]), bool(c[0, 1] == c[1, 1]), float(c[2, 0])
    (True, True, 1.7e+308)
    """
    out = np.array(tensor, dtype=float)
    for i in range(out.shape[-1]):
        t = out[..., i]
        m = float(np.abs(t).max()) if t.size else 0.0
        if not 0.0 < m < np.inf:
            continue
        k = math.ceil(math.log10(m))
        if k < 0:
            unit = 10.0 ** k
            out[..., i] = np.round(t / unit, 12) * unit
        else:
            small = np.abs(t) < _ROUND_LIMIT
            out[..., i] = np.where(small, np.round(np.where(small, t, 0.0), 12), t)
    return out + 0.0


def rounding_grid(payoffs) -> np.ndarray:
    """Each player's step of the grid :func:`_clean_round_off` rounds expected payoffs of the
    magnitude of ``payoffs`` (``(..., N)``) onto: ``1e-12`` times the power of ten above the
    largest absolute payoff when it is below 1, ``1e-12`` otherwise, 0 for a player whose payoffs
    are all 0. A game's reduced normal form can move a payoff by half a step, and two payoffs
    equal before rounding can land a whole step apart; rules that compare payoffs read off reduced
    normal forms (:func:`sim.extensive.spe.spe_solve` on subgames) allow for it.

    Examples
    --------
    >>> rounding_grid(np.array([[0.5, -0.002, 0.0], [3.0, 0.001, 0.0]])).tolist()
    [1e-12, 1e-14, 0.0]
    """
    pay = np.abs(np.asarray(payoffs, dtype=float)).reshape(-1, np.shape(payoffs)[-1])
    m = pay.max(axis=0) if len(pay) else np.zeros(pay.shape[1])
    out = np.zeros(len(m))
    for i, x in enumerate(m):
        if 0.0 < x < np.inf:
            k = math.ceil(math.log10(x))
            out[i] = 1e-12 * 10.0 ** k if k < 0 else 1e-12
    return out


def reduced_normal_form(game: "ExtensiveFormGame"):
    """The reduced normal form of ``game`` as a :class:`~sim.game.NormalFormGame`.

    Expected payoffs sum over terminals: chance probability times payoff, for the terminals every
    player's plan allows (Kuhn 1953; von Stengel 1996 for the reduced form).

    Examples
    --------
    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> g = ExtensiveFormGame.from_root(("A", "B"), Decision(0, "a", ("L", "R"), (
    ...     Terminal((1.0, 1.0)), Decision(1, "b", ("l", "r"), (Terminal((0.0, 0.0)), Terminal((2.0, 2.0)))))))
    >>> nf = reduced_normal_form(g)
    >>> nf.actions, nf.payoffs[..., 0].tolist()
    ((('L', 'R'), ('l', 'r')), [[1.0, 1.0], [0.0, 2.0]])
    """
    from sim.game import NormalFormGame

    _, probs, pays, reqs = terminal_table(game)
    sizes = [len(s) for s in reduced_strategies(game)]
    if int(np.prod(sizes, dtype=float)) * len(reqs) > MAX_ENTRIES:
        raise GameError(f"reduced_normal_form(): {'x'.join(map(str, sizes))} reduced strategies over "
                        f"{len(reqs)} terminals exceed the limit of {MAX_ENTRIES} entries")
    mats = reach_matrices(game)
    weights = probs[:, None] * pays  # (T, N)
    letters = "abcdefghijklmnopqrsuvwxyz"
    if game.n_players > len(letters):
        raise GameError(f"reduced_normal_form(): at most {len(letters)} players; got {game.n_players}")
    spec = ",".join(f"{letters[i]}t" for i in range(game.n_players)) + ",tn->" + letters[: game.n_players] + "n"
    tensor = _clean_round_off(np.einsum(spec, *mats, weights, optimize=True))
    return NormalFormGame.from_payoffs(tensor, players=game.players, actions=_reduced(game)[1], title=game.title)


@lru_cache(maxsize=64)
def _plan_columns(game: "ExtensiveFormGame") -> tuple[tuple[tuple[str, np.ndarray], ...], ...]:
    """Per player, per own information set ``h``: the action index each reduced plan takes at
    ``h`` (``-1`` where the plan does not reach it). Built once per game, so that converting many
    profiles (a subgame with hundreds of equilibria) costs array operations only."""
    acts = game.infosets
    out = []
    for i, plans in enumerate(reduced_strategies(game)):
        cols = []
        for h in game.player_infosets(i):
            col = np.array([acts[h][1].index(plan[h]) if h in plan else -1 for plan in plans], dtype=np.intp)
            cols.append((h, readonly(col, dtype=None, copy=False)))
        out.append(tuple(cols))
    return tuple(out)


def mixed_from_behaviour(game: "ExtensiveFormGame", behaviour: Mapping[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    """Mixed profile over reduced strategies realising a behaviour profile (Kuhn 1953).

    A plan's probability is the product of the behaviour probabilities of its moves; under
    perfect recall these sum to one per player.
    """
    out = []
    for i, cols in enumerate(_plan_columns(game)):
        probs = np.ones(len(reduced_strategies(game)[i]))
        for h, col in cols:
            b = np.asarray(behaviour[h], dtype=float)
            probs *= np.where(col >= 0, b[np.maximum(col, 0)], 1.0)
        out.append(probs / probs.sum() if probs.sum() > 0 else probs)
    return tuple(out)


def behaviour_from_mixed(game: "ExtensiveFormGame", profile) -> dict[str, np.ndarray]:
    """Behaviour strategy of each information set induced by a mixed reduced profile (Kuhn 1953).

    Where the player's own mixture never reaches an information set, the behaviour there is
    uniform (any choice is consistent with the mixed strategy).
    """
    out = {}
    columns = [dict(cols) for cols in _plan_columns(game)]
    for h, (i, actions) in game.infosets.items():
        col, p = columns[i][h], np.asarray(profile[i], dtype=float)
        on = col >= 0
        w = np.bincount(col[on], weights=p[on], minlength=len(actions))
        out[h] = w / w.sum() if w.sum() > 1e-12 else np.full(len(actions), 1.0 / len(actions))
    return out
