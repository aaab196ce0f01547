"""Compiled label bookkeeping for vertex enumeration (``sim.solvers.mixed``).

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
