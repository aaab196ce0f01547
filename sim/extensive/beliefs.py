"""Belief thresholds: where in the belief simplex of an information set each action is a best answer.

At an information set with nodes ``x_1 .. x_n`` the mover's expected payoff from action ``a``
under the belief ``mu`` is ``sum_x mu(x) u(x, a)``, linear in ``mu``. The set of beliefs where
``a`` is a best answer is therefore a polytope: the simplex cut by the half-spaces
``(u(., a) - u(., b)) . mu >= 0`` for every other action ``b`` (Fudenberg and Tirole 1991,
section 8.2; Gibbons 1992, section 4.2.A, where the receiver's threshold "q <= 2/3" is one such
crossing). Its vertices are found by vertex enumeration: every choice of ``n - 1`` tight
constraints, solved together with ``sum mu = 1`` in exact rational arithmetic (the payoffs'
floats are converted exactly with :class:`fractions.Fraction`), kept when feasible.

For a two-node information set (two types of a sender) the belief is one number, ``q`` = the
probability of the first node, and each region is an interval of ``[0, 1]``; the *thresholds* are
the interior end points of these intervals, where the best answer flips. After a message every
type sends with the same probability (pooling) the posterior is the prior, so the thresholds are
then thresholds on the prior.

Continuation payoffs: when an action does not end the game, the mover's payoff after it is the
expected payoff under ``behaviour`` (infoset -> action probabilities) for the later moves.

Examples
--------
Beer-quiche's receiver (Cho and Kreps 1987) duels exactly when ``P(weak) >= 1/2``:

>>> from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
>>> resp = lambda t: Decision(1, "quiche", ("duel", "no_duel"), (
...     Terminal((0.0, 1.0 if t == "weak" else 0.0)), Terminal((2.0, 0.0 if t == "weak" else 1.0))))
>>> g = ExtensiveFormGame.from_root(("S", "R"), Chance(("weak", "strong"), (0.1, 0.9), (
...     Decision(0, "w", ("quiche",), (resp("weak"),)), Decision(0, "s", ("quiche",), (resp("strong"),)))))
>>> th = belief_thresholds(g, "quiche")
>>> th.thresholds, th.exact_thresholds
((0.5,), ('1/2',))
>>> [(r.action, r.interval) for r in th.regions]
[('duel', (0.5, 1.0)), ('no_duel', (0.0, 0.5))]
>>> th.best_answers([0.6, 0.4]), th.best_answers([0.4, 0.6])
(('duel',), ('no_duel',))
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping, Sequence

import numpy as np

from sim._arrays import readonly
from sim.errors import GameError
from sim.extensive.nodes import Chance, Decision, Node, Terminal, iter_nodes, path_text


@dataclass(frozen=True)
class ActionRegion:
    """Where ``action`` is a best answer: the polytope's ``vertices`` (beliefs over the nodes, in
    node order), as floats and as exact fractions (strings); for two-node sets also the
    ``interval`` of the first node's probability. Empty (no vertices, ``interval`` None) when the
    action is never a best answer."""

    action: str
    vertices: tuple[tuple[float, ...], ...]
    exact_vertices: tuple[tuple[str, ...], ...]
    interval: tuple[float, float] | None = None
    exact_interval: tuple[str, str] | None = None

    def to_dict(self) -> dict:
        return {"action": self.action, "vertices": [list(v) for v in self.vertices],
                "exact_vertices": [list(v) for v in self.exact_vertices],
                "interval": None if self.interval is None else list(self.interval),
                "exact_interval": None if self.exact_interval is None else list(self.exact_interval)}


@dataclass(frozen=True)
class BeliefThresholds:
    """Best-answer regions of one information set (see the module docstring).

    ``payoffs[x, a]`` is the mover's (continuation) payoff at node ``nodes[x]`` after
    ``actions[a]``; ``thresholds`` (two-node sets only, else empty) are the beliefs ``q`` in
    ``(0, 1)`` in the first node where the set of best answers changes, sorted.
    """

    infoset: str
    player: str
    nodes: tuple[str, ...]
    actions: tuple[str, ...]
    payoffs: np.ndarray
    regions: tuple[ActionRegion, ...]
    thresholds: tuple[float, ...]
    exact_thresholds: tuple[str, ...]

    def expected(self, belief: Sequence[float]) -> np.ndarray:
        """Expected payoff of each action under ``belief`` (a probability per node)."""
        return np.asarray(belief, dtype=float) @ self.payoffs

    def best_answers(self, belief: Sequence[float], tol: float = 1e-12) -> tuple[str, ...]:
        """The actions whose expected payoff is within ``tol`` of the best under ``belief``."""
        e = self.expected(belief)
        return tuple(a for a, x in zip(self.actions, e) if x >= e.max() - tol)

    def to_dict(self) -> dict:
        return {"infoset": self.infoset, "player": self.player, "nodes": list(self.nodes),
                "actions": list(self.actions), "payoffs": self.payoffs.tolist(),
                "regions": [r.to_dict() for r in self.regions], "thresholds": list(self.thresholds),
                "exact_thresholds": list(self.exact_thresholds)}


def _value(node: Node, player: int, behaviour: Mapping, where: tuple[str, ...]) -> Fraction:
    if isinstance(node, Terminal):
        return Fraction(node.payoffs[player])
    if isinstance(node, Chance):
        names, probs = node.outcomes, node.probs
    else:
        if node.infoset not in behaviour:
            raise GameError(f"belief_thresholds(): the payoff after {path_text(where)} depends on the later "
                            f"information set {node.infoset!r}; give its action probabilities in behaviour")
        names, probs = node.actions, behaviour[node.infoset]
        if len(probs) != len(names):
            raise GameError(f"belief_thresholds(): behaviour[{node.infoset!r}] must have {len(names)} "
                            f"probabilities; got {list(probs)}")
    return sum((Fraction(float(p)) * _value(c, player, behaviour, (*where, a))
                for a, p, c in zip(names, probs, node.children) if p), Fraction(0))


def _solve(rows: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction] | None:
    """Exact Gaussian elimination of a square system; None when singular."""
    n = len(rows)
    m = [list(r) + [b] for r, b in zip(rows, rhs)]
    for col in range(n):
        piv = next((r for r in range(col, n) if m[r][col] != 0), None)
        if piv is None:
            return None
        m[col], m[piv] = m[piv], m[col]
        for r in range(n):
            if r != col and m[r][col] != 0:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col])]
    return [m[r][n] / m[r][r] for r in range(n)]


def _region(u: list[list[Fraction]], a: int) -> list[tuple[Fraction, ...]]:
    """Vertices of ``{mu in simplex : (u[., a] - u[., b]) . mu >= 0 for all b}`` (exact)."""
    n, m = len(u), len(u[0])
    if m == 1:  # the only action is the best answer at every belief: the whole simplex
        return sorted((tuple(Fraction(int(x == k)) for x in range(n)) for k in range(n)), reverse=True)
    cons = [[Fraction(int(x == k)) for x in range(n)] for k in range(n)]  # mu_k >= 0
    cons += [[u[x][a] - u[x][b] for x in range(n)] for b in range(m) if b != a]
    out = []
    for tight in itertools.combinations(range(len(cons)), n - 1):
        mu = _solve([cons[k] for k in tight] + [[Fraction(1)] * n], [Fraction(0)] * (n - 1) + [Fraction(1)])
        if mu is None or any(sum(c[x] * mu[x] for x in range(n)) < 0 for c in cons):
            continue
        mu = tuple(mu)
        if mu not in out:
            out.append(mu)
    return sorted(out, reverse=True)


def belief_thresholds(game, infoset: str, behaviour: Mapping[str, Sequence[float]] | None = None) -> BeliefThresholds:
    """Where in the belief simplex of ``infoset`` each of its actions is a best answer.

    Exact vertex enumeration of each action's region (the simplex cut by the half-spaces where the
    action's expected-payoff line lies above every other's; Fudenberg and Tirole 1991, section
    8.2). For two-node sets each region is an interval of the first node's probability and the
    thresholds are the interior points where the best answer flips.

    Parameters
    ----------
    game : ExtensiveFormGame
    infoset : str
        An information set id of ``game``.
    behaviour : mapping, optional
        Action probabilities at the information sets played after ``infoset`` (needed only when
        its actions do not end the game).

    Returns
    -------
    BeliefThresholds

    Raises
    ------
    GameError
        When ``infoset`` is not an information set of ``game``, or a later move has no behaviour.

    Examples
    --------
    Gibbons (1992, section 4.2.A): after R the receiver prefers u exactly when ``q <= 2/3``.

    >>> from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
    >>> R = lambda a, b: Decision(1, "R", ("u", "d"), (Terminal((0.0, a)), Terminal((0.0, b))))
    >>> g = ExtensiveFormGame.from_root(("S", "Rx"), Chance(("t1", "t2"), (0.5, 0.5), (
    ...     Decision(0, "t1", ("R",), (R(1.0, 0.0),)), Decision(0, "t2", ("R",), (R(0.0, 2.0),)))))
    >>> belief_thresholds(g, "R").exact_thresholds
    ('2/3',)
    """
    if infoset not in game.infosets:
        raise GameError(f"belief_thresholds(): {infoset!r} is not an information set of the game; "
                        f"its information sets: {list(game.infosets)}")
    player, actions = game.infosets[infoset]
    behaviour = {} if behaviour is None else dict(behaviour)
    members = [(p, n) for p, n in iter_nodes(game.root) if isinstance(n, Decision) and n.infoset == infoset]
    u = [[_value(c, player, behaviour, (*p, a)) for a, c in zip(actions, n.children)] for p, n in members]
    regions = []
    flips = set()
    for a, name in enumerate(actions):
        verts = _region(u, a)
        interval = exact = None
        if len(members) == 2 and verts:
            qs = [v[0] for v in verts]
            lo, hi = min(qs), max(qs)
            interval, exact = (float(lo), float(hi)), (str(lo), str(hi))
            if lo < hi:  # a single point where an action only ties is not a region
                flips.update(q for q in (lo, hi) if 0 < q < 1)
        regions.append(ActionRegion(name, tuple(tuple(float(x) for x in v) for v in verts),
                                    tuple(tuple(str(x) for x in v) for v in verts), interval, exact))
    flips = sorted(flips)
    return BeliefThresholds(infoset, game.players[player], tuple(path_text(p) for p, _ in members), actions,
                            readonly(np.array([[float(x) for x in row] for row in u])), tuple(regions),
                            tuple(float(q) for q in flips), tuple(str(q) for q in flips))


#: :func:`all_belief_thresholds` skips an information set whose vertex enumeration would cost more
#: than this: ``C(nodes + actions - 1, nodes - 1)`` choices of tight constraints, each an exact
#: elimination of ``nodes**3`` steps (6 nodes and 2 actions: 4,536; 12 nodes and 3 actions: 628,992).
MAX_VERTEX_WORK = 1_000_000


@dataclass(frozen=True)
class Uncertainty:
    """What the mover at an information set does not know: ``moves`` are the moves (by name, in
    preorder) at which the histories of the set's nodes part; for a two-node set ``event`` is
    ``(move, outcome)`` true at the first node and false at the other (so a belief threshold
    ``q`` reads "probability of ``move=outcome`` above ``q``"), else None.

    A move is named by its node's label (a scenario's move name), else its information set, else
    ``"chance"``."""

    infoset: str
    moves: tuple[str, ...]
    event: tuple[str, str] | None

    def to_dict(self) -> dict:
        return {"moves": list(self.moves),
                "event": None if self.event is None else {"move": self.event[0], "outcome": self.event[1]}}


def _move_name(node: Node) -> str:
    return node.label or node.infoset or ("chance" if isinstance(node, Chance) else "")


def uncertainty(game, infoset: str) -> Uncertainty:
    """The moves the mover at ``infoset`` is uncertain about (see :class:`Uncertainty`).

    Examples
    --------
    >>> from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
    >>> R = Decision(1, "R", ("u", "d"), (Terminal((0.0, 1.0)), Terminal((0.0, 0.0))), "answer")
    >>> g = ExtensiveFormGame.from_root(("S", "Rx"), Chance(("hi", "lo"), (0.5, 0.5), (
    ...     Decision(0, "s_hi", ("m",), (R,)), Decision(0, "s_lo", ("m",), (R,))), "type"))
    >>> uncertainty(g, "R")
    Uncertainty(infoset='R', moves=('type',), event=('type', 'hi'))
    """
    if infoset not in game.infosets:
        raise GameError(f"uncertainty(): {infoset!r} is not an information set of the game; "
                        f"its information sets: {list(game.infosets)}")
    paths = [p for p, n in iter_nodes(game.root) if isinstance(n, Decision) and n.infoset == infoset]
    moves: list[str] = []
    event = None
    for p, node in iter_nodes(game.root):
        if isinstance(node, Terminal):
            continue
        below = {q[len(p)] for q in paths if len(q) > len(p) and q[:len(p)] == p}
        if len(below) > 1:
            name = _move_name(node)
            if name not in moves:
                moves.append(name)
            if len(paths) == 2 and event is None:
                event = (name, paths[0][len(p)])
    return Uncertainty(infoset, tuple(moves), event)


def vertex_work(nodes: int, actions: int) -> int:
    """The cost bound :func:`all_belief_thresholds` compares with :data:`MAX_VERTEX_WORK`: the
    choices of tight constraints of one action's region times an exact elimination each.

    >>> vertex_work(6, 2), vertex_work(12, 3)
    (4536, 628992)
    """
    import math

    return math.comb(nodes + actions - 1, nodes - 1) * nodes**3


def multi_node_infosets(game) -> tuple[str, ...]:
    """The information sets with more than one node (where the mover holds a belief), in order."""
    counts: dict[str, int] = {}
    for _, n in iter_nodes(game.root):
        if isinstance(n, Decision):
            counts[n.infoset] = counts.get(n.infoset, 0) + 1
    return tuple(h for h in game.infosets if counts.get(h, 0) > 1)


def all_belief_thresholds(game, behaviour: Mapping[str, Sequence[float]] | None = None
                          ) -> tuple[tuple[BeliefThresholds | None, Uncertainty, str], ...]:
    """:func:`belief_thresholds` and :func:`uncertainty` of every information set with more than
    one node, as ``(thresholds, uncertainty, why_skipped)``: ``thresholds`` is None (and
    ``why_skipped`` says why) when a later move has no behaviour or the set is too large to
    enumerate (:data:`MAX_VERTEX_WORK`).

    Examples
    --------
    >>> from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
    >>> R = lambda a, b: Decision(1, "R", ("u", "d"), (Terminal((0.0, a)), Terminal((0.0, b))))
    >>> g = ExtensiveFormGame.from_root(("S", "Rx"), Chance(("t1", "t2"), (0.5, 0.5), (
    ...     Decision(0, "t1", ("R",), (R(1.0, 0.0),)), Decision(0, "t2", ("R",), (R(0.0, 2.0),)))))
    >>> [(th.infoset, th.exact_thresholds, u.event, why) for th, u, why in all_belief_thresholds(g)]
    [('R', ('2/3',), ('chance', 't1'), '')]
    """
    out = []
    for h in multi_node_infosets(game):
        u = uncertainty(game, h)
        n = sum(1 for _, x in iter_nodes(game.root) if isinstance(x, Decision) and x.infoset == h)
        m = len(game.infosets[h][1])
        if m > 1 and vertex_work(n, m) > MAX_VERTEX_WORK:
            out.append((None, u, f"{n} nodes and {m} actions: too many for exact vertex enumeration"))
            continue
        try:
            out.append((belief_thresholds(game, h, behaviour), u, ""))
        except GameError as exc:
            out.append((None, u, str(exc).partition("(): ")[2] or str(exc)))
    return tuple(out)
