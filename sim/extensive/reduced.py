"""Reduced normal form of an extensive-form game, and the maps between its strategies and plans.

A *plan* of player ``i`` is a mapping ``infoset -> action`` over the information sets that the
player's own choices leave reachable; plans that differ only where the player's own earlier
actions exclude play are one reduced strategy (Kuhn 1953; Gambit's reduced strategic form).
Axis conventions of the normal form are those of :mod:`sim.game`: the reduced strategies of
player ``i`` lie along axis ``i``, in the order of :func:`reduced_strategies`.

A *behaviour strategy* is a mapping ``infoset -> probability vector over its actions``.

Construction: a player's plans are built bottom-up as rows of action indices over the player's
information sets (``-1`` where a plan does not reach one). Below a node that is not the
player's, the plans of its subtrees are combined by a join on the information sets they share
(:func:`_merge`), so a product of independent choices (a player who sees which of ``S`` chance
states occurred has ``3**S`` plans over three actions) is built by array operations, not by
comparing every pair of plans. A game keeps its tables with itself once built; equal games
(one tree copied) share them through a cache keyed by value.

Examples
--------
>>> from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
>>> def sees(s):
...     return Decision(0, f"b{s}", ("x", "y", "z"), tuple(Terminal((float(s == a),)) for a in range(3)))
>>> g = ExtensiveFormGame.from_root(("B",), Chance(("s0", "s1", "s2"), (0.5, 0.25, 0.25),
...                                                (sees(0), sees(1), sees(2))))
>>> plans = reduced_strategies(g)[0]
>>> len(plans), dict(plans[0]), dict(plans[-1])
(27, {'b0': 'x', 'b1': 'x', 'b2': 'x'}, {'b0': 'z', 'b1': 'z', 'b2': 'z'})
>>> float(reduced_normal_form(g).payoffs[plans.index({"b0": "x", "b1": "y", "b2": "z"}), 0])
1.0
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


def _row_ids(rows: np.ndarray) -> np.ndarray:
    """An integer per row of a 2-D integer array, equal exactly for equal rows: the row read as a
    mixed-radix number where that fits in 62 bits (one pass, no sort), else its rank among the
    distinct rows."""
    if rows.shape[1] == 0 or len(rows) == 0:
        return np.zeros(len(rows), dtype=np.int64)
    low = rows.min(axis=0)
    span = (rows.max(axis=0) - low + 1).astype(np.int64)
    if float(np.sum(np.log2(span))) < 62:
        weights = np.ones(len(span), dtype=np.int64)
        weights[:-1] = np.cumprod(span[::-1])[::-1][1:]  # weights[j] = prod(span[j + 1:])
        return (rows - low).astype(np.int64) @ weights
    return np.unique(rows, axis=0, return_inverse=True)[1].reshape(-1)


def _join(left: np.ndarray, right: np.ndarray, on: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs ``(l, r)`` of the rows of ``left`` and ``right`` equal on the columns ``on``
    (every pair when ``on`` is empty): a sort-merge join, no loop over rows. ``_TooLarge`` when
    there are more than ``limit`` pairs, before any is built."""
    if on.size == 0:
        if len(left) * len(right) > limit:
            raise _TooLarge
        return np.repeat(np.arange(len(left)), len(right)), np.tile(np.arange(len(right)), len(left))
    ids = _row_ids(np.concatenate([left[:, on], right[:, on]]))
    kl, kr = ids[: len(left)], ids[len(left):]
    order = np.argsort(kr, kind="stable")
    lo = np.searchsorted(kr[order], kl, "left")
    count = np.searchsorted(kr[order], kl, "right") - lo
    if int(count.sum()) > limit:
        raise _TooLarge
    li = np.repeat(np.arange(len(left)), count)
    start = np.repeat(lo - (np.cumsum(count) - count), count)  # output row p pairs with order[p + start]
    return li, order[np.arange(len(li)) + start]


def _patterns(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a boolean array and the index of each row among them."""
    if mask.all():  # the usual case: every plan chooses at every shared information set
        return mask[:1], np.zeros(len(mask), dtype=np.intp)
    _, first, group = np.unique(_row_ids(mask.astype(np.int8)), return_index=True, return_inverse=True)
    return mask[first], group.reshape(-1)


def _merge(left: np.ndarray, right: np.ndarray, limit: int) -> np.ndarray:
    """Every consistent union of one plan (row) from each array; ``_TooLarge``, before anything
    is built, when there are more than ``limit``.

    A plan is a row of action indices over the player's information sets, ``-1`` where it does
    not reach one. Two plans are consistent when they agree wherever both choose (an information
    set may recur below several children); their union takes the chosen action of either.

    The plans of one array are pairwise inconsistent: true of the one empty plan of a terminal,
    kept by a decision node of the player (plans through different actions differ at its own
    information set, and a child's plans that differ only where one does not choose cannot both
    agree with the action there) and by this union (two unions from different left plans differ
    where those do). Distinct pairs thus give distinct unions, and there is nothing to
    deduplicate. Plans are grouped by where they choose among the information sets both arrays
    use, and each pair of groups is joined on the sets both of its groups choose at.
    """
    if not len(left) or not len(right):
        return left[:0]
    if len(right) == 1 and (right < 0).all():  # a subtree where the player does not move
        return left
    if len(left) == 1 and (left < 0).all():
        return right
    shared = np.flatnonzero((left >= 0).any(axis=0) & (right >= 0).any(axis=0))
    lpat, lgroup = _patterns(left[:, shared] >= 0)
    rpat, rgroup = _patterns(right[:, shared] >= 0)
    parts, total = [], 0
    for a, pa in enumerate(lpat):
        lrows = left[lgroup == a]
        for b, pb in enumerate(rpat):
            rrows = right[rgroup == b]
            li, ri = _join(lrows, rrows, shared[pa & pb], limit - total)
            total += len(li)
            parts.append(np.maximum(lrows[li], rrows[ri]))
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


def _plans(node: Node, player: int, column: dict[str, int], memo: dict, limit: int,
           empty: np.ndarray) -> np.ndarray:
    """``player``'s plans in the subtree of ``node``, one per row (:func:`_merge`), in no set
    order; ``_TooLarge`` when this or any list built on the way has more than ``limit``.
    ``empty`` is the one plan of a subtree without the player's moves (one row of ``-1``)."""
    key = id(node)
    if key in memo:
        return memo[key][1]
    if isinstance(node, Terminal):
        result = empty
    elif isinstance(node, Decision) and node.player == player:
        j, parts = column[node.infoset], []
        for a, child in enumerate(node.children):
            rows = _plans(child, player, column, memo, limit, empty)
            # Absent-mindedness: the same infoset deeper down must repeat this action.
            rows = rows[(rows[:, j] < 0) | (rows[:, j] == a)]  # a copy
            rows[:, j] = a
            parts.append(rows)
        result = np.concatenate(parts)  # distinct (see _merge)
        if len(result) > limit:
            raise _TooLarge
    else:
        result = empty
        for child in node.children:
            result = _merge(result, _plans(child, player, column, memo, limit, empty), limit)
            if len(result) > limit:  # _merge refuses first; this states the rule where it applies
                raise _TooLarge
    memo[key] = (node, result)  # keep node alive so id() stays unique
    return result


def _plan_codes(game: "ExtensiveFormGame", player: int, limit: int) -> np.ndarray:
    """``player``'s reduced plans as a read-only ``(S, H)`` array of action indices over the
    player's information sets (``-1`` where a plan does not reach one), sorted lexicographically
    (unreached first): the order of :func:`reduced_strategies`. ``_TooLarge`` past ``limit``."""
    own = game.player_infosets(player)
    empty = np.full((1, len(own)), -1, dtype=np.intp)
    found = _plans(game.root, player, {h: j for j, h in enumerate(own)}, {}, limit, empty)
    found = found[np.lexsort(found.T[::-1])] if found.shape[1] else found
    return readonly(found, dtype=np.intp)


@lru_cache(maxsize=64)
def _reduced_by_value(game: "ExtensiveFormGame"):
    """``(strategies, names, codes)``: per player the reduced plans (in the order of
    :func:`reduced_strategies`), their names, and the plans as an ``(S, H)`` array of action
    indices over the player's information sets (``-1`` where a plan does not reach one)."""
    strategies, names, codes = [], [], []
    acts = {h: a for h, (_, a) in game.infosets.items()}
    for i in range(game.n_players):
        own = game.player_infosets(i)
        try:
            found = _plan_codes(game, i, MAX_PLANS)
        except _TooLarge:
            raise GameError(f"reduced_strategies(): player {game.players[i]!r} has more than {MAX_PLANS} "
                            f"reduced strategies; the reduced normal form is too large to build") from None
        codes.append(found)
        strategies.append(tuple(MappingProxyType({h: acts[h][k] for h, k in zip(own, row) if k >= 0})
                                for row in found.tolist()))
        labels = ["/".join(p.get(h, UNREACHED) for h in own) or UNREACHED for p in strategies[-1]]
        if len(set(labels)) != len(labels):  # action names containing "/" can collide
            labels = [f"{lab}#{k + 1}" for k, lab in enumerate(labels)]
        names.append(tuple(labels))
    return tuple(strategies), tuple(names), tuple(codes)


def _reduced(game: "ExtensiveFormGame"):
    """:func:`_reduced_by_value`, kept with ``game`` itself: a game object asks the value-keyed
    cache (hashing and comparing its tree) once, and every later call is a dictionary read."""
    found = game._derived.get("reduced")
    if found is None:
        found = game._derived["reduced"] = _reduced_by_value(game)
    return found


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
    for i, codes in enumerate(_reduced(game)[2]):
        column = {h: j for j, h in enumerate(game.player_infosets(i))}
        m = np.zeros((len(codes), len(reqs)))
        allowed: dict[tuple, np.ndarray] = {}  # terminals often share a player's requirements
        for t, r in enumerate(reqs):
            if r[i] not in allowed:
                ok = np.ones(len(codes), dtype=bool)
                for h, a in r[i]:
                    ok &= codes[:, column[h]] == game.infosets[h][1].index(a)
                allowed[r[i]] = ok
            m[:, t] = allowed[r[i]]
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


def _plan_columns(game: "ExtensiveFormGame") -> tuple[tuple[tuple[str, np.ndarray], ...], ...]:
    """Per player, per own information set ``h``: the action index each reduced plan takes at
    ``h`` (``-1`` where the plan does not reach it). Built once per game, so that converting many
    profiles (a subgame with hundreds of equilibria) costs array operations only."""
    found = game._derived.get("plan_columns")
    if found is None:
        found = game._derived["plan_columns"] = tuple(
            tuple((h, readonly(codes[:, j], dtype=None)) for j, h in enumerate(game.player_infosets(i)))
            for i, codes in enumerate(_reduced(game)[2]))
    return found


def mixed_from_behaviour(game: "ExtensiveFormGame", behaviour: Mapping[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    """Mixed profile over reduced strategies realising a behaviour profile (Kuhn 1953).

    A plan's probability is the product of the behaviour probabilities of its moves; under
    perfect recall these sum to one per player.
    """
    out = []
    for i, cols in enumerate(_plan_columns(game)):
        probs = np.ones(len(_reduced(game)[2][i]))
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
