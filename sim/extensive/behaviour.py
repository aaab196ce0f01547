"""Behaviour profiles measured on the tree itself: expected payoffs, best responses and regret.

Nothing here builds the reduced normal form. A tree is laid out once as flat arrays
(:class:`FlatTree`), and every measure is a few NumPy operations per depth level of the tree.

Conventions, stated once:

* Nodes are numbered in breadth-first order, so the children of the non-terminal nodes of one
  level are the next level, contiguous and in their parents' order; ``FlatTree.level[d]`` is the
  slice of level ``d``.
* Information sets are numbered in order of first appearance in *preorder* (the order of
  :attr:`sim.extensive.tree.ExtensiveFormGame.infosets`).
* A *sequence* is one ``(information set, action)`` pair (von Stengel 1996); sequences are
  numbered contiguously per information set: ``seq_start[h] + a``. A behaviour profile in flat
  form is one probability per sequence.
* The player axis comes last in payoff arrays ``(…, N)``.

A behaviour profile given by callers is a mapping ``infoset id -> probabilities over its
actions`` (as in ``details["behaviour"]`` of :func:`sim.extensive.spe.spe_solve`).

Examples
--------
Selten's entry game: the threat to fight is not credible; entering is the entrant's best response
and the incumbent, who would accommodate, loses 2 by fighting.

>>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
>>> g = ExtensiveFormGame.from_root(("E", "I"), Decision(0, "E", ("out", "in"), (
...     Terminal((0.0, 2.0)),
...     Decision(1, "I", ("fight", "accommodate"), (Terminal((-1.0, -1.0)), Terminal((1.0, 1.0)))))))
>>> expected_payoffs(g, {"E": [0, 1], "I": [1, 0]}).tolist()
[-1.0, -1.0]
>>> best_response_values(g, {"E": [0, 1], "I": [1, 0]}).tolist()
[0.0, 1.0]
>>> regret(g, {"E": [0, 1], "I": [1, 0]}).tolist()
[1.0, 2.0]
"""

from __future__ import annotations

from collections.abc import ItemsView
from dataclasses import dataclass
from itertools import chain, compress, repeat
from operator import attrgetter
from typing import Iterator, Mapping

import numpy as np

from sim.errors import GameError
from sim.extensive.nodes import Chance, Terminal

TERMINAL, CHANCE, DECISION = 0, 1, 2
#: Largest reduced normal form (strategy profiles times terminals) built as the view of a tree
#: method's result (``result.game`` of :func:`sim.extensive.spe.spe_solve`); larger trees keep
#: the tree itself.
REDUCED_VIEW_ENTRIES = 1_000_000


@dataclass(frozen=True, eq=False)
class FlatTree:
    """A game tree as arrays in breadth-first order (see the module docstring).

    Attributes
    ----------
    nodes : list
        The node objects, breadth-first.
    kind : int8 array (n,)
        ``0`` terminal, ``1`` chance, ``2`` decision.
    parent, action : int arrays (n,)
        Parent index (``-1`` at the root) and index of the edge from the parent.
    first, count : int arrays (n,)
        First child and number of children (``0`` for terminals).
    player, infoset : int arrays (n,)
        Mover and information set of decision nodes, ``-1`` elsewhere.
    edge : float array (n,)
        Chance probability of the edge into a child of a chance node, ``nan`` elsewhere.
    payoffs : array (n, N)
        Terminal payoffs (zero rows for other nodes).
    level : list of slices
        Nodes of each depth.
    preorder : int array (n,)
        Position of each node in preorder.
    infoset_names, infoset_player, seq_start, n_actions
        Per information set: id, owner, first sequence, number of actions.
    """

    nodes: list
    kind: np.ndarray
    parent: np.ndarray
    action: np.ndarray
    first: np.ndarray
    count: np.ndarray
    player: np.ndarray
    infoset: np.ndarray
    edge: np.ndarray
    payoffs: np.ndarray
    level: list
    preorder: np.ndarray
    infoset_names: tuple[str, ...]
    infoset_player: np.ndarray
    infoset_actions: tuple[tuple[str, ...], ...]
    seq_start: np.ndarray
    n_actions: np.ndarray
    n_players: int

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)

    @property
    def n_sequences(self) -> int:
        return int(self.n_actions.sum())

    def sequences(self, behaviour: Mapping[str, object]) -> np.ndarray:
        """A behaviour profile ``infoset -> probabilities`` as one probability per sequence."""
        out = np.empty(self.n_sequences)
        for h, name in enumerate(self.infoset_names):
            try:
                p = np.asarray(behaviour[name], dtype=float)
            except KeyError:
                raise GameError(f"behaviour profile: no probabilities for information set {name!r}") from None
            if p.shape != (self.n_actions[h],) or not np.all(np.isfinite(p)) or np.any(p < -1e-12):
                raise GameError(f"behaviour profile: information set {name!r} needs {self.n_actions[h]} finite "
                                f"probabilities >= 0; got {p.tolist()}")
            out[self.seq_start[h]:self.seq_start[h] + len(p)] = p
        return out

    def edge_probabilities(self, seq: np.ndarray) -> np.ndarray:
        """Probability of the edge into each node (``1`` at the root) under a flat profile."""
        out = np.ones(self.n_nodes)
        par = self.parent[1:]
        dec = self.kind[par] == DECISION
        child = np.arange(1, self.n_nodes)
        out[child[dec]] = seq[self.seq_start[self.infoset[par[dec]]] + self.action[child[dec]]]
        out[child[~dec]] = self.edge[child[~dec]]
        return out

    def reach(self, factor: np.ndarray) -> np.ndarray:
        """Products of ``factor`` along each root-to-node path (top-down, one operation per level)."""
        r = np.ones(self.n_nodes)
        for sl in self.level[1:]:
            r[sl] = r[self.parent[sl]] * factor[sl]
        return r


def flatten(game) -> FlatTree:
    """Lay out ``game``'s tree as a :class:`FlatTree` (one pass per level, no recursion).

    Examples
    --------
    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> g = ExtensiveFormGame.from_root(("A",), Decision(0, "a", ("l", "r"), (
    ...     Terminal((0.0,)), Decision(0, "b", ("x", "y"), (Terminal((1.0,)), Terminal((2.0,)))))))
    >>> f = flatten(g)
    >>> f.kind.tolist(), f.parent.tolist(), f.preorder.tolist(), f.infoset_names
    ([2, 0, 2, 0, 0], [-1, 0, 0, 2, 2], [0, 1, 2, 3, 4], ('a', 'b'))
    """
    n_players = game.n_players
    codes = {Terminal: TERMINAL, Chance: CHANCE}
    get_children = attrgetter("children")
    # One pass per level over the node objects, each attribute read by map() (no Python-level
    # loop per node); the children of a level's inner nodes, in order, are the next level.
    levels_nodes, kinds, counts = [], [], []
    level = [game.root]
    while level:
        k = np.fromiter(map(codes.get, map(type, level), repeat(DECISION)), dtype=np.int8, count=len(level))
        inner = k != TERMINAL
        kids = list(map(get_children, level if inner.all() else compress(level, inner.tolist())))
        c = np.zeros(len(level), dtype=np.int64)
        c[inner] = np.fromiter(map(len, kids), dtype=np.int64, count=len(kids))
        levels_nodes.append(level)
        kinds.append(k)
        counts.append(c)
        level = list(chain.from_iterable(kids))
    nodes = list(chain.from_iterable(levels_nodes))
    n = len(nodes)
    kind = np.concatenate(kinds)
    count = np.concatenate(counts)
    first = np.zeros(n, dtype=np.int64)
    first[:] = 1 + np.concatenate([[0], np.cumsum(count)[:-1]])
    first[count == 0] = 0
    parent = np.full(n, -1, dtype=np.int64)
    parent[1:] = np.repeat(np.arange(n), count)
    action = np.zeros(n, dtype=np.int64)
    if n > 1:
        action[1:] = np.arange(n - 1) - np.repeat(first[count > 0] - 1, count[count > 0])
    starts = np.cumsum([0] + [len(lv) for lv in levels_nodes])
    level = [slice(int(a), int(b)) for a, b in zip(starts[:-1], starts[1:])]
    edge = np.full(n, np.nan)
    chance_kids = np.flatnonzero(kind[parent[1:]] == CHANCE) + 1 if n > 1 else np.zeros(0, dtype=np.int64)
    if len(chance_kids):
        chance = map(nodes.__getitem__, np.flatnonzero(kind == CHANCE).tolist())
        edge[chance_kids] = list(chain.from_iterable(map(attrgetter("probs"), chance)))
    payoffs = np.zeros((n, n_players))
    term = np.flatnonzero(kind == TERMINAL)
    pays = chain.from_iterable(map(attrgetter("payoffs"), map(nodes.__getitem__, term.tolist())))
    payoffs[term] = np.fromiter(pays, dtype=float, count=len(term) * n_players).reshape(len(term), n_players)
    # Preorder: subtree sizes bottom-up, then each child's offset after its earlier siblings.
    size = np.ones(n, dtype=np.int64)
    for d in range(len(level) - 2, -1, -1):
        inner = np.flatnonzero(count[level[d]]) + level[d].start
        if len(inner):  # the next level holds the children of these nodes, in order
            size[inner] += np.add.reduceat(size[level[d + 1]], first[inner] - level[d + 1].start)
    preorder = np.zeros(n, dtype=np.int64)
    for sl in level[1:]:
        idx = np.arange(sl.start, sl.stop)
        csum = np.cumsum(size[idx]) - size[idx]  # running sizes across the level
        seg0 = csum[first[parent[idx]] - sl.start]  # cumulative size before each parent's first child
        preorder[idx] = preorder[parent[idx]] + 1 + csum - seg0
    dec = np.flatnonzero(kind == DECISION)
    player = np.full(n, -1, dtype=np.int64)
    infoset = np.full(n, -1, dtype=np.int64)
    dec_nodes = list(map(nodes.__getitem__, dec.tolist()))
    ids = list(map(attrgetter("infoset"), dec_nodes))
    player[dec] = np.fromiter(map(attrgetter("player"), dec_nodes), dtype=np.int64, count=len(dec))
    # Information sets numbered in order of first appearance in preorder. One dict maps each id to
    # its first decision node in breadth-first order (later nodes overwrite earlier ones, so the
    # walk goes backwards); with one node per information set, that is every node.
    first_of = dict(zip(reversed(ids), range(len(ids) - 1, -1, -1)))
    n_info = len(first_of)
    if n_info == len(ids):
        code = heads = np.arange(n_info, dtype=np.int64)
        rep = preorder[dec]  # first node of each infoset in preorder (as preorder position)
    else:
        at = np.fromiter(map(first_of.__getitem__, ids), dtype=np.int64, count=len(ids))
        is_head = at == np.arange(len(ids))
        heads = np.flatnonzero(is_head)  # each infoset's first node in breadth-first order
        code = (np.cumsum(is_head) - 1)[at]  # breadth-first rank of the information set
        rep = np.full(n_info, n, dtype=np.int64)
        np.minimum.at(rep, code, preorder[dec])
    order = np.argsort(rep, kind="stable")
    renumber = np.empty(n_info, dtype=np.int64)
    renumber[order] = np.arange(n_info)
    infoset[dec] = renumber[code]
    names = tuple(map(ids.__getitem__, heads[order].tolist()))
    at_pre = np.empty(n, dtype=np.int64)
    at_pre[preorder] = np.arange(n)
    rep = at_pre[np.sort(rep)] if n_info else np.zeros(0, dtype=np.int64)  # node index, in infoset order
    infoset_player = player[rep] if n_info else np.zeros(0, dtype=np.int64)
    infoset_actions = tuple(map(attrgetter("actions"), map(nodes.__getitem__, rep.tolist())))
    n_actions = count[rep] if n_info else np.zeros(0, dtype=np.int64)
    seq_start = np.concatenate([[0], np.cumsum(n_actions)[:-1]]).astype(np.int64) if n_info else n_actions
    return FlatTree(nodes, kind, parent, action, first, count, player, infoset, edge, payoffs, level, preorder,
                    names, infoset_player, infoset_actions, seq_start, n_actions, n_players)


class InfosetLayout:
    """What naming a flat profile needs, shared by every equilibrium of one tree: information set
    ids, owners, action names and sequence offsets, and the id -> index table (built on first use).

    Holds arrays and tuples only (not the tree), so results that keep it stay small and picklable.
    """

    def __init__(self, flat: FlatTree, players: tuple[str, ...]):
        self.names = flat.infoset_names
        self.actions = flat.infoset_actions
        self.players = tuple(players)
        self.owner = flat.infoset_player
        self.seq_start = flat.seq_start
        self.seq_end = flat.seq_start + flat.n_actions
        self._index: dict[str, int] | None = None

    def index(self) -> dict[str, int]:
        """``infoset id -> index`` (built once, on first use)."""
        if self._index is None:
            self._index = dict(zip(self.names, range(len(self.names))))
        return self._index

    def __getstate__(self):
        return {**self.__dict__, "_index": None}

    def infosets(self) -> "InfosetValues":
        """``infoset id -> {"player", "actions"}`` for every information set."""
        return InfosetValues(self, None, np.arange(len(self.names)), "infoset")


class InfosetValues(Mapping):
    """A read-only mapping ``infoset id -> value`` read from a flat profile on access.

    A tree with a million decision points gets its per-information-set details (behaviour,
    choices, plan) as arrays and a view like this one, not as a million Python objects; each
    value is made when asked for, equal to what a plain ``dict`` would hold. ``kind`` says which:

    ``"array"``
        the probabilities of the information set's actions, a read-only view of ``seq``;
    ``"list"``
        the same as a list of floats;
    ``"choice"``
        the action name (``rows`` holds the information sets that are pure);
    ``"plan"``
        the action name where pure, else ``{action: probability}`` over positive probabilities;
    ``"infoset"``
        ``{"player": name, "actions": [...]}`` (``seq`` unused).

    ``rows`` are the information sets in the mapping (indices, in the mapping's order).
    Equality, ``repr`` and JSON rendering (:func:`sim.result.jsonable`) are those of the dict.

    Examples
    --------
    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> g = ExtensiveFormGame.from_root(("A",), Decision(0, "a", ("l", "r"), (Terminal((0.0,)), Terminal((1.0,)))))
    >>> layout = InfosetLayout(flatten(g), g.players)
    >>> v = InfosetValues(layout, np.array([0.0, 1.0]), np.array([0]), "plan")
    >>> v, v == {"a": "r"}, list(v)
    ({'a': 'r'}, True, ['a'])
    """

    __slots__ = ("_layout", "_seq", "_rows", "_kind", "_member")

    def __init__(self, layout: InfosetLayout, seq, rows, kind: str):
        self._layout, self._seq, self._kind = layout, seq, kind
        self._rows = np.asarray(rows, dtype=np.int64)
        self._member = None

    def __getstate__(self):
        return (self._layout, self._seq, self._rows, self._kind)

    def __setstate__(self, state):
        self._layout, self._seq, self._rows, self._kind = state
        self._member = None

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[str]:
        names = self._layout.names
        return (names[k] for k in self._rows.tolist())

    def _position(self, key) -> int:
        k = self._layout.index().get(key) if isinstance(key, str) else None
        if k is None:
            raise KeyError(key)
        if len(self._rows) != len(self._layout.names):
            if self._member is None:
                self._member = np.zeros(len(self._layout.names), dtype=bool)
                self._member[self._rows] = True
            if not self._member[k]:
                raise KeyError(key)
        return k

    def __contains__(self, key) -> bool:
        try:
            self._position(key)
        except KeyError:
            return False
        return True

    def __getitem__(self, key):
        return self._value(self._position(key))

    def _value(self, k: int):
        lay, kind = self._layout, self._kind
        if kind == "infoset":
            return {"player": lay.players[lay.owner[k]], "actions": list(lay.actions[k])}
        a, b = int(lay.seq_start[k]), int(lay.seq_end[k])
        if kind == "array":
            return self._seq[a:b]
        probs = self._seq[a:b].tolist()
        if kind == "list":
            return probs
        on = [j for j, p in enumerate(probs) if p > 1 - 1e-12]
        if on:
            return lay.actions[k][on[0]]
        if kind == "choice":
            raise KeyError(lay.names[k])
        return {x: p for x, p in zip(lay.actions[k], probs) if p > 1e-12}

    def items(self):
        return _Items(self)

    def __repr__(self) -> str:
        return repr(dict(self.items()))


class _Items(ItemsView):
    """``items()`` of :class:`InfosetValues` in one pass over its rows (no id lookups)."""

    def __iter__(self):
        v = self._mapping
        names = v._layout.names
        return ((names[k], v._value(k)) for k in v._rows.tolist())


def recall_violation(flat: FlatTree) -> int | None:
    """An information set (index) whose nodes follow different last own moves of its owner, or
    ``None`` under perfect recall.

    When every node of each information set follows the same last own ``(infoset, action)`` of
    the owner, by induction they share the owner's whole history: Kuhn's (1953) perfect recall.
    Absent-mindedness fails the test too (a node's last own move cannot precede its ancestor's).
    """
    dec = np.flatnonzero(flat.kind == DECISION)
    if not len(dec):
        return None
    key = np.full(flat.n_nodes, -2, dtype=np.int64)
    for i in range(flat.n_players):
        last = own_sequences(flat, i)
        mine = dec[flat.player[dec] == i]
        key[mine] = last[mine]
    h = flat.infoset[dec]
    lo = np.full(len(flat.infoset_names), np.iinfo(np.int64).max)
    hi = np.full(len(flat.infoset_names), np.iinfo(np.int64).min)
    np.minimum.at(lo, h, key[dec])
    np.maximum.at(hi, h, key[dec])
    bad = np.flatnonzero(lo != hi)
    return int(bad[0]) if len(bad) else None


def own_sequences(flat: FlatTree, i: int) -> np.ndarray:
    """Player ``i``'s last own sequence before each node (``-1`` before its first move)."""
    last = np.full(flat.n_nodes, -1, dtype=np.int64)
    if not len(flat.infoset_names):
        return last
    for sl in flat.level[1:]:
        par = flat.parent[sl]
        mine = flat.player[par] == i
        last[sl] = np.where(mine, flat.seq_start[np.maximum(flat.infoset[par], 0)] + flat.action[sl], last[par])
    return last


def _values(flat: FlatTree, seq: np.ndarray) -> np.ndarray:
    """Reach probability of every node under the flat profile ``seq`` (chance included)."""
    return flat.reach(flat.edge_probabilities(seq))


def _as_flat(game_or_flat) -> FlatTree:
    return game_or_flat if isinstance(game_or_flat, FlatTree) else flatten(game_or_flat)


def expected_payoffs(game, behaviour) -> np.ndarray:
    """Each player's expected payoff ``(N,)`` under a behaviour profile (Kuhn 1953).

    ``game`` is an :class:`~sim.extensive.tree.ExtensiveFormGame` or its :class:`FlatTree`;
    ``behaviour`` a mapping ``infoset -> probabilities`` or a flat sequence vector.
    """
    flat = _as_flat(game)
    seq = behaviour if isinstance(behaviour, np.ndarray) else flat.sequences(behaviour)
    r = _values(flat, seq)
    term = flat.kind == TERMINAL
    return r[term] @ flat.payoffs[term]


def infoset_groups(flat: FlatTree, i: int, last: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Player ``i``'s information sets grouped by own depth, deepest first, as the bottom-up pass
    of a sequence-form best response reads them: per group, the positions (offset by one, as in
    a table whose entry 0 is the empty sequence) of its actions' sequences, where each
    information set's actions start among them, and the position of the sequence each hangs
    from. ``last`` is :func:`own_sequences` of the player. Needs perfect recall (one parent
    sequence per information set, read at one of its nodes)."""
    hs = np.flatnonzero(flat.infoset_player == i)
    if not len(hs):
        return []
    dec = np.flatnonzero(flat.player == i)
    node_of = np.zeros(len(flat.infoset_names), dtype=np.int64)
    node_of[flat.infoset[dec]] = dec
    parent_seq = last[node_of[hs]]
    depth = np.zeros(flat.n_nodes, dtype=np.int64)
    for sl in flat.level[1:]:
        par = flat.parent[sl]
        depth[sl] = depth[par] + (flat.player[par] == i)
    own_depth = depth[node_of[hs]]
    groups = []
    for d in np.unique(own_depth)[::-1]:
        at = hs[own_depth == d]
        k = flat.n_actions[at]
        idx = np.repeat(flat.seq_start[at] - np.cumsum(k) + k, k) + np.arange(k.sum())
        groups.append((idx + 1, np.cumsum(k) - k, parent_seq[own_depth == d] + 1))
    return groups


def best_response_values(game, behaviour) -> np.ndarray:
    """Each player's best-response payoff ``(N,)`` against the others' behaviour strategies.

    Sequence-form best response (von Stengel 1996; Koller, Megiddo and von Stengel 1996): the
    terminals' payoffs are weighted by the reach probability of chance and the *other* players,
    summed onto the player's last own sequence, and the player's information sets are resolved
    bottom-up (deepest own move first): each takes its best action's total and adds it to the
    sequence that leads to it. Needs perfect recall (each information set has one parent
    sequence).
    """
    flat = _as_flat(game)
    seq = behaviour if isinstance(behaviour, np.ndarray) else flat.sequences(behaviour)
    edge = flat.edge_probabilities(seq)
    term = np.flatnonzero(flat.kind == TERMINAL)
    out = np.zeros(flat.n_players)
    for i in range(flat.n_players):
        own_edge = np.zeros(flat.n_nodes, dtype=bool)
        own_edge[1:] = flat.player[flat.parent[1:]] == i
        r = flat.reach(np.where(own_edge, 1.0, edge))
        last = own_sequences(flat, i)
        total = np.bincount(last[term] + 1, weights=r[term] * flat.payoffs[term, i],
                            minlength=flat.n_sequences + 1)
        for idx, starts, parents in infoset_groups(flat, i, last):
            np.add.at(total, parents, np.maximum.reduceat(total[idx], starts))
        out[i] = total[0]
    return out


def regret(game, behaviour) -> np.ndarray:
    """Each player's regret ``(N,)``: best-response payoff minus current payoff (never negative).

    Equals the regret of the corresponding mixed profile on the reduced normal form (Kuhn 1953),
    measured without building it.
    """
    flat = _as_flat(game)
    seq = behaviour if isinstance(behaviour, np.ndarray) else flat.sequences(behaviour)
    return np.maximum(0.0, best_response_values(flat, seq) - expected_payoffs(flat, seq))


def node_values(flat: FlatTree, seq: np.ndarray) -> np.ndarray:
    """Expected payoffs ``(n, N)`` of the play below each node under a flat profile (bottom-up)."""
    edge = flat.edge_probabilities(seq)
    v = flat.payoffs.copy()
    for d in range(len(flat.level) - 1, 0, -1):
        sl = flat.level[d]
        np.add.at(v, flat.parent[sl], edge[sl, None] * v[sl])
    return v


def one_shot_gains(flat: FlatTree, seq: np.ndarray) -> np.ndarray:
    """Largest gain ``(n,)`` of the mover at each decision node from switching to one action there
    and following the profile afterwards (``0`` elsewhere). On a perfect-information tree a profile
    is subgame perfect exactly when every gain is ``0`` (the one-shot deviation principle)."""
    v = node_values(flat, seq)
    gain = np.zeros(flat.n_nodes)
    dec = np.flatnonzero(flat.kind == DECISION)
    if not len(dec):
        return gain
    kids = np.arange(1, flat.n_nodes)
    mover = flat.player[flat.parent[kids]]
    mine = np.where(mover >= 0, v[kids, np.maximum(mover, 0)], -np.inf)
    best = np.full(flat.n_nodes, -np.inf)
    np.maximum.at(best, flat.parent[kids], mine)
    gain[dec] = np.maximum(0.0, best[dec] - v[dec, flat.player[dec]])
    return gain


def perfect_information_measures(flat: FlatTree, seq: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expected payoffs, best-response payoffs and one-shot gains of a profile on a
    perfect-information tree, in one bottom-up pass.

    With one node per information set, a player's best response is found node by node
    (Zermelo 1913; Kuhn 1953): at the player's own nodes it takes the best child's best-response
    value, elsewhere it follows the profile (or chance). In breadth-first order every child
    comes after its parent, so one compiled loop over the nodes backwards
    (:mod:`sim.extensive._tree_jit`) does it.

    Returns
    -------
    payoffs : array (N,)
        Each player's expected payoff (as :func:`expected_payoffs`).
    best_reply : array (N,)
        Each player's best-response payoff against the others (as :func:`best_response_values`).
    gains : array (n,)
        As :func:`one_shot_gains`: the mover's largest gain at each decision node from one
        deviation there; all zero exactly for subgame-perfect profiles.

    Raises
    ------
    GameError
        When an information set has more than one node.

    Examples
    --------
    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> g = ExtensiveFormGame.from_root(("E", "I"), Decision(0, "E", ("out", "in"), (
    ...     Terminal((0.0, 2.0)),
    ...     Decision(1, "I", ("fight", "accommodate"), (Terminal((-1.0, -1.0)), Terminal((1.0, 1.0)))))))
    >>> f = flatten(g)
    >>> payoffs, best, gains = perfect_information_measures(f, f.sequences({"E": [0, 1], "I": [1, 0]}))
    >>> payoffs.tolist(), best.tolist(), gains.tolist()
    ([-1.0, -1.0], [0.0, 1.0], [1.0, 0.0, 2.0, 0.0, 0.0])
    """
    dec = flat.kind == DECISION
    if np.bincount(flat.infoset[dec], minlength=len(flat.infoset_names)).max(initial=1) > 1:
        raise GameError("perfect_information_measures(): needs perfect information; "
                        "some information set has several nodes")
    from sim.extensive._tree_jit import measures

    return measures(flat.kind, flat.first, flat.count, flat.player, flat.edge_probabilities(seq), flat.payoffs)


def reduced_strategy_counts(flat: FlatTree) -> np.ndarray:
    """Each player's number of reduced strategies ``(N,)`` as floats, counted on the tree.

    Under perfect recall a reduced strategy picks one action at every information set its own
    earlier choices leave reachable, so the count of an information set is the sum over its
    actions of the product of the counts of the information sets that action leads to (one
    pass over the player's sequences, deepest first; Kuhn 1953, von Stengel 1996).

    Examples
    --------
    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> g = ExtensiveFormGame.from_root(("A", "B"), Decision(0, "a", ("L", "R"), (
    ...     Terminal((1.0, 1.0)), Decision(1, "b", ("l", "r"), (Terminal((0.0, 0.0)), Terminal((2.0, 2.0)))))))
    >>> reduced_strategy_counts(flatten(g)).tolist()
    [2.0, 2.0]
    """
    out = np.ones(flat.n_players)
    dec = np.flatnonzero(flat.kind == DECISION)
    for i in range(flat.n_players):
        hs = np.flatnonzero(flat.infoset_player == i)
        if not len(hs):
            continue
        last = own_sequences(flat, i)
        mine = dec[flat.player[dec] == i]
        node_of = np.zeros(len(flat.infoset_names), dtype=np.int64)
        node_of[flat.infoset[mine]] = mine
        depth = np.zeros(flat.n_nodes, dtype=np.int64)
        for sl in flat.level[1:]:
            par = flat.parent[sl]
            depth[sl] = depth[par] + (flat.player[par] == i)
        parent_seq, own_depth = last[node_of[hs]], depth[node_of[hs]]
        prod = np.ones(flat.n_sequences + 1)
        for d in np.unique(own_depth)[::-1]:
            at = hs[own_depth == d]
            k = flat.n_actions[at]
            idx = np.repeat(flat.seq_start[at] - np.cumsum(k) + k, k) + np.arange(k.sum())
            with np.errstate(over="ignore"):  # a count past 1e308 is inf: too many either way
                np.multiply.at(prod, parent_seq[own_depth == d] + 1, np.add.reduceat(prod[idx + 1], np.cumsum(k) - k))
        out[i] = prod[0]
    return out


def has_reduced_view(flat: FlatTree, limit: int = REDUCED_VIEW_ENTRIES) -> bool:
    """True when the reduced normal form is small enough to build as a result's view: every
    player within :data:`sim.extensive.reduced.MAX_PLANS` and at most ``limit`` entries."""
    from sim.extensive.reduced import MAX_PLANS

    terminals = int(np.count_nonzero(flat.kind == TERMINAL))
    if terminals > limit:  # every player has at least one strategy: too large without counting them
        return False
    counts = reduced_strategy_counts(flat)
    return bool(counts.max(initial=1) <= MAX_PLANS and float(np.prod(counts)) * terminals <= limit)


__all__ = ["REDUCED_VIEW_ENTRIES", "FlatTree", "InfosetLayout", "InfosetValues", "has_reduced_view", "reduced_strategy_counts", "best_response_values", "expected_payoffs", "flatten", "node_values", "one_shot_gains", "perfect_information_measures",
           "own_sequences", "recall_violation", "regret"]
