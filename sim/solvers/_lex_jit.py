"""Compiled exact lexicographic vertex search for degenerate bimatrix games (``sim.solvers.lexnash``).

A polytope is a dictionary in Edmonds' integer form, as ``lrs`` keeps it: ``D`` has a row per basic
variable and a column per non-basic one, then the right-hand side, every entry the true dictionary
entry times ``det`` (the determinant of the current basis, kept positive). ``basis[i]`` is the
variable of row ``i``, ``cob[j]`` that of column ``j``; variable ``v`` carries label ``v``. The
right-hand side is perturbed lexicographically by the starting basis (``lexcols``), which makes the
polytope simple in the limit (Dantzig, Orden and Wolfe 1955); the lexicographic bases are then the
vertices of the perturbed polytope, and a depth-first search over the lexicographic-min-ratio
pivots, with a hash set of visited bases, reaches each of them (the edge graph of a simple polytope
is connected). ``face_search`` first fixes a set of variables at zero (a face: the labels that must
be tight), by a phase-one simplex that minimises their sum with the lexicographic ratio test (no
cycling), then pivots them out of the basis and searches the face with those variables barred from
entering. That is the ``lrsnash`` scheme of Avis, Rosenberg, Savani and von Stengel (2010): one
polytope enumerated, and for each of its vertices the face of the other polytope with the
complementary labels.

Exactness. The compiled kernels run in int64: each pivot entry is ``(t * p - c * r) / det``, an
exact division (done as a multiplication by det's inverse modulo ``2**64``), exact while every
entry stays below ``2**31`` in magnitude (products below ``2**62``), which each pivot checks; the first entry past it stops the kernel with ``OVERFLOW`` and the caller runs the same
code on Python integers (:func:`python_kernels`, the functions' own source with an object-array
pivot). Coordinates leave as floats ``numerator / sum``, correctly rounded from the exact integers.

Bases and label sets are keys of 63 bits per int64 word, so any number of labels works; the visited
set is an open-addressing hash table over those words.

References
----------
D. Avis (2000), "lrs: a revised implementation of the reverse search vertex enumeration
algorithm", in Kalai and Ziegler (eds.), Polytopes - Combinatorics and Computation, 177-198.
D. Avis, G. Rosenberg, R. Savani and B. von Stengel (2010), "Enumeration of Nash equilibria for
two-player games", Economic Theory 42, 9-37.
J. Edmonds (1967), "Systems of distinct representatives and linear algebra", J. Res. NBS 71B.
"""

from __future__ import annotations

import types

import numba
import numpy as np

OK, OVERFLOW, BASES, WORK, EMPTY = 0, 1, 2, 3, 4
#: Entries of the int64 tableau stay below this in magnitude (products stay below 2**62).
INT64_LIMIT = 1 << 31
_BITS = 63


# ----- keys and hash sets (int64 words; called compiled from both kernels) -------------------------
@numba.njit(cache=True, nogil=True)
def _hash(table_keys, words):
    """Slot of a key in a table of power-of-two size: multiply-xorshift over its words (int64
    products wrap)."""
    h = np.int64(0)
    for w in range(words.shape[0]):
        h = (h ^ words[w]) * np.int64(-7046029254386353131)  # 0x9E3779B97F4A7C15
        h ^= (h >> 29) & np.int64(0x7FFFFFFFF)
    return h & np.int64(table_keys.shape[0] - 1)


@numba.njit(cache=True, nogil=True)
def _find(table_keys, used, words):
    """Slot of ``words`` in the table, or of the empty slot where it would go."""
    cap, W = table_keys.shape
    s = _hash(table_keys, words)
    while used[s]:
        same = True
        for w in range(W):
            if table_keys[s, w] != words[w]:
                same = False
                break
        if same:
            return s
        s += 1
        if s == cap:
            s = 0
    return s


@numba.njit(cache=True, nogil=True)
def _grow(table_keys, used):
    cap, W = table_keys.shape
    keys2 = np.zeros((2 * cap, W), np.int64)
    used2 = np.zeros(2 * cap, np.bool_)
    for s in range(cap):
        if used[s]:
            t = _find(keys2, used2, table_keys[s])
            keys2[t] = table_keys[s]
            used2[t] = True
    return keys2, used2


@numba.njit(cache=True, nogil=True)
def _grow_rows_i(a):
    out = np.zeros((2 * a.shape[0], a.shape[1]), a.dtype)
    out[: a.shape[0]] = a
    return out


@numba.njit(cache=True, nogil=True)
def _grow_rows_f(a):
    out = np.zeros((2 * a.shape[0], a.shape[1]), np.float64)
    out[: a.shape[0]] = a
    return out


@numba.njit(cache=True, nogil=True)
def _grow_1d(a):
    out = np.zeros(2 * a.shape[0], a.dtype)
    out[: a.shape[0]] = a
    return out


# ----- dictionary arithmetic ----------------------------------------------------------------------
@numba.njit(cache=True, nogil=True)
def _pivot(D, det, row, col, limit):
    """Edmonds' integer pivot of dictionary ``D`` on ``(row, col)`` in place.

    ``D`` has a row per basic variable and a column per non-basic one (then the right-hand side);
    the entering variable's column becomes the leaving variable's: ``det`` in the pivot row, the
    negated old column elsewhere. Returns ``(new det, every entry within limit)``. A negative
    pivot element (only when a degenerate row is pivoted in ``face_search``) is followed by
    negating the dictionary, which keeps ``det`` positive and every true entry unchanged.
    """
    R, C = D.shape
    p = D[row, col]
    ok = True
    # Exact division by det as a shift and a multiplication by the inverse of det's odd part
    # modulo 2**64 (int64 products wrap): every quotient is exact, so this is the quotient, and
    # it costs a multiplication where a 64-bit division costs ten to forty.
    shift = 0
    odd = det
    while odd & 1 == 0:
        odd >>= 1
        shift += 1
    inv = odd
    for _ in range(5):  # Newton's iteration doubles the correct low bits: 3, 6, 12, 24, 48, 96
        inv *= 2 - odd * inv
    for i in range(R):
        if i == row:
            continue
        c = D[i, col]
        if c == 0:
            if p == det:
                continue  # the row does not change
            for j in range(C):
                if D[i, j] != 0:
                    v = ((D[i, j] * p) >> shift) * inv
                    D[i, j] = v
                    if v >= limit or v <= -limit:
                        ok = False
        else:
            for j in range(C):
                v = ((D[i, j] * p - c * D[row, j]) >> shift) * inv
                D[i, j] = v
                if v >= limit or v <= -limit:
                    ok = False
            D[i, col] = -c
    D[row, col] = det
    if p < 0:
        for i in range(R):
            for j in range(C):
                D[i, j] = -D[i, j]
        p = -p
    return p, ok


def _pivot_object(D, det, row, col, limit):
    """:func:`_pivot` on an object array of Python integers (vectorised; no limit applies)."""
    p = D[row, col]
    r = D[row].copy()
    c = D[:, col].copy()
    c[row] = 0
    D *= p
    D -= np.outer(c, r)
    D //= det
    D[row] = r
    D[:, col] = -c
    D[row, col] = det
    if p < 0:
        D *= -1
        p = -p
    return p, True


@numba.njit(cache=True, nogil=True)
def _lex_value(D, det, i, v, where):
    """Entry of row ``i`` in the column of variable ``v`` of the full tableau (``det`` or 0 when
    ``v`` is basic)."""
    w = where[v]
    if w >= 0:
        return D[i, w]
    if w == -(i + 1):
        return det
    return det * 0


@numba.njit(cache=True, nogil=True)
def _lex_row(D, det, k, col, lexcols, where):
    """Row (among the first ``k``) of the lexicographic minimum ratio test for column ``col``.

    Ratios ``D[i, rhs] / D[i, col]`` over rows with a positive entry compare by cross
    multiplication; ties go to the columns of the starting basis' variables ``lexcols`` in the
    full tableau, which are linearly independent, so the minimum is unique. -1 when the column
    has no positive entry.
    """
    rhs = D.shape[1] - 1
    best = -1
    for i in range(k):
        a = D[i, col]
        if a <= 0:
            continue
        if best < 0:
            best = i
            continue
        b = D[best, col]
        x = D[i, rhs] * b - D[best, rhs] * a
        if x < 0:
            best = i
        elif x == 0:
            for c in lexcols:
                x = _lex_value(D, det, i, c, where) * b - _lex_value(D, det, best, c, where) * a
                if x < 0:
                    best = i
                    break
                if x > 0:
                    break
    return best


# ----- the searches --------------------------------------------------------------------------------
@numba.njit(cache=True, nogil=True)
def search(D, det, basis, cob, lexcols, forbidden, zindex, dim, max_bases, max_work, limit):
    """Every vertex reached by lexicographic pivots from ``basis`` with ``forbidden`` columns barred.

    Parameters
    ----------
    D : (k, d + 1) int64 or object array
        Edmonds dictionary (rows: basic variables; columns: non-basic ones, then the right-hand
        side), lexicographically feasible for ``lexcols``; changed in place.
    det : int
        Its determinant (positive).
    basis, cob : (k,), (d,) int64
        Basic variable of each row, non-basic variable of each column.
    lexcols : (k,) int64
        Variables of the starting basis (the perturbation).
    forbidden : (k + d,) bool
        Variables that never enter (fixed at zero on the face searched).
    zindex : (k + d,) int64
        Coordinate of each variable in the point reported, -1 for slacks.
    dim : int
        Number of coordinates.
    max_bases, max_work : int
        Most bases visited and most dictionary entries updated before the search stops.
    limit : int
        Bound on the magnitude of entries (``OVERFLOW`` past it).

    Returns
    -------
    status : int
        ``OK``, ``OVERFLOW``, ``BASES`` or ``WORK``.
    masks : (V, words) int64
        Tight labels of each distinct vertex, 63 per word.
    points : (V, dim) float64
        Coordinates over their sum (zeros at the origin).
    n_tight : (V,) int64
        Number of tight labels.
    n_bases, work : int
        Bases visited and dictionary entries updated.
    """
    k, C = D.shape
    d = C - 1
    N = k + d
    W = (N + _BITS - 1) // _BITS
    where = np.zeros(N, np.int64)
    key = np.zeros(W, np.int64)
    for i in range(k):
        v = basis[i]
        where[v] = -(i + 1)
        key[v // _BITS] |= np.int64(1) << (v % _BITS)
    for j in range(d):
        where[cob[j]] = j
    vkeys = np.zeros((1024, W), np.int64)
    vused = np.zeros(1024, np.bool_)
    n_bases = 1
    s = _find(vkeys, vused, key)
    vkeys[s] = key
    vused[s] = True
    mkeys = np.zeros((1024, W), np.int64)
    mused = np.zeros(1024, np.bool_)
    masks = np.zeros((64, W), np.int64)
    points = np.zeros((64, dim), np.float64)
    n_tight = np.zeros(64, np.int64)
    n_vert = 0
    stack_row = np.zeros(64, np.int64)
    stack_col = np.zeros(64, np.int64)
    stack_next = np.zeros(64, np.int64)
    work = 0
    cost = k * C
    mask = np.zeros(W, np.int64)
    depth = 0
    stack_next[0] = 0
    status = OK
    record = True
    while True:
        if record:
            record = False
            mask[:] = 0
            cnt = d
            for j in range(d):
                v = cob[j]
                mask[v // _BITS] |= np.int64(1) << (v % _BITS)
            for i in range(k):
                if D[i, d] == 0:
                    v = basis[i]
                    mask[v // _BITS] |= np.int64(1) << (v % _BITS)
                    cnt += 1
            s = _find(mkeys, mused, mask)
            if not mused[s]:
                mkeys[s] = mask
                mused[s] = True
                if 2 * (n_vert + 1) > mkeys.shape[0]:
                    mkeys, mused = _grow(mkeys, mused)
                if n_vert == masks.shape[0]:
                    masks = _grow_rows_i(masks)
                    points = _grow_rows_f(points)
                    n_tight = _grow_1d(n_tight)
                masks[n_vert] = mask
                n_tight[n_vert] = cnt
                total = D[0, d] * 0
                for i in range(k):
                    if zindex[basis[i]] >= 0:
                        total += D[i, d]
                if total != 0:
                    for i in range(k):
                        z = zindex[basis[i]]
                        if z >= 0:
                            points[n_vert, z] = D[i, d] / total
                n_vert += 1
        moved = False
        col = stack_next[depth]
        while col < d:
            enter = cob[col]
            if not forbidden[enter]:
                row = _lex_row(D, det, k, col, lexcols, where)
                if row >= 0:
                    leave = basis[row]
                    key[enter // _BITS] ^= np.int64(1) << (enter % _BITS)
                    key[leave // _BITS] ^= np.int64(1) << (leave % _BITS)
                    s = _find(vkeys, vused, key)
                    if not vused[s]:
                        if n_bases >= max_bases:
                            status = BASES
                            break
                        if work + (depth + 2) * cost > max_work:  # this pivot and the way back
                            status = WORK
                            break
                        vkeys[s] = key
                        vused[s] = True
                        n_bases += 1
                        if 2 * n_bases > vkeys.shape[0]:
                            vkeys, vused = _grow(vkeys, vused)
                        det, ok = _pivot(D, det, row, col, limit)
                        work += cost
                        if not ok:
                            status = OVERFLOW
                            break
                        basis[row] = enter
                        cob[col] = leave
                        where[enter] = -(row + 1)
                        where[leave] = col
                        stack_next[depth] = col + 1
                        depth += 1
                        if depth == stack_row.shape[0]:
                            stack_row = _grow_1d(stack_row)
                            stack_col = _grow_1d(stack_col)
                            stack_next = _grow_1d(stack_next)
                        stack_row[depth] = row
                        stack_col[depth] = col
                        stack_next[depth] = 0
                        moved = True
                        record = True
                        break
                    key[enter // _BITS] ^= np.int64(1) << (enter % _BITS)
                    key[leave // _BITS] ^= np.int64(1) << (leave % _BITS)
            col += 1
        if status != OK:
            break
        if moved:
            continue
        if depth == 0:
            break
        # Back to the parent: the same pivot position swaps the two variables back.
        row = stack_row[depth]
        col = stack_col[depth]
        back = cob[col]
        entered = basis[row]
        det, ok = _pivot(D, det, row, col, limit)
        work += cost
        basis[row] = back
        cob[col] = entered
        where[back] = -(row + 1)
        where[entered] = col
        key[back // _BITS] ^= np.int64(1) << (back % _BITS)
        key[entered // _BITS] ^= np.int64(1) << (entered % _BITS)
        depth -= 1
    return status, masks[:n_vert].copy(), points[:n_vert].copy(), n_tight[:n_vert].copy(), n_bases, work


@numba.njit(cache=True, nogil=True)
def face_search(D0, basis0, cob0, forced, zindex, dim, max_bases, max_work, limit):
    """Vertices of the face ``{forced variables = 0}`` of the polytope of dictionary ``D0``.

    ``D0`` is the slack-basis dictionary (``det`` 1, ``basis0`` the slack of each row, ``cob0``
    the other variables) of a polytope with the origin feasible; it is not changed. Phase one
    minimises the sum of the forced variables by the simplex method with the lexicographic ratio
    test (smallest improving column enters); a positive optimum means the face is empty
    (``EMPTY``). Forced variables still basic (at zero) are pivoted out on any free column with
    a non-zero entry (a row with none is a linear consequence of the others and stays, inert).
    The search then starts from that basis, perturbed by its own variables.

    Returns ``search``'s tuple; ``work`` includes phase one.
    """
    k, C = D0.shape
    d = C - 1
    N = k + d
    D = _with_row(D0)
    basis = basis0.copy()
    cob = cob0.copy()
    where = np.zeros(N, np.int64)
    for i in range(k):
        where[basis[i]] = -(i + 1)
    for j in range(d):
        where[cob[j]] = j
    # Objective row: w + sum_j R_j x_j = R_rhs with w the sum of the forced variables.
    for j in range(d):
        if forced[cob[j]]:
            D[k, j] = -1
    for i in range(k):
        if forced[basis[i]]:
            for j in range(C):
                D[k, j] += D[i, j]
    det = D0[0, 0] * 0 + 1
    work = 0
    cost = (k + 1) * C
    lexcols = basis.copy()
    while True:
        enter = -1
        for j in range(d):
            if D[k, j] > 0:
                enter = j
                break
        if enter < 0:
            break
        row = _lex_row(D, det, k, enter, lexcols, where)
        if row < 0:
            break  # cannot happen in a polytope: the objective is bounded below by zero
        if work + cost > max_work:
            return (WORK, np.zeros((0, 1), np.int64), np.zeros((0, dim)), np.zeros(0, np.int64), 0, work)
        det, ok = _pivot(D, det, row, enter, limit)
        work += cost
        if not ok:
            return (OVERFLOW, np.zeros((0, 1), np.int64), np.zeros((0, dim)), np.zeros(0, np.int64), 0, work)
        v_in, v_out = cob[enter], basis[row]
        basis[row] = v_in
        cob[enter] = v_out
        where[v_in] = -(row + 1)
        where[v_out] = enter
    if D[k, d] > 0:
        return (EMPTY, np.zeros((0, 1), np.int64), np.zeros((0, dim)), np.zeros(0, np.int64), 0, work)
    F = _drop_row(D, k)
    for i in range(k):
        if not forced[basis[i]]:
            continue
        for j in range(d):
            if forced[cob[j]] or F[i, j] == 0:
                continue
            if work + k * C > max_work:
                return (WORK, np.zeros((0, 1), np.int64), np.zeros((0, dim)), np.zeros(0, np.int64), 0, work)
            det, ok = _pivot(F, det, i, j, limit)
            work += k * C
            if not ok:
                return (OVERFLOW, np.zeros((0, 1), np.int64), np.zeros((0, dim)), np.zeros(0, np.int64), 0, work)
            v_in, v_out = cob[j], basis[i]
            basis[i] = v_in
            cob[j] = v_out
            break
    status, masks, points, n_tight, n_bases, w2 = search(
        F, det, basis, cob, basis.copy(), forced, zindex, dim, max_bases, max_work - work, limit)
    return status, masks, points, n_tight, n_bases, work + w2


@numba.njit(cache=True, nogil=True)
def faces_search(D0, basis0, cob0, forced, order, zindex, dim, max_bases, max_work, limit):
    """:func:`face_search` of the faces ``forced[order[0]], forced[order[1]], ...``, in that order.

    One call for the faces of all vertices of the enumerated polytope: per face, the Python
    round trip (argument checks, the returned tuple) cost more than a small face's search. Each
    face gets the budget the faces before it left (``max_bases`` bases over the faces that are
    not empty, ``max_work`` entries over all), as one ``face_search`` call per face would. The
    loop stops before the first face that answers neither ``OK`` nor ``EMPTY`` (a bound, or an
    int64 overflow), which the caller runs on its own (and on Python integers if need be).

    Returns ``(done, points, owner, max_tight, bases, work)``: ``done`` faces searched; the
    vertices of those faces but the origin, face after face in the order ``face_search`` lists
    them, and ``owner``, the position in ``order`` of each one's face; the largest tight-label
    count of any vertex of those faces (-1 if none); bases of the non-empty faces and work of all.
    """
    cap = 16
    points = np.zeros((cap, dim), np.float64)
    owner = np.zeros(cap, np.int64)
    n_out = 0
    max_tight = -1
    bases = 0
    work = 0
    done = 0
    for s in range(order.shape[0]):
        st, fm, fp, ft, fb, fw = face_search(D0, basis0, cob0, forced[order[s]], zindex, dim,
                                             max_bases - bases, max_work - work, limit)
        if st != OK and st != EMPTY:
            break
        work += fw
        done = s + 1
        if st == EMPTY:
            continue
        bases += fb
        for u in range(fp.shape[0]):
            if ft[u] > max_tight:
                max_tight = ft[u]
            nonzero = False
            for c in range(dim):
                if fp[u, c] != 0.0:
                    nonzero = True
                    break
            if not nonzero:
                continue
            if n_out == cap:
                points = _grow_rows_f(points)
                owner = _grow_1d(owner)
                cap *= 2
            points[n_out] = fp[u]
            owner[n_out] = s
            n_out += 1
    return done, points[:n_out].copy(), owner[:n_out].copy(), max_tight, bases, work


@numba.njit(cache=True, nogil=True)
def _with_row(D0):
    k, C = D0.shape
    D = np.zeros((k + 1, C), D0.dtype)
    D[:k] = D0
    return D


@numba.njit(cache=True, nogil=True)
def _drop_row(D, k):
    return D[:k].copy()


def _with_row_object(D0):
    k, C = D0.shape
    D = np.empty((k + 1, C), dtype=object)
    D[:k] = D0
    D[k] = 0
    return D


def python_kernels():
    """``(search, face_search)`` on Python integers: the same source, an object-array pivot.

    The compiled kernels stop with ``OVERFLOW`` when an entry reaches ``2**31``; these take over
    with no bound on the integers (and call the compiled hash-set helpers, which see only int64
    keys).
    """
    g = dict(globals())
    g["_pivot"] = _pivot_object
    g["_lex_value"] = _lex_value.py_func
    g["_with_row"] = _with_row_object
    g["_drop_row"] = lambda D, k: D[:k].copy()
    g["_lex_row"] = types.FunctionType(_lex_row.py_func.__code__, g, "_lex_row")
    py_search = types.FunctionType(search.py_func.__code__, g, "search")
    g["search"] = py_search
    py_face = types.FunctionType(face_search.py_func.__code__, g, "face_search")
    return py_search, py_face
