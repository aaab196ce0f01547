"""The sequence form of a two-player tree, and one equilibrium by Lemke's algorithm on it.

A two-player tree with perfect recall is solved on its *sequence form* (Koller, Megiddo and von
Stengel 1996; von Stengel 1996): its size is the tree's (one variable per action of each
information set), not the reduced normal form's (exponential in the tree's depth).

Conventions, stated once:

* Player ``0`` owns the sequences ``x`` and player ``1`` the sequences ``y``. Sequence ``0`` of
  each player is the empty sequence; sequence ``1 + k`` is the ``k``-th of that player's
  ``(information set, action)`` pairs, in the order of :mod:`sim.extensive.behaviour`
  (information sets by first appearance in preorder, actions in order).
* A *realisation plan* ``x`` satisfies ``E x = e, x >= 0``: ``x[0] = 1`` and, at each information
  set, the actions' entries sum to the entry of the sequence that leads there. Row ``0`` of
  ``E`` is the empty sequence's, row ``1 + j`` belongs to the player's ``j``-th information set.
  ``F y = f`` likewise.
* ``A[s, t]`` (``B[s, t]``) is player 0's (1's) payoff summed over the terminals that sequences
  ``s`` and ``t`` lead to, each weighted by chance's probability of reaching it: the expected
  payoffs are ``x @ A @ y`` and ``x @ B @ y``.

Lemke's algorithm (Lemke 1965) runs on the linear complementarity problem of the sequence form
(Koller, Megiddo and von Stengel 1996, section 4): ``x`` is a best response to ``y`` when, with a
free vector ``p`` (one entry per row of ``E``, the value of each information set),
``E^T p - A y >= 0`` holds with complementary slackness against ``x``; ``y`` likewise with
``F^T q - B^T x``. The covering vector is given by a starting pair ``(x0, y0)`` (the uniform
behaviour strategies): the extra variable ``z0`` mixes the opponent's strategy with the
starting one, so ``z0 = 1`` is "each player best-responds to the other's starting strategy" and
``z0 = 0`` an equilibrium. This is the linear tracing procedure on the sequence form (von
Stengel, van den Elzen and Talman 2002; von Stengel 2002, "Computing equilibria for two-person
games", on Lemke's algorithm for the sequence form), whose path never runs into a ray; the lexicographic minimum-ratio test
(columns of the starting basis break ties) keeps degenerate trees from cycling.

Examples
--------
Matching pennies played in turn, the second mover not seeing the first move:

>>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
>>> def leaf(a, b): return Terminal((1.0, -1.0) if a == b else (-1.0, 1.0))
>>> g = ExtensiveFormGame.from_root(("A", "B"), Decision(0, "a", ("H", "T"), tuple(
...     Decision(1, "b", ("H", "T"), (leaf(a, "H"), leaf(a, "T"))) for a in "HT")))
>>> sf = sequence_form(g)
>>> sf.sequences[0], sf.E.tolist(), sf.A.tolist()
(('', 'a:H', 'a:T'), [[1.0, 0.0, 0.0], [-1.0, 1.0, 1.0]], [[0.0, 0.0, 0.0], [0.0, 1.0, -1.0], [0.0, -1.0, 1.0]])
>>> r = seqlcp_solve(g)
>>> eq = r.equilibria[0]
>>> {h: [round(p, 6) for p in v] for h, v in eq.details["behaviour"].items()}, eq.max_regret < 1e-9
({'a': [0.5, 0.5], 'b': [0.5, 0.5]}, True)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from sim._arrays import readonly
from sim.errors import GameError, SolverError
from sim.extensive.behaviour import (CHANCE, DECISION, TERMINAL, FlatTree, InfosetLayout, InfosetValues,
                                     best_response_values, expected_payoffs, flatten, has_reduced_view,
                                     own_sequences, recall_violation)
from sim.extensive.tree import ExtensiveFormGame
from sim.result import Equilibrium, SolverResult

DEFAULT_TOL = 1e-9
#: Largest dense memory :func:`seqlcp_solve` builds for one tree: Lemke's tableau (rows
#: ``n0 + n1 + k0 + k1``, columns ``2 (n0 + n1) + k0 + k1 + 2``) plus the payoff matrices ``A``,
#: ``B`` and the weights ``W`` (``n0 x n1`` each), in float64 bytes. Both grow with the square of
#: the tree's size (about 60 MB at 1,024 leaves); a larger tree is refused, not swapped.
MAX_DENSE_BYTES = 2**30


def dense_bytes(flat: FlatTree) -> int:
    """Bytes of the dense sequence form and Lemke tableau of a two-player ``flat`` tree
    (see :data:`MAX_DENSE_BYTES`), counted from its information sets without building them."""
    n = [1 + int(flat.n_actions[flat.infoset_player == i].sum()) for i in range(2)]
    k = [1 + int(np.count_nonzero(flat.infoset_player == i)) for i in range(2)]
    rows, cols = sum(n) + sum(k), 2 * sum(n) + sum(k) + 2
    return 8 * (rows * cols + 3 * n[0] * n[1])


@dataclass(frozen=True, eq=False)
class SequenceForm:
    """The sequence form of a two-player tree with perfect recall (see the module docstring).

    Attributes
    ----------
    players : tuple of str
    sequences : tuple of two tuples of str
        Each player's sequences by name: ``""`` for the empty one, else ``"infoset:action"``.
    infosets : tuple of two int arrays
        Each player's information sets (indices into the flat tree's ``infoset_names``), in the
        order of the rows ``1..`` of ``E`` and ``F``.
    parent : tuple of two int arrays
        For each of those information sets, the player's sequence that leads to it.
    flat_index : tuple of two int arrays
        For each sequence but the empty one, its index in the flat tree's behaviour vector.
    E, e, F, f : read-only arrays
        Constraints ``E x = e`` and ``F y = f`` of realisation plans.
    A, B : read-only arrays (n0, n1)
        Payoff matrices, chance probabilities folded in.
    W : read-only array (n0, n1)
        Chance's probability of the terminals each pair of sequences leads to (``A`` and ``B``
        of a game paying 1 everywhere): shifting a player's terminal payoffs by ``c`` adds
        ``c * W`` to that player's matrix.
    """

    players: tuple[str, ...]
    sequences: tuple[tuple[str, ...], tuple[str, ...]]
    infosets: tuple[np.ndarray, np.ndarray]
    parent: tuple[np.ndarray, np.ndarray]
    flat_index: tuple[np.ndarray, np.ndarray]
    E: np.ndarray
    e: np.ndarray
    F: np.ndarray
    f: np.ndarray
    A: np.ndarray
    B: np.ndarray
    W: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        """Number of sequences of each player, ``(n0, n1)``."""
        return self.A.shape

    def constraints(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """``(E, e)`` for player 0, ``(F, f)`` for player 1."""
        return (self.E, self.e) if i == 0 else (self.F, self.f)

    def plan(self, flat: FlatTree, seq: np.ndarray, i: int) -> np.ndarray:
        """Player ``i``'s realisation plan of a flat behaviour profile ``seq`` (Kuhn 1953)."""
        n = len(self.sequences[i])
        out = np.ones(n)
        for j, (h, par) in enumerate(zip(self.infosets[i].tolist(), self.parent[i].tolist())):
            a, k = int(flat.seq_start[h]), int(flat.n_actions[h])
            start = 1 + int(np.searchsorted(self.flat_index[i], a))
            out[start:start + k] = out[par] * seq[a:a + k]
        return out

    def behaviour(self, flat: FlatTree, plans) -> tuple[np.ndarray, np.ndarray]:
        """A flat behaviour profile realising the plans ``(x, y)``, and which information sets the
        plans leave unreached (their owner's own earlier moves avoid them).

        At a reached information set each action's probability is its sequence's value over the
        value of the sequence leading there; at an unreached one the behaviour is uniform (no
        behaviour there changes anyone's payoff).
        """
        seq = np.zeros(flat.n_sequences)
        unreached = np.zeros(len(flat.infoset_names), dtype=bool)
        for i, x in enumerate(plans):
            x = np.clip(np.asarray(x, dtype=float), 0.0, None)
            for j, (h, par) in enumerate(zip(self.infosets[i].tolist(), self.parent[i].tolist())):
                a, k = int(flat.seq_start[h]), int(flat.n_actions[h])
                local = x[1 + int(np.searchsorted(self.flat_index[i], a)):][:k]
                total = local.sum()
                if x[par] <= 1e-12 or total <= 0:
                    unreached[h] = True
                    seq[a:a + k] = 1.0 / k
                else:
                    seq[a:a + k] = local / total
        return seq, unreached


def _check_two_player_tree(game, fn: str) -> FlatTree:
    if not isinstance(game, ExtensiveFormGame):
        raise SolverError(f"{fn}: needs an ExtensiveFormGame; got {type(game).__name__}")
    if game.n_players != 2:
        raise SolverError(f"{fn}: the sequence form applies to 2-player trees; this tree has {game.n_players} players")
    flat = flatten(game)
    bad = recall_violation(flat)
    if bad is not None:
        raise GameError(f"{fn}: needs a tree with perfect recall; information set {flat.infoset_names[bad]!r} of "
                        f"{game.players[flat.infoset_player[bad]]!r} is reached after different own histories")
    return flat


def sequence_form(game: ExtensiveFormGame, flat: FlatTree | None = None) -> SequenceForm:
    """The sequence form of a two-player tree with perfect recall (von Stengel 1996).

    Raises
    ------
    SolverError
        For a tree without two players.
    GameError
        For a tree without perfect recall.
    """
    if flat is None:
        flat = _check_two_player_tree(game, "sequence_form()")
    names, parents, flat_idx, Es, es, last_local = [], [], [], [], [], []
    dec = np.flatnonzero(flat.kind == DECISION)
    for i in range(2):
        hs = np.flatnonzero(flat.infoset_player == i)
        k = flat.n_actions[hs]
        glob = (np.repeat(flat.seq_start[hs] - np.cumsum(k) + k, k) + np.arange(k.sum())).astype(np.int64)
        local = np.zeros(flat.n_sequences + 1, dtype=np.int64)  # global seq + 1 -> local (0 = empty)
        local[glob + 1] = np.arange(1, len(glob) + 1)
        last = own_sequences(flat, i)
        mine = dec[flat.player[dec] == i]
        node_of = np.zeros(len(flat.infoset_names), dtype=np.int64)
        node_of[flat.infoset[mine]] = mine
        par = local[last[node_of[hs]] + 1]
        n = 1 + len(glob)
        E = np.zeros((1 + len(hs), n))
        E[0, 0] = 1.0
        rows = np.repeat(np.arange(1, 1 + len(hs)), k)
        E[rows, np.arange(1, n)] = 1.0
        E[np.arange(1, 1 + len(hs)), par] -= 1.0
        e = np.zeros(1 + len(hs))
        e[0] = 1.0
        label = [""] + [f"{flat.infoset_names[h]}:{a}" for h in hs.tolist() for a in flat.infoset_actions[h]]
        names.append(tuple(label))
        parents.append(readonly(par, dtype=None))
        flat_idx.append(readonly(glob, dtype=None))
        Es.append(readonly(E))
        es.append(readonly(e))
        last_local.append(local[last + 1])
    term = np.flatnonzero(flat.kind == TERMINAL)
    chance_edge = np.ones(flat.n_nodes)
    if flat.n_nodes > 1:
        kids = np.arange(1, flat.n_nodes)
        from_chance = kids[flat.kind[flat.parent[kids]] == CHANCE]
        chance_edge[from_chance] = flat.edge[from_chance]
    w = flat.reach(chance_edge)[term]
    shape = (len(names[0]), len(names[1]))
    A, B, W = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    s, t = last_local[0][term], last_local[1][term]
    np.add.at(A, (s, t), w * flat.payoffs[term, 0])
    np.add.at(B, (s, t), w * flat.payoffs[term, 1])
    np.add.at(W, (s, t), w)
    infosets = tuple(readonly(np.flatnonzero(flat.infoset_player == i), dtype=None) for i in range(2))
    return SequenceForm(tuple(game.players), tuple(names), infosets, tuple(parents), tuple(flat_idx),
                        Es[0], es[0], Es[1], es[1], readonly(A), readonly(B), readonly(W))


def _start_plan(E: np.ndarray, parent: np.ndarray, payoff: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A pure best response (one action at *every* information set, reached or not) against
    ``payoff`` (one entry per own sequence), by backward induction over the player's information
    sets: the chosen sequences, and the realisation plan they make."""
    n = E.shape[1]
    value = payoff.astype(float).copy()
    groups = [np.flatnonzero(E[1 + j, 1:] > 0) + 1 for j in range(len(parent))]
    choice = np.zeros(len(parent), dtype=np.int64)
    for j in range(len(parent) - 1, -1, -1):  # preorder of first appearance: children come later
        seqs = groups[j]
        best = seqs[int(np.argmax(value[seqs]))]
        choice[j] = best
        value[parent[j]] += value[best]
    x = np.zeros(n)
    x[0] = 1.0
    for j in range(len(parent)):
        x[choice[j]] = x[parent[j]]
    return choice, x


def _uniform_plan(E: np.ndarray, parent: np.ndarray, skew: bool = False) -> np.ndarray:
    """The realisation plan of the uniform behaviour strategy; with ``skew``, of the completely
    mixed one playing the ``k`` actions of each information set with weights ``1, 2, ..., k``
    (another start for the tracing procedure, away from the uniform one's ties)."""
    x = np.zeros(E.shape[1])
    x[0] = 1.0
    for j in range(len(parent)):
        seqs = np.flatnonzero(E[1 + j, 1:] > 0) + 1
        w = np.arange(1.0, len(seqs) + 1) if skew else np.ones(len(seqs))
        x[seqs] = x[parent[j]] * w / w.sum()
    return x


class _RayError(SolverError):
    """Lemke's path on the sequence form ended in a ray instead of an equilibrium."""


def _gauss_jordan(M: np.ndarray, basis: list) -> tuple[np.ndarray, np.ndarray]:
    """The tableau ``M`` solved for the variables ``basis`` (one Gauss-Jordan pivot per column,
    largest entry among the rows not yet assigned), and the variable of each row.

    Pivots touch only the rows with a nonzero in the pivot column, so the sparse sequence-form
    tableau costs far less than a dense solve (and calls no multithreaded BLAS)."""
    T = M.copy()
    R = T.shape[0]
    row_var = np.full(R, -1, dtype=np.int64)
    free = np.ones(R, dtype=bool)
    for b in basis:
        col = np.abs(T[:, b]) * free
        row = int(np.argmax(col))
        if col[row] <= 1e-12:
            raise SolverError("seqlcp_solve(): the starting basis is singular (internal error)")
        _pivot(T, row, b)
        row_var[row] = b
        free[row] = False
    return T, row_var


def _lex_min_ratio(T, col, rows_ok, lex_cols, tol, prefer: int = -1) -> int | None:
    """Row of the lexicographic minimum-ratio test for the entering column ``col`` (None: a ray).

    Ties in ``rhs / a`` are broken by the columns of the starting basis, divided by the same
    pivot entries; those rows of the basis inverse are independent, so one row survives
    (the rule :func:`sim.solvers.mixed.lcp_solve` uses, von Stengel 2007, section 3.7, here on the
    sequence-form tableau; every starting basic variable counts, free ones too, so that the rows
    compared stay independent). When the artificial ``z0`` ties for leaving, it leaves: the path
    ends there.
    """
    a = T[:, col]
    rows = np.flatnonzero(rows_ok & (a > tol))
    if rows.size == 0:
        return None
    ratios = T[rows, -1] / a[rows]
    best = ratios.min()
    rows = rows[ratios <= best + tol * max(1.0, abs(best))]
    if prefer in rows:  # z0 may leave: the path ends here (the usual rule for Lemke's algorithm)
        return int(prefer)
    if rows.size > 1:
        L = T[np.ix_(rows, lex_cols)] / a[rows, None]
        while rows.size > 1:
            differ = np.flatnonzero(np.ptp(L, axis=0) > tol)
            if differ.size == 0:
                break
            v = L[:, differ[0]]
            keep = v <= v.min() + tol
            rows, L = rows[keep], L[keep]
    return int(rows[0])


def _pivot(T: np.ndarray, row: int, col: int) -> None:
    T[row] /= T[row, col]
    factor = T[:, col].copy()
    factor[row] = 0.0
    nz = np.flatnonzero(factor)
    if not nz.size:
        return
    cols = np.flatnonzero(T[row])  # the tableau is sparse: touch only the entries that change
    if nz.size * cols.size > T.size // 4:
        T -= np.outer(factor, T[row])
    else:
        T[np.ix_(nz, cols)] -= np.outer(factor[nz], T[row, cols])


def sequence_lemke(sf: SequenceForm, max_pivots: int | None = None, tol: float = DEFAULT_TOL, skew: bool = False):
    """Realisation plans ``(x, y)`` of one equilibrium of the sequence form, and the path length.

    Lemke's algorithm with the covering vector of the uniform starting pair (see the module
    docstring; ``skew`` starts from the skewed pair of :func:`_uniform_plan` instead). Payoffs are first mapped onto ``[1, 2]`` per player (a positive affine map,
    which leaves the equilibria unchanged and the tableau well scaled).

    The tableau holds every variable: columns ``w_x (n0), w_y (n1), x (n0), y (n1), p (k0),
    q (k1), z0``, then the right-hand side; rows ``n0 + n1`` complementarity rows, then the
    ``k0 + k1`` equality rows. ``p`` and ``q`` are free: they stay basic and their rows take no
    part in the ratio test.
    """
    A, B, E, F = np.asarray(sf.A, float), np.asarray(sf.B, float), np.asarray(sf.E, float), np.asarray(sf.F, float)
    n0, n1 = A.shape
    k0, k1 = E.shape[0], F.shape[0]
    if max_pivots is None:
        max_pivots = 50 * (n0 + n1) + 1000

    # Each terminal payoff u becomes (u - lo) / spread + 1: the matrix becomes (M - lo W) / spread + W.
    W = np.asarray(sf.W, float)
    A, B = _unit(A, W), _unit(B, W)
    x0, y0 = _uniform_plan(E, sf.parent[0], skew), _uniform_plan(F, sf.parent[1], skew)
    S, _ = _start_plan(E, sf.parent[0], A @ y0)
    T_, _ = _start_plan(F, sf.parent[1], B.T @ x0)
    R = n0 + n1 + k0 + k1
    V = 2 * (n0 + n1) + k0 + k1 + 1
    cw, cx, cp = 0, n0 + n1, 2 * (n0 + n1)
    cz = V - 1
    M = np.zeros((R, V + 1))
    # w_x - E^T p + A y + z0 A y0 = 0 ;  w_y - F^T q + B^T x + z0 B^T x0 = 0
    M[:n0, cw:cw + n0] = np.eye(n0)
    M[n0:n0 + n1, cw + n0:cw + n0 + n1] = np.eye(n1)
    M[:n0, cx + n0:cx + n0 + n1] = A
    M[n0:n0 + n1, cx:cx + n0] = B.T
    M[:n0, cp:cp + k0] = -E.T
    M[n0:n0 + n1, cp + k0:cp + k0 + k1] = -F.T
    M[:n0, cz] = A @ y0
    M[n0:n0 + n1, cz] = B.T @ x0
    # E x + z0 e = e ;  F y + z0 f = f
    M[n0 + n1:n0 + n1 + k0, cx:cx + n0] = E
    M[n0 + n1 + k0:, cx + n0:cx + n0 + n1] = F
    M[n0 + n1:n0 + n1 + k0, cz] = sf.e
    M[n0 + n1 + k0:, cz] = sf.f
    M[n0 + n1:n0 + n1 + k0, -1] = sf.e
    M[n0 + n1 + k0:, -1] = sf.f
    in_S = np.zeros(n0, dtype=bool)
    in_S[S] = True
    in_T = np.zeros(n1, dtype=bool)
    in_T[T_] = True
    basis = ([cz] + list(range(cp, cp + k0 + k1)) + [cx + s for s in S.tolist()] + [cx + n0] + [cx + n0 + t for t in T_.tolist()]
             + [cw + s for s in np.flatnonzero(~np.r_[True, in_S[1:]]).tolist()]
             + [cw + n0 + t for t in np.flatnonzero(~np.r_[True, in_T[1:]]).tolist()])
    # The empty sequences: y_0 is basic with w_y0 not, and (x_0, w_x0) is the missing pair, both
    # nonbasic (x_0 = 0, z0 = 1 by the first equality row).
    if len(basis) != R:
        raise SolverError("seqlcp_solve(): the starting basis has the wrong size (internal error)")
    # Unit columns first, the dense ones (z0, p, q) last: less fill-in.
    T, row_var = _gauss_jordan(M, [b for b in basis if b < cp] + [b for b in basis if b >= cp][::-1])
    free = (row_var >= cp) & (row_var < cz)
    if T[~free, -1].min(initial=0.0) < -1e-7:
        raise SolverError("seqlcp_solve(): the starting basis is infeasible (internal error)")
    rows_ok = ~free
    # Every starting basic variable breaks ties (free ones too: the rows compared stay independent),
    # slacks w first, then x and y, z0, and the free p and q last: the rule perturbs the payoffs
    # (each slack's row) before the plan constraints. With z0 or p first, the perturbed path can
    # climb back to z0 = 1 on a degenerate tree (many pairs of sequences reach no leaf); x_0 then
    # leaves and w_x0 enters on a ray (p_0 grows alone), an end the path cannot avoid once there.
    lex_cols = np.array([b for b in basis if b < cx] + [b for b in basis if cx <= b < cp] + [cz]
                        + [b for b in basis if cp <= b < cz], dtype=np.int64)

    def complement(v: int) -> int:
        return v + (n0 + n1) if v < n0 + n1 else v - (n0 + n1)

    entering = cx  # x of the empty sequence: z0 = 1 - x_0 starts to fall
    pivots = 0
    while True:
        if pivots >= max_pivots:
            raise SolverError(f"seqlcp_solve(): no equilibrium within max_pivots={max_pivots} pivots")
        row = _lex_min_ratio(T, entering, rows_ok, lex_cols, tol, int(np.flatnonzero(row_var == cz)[0]))
        if row is None:
            raise _RayError("seqlcp_solve(): Lemke's path ran into a ray (round-off or a degenerate tree)")
        leaving = int(row_var[row])
        _pivot(T, row, entering)
        row_var[row] = entering
        pivots += 1
        if leaving == cz:
            break
        entering = complement(leaving)

    values = np.zeros(V)
    values[row_var] = T[:, -1]
    x = np.clip(values[cx:cx + n0], 0.0, None)
    y = np.clip(values[cx + n0:cx + n0 + n1], 0.0, None)
    return x, y, pivots


def _unit(M: np.ndarray, W: np.ndarray) -> np.ndarray:
    """``M`` with its entries' payoffs (``M / W`` where chance reaches) mapped onto ``[1, 2]``."""
    on = W > 0
    vals = M[on] / W[on] if on.any() else np.zeros(1)
    lo, hi = float(vals.min()), float(vals.max())
    spread = hi - lo if hi > lo else 1.0
    return (M - lo * W) / spread + W


def plan_equilibrium(game: ExtensiveFormGame, flat: FlatTree, sf: SequenceForm, plans, nf=None,
                     **extra) -> Equilibrium:
    """The certified :class:`Equilibrium` of a pair of realisation plans ``(x, y)`` of ``game``.

    The plans become a behaviour profile (:meth:`SequenceForm.behaviour`: uniform where the
    owner's own moves avoid an information set); the regret is measured on the tree, and also on
    the reduced normal form ``nf`` when it is given (the equilibrium's ``game`` is then ``nf``).
    ``details`` hold ``behaviour``, ``choices``, ``plan``, ``path``, ``plans`` (player ->
    {sequence: realisation probability}, positive entries), ``unreached``, ``regret_by_player``
    and the ``extra`` entries.
    """
    from sim.extensive.spe import equilibrium_path

    x, y = plans
    seq, unreached = sf.behaviour(flat, (x, y))
    players = game.players
    layout = InfosetLayout(flat, players)
    ro = readonly(seq)
    every = np.arange(len(flat.infoset_names))
    behaviour = InfosetValues(layout, ro, every, "array")
    payoffs = expected_payoffs(flat, seq)
    by_player = np.maximum(0.0, best_response_values(flat, seq) - payoffs)
    owner = np.repeat(every, flat.n_actions)
    mine = [np.flatnonzero(flat.infoset_player == i) for i in range(2)]
    details = dict(behaviour=InfosetValues(layout, ro, every, "list"),
                   choices=InfosetValues(layout, ro, owner[np.flatnonzero(seq > 1 - 1e-12)], "choice"),
                   plan={p: InfosetValues(layout, ro, rows, "plan") for p, rows in zip(players, mine)},
                   path=equilibrium_path(game, behaviour),
                   plans={p: {s: float(v) for s, v in zip(sf.sequences[i], plan) if v > 1e-12}
                          for i, (p, plan) in enumerate(zip(players, (x, y)))},
                   unreached=[flat.infoset_names[h] for h in np.flatnonzero(unreached).tolist()],
                   regret_by_player={pl: float(r) for pl, r in zip(players, by_player)},
                   **extra)
    if nf is not None:
        from sim.extensive.reduced import mixed_from_behaviour

        eq = Equilibrium.certify(nf, mixed_from_behaviour(game, behaviour), **details)
        return dataclasses.replace(eq, behaviour=behaviour)
    return Equilibrium((), readonly(payoffs), (), float(by_player.max(initial=0.0)), None,
                       MappingProxyType(details), behaviour)


def seqlcp_solve(game: ExtensiveFormGame, max_pivots: int | None = None, tol: float = DEFAULT_TOL) -> SolverResult:
    """One Nash equilibrium of a two-player tree by Lemke's algorithm on its sequence form.

    Koller, Megiddo and von Stengel (1996); the covering vector is that of the linear tracing
    procedure from the uniform behaviour strategies (von Stengel, van den Elzen and Talman 2002),
    with the lexicographic minimum-ratio test against degeneracy. The cost grows with the tree's
    size (its number of sequences), not its reduced normal form's. Gambit calls the same method
    ``lcp`` with ``use_strategic=False``.

    Parameters
    ----------
    game : ExtensiveFormGame
        Two players, perfect recall; chance moves allowed.
    max_pivots : int, optional
        Safety bound on the path length (default ``50 * (n0 + n1) + 1000``).
    tol : float
        Pivot and tie tolerance (payoffs are mapped onto ``[1, 2]`` first).

    Returns
    -------
    SolverResult
        Method ``"seqlcp"`` with one equilibrium. Its ``behaviour`` is ``infoset ->
        probabilities``; ``details`` hold ``behaviour``, ``choices``, ``plan`` and ``path`` as
        for :func:`sim.extensive.spe.spe_solve`, ``plans`` (player -> {sequence:
        realisation probability}, positive entries), ``unreached`` (information sets the
        owner's own moves avoid: any behaviour there is an equilibrium, uniform is reported),
        ``regret_by_player`` (measured on the tree) and ``pivots``. Should the path end in a
        ray (it should not: see the tie-breaking rule in :func:`sequence_lemke`; round-off
        remains possible), the path from a skewed completely mixed start is followed, and if that
        fails too, :func:`sim.solvers.mixed.lcp_solve`'s equilibrium of the reduced normal form is
        returned where that form is small enough to build; ``details["fallback"]`` (result and
        equilibrium) then says which. Where the reduced normal
        form is small enough to build (:func:`sim.extensive.behaviour.has_reduced_view`) the
        result's ``game`` is it and the equilibrium is also certified there; otherwise ``game``
        is the tree and ``max_regret`` is measured on the tree.

    Raises
    ------
    SolverError
        For a tree without two players, a bad option, a path longer than ``max_pivots``, a
        tree whose dense tableau would exceed :data:`MAX_DENSE_BYTES` (see :func:`dense_bytes`),
        or (never seen) paths ending in rays from both starts on a tree whose reduced normal form
        is too large to fall back on.
    GameError
        For a tree without perfect recall.

    Examples
    --------
    Selten's entry game: the path ends at entry and accommodation.

    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> g = ExtensiveFormGame.from_root(("Entrant", "Incumbent"), Decision(0, "E", ("out", "in"), (
    ...     Terminal((0.0, 2.0)),
    ...     Decision(1, "I", ("fight", "accommodate"), (Terminal((-1.0, -1.0)), Terminal((1.0, 1.0)))))))
    >>> eq = seqlcp_solve(g).equilibria[0]
    >>> dict(eq.details["plans"]["Entrant"]), eq.max_regret
    ({'': 1.0, 'E:in': 1.0}, 0.0)
    """
    fn = "seqlcp_solve()"
    if max_pivots is not None and (isinstance(max_pivots, bool) or not isinstance(max_pivots, (int, np.integer))
                                   or max_pivots < 1):
        raise SolverError(f"{fn}: max_pivots must be a positive integer or None; got {max_pivots!r}")
    if not isinstance(tol, (int, float)) or isinstance(tol, bool) or not 0 <= tol < 1e-3:
        raise SolverError(f"{fn}: tol must be a number in [0, 0.001); got {tol!r}")
    flat = _check_two_player_tree(game, fn)
    need = dense_bytes(flat)
    if need > MAX_DENSE_BYTES:
        raise SolverError(f"{fn}: the dense sequence form of this tree needs {need / 2**30:.1f} GiB, more than "
                          f"MAX_DENSE_BYTES={MAX_DENSE_BYTES / 2**30:.0f} GiB (it grows with the square of the "
                          f"tree's size); solve a smaller tree, or use spe on a perfect-information tree")
    sf = sequence_form(game, flat)
    if max_pivots is None:
        max_pivots = 50 * sum(sf.shape) + 1000
    players = game.players
    nf = game.reduced_normal_form() if has_reduced_view(flat) else None
    fallback = None
    try:
        x, y, pivots = sequence_lemke(sf, max_pivots, tol)
    except _RayError:
        try:  # the tracing procedure from another completely mixed start (any one is valid)
            x, y, pivots = sequence_lemke(sf, max_pivots, tol, skew=True)
            fallback = ("the path from the uniform start ended in a ray; this equilibrium is the end of the "
                        "path from the skewed start (weights 1, 2, ..., k at each information set)")
        except _RayError:
            if nf is None:
                raise SolverError(f"{fn}: Lemke's path on the sequence form ended in a ray from the uniform and from a "
                                  f"skewed start (round-off on a degenerate tree), and the reduced normal form is "
                                  f"too large to fall back on; use seqenum") from None
            from sim.extensive.reduced import behaviour_from_mixed
            from sim.solvers.mixed import lcp_solve

            seq = flat.sequences(behaviour_from_mixed(game, lcp_solve(nf).equilibria[0].profile))
            x, y, pivots = sf.plan(flat, seq, 0), sf.plan(flat, seq, 1), 0
            fallback = ("the paths from the uniform and skewed starts ended in rays; this equilibrium is lcp's "
                        "(Lemke-Howson) on the reduced normal form")
    extra = {"fallback": fallback} if fallback else {}
    eq = plan_equilibrium(game, flat, sf, (x, y), nf, pivots=pivots, **extra)
    return SolverResult("seqlcp", nf if nf is not None else game, (eq,),
                        {"max_pivots": int(max_pivots), "tol": tol}, complete=True,
                        details={"pivots": pivots, "sequences": {p: len(s) for p, s in zip(players, sf.sequences)},
                                 "reduced_form": nf is not None, **extra,
                                 "infosets": InfosetLayout(flat, players).infosets()})



__all__ = ["MAX_DENSE_BYTES", "SequenceForm", "dense_bytes", "plan_equilibrium", "seqlcp_solve", "sequence_form",
           "sequence_lemke"]
