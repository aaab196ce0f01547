"""Compiled subdivision exclusion test of :mod:`sim.solvers.poly`: which support profiles may hold an equilibrium.

A support profile is dropped before any path is tracked when no point of the closed product of its
simplices is an equilibrium: the exclusion-by-subdivision test Gambit's ``enumpoly`` applies
(McKelvey and McLennan 1996, section 6), here depth first (:func:`may_hold_equilibrium`); at depth
zero it is conditional strict dominance (Porter, Nudelman and Shoham 2008, "Simple search methods
for finding a Nash equilibrium", Games and Economic Behavior 63). The NumPy reference, breadth
first, is :func:`sim.solvers._poly_reference.may_hold_equilibrium`. The layout of payoffs and
supports is that of :mod:`sim.solvers._poly_jit`, and so is the caveat on numba's cache.
"""

from __future__ import annotations

import numba
import numpy as np

from sim.solvers._poly_jit import JIT, gather_support


@numba.njit(**JIT)
def _tables_excluded(n_players, shape, k, W, glen, top, margin, witness, last, skip):
    """Exclusion test of one cell (a product of simplices, one per player over its support) from
    its vertex-value tables: ``W[top, i, b * glen[i] + v]`` is ``u_i(b, .)`` at vertex tuple ``v``
    of the others.

    Player ``i``'s payoff ``u_i(b, x_-i)`` is multilinear, so on the cell it is a convex
    combination of its values at the vertex tuples; the cell holds no equilibrium when some action
    ``b`` beats a support action ``a`` by more than ``margin`` at every vertex tuple.

    The verdict is a disjunction over the pairs ``(i, b, a)`` of conjunctions over the tuples, so
    the order of both scans is free, and two hints from the previous cells of the same support
    only reorder them: the pair that excluded the last excluded cell (``last``, ``(i, b, a)``,
    ``i = -1`` for none) is tried first, and every other pair first checks the tuple where its last
    scan failed (``witness[i, b, a]``), since neighbouring cells are mostly excluded by the same
    pair and fail on the same tuples. Both must be reset for each support (the tables' lengths
    change). A pair fails at a tuple whose gap is ``<= margin`` (a NaN gap does not fail it, as
    when the smallest gap was taken with ``<`` and compared with ``margin``).

    The pairs of player ``skip`` are not scanned: a cell is bisected only when every pair failed
    on it, and player ``j``'s table does not change at a bisection along ``j``, so in the children
    of such a bisection ``j``'s pairs fail again on the same tuples (``skip = -1`` for the root).
    """
    li = last[0]
    lb = last[1]
    la = last[2]
    if li >= 0 and li != skip:
        size = glen[li]
        ok = True
        for q in range(size):
            if W[top, li, lb * size + q] - W[top, li, la * size + q] <= margin:
                ok = False
                break
        if ok:
            return True
    for i in range(n_players):
        if i == skip:
            continue
        size = glen[i]
        for b in range(shape[i]):
            for a in range(k[i]):
                if a == b or (i == li and b == lb and a == la):
                    continue
                w = witness[i, b, a]
                if W[top, i, b * size + w] - W[top, i, a * size + w] <= margin:
                    continue
                ok = True
                for q in range(size):
                    if W[top, i, b * size + q] - W[top, i, a * size + q] <= margin:
                        witness[i, b, a] = q
                        ok = False
                        break
                if ok:
                    last[0] = i
                    last[1] = b
                    last[2] = a
                    return True
    return False


@numba.njit(**JIT)
def _bisect(cells, W, top, j, p_, q_, k, shape, glen, n_players, n_max):
    """Split the cell at ``top`` of the stack along the edge between vertices ``p_`` and ``q_`` of
    player ``j``'s simplex: vertex ``q_`` is replaced by the midpoint (the child stays at ``top``)
    and vertex ``p_`` in the copy pushed at ``top + 1``; the payoff tables ``W`` follow."""
    for jj in range(n_players):
        for r in range(k[jj]):
            for c in range(k[jj]):
                cells[top + 1, jj, r, c] = cells[top, jj, r, c]
    for c in range(k[j]):
        mid = 0.5 * (cells[top, j, p_, c] + cells[top, j, q_, c])
        cells[top, j, q_, c] = mid
        cells[top + 1, j, p_, c] = mid
    # The children's tables from the parent's, without contracting again: u_i is linear
    # in player j's strategy, so its value at a tuple with the new midpoint vertex is the
    # mean of its values with vertices p and q (player j's own table does not depend on j).
    for i in range(n_players):
        n = shape[i] * glen[i]
        for q in range(n):
            W[top + 1, i, q] = W[top, i, q]
    for i in range(n_players):
        if i == j:
            continue
        suf = 1                 # the stride of player j's vertex in player i's tables
        for l in range(j + 1, n_players):
            if l != i:
                suf *= k[l]
        n = shape[i] * glen[i]
        step = k[j] * suf
        dp = p_ * suf
        dq = q_ * suf
        # plain loops without divisions; the innermost player's vertex (stride 1) apart, where an
        # inner loop of one iteration cost a third of the bisection
        if suf == 1:
            for base in range(0, n, step):
                mid = 0.5 * (W[top, i, base + dp] + W[top, i, base + dq])
                W[top + 1, i, base + dp] = mid
                W[top, i, base + dq] = mid
        else:
            for base in range(0, n, step):
                for ss in range(suf):
                    mid = 0.5 * (W[top, i, base + dp + ss] + W[top, i, base + dq + ss])
                    W[top + 1, i, base + dp + ss] = mid
                    W[top, i, base + dq + ss] = mid


@numba.njit(**JIT)
def may_hold_equilibrium(u, strides, shape, sup_k, sup_acts, margin, max_depth, max_cells):
    """For each support profile: False only when no profile of its closed product of simplices is
    an equilibrium (the subdivision exclusion test, depth first).

    Each cell carries its vertex-value tables (every player's payoff at every vertex tuple of the
    others), updated from the parent's at each bisection by linearity (see below) rather than
    contracted again from the payoffs, and tested by :func:`_tables_excluded`. A cell that is not
    excluded is bisected along the longest edge of one active player's simplex (players with more
    than one support action, in turn by depth) unless it is at ``max_depth``;
    a support with a cell surviving at ``max_depth``, or needing more than ``max_cells[q]`` cells, is
    kept. The test is sound: it never drops a support holding an equilibrium. With
    ``max_depth=0`` it is conditional strict dominance (Porter, Nudelman and Shoham 2008).

    In the gathered payoffs of a support, player ``i``'s own actions are ordered support first,
    so that support action ``a`` is row ``a``.
    """
    Q = sup_k.shape[0]
    n_players = shape.shape[0]
    n_max = sup_acts.shape[2]
    keep = np.zeros(Q, dtype=np.bool_)
    big = 1
    for j in range(n_players):
        big *= shape[j]
    gathered = np.zeros((n_players, big), dtype=np.float64)
    glen = np.zeros(n_players, dtype=np.int64)
    cells = np.zeros((max_depth + 2, n_players, n_max, n_max))
    W = np.zeros((max_depth + 2, n_players, big))
    depth = np.zeros(max_depth + 2, dtype=np.int64)
    split = np.zeros(max_depth + 2, dtype=np.int64)   # the player bisected to make each cell
    own = np.zeros(n_max, dtype=np.int64)
    cnt = np.zeros(n_players, dtype=np.int64)
    active = np.zeros(n_players, dtype=np.int64)
    witness = np.zeros((n_players, n_max, n_max), dtype=np.int64)   # see _tables_excluded
    last = np.zeros(3, dtype=np.int64)
    for qi in range(Q):
        k = sup_k[qi]
        acts = sup_acts[qi]
        n_active = 0
        for j in range(n_players):
            if k[j] > 1:
                active[n_active] = j
                n_active += 1
        # gather each player's payoffs: own action (support first), then others' support profiles
        gather_support(u, strides, shape, k, acts, own, gathered, glen, cnt)
        # depth-first over cells; the root cell is each player's whole support simplex, whose
        # vertex tuples are the pure profiles of the support: its tables are the payoffs
        for j in range(n_players):
            for r in range(n_max):
                for c in range(n_max):
                    cells[0, j, r, c] = 1.0 if r == c else 0.0
        for i in range(n_players):
            for q in range(shape[i] * glen[i]):
                W[0, i, q] = gathered[i, q]
        depth[0] = 0
        split[0] = -1
        witness[:] = 0
        last[0] = -1
        top = 0
        tested = 0
        kept = False
        while top >= 0:
            d = depth[top]
            tested += 1
            if _tables_excluded(n_players, shape, k, W, glen, top, margin, witness, last, split[top]):
                top -= 1
                continue
            if d >= max_depth or n_active == 0 or tested + 2 > max_cells[qi]:
                kept = True
                break
            j = active[d % n_active]
            kj = k[j]
            # longest edge (first in row-major order among equals, as the NumPy reference)
            best = -1.0
            p_ = 0
            q_ = 0
            for p in range(kj):
                for q in range(kj):
                    dist = 0.0
                    for c in range(kj):
                        diff = cells[top, j, p, c] - cells[top, j, q, c]
                        dist += diff * diff
                    if dist > best:
                        best = dist
                        p_ = p
                        q_ = q
            # two children: vertex q replaced by the midpoint (stays at `top`), vertex p replaced
            # (pushed on top, so tested next)
            _bisect(cells, W, top, j, p_, q_, k, shape, glen, n_players, n_max)
            depth[top] = d + 1
            depth[top + 1] = d + 1
            split[top] = j
            split[top + 1] = j
            top += 1
        keep[qi] = kept
    return keep
