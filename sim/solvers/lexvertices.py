"""Exact vertex enumeration of degenerate best-response polytopes by lexicographic pivoting.

Conventions. A polytope is given in *dictionary* form ``M z + s = d`` with ``z, s >= 0``, ``M``
a ``(k, dim)`` matrix of Python integers and ``d`` a positive integer vector: the ``dim + k``
variables are numbered so that variable ``v`` carries label ``v`` (``labels_of`` below maps the
two best-response polytopes of a bimatrix game onto this form). A vertex is reported by its tight
labels (the variables equal to zero there) and by its coordinates as exact integers over one
common positive denominator.

Method. The right-hand side is perturbed lexicographically, ``d + (eps, eps^2, ..., eps^k)``
in the slack basis, which makes the polytope simple without moving any vertex in the limit
(Dantzig, Orden and Wolfe 1955). Each lexicographically feasible basis of the perturbed polytope
is a vertex of it; every vertex of the original polytope is the limit of at least one of them, and
the graph of lexicographic bases linked by lexicographic-min-ratio pivots is connected (it is the
edge graph of a simple polytope). A depth-first search over that graph, pivoting back to the
parent on the way up, therefore visits every vertex, with one tableau in memory and a set of
visited bases. This is the lexicographic pivoting of ``lrs`` (Avis 2000), with a visited set in
place of reverse search's parent rule: simpler, at the cost of memory for the set of bases.

Arithmetic is exact and fraction-free: Edmonds' integer pivoting, as in ``lrs``, keeps the
tableau as integers over the determinant of the current basis, each entry updated by
``(t * p - c * r) // det`` with an exact division. Pivot elements are positive (the ratio test
picks positive entries), so the determinant stays positive and ratios compare by cross
multiplication. No tolerance decides a tie.

References
----------
D. Avis (2000), "lrs: a revised implementation of the reverse search vertex enumeration
algorithm", in Kalai and Ziegler (eds.), Polytopes - Combinatorics and Computation, 177-198.
D. Avis, G. Rosenberg, R. Savani and B. von Stengel (2010), "Enumeration of Nash equilibria for
two-player games", Economic Theory 42, 9-37 (lrsnash; section 3 for the polytopes).
G. B. Dantzig, A. Orden and P. Wolfe (1955), "The generalized simplex method for minimizing a
linear form under linear inequality restraints", Pacific J. Math. 5, 183-195 (lexicographic rule).
J. Edmonds (1967), "Systems of distinct representatives and linear algebra", J. Res. NBS 71B.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from sim.errors import SolverError

#: Most lexicographic bases the search visits per polytope before it refuses (about 20,000 a
#: second at dimension 9 to 27 in pure Python integers): a bound, not a hang.
MAX_LEX_BASES = 2_000_000


def integer_payoffs(matrix: np.ndarray, max_denominator: int = 10**6) -> np.ndarray:
    """Integer matrix ``a * matrix + b`` (``a > 0``) with every entry at least 1, as Python ints.

    Each float is read as its shortest decimal when that has at most 9 decimal places
    (``0.1594323`` is ``1594323/10**7``, as a Gambit file writes it), else as the simplest
    fraction with denominator at most ``max_denominator`` within ``1e-12`` of the magnitude
    scale (``0.3333333333333333`` is ``1/3``), else as its shortest decimal (Python's ``repr``
    of a float reads back as the same float). A positive affine map of one player's
    payoffs does not change the equilibria, and positive payoffs keep both polytopes bounded.

    Examples
    --------
    >>> integer_payoffs(np.array([[0.5, 1 / 3], [-1.0, 0.0]])).tolist()
    [[10, 9], [1, 7]]
    """
    values = np.asarray(matrix, dtype=float)
    if not np.all(np.isfinite(values)):
        raise SolverError("integer_payoffs(): payoffs must be finite; got a NaN or infinity")
    scale = max(1.0, float(np.abs(values).max(initial=0.0)))
    # Each distinct value is read once (payoff tables repeat a few values many times, and a
    # Fraction from a string costs microseconds); the lcm, the minimum and the gcd are the same
    # over the distinct values as over all entries.
    distinct, where = np.unique(values.ravel(), return_inverse=True)
    fracs = []
    for v in distinct.tolist():
        f = Fraction(repr(v))
        if f.denominator > 10**9:  # not a short decimal: a fraction such as 1/3, else the decimal
            g = Fraction(v).limit_denominator(max_denominator)
            f = g if abs(float(g) - v) <= 1e-12 * scale else f
        fracs.append(f)
    lcm = 1
    for f in fracs:
        lcm = lcm * f.denominator // math.gcd(lcm, f.denominator)
    ints = [f.numerator * (lcm // f.denominator) for f in fracs]
    lo = min(ints, default=0)
    g = 0
    for v in ints:
        g = math.gcd(g, v - lo)
    g = g or 1
    mapped = np.empty(len(ints), dtype=object)
    mapped[:] = [(v - lo) // g + 1 for v in ints]
    out = np.empty(values.shape, dtype=object)
    out.ravel()[:] = mapped[where.ravel()]
    return out


def _pivot(T: np.ndarray, det: int, row: int, col: int) -> int:
    """Edmonds' integer pivot of tableau ``T`` (object ints) on ``(row, col)``, in place.

    Every entry is a minor of the original matrix over the current determinant ``det``; the
    division is exact. Returns the new determinant (the pivot element, positive here).
    """
    p = T[row, col]
    r = T[row].copy()
    c = T[:, col].copy()
    c[row] = 0
    T *= p
    T -= np.outer(c, r)
    T //= det
    T[row] = r
    return p


def _lex_min_row(rows, col: int, rhs: int, lex_cols, cand) -> int:
    """Row of the lexicographic minimum ratio test for entering column ``col``.

    ``rows`` is the tableau as lists of ints, ``cand`` the rows with a positive entry in ``col``.
    Ratios ``rows[i][rhs] / rows[i][col]`` are compared by cross multiplication; ties are broken
    by the columns of the initial slack basis (the rows of the basis inverse), which are linearly
    independent, so one row is left.
    """
    for c in (rhs, *lex_cols):
        first = rows[cand[0]]
        best, bn, bd = [cand[0]], first[c], first[col]
        for i in cand[1:]:
            row = rows[i]
            n_, d_ = row[c], row[col]
            lhs, rhs_ = n_ * bd, bn * d_
            if lhs < rhs_:
                best, bn, bd = [i], n_, d_
            elif lhs == rhs_:
                best.append(i)
        if len(best) == 1:
            return best[0]
        cand = best
    raise SolverError("lex_vertices(): lexicographic ratio test left a tie (internal error: "
                      "the basis inverse is singular)")


def lex_vertices(M: np.ndarray, d: np.ndarray, slack_first: bool, max_bases: int = MAX_LEX_BASES):
    """Every vertex of ``{z >= 0 : M z <= d}`` (integers, ``d > 0``) by lexicographic pivoting.

    Parameters
    ----------
    M : object array (k, dim) of int
        Constraint matrix.
    d : object array (k,) of positive int
        Right-hand side; ``z = 0`` is a vertex.
    slack_first : bool
        Variable numbering (== labels): True numbers the ``k`` slacks ``0..k-1`` and ``z`` after
        them (the polytope ``Q`` of a bimatrix game); False numbers ``z`` first (``P``).
    max_bases : int
        Most lexicographic bases visited before ``SolverError`` is raised.

    Returns
    -------
    masks : list of int
        Tight labels of each vertex as the bits of a Python int, one entry per distinct vertex.
    points : list of tuple
        Per vertex, ``(numerators, denominator)``: the ``dim`` coordinates of ``z`` as integers
        over one positive integer.
    n_bases : int
        Lexicographic bases visited.

    Examples
    --------
    A square with a redundant, degenerate corner constraint (``z0 + z1 <= 2`` is tight only
    at ``(1, 1)``): four vertices, found from several bases.

    >>> M = np.array([[1, 0], [0, 1], [1, 1]], dtype=object)
    >>> masks, points, n_bases = lex_vertices(M, np.array([1, 1, 2], dtype=object), False)
    >>> sorted(tuple(Fraction(v, q) for v in num) for num, q in points)
    [(Fraction(0, 1), Fraction(0, 1)), (Fraction(0, 1), Fraction(1, 1)), (Fraction(1, 1), Fraction(0, 1)), (Fraction(1, 1), Fraction(1, 1))]
    """
    k, dim = M.shape
    N = k + dim
    T = np.empty((k, N + 1), dtype=object)
    eye = np.zeros((k, k), dtype=object)
    for i in range(k):
        eye[i, i] = 1
    if slack_first:
        slack_cols, z_cols = list(range(k)), list(range(k, N))
    else:
        z_cols, slack_cols = list(range(dim)), list(range(dim, N))
    T[:, slack_cols] = eye
    T[:, z_cols] = M
    T[:, N] = d
    basis = list(slack_cols)
    is_basic = [False] * N
    for v in basis:
        is_basic[v] = True
    det = 1
    z_index = {v: j for j, v in enumerate(z_cols)}

    seen_masks: dict[int, int] = {}
    points: list[tuple] = []

    def record():
        rhs = T[:, N]
        mask = 0
        for v in range(N):
            if not is_basic[v]:
                mask |= 1 << v
        for i, v in enumerate(basis):
            if rhs[i] == 0:
                mask |= 1 << v
        if mask in seen_masks:
            return
        num = [0] * dim
        for i, v in enumerate(basis):
            j = z_index.get(v)
            if j is not None:
                num[j] = rhs[i]
        g = det
        for v in num:
            g = math.gcd(g, v)
        seen_masks[mask] = len(points)
        points.append((tuple(v // g for v in num), det // g))

    def key():
        out = 0
        for v in basis:
            out |= 1 << v
        return out

    def neighbours():
        """``(key, row, col)`` of every lexicographic pivot out of the current basis."""
        rows = T.tolist()
        out = []
        for col in range(N):
            if is_basic[col]:
                continue
            cand = [i for i in range(k) if rows[i][col] > 0]
            if not cand:
                continue  # an unbounded edge: not in a polytope; the callers' data rule it out
            row = cand[0] if len(cand) == 1 else _lex_min_row(rows, col, N, slack_cols, cand)
            out.append((current ^ (1 << col) ^ (1 << basis[row]), row, col))
        return out

    current = key()
    visited = {current}
    record()
    # Each frame: [pivots out of the basis, next one to try, (row, variable) back to the parent].
    stack = [[neighbours(), 0, None]]
    while stack:
        frame = stack[-1]
        moves = frame[0]
        while frame[1] < len(moves):
            nxt, row, col = moves[frame[1]]
            frame[1] += 1
            if nxt in visited:
                continue
            if len(visited) >= max_bases:
                raise SolverError(
                    f"lex_vertices(): the polytope has more than max_bases={max_bases:,} lexicographic "
                    f"bases (dimension {dim}, {k} constraints); raise max_bases, or use lcp or logit "
                    "for one equilibrium")
            visited.add(nxt)
            leaving = basis[row]
            det = _pivot(T, det, row, col)
            basis[row] = col
            is_basic[col], is_basic[leaving] = True, False
            current = nxt
            record()
            stack.append([neighbours(), 0, (row, leaving)])
            break
        else:
            stack.pop()
            if frame[2] is not None:
                row, back = frame[2]
                entered = basis[row]
                det = _pivot(T, det, row, back)
                basis[row] = back
                is_basic[back], is_basic[entered] = True, False
                current = current ^ (1 << back) ^ (1 << entered)
    return list(seen_masks), points, len(visited)
