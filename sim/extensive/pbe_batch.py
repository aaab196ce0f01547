"""Pure perfect Bayesian equilibria of one tree over a batch of payoff assignments.

:func:`pbe_batch` answers, for each of ``B`` payoff assignments (sweep points) of one tree and
each of its ``P`` pure behaviour profiles, whether the profile is a pure perfect Bayesian
equilibrium under exactly the rules of :func:`sim.extensive.pbe.pbe_solve` (Fudenberg and
Tirole 1991, ch. 8; Gibbons 1992, ch. 4):

* continuation values of every node under every profile, children before parents;
* at each information set, the belief from Bayes' rule over the reach probability of its nodes
  *counting only chance and the other players' moves*; where that reach is positive the chosen
  action must be a best reply to the belief within the tolerance;
* where chance and the others exclude every node (a *free* belief) the profile passes when
  *some* belief on the simplex of the set's nodes makes the chosen action a best reply within the
  tolerance. For one node, two nodes (an interval of the belief, in closed form), two actions (a
  vertex of the simplex is the best belief) or when a vertex belief already works, the test is
  exact arithmetic on arrays; only what remains (three or more nodes and actions) goes to
  ``pbe_solve``'s linear program, and only for the (point, profile) pairs still alive;
* the tolerance is ``tol`` times the point's payoff spread (no floor, plus round-off:
  :func:`sim.game.spread_tolerances`), as in ``pbe_solve``.

Conventions: the batch axis ``B`` (points) comes first, then the profile axis ``P``; terminals
are numbered in preorder (:func:`sim.extensive.reduced.terminal_table`), chance nodes in preorder,
the player axis ``N`` comes last. Profiles are enumerated once for the tree, in the order of
``pbe_solve`` (``itertools.product`` over :attr:`~sim.extensive.tree.ExtensiveFormGame.infosets`
in their order, the last information set fastest); ``profiles[p, h]`` is the action index at
information set ``h``. Points are processed in chunks so that the per-chunk ``(b, P, nodes)``
arrays stay under :data:`MEMORY_BUDGET` bytes; there is no Python loop over points or profiles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim._arrays import readonly
from sim.errors import SolverError
from sim.game import spread_tolerances
from sim.extensive.pbe import (DEFAULT_MAX_PROFILES, DEFAULT_TOL, OFF_PATH_BAYES, OFF_PATH_CHOSEN, ON_PATH,
                               _free_belief)
from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal, path_text

#: Bytes of per-chunk working arrays (values and action values over points x profiles) a chunk
#: of points may take; the chunk size follows from it (at least one point).
MEMORY_BUDGET = 150_000_000

_TERMINAL, _CHANCE, _DECISION = 0, 1, 2


class _Layout:
    """The tree in preorder (by position: equal subtrees may share node objects), its
    information sets and every pure behaviour profile, with the profile-only reach indicators.

    A node's value depends only on the choices at the information sets below it (its *scope*),
    so it is kept over the sub-profiles of that scope, ``(b, K, N)``, and widened to a parent's
    scope by an index array; an information set's test is run over the sub-profiles of the sets
    that decide it (those below its nodes, its own, and the other players' above them) and
    spread to all profiles at the end. Near the leaves the arrays are a few columns wide.
    """

    def __init__(self, game: ExtensiveFormGame, profiles: np.ndarray, sizes: list[int]):
        self.n_players = N = game.n_players
        self.infosets = tuple(game.infosets)
        h_index = {h: k for k, h in enumerate(self.infosets)}
        self.owner = np.array([game.infosets[h][0] for h in self.infosets], dtype=np.intp)
        self.actions = tuple(game.infosets[h][1] for h in self.infosets)
        self.sizes = np.array(sizes, dtype=np.intp)
        kind, parent, kids, player, infoset, sub, paths = [], [], [], [], [], [], []
        counts = [0, 0, 0]  # terminals, chance nodes, decisions seen so far
        stack = [(game.root, (), -1)]
        while stack:
            node, path, par = stack.pop()
            k = len(kind)
            kids.append([])
            if par >= 0:
                kids[par].append(k)
            parent.append(par)
            paths.append(path)
            if isinstance(node, Terminal):
                t = _TERMINAL
            elif isinstance(node, Chance):
                t = _CHANCE
            else:
                t = _DECISION
            kind.append(t)
            sub.append(counts[t])
            counts[t] += 1
            player.append(node.player if isinstance(node, Decision) else -1)
            infoset.append(h_index[node.infoset] if isinstance(node, Decision) else -1)
            if t != _TERMINAL:
                names = node.actions if isinstance(node, Decision) else node.outcomes
                for name, child in reversed(list(zip(names, node.children))):
                    stack.append((child, (*path, name), k))
        n = len(kind)
        self.kind, self.parent, self.kids, self.player, self.infoset = kind, parent, kids, player, infoset
        self.sub = sub  # index among nodes of its kind, in preorder
        self.labels = [path_text(p) for p in paths]
        self.n_terminals, self.n_chance = counts[_TERMINAL], counts[_CHANCE]
        self.chance_sizes = [len(kids[k]) for k in range(n) if kind[k] == _CHANCE]
        self.members = [[k for k in range(n) if infoset[k] == h] for h in range(len(self.infosets))]
        self.profiles = profiles
        # ok[k, i, p]: every move on the path to node k by a player other than i agrees with profile
        # p (row N: every player's); the reach pbe_solve counts is chance's product times this.
        P = len(profiles)
        ok = np.ones((n, N + 1, P), dtype=bool)
        above: list[set] = [set() for _ in range(n)]  # (infoset, player) of the decisions above a node
        for k in range(n):
            for c in kids[k]:
                above[c] = above[k] | ({(infoset[k], player[k])} if kind[k] == _DECISION else set())
            if kind[k] != _DECISION:
                for c in kids[k]:
                    ok[c] = ok[k]
                continue
            j = player[k]
            for a, c in enumerate(kids[k]):
                ok[c] = ok[k] & (profiles[:, infoset[k]] == a)
                ok[c, j] = ok[k, j]  # a player's own moves do not enter its own beliefs
        self.ok = ok
        # Scopes of the nodes (children before parents) and the index arrays that widen a child.
        scope: list[tuple] = [()] * n
        self.widen: list[list] = [[] for _ in range(n)]  # per child: index into the child's columns
        self.pick: list = [None] * n  # decision nodes: the action of each column
        for k in range(n - 1, -1, -1):
            if kind[k] == _TERMINAL:
                continue
            own = {infoset[k]} if kind[k] == _DECISION else set()
            scope[k] = tuple(sorted(set().union(own, *(scope[c] for c in kids[k]))))
            cols = self._columns(scope[k])
            self.widen[k] = [self._index(scope[c], scope[k], cols) for c in kids[k]]
            if kind[k] == _DECISION:
                self.pick[k] = cols[:, scope[k].index(infoset[k])]
        self.scope = scope
        # Each information set's scope: what decides its test.
        self.h_scope, self.h_widen, self.h_ok, self.h_chosen, self.h_spread = [], [], [], [], []
        for h, xs in enumerate(self.members):
            i = self.owner[h]
            deciding = {h}.union(*(scope[c] for x in xs for c in kids[x]),
                                 *({g for g, j in above[x] if j != i} for x in xs))
            S = tuple(sorted(deciding))
            cols = self._columns(S)
            full = np.zeros((len(cols), len(sizes)), dtype=np.intp)
            full[:, list(S)] = cols
            rep = np.ravel_multi_index(tuple(full.T), sizes) if sizes else np.zeros(len(cols), dtype=np.intp)
            self.h_scope.append(S)
            self.h_widen.append([[self._index(scope[c], S, cols) for c in kids[x]] for x in xs])
            self.h_ok.append(ok[xs, i][:, rep])  # (m, K): the others' moves at each column
            self.h_chosen.append(cols[:, S.index(h)])
            self.h_spread.append(self._index(S, tuple(range(len(sizes))), profiles))

    def _columns(self, S: tuple) -> np.ndarray:
        """The sub-profiles over the information sets ``S`` in C order: ``(K, len(S))``."""
        if not S:
            return np.zeros((1, 0), dtype=np.intp)
        return np.stack(np.unravel_index(np.arange(int(np.prod(self.sizes[list(S)]))), self.sizes[list(S)]), axis=1)

    def _index(self, small: tuple, big: tuple, cols: np.ndarray) -> np.ndarray:
        """For each sub-profile ``cols`` over ``big``, the column of its restriction to ``small``."""
        if not small:
            return np.zeros(len(cols), dtype=np.intp)
        pos = [big.index(h) for h in small]
        return np.ravel_multi_index(tuple(cols[:, pos].T), self.sizes[list(small)])

    def chunk_size(self, B: int) -> int:
        """Points per chunk: node values, the information sets' working arrays and the mask."""
        width = [int(np.prod(self.sizes[list(s)])) for s in self.scope]
        tests = sum(len(c) * len(xs) * len(self.actions[h]) for h, (c, xs) in enumerate(zip(self.h_chosen, self.members)))
        per_point = 8 * (self.n_players * sum(width) + 8 * tests) + 2 * len(self.profiles)
        return max(1, min(B, MEMORY_BUDGET // per_point))

    def sweep(self, pay: np.ndarray, probs: list[np.ndarray]):
        """Values at points ``pay (b, T, N)``, each node over the sub-profiles of its scope.

        Returns ``(q, chance_reach, root)``: ``q[k]`` lists the mover's value after each action
        at decision node ``k`` (``(b, K_child)``), ``chance_reach (b, n)`` the product of chance
        probabilities down to each node, and ``root (b, P, N)`` the expected payoffs under every
        profile. The arithmetic is ``pbe_solve``'s, operation by operation (chance values summed
        left to right, a decision copies the chosen child).
        """
        b, n = pay.shape[0], len(self.kind)
        reach = np.ones((b, n))
        for k in range(n):
            if self.kind[k] == _CHANCE:
                p = probs[self.sub[k]]
                for a, c in enumerate(self.kids[k]):
                    reach[:, c] = reach[:, k] * p[:, a]
            elif self.kind[k] == _DECISION:
                for c in self.kids[k]:
                    reach[:, c] = reach[:, k]
        value: list = [None] * n
        q: dict[int, list] = {}
        for k in range(n - 1, -1, -1):
            if self.kind[k] == _TERMINAL:
                value[k] = pay[:, self.sub[k], None, :]  # (b, 1, N): no choice below
                continue
            kids, widen = self.kids[k], self.widen[k]
            if self.kind[k] == _CHANCE:
                p = probs[self.sub[k]]
                v = p[:, 0, None, None] * value[kids[0]][:, widen[0]]
                for a in range(1, len(kids)):
                    v = v + p[:, a, None, None] * value[kids[a]][:, widen[a]]
            else:
                j = self.player[k]
                q[k] = [value[c][:, :, j] for c in kids]
                pick = self.pick[k]
                v = np.empty((b, len(pick), self.n_players))
                for a, c in enumerate(kids):
                    sel = pick == a
                    v[:, sel] = value[c][:, widen[a][sel]]
            value[k] = v
            for c in kids:
                value[c] = None
        return q, reach, value[0]

    def infoset_arrays(self, h: int, q, reach):
        """``u (b, K, m, k)`` (owner's value of each action at each node), ``w (b, K, m)`` (the
        reach that enters the owner's belief) and ``chosen (K,)`` over the sub-profiles of the
        information set's scope."""
        xs = self.members[h]
        u = np.stack([np.stack([q[x][a][:, idx] for a, idx in enumerate(ws)], axis=-1)
                      for x, ws in zip(xs, self.h_widen[h])], axis=-2)
        w = reach[:, xs][:, None, :] * self.h_ok[h].T[None, :, :]
        return u, w, self.h_chosen[h]


def _check_chunk(layout: _Layout, pay: np.ndarray, probs: list[np.ndarray], eps: np.ndarray):
    """``(mask (b, P), root values (b, P, N))`` for one chunk of points."""
    b = pay.shape[0]
    q, reach, root = layout.sweep(pay, probs)
    alive = np.ones((b, len(layout.profiles)), dtype=bool)
    pending = []  # (h, undecided (b, K), gaps (b, K, m, k)) left to the linear program
    e = eps[:, None]
    for h in range(len(layout.infosets)):
        u, w, chosen = layout.infoset_arrays(h, q, reach)
        K = len(chosen)
        cols = np.arange(K)
        total = w.sum(axis=-1)
        on = total > 0
        # Bayes' rule where chance and the others reach the set (pbe_solve: expected = mu @ u).
        mu = w / np.where(on, total, 1.0)[..., None]
        expected = np.einsum("bkm,bkma->bka", mu, u)
        ok = np.where(on, ~(expected.max(axis=-1) > expected[:, cols, chosen] + e), True)
        # Free beliefs: some mu on the simplex with gaps[x, a] = u[x, chosen] - u[x, a] >= -eps
        # for every action a (the chosen action's own column is 0 and always passes).
        gaps = u[:, cols, :, chosen].transpose(1, 0, 2)[..., None] - u  # (b, K, m, k)
        m, k = gaps.shape[-2:]
        good = gaps >= -e[..., None, None]
        vertex = good.all(axis=-1).any(axis=-1)  # a belief on one node works
        undecided = None
        if m <= 1 or k <= 2:
            free = vertex  # exact: one node, or one alternative (a linear function peaks at a vertex)
        elif m == 2:
            # mu = (t, 1 - t): every a needs c_a + s_a t >= 0 on [0, 1], c = g_2 + eps, s = g_1 - g_2.
            c = gaps[..., 1, :] + e[..., None]
            s = gaps[..., 0, :] - gaps[..., 1, :]
            with np.errstate(divide="ignore", invalid="ignore"):
                cut = -c / s
            lo = np.maximum(0.0, np.where(s > 0, cut, -np.inf).max(axis=-1))
            hi = np.minimum(1.0, np.where(s < 0, cut, np.inf).min(axis=-1))
            flat = np.where(s == 0, c >= 0, True).all(axis=-1)
            free = vertex | (flat & (lo <= hi))
        else:
            dead = (~good).all(axis=-2).any(axis=-1)  # some action beats the choice at every node
            undecided = ~on & ~vertex & ~dead
            free = vertex | undecided  # decided below, where it still matters
            if undecided.any():
                pending.append((h, undecided, gaps))
        ok &= np.where(on, True, free)
        alive &= ok[:, layout.h_spread[h]]
    if pending:
        cache: dict[tuple, bool] = {}
        for h, undecided, gaps in pending:
            need = undecided[:, layout.h_spread[h]] & alive
            if not need.any():
                continue
            bi, pi = np.nonzero(need)
            ri = layout.h_spread[h][pi]
            fails = np.zeros_like(undecided)
            for bb, r in set(zip(bi.tolist(), ri.tolist())):
                c = int(layout.h_chosen[h][r])
                gap = np.delete(gaps[bb, r].T, c, axis=0)  # pbe_solve's gaps: one row per other action
                key = (gap.tobytes(), float(eps[bb]))
                if key not in cache:
                    cache[key] = _free_belief(gap, float(eps[bb])) is not None
                fails[bb, r] = not cache[key]
            alive &= ~fails[:, layout.h_spread[h]]
    return alive, root


@dataclass(frozen=True, eq=False)
class PBEBatch:
    """What :func:`pbe_batch` finds for ``B`` payoff assignments of one tree.

    Attributes
    ----------
    infosets : tuple of str
        Information sets in the tree's order (``game.infosets``).
    actions : tuple of tuple of str
        Action names of each information set.
    owners : tuple of str
        The player who moves at each information set.
    profiles : int array (P, H)
        Every pure behaviour profile: ``profiles[p, h]`` is the action index at information set
        ``h``, in ``pbe_solve``'s enumeration order.
    mask : bool array (B, P)
        ``mask[b, p]``: profile ``p`` is a pure perfect Bayesian equilibrium at point ``b``
        (``pbe_solve``'s rule, tolerance included, so ties keep every optimal profile).
    equilibria : int array (E, 2)
        The ``(point, profile)`` pairs of ``mask``, point by point, profiles in enumeration order
        (the order of ``pbe_solve``'s list at that point).
    payoffs : array (E, N)
        Expected payoffs of each equilibrium at the root (tree arithmetic).
    terminal_payoffs, chance_probs, tol
        The inputs, kept to rebuild an equilibrium's beliefs (:meth:`assessment`).
    """

    infosets: tuple[str, ...]
    actions: tuple[tuple[str, ...], ...]
    owners: tuple[str, ...]
    profiles: np.ndarray
    mask: np.ndarray
    equilibria: np.ndarray
    payoffs: np.ndarray
    terminal_payoffs: np.ndarray = field(repr=False)
    chance_probs: tuple[np.ndarray, ...] = field(repr=False)
    tol: float = DEFAULT_TOL
    _layout: _Layout = field(default=None, repr=False)

    @property
    def n_equilibria(self) -> np.ndarray:
        """Number of pure PBE at each point ``(B,)``."""
        return self.mask.sum(axis=1)

    def at(self, point: int) -> np.ndarray:
        """Profile indices of the equilibria at ``point``, in enumeration order."""
        return np.flatnonzero(self.mask[point])

    def choices(self, profile: int) -> dict[str, str]:
        """``infoset -> action`` of a profile (``details["choices"]`` of ``pbe_solve``)."""
        return {h: a[int(k)] for h, a, k in zip(self.infosets, self.actions, self.profiles[profile])}

    def behaviour(self, profile: int) -> dict[str, list[float]]:
        """``infoset -> action probabilities`` of a profile (``details["behaviour"]`` of ``pbe_solve``)."""
        return {h: [1.0 if j == k else 0.0 for j in range(len(a))]
                for h, a, k in zip(self.infosets, self.actions, self.profiles[profile])}

    def profile_index(self, choices) -> int:
        """The index of the profile that plays ``choices`` (``infoset -> action name``)."""
        idx = [self.actions[h].index(choices[name]) for h, name in enumerate(self.infosets)]
        return int(np.ravel_multi_index(idx, [len(a) for a in self.actions]))

    def assessment(self, point: int, profile: int) -> dict[str, dict]:
        """The beliefs of profile ``profile`` at ``point``, in the form of ``pbe_solve``'s
        ``details["beliefs"]`` (``{"nodes": {node path: probability}, "status": ...}``, with
        ``"bounds"`` for chosen beliefs; a chosen belief is ``pbe_solve``'s: the largest margin).
        Computed on demand for that one pair, whether or not it is an equilibrium (at an
        information set where no belief works, ``"nodes"`` is ``None``)."""
        lay = self._layout
        pay = self.terminal_payoffs[point:point + 1]
        probs = [p[point:point + 1] for p in self.chance_probs]
        eps = spread_tolerances(pay[0], self.tol)
        q, reach, _ = lay.sweep(pay, probs)
        out = {}
        for h, name in enumerate(self.infosets):
            u, w, chosen = lay.infoset_arrays(h, q, reach)
            r = lay.h_spread[h][profile]
            u, w, c = u[0, r], w[0, r], int(chosen[r])
            xs = lay.members[h]
            labels = [lay.labels[x] for x in xs]
            if w.sum() > 0:
                mu = w / w.sum()
                full = (reach[0, xs] * lay.ok[xs, -1, profile]).sum()
                out[name] = {"nodes": dict(zip(labels, map(float, mu))),
                             "status": ON_PATH if full > 0 else OFF_PATH_BAYES}
                continue
            found = _free_belief(np.delete((u[:, c][:, None] - u).T, c, axis=0), eps)
            if found is None:
                out[name] = {"nodes": None, "status": OFF_PATH_CHOSEN}
                continue
            mu, bounds = found
            out[name] = {"nodes": dict(zip(labels, map(float, mu))), "status": OFF_PATH_CHOSEN,
                         "bounds": {lab: [lo, hi] for lab, (lo, hi) in zip(labels, bounds)}}
        return out


def _chance_batch(layout: _Layout, chance_probs, B: int) -> list[np.ndarray]:
    out = []
    for c, p in enumerate(chance_probs):
        k = layout.chance_sizes[c]
        p = np.asarray(p, dtype=float)
        p = np.broadcast_to(p, (B, k)) if p.ndim == 1 else p
        if p.shape != (B, k) or not np.all(np.isfinite(p)) or np.any(p < 0):
            raise SolverError(f"pbe_batch(): chance_probs of chance node {c} (preorder) must be finite, >= 0 "
                              f"and of shape ({B}, {k}); got shape {p.shape}")
        out.append(p)
    return out


def pbe_batch(game: ExtensiveFormGame, terminal_payoffs, *, chance_probs=None, tol: float = DEFAULT_TOL,
              max_profiles: int = DEFAULT_MAX_PROFILES) -> PBEBatch:
    """Every pure perfect Bayesian equilibrium of one tree at each of ``B`` payoff assignments.

    The batch form of :func:`sim.extensive.pbe.pbe_solve`: the same assessments, found by array
    operations over points and profiles (see the module docstring); ``mask[b]`` is the set of
    profiles ``pbe_solve`` lists for the tree with the payoffs and chance probabilities of point
    ``b`` (Fudenberg and Tirole 1991, ch. 8; Gibbons 1992, ch. 4).

    Parameters
    ----------
    game : ExtensiveFormGame
        Must have perfect recall; its own payoffs and chance probabilities are ignored.
    terminal_payoffs : array, shape (B, T, N)
        Payoffs of the ``T`` terminals in preorder for each of ``B`` points.
    chance_probs : sequence of arrays (B, k) or (k,), optional
        Probabilities of each chance node (preorder) per point; default the tree's own.
    tol : float
        Tolerance of the best-reply comparisons, relative to each point's payoff spread (no
        floor), as in ``pbe_solve``.
    max_profiles : int
        Refuse (``SolverError``) trees with more pure behaviour profiles than this.

    Returns
    -------
    PBEBatch

    Raises
    ------
    SolverError
        For a bad tolerance, payoffs or chance probabilities of the wrong shape or value, or too
        many profiles.
    GameError
        When the game has imperfect recall.

    Examples
    --------
    Beer-quiche (Cho and Kreps 1987) at two priors of the weak type, 0.1 and 0.7. At 0.1 both
    pure PBE pool; at 0.7 a receiver who keeps the prior duels on the path, and no pure
    assessment survives (the game's equilibria there are mixed).

    >>> import numpy as np
    >>> from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
    >>> from sim.extensive.reduced import terminal_table
    >>> def sender(t, like):
    ...     return Decision(0, t, ("beer", "quiche"), tuple(
    ...         Decision(1, m, ("duel", "no_duel"), (
    ...             Terminal(((m == like) + 0.0, 1.0 if t == "weak" else 0.0)),
    ...             Terminal(((m == like) + 2.0, 0.0 if t == "weak" else 1.0))))
    ...         for m in ("beer", "quiche")))
    >>> g = ExtensiveFormGame.from_root(("Sender", "Receiver"), Chance(
    ...     ("weak", "strong"), (0.1, 0.9), (sender("weak", "quiche"), sender("strong", "beer"))))
    >>> pay = np.stack([terminal_table(g)[2]] * 2)
    >>> r = pbe_batch(g, pay, chance_probs=[np.array([[0.1, 0.9], [0.7, 0.3]])])
    >>> r.n_equilibria.tolist()
    [2, 0]
    >>> [r.choices(p) for p in r.at(0)][0]
    {'weak': 'beer', 'beer': 'no_duel', 'quiche': 'duel', 'strong': 'beer'}
    >>> r.assessment(0, r.at(0)[0])["quiche"]["bounds"]["root/weak/quiche"]
    [0.5, 1.0]
    """
    if not isinstance(game, ExtensiveFormGame):
        raise SolverError(f"pbe_batch(): needs an ExtensiveFormGame; got {type(game).__name__}")
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol >= 0):
        raise SolverError(f"pbe_batch(): tol must be a finite non-negative number; got {tol!r}")
    game.require_perfect_recall("pbe_batch()")
    acts = game.infosets
    sizes = [len(a) for _, a in acts.values()]
    count = math.prod(sizes)
    if count > max_profiles:
        raise SolverError(f"pbe_batch(): the game has {count} pure behaviour profiles, more than "
                          f"max_profiles={max_profiles}; pure assessments are enumerated, so only small games are solved")
    pay = np.asarray(terminal_payoffs, dtype=float)
    profiles = np.stack(np.unravel_index(np.arange(count), sizes), axis=1) if sizes else np.zeros((1, 0), int)
    layout = _Layout(game, profiles, sizes)
    N = game.n_players
    if pay.ndim != 3 or pay.shape[1:] != (layout.n_terminals, N):
        raise SolverError(f"pbe_batch(): terminal_payoffs must have shape (B, {layout.n_terminals}, {N}); "
                          f"got {pay.shape}")
    if not np.all(np.isfinite(pay)):
        raise SolverError("pbe_batch(): terminal_payoffs must be finite; got a NaN or infinite entry")
    B = pay.shape[0]
    if chance_probs is None:
        chance_probs = [n.probs for _, n in game.nodes() if isinstance(n, Chance)]
    chance_probs = list(chance_probs)
    if len(chance_probs) != layout.n_chance:
        raise SolverError(f"pbe_batch(): chance_probs needs one array per chance node ({layout.n_chance}); "
                          f"got {len(chance_probs)}")
    probs = _chance_batch(layout, chance_probs, B)
    eps = spread_tolerances(pay.reshape(B, layout.n_terminals * N), tol, batched=True) if B else np.zeros(0)
    mask = np.zeros((B, count), dtype=bool)
    root_pay = []
    step = layout.chunk_size(B)
    for start in range(0, B, step):  # chunks bound memory; each chunk is one set of array operations
        sl = slice(start, start + step)
        alive, root = _check_chunk(layout, pay[sl], [p[sl] for p in probs], eps[sl])
        mask[sl] = alive
        root_pay.append(root[alive])
    eqs = np.argwhere(mask)
    values = np.concatenate(root_pay) if root_pay else np.zeros((0, N))
    return PBEBatch(
        infosets=layout.infosets, actions=layout.actions,
        owners=tuple(game.players[i] for i in layout.owner),
        profiles=readonly(profiles, dtype=np.intp), mask=readonly(mask, dtype=bool),
        equilibria=readonly(eqs.reshape(-1, 2), dtype=np.intp), payoffs=readonly(values.reshape(-1, N)),
        terminal_payoffs=readonly(pay), chance_probs=tuple(readonly(p) for p in probs), tol=float(tol),
        _layout=layout)
