"""Compiled vertex enumeration by pivoting and label bookkeeping (``sim.solvers.mixed``).

``pivot_equilibria`` enumerates the vertices of both best-response polytopes of a nondegenerate
game by pivoting over their bases (Avis and Fukuda 1992; labels as in von Stengel 2002) and
declines, with a status code, as soon as a polytope is not shown to be simple; the other kernels
serve the qhull route (labels of the hull's vertices, the polar points, the pair join).

Private: ``mixed.py`` imports this module inside the functions that need it, so that importing
``sim`` never pays for numba. Labels are bits of one ``uint64`` per vertex (bit ``k`` set when
inequality ``k`` of ``G z <= h`` is tight), so the callers use these kernels only for polytopes
with at most 63 inequalities; wider ones take the NumPy route in ``mixed.py``.

No ``fastmath``: feasibility and tightness are decided by comparing slacks with a tolerance, and
the result must not depend on the compiler reassociating sums.
"""

from __future__ import annotations

import numba
import numpy as np

MAX_LABELS = 63


@numba.njit(cache=True, nogil=True)
def label_vertices(points, G, h, tol):
    """Feasible, distinct vertices of ``{z : G z <= h}`` among ``points``, with their labels.

    Parameters
    ----------
    points : float64 (V, dim)
        Candidate vertices (from qhull's facets or from solved bases).
    G, h : float64 (L, dim), (L,)
        The inequalities, ``L <= 63``; row index == label.
    tol : float
        Slack ``h - G z`` below ``-tol`` makes a point infeasible; ``|slack| <= tol`` is tight.

    Returns
    -------
    keep : intp (K,)
        Indices into ``points`` of the feasible points, the first of each label set, ascending.
    masks : uint64 (K,)
        Tight labels of each kept point as bits.
    n_tight : intp (K,)
        Number of tight labels of each kept point.
    """
    V, dim = points.shape
    L = G.shape[0]
    masks = np.zeros(V, np.uint64)
    feasible = np.zeros(V, np.bool_)
    for v in range(V):
        mask = np.uint64(0)
        ok = True
        for r in range(L):
            dot = 0.0
            for k in range(dim):
                dot += G[r, k] * points[v, k]
            slack = h[r] - dot
            if slack < -tol:
                ok = False
                break
            if slack <= tol:
                mask |= np.uint64(1) << np.uint64(r)
        feasible[v] = ok
        masks[v] = mask
    cand = np.flatnonzero(feasible)
    # A vertex is determined by its tight set (full rank at a vertex), so points with equal label
    # sets are one vertex: keep the first. A stable sort puts the lowest index first in each group.
    order = np.argsort(masks[cand], kind="mergesort")
    first = np.zeros(cand.size, np.bool_)
    for t in range(order.size):
        if t == 0 or masks[cand[order[t]]] != masks[cand[order[t - 1]]]:
            first[order[t]] = True
    keep = cand[first]
    out_masks = masks[keep]
    n_tight = np.empty(keep.size, np.intp)
    for t in range(keep.size):
        c = 0
        x = out_masks[t]
        while x:
            x &= x - np.uint64(1)  # clears the lowest set bit
            c += 1
        n_tight[t] = c
    return keep, out_masks, n_tight


@numba.njit(cache=True, nogil=True)
def complete_pairs(x_masks, y_masks, n_labels, simple):
    """Index pairs ``(ix, iy)`` whose label sets cover ``0 .. n_labels-1`` (``n_labels <= 63``).

    With ``simple`` (every vertex has exactly as many labels as its dimension) a complete pair has
    complementary label sets, so each ``x`` has at most one partner, found by binary search in the
    sorted complements of the ``y`` masks (which must be distinct). Otherwise every pair is
    tested. ``ix`` is ascending; within one ``ix``, ``iy`` is ascending.
    """
    full = (np.uint64(1) << np.uint64(n_labels)) - np.uint64(1)
    nx, ny = x_masks.size, y_masks.size
    if simple:
        comp = np.empty(ny, np.uint64)
        for j in range(ny):
            comp[j] = full & ~y_masks[j]
        order = np.argsort(comp, kind="mergesort")
        sorted_comp = comp[order]
        ix = np.empty(nx, np.intp)
        iy = np.empty(nx, np.intp)
        count = 0
        for i in range(nx):
            pos = np.searchsorted(sorted_comp, x_masks[i])
            if pos < ny and sorted_comp[pos] == x_masks[i]:
                ix[count] = i
                iy[count] = order[pos]
                count += 1
        return ix[:count], iy[:count]
    cap = max(nx, ny, 16)
    ix = np.empty(cap, np.intp)
    iy = np.empty(cap, np.intp)
    count = 0
    for i in range(nx):
        for j in range(ny):
            if (x_masks[i] | y_masks[j]) == full:
                if count == cap:
                    cap *= 2
                    ix2 = np.empty(cap, np.intp)
                    iy2 = np.empty(cap, np.intp)
                    ix2[:count] = ix[:count]
                    iy2[:count] = iy[:count]
                    ix, iy = ix2, iy2
                ix[count] = i
                iy[count] = j
                count += 1
    return ix[:count], iy[:count]


@numba.njit(cache=True, nogil=True)
def polar_points(G, h):
    """Points whose convex hull is the polar of ``{z : G z <= h}`` about an interior point.

    The interior point is ``c * (1, ..., 1)`` with ``c`` half the largest value that keeps every
    row with positive coefficients satisfied (the rows ``-z_k <= 0`` hold for any ``c > 0``).
    Row ``k`` of the result is ``G_k / (h_k - G_k . center)``. Returns ``(polar, c)``.
    """
    rows, dim = G.shape
    c = np.inf
    sums = np.empty(rows)
    for r in range(rows):
        pos = 0.0
        total = 0.0
        for k in range(dim):
            total += G[r, k]
            if G[r, k] > 0.0:
                pos += G[r, k]
        sums[r] = total
        if pos > 0.0:
            c = min(c, h[r] / pos)
    c = 0.5 * c
    polar = np.empty((rows, dim))
    for r in range(rows):
        d = h[r] - c * sums[r]
        for k in range(dim):
            polar[r, k] = G[r, k] / d
    return polar, c


@numba.njit(cache=True, nogil=True)
def facet_vertices(equations, c):
    """Vertices ``center - normal / offset`` of the polytope from its polar's facet equations."""
    V = equations.shape[0]
    dim = equations.shape[1] - 1
    points = np.empty((V, dim))
    for v in range(V):
        off = -equations[v, dim]
        for k in range(dim):
            points[v, k] = c + equations[v, k] / off
    return points


@numba.njit(cache=True, nogil=True)
def normalised_pairs(xv, yv, ix, iy, tol):
    """Rows ``xv[ix]`` and ``yv[iy]`` each divided by its sum (mixed strategies).

    Pairs whose ``x`` sums to at most ``tol`` are dropped: the origin of P pairs only with the
    origin of Q, the artificial equilibrium, which is not a strategy profile.
    """
    K = ix.size
    m, n = xv.shape[1], yv.shape[1]
    xs = np.empty((K, m))
    ys = np.empty((K, n))
    count = 0
    for t in range(K):
        sx = 0.0
        for a in range(m):
            sx += xv[ix[t], a]
        sy = 0.0
        for b in range(n):
            sy += yv[iy[t], b]
        if sx <= tol or sy <= tol:
            continue
        for a in range(m):
            xs[count, a] = xv[ix[t], a] / sx
        for b in range(n):
            ys[count, b] = yv[iy[t], b] / sy
        count += 1
    return xs[:count], ys[:count]


# ----- vertex enumeration by pivoting (simple polytopes) -----------------------------------------
# Status codes of ``pivot_vertices`` and ``pivot_equilibria``. Anything but PIVOT_OK means "use the
# qhull route": the pivoting route only ever answers for polytopes it has shown to be simple.
PIVOT_OK = 0
PIVOT_TIE = 1         # a ratio-test tie: some vertex has more tight labels than the dimension
PIVOT_SMALL = 2       # a pivot element tiny against its column: too ill-conditioned to trust
PIVOT_UNBOUNDED = 3   # an edge with no leaving variable (cannot happen for positive payoffs)
PIVOT_TOO_WIDE = 4    # more labels than one uint64 holds
# Relative size below which a pivot element counts as tiny.
_PIVOT_REL = 1e-9
# Pivots (forward and back) between two rebuilds of the tableau from the original system.
REFACTOR_EVERY = 64


@numba.njit(cache=True, nogil=True)
def _pivot(T, row, col):
    """Gauss-Jordan pivot of the dense tableau ``T`` (rows x (labels + 1)) on ``T[row, col]``.

    Only the pivot row's non-zero entries are swept into the other rows: in a tableau the
    other basic columns are zero in that row, so about half of each row update is skipped.
    """
    rows, W = T.shape
    inv = 1.0 / T[row, col]
    nz = np.empty(W, np.int64)
    count = 0
    for k in range(W):
        if T[row, k] != 0.0:
            T[row, k] *= inv
            nz[count] = k
            count += 1
    T[row, col] = 1.0
    for r in range(rows):
        if r == row:
            continue
        f = T[r, col]
        if f != 0.0:
            for t in range(count):
                k = nz[t]
                T[r, k] -= f * T[row, k]
            T[r, col] = 0.0


@numba.njit(cache=True, nogil=True)
def _refactor(T, M, basis):
    """Rebuild the tableau of ``basis`` from the original system ``M`` (rows x (labels + 1)).

    Gauss-Jordan elimination on the basic columns with partial pivoting, so the tableau no longer
    carries the round-off of the pivot chain that led to it. ``basis`` is reordered in place to
    match the rows. Returns False when the basis matrix is numerically singular.
    """
    rows = T.shape[0]
    T[:, :] = M
    order = basis.copy()
    done = np.zeros(rows, np.bool_)
    for t in range(rows):
        col = order[t]
        best, brow = 0.0, -1
        for r in range(rows):
            if not done[r] and abs(T[r, col]) > best:
                best, brow = abs(T[r, col]), r
        if brow < 0 or best < 1e-12:
            return False
        _pivot(T, brow, col)
        done[brow] = True
        basis[brow] = col
    return True


@numba.njit(cache=True, nogil=True)
def _hash_slot(keys, key):
    """Slot of ``key`` in the open-addressing table ``keys`` (0 marks an empty slot)."""
    mask = keys.size - 1
    h = (key * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(40)
    i = np.int64(h) & mask
    while keys[i] != np.uint64(0) and keys[i] != key:
        i = (i + 1) & mask
    return i


@numba.njit(cache=True, nogil=True)
def _grown_keys(keys):
    new = np.zeros(keys.size * 2, np.uint64)
    for i in range(keys.size):
        if keys[i] != np.uint64(0):
            new[_hash_slot(new, keys[i])] = keys[i]
    return new


@numba.njit(cache=True, nogil=True)
def pivot_vertices(M, basis0, lo, hi, thresh):
    """Every vertex of a simple polytope by depth-first search over its bases.

    The polytope is ``{z >= 0 : M[:, :-1] z = M[:, -1]}`` in equality form (one column per
    label, the slack columns included), with ``basis0`` a feasible basis whose columns of ``M``
    form the identity (the origin: all slacks basic). From each vertex, every nonbasic variable
    enters in turn and the minimum-ratio test picks the leaving one: in a simple polytope that is
    exactly one edge per nonbasic index (Avis and Fukuda 1992; von Stengel 2002, section 3). A
    hash set of the nonbasic label sets (which are the vertices' labels) stops revisits.

    One dense tableau is pivoted forward into each new vertex and back out of it when the search
    returns (keeping a tableau per level of the search cost more in memory traffic than the
    pivots). Round-off of the pivot chain is bounded by rebuilding the tableau from ``M`` every
    ``REFACTOR_EVERY`` pivots.

    The search gives up, returning a status other than ``PIVOT_OK``, at the first ratio-test tie
    (a basic variable within ``thresh`` of 0 after the pivot, so a vertex has more tight labels
    than the dimension), at a pivot element below ``1e-9`` of its column's largest entry, or on
    an unbounded edge.

    Returns
    -------
    status : int
        ``PIVOT_OK`` or the reason for giving up.
    masks : uint64 (V,)
        Labels (nonbasic variables) of each vertex, distinct, in order of discovery.
    points : float64 (V, hi - lo)
        Values of the variables ``lo .. hi-1`` (the polytope's coordinates) at each vertex.
    """
    rows, W = M.shape
    L = W - 1
    dim = hi - lo
    masks = np.zeros(64, np.uint64)
    points = np.zeros((64, dim))
    if L > MAX_LABELS:
        return PIVOT_TOO_WIDE, masks[:0], points[:0]
    one = np.uint64(1)
    T = M.copy()
    basis = basis0.astype(np.int64)
    # The search stack: per level, the vertex's labels, the next column to try, and the pivot
    # (entered, left) that led into it, to undo on the way back.
    cap = 64
    nbmask = np.empty(cap, np.uint64)
    nxt = np.empty(cap, np.int64)
    entered = np.empty(cap, np.int64)
    left = np.empty(cap, np.int64)
    full = (one << np.uint64(L)) - one
    m0 = full
    for r in range(rows):
        m0 &= ~(one << np.uint64(basis[r]))
    nbmask[0] = m0
    nxt[0] = 0
    keys = np.zeros(256, np.uint64)
    keys[_hash_slot(keys, m0)] = m0
    masks[0] = m0
    for r in range(rows):
        b = basis[r]
        if lo <= b < hi:
            points[0, b - lo] = T[r, L]
    V = 1
    depth = 0
    since_refactor = 0
    while depth >= 0:
        mask = nbmask[depth]
        col = nxt[depth]
        while col < L and not (mask >> np.uint64(col)) & one:
            col += 1
        if col >= L:
            if depth > 0:  # back to the parent vertex: pivot the left variable back in
                back = entered[depth]
                row = 0
                while basis[row] != back:
                    row += 1
                _pivot(T, row, left[depth])
                basis[row] = left[depth]
                since_refactor += 1
            depth -= 1
            continue
        nxt[depth] = col + 1
        if since_refactor >= REFACTOR_EVERY:
            if not _refactor(T, M, basis):
                return PIVOT_SMALL, masks[:V], points[:V]
            since_refactor = 0
        # Minimum-ratio test for the entering column.
        best, brow, amax = np.inf, -1, 0.0
        for r in range(rows):
            a = T[r, col]
            if a > amax:
                amax = a
            if a > 0.0:
                ratio = T[r, L] / a
                if ratio < best:
                    best, brow = ratio, r
        if brow < 0:
            return PIVOT_UNBOUNDED, masks[:V], points[:V]
        if T[brow, col] < _PIVOT_REL * amax:
            return PIVOT_SMALL, masks[:V], points[:V]
        # Values of the other basic variables after the step: one within ``thresh`` of zero is a
        # tie in the ratio test, i.e. the neighbour is a degenerate vertex.
        for r in range(rows):
            if r != brow and T[r, col] > 0.0 and T[r, L] - T[r, col] * best < thresh:
                return PIVOT_TIE, masks[:V], points[:V]
        leaving = basis[brow]
        new = (mask & ~(one << np.uint64(col))) | (one << np.uint64(leaving))
        slot = _hash_slot(keys, new)
        if keys[slot] == new:
            continue
        keys[slot] = new
        if 2 * (V + 1) >= keys.size:
            keys = _grown_keys(keys)
        _pivot(T, brow, col)
        basis[brow] = col
        since_refactor += 1
        depth += 1
        if depth == cap:
            cap *= 2
            nbmask2 = np.empty(cap, np.uint64)
            nxt2 = np.empty(cap, np.int64)
            entered2 = np.empty(cap, np.int64)
            left2 = np.empty(cap, np.int64)
            nbmask2[:depth] = nbmask[:depth]
            nxt2[:depth] = nxt[:depth]
            entered2[:depth] = entered[:depth]
            left2[:depth] = left[:depth]
            nbmask, nxt, entered, left = nbmask2, nxt2, entered2, left2
        nbmask[depth] = new
        nxt[depth] = 0
        entered[depth] = col
        left[depth] = leaving
        if V == masks.size:
            masks2 = np.zeros(2 * V, np.uint64)
            points2 = np.zeros((2 * V, dim))
            masks2[:V] = masks
            points2[:V] = points
            masks, points = masks2, points2
        masks[V] = new
        for r in range(rows):
            b = basis[r]
            if lo <= b < hi:
                points[V, b - lo] = T[r, L]
        V += 1
    return PIVOT_OK, masks[:V], points[:V]


@numba.njit(cache=True, nogil=True)
def _tight_solution(G, h, mask, out):
    """Solve the square system of the rows of ``G z = h`` whose bits are set in ``mask``.

    Gaussian elimination with partial pivoting; writes ``z`` into ``out``. Returns False when
    the system is numerically singular (the caller then keeps the tableau's values).
    """
    L, dim = G.shape
    S = np.empty((dim, dim + 1))
    k = 0
    for r in range(L):
        if (mask >> np.uint64(r)) & np.uint64(1):
            if k == dim:
                return False
            S[k, :dim] = G[r]
            S[k, dim] = h[r]
            k += 1
    if k != dim:
        return False
    for c in range(dim):
        p, best = -1, 1e-13
        for r in range(c, dim):
            if abs(S[r, c]) > best:
                p, best = r, abs(S[r, c])
        if p < 0:
            return False
        if p != c:
            for j in range(dim + 1):
                S[c, j], S[p, j] = S[p, j], S[c, j]
        for r in range(c + 1, dim):
            f = S[r, c] / S[c, c]
            if f != 0.0:
                for j in range(c, dim + 1):
                    S[r, j] -= f * S[c, j]
    for c in range(dim - 1, -1, -1):
        s = S[c, dim]
        for j in range(c + 1, dim):
            s -= S[c, j] * out[j]
        out[c] = s / S[c, c]
    return True


@numba.njit(cache=True, nogil=True)
def polytope_tableaux(A, B):
    """Equality-form tableaux of P and Q with their all-slack starting bases.

    Columns are labels: in P's tableau ``B^T x + s = 1`` the columns are ``x_0..x_{m-1}`` (labels
    ``0..m-1``) then ``s_0..s_{n-1}`` (labels ``m..m+n-1``); in Q's ``A y + r = 1`` they are
    ``r_0..r_{m-1}`` then ``y_0..y_{n-1}``. The last column is the right-hand side.
    """
    m, n = A.shape
    L = m + n
    MP = np.zeros((n, L + 1))
    MQ = np.zeros((m, L + 1))
    for j in range(n):
        for i in range(m):
            MP[j, i] = B[i, j]
        MP[j, m + j] = 1.0
        MP[j, L] = 1.0
    for i in range(m):
        for j in range(n):
            MQ[i, m + j] = A[i, j]
        MQ[i, i] = 1.0
        MQ[i, L] = 1.0
    return MP, np.arange(m, L), MQ, np.arange(0, m)


@numba.njit(cache=True, nogil=True)
def polytope_inequalities(A, B):
    """``G z <= h`` of P and Q with row index == label (as ``mixed._polytope_constraints``)."""
    m, n = A.shape
    GP = np.zeros((m + n, m))
    GQ = np.zeros((m + n, n))
    hP = np.zeros(m + n)
    hQ = np.zeros(m + n)
    for i in range(m):
        GP[i, i] = -1.0
        for j in range(n):
            GP[m + j, i] = B[i, j]
            GQ[i, j] = A[i, j]
        hQ[i] = 1.0
    for j in range(n):
        GQ[m + j, j] = -1.0
        hP[m + j] = 1.0
    return GP, hP, GQ, hQ


@numba.njit(cache=True, nogil=True)
def pivot_equilibria(A, B, thresh, tol):
    """Extreme equilibria of a nondegenerate bimatrix game by pivoting vertex enumeration.

    ``A`` and ``B`` must already be positive (``mixed`` maps them onto ``[1, 2]``). Enumerates the
    vertices of P and Q with ``pivot_vertices``, joins the complementary label sets, recomputes
    each matched vertex from its label set (a fresh solve, free of pivot-chain round-off) and
    normalises. Returns ``(status, xs, ys)``; unless ``status == PIVOT_OK`` the polytopes were not
    shown to be simple and ``xs, ys`` are empty.
    """
    m, n = A.shape
    empty_x, empty_y = np.zeros((0, m)), np.zeros((0, n))
    if m + n > MAX_LABELS:
        return PIVOT_TOO_WIDE, empty_x, empty_y
    MP, bP, MQ, bQ = polytope_tableaux(A, B)
    status, xm, xv = pivot_vertices(MP, bP, 0, m, thresh)
    if status != PIVOT_OK:
        return status, empty_x, empty_y
    status, ym, yv = pivot_vertices(MQ, bQ, m, m + n, thresh)
    if status != PIVOT_OK:
        return status, empty_x, empty_y
    ix, iy = complete_pairs(xm, ym, m + n, True)
    GP, hP, GQ, hQ = polytope_inequalities(A, B)
    xsel = np.empty((ix.size, m))
    ysel = np.empty((iy.size, n))
    for t in range(ix.size):
        xsel[t] = xv[ix[t]]
        ysel[t] = yv[iy[t]]
        _tight_solution(GP, hP, xm[ix[t]], xsel[t])
        _tight_solution(GQ, hQ, ym[iy[t]], ysel[t])
    seq = np.arange(ix.size)
    xs, ys = normalised_pairs(xsel, ysel, seq, seq, tol)
    return PIVOT_OK, xs, ys
