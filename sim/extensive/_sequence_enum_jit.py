"""Compiled vertex enumeration of the sequence-form polyhedra and the complementary join.

Private: :mod:`sim.extensive.sequence_enum` imports this module inside the function that needs
it, so importing ``sim`` never pays for numba. A polyhedron is ``{z : M z = h, z[:L] >= 0}``
with the columns from ``L`` on free (always basic); column ``j < L`` carries label ``j``.

``lex_vertices`` walks the graph of lexicographically feasible bases (the right-hand side
perturbed along the columns of the starting basis, von Stengel 2007, section 3.7; Avis 2000) by
a depth-first search that pivots forward into an unvisited basis and back to its parent on the
way up, with one dense tableau in memory: each pivot costs ``R * V`` operations, not the
``R**2 * V`` of solving a basis afresh. The tableau is rebuilt from ``M`` every
``refresh`` pivots, forward or back (and whenever a basic nonnegative value has drifted below ``-100 tol``), so
round-off never accumulates over more than a few hundred pivots; a pivot element below
:data:`SMALL_PIVOT` is re-checked on a rebuilt tableau first (it may be a zero grown by round-off). Visited bases and distinct
vertices are kept in open-addressing hash tables whose keys are bit masks (one ``uint64`` word
per 64 columns or labels), compared word by word: no hash collision can merge two bases.

A vertex is identified by its label set (the nonnegative variables at zero: at a vertex the
tight constraints fix the point); its first basis is kept so that the caller can solve afresh
for the point of the few vertices that are joined.

No ``fastmath``: tightness and the ratio test compare with a tolerance, and the result must not
depend on the compiler reassociating sums.
"""

from __future__ import annotations

import numba
import numpy as np

#: Pivot elements below this are re-checked on a tableau rebuilt from the original matrix before
#: :func:`lex_vertices` pivots on them (round-off over a few dozen pivots can lift a zero entry past
#: the tolerance of the ratio test, and a pivot on it makes the basis singular).
SMALL_PIVOT = 1e-6

#: Status codes of :func:`lex_vertices`.
OK, TOO_MANY_BASES, SINGULAR = 0, 1, 2


@numba.njit(cache=True, nogil=True)
def _pivot(T, row, col):
    R, C = T.shape
    piv = T[row, col]
    for k in range(C):
        T[row, k] /= piv
    for r in range(R):
        if r == row:
            continue
        f = T[r, col]
        if f == 0.0:
            continue
        for k in range(C):
            v = T[row, k]
            if v != 0.0:
                T[r, k] -= f * v
        T[r, col] = 0.0


@numba.njit(cache=True, nogil=True)
def _tableau(M, h, basis, T, row_var, var_row):
    """``T = M_B^{-1} [M | h]`` by Gauss-Jordan with partial pivoting over the basis columns in
    order; fills ``row_var`` and ``var_row`` (``-1`` for nonbasic). False when singular."""
    R, V = M.shape
    for r in range(R):
        for k in range(V):
            T[r, k] = M[r, k]
        T[r, V] = h[r]
    for k in range(V):
        var_row[k] = -1
    free = np.ones(R, dtype=np.bool_)
    for b in basis:
        best, row = 0.0, -1
        for r in range(R):
            if free[r] and abs(T[r, b]) > best:
                best, row = abs(T[r, b]), r
        if row < 0 or best <= 1e-11:
            return False
        _pivot(T, row, b)
        row_var[row] = b
        var_row[b] = row
        free[row] = False
    return True


@numba.njit(cache=True, nogil=True)
def _lex_min_ratio(T, col, row_var, n_labels, lex_cols, tol, cand, val):
    """Row of the lexicographic minimum-ratio test for entering column ``col``, or -1 (a ray).

    Rows of free variables take no part. Ties in ``rhs / a`` are broken by the starting basis's
    columns divided by the same entries (rows of an invertible matrix: one row survives)."""
    R, C = T.shape
    V = C - 1
    n = 0
    lo = np.inf
    for r in range(R):
        a = T[r, col]
        if row_var[r] < n_labels and a > tol:
            cand[n] = r
            v = T[r, V] / a
            val[n] = v
            if v < lo:
                lo = v
            n += 1
    if n <= 1:
        return cand[0] if n == 1 else -1
    k = 0
    while True:
        m = 0
        for i in range(n):
            if val[i] <= lo + tol:
                cand[m] = cand[i]
                m += 1
        n = m
        if n == 1 or k == len(lex_cols):
            return cand[0]
        c = lex_cols[k]
        lo = np.inf
        for i in range(n):
            r = cand[i]
            v = T[r, c] / T[r, col]
            val[i] = v
            if v < lo:
                lo = v
        k += 1


@numba.njit(cache=True, nogil=True)
def _hash(words):
    x = np.uint64(0x9E3779B97F4A7C15)
    for w in words:
        x ^= w + np.uint64(0x9E3779B97F4A7C15) + (x << np.uint64(6)) + (x >> np.uint64(2))
        x ^= x >> np.uint64(31)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(29)
    return x


@numba.njit(cache=True, nogil=True)
def _lookup(keys, used, key):
    """Slot of ``key`` in the table, or of the empty slot where it would go."""
    cap = used.shape[0]
    W = key.shape[0]
    s = np.int64(_hash(key) & np.uint64(cap - 1))
    while used[s]:
        same = True
        for w in range(W):
            if keys[s, w] != key[w]:
                same = False
                break
        if same:
            return s
        s = (s + 1) & (cap - 1)
    return s


@numba.njit(cache=True, nogil=True)
def _grow(keys, used, vals):
    cap = used.shape[0] * 2
    nk = np.zeros((cap, keys.shape[1]), dtype=np.uint64)
    nu = np.zeros(cap, dtype=np.bool_)
    nv = np.zeros(cap, dtype=np.int64)
    for s in range(used.shape[0]):
        if used[s]:
            t = _lookup(nk, nu, keys[s])
            nk[t] = keys[s]
            nu[t] = True
            nv[t] = vals[s]
    return nk, nu, nv


@numba.njit(cache=True, nogil=True)
def _record_vertex(T, var_row, V, n_labels, tol, bmask, lab, vkeys, vused, vvals, labels, vbases, tight_n, n_vert):
    """Store the vertex of the current basis when it is new: its label mask (``lab``, a work
    array), the basis ``bmask`` that reached it and its count of tight labels, growing the hash
    table and the vertex arrays as needed. Returns the (possibly new) arrays and the vertex count."""
    LW = lab.shape[0]
    BW = bmask.shape[0]
    for w in range(LW):
        lab[w] = 0
    nt = 0
    for j in range(n_labels):
        r = var_row[j]
        if r < 0 or abs(T[r, V]) <= tol:
            lab[j // 64] |= np.uint64(1) << np.uint64(j % 64)
            nt += 1
    if 2 * (n_vert + 1) > vused.shape[0]:
        vkeys, vused, vvals = _grow(vkeys, vused, vvals)
    s = _lookup(vkeys, vused, lab)
    if not vused[s]:
        vkeys[s] = lab
        vused[s] = True
        vvals[s] = n_vert
        if n_vert == labels.shape[0]:
            grown = np.zeros((2 * n_vert, LW), dtype=np.uint64)
            grown[:n_vert] = labels
            labels = grown
            grown = np.zeros((2 * n_vert, BW), dtype=np.uint64)
            grown[:n_vert] = vbases
            vbases = grown
            gt = np.zeros(2 * n_vert, dtype=np.int64)
            gt[:n_vert] = tight_n
            tight_n = gt
        labels[n_vert] = lab
        vbases[n_vert] = bmask
        tight_n[n_vert] = nt
        n_vert += 1
    return vkeys, vused, vvals, labels, vbases, tight_n, n_vert


@numba.njit(cache=True, nogil=True)
def _group_counts(var_row, slack_group, n_groups):
    """Nonbasic slacks per group."""
    nb_count = np.zeros(max(n_groups, 1), dtype=np.int64)
    if n_groups > 0:
        for j in range(slack_group.shape[0]):
            if slack_group[j] >= 0 and var_row[j] < 0:
                nb_count[slack_group[j]] += 1
    return nb_count


@numba.njit(cache=True, nogil=True)
def lex_vertices(M, h, n_labels, basis0, lex_cols, tol, max_bases, refresh, slack_group, n_groups):
    """Every vertex of ``{z : M z = h, z[:n_labels] >= 0}`` reachable from the feasible basis
    ``basis0`` (columns ``n_labels..`` free, all in ``basis0``).

    Returns ``(status, labels, bases, n_tight, n_bases, pivots)``: ``status`` is :data:`OK`,
    :data:`TOO_MANY_BASES` (more than ``max_bases`` bases, the search stopped) or
    :data:`SINGULAR` (the starting basis); ``labels`` ``(K, ceil(n_labels / 64))`` and ``bases``
    ``(K, ceil(V / 64))`` the label mask and the first basis mask of each distinct vertex;
    ``n_tight`` its number of tight labels.

    With ``n_groups > 0`` only the bases where every group of slacks (``slack_group[j]``: the
    group of label ``j``'s slack, ``-1`` for none) has a nonbasic member are visited, and a
    slack enters only if another of its group stays nonbasic: the search keeps to the vertices
    where each of the opponent's information sets has a tight row
    (:func:`sim.extensive.sequence_enum._slack_groups`).
    """
    R, V = M.shape
    LW = (n_labels + 63) // 64
    BW = (V + 63) // 64
    T = np.empty((R, V + 1))
    row_var = np.empty(R, dtype=np.int64)
    var_row = np.empty(V, dtype=np.int64)
    cand = np.empty(R, dtype=np.int64)
    val = np.empty(R)
    empty_l = np.zeros((0, LW), dtype=np.uint64)
    empty_b = np.zeros((0, BW), dtype=np.uint64)
    empty_t = np.zeros(0, dtype=np.int64)
    if not _tableau(M, h, basis0, T, row_var, var_row):
        return SINGULAR, empty_l, empty_b, empty_t, 0, 0
    nb_count = _group_counts(var_row, slack_group, n_groups)
    bmask = np.zeros(BW, dtype=np.uint64)
    for b in basis0:
        bmask[b // 64] |= np.uint64(1) << np.uint64(b % 64)
    # Visited bases.
    bcap = 1024
    bkeys = np.zeros((bcap, BW), dtype=np.uint64)
    bused = np.zeros(bcap, dtype=np.bool_)
    bvals = np.zeros(bcap, dtype=np.int64)
    s = _lookup(bkeys, bused, bmask)
    bkeys[s] = bmask
    bused[s] = True
    n_bases = 1
    # Distinct vertices.
    vcap = 1024
    vkeys = np.zeros((vcap, LW), dtype=np.uint64)
    vused = np.zeros(vcap, dtype=np.bool_)
    vvals = np.zeros(vcap, dtype=np.int64)
    labels = np.zeros((256, LW), dtype=np.uint64)
    vbases = np.zeros((256, BW), dtype=np.uint64)
    tight_n = np.zeros(256, dtype=np.int64)
    n_vert = 0
    lab = np.zeros(LW, dtype=np.uint64)
    key = np.zeros(BW, dtype=np.uint64)
    # Depth-first search: per level the variable that entered, the one that left, and the next
    # column to try at the parent.
    st_in = np.zeros(64, dtype=np.int64)
    st_out = np.zeros(64, dtype=np.int64)
    st_next = np.zeros(64, dtype=np.int64)
    depth = 0
    next_col = 0
    pivots = 0
    since = 0
    record = True
    while True:
        if record:
            # The vertex of the current basis: its label mask, stored when new.
            vkeys, vused, vvals, labels, vbases, tight_n, n_vert = _record_vertex(
                T, var_row, V, n_labels, tol, bmask, lab, vkeys, vused, vvals, labels, vbases, tight_n, n_vert)
            record = False
        moved = False
        c = next_col
        back = st_out[depth - 1] if depth > 0 else -1  # entering it leads back to the parent
        while c < n_labels:
            if var_row[c] < 0 and c != back and (n_groups == 0 or slack_group[c] < 0
                                                 or nb_count[slack_group[c]] > 1):
                row = _lex_min_ratio(T, c, row_var, n_labels, lex_cols, tol, cand, val)
                if row >= 0 and abs(T[row, c]) < SMALL_PIVOT and since > 0:
                    # A small pivot may be a zero grown by round-off: decide on a fresh tableau.
                    basis = np.empty(R, dtype=np.int64)
                    for r in range(R):
                        basis[r] = row_var[r]
                    if not _tableau(M, h, basis, T, row_var, var_row):
                        return SINGULAR, labels[:n_vert], vbases[:n_vert], tight_n[:n_vert], n_bases, pivots
                    since = 0
                    row = _lex_min_ratio(T, c, row_var, n_labels, lex_cols, tol, cand, val)
                if row >= 0:
                    out = row_var[row]
                    for w in range(BW):
                        key[w] = bmask[w]
                    key[out // 64] &= ~(np.uint64(1) << np.uint64(out % 64))
                    key[c // 64] |= np.uint64(1) << np.uint64(c % 64)
                    if 2 * (n_bases + 1) > bcap:
                        bkeys, bused, bvals = _grow(bkeys, bused, bvals)
                        bcap = bused.shape[0]
                    s = _lookup(bkeys, bused, key)
                    if not bused[s]:
                        bkeys[s] = key
                        bused[s] = True
                        n_bases += 1
                        if n_bases > max_bases:
                            return TOO_MANY_BASES, labels[:n_vert], vbases[:n_vert], tight_n[:n_vert], n_bases, pivots
                        if depth == st_in.shape[0]:
                            st_in = np.concatenate((st_in, np.zeros(depth, dtype=np.int64)))
                            st_out = np.concatenate((st_out, np.zeros(depth, dtype=np.int64)))
                            st_next = np.concatenate((st_next, np.zeros(depth, dtype=np.int64)))
                        st_in[depth] = c
                        st_out[depth] = out
                        st_next[depth] = c + 1
                        depth += 1
                        if n_groups > 0:
                            if slack_group[c] >= 0:
                                nb_count[slack_group[c]] -= 1
                            if out < n_labels and slack_group[out] >= 0:
                                nb_count[slack_group[out]] += 1
                        _pivot(T, row, c)
                        row_var[row] = c
                        var_row[c] = row
                        var_row[out] = -1
                        for w in range(BW):
                            bmask[w] = key[w]
                        pivots += 1
                        since += 1
                        moved = True
                        break
            c += 1
        if moved:
            drift = False
            for r in range(R):
                if row_var[r] < n_labels and T[r, V] < -100.0 * tol:
                    drift = True
            if since >= refresh or drift:
                basis = np.empty(R, dtype=np.int64)
                for r in range(R):
                    basis[r] = row_var[r]
                if not _tableau(M, h, basis, T, row_var, var_row):
                    return SINGULAR, labels[:n_vert], vbases[:n_vert], tight_n[:n_vert], n_bases, pivots
                since = 0
            next_col = 0
            record = True
            continue
        if depth == 0:
            break
        # Back to the parent: the variable that left re-enters where the one that entered sits.
        depth -= 1
        c, out = st_in[depth], st_out[depth]
        if n_groups > 0:
            if slack_group[c] >= 0:
                nb_count[slack_group[c]] += 1
            if out < n_labels and slack_group[out] >= 0:
                nb_count[slack_group[out]] -= 1
        row = var_row[c]
        _pivot(T, row, out)
        row_var[row] = out
        var_row[out] = row
        var_row[c] = -1
        bmask[c // 64] &= ~(np.uint64(1) << np.uint64(c % 64))
        bmask[out // 64] |= np.uint64(1) << np.uint64(out % 64)
        pivots += 1
        since += 1
        if since >= refresh:
            # Backtracking pivots count too: a long way back up must not carry round-off that
            # lets an entry that is zero pass the ratio test as a pivot.
            basis = np.empty(R, dtype=np.int64)
            for r in range(R):
                basis[r] = row_var[r]
            if not _tableau(M, h, basis, T, row_var, var_row):
                return SINGULAR, labels[:n_vert], vbases[:n_vert], tight_n[:n_vert], n_bases, pivots
            since = 0
        next_col = st_next[depth]
    return OK, labels[:n_vert], vbases[:n_vert], tight_n[:n_vert], n_bases, pivots


@numba.njit(cache=True, nogil=True)
def complementary_pairs(lab0, lab1, n_labels):
    """Index pairs ``(i, j)`` with every label tight at ``lab0[i]`` or at ``lab1[j]``.

    Label ``l``'s column is the bit set of the vertices of the second list where ``l`` is tight;
    the partners of ``i`` are the AND of the columns of the labels ``i`` misses, stopped as soon
    as it is empty: a few words per label instead of a comparison per pair of vertices.
    """
    n0, n1 = lab0.shape[0], lab1.shape[0]
    QW = (n1 + 63) // 64
    cols = np.zeros((n_labels, QW), dtype=np.uint64)
    for j in range(n1):
        for l in range(n_labels):
            if (lab1[j, l // 64] >> np.uint64(l % 64)) & np.uint64(1):
                cols[l, j // 64] |= np.uint64(1) << np.uint64(j % 64)
    all_q = np.zeros(QW, dtype=np.uint64)
    for j in range(n1):
        all_q[j // 64] |= np.uint64(1) << np.uint64(j % 64)
    acc = np.zeros(QW, dtype=np.uint64)
    cap = 64
    out = np.zeros((cap, 2), dtype=np.int64)
    n = 0
    for i in range(n0):
        for w in range(QW):
            acc[w] = all_q[w]
        alive = n1 > 0
        for l in range(n_labels):
            if not alive:
                break
            if (lab0[i, l // 64] >> np.uint64(l % 64)) & np.uint64(1):
                continue
            alive = False
            for w in range(QW):
                acc[w] &= cols[l, w]
                if acc[w]:
                    alive = True
        if not alive:
            continue
        for w in range(QW):
            word = acc[w]
            b = 0
            while word:
                if word & np.uint64(1):
                    if n == cap:
                        grown = np.zeros((2 * cap, 2), dtype=np.int64)
                        grown[:n] = out
                        out = grown
                        cap *= 2
                    out[n, 0] = i
                    out[n, 1] = 64 * w + b
                    n += 1
                word >>= np.uint64(1)
                b += 1
    return out[:n]


#: Status of :func:`canonical_vertices` when the polyhedron is degenerate beyond the plan
#: structure (the caller then falls back to :func:`lex_vertices`).
NOT_STRUCTURAL = 3


@numba.njit(cache=True, nogil=True)
def _dead_row(T, r, slack_cols, tol):
    """Whether row ``r``'s basic value is zero for every perturbation of the slacks."""
    V = T.shape[1] - 1
    if abs(T[r, V]) > tol:
        return False
    for c in slack_cols:
        if abs(T[r, c]) > tol:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def _canonical(T, row_var, var_row, own_lo, n_own, slack_cols, seq_iset, iset_parent, ch_ptr, ch_idx, tol,
               dead, key):
    """The canonical basis of the perturbed vertex of the current basis, as a bit mask in ``key``.

    ``dead[s]`` is set for each own sequence whose value is zero for every perturbation of the
    slacks (nonbasic, or basic on a dead row). The canonical basis keeps the slacks' and free
    columns' status, makes every living sequence basic and, in each information set below a
    dead sequence, its first action basic; every other dead sequence is nonbasic. False when
    the dead set is not closed downwards or the count does not match the rows (a degeneracy
    that the plan structure does not explain).
    """
    R = T.shape[0]
    V = T.shape[1] - 1
    for s in range(n_own):
        r = var_row[own_lo + s]
        dead[s] = True if r < 0 else _dead_row(T, r, slack_cols, tol)
    for w in range(key.shape[0]):
        key[w] = 0
    count = 0
    for col in range(V):
        if own_lo <= col < own_lo + n_own:
            continue
        if var_row[col] >= 0:
            key[col // 64] |= np.uint64(1) << np.uint64(col % 64)
            count += 1
    for s in range(n_own):
        j = seq_iset[s]
        if j >= 0 and dead[iset_parent[j]] and not dead[s]:
            return False
        basic = (not dead[s]) or (j >= 0 and dead[iset_parent[j]] and ch_idx[ch_ptr[j]] == s)
        if basic:
            col = own_lo + s
            key[col // 64] |= np.uint64(1) << np.uint64(col % 64)
            count += 1
    return count == R


@numba.njit(cache=True, nogil=True)
def _lex_min_ratio_vec(T, a, row_var, n_labels, lex_cols, tol, cand, val):
    """:func:`_lex_min_ratio` for the direction whose tableau coefficients are ``a`` (several
    nonbasic columns entering together): the lexicographic order of the rows does not depend on
    the direction."""
    R, C = T.shape
    V = C - 1
    n = 0
    lo = np.inf
    for r in range(R):
        if row_var[r] < n_labels and a[r] > tol:
            cand[n] = r
            v = T[r, V] / a[r]
            val[n] = v
            if v < lo:
                lo = v
            n += 1
    if n <= 1:
        return cand[0] if n == 1 else -1
    k = 0
    while True:
        m = 0
        for i in range(n):
            if val[i] <= lo + tol:
                cand[m] = cand[i]
                m += 1
        n = m
        if n == 1 or k == len(lex_cols):
            return cand[0]
        c = lex_cols[k]
        lo = np.inf
        for i in range(n):
            r = cand[i]
            v = T[r, c] / a[r]
            val[i] = v
            if v < lo:
                lo = v
        k += 1


@numba.njit(cache=True, nogil=True)
def _move_key(T, row_var, var_row, a, up, row, enter_slack, own_lo, n_own, slack_cols, seq_iset, iset_parent,
              ch_ptr, ch_idx, tol, dead, key):
    """The canonical basis (bit mask in ``key``) of the perturbed vertex reached from the current
    one by the direction with tableau coefficients ``a`` (the own nonbasic sequences in ``up``
    rising with it, or the slack ``enter_slack``), blocked on ``row``: the step is row ``row``'s
    lexicographic vector divided by ``a[row]``, and an own sequence is dead at the new vertex when
    its new vector is zero (relative to the terms cancelling) or its parent is. No pivot is made.
    Returns 0, or nonzero when the dead set is not closed downwards (1) or the count does not
    match the rows (``100 +`` the excess), as :func:`_canonical` refuses."""
    R = T.shape[0]
    V = T.shape[1] - 1
    out = row_var[row]
    ar = a[row]
    for s in range(n_own):
        r = var_row[own_lo + s]
        if r < 0:
            dead[s] = not up[s]
            continue
        f = a[r] / ar
        z = abs(T[r, V] - f * T[row, V]) <= tol * (1.0 + abs(f * T[row, V]))
        if z:
            for c in slack_cols:
                if abs(T[r, c] - f * T[row, c]) > tol * (1.0 + abs(f * T[row, c])):
                    z = False
                    break
        dead[s] = z
    # Below a dead sequence everything is dead (exactly; round-off aside): parents come first.
    for s in range(n_own):
        j = seq_iset[s]
        if j >= 0 and dead[iset_parent[j]]:
            dead[s] = True
    for w in range(key.shape[0]):
        key[w] = 0
    count = 0
    for col in range(V):
        if own_lo <= col < own_lo + n_own:
            continue
        if (var_row[col] >= 0 and col != out) or col == enter_slack:
            key[col // 64] |= np.uint64(1) << np.uint64(col % 64)
            count += 1
    for s in range(n_own):
        j = seq_iset[s]
        if j >= 0 and dead[iset_parent[j]] and not dead[s]:
            return 1
        basic = (not dead[s]) or (j >= 0 and dead[iset_parent[j]] and ch_idx[ch_ptr[j]] == s)
        if basic:
            col = own_lo + s
            key[col // 64] |= np.uint64(1) << np.uint64(col % 64)
            count += 1
    return 0 if count == R else 100 + count - R


@numba.njit(cache=True, nogil=True)
def _to_basis(M, h, T, row_var, var_row, bmask, cur, basis, since, refresh):
    """Make ``T`` the tableau of the basis ``bmask`` (``cur``: the current one's mask): by a pivot
    per column that differs when few do, else (or every ``refresh`` pivots) rebuilt from ``M``.
    Returns the pivots since the last rebuild, or -1 when singular."""
    R = T.shape[0]
    V = M.shape[1]
    k = 0
    diff = 0
    for col in range(V):
        inb = (bmask[col // 64] >> np.uint64(col % 64)) & np.uint64(1)
        if inb:
            basis[k] = col
            k += 1
        if inb != ((cur[col // 64] >> np.uint64(col % 64)) & np.uint64(1)):
            diff += 1
    if k != R:
        return -1
    if since + diff // 2 <= refresh and diff // 2 <= 8:
        done = True
        for col in range(V):
            if not ((bmask[col // 64] >> np.uint64(col % 64)) & np.uint64(1)) or var_row[col] >= 0:
                continue
            best, row = 1e-7, -1
            for r in range(R):
                v = row_var[r]
                if not ((bmask[v // 64] >> np.uint64(v % 64)) & np.uint64(1)) and abs(T[r, col]) > best:
                    best, row = abs(T[r, col]), r
            if row < 0:
                done = False
                break
            out = row_var[row]
            _pivot(T, row, col)
            row_var[row] = col
            var_row[col] = row
            var_row[out] = -1
            since += 1
        if done:
            return since
    if not _tableau(M, h, basis, T, row_var, var_row):
        return -1
    return 0


@numba.njit(cache=True, nogil=True)
def canonical_vertices(M, h, n_labels, basis0, own_lo, n_own, slack_cols, seq_iset, iset_parent, ch_ptr, ch_idx,
                       tol, max_bases, max_edges, refresh, slack_group, n_groups):
    """Every vertex of ``{z : M z = h, z[:n_labels] >= 0}`` by a search over the vertices of the
    polyhedron with only the slacks perturbed, one canonical basis each.

    Columns ``own_lo .. own_lo + n_own - 1`` are the owner's sequences (``seq_iset``: the
    information set each leads to, ``-1`` for the empty sequence; ``iset_parent``: the sequence
    leading to each information set; ``ch_ptr``, ``ch_idx``: its actions' sequences, CSR);
    ``slack_cols`` are the opponent's payoff slacks, in the order of their perturbation; the
    columns from ``n_labels`` on are free and always basic. ``basis0`` must be lexicographically
    feasible for that perturbation.

    With the slacks perturbed, the only degeneracy left is the plan's (a dead sequence zeroes its
    subtree: one dependent tight constraint per information set below it), so each perturbed
    vertex is one canonical basis (:func:`_canonical`), and its edges are the extreme rays of its
    tangent cone, the product of a simplicial cone (one ray per tight slack) and the cones over
    the plan polytopes of the subtrees below its maximal dead sequences (one ray per pure
    continuation). Each edge is one ratio test on the canonical tableau, for the slack's column
    or for the sum of the columns of the dead sequence and of the continuation's actions that
    are not basic; the vertex it leads to is read off the blocking row without pivoting
    (:func:`_move_key`). The graph of a pointed polyhedron's vertices and bounded edges is
    connected, and each vertex of the original polyhedron is the limit of one of the perturbed
    polyhedron's, so every vertex is reached. The tableau moves from one vertex to the next by
    a pivot per changed column, and is rebuilt from ``M`` every ``refresh`` pivots.

    ``slack_group`` and ``n_groups`` restrict the search as in :func:`lex_vertices`.

    Returns ``(status, labels, bases, n_tight, n_bases, edges)`` like :func:`lex_vertices`
    (``n_bases``: canonical bases, that is perturbed vertices; ``edges``: ratio tests), with
    :data:`NOT_STRUCTURAL` when a degeneracy outside the plan structure shows.
    """
    R, V = M.shape
    LW = (n_labels + 63) // 64
    BW = (V + 63) // 64
    T = np.empty((R, V + 1))
    row_var = np.empty(R, dtype=np.int64)
    var_row = np.empty(V, dtype=np.int64)
    cand = np.empty(R, dtype=np.int64)
    val = np.empty(R)
    a = np.empty(R)
    dead = np.zeros(n_own, dtype=np.bool_)
    dead_w = np.zeros(n_own, dtype=np.bool_)
    up = np.zeros(n_own, dtype=np.bool_)
    n_iset = seq_iset.max() + 1 if n_own > 0 else 0
    in_sub = np.zeros(n_own, dtype=np.bool_)
    alive_c = np.zeros(n_own, dtype=np.bool_)
    sub = np.zeros(max(n_iset, 1), dtype=np.int64)
    choice = np.zeros(max(n_iset, 1), dtype=np.int64)
    reached = np.zeros(max(n_iset, 1), dtype=np.bool_)
    empty_l = np.zeros((0, LW), dtype=np.uint64)
    empty_b = np.zeros((0, BW), dtype=np.uint64)
    empty_t = np.zeros(0, dtype=np.int64)
    if not _tableau(M, h, basis0, T, row_var, var_row):
        return SINGULAR, empty_l, empty_b, empty_t, 0, 0
    key = np.zeros(BW, dtype=np.uint64)
    cur = np.zeros(BW, dtype=np.uint64)
    for b in basis0:
        cur[b // 64] |= np.uint64(1) << np.uint64(b % 64)
    if not _canonical(T, row_var, var_row, own_lo, n_own, slack_cols, seq_iset, iset_parent, ch_ptr, ch_idx, tol,
                      dead, key):
        return NOT_STRUCTURAL, empty_l, empty_b, empty_t, 0, 0
    bcap = 1024
    bkeys = np.zeros((bcap, BW), dtype=np.uint64)
    bused = np.zeros(bcap, dtype=np.bool_)
    bvals = np.zeros(bcap, dtype=np.int64)
    s = _lookup(bkeys, bused, key)
    bkeys[s] = key
    bused[s] = True
    n_bases = 1
    stack = np.zeros((256, BW), dtype=np.uint64)
    stack[0] = key
    top = 1
    vcap = 1024
    vkeys = np.zeros((vcap, LW), dtype=np.uint64)
    vused = np.zeros(vcap, dtype=np.bool_)
    vvals = np.zeros(vcap, dtype=np.int64)
    labels = np.zeros((256, LW), dtype=np.uint64)
    vbases = np.zeros((256, BW), dtype=np.uint64)
    tight_n = np.zeros(256, dtype=np.int64)
    n_vert = 0
    lab = np.zeros(LW, dtype=np.uint64)
    basis = np.empty(R, dtype=np.int64)
    edges = 0
    since = refresh  # the first tableau is built afresh
    n_moves = slack_cols.shape[0] + n_own
    while top > 0:
        top -= 1
        bmask = stack[top].copy()
        since = _to_basis(M, h, T, row_var, var_row, bmask, cur, basis, since, refresh)
        if since < 0:
            return SINGULAR, labels[:n_vert], vbases[:n_vert], tight_n[:n_vert], n_bases, edges
        for w in range(BW):
            cur[w] = bmask[w]
        # The vertex of this basis: its label mask, stored when new.
        vkeys, vused, vvals, labels, vbases, tight_n, n_vert = _record_vertex(
            T, var_row, V, n_labels, tol, bmask, lab, vkeys, vused, vvals, labels, vbases, tight_n, n_vert)
        for s2 in range(n_own):
            r = var_row[own_lo + s2]
            dead[s2] = True if r < 0 else _dead_row(T, r, slack_cols, tol)
        nb_count = _group_counts(var_row, slack_group, n_groups)
        # Moves: each nonbasic slack, then each maximal dead sequence with each continuation.
        for m in range(n_moves):
            if m < slack_cols.shape[0]:
                enter = slack_cols[m]
                if var_row[enter] >= 0 or (n_groups > 0 and slack_group[enter] >= 0
                                           and nb_count[slack_group[enter]] <= 1):
                    continue
                root = -1
            else:
                root = m - slack_cols.shape[0]
                j = seq_iset[root]
                if not dead[root] or j < 0 or dead[iset_parent[j]] or var_row[own_lo + root] >= 0:
                    continue
                enter = -1
                # The information sets below root, in order (parents come first), and the
                # first continuation: the first action everywhere.
                for t in range(n_own):
                    in_sub[t] = False
                in_sub[root] = True
                ns = 0
                for jj in range(n_iset):
                    if in_sub[iset_parent[jj]]:
                        sub[ns] = jj
                        choice[ns] = 0
                        ns += 1
                        for p in range(ch_ptr[jj], ch_ptr[jj + 1]):
                            in_sub[ch_idx[p]] = True
            while True:
                if root < 0:
                    for t in range(n_own):
                        up[t] = False
                    for r in range(R):
                        a[r] = T[r, enter]
                else:
                    # The continuation's actions that are not basic rise with root.
                    for t in range(n_own):
                        alive_c[t] = False
                        up[t] = False
                    alive_c[root] = True
                    up[root] = True
                    for r in range(R):
                        a[r] = T[r, own_lo + root]
                    for q in range(ns):
                        jj = sub[q]
                        reached[q] = alive_c[iset_parent[jj]]
                        if reached[q]:
                            act = ch_idx[ch_ptr[jj] + choice[q]]
                            alive_c[act] = True
                            if var_row[own_lo + act] < 0:
                                up[act] = True
                                for r in range(R):
                                    a[r] += T[r, own_lo + act]
                edges += 1
                if edges > max_edges:
                    return TOO_MANY_BASES, labels[:n_vert], vbases[:n_vert], tight_n[:n_vert], n_bases, edges
                row = _lex_min_ratio_vec(T, a, row_var, n_labels, slack_cols, tol, cand, val)
                if row >= 0:
                    if _dead_row(T, row, slack_cols, tol):
                        return NOT_STRUCTURAL, labels[:n_vert], vbases[:n_vert], tight_n[:n_vert], n_bases, edges
                    code = _move_key(T, row_var, var_row, a, up, row, enter, own_lo, n_own, slack_cols, seq_iset,
                                     iset_parent, ch_ptr, ch_idx, tol, dead_w, key)
                    if code != 0:
                        return NOT_STRUCTURAL, labels[:n_vert], vbases[:n_vert], tight_n[:n_vert], n_bases, edges
                    if 2 * (n_bases + 1) > bcap:
                        bkeys, bused, bvals = _grow(bkeys, bused, bvals)
                        bcap = bused.shape[0]
                    s = _lookup(bkeys, bused, key)
                    if not bused[s]:
                        bkeys[s] = key
                        bused[s] = True
                        n_bases += 1
                        if n_bases > max_bases:
                            return TOO_MANY_BASES, labels[:n_vert], vbases[:n_vert], tight_n[:n_vert], n_bases, edges
                        if top == stack.shape[0]:
                            grown = np.zeros((2 * top, BW), dtype=np.uint64)
                            grown[:top] = stack
                            stack = grown
                        stack[top] = key
                        top += 1
                if root < 0:
                    break
                # Next continuation (an odometer over the reached information sets, the last
                # one first; the ones after a change are reset, and recomputed above).
                q = ns - 1
                while q >= 0:
                    jj = sub[q]
                    if reached[q] and choice[q] + 1 < ch_ptr[jj + 1] - ch_ptr[jj]:
                        break
                    q -= 1
                if q < 0:
                    break
                choice[q] += 1
                for q2 in range(q + 1, ns):
                    choice[q2] = 0
    return OK, labels[:n_vert], vbases[:n_vert], tight_n[:n_vert], n_bases, edges
