"""Mixed Nash equilibria of two-player (bimatrix) games: vertex enumeration and Lemke-Howson.

Conventions. The row player (player 0) has ``m`` actions and payoff matrix ``A = payoffs[..., 0]``
of shape ``(m, n)``; the column player (player 1) has ``n`` actions and ``B = payoffs[..., 1]``.
Both methods work on the best-response polytopes of von Stengel (2007, section 3.2)::

    P = {x in R^m : x >= 0, B^T x <= 1}        Q = {y in R^n : A y <= 1, y >= 0}

after each player's payoffs are moved by a positive affine map into ``[1, 2]`` (equilibria are
invariant under such maps, and positive payoffs make both polytopes bounded). The ``m + n``
inequalities of each polytope carry *labels* ``0 .. m+n-1``: in ``P`` label ``i < m`` is
``x_i = 0`` and label ``m + j`` is "column ``j`` is a best response to ``x``"; in ``Q`` label
``i < m`` is "row ``i`` is a best response to ``y``" and label ``m + j`` is ``y_j = 0``. A pair of
non-zero points ``(x, y)`` is a Nash equilibrium (after normalising each to sum 1) exactly when
every label is tight at ``x`` or at ``y`` ("completely labelled").

Vertices are enumerated by pivoting when both polytopes are simple (the game is nondegenerate):
a depth-first search over the bases from the origin, whose nonbasic variables are the vertex's
labels (compiled, ``_mixed_jit.pivot_vertices``). A ratio-test tie (a degenerate game), or more
than 63 labels, sends the game to exact lexicographic pivoting (``sim.solvers.lexnash``, the scheme
of lrsnash); a tiny pivot sends it to the polar-hull route (qhull), and a degenerate polytope from
there to the lexicographic route as well.

References
----------
D. Avis (2000), "lrs: a revised implementation of the reverse search vertex enumeration
algorithm", in Kalai and Ziegler (eds.), Polytopes - Combinatorics and Computation, 177-198.
D. Avis and K. Fukuda (1992), "A pivoting algorithm for convex hulls and vertex enumeration of
arrangements and polyhedra", Discrete Comput. Geom. 8, 295-313.
B. von Stengel (2002), "Computing equilibria for two-person games", chapter 45 of Aumann and
Hart (eds.), Handbook of Game Theory, vol. 3.
D. Avis, G. Rosenberg, R. Savani, B. von Stengel (2010), "Enumeration of Nash equilibria for
two-player games", Economic Theory 42, 9-37.
B. von Stengel (2007), "Equilibrium computation for two-player games in strategic and extensive
form", chapter 3 of Nisan, Roughgarden, Tardos, Vazirani (eds.), Algorithmic Game Theory.
C. E. Lemke and J. T. Howson (1964), "Equilibrium points of bimatrix games", SIAM J. Appl. Math.
12, 413-423.
"""

from __future__ import annotations

import itertools
import math
import numpy as np

from sim.errors import SolverError
from sim.game import NormalFormGame
from sim.result import Equilibrium, SolverResult

DEFAULT_TOL = 1e-9
_CHUNK = 20_000
# |det| of a basis of unit rows below which it counts as singular. Round-off on truly singular
# bases gives about 1e-16; genuine bases of von Stengel's 75-equilibria game go down to 1e-18
# in the hull route, which is why the exhaustive route serves degenerate games only.
_LOG_SINGULAR = np.log(1e-14)
_VERTEX_METHODS = ("auto", "hull", "bases", "lex")
# The pivoting route declines a polytope when a slack that is not tight comes within this many
# tolerances of zero (a ratio-test tie): then the tolerance-based routes decide, as before.
PIVOT_MARGIN = 100.0


# ----- input checks and normalisation -----------------------------------------------------------
def _check_bimatrix(game, func: str) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(game, NormalFormGame):
        raise SolverError(f"{func}(): game must be a NormalFormGame; got {type(game).__name__}")
    if game.n_players != 2:
        raise SolverError(f"{func}(): needs a 2-player game; got {game.n_players} players")
    return game.payoffs[..., 0], game.payoffs[..., 1]


def _unit_range(matrix: np.ndarray) -> np.ndarray:
    """Positive affine image of ``matrix`` in ``[1, 2]`` (all ones for a constant matrix).

    Equilibria do not change under positive affine maps of one player's payoffs, and a fixed
    range makes the absolute tolerances below mean the same thing for every game.
    """
    lo, hi = float(matrix.min()), float(matrix.max())
    if hi - lo <= 0.0:
        return np.ones_like(matrix, dtype=float)
    return 1.0 + (matrix - lo) / (hi - lo)


def _polytope_constraints(A: np.ndarray, B: np.ndarray):
    """Inequalities ``G z <= h`` of P and Q, one row per label (row index == label)."""
    m, n = A.shape
    G_P = np.vstack([-np.eye(m), B.T])
    h_P = np.concatenate([np.zeros(m), np.ones(n)])
    G_Q = np.vstack([A, -np.eye(n)])
    h_Q = np.concatenate([np.ones(m), np.zeros(n)])
    return (G_P, h_P), (G_Q, h_Q)


# ----- vertex enumeration ---------------------------------------------------------------------------
def _label_keys(tight: np.ndarray) -> np.ndarray:
    """One sortable key per label set: an int64 bit mask, or packed bytes beyond 62 labels."""
    L = tight.shape[1]
    if L <= 62:
        return tight.astype(np.int64) @ np.left_shift(np.int64(1), np.arange(L, dtype=np.int64))
    return np.packbits(tight, axis=1)


def _labelled(G, h, points, tol):
    """Keep the feasible points, merge duplicates, and return ``(points, labels, n_tight)``.

    Two vertices with the same set of tight inequalities are the same point (the tight set has
    full rank at a vertex), so merging by label set is exact given the tolerance. ``labels`` is
    one ``uint64`` bit mask per vertex when there are at most 63 inequalities (the compiled
    kernel), else a boolean ``(vertices, inequalities)`` matrix (NumPy, for very wide games).
    """
    points = np.ascontiguousarray(points, dtype=np.float64)
    if G.shape[0] <= 63:
        from sim.solvers import _mixed_jit

        keep, masks, n_tight = _mixed_jit.label_vertices(points, G, h, float(tol))
        return points[keep], masks, n_tight
    if len(points) == 0:
        return np.zeros((0, G.shape[1])), np.zeros((0, G.shape[0]), dtype=bool), np.zeros(0, np.intp)
    # einsum, not ``points @ G.T``: for thousands of vertices the product is big enough for a
    # threaded BLAS to split it across cores, and on a busy machine the threads' hand-off costs
    # 10 ms where the arithmetic costs 0.5 ms (measured at n = 12). einsum's loop runs in-thread.
    slack = h[None, :] - np.einsum("vk,rk->vr", points, G)
    feasible = np.all(slack >= -tol, axis=1)
    points, slack = points[feasible], slack[feasible]
    tight = np.abs(slack) <= tol
    _, first = np.unique(_label_keys(tight), axis=0, return_index=True)
    first.sort()
    return points[first], tight[first], tight[first].sum(axis=1)


#: Most square subsystems the exhaustive route solves for one polytope (about 40,000 a second
#: at dimension 27, far more at small ones); beyond it ``enummixed_solve`` refuses rather than
#: run for hours (a 9x27 degenerate game needs C(36, 9) = 94 million).
MAX_BASES = 1_000_000

#: Work bound of the lexicographic route when ``enummixed_solve`` takes it on its own
#: (``vertices="auto"`` on a degenerate game, or on one with more than 63 labels): tableau entries
#: updated by its pivots (a pivot of a ``k``-row tableau with ``N`` variables costs
#: ``k * (N + 1)``), summed over the enumerated polytope, the phase-one pivots and the face
#: searches. The compiled int64 pivots update 0.5 to 1.5 billion entries a second on one loaded
#: core, so the bound is a few seconds of work; 128-bit pivots (entries past ``2**31``) are
#: charged 4 times their entries, Python integers (past ``2**62``) 50 times.
#: ``vertices="lex"`` is bounded by ``max_bases`` only.
AUTO_LEX_WORK = 1_500_000_000
#: Most lexicographic bases the "auto" route visits in the enumerated polytope, and in all faces.
MAX_LEX_BASES = 2_000_000


def _vertices_by_bases(G, h, tol, max_bases=MAX_BASES):
    """Every vertex of ``{z : G z <= h}`` by solving each square subsystem of tight rows.

    Exhaustive and robust on degenerate polytopes (a vertex with more tight rows than the
    dimension is found from any of its non-singular bases); cost grows like C(rows, dim), so a
    polytope needing more than ``max_bases`` of them raises ``SolverError``.
    """
    rows, dim = G.shape
    needed = math.comb(rows, dim)
    if needed > max_bases:
        raise SolverError(
            f"enummixed_solve(): the game is degenerate and its exhaustive vertex enumeration needs "
            f"C({rows}, {dim}) = {needed:,} bases, over max_bases={max_bases:,}; raise max_bases, or "
            "use lcp or logit for one equilibrium")
    # Unit rows make |det| <= 1 (Hadamard), so one absolute threshold flags singular bases.
    norms = np.linalg.norm(G, axis=1)
    Gn, hn = G / norms[:, None], h / norms
    found = []
    combos = itertools.combinations(range(rows), dim)
    while True:
        chunk = np.array(list(itertools.islice(combos, _CHUNK)), dtype=np.intp)
        if chunk.size == 0:
            break
        M, r = Gn[chunk], hn[chunk]
        sign, logdet = np.linalg.slogdet(M)
        ok = (sign != 0) & (logdet > _LOG_SINGULAR)
        if not ok.any():
            continue
        z = np.linalg.solve(M[ok], r[ok][..., None])[..., 0]
        found.append(z)
    points = np.concatenate(found) if found else np.zeros((0, dim))
    return _labelled(G, h, points, tol)


def _hull_equations(points: np.ndarray) -> np.ndarray:
    """Facet equations ``[normal, offset]`` of the convex hull of ``points`` (qhull, "Qt").

    Only "Qt" (triangulated output): scipy's default adds "Qx" (exact pre-merges), which costs
    several times more above dimension 8 and matters only for degenerate input, which the caller
    detects and sends to the exhaustive route anyway. scipy's private ``_Qhull`` is called
    directly because ``ConvexHull`` also computes every facet's area and the hull's volume (a
    determinant per facet), which we never use: 10-30% of the hull time at n = 8..12. If that
    private interface is missing or changed, the public ``ConvexHull`` gives the same equations.
    """
    points = np.ascontiguousarray(points, dtype=np.float64)
    try:
        from scipy.spatial._qhull import _Qhull

        qhull = _Qhull(b"i", points, b"Qt", required_options=b"Qt")
    except (ImportError, AttributeError, TypeError):
        from scipy.spatial import ConvexHull

        return ConvexHull(points, qhull_options="Qt").equations
    try:
        qhull.triangulate()
        equations = qhull.get_simplex_facet_array()[2]
    finally:
        qhull.close()
    return equations


def _vertices_by_hull(G, h, tol):
    """Every vertex of a bounded ``{z : G z <= h}`` from the facets of its polar (qhull).

    The polytope is moved so that an interior point sits at the origin; then its vertices are the
    facet normals of the convex hull of the rows ``G_k / d_k`` (polarity, Ziegler 1995, ch. 2).
    Returns ``None`` when qhull fails (for example on a flat polytope).
    """
    from scipy.spatial import QhullError

    from sim.solvers import _mixed_jit

    # Interior point on the diagonal, polar points, and vertices from the facets are three
    # short loops compiled together: as NumPy expressions they were some 20 calls per polytope,
    # which cost more than qhull itself on 8x8 games.
    polar, c = _mixed_jit.polar_points(G, h)
    try:
        equations = _hull_equations(polar)
    except (QhullError, ValueError):
        return None
    points = _mixed_jit.facet_vertices(equations, c)
    return _labelled(G, h, points, tol)


def _vertices(G, h, tol, how, max_bases=MAX_BASES):
    """``((points, labels, n_tight), route)`` for ``{z : G z <= h}`` (labels as in ``_labelled``)."""
    dim = G.shape[1]
    if how == "bases" or dim < 2:
        return _vertices_by_bases(G, h, tol, max_bases), "bases"
    found = _vertices_by_hull(G, h, tol)
    if found is None:
        return _vertices_by_bases(G, h, tol, max_bases), "bases"
    # A vertex with more tight rows than the dimension means the polytope is not simple. qhull
    # then works with triangulated, nearly coplanar facets, where its merging decisions can lose
    # or invent vertices; the exhaustive route is right by construction, so "auto" switches.
    if how == "auto" and np.any(found[2] > dim):
        return _vertices_by_bases(G, h, tol, max_bases), "bases"
    return found, "hull"


def _complete_pairs(x_labels: np.ndarray, y_labels: np.ndarray, n_labels: int, simple: bool):
    """Index pairs ``(ix, iy)`` of completely labelled vertex pairs.

    Simple polytopes: x has exactly m labels and y exactly n, so a complete pair has disjoint,
    complementary label sets and each x has at most one partner (a sort-and-search join).
    Otherwise a label may be tight at both points and every pair is tested.
    """
    if x_labels.ndim == 1:  # uint64 bit masks from the compiled kernel
        from sim.solvers import _mixed_jit

        return _mixed_jit.complete_pairs(x_labels, y_labels, n_labels, simple)
    # Boolean label matrices (more than 63 labels). Count, for all pairs in a block, the labels
    # missing at both with one matrix product; zero means completely labelled.
    mx, my = (~x_labels).astype(np.float64), (~y_labels).astype(np.float64).T
    out_x, out_y = [], []
    step = max(1, 4_000_000 // max(1, y_labels.shape[0]))
    for s in range(0, x_labels.shape[0], step):
        ix, iy = np.nonzero(np.einsum("xl,ly->xy", mx[s:s + step], my) == 0)
        out_x.append(ix + s)
        out_y.append(iy)
    if not out_x:
        return np.zeros(0, np.intp), np.zeros(0, np.intp)
    return np.concatenate(out_x), np.concatenate(out_y)


def _lex_equilibria(A, B, max_bases, work=None):
    """Extreme equilibria in exact arithmetic by the lrsnash scheme (:mod:`sim.solvers.lexnash`).

    Returns ``(xs, ys, degenerate)``: float rows of the normalised strategies (correctly rounded
    from the exact rational vertices) and whether some vertex visited has more tight labels than
    its dimension. With ``work`` (the "auto" route), the search is bounded by that many tableau
    entry updates (:data:`AUTO_LEX_WORK`) and by :data:`MAX_LEX_BASES` bases, and a refusal names
    the bound; by name ("lex") only ``max_bases`` bounds it.
    """
    from sim.solvers.lexnash import LexBoundError, lexnash_equilibria

    m, n = np.shape(A)
    if work is None:
        res = lexnash_equilibria(A, B, max_bases=max_bases)
        return res.xs, res.ys, res.degenerate
    try:
        res = lexnash_equilibria(A, B, max_bases=MAX_LEX_BASES, max_work=work)
    except LexBoundError as exc:
        raise SolverError(
            f"enummixed_solve(): vertices='auto' stopped the exact lexicographic route of this "
            f"{m}x{n} game at its {exc.bound} bound (AUTO_LEX_WORK={work:,} tableau entry "
            f"updates, MAX_LEX_BASES={MAX_LEX_BASES:,} bases; a few seconds compiled); call "
            f"enummixed_solve(game, vertices='lex', max_bases=...) to run it longer, or lcp_solve "
            "for one equilibrium; if the game is the reduced normal form of a two-player tree, "
            "seqenum_solve on the tree enumerates its extreme equilibria on the sequence form") from exc
    return res.xs, res.ys, res.degenerate


def extreme_equilibrium_pairs(A, B, tol: float = DEFAULT_TOL, vertices: str = "auto", pivot: bool = True,
                              max_bases: int = MAX_BASES):
    """Completely labelled vertex pairs of the best-response polytopes of ``(A, B)``.

    Returns ``(xs, ys, degenerate, route)``: rows of ``xs`` and ``ys`` are the (normalised) mixed
    strategies of the extreme equilibria; ``degenerate`` is True when some vertex has more tight
    labels than the dimension; ``route`` names the vertex enumeration used ("pivot", "hull",
    "bases", "lex", or "hull/bases" when the two polytopes took different routes). With
    ``vertices`` "auto" the pivoting route is tried first unless ``pivot`` is False (then the
    tolerance routes decide as they did before the pivoting and lexicographic routes, which the
    tests compare against).
    """
    A0, B0 = np.asarray(A, float), np.asarray(B, float)  # exact rationals are read off these
    if vertices == "lex":
        xs, ys, degenerate = _lex_equilibria(A0, B0, max_bases)
        return xs, ys, degenerate, "lex"
    A, B = _unit_range(np.asarray(A, float)), _unit_range(np.asarray(B, float))
    m, n = A.shape
    from sim.solvers import _mixed_jit

    if pivot and vertices == "auto" and m + n > _mixed_jit.MAX_LABELS:
        # Wide games: qhull in dozens of dimensions can run for hours; exact pivoting has a bound.
        xs, ys, degenerate = _lex_equilibria(A0, B0, max_bases, AUTO_LEX_WORK)
        return xs, ys, degenerate, "lex"
    if pivot and vertices == "auto" and m + n <= _mixed_jit.MAX_LABELS:
        # Pivoting first: it answers only when it has shown both polytopes simple, with every
        # slack that is not tight above PIVOT_MARGIN * tol, so the qhull route would count the
        # same labels and the game is nondegenerate. Otherwise today's routes decide, unchanged.
        status, xs, ys = _mixed_jit.pivot_equilibria(
            np.ascontiguousarray(A), np.ascontiguousarray(B), PIVOT_MARGIN * float(tol), float(tol))
        if status == _mixed_jit.PIVOT_OK:
            return xs, ys, False, "pivot"
        if status == _mixed_jit.PIVOT_TIE:
            # A tie within the margin: the game is (nearly) degenerate; exact pivoting decides.
            xs, ys, degenerate = _lex_equilibria(A0, B0, max_bases, AUTO_LEX_WORK)
            return xs, ys, degenerate, "lex"
    (G_P, h_P), (G_Q, h_Q) = _polytope_constraints(A, B)
    if pivot and vertices == "auto":
        # The hull route, and the lexicographic one where a polytope is found not simple.
        found_p = None if G_P.shape[1] < 2 else _vertices_by_hull(G_P, h_P, tol)
        found_q = None if G_Q.shape[1] < 2 else _vertices_by_hull(G_Q, h_Q, tol)
        if (found_p is None or found_q is None or np.any(found_p[2] > m) or np.any(found_q[2] > n)):
            xs, ys, degenerate = _lex_equilibria(A0, B0, max_bases, AUTO_LEX_WORK)
            return xs, ys, degenerate, "lex"
        (xv, xl, xk), (yv, yl, yk), route_p, route_q = found_p, found_q, "hull", "hull"
    else:
        (xv, xl, xk), route_p = _vertices(G_P, h_P, tol, vertices, max_bases)
        (yv, yl, yk), route_q = _vertices(G_Q, h_Q, tol, vertices, max_bases)
    degenerate = bool(xk.max(initial=0) > m or yk.max(initial=0) > n)
    ix, iy = _complete_pairs(xl, yl, m + n, simple=not degenerate)
    # Normalise to mixed strategies, dropping the pair of origins (the artificial equilibrium).
    xs, ys = _mixed_jit.normalised_pairs(xv, yv, ix, iy, float(tol))
    route = route_p if route_p == route_q else f"{route_p}/{route_q}"
    return xs, ys, degenerate, route


def maximal_nash_subsets(xs: np.ndarray, ys: np.ndarray, digits: int = 9) -> tuple[tuple[int, ...], ...]:
    """Maximal Nash subsets of a two-player game from its extreme equilibria ``(xs[t], ys[t])``.

    Extreme equilibria are interchangeable within a maximal Nash subset: it is ``conv(X) x
    conv(Y)`` for a maximal pair of sets of extreme strategies with every ``(x, y)`` in ``X x Y``
    an equilibrium, a maximal biclique of the bipartite graph whose edges are the extreme
    equilibria (Avis, Rosenberg, Savani and von Stengel 2010, section 6; Gambit's ``enummixed -c``
    and ``lrsnash`` report the same cliques). Every equilibrium is in the union of these sets.

    The closed sets of column strategies are the intersections of the neighbourhoods of the row
    strategies; they are built up one row strategy at a time (a closure under intersection, the
    bipartite form of Bron and Kerbosch's enumeration), and each gives one maximal biclique.

    Parameters
    ----------
    xs, ys : (E, m), (E, n) arrays
        The extreme equilibria, one per row. Strategies equal after rounding to ``digits``
        decimals are the same vertex.

    Returns
    -------
    tuple of tuple of int
        Per maximal subset, the indices ``t`` of the extreme equilibria in it, ascending; subsets
        sorted by their first index.

    Examples
    --------
    Matching pennies' one equilibrium, and a game where row's two strategies are both best
    replies to column's first, which is a best reply to either: one subset of two equilibria.

    >>> maximal_nash_subsets(np.array([[0.5, 0.5]]), np.array([[0.5, 0.5]]))
    ((0,),)
    >>> maximal_nash_subsets(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 0.0], [1.0, 0.0]]))
    ((0, 1),)
    """
    if len(xs) == 0:
        return ()
    xi, yi = _vertex_ids(xs, digits), _vertex_ids(ys, digits)
    neighbours: dict[int, int] = {}
    edge: dict[tuple[int, int], int] = {}
    for t, (a, b) in enumerate(zip(xi, yi)):
        neighbours[a] = neighbours.get(a, 0) | (1 << b)
        edge.setdefault((a, b), t)
    closed: set[int] = set()
    for nb in neighbours.values():
        closed |= {c & nb for c in closed if c & nb} | {nb}
    # Per closed set Y (rows of C), the row strategies adjacent to all of Y (X_in), then the
    # edges inside X x Y: three array operations for all closed sets at once, where a Python
    # loop over sets times strategies times edges cost most of the function on w_ex2.
    n_y = max(yi) + 1
    C = _bit_rows(list(closed), n_y)
    xi_, yi_ = np.array(xi, np.intp), np.array(yi, np.intp)
    adjacency = np.zeros((int(xi_.max()) + 1, n_y), np.int64)
    adjacency[xi_, yi_] = 1
    X_in = (C.astype(np.int64) @ adjacency.T) == C.sum(axis=1, keepdims=True)
    t_edge = np.array(sorted(edge.values()), np.intp)  # one edge per (x, y) pair, ascending
    a_edge, b_edge = xi_[t_edge], yi_[t_edge]
    member = X_in[:, a_edge] & C[:, b_edge]
    return tuple(sorted(tuple(t_edge[row].tolist()) for row in member))


def _vertex_ids(rows, digits: int) -> list[int]:
    """One id per row, equal for rows equal after rounding to ``digits`` decimals (first seen, first id)."""
    r = np.ascontiguousarray(np.round(np.asarray(rows, float), digits) + 0.0)
    if not np.isfinite(r).all():  # NaN rows compare as np.unique compares them
        return np.unique(r, axis=0, return_inverse=True)[1].ravel().tolist()
    ids: dict[bytes, int] = {}
    return [ids.setdefault(row.tobytes(), len(ids)) for row in r]


def _bit_rows(masks: list[int], width: int) -> np.ndarray:
    """Boolean ``(len(masks), width)`` matrix: bit ``b`` of ``masks[k]`` at ``[k, b]``."""
    size = (width + 7) // 8
    raw = np.frombuffer(b"".join(mk.to_bytes(size, "little") for mk in masks), np.uint8)
    return np.unpackbits(raw.reshape(len(masks), size), axis=1, count=width, bitorder="little").astype(np.bool_)


def enummixed_solve(game: NormalFormGame, tol: float = DEFAULT_TOL, vertices: str = "auto",
                    max_bases: int = MAX_BASES) -> SolverResult:
    """All extreme Nash equilibria of a two-player game by vertex enumeration.

    Enumerates the vertices of both best-response polytopes and pairs the completely labelled
    ones (Avis, Rosenberg, Savani and von Stengel 2010, section 3; von Stengel 2007, section 3.5).
    In a degenerate game the equilibria form convex components; the ones returned are their
    vertices (the extreme equilibria), and ``degenerate`` is set.

    Parameters
    ----------
    game : NormalFormGame
        A two-player game.
    tol : float
        Absolute tolerance for a constraint to count as tight, after each player's payoffs are
        mapped affinely onto ``[1, 2]``.
    vertices : {"auto", "lex", "hull", "bases"}
        How polytope vertices are enumerated: "lex" pivots in exact integer arithmetic over the
        lexicographic bases (Avis 2000, the ``lrs`` rule), enumerating one polytope and, per
        vertex, the face of the other with the complementary labels (lrsnash's scheme;
        :mod:`sim.solvers.lexnash`), correct on degenerate games with no tolerance, the payoffs
        read as rationals; "bases"
        solves every square subsystem (exhaustive, cost ``C(m + n, m)``); "hull" reads them off
        the facets of the polar polytope with qhull; "auto" first walks the vertex graph by
        compiled floating-point pivots (Avis and Fukuda 1992), which answers only when it finds
        both polytopes simple (no ratio-test tie within ``100 * tol``, no tiny pivot, at most 63
        labels); a tie, or more than 63 labels, sends the game to "lex"; otherwise "hull"
        decides, and "lex" again when the hull shows a degenerate polytope.
    max_bases : int
        Most square subsystems the "bases" route solves, or lexicographic bases the "lex" route
        visits in the enumerated polytope and in all faces of the other (default
        :data:`MAX_BASES`); a degenerate game needing more raises ``SolverError`` naming the
        bound instead of running for hours. When "auto" sends a game to the lexicographic route,
        other bounds apply instead: :data:`AUTO_LEX_WORK` tableau entry updates (a few seconds
        compiled) and :data:`MAX_LEX_BASES` bases, and the ``SolverError`` names the bound and
        points to ``vertices="lex"`` with a larger ``max_bases``, or to :func:`lcp_solve` for one
        equilibrium.

    Returns
    -------
    SolverResult
        ``method="enummixed"``, one certified :class:`Equilibrium` per extreme equilibrium, in
        no particular order; ``details["vertex_method"]`` names the route taken ("pivot",
        "hull", "bases", "lex", or "hull/bases" when the two polytopes took different routes);
        ``details["maximal_subsets"]`` lists the maximal Nash subsets as tuples of indices into
        ``equilibria`` (see :func:`maximal_nash_subsets`).

    Examples
    --------
    >>> from sim.game import NormalFormGame
    >>> bos = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    >>> result = enummixed_solve(bos)
    >>> sorted(tuple(round(float(p), 4) for p in e.profile[0]) for e in result.equilibria)
    [(0.0, 1.0), (0.6667, 0.3333), (1.0, 0.0)]
    >>> result.degenerate, result.max_regret < 1e-12, result.details["vertex_method"]
    (False, True, 'pivot')

    A degenerate game: row's second strategy ties with the first against column's first, so
    column's first strategy meets a whole segment of row strategies.

    >>> tie = NormalFormGame.from_bimatrix([[1, 0], [1, 1]], [[1, 0], [1, 0]])
    >>> result = enummixed_solve(tie, vertices="lex")
    >>> sorted(tuple(float(p) for p in e.profile[0]) for e in result.equilibria)
    [(0.0, 1.0), (1.0, 0.0)]
    >>> result.degenerate, result.details["maximal_subsets"]
    (True, ((0, 1),))
    """
    A, B = _check_bimatrix(game, "enummixed_solve")
    if not (isinstance(tol, (int, float)) and 0 < tol < 1e-3):
        raise SolverError(f"enummixed_solve(): tol must be a number in (0, 1e-3); got {tol!r}")
    if vertices not in _VERTEX_METHODS:
        raise SolverError(f"enummixed_solve(): vertices must be one of {_VERTEX_METHODS}; got {vertices!r}")
    if not isinstance(max_bases, (int, np.integer)) or max_bases < 1:
        raise SolverError(f"enummixed_solve(): max_bases must be a positive integer; got {max_bases!r}")
    xs, ys, degenerate, route = extreme_equilibrium_pairs(A, B, tol, vertices, max_bases=max_bases)
    # One batched certification: per-equilibrium certify calls cost ~0.1 ms each, more than the
    # bookkeeping of a 10x10 game; the regret is still measured on the game for every profile.
    equilibria = Equilibrium.certify_many(game, (xs, ys))
    details = {"vertex_method": route, "maximal_subsets": maximal_nash_subsets(xs, ys)}
    return SolverResult(
        "enummixed", game, equilibria, {"tol": tol, "vertices": vertices},
        complete=True, degenerate=degenerate, details=details,
    )


# ----- Lemke-Howson -------------------------------------------------------------------------------
def _lex_min_ratio(T: np.ndarray, col: int, lex_cols: range, tol: float) -> int:
    """Row of the lexicographic minimum ratio test for entering column ``col``.

    Ties in ``rhs / a`` are broken by the rows of the current basis inverse (the columns of the
    initial slack basis), divided by the same pivot entries; those rows are linearly independent,
    so exactly one row survives and the path never cycles (von Stengel 2007, section 3.7).
    """
    a = T[:, col]
    rows = np.flatnonzero(a > tol)
    if rows.size == 0:
        raise SolverError("lcp_solve(): unbounded ray in the Lemke-Howson path (internal error)")
    for c in (-1, *lex_cols):
        ratios = T[rows, c] / a[rows]
        best = ratios.min()
        rows = rows[ratios <= best + tol]
        if rows.size == 1:
            break
    return int(rows[0])


def _pivot(T: np.ndarray, basis: list, row: int, col: int) -> int:
    leaving = basis[row]
    T[row] /= T[row, col]
    factor = T[:, col].copy()
    factor[row] = 0.0
    T -= np.outer(factor, T[row])
    basis[row] = col
    return leaving


def lcp_solve(game: NormalFormGame, start: int = 0, max_pivots: int | None = None,
              tol: float = DEFAULT_TOL) -> SolverResult:
    """One Nash equilibrium of a two-player game by the Lemke-Howson algorithm.

    Complementary pivoting from the artificial equilibrium, dropping label ``start`` (Lemke and
    Howson 1964; von Stengel 2007, algorithm 3.6), with the lexicographic ratio test so that
    degenerate games are handled without cycling. The payoffs are mapped onto ``[1, 2]`` first.

    Parameters
    ----------
    game : NormalFormGame
        A two-player game with ``m`` and ``n`` actions.
    start : int
        The dropped label, ``0 .. m+n-1``: ``i < m`` is the row player's action ``i``, ``m + j``
        the column player's action ``j``.
    max_pivots : int, optional
        Safety bound on the path length (default ``50 * (m + n) + 1000``).
    tol : float
        Pivot and tie tolerance.

    Returns
    -------
    SolverResult
        ``method="lcp"`` with one certified equilibrium; ``details["pivots"]`` is the path length.

    Examples
    --------
    >>> from sim.game import NormalFormGame
    >>> bos = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    >>> eq = lcp_solve(bos, start=0).equilibria[0]
    >>> eq.pure_profile, eq.max_regret
    ((0, 0), 0.0)
    """
    A, B = _check_bimatrix(game, "lcp_solve")
    m, n = A.shape
    if isinstance(start, bool) or not isinstance(start, (int, np.integer)) or not 0 <= start < m + n:
        raise SolverError(f"lcp_solve(): start must be a label in 0..{m + n - 1}; got {start!r}")
    if max_pivots is None:
        max_pivots = 50 * (m + n) + 1000
    if not isinstance(max_pivots, (int, np.integer)) or max_pivots < 1:
        raise SolverError(f"lcp_solve(): max_pivots must be a positive integer; got {max_pivots!r}")
    A, B = _unit_range(A), _unit_range(B)
    # Column index == label in both tableaux. T1 holds A y + r = 1 (columns r_0..r_{m-1},
    # y_0..y_{n-1}, rhs); T2 holds B^T x + s = 1 (columns x_0..x_{m-1}, s_0..s_{n-1}, rhs).
    T1 = np.hstack([np.eye(m), A, np.ones((m, 1))])
    T2 = np.hstack([B.T, np.eye(n), np.ones((n, 1))])
    basis1, basis2 = list(range(m)), list(range(m, m + n))
    lex1, lex2 = range(0, m), range(m, m + n)
    entering = int(start)
    side = 2 if entering < m else 1  # x_k lives in T2, y_j in T1
    pivots = 0
    while True:
        if pivots >= max_pivots:
            raise SolverError(f"lcp_solve(): no equilibrium within max_pivots={max_pivots} pivots")
        if side == 1:
            row = _lex_min_ratio(T1, entering, lex1, tol)
            leaving = _pivot(T1, basis1, row, entering)
        else:
            row = _lex_min_ratio(T2, entering, lex2, tol)
            leaving = _pivot(T2, basis2, row, entering)
        pivots += 1
        if leaving == start:
            break
        # The variable with the same label as the one that left enters the other tableau.
        entering, side = leaving, (2 if side == 1 else 1)
    x, y = np.zeros(m), np.zeros(n)
    for r, var in enumerate(basis2):
        if var < m:
            x[var] = T2[r, -1]
    for r, var in enumerate(basis1):
        if var >= m:
            y[var - m] = T1[r, -1]
    eq = Equilibrium.certify(game, (x / x.sum(), y / y.sum()))
    return SolverResult(
        "lcp", game, (eq,), {"start": int(start), "max_pivots": int(max_pivots), "tol": tol},
        complete=True, details={"pivots": pivots},
    )
