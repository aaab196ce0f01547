"""Every extreme equilibrium of a two-player tree, by vertex enumeration on its sequence form.

The sequence form (:mod:`sim.extensive.sequence`) has one variable per sequence of each player, so
the cost is set by the tree's size, not by its reduced normal form's. The method pairs the
vertices of two polyhedra, as vertex enumeration does on a bimatrix game (von Stengel 2002,
section 7; von Stengel 2007, section 3.11, "Equilibrium computation for two-player games in
strategic and extensive form"): with ``A, B, E, e, F, f`` of :class:`SequenceForm`,

* ``P = {(x, q) : E x = e, x >= 0, F^T q - B^T x >= 0}``: a realisation plan ``x`` of player 0
  with ``q``, one value per information set of player 1 (and one for the root), bounding player
  1's payoff from each sequence;
* ``Q = {(y, p) : F y = f, y >= 0, E^T p - A y >= 0}``: the same with the players swapped.

Labels ``0 .. n0 - 1`` name player 0's sequences and ``n0 .. n0 + n1 - 1`` player 1's. In ``P``
label ``s < n0`` is ``x_s = 0`` and label ``n0 + t`` is "row ``t`` of ``F^T q - B^T x`` is
tight" (sequence ``t`` earns its bound); in ``Q`` label ``s`` is "row ``s`` of ``E^T p - A y``
is tight" and ``n0 + t`` is ``y_t = 0``. A pair of points is a Nash equilibrium exactly when
every label is tight at one of them (complementary slackness of each player's best-response
linear programme, Koller, Megiddo and von Stengel 1996, section 4), and the *extreme* equilibria
are the complementary pairs of vertices. ``E x = e`` forces ``x_0 = 1``, so there is no
artificial pair to drop.

Both polyhedra are unbounded (raising the root value ``q_0`` loosens a row) but pointed (``F``
has full row rank), and a ray changes only ``q`` (or ``p``): every equilibrium plan is a convex
combination of vertex plans of one face, so the vertices say everything about the plans.
The converse does not always hold on a degenerate tree: a vertex ``(x, q)`` may have a plan ``x``
that is a convex combination of other vertices' plans; such pairs are listed too (not pruned).

Vertices are enumerated by pivoting (Avis and Fukuda 1992) over the lexicographically feasible
bases of each polyhedron, the free values ``q`` (``p``) always basic, from the basis of a pure
plan and the opponent's backward-induction values: the sequence form is highly degenerate (a plan
that avoids an information set zeroes every sequence below it at once), and the lexicographic
perturbation visits a degenerate vertex through a few of its bases rather than all. Each basis is
solved afresh from the original matrix (no round-off carried from pivot to pivot). A
vertex is identified by its label set (at a vertex the tight rows fix the point). Payoffs are
first mapped onto ``[1, 2]`` per player, so that one tolerance means the same on every tree.

Conventions of axes and sequences are those of :mod:`sim.extensive.sequence`.

References
----------
D. Koller, N. Megiddo and B. von Stengel (1996), "Efficient computation of equilibria for
extensive two-person games", Games Econ. Behav. 14, 247-259.
B. von Stengel (1996), "Efficient computation of behavior strategies", Games Econ. Behav. 14,
220-246.
B. von Stengel (2002), "Computing equilibria for two-person games", chapter 45 of Aumann and
Hart (eds.), Handbook of Game Theory, vol. 3.
C. Audet, S. Belhaiza and P. Hansen (2009), "A new sequence form approach for the enumeration
and refinement of all extreme Nash equilibria for extensive form games", Int. Game Theory Rev.
11, 437-451.
D. Avis and K. Fukuda (1992), "A pivoting algorithm for convex hulls and vertex enumeration of
arrangements and polyhedra", Discrete Comput. Geom. 8, 295-313.
"""

from __future__ import annotations

import numpy as np

from sim.errors import SolverError
from sim.extensive.behaviour import has_reduced_view
from sim.extensive.sequence import (SequenceForm, _check_two_player_tree, _lex_min_ratio, _start_plan, _unit,
                                    plan_equilibrium, sequence_form)
from sim.extensive.tree import ExtensiveFormGame
from sim.result import SolverResult

DEFAULT_TOL = 1e-9
#: Most lexicographically feasible bases one polyhedron may have before ``seqenum_solve``
#: refuses (a degenerate tree has several per vertex).
MAX_BASES = 200_000


def _polyhedra(sf: SequenceForm):
    """The systems ``M z = rhs`` of ``P`` and ``Q`` (see the module docstring), payoffs on ``[1, 2]``.

    Columns of ``P``: ``x (n0), s (n1), q (k1)`` with ``s = F^T q - B^T x``; rows ``E x = e``
    then ``B^T x + s - F^T q = 0``. Columns of ``Q``: ``r (n0), y (n1), p (k0)`` with
    ``r = E^T p - A y``; rows ``F y = f`` then ``A y + r - E^T p = 0``. The first ``n0 + n1``
    columns of each are its nonnegative variables, column index == label; the rest are free.
    """
    W = np.asarray(sf.W, float)
    A, B = _unit(np.asarray(sf.A, float), W), _unit(np.asarray(sf.B, float), W)
    E, F = np.asarray(sf.E, float), np.asarray(sf.F, float)
    n0, n1 = A.shape
    k0, k1 = E.shape[0], F.shape[0]
    MP = np.zeros((k0 + n1, n0 + n1 + k1))
    MP[:k0, :n0] = E
    MP[k0:, :n0] = B.T
    MP[k0:, n0:n0 + n1] = np.eye(n1)
    MP[k0:, n0 + n1:] = -F.T
    hP = np.concatenate([np.asarray(sf.e, float), np.zeros(n1)])
    MQ = np.zeros((k1 + n0, n0 + n1 + k0))
    MQ[:k1, n0:n0 + n1] = F
    MQ[k1:, n0:n0 + n1] = A
    MQ[k1:, :n0] = np.eye(n0)
    MQ[k1:, n0 + n1:] = -E.T
    hQ = np.concatenate([np.asarray(sf.f, float), np.zeros(n0)])
    return (A, B, E, F), (MP, hP), (MQ, hQ)


def _start_basis(own_E, own_parent, opp_F, opp_parent, opp_payoff, own_offset: int, opp_offset: int,
                 free_offset: int, n_free: int) -> list[int]:
    """A feasible basis: a pure plan of the owner (one action at every information set, reached
    or not), the free values all basic, and the slacks of the opponent's sequences that are not
    its backward-induction best responses against that plan."""
    choice, x = _start_plan(own_E, own_parent, np.zeros(own_E.shape[1]))
    best, _ = _start_plan(opp_F, opp_parent, opp_payoff(x))
    tight = np.zeros(opp_F.shape[1], dtype=bool)
    tight[0] = True
    tight[best] = True
    return ([own_offset] + [own_offset + int(c) for c in choice]
            + [opp_offset + int(t) for t in np.flatnonzero(~tight)]
            + list(range(free_offset, free_offset + n_free)))


def _enumerate(M: np.ndarray, h: np.ndarray, n_labels: int, basis: list[int], tol: float, max_bases: int,
               who: str):
    """Every vertex of ``{z : M z = h, z[:n_labels] >= 0}`` (the rest free) by a depth-first
    search over the lexicographically feasible bases reachable from ``basis``.

    The right-hand side is perturbed lexicographically along the columns of the starting basis
    (the usual rule, von Stengel 2007, section 3.7; Avis's lrs): the perturbed polyhedron is
    simple, its vertices are the lexicographically feasible bases, each edge is one pivot with
    the lexicographic minimum-ratio test, and its vertex graph is connected. Each vertex of the
    original polyhedron is the limit of at least one of them, so every vertex is reached, while a
    degenerate vertex is visited through a few of its bases, not all. Returns ``(points, labels,
    n_bases)``: one row of ``points`` and one boolean label row (the nonnegative variables at
    zero) per distinct vertex, and the number of bases visited.
    """
    R, V = M.shape
    lex_cols = np.array(basis, dtype=np.int64)
    seen = {tuple(sorted(basis))}
    stack = [list(basis)]
    points, keys, labels = [], set(), []
    free_col = np.zeros(V, dtype=bool)
    free_col[n_labels:] = True
    full = np.column_stack([M, h])
    while stack:
        basis = stack.pop()
        try:
            T = np.linalg.solve(M[:, basis], full)
        except np.linalg.LinAlgError:
            continue  # a basis made singular by round-off: its vertex is reached from another basis
        bvar = np.asarray(basis)
        z = np.zeros(V)
        z[bvar] = T[:, -1]
        if z[:n_labels].min(initial=0.0) < -1e-7:
            continue  # infeasible by round-off: not a vertex
        tight = np.abs(z[:n_labels]) <= tol
        key = np.packbits(tight).tobytes()
        if key not in keys:
            keys.add(key)
            points.append(z)
            labels.append(tight)
        bounded_row = bvar < n_labels  # rows of free variables take no part in the ratio test
        in_basis = np.zeros(V, dtype=bool)
        in_basis[bvar] = True
        for col in np.flatnonzero(~in_basis & ~free_col).tolist():
            row = _lex_min_ratio(T, col, bounded_row, lex_cols, tol)
            if row is None:
                continue  # an unbounded edge
            nb = list(basis)
            nb[row] = col
            k = tuple(sorted(nb))
            if k in seen:
                continue
            seen.add(k)
            if len(seen) > max_bases:
                raise SolverError(
                    f"seqenum_solve(): the polyhedron of {who} has more than max_bases={max_bases:,} "
                    "lexicographically feasible bases (degenerate, or with very many extreme equilibria); raise max_bases, "
                    "or use seqlcp for "
                    "one equilibrium")
            stack.append(nb)
    return np.array(points).reshape(-1, V), np.array(labels, dtype=bool).reshape(-1, n_labels), len(seen)


def _dedupe(pairs: list[tuple[np.ndarray, np.ndarray]], tol: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """Pairs of plans with no two within ``tol`` (max norm) of each other, first seen kept."""
    kept: list[np.ndarray] = []
    out = []
    for x, y in pairs:
        v = np.concatenate([x, y])
        if kept and np.abs(np.array(kept) - v).max(axis=1).min() <= tol:
            continue
        kept.append(v)
        out.append((x, y))
    return out


def _face_start(M: np.ndarray, h: np.ndarray, keep: np.ndarray, n_free: int):
    """A feasible basis of ``{z : M z = h, z >= 0 on the bounded columns}`` with the columns
    outside ``keep`` fixed at zero, or None when that face is empty. Returns ``(M', h', basis)``
    on the kept columns (the free ones last) with the rows that stay independent."""
    from scipy.optimize import linprog

    Mk = M[:, keep]
    nb = Mk.shape[1] - n_free
    res = linprog(np.zeros(Mk.shape[1]), A_eq=Mk, b_eq=h, bounds=[(0, None)] * nb + [(None, None)] * n_free,
                  method="highs-ds")
    if res.status != 0:
        return None
    # Independent rows (a row whose columns were all fixed at zero is implied or was infeasible).
    q, r, piv = __import__("scipy.linalg", fromlist=["qr"]).qr(np.column_stack([Mk, h]).T, pivoting=True,
                                                               mode="economic")
    rank = int(np.sum(np.abs(np.diag(r)) > 1e-9 * max(1.0, abs(r[0, 0]))))
    rows = np.sort(piv[:rank])
    Mk, hk = Mk[rows], h[rows]
    z = res.x
    support = [j for j in range(nb) if z[j] > 1e-9] + list(range(nb, nb + n_free))
    basis = []
    for j in support + [j for j in range(nb) if z[j] <= 1e-9]:
        trial = basis + [j]
        if np.linalg.matrix_rank(Mk[:, trial], tol=1e-9) == len(trial):
            basis = trial
        if len(basis) == len(rows):
            break
    if len(basis) != len(rows):
        raise SolverError("seqenum_solve(): no basis for a face of the polyhedron (internal error)")
    # Solve afresh on that basis: the simplex point may carry round-off.
    zb = np.linalg.solve(Mk[:, basis], hk)
    if any(zb[k] < -1e-7 for k, j in enumerate(basis) if j < nb):
        raise SolverError("seqenum_solve(): infeasible basis for a face of the polyhedron (internal error)")
    return Mk, hk, basis


def sequence_vertex_pairs(sf: SequenceForm, tol: float = DEFAULT_TOL, max_bases: int = MAX_BASES):
    """Realisation plans ``(x, y)`` of the extreme equilibria of the sequence form, and counts.

    The polyhedron of the player with fewer reduced strategies is enumerated whole; for each of
    its vertices the other polyhedron is cut to the face where every label that vertex misses
    is tight (found feasible or not by one linear programme), and only that face's vertices are
    enumerated: they are exactly the vertex's complementary partners.

    Returns ``(pairs, info)``: ``pairs`` is a list of plan pairs, each a complementary vertex
    pair of ``P`` and ``Q`` (module docstring), distinct pairs of plans only (vertices differing
    only in ``q`` or ``p``, the values off the path, give one pair); ``info`` holds the number of
    bases visited and whether a vertex has more tight labels than its polyhedron's dimension
    (``degenerate``).
    """
    (A, B, E, F), (MP, hP), (MQ, hQ) = _polyhedra(sf)
    n0, n1 = A.shape
    k0, k1 = E.shape[0], F.shape[0]
    L = n0 + n1
    start_P = _start_basis(E, sf.parent[0], F, sf.parent[1], lambda x: B.T @ x, 0, n0, L, k1)
    start_Q = _start_basis(F, sf.parent[1], E, sf.parent[0], lambda y: A @ y, n0, 0, L, k0)
    dims = (n0 - k0 + k1, n1 - k1 + k0)
    # Enumerate the side whose plans are fewer: its own plan polytope's vertices are its pure plans.
    first = 0 if _pure_plan_count(E, sf.parent[0]) <= _pure_plan_count(F, sf.parent[1]) else 1
    systems = [(MP, hP, start_P, k1, "player 0's plans"), (MQ, hQ, start_Q, k0, "player 1's plans")]
    M1, h1, s1, _, who1 = systems[first]
    M2, h2, _, nfree2, who2 = systems[1 - first]
    v1, l1, bases = _enumerate(M1, h1, L, s1, tol, max_bases, who1)
    degenerate = bool(l1.sum(axis=1).max(initial=0) > dims[first])
    found = []
    faces = 0
    for z, lab in zip(v1, l1):
        keep = np.r_[lab, np.ones(M2.shape[1] - L, dtype=bool)]  # a label missing here must be tight there
        start = _face_start(M2, h2, keep, nfree2)
        if start is None:
            continue
        faces += 1
        Mk, hk, basis = start
        n_kept = int(lab.sum())
        w, lw, nbases = _enumerate(Mk, hk, n_kept, basis, tol, max_bases, who2)
        bases += nbases
        full = np.zeros((len(w), L))
        full[:, np.flatnonzero(lab)] = w[:, :n_kept]
        tight = np.ones((len(w), L), dtype=bool)
        tight[:, np.flatnonzero(lab)] = lw
        degenerate |= bool(tight.sum(axis=1).max(initial=0) > dims[1 - first])
        for u in full:
            x, y = (z[:n0], u[n0:L]) if first == 0 else (u[:n0], z[n0:L])
            found.append((x.clip(0.0, None), y.clip(0.0, None)))
    pairs = _dedupe(found, 1e-7)
    info = {"vertices": len(v1), "faces": faces, "bases": bases, "enumerated": first, "degenerate": degenerate}
    return pairs, info


def _pure_plan_count(E: np.ndarray, parent: np.ndarray) -> float:
    """Number of a player's pure realisation plans (reduced strategies), by a product and sum over
    the information sets from the last to the first."""
    n = E.shape[1]
    count = np.ones(n)  # plans below each sequence
    for j in range(len(parent) - 1, -1, -1):
        seqs = np.flatnonzero(E[1 + j, 1:] > 0) + 1
        count[parent[j]] *= count[seqs].sum()
    return float(count[0])


def seqenum_solve(game: ExtensiveFormGame, tol: float = DEFAULT_TOL, max_bases: int = MAX_BASES) -> SolverResult:
    """Every extreme Nash equilibrium of a two-player tree, by vertex enumeration on its sequence form.

    Enumerates the vertices of the sequence-form best-response polyhedra of both players and
    pairs the complementary ones (von Stengel 2002, section 7; Audet, Belhaiza and Hansen 2009
    for the extensive-form enumeration), so the cost is set by the tree's size (its sequences)
    and its degeneracy, never by its reduced normal form's size. Gambit enumerates on the
    reduced normal form instead (``enummixed``).

    Parameters
    ----------
    game : ExtensiveFormGame
        Two players, perfect recall; chance moves allowed.
    tol : float
        Tolerance for a row to count as tight, after each player's payoffs are mapped onto
        ``[1, 2]``.
    max_bases : int
        Most feasible bases per polyhedron (default :data:`MAX_BASES`); a tree needing more is
        refused with a ``SolverError`` naming the bound.

    Returns
    -------
    SolverResult
        Method ``"seqenum"``, one certified equilibrium per distinct pair of realisation plans
        that is a complementary vertex pair. Equilibria whose plans agree are one: they are the
        same behaviour at every information set the owner's own moves reach, and the behaviour
        elsewhere changes nobody's payoff (uniform is reported there and the sets are listed in
        ``details["unreached"]``). Each equilibrium's ``details`` are those of
        :func:`sim.extensive.sequence.plan_equilibrium`; its regret is measured on the tree, and
        also on the reduced normal form where that is small enough to build (the result's
        ``game`` is then the reduced form, else the tree). ``degenerate`` is set when a vertex
        has more tight labels than its polyhedron's dimension (then the equilibria may form
        continua, whose vertices are the ones listed); ``details`` give the vertex and basis
        counts.

    Raises
    ------
    SolverError
        For a tree without two players, a bad option, or more than ``max_bases`` bases.
    GameError
        For a tree without perfect recall.

    Examples
    --------
    Selten's entry game has two extreme equilibria: entry and accommodation, and staying out
    against a fight threat that holds while the incumbent fights with probability at least 1/2
    (the threat is empty, but it is never tested: the second one is not subgame perfect).

    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> g = ExtensiveFormGame.from_root(("Entrant", "Incumbent"), Decision(0, "E", ("out", "in"), (
    ...     Terminal((0.0, 2.0)),
    ...     Decision(1, "I", ("fight", "accommodate"), (Terminal((-1.0, -1.0)), Terminal((1.0, 1.0)))))))
    >>> r = seqenum_solve(g)
    >>> sorted((sorted(e.details["plans"]["Entrant"]), e.details["behaviour"]["I"]) for e in r.equilibria)
    [(['', 'E:in'], [0.0, 1.0]), (['', 'E:out'], [0.5, 0.5]), (['', 'E:out'], [1.0, 0.0])]
    >>> r.max_regret, r.degenerate
    (0.0, True)
    """
    fn = "seqenum_solve()"
    if not isinstance(tol, (int, float)) or isinstance(tol, bool) or not 0 < tol < 1e-3:
        raise SolverError(f"{fn}: tol must be a number in (0, 0.001); got {tol!r}")
    if isinstance(max_bases, bool) or not isinstance(max_bases, (int, np.integer)) or max_bases < 1:
        raise SolverError(f"{fn}: max_bases must be a positive integer; got {max_bases!r}")
    flat = _check_two_player_tree(game, fn)
    sf = sequence_form(game, flat)
    pairs, info = sequence_vertex_pairs(sf, tol, int(max_bases))
    nf = game.reduced_normal_form() if has_reduced_view(flat) else None
    equilibria = tuple(plan_equilibrium(game, flat, sf, pair, nf) for pair in pairs)
    players = game.players
    return SolverResult("seqenum", nf if nf is not None else game, equilibria,
                        {"tol": tol, "max_bases": int(max_bases)}, complete=True, degenerate=info["degenerate"],
                        details={"sequences": {p: len(s) for p, s in zip(players, sf.sequences)},
                                 "enumerated": players[info["enumerated"]], "vertices": info["vertices"],
                                 "faces": info["faces"], "bases": info["bases"],
                                 "reduced_form": nf is not None})


__all__ = ["MAX_BASES", "seqenum_solve", "sequence_vertex_pairs"]
