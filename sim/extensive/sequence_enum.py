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
that is a convex combination of other vertices' plans (``x`` is extreme in the polyhedron with its
values ``q``, not among plans). Such pairs are pruned: the complementary pairs are grouped into
maximal Nash subsets (products ``conv(X) x conv(Y)`` of plan sets, the maximal bicliques of the
pairs) and a pair is kept when its plans are extreme in one of them (non-negative least squares
against the subset's other plans). What remains are the extreme points of the set of
equilibrium plans, the images of the reduced normal form's extreme equilibria that are extreme
among plans.

Not every vertex is needed. For a plan ``x`` the rows ``F^T q >= B^T x`` form a tree of
inequalities whose least solution ``q*(x)`` is the opponent's backward-induction values; every
equilibrium is complementary with those values, and for an extreme equilibrium ``(x, q*(x))`` is
a vertex (:func:`_slack_groups` has the argument). The points with ``q = q*(x)`` are those where
every information set of the opponent has a tight row: a union of faces homeomorphic to the plan
polytope, whose edges connect it. Each search walks only those edges (a slack leaves the
nonbasic set only while its information set keeps another), which drops the vertices that
differ in values raised off the opponent's best replies: 2 to 7 times fewer bases on the corpus
trees, with the same equilibria.

Vertices are enumerated by pivoting (Avis and Fukuda 1992) over the lexicographically feasible
bases of each polyhedron, the free values ``q`` (``p``) always basic, from the basis of a pure
plan and the opponent's backward-induction values: the sequence form is highly degenerate (a plan
that avoids an information set zeroes every sequence below it at once), and the lexicographic
perturbation visits a degenerate vertex through a few of its bases rather than all. The search
is compiled (:mod:`sim.extensive._sequence_enum_jit`): one dense tableau pivoted forward into an
unvisited basis and back on the way up, rebuilt from the original matrix every few hundred pivots
so that round-off does not accumulate; visited bases and vertices live in hash tables keyed by bit
masks. A vertex is identified by its label set (at a vertex the tight rows fix the point).
``vertices="canonical"`` searches instead over the vertices of the polyhedron with only the
opponent's slacks perturbed, one canonical basis each, with the edges below an unplayed sequence
listed by its pure continuations (:func:`._sequence_enum_jit.canonical_vertices`): it never
visits the bases that differ only in which zero sequence of an unplayed subtree is basic, and
falls back to the lexicographic search where ties among plan values that the structure does not
explain appear. Neither search takes the opponent's degeneracy structurally: below an information
set of the opponent that the plan does not reach every value is zero and every row tight, and
each perturbation splits such a vertex into one per pure continuation of the opponent there (at
three rounds of a 2x2 game in turn, 800 lexicographic bases or 450 perturbed vertices a vertex,
of 598,380 and 750,111 vertices: such trees are refused at ``max_bases``). Both
polyhedra are enumerated whole and their vertices joined where the label masks cover every label.
Payoffs are first mapped onto ``[1, 2]`` per player, so that one tolerance means the same on
every tree.

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
D. Avis (2000), "lrs: a revised implementation of the reverse search vertex enumeration
algorithm", in Kalai and Ziegler (eds.), Polytopes - Combinatorics and Computation, 177-198.
D. Avis, G. Rosenberg, R. Savani and B. von Stengel (2010), "Enumeration of Nash equilibria for
two-player games", Economic Theory 42, 9-37 (maximal Nash subsets as bicliques, section 6).
M. J. M. Jansen (1981), "Maximal Nash subsets for bimatrix games", Naval Res. Logist. Quart. 28,
147-152.
C. L. Lawson and R. J. Hanson (1974), Solving Least Squares Problems, Prentice-Hall (NNLS).
"""

from __future__ import annotations

import numpy as np

from sim.errors import SolverError
from sim.extensive.behaviour import has_reduced_view
from sim.extensive.sequence import (SequenceForm, _check_two_player_tree, _start_plan, _unit, plan_equilibrium,
                                    sequence_form)
from sim.extensive.tree import ExtensiveFormGame
from sim.result import SolverResult

DEFAULT_TOL = 1e-9
#: Most lexicographically feasible bases one polyhedron may have before ``seqenum_solve``
#: refuses (a degenerate tree has several per vertex): 20 to 50 seconds of compiled pivoting on a
#: loaded 2-core machine, on trees of a few dozen sequences.
MAX_BASES = 1_000_000
#: Most work :func:`extreme_points` may spend deciding which equilibrium plans are extreme, in
#: least-squares matrix entries (the columns of each test times the plan length plus one; about 25
#: million a second): about a second, 24 times what montyhal needs (828,415; the most of Gambit's
#: two-player trees, whose 768 extreme equilibria take 1.1 s in all). A tree whose maximal Nash
#: subsets hold tens of thousands of plans, most of them extreme, is refused with the counts
#: instead of running for hours.
MAX_HULL_WORK = 20_000_000


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


#: Pivots between two rebuilds of the tableau from the original matrix (round-off control).
REFRESH_PIVOTS = 200


def _vertices(M: np.ndarray, h: np.ndarray, n_labels: int, basis: list[int], slack: range, tol: float,
              max_bases: int, who: str, groups=None):
    """Every vertex of ``{z : M z = h, z[:n_labels] >= 0}`` (the rest free) by the compiled
    depth-first search over lexicographically feasible bases (:mod:`._sequence_enum_jit`).

    The right-hand side is perturbed lexicographically along the columns of the starting basis
    (von Stengel 2007, section 3.7; Avis's lrs): the perturbed polyhedron is simple, its vertices
    are the lexicographically feasible bases, each bounded edge is one pivot with the
    lexicographic minimum-ratio test, and its graph of bounded edges is connected (the polyhedron
    is pointed). The perturbation's order puts the starting basis's slack columns (``slack``: the
    opponent's sequences' payoff rows) first, then the owner's plan, then the free values: on the
    corpus trees this visits 2 to 5 times fewer bases per degenerate vertex than the plan first
    (nim7: 50,000 instead of 195,000), much as ``seqlcp`` perturbs the payoffs before the plans. Each vertex of the original polyhedron is the limit of at least one of them, so
    every vertex is reached, while a degenerate vertex is visited through a few of its bases, not
    all. Returns ``(labels, bases, n_tight, n_bases)``: per distinct vertex its label mask and
    first basis (bit masks) and its number of tight labels; the number of bases visited.
    """
    from sim.extensive import _sequence_enum_jit as jit

    lex = sorted(basis, key=lambda b: (b not in slack, b >= n_labels))  # stable: slacks, plan, free
    status, labels, bases, n_tight, n_bases, _ = jit.lex_vertices(
        np.ascontiguousarray(M, dtype=np.float64), np.ascontiguousarray(h, dtype=np.float64), int(n_labels),
        np.asarray(basis, dtype=np.int64), np.asarray(lex, dtype=np.int64), float(tol), int(max_bases),
        REFRESH_PIVOTS, *(groups if groups is not None else (np.full(n_labels, -1, dtype=np.int64), 0)))
    if status == jit.TOO_MANY_BASES:
        raise SolverError(
            f"seqenum_solve(): the polyhedron of {who} has more than max_bases={max_bases:,} lexicographically "
            f"feasible bases ({len(labels):,} vertices found so far: the sequence-form polyhedra are highly "
            "degenerate, and their vertices can grow exponentially with the tree's depth); raise max_bases, "
            "use seqlcp for one equilibrium, or enummixed on the reduced normal form where it can be built")
    if status != jit.OK:
        raise SolverError(f"seqenum_solve(): a basis of the polyhedron of {who} is singular (internal error)")
    return labels, bases, n_tight, n_bases


def _lex_repair(M: np.ndarray, h: np.ndarray, basis: list[int], order, n_labels: int, tol: float) -> list[int]:
    """A basis of the same point that is lexicographically feasible for the perturbation of the
    columns ``order`` (in that order): while some row of a nonnegative variable at zero has its
    first nonzero entry among those columns negative, the column of the earliest such entry
    enters on that row (a degenerate pivot). Rows whose first nonzero comes before that column
    are untouched and the entering column is basic afterwards, so the earliest bad position
    grows: at most ``len(order)`` pivots."""
    basis = list(basis)
    order = np.asarray(order, dtype=np.int64)
    for _ in range(len(order) + 1):
        T = np.linalg.solve(M[:, basis], np.column_stack([h, M[:, order]]))
        worst = None
        for r in range(len(basis)):
            if basis[r] >= n_labels or T[r, 0] > tol:
                continue
            nz = np.flatnonzero(np.abs(T[r, 1:]) > tol)
            if len(nz) and T[r, 1 + nz[0]] < 0 and (worst is None or nz[0] < worst[0]):
                worst = (nz[0], r)
        if worst is None:
            return basis
        basis[worst[1]] = int(order[worst[0]])
    raise SolverError("seqenum_solve(): no lexicographically feasible starting basis (internal error)")


def _plan_structure(E: np.ndarray, parent: np.ndarray):
    """The owner's sequence tree as arrays: per sequence its information set (``-1`` for the
    empty one), per information set the sequence leading to it and its actions (CSR)."""
    n = E.shape[1]
    seq_iset = np.full(n, -1, dtype=np.int64)
    ptr, idx = [0], []
    for j in range(len(parent)):
        seqs = np.flatnonzero(E[1 + j, 1:] > 0) + 1
        seq_iset[seqs] = j
        idx.extend(int(t) for t in seqs)
        ptr.append(len(idx))
    return seq_iset, np.asarray(parent, dtype=np.int64), np.asarray(ptr, dtype=np.int64), np.asarray(idx, dtype=np.int64)


#: Most pivots (edges tried) of the canonical search per polyhedron before ``seqenum_solve``
#: refuses: about a minute compiled on a loaded core at a few dozen sequences.
MAX_EDGES = 20_000_000


def _vertices_canonical(M, h, n_labels, basis, own: range, slack: range, structure, tol, max_bases, max_edges,
                        who: str, groups=None):
    """Every vertex of the polyhedron by the compiled canonical search
    (:func:`._sequence_enum_jit.canonical_vertices`: the opponent's payoff slacks perturbed, one
    basis per perturbed vertex, the edges of a dead subtree enumerated by its continuations), or
    None when the polyhedron is degenerate beyond the plan structure."""
    from sim.extensive import _sequence_enum_jit as jit

    order = list(slack)
    start = _lex_repair(M, h, basis, order, n_labels, tol)
    seq_iset, iset_parent, ptr, idx = structure
    status, labels, bases, n_tight, n_bases, edges = jit.canonical_vertices(
        np.ascontiguousarray(M, dtype=np.float64), np.ascontiguousarray(h, dtype=np.float64), int(n_labels),
        np.asarray(start, dtype=np.int64), int(own.start), len(own), np.asarray(order, dtype=np.int64),
        seq_iset, iset_parent, ptr, idx, float(tol), int(max_bases), int(max_edges), REFRESH_PIVOTS,
        *(groups if groups is not None else (np.full(n_labels, -1, dtype=np.int64), 0)))
    if status == jit.NOT_STRUCTURAL or status == jit.SINGULAR:
        return None
    if status == jit.TOO_MANY_BASES:
        raise SolverError(
            f"seqenum_solve(): the polyhedron of {who} has more than max_bases={max_bases:,} perturbed vertices or "
            f"more than {max_edges:,} edges ({len(labels):,} vertices found so far: the sequence-form polyhedra "
            "can have exponentially many vertices in the tree's depth); raise max_bases, or use seqlcp for one "
            "equilibrium")
    return labels, bases, n_tight, int(n_bases)


def _slack_groups(opp_E: np.ndarray, opp_parent: np.ndarray, slack: range, n_labels: int):
    """The opponent's payoff slacks grouped by information set, for the search to keep to the
    vertices where each information set of the opponent has a tight row: ``(group, n)``, with
    ``group[j]`` the group of label ``j``'s slack (0 for the empty sequence's row, ``1 + k`` for
    the ``k``-th information set's actions) and ``-1`` for the owner's plan labels.

    Why that is enough (the opponent's values ``q`` in ``P``; ``Q`` alike): for a plan ``x`` the
    rows ``F^T q >= B^T x`` are a tree of inequalities ``q_h >= u_t + sum of q below t``, one per
    action ``t`` at ``h``, and backward induction gives their least solution ``q*(x)``. A point
    where every information set has a tight row has ``q = q*(x)`` (at a deepest ``h`` with
    ``q_h > q*_h`` every row of ``h`` would be slack), and no other ``q`` makes a superset of
    ``q*``'s rows tight (same argument). An equilibrium ``(x, y)`` is complementary with
    ``q*(x)``, since ``y`` plays only actions optimal for those values where it reaches. If it is
    an extreme equilibrium, ``(x, q*(x))`` is a vertex: else ``x`` is not extreme in the plans of
    the face where ``q*(x)``'s labels are tight (the fibre over an extreme plan is a face, whose
    vertex would have ``q*``'s rows tight, so be ``(x, q*(x))``), each plan of that face is a best
    reply partner of every ``y`` that ``x`` is, and ``x`` is a convex combination of plans in
    every maximal Nash subset holding ``(x, y)``. So the vertices needed are those on the graph
    of ``q*``, a union of faces homeomorphic to the plan polytope (so its edges connect it,
    for every perturbation of the right-hand side: one that shifts each row by a constant), and
    the search walks only its edges: a slack enters only while its information set keeps
    another tight row.
    """
    group = np.full(n_labels, -1, dtype=np.int64)
    group[slack.start] = 0
    for j in range(len(opp_parent)):
        acts = np.flatnonzero(opp_E[1 + j, 1:] > 0) + 1
        group[slack.start + acts] = 1 + j
    return group, 1 + len(opp_parent)


def _in_hull(point: np.ndarray, others: np.ndarray, tol: float = 1e-7):
    """Whether ``point`` is a convex combination of the rows of ``others`` (residual at most
    ``tol``), and otherwise a direction ``c`` with ``c . point > max c . others``: non-negative
    least squares on the rows with a row of ones appended (Lawson and Hanson 1974), whose residual
    ``w = b - A z`` has ``A^T w <= 0`` at the optimum and ``w . b = |w|^2 > 0``, so its plan part
    separates (``c = w[:-1]``, with ``c . point > -w[-1] >= c . e`` for every row ``e``)."""
    from scipy.optimize import nnls

    if len(others) == 0:
        return False, None
    A = np.vstack([others.T, np.ones((1, len(others)))])
    b = np.r_[point, 1.0]
    z, residual = nnls(A, b)
    if residual <= tol:
        return True, None
    return False, (b - A @ z)[:-1]


class HullWorkExceeded(Exception):
    """Raised by :func:`extreme_points` when its work passes ``max_work``."""


def extreme_points(points: np.ndarray, tol: float = 1e-7, max_work: int | None = None) -> np.ndarray:
    """Which rows of ``points`` (distinct) are extreme points of their convex hull, a boolean mask.

    Output-sensitive, as Clarkson's algorithm (Clarkson 1994, "More output-sensitive geometric
    algorithms", FOCS; Ottmann, Schuierer and Soundaralakshmi 2001): a set ``E`` of known extreme
    points grows; each point is tested against ``conv(E)`` only (:func:`_in_hull`), and when it is
    outside, the separating direction's maximisers over all points form a face, whose
    lexicographically greatest point (a vertex of that face, so an extreme point, ties within
    ``tol`` of the scale) joins ``E`` and the point is tested again. Each test's least squares has
    as many columns as extreme points found, not as points: a plan set with ten thousand plans and a
    few dozen extreme ones costs ten thousand small problems, where testing each point against all
    the others cost ten thousand problems of ten thousand columns (minutes to hours). When most
    points are extreme the cost is still quadratic: past ``max_work`` least-squares entries
    (columns times rows, summed over the tests) :class:`HullWorkExceeded` is raised.

    Examples
    --------
    >>> import numpy as np
    >>> square = np.array([[0, 0], [1, 0], [0, 1], [1, 1], [0.5, 0.5], [0.5, 0]])
    >>> extreme_points(square).tolist()
    [True, True, True, True, False, False]
    """
    return _extreme_points(points, tol, max_work)[0]


def _extreme_points(points, tol: float, max_work: int | None):
    """:func:`extreme_points`' mask and the work it took."""
    points = np.asarray(points, dtype=float)
    n = len(points)
    if n <= 2:
        return np.ones(n, dtype=bool), 0
    scale = float(np.abs(points).max()) or 1.0
    known = np.zeros(n, dtype=bool)
    # rank of each point in lexicographic order, on values rounded to the tolerance (round-off in
    # an earlier coordinate must not outrank a real difference in a later one)
    order = np.lexsort(np.round(points / (tol * scale)).T[::-1])

    def top(c: np.ndarray) -> int:
        vals = points @ c
        near = np.flatnonzero(vals >= vals.max() - tol * scale * float(np.abs(c).sum()))
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        return int(near[np.argmax(rank[near])])

    known[top(np.zeros(points.shape[1]))] = True   # the lexicographically greatest point
    work = 0
    rows = points.shape[1] + 1
    for k in range(n):
        if known[k]:
            continue
        for _ in range(n):
            work += (int(known.sum()) + 1) * rows
            if max_work is not None and work > max_work:
                raise HullWorkExceeded(work)
            inside, c = _in_hull(points[k], points[known], tol)
            if inside:
                break
            q = top(c)
            if q == k:                   # k is the greatest along c: a vertex of that face
                known[k] = True
                break
            if known[q]:                 # c does not quite separate (least squares' accuracy):
                work += n * rows         # decide k against every other point
                known[k] = not _in_hull(points[k], np.delete(points, k, axis=0), tol)[0]
                break
            known[q] = True
    return known, work


def _basis_points(M: np.ndarray, h: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """The point of each basis (a bit mask over the columns of ``M``, one row per basis), each
    solved afresh from ``M`` by LU with partial pivoting (LAPACK)."""
    bits = np.unpackbits(masks.astype("<u8").view(np.uint8), axis=1, bitorder="little")[:, :M.shape[1]]
    out = np.zeros((len(masks), M.shape[1]))
    for t, row in enumerate(bits.astype(bool)):
        try:
            out[t, row] = np.linalg.solve(M[:, row], h)
        except np.linalg.LinAlgError:
            raise SolverError("seqenum_solve(): a vertex's basis is singular (internal error)") from None
    return out


def extreme_plan_pairs(xs: np.ndarray, ys: np.ndarray, tol: float = 1e-7, max_work: int = MAX_HULL_WORK):
    """Which of the equilibrium plan pairs ``(xs[t], ys[t])`` are extreme equilibria, and the
    maximal Nash subsets.

    The pairs are the complementary vertex pairs of the sequence-form polyhedra, distinct as
    plans. A maximal convex set of equilibria of the sequence form is a product ``conv(X) x
    conv(Y)`` of plan sets, a maximal biclique of the pairs (Jansen 1981; Avis, Rosenberg, Savani
    and von Stengel 2010, section 6, for bimatrix games; the sequence form's payoffs are bilinear
    in the plans alike). Each of its extreme points is a vertex pair of the polyhedra, but a
    vertex ``(x, q)`` may have a plan ``x`` that is a convex combination of others (the projection
    onto ``x`` of a polyhedron in ``(x, q)``): those are dropped. A pair is kept when, in some
    maximal subset holding it, neither plan is a convex combination of the subset's other plans
    (:func:`extreme_points`; one or two distinct plans are always extreme).

    Returns ``(keep, subsets)``: a boolean mask over the pairs, and the maximal Nash subsets of
    the kept pairs as tuples of indices into them (each subset of all pairs cut to its kept
    pairs: ``conv`` of the extreme plans is the whole subset).
    """
    from sim.solvers.mixed import maximal_nash_subsets

    keep = np.zeros(len(xs), dtype=bool)
    everything = maximal_nash_subsets(xs, ys)
    spent = 0
    for subset in everything:
        idx = np.asarray(subset)
        flags = []
        for plans in (xs[idx], ys[idx]):
            distinct, first, inverse = np.unique(np.round(plans, 9) + 0.0, axis=0, return_index=True,
                                                 return_inverse=True)
            if len(distinct) <= 2:
                flags.append(np.ones(len(idx), dtype=bool))
                continue
            try:
                extreme, work = _extreme_points(plans[first], tol, max_work - spent)
            except HullWorkExceeded:
                widest = max(len(np.unique(np.round(p[np.asarray(t)], 9) + 0.0, axis=0))
                             for t in everything for p in (xs, ys))
                raise SolverError(
                    f"seqenum_solve(): the equilibrium set is too degenerate to list its extreme points: "
                    f"{len(xs):,} equilibrium plan pairs in {len(everything):,} maximal Nash subsets, the "
                    f"largest with {widest:,} distinct plans of one player, and deciding which are extreme "
                    f"passed max_work={max_work:,} least-squares entries (MAX_HULL_WORK); use seqlcp for one "
                    "equilibrium, or enumpure on the reduced form for the pure ones") from None
            spent += work
            flags.append(extreme[inverse.ravel()])
        keep[idx[flags[0] & flags[1]]] = True
    new_index = np.cumsum(keep) - 1
    cut = {frozenset(int(new_index[t]) for t in s if keep[t]) for s in everything} - {frozenset()}
    subsets = sorted(tuple(sorted(s)) for s in cut if not any(s < o for o in cut))
    return keep, tuple(subsets)


def sequence_vertex_pairs(sf: SequenceForm, tol: float = DEFAULT_TOL, max_bases: int = MAX_BASES,
                          vertices: str = "lex", best_values: bool = True):
    """Realisation plans ``(x, y)`` of the extreme equilibria of the sequence form, and counts.

    Both polyhedra ``P`` and ``Q`` (module docstring) are enumerated whole by compiled
    lexicographic pivoting, the one of the player with fewer pure plans first; a vertex of ``P``
    and one of ``Q`` are joined when every label is tight at one of them (their label masks'
    union is full); the joined pairs, distinct as plans (vertices differing only in ``q`` or
    ``p``, the values off the path, give one pair), are the *candidates*, and those whose plans
    are not extreme within their maximal Nash subset are pruned (:func:`extreme_plan_pairs`).

    ``vertices`` names the search: ``"lex"`` (:func:`_vertices`) or ``"canonical"``
    (:func:`_vertices_canonical`, falling back to ``"lex"`` on a polyhedron it cannot take).
    With ``best_values`` (default) each search keeps to the vertices where every information set
    of the opponent has a tight row, the only ones an extreme equilibrium needs
    (:func:`_slack_groups`); without, every vertex is enumerated.

    Returns ``(pairs, info)``: ``pairs`` a list of plan pairs; ``info`` the number of vertices
    and of bases visited of each polyhedron (player 0's plans first; for the canonical search,
    perturbed vertices), ``search`` (the search each polyhedron was enumerated by), ``candidates`` (distinct
    plan pairs before pruning), ``nash_subsets`` (maximal Nash subsets as tuples of indices into
    ``pairs``), and whether a vertex has more tight labels than its polyhedron's dimension
    (``degenerate``).
    """
    from sim.extensive import _sequence_enum_jit as jit

    (A, B, E, F), (MP, hP), (MQ, hQ) = _polyhedra(sf)
    n0, n1 = A.shape
    k0, k1 = E.shape[0], F.shape[0]
    L = n0 + n1
    start_P = _start_basis(E, sf.parent[0], F, sf.parent[1], lambda x: B.T @ x, 0, n0, L, k1)
    start_Q = _start_basis(F, sf.parent[1], E, sf.parent[0], lambda y: A @ y, n0, 0, L, k0)
    dims = (n0 - k0 + k1, n1 - k1 + k0)
    systems = [(MP, hP, start_P, range(n0), range(n0, L), (E, sf.parent[0]), (F, sf.parent[1]), "player 0's plans"),
               (MQ, hQ, start_Q, range(n0, L), range(n0), (F, sf.parent[1]), (E, sf.parent[0]), "player 1's plans")]
    order = (0, 1) if _pure_plan_count(E, sf.parent[0]) <= _pure_plan_count(F, sf.parent[1]) else (1, 0)
    found, search = [None, None], ["lex", "lex"]
    for i in order:  # the smaller polyhedron first: a refusal comes after the cheaper work
        M, h, start, own, slack, (own_E, own_parent), (opp_E, opp_parent), who = systems[i]
        groups = _slack_groups(opp_E, opp_parent, slack, L) if best_values else None
        if vertices == "canonical":
            found[i] = _vertices_canonical(M, h, L, start, own, slack, _plan_structure(own_E, own_parent), tol,
                                           max_bases, MAX_EDGES, who, groups)
            search[i] = "canonical" if found[i] is not None else "lex"
        if found[i] is None:
            found[i] = _vertices(M, h, L, start, slack, tol, max_bases, who, groups)
    (labP, basP, tP, nbP), (labQ, basQ, tQ, nbQ) = found
    degenerate = bool(tP.max(initial=0) > dims[0] or tQ.max(initial=0) > dims[1])
    joined = jit.complementary_pairs(labP, labQ, L)
    info = {"vertices": (len(labP), len(labQ)), "bases": (int(nbP), int(nbQ)), "degenerate": degenerate,
            "joined": len(joined), "search": tuple(search)}
    if not len(joined):
        raise SolverError("seqenum_solve(): no complementary pair of vertices found (internal error: every "
                          "two-player tree has an equilibrium)")
    iP, invP = np.unique(joined[:, 0], return_inverse=True)
    iQ, invQ = np.unique(joined[:, 1], return_inverse=True)
    zP, zQ = _basis_points(MP, hP, basP[iP]), _basis_points(MQ, hQ, basQ[iQ])
    xs = zP[invP.ravel(), :n0].clip(0.0, None)
    ys = zQ[invQ.ravel(), n0:L].clip(0.0, None)
    _, first = np.unique(np.round(np.hstack([xs, ys]), 7) + 0.0, axis=0, return_index=True)
    first = np.sort(first)
    xs, ys = xs[first], ys[first]
    info["candidates"] = len(xs)
    keep, info["nash_subsets"] = extreme_plan_pairs(xs, ys)
    return list(zip(xs[keep], ys[keep])), info


def _pure_plan_count(E: np.ndarray, parent: np.ndarray) -> float:
    """Number of a player's pure realisation plans (reduced strategies), by a product and sum over
    the information sets from the last to the first."""
    n = E.shape[1]
    count = np.ones(n)  # plans below each sequence
    for j in range(len(parent) - 1, -1, -1):
        seqs = np.flatnonzero(E[1 + j, 1:] > 0) + 1
        count[parent[j]] *= count[seqs].sum()
    return float(count[0])


#: Vertex searches of ``seqenum_solve``.
VERTEX_SEARCHES = ("lex", "canonical")


def seqenum_solve(game: ExtensiveFormGame, tol: float = DEFAULT_TOL, max_bases: int = MAX_BASES,
                  vertices: str = "lex") -> SolverResult:
    """Every extreme Nash equilibrium of a two-player tree, by vertex enumeration on its sequence form.

    Enumerates the vertices of the sequence-form best-response polyhedra of both players, joins
    the complementary ones and prunes the pairs whose plans are not extreme within their maximal
    Nash subset (von Stengel 2002, section 7; Audet, Belhaiza and Hansen 2009 for the
    extensive-form enumeration; see the module docstring), so the cost is set by the tree's
    sequences and the polyhedra's vertices, never by the size of its reduced normal form. Gambit
    enumerates on the reduced normal form instead (``enummixed``).

    Parameters
    ----------
    game : ExtensiveFormGame
        Two players, perfect recall; chance moves allowed.
    tol : float
        Tolerance for a row to count as tight, after each player's payoffs are mapped onto
        ``[1, 2]``.
    max_bases : int
        Most feasible bases per polyhedron (default :data:`MAX_BASES`); a tree needing more is
        refused with a ``SolverError`` naming the bound. For ``vertices="canonical"``, most
        perturbed vertices per polyhedron (and at most :data:`MAX_EDGES` ratio tests).
    vertices : {"lex", "canonical"}
        The vertex search: ``"lex"`` (default), depth-first over the lexicographically feasible
        bases; ``"canonical"``, over the vertices of the polyhedron with only the opponent's
        payoff slacks perturbed, one canonical basis each, the edges below a dead sequence
        enumerated by its pure continuations (:func:`sim.extensive._sequence_enum_jit.canonical_vertices`:
        it does not visit the bases that differ only in which zero sequence of an unplayed
        subtree is basic). Both find the same vertices; the canonical search falls back to
        ``"lex"`` on a polyhedron degenerate beyond the plan structure (``details["search"]``
        says which ran).

    Returns
    -------
    SolverResult
        Method ``"seqenum"``, one certified equilibrium per extreme equilibrium, distinct as
        pairs of realisation plans. Equilibria whose plans agree are one: they are the same
        behaviour at every information set the owner's own moves reach, and the behaviour
        elsewhere changes nobody's payoff (uniform is reported there and the sets are listed in
        ``details["unreached"]``). Each equilibrium's ``details`` are those of
        :func:`sim.extensive.sequence.plan_equilibrium`; its regret is measured on the tree, and
        also on the reduced normal form where that is small enough to build (the result's
        ``game`` is then the reduced form, else the tree). ``degenerate`` is set when a vertex
        has more tight labels than its polyhedron's dimension (then the equilibria may form
        continua, whose extreme points are the ones listed). The result's ``details``:
        ``sequences``, ``vertices`` and ``bases`` (per player: the vertices and lexicographic
        bases of the polyhedron of that player's plans, or its perturbed vertices for the
        canonical search), ``search`` (per player, the search that ran), ``candidates`` (complementary vertex
        pairs, distinct as plans, before pruning), ``nash_subsets`` (the maximal Nash subsets,
        tuples of indices into ``equilibria``: every pair of plans within one is an equilibrium,
        and so is every convex combination) and ``reduced_form``.

    Raises
    ------
    SolverError
        For a tree without two players, a bad option, or more than ``max_bases`` bases in one
        polyhedron (the message names the bound and points to ``seqlcp``).
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

    The two equilibria where the entrant stays out form one maximal Nash subset (the threat may
    be anything from a fair coin to a sure fight), entry and accommodation another:

    >>> sorted(len(s) for s in r.details["nash_subsets"])
    [1, 2]
    """
    fn = "seqenum_solve()"
    if not isinstance(tol, (int, float)) or isinstance(tol, bool) or not 0 < tol < 1e-3:
        raise SolverError(f"{fn}: tol must be a number in (0, 0.001); got {tol!r}")
    if isinstance(max_bases, bool) or not isinstance(max_bases, (int, np.integer)) or max_bases < 1:
        raise SolverError(f"{fn}: max_bases must be a positive integer; got {max_bases!r}")
    if vertices not in VERTEX_SEARCHES:
        raise SolverError(f"{fn}: vertices must be one of {VERTEX_SEARCHES}; got {vertices!r}")
    flat = _check_two_player_tree(game, fn)
    sf = sequence_form(game, flat)
    pairs, info = sequence_vertex_pairs(sf, tol, int(max_bases), vertices)
    nf = game.reduced_normal_form() if has_reduced_view(flat) else None
    equilibria = tuple(plan_equilibrium(game, flat, sf, pair, nf) for pair in pairs)
    players = game.players
    return SolverResult("seqenum", nf if nf is not None else game, equilibria,
                        {"tol": tol, "max_bases": int(max_bases), "vertices": vertices}, complete=True,
                        degenerate=info["degenerate"],
                        details={"sequences": {p: len(s) for p, s in zip(players, sf.sequences)},
                                 "vertices": dict(zip(players, info["vertices"])),
                                 "bases": dict(zip(players, info["bases"])),
                                 "search": dict(zip(players, info["search"])),
                                 "candidates": info["candidates"],
                                 "nash_subsets": info["nash_subsets"],
                                 "reduced_form": nf is not None})


__all__ = ["MAX_BASES", "MAX_EDGES", "VERTEX_SEARCHES", "extreme_plan_pairs", "seqenum_solve", "sequence_vertex_pairs"]
