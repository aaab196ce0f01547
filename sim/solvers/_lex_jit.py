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

Exactness. Each pivot entry is ``(t * p - c * r) / det``, an exact division (done as a
multiplication by the inverse of det's odd part modulo ``2**64``, after shifting out its power of
two). While every entry and det are below ``INT64_LIMIT = 2**31`` in magnitude, products are
int64 (below ``2**62``, a difference below ``2**63``). Past it, and while every entry stays below
``WIDE_LIMIT = 2**62``, the pivots and the ratio tests form each product exactly in 128 bits, two
uint64 words (32-bit halves, :func:`_smul`; a difference of two products is below ``2**125``),
take the quotient from the 128-bit numerator's bits above det's power of two, and accept it only
when ``|N| < det * WIDE_LIMIT`` holds exactly in 128 bits (then the quotient is below ``2**62``
and the wrapped int64 product is the quotient itself). Each pivot reports the width of the
dictionary it made (int64, 128-bit, past the bound), so a search goes back to int64 products
when its entries shrink again. The first entry past ``WIDE_LIMIT`` stops the kernel with
``OVERFLOW`` and the caller runs the same code on Python integers (:func:`python_kernels`, the
functions' own source with an object-array pivot). A 128-bit pivot is charged ``WIDE_COST``
times its entries against the work bound. Coordinates leave as floats ``numerator / sum``,
correctly rounded from the exact integers (past ``2**31`` by a 128-bit sum and a long division,
:func:`_ratio`).

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

import math
import types

import numba
import numpy as np

OK, OVERFLOW, BASES, WORK, EMPTY = 0, 1, 2, 3, 4
#: While every entry (and det) is below this in magnitude, pivots and ratio tests multiply in
#: int64 (products below 2**62, a difference of two below 2**63).
INT64_LIMIT = 1 << 31
#: Past INT64_LIMIT, products are formed exactly in 128 bits while every entry stays below this:
#: a difference of two products is below 2**125 (no signed 128-bit overflow), a quotient below it
#: and its negation fit int64, and ``det * WIDE_LIMIT`` (the bound test) is below 2**124.
WIDE_LIMIT = 1 << 62
#: A pivot in 128 bits is charged as this many int64 ones against the work bound (measured on
#: tim, whose entries pass INT64_LIMIT: entries updated per CPU second, int64 against 128 bits).
WIDE_COST = 4
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


# ----- exact 128-bit arithmetic in two uint64 words (two's complement) ------------------------------
_M32 = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)
_S63 = np.uint64(63)
_ONE = np.uint64(1)
_ZERO = np.uint64(0)


@numba.njit(cache=True, nogil=True, inline="always")
def _umul(a, b):
    """Exact product of two uint64 as ``(hi, lo)``: four 32x32->64 products of the halves
    (schoolbook), the middle partial sums carried (each below ``3 * 2**32``)."""
    a0 = a & _M32
    a1 = a >> _S32
    b0 = b & _M32
    b1 = b >> _S32
    p00 = a0 * b0
    p01 = a0 * b1
    p10 = a1 * b0
    mid = (p00 >> _S32) + (p01 & _M32) + (p10 & _M32)
    lo = (p00 & _M32) | (mid << _S32)
    hi = a1 * b1 + (p01 >> _S32) + (p10 >> _S32) + (mid >> _S32)
    return hi, lo


@numba.njit(cache=True, nogil=True, inline="always")
def _smul(a, b):
    """Exact product of two int64 as a signed 128-bit ``(hi, lo)`` (uint64 words, two's
    complement): the unsigned product of the bit patterns, less ``2**64 * b`` when ``a < 0`` and
    ``2**64 * a`` when ``b < 0`` (modulo ``2**128``)."""
    ua = np.uint64(a)
    ub = np.uint64(b)
    hi, lo = _umul(ua, ub)
    if a < 0:
        hi -= ub
    if b < 0:
        hi -= ua
    return hi, lo


@numba.njit(cache=True, nogil=True, inline="always")
def _sub128(h1, l1, h2, l2):
    """``(h1, l1) - (h2, l2)`` modulo ``2**128``."""
    lo = l1 - l2
    hi = h1 - h2
    if l1 < l2:
        hi -= _ONE
    return hi, lo


@numba.njit(cache=True, nogil=True, inline="always")
def _abs128(hi, lo):
    """Magnitude of a signed 128-bit value (below ``2**127``) as an unsigned one."""
    if hi >> _S63:
        lo = ~lo + _ONE
        hi = ~hi
        if lo == _ZERO:
            hi += _ONE
    return hi, lo


@numba.njit(cache=True, nogil=True, inline="always")
def _ult128(h1, l1, h2, l2):
    """Whether unsigned ``(h1, l1) < (h2, l2)``."""
    return h1 < h2 or (h1 == h2 and l1 < l2)


@numba.njit(cache=True, nogil=True, inline="always")
def _sign128(hi, lo):
    """Sign (-1, 0, 1) of a signed 128-bit value."""
    if hi >> _S63:
        return -1
    if hi == _ZERO and lo == _ZERO:
        return 0
    return 1


@numba.njit(cache=True, nogil=True, inline="always")
def _bits64(hi, lo, shift):
    """Bits ``[shift, shift + 64)`` of a 128-bit value as an int64, ``0 <= shift < 64``: the low
    word of the arithmetic shift ``(hi, lo) >> shift``."""
    if shift == 0:
        return np.int64(lo)
    s = np.uint64(shift)
    return np.int64((lo >> s) | (hi << (np.uint64(64) - s)))


@numba.njit(cache=True, nogil=True, inline="always")
def _cross_sign(a, b, c, d):
    """Sign of ``a * b - c * d`` for int64 operands below ``2**63`` in magnitude, exactly (each
    product below ``2**126``, their difference below ``2**127``)."""
    h1, l1 = _smul(a, b)
    h2, l2 = _smul(c, d)
    hi, lo = _sub128(h1, l1, h2, l2)
    return _sign128(hi, lo)


@numba.njit(cache=True, nogil=True)
def _ratio(a, hi, lo):
    """``a / T`` correctly rounded to float64 for ``0 <= a <= T``, ``T = (hi, lo)`` a positive
    unsigned 128-bit integer below ``2**126``: binary long division to 53 bits, a rounding bit
    and a sticky bit, rounded to nearest, ties to even."""
    if a == 0:
        return 0.0
    if hi == _ZERO and lo < np.uint64(1 << 53):
        return a / np.int64(lo)  # both exact in float64: one correctly rounded division
    rh = _ZERO
    rl = np.uint64(a)
    e = 0
    while _ult128(rh, rl, hi, lo):  # scale the remainder into [T, 2T): a / T = 2**e * (r / T)
        rh = (rh << _ONE) | (rl >> _S63)
        rl <<= _ONE
        e -= 1
    rh, rl = _sub128(rh, rl, hi, lo)
    m = np.int64(1)
    for _ in range(53):  # 52 more bits of the mantissa, then the rounding bit
        rh = (rh << _ONE) | (rl >> _S63)
        rl <<= _ONE
        m <<= 1
        if not _ult128(rh, rl, hi, lo):
            rh, rl = _sub128(rh, rl, hi, lo)
            m |= 1
    sticky = rh != _ZERO or rl != _ZERO
    rnd = m & 1
    m >>= 1
    if rnd and (sticky or m & 1):
        m += 1
    return math.ldexp(float(m), e - 52)


# ----- dictionary arithmetic ----------------------------------------------------------------------
@numba.njit(cache=True, nogil=True)
def _inverse(det):
    """``(shift, inv)``: ``det = odd * 2**shift`` and ``inv`` the inverse of ``odd`` modulo
    ``2**64`` (as uint64)."""
    shift = 0
    odd = det
    while odd & 1 == 0:
        odd >>= 1
        shift += 1
    inv = odd
    for _ in range(5):  # Newton's iteration doubles the correct low bits: 3, 6, 12, 24, 48, 96
        inv *= 2 - odd * inv
    return shift, inv


@numba.njit(cache=True, nogil=True, inline="always")
def _pivot(D, det, row, col, narrow, limit, wide):
    """Edmonds' integer pivot of dictionary ``D`` on ``(row, col)`` in place.

    ``D`` has a row per basic variable and a column per non-basic one (then the right-hand side);
    the entering variable's column becomes the leaving variable's: ``det`` in the pivot row, the
    negated old column elsewhere. A negative pivot element (only when a degenerate row is pivoted
    in ``face_search``) is followed by negating the dictionary, which keeps ``det`` positive and
    every true entry unchanged.

    Every new entry is ``N / det`` with ``N = t * p - c * r`` and the division exact. With every
    entry below ``narrow`` (at most ``2**31``) in magnitude (``wide`` False), ``N`` is below
    ``2**63`` and int64 products are exact; else (``wide``, entries below ``limit`` at most
    ``2**62``) ``N`` is formed exactly in 128 bits (:func:`_smul`, below ``2**125``). Either way
    the quotient is taken from ``N``'s bits above det's power of two times the inverse of its odd
    part modulo ``2**64``, which is the quotient exactly when it is below ``2**63``; in 128 bits
    that is ensured first by ``|N| < det * limit`` (exact, in 128 bits), i.e. quotient below
    ``limit``, so a wrapped value never passes.

    Returns ``(new det, width)``: width 0 when every entry and det are below ``narrow``, 1 when
    some is not but all are below ``limit``, 2 (overflow: ``D`` is then spoiled) when some entry
    is not below ``limit``.
    """
    if wide:
        return _pivot128(D, det, row, col, narrow, limit)
    return _pivot64(D, det, row, col, narrow, limit)


@numba.njit(cache=True, nogil=True)
def _pivot64(D, det, row, col, narrow, limit):
    """:func:`_pivot` with every entry and det below ``narrow`` (at most ``2**31``): int64
    products."""
    R, C = D.shape
    p = D[row, col]
    big = False
    over = False
    shift, inv = _inverse(det)
    # Exact division by det as a shift and a multiplication by the inverse of det's odd part
    # modulo 2**64 (int64 products wrap): every quotient is exact, so this is the quotient,
    # and it costs a multiplication where a 64-bit division costs ten to forty.
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
                    if v >= narrow or v <= -narrow:
                        big = True
                        if v >= limit or v <= -limit:
                            over = True
        else:
            for j in range(C):
                v = ((D[i, j] * p - c * D[row, j]) >> shift) * inv
                D[i, j] = v
                if v >= narrow or v <= -narrow:
                    big = True
                    if v >= limit or v <= -limit:
                        over = True
            D[i, col] = -c
    D[row, col] = det
    if p < 0:
        for i in range(R):
            for j in range(C):
                D[i, j] = -D[i, j]
        p = -p
    return p, 2 if over else (1 if big else 0)


@numba.njit(cache=True, nogil=True)
def _pivot128(D, det, row, col, narrow, limit):
    """:func:`_pivot` with entries below ``limit`` (at most ``2**62``): 128-bit products."""
    R, C = D.shape
    p = D[row, col]
    big = False
    over = False
    shift, inv = _inverse(det)
    uinv = np.uint64(inv)
    bh, bl = _umul(np.uint64(det), np.uint64(limit))  # |N| < det * limit: quotient within limit
    for i in range(R):
        if i == row:
            for j in range(C):
                if D[i, j] >= narrow or D[i, j] <= -narrow:
                    big = True
            continue
        c = D[i, col]
        if c >= narrow or c <= -narrow:
            big = True
        if c == 0 and p == det:
            for j in range(C):
                if D[i, j] >= narrow or D[i, j] <= -narrow:
                    big = True
            continue
        for j in range(C):
            t = D[i, j]
            if c == 0:
                if t == 0:
                    continue
                nh, nl = _smul(t, p)
            else:
                h1, l1 = _smul(t, p)
                h2, l2 = _smul(c, D[row, j])
                nh, nl = _sub128(h1, l1, h2, l2)
            ah, al = _abs128(nh, nl)
            if not _ult128(ah, al, bh, bl):
                over = True
            v = np.int64(np.uint64(_bits64(nh, nl, shift)) * uinv)
            D[i, j] = v
            if v >= narrow or v <= -narrow:
                big = True
        D[i, col] = -c
    # The new det (the pivot element) and the old one, now in the pivot row, count too: the
    # ratio tests multiply by det.
    if p >= narrow or p <= -narrow or det >= narrow:
        big = True
    D[row, col] = det
    if p < 0:
        for i in range(R):
            for j in range(C):
                D[i, j] = -D[i, j]
        p = -p
    return p, 2 if over else (1 if big else 0)


def _pivot_object(D, det, row, col, narrow, limit, wide):
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
    return p, 0


@numba.njit(cache=True, nogil=True)
def _width(D, det, narrow, limit):
    """0 when ``det`` and every entry of ``D`` are below ``narrow`` in magnitude, 1 when all are
    below ``limit``, else 2."""
    if det >= limit:
        return 2
    w = 1 if det >= narrow else 0
    for i in range(D.shape[0]):
        for j in range(D.shape[1]):
            v = D[i, j]
            if v >= narrow or v <= -narrow:
                if v >= limit or v <= -limit:
                    return 2
                w = 1
    return w


@numba.njit(cache=True, nogil=True)
def _pivot_cost(cost, wide):
    """Work charged for a pivot of ``cost`` entries: ``WIDE_COST`` times as much in 128 bits."""
    return cost * WIDE_COST if wide else cost


@numba.njit(cache=True, nogil=True)
def _reserve(cost, narrow, limit):
    """The most a pivot of ``cost`` entries can be charged (128 bits when ``limit > narrow``)."""
    return cost * WIDE_COST if limit > narrow else cost


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
def _lex_row128(D, det, k, col, lexcols, where):
    """:func:`_lex_row64` with each cross product exact in 128 bits (:func:`_cross_sign`)."""
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
        x = _cross_sign(D[i, rhs], b, D[best, rhs], a)
        if x < 0:
            best = i
        elif x == 0:
            for c in lexcols:
                x = _cross_sign(_lex_value(D, det, i, c, where), b, _lex_value(D, det, best, c, where), a)
                if x < 0:
                    best = i
                    break
                if x > 0:
                    break
    return best


@numba.njit(cache=True, nogil=True)
def _lex_row64(D, det, k, col, lexcols, where):
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


@numba.njit(cache=True, nogil=True)
def _record(D, basis, zindex, points, n, wide):
    """Coordinates of the current vertex into ``points[n]``: each basic coordinate's right-hand
    side over their sum, correctly rounded (zeros at the origin).

    In int64 (entries below ``INT64_LIMIT``) the sum and each numerator are exact floats, so one
    division is correctly rounded. Past it the sum is kept in 128 bits and each quotient rounded
    by :func:`_ratio` (the right-hand sides of a feasible dictionary are not negative).
    """
    k, C = D.shape
    d = C - 1
    if not wide:
        total = D[0, d] * 0
        for i in range(k):
            if zindex[basis[i]] >= 0:
                total += D[i, d]
        if total != 0:
            for i in range(k):
                z = zindex[basis[i]]
                if z >= 0:
                    points[n, z] = D[i, d] / total
        return
    hi = _ZERO
    lo = _ZERO
    for i in range(k):
        if zindex[basis[i]] >= 0:
            a = D[i, d]
            if a < 0:
                raise ValueError("_record: a negative right-hand side in a feasible dictionary")
            lo += np.uint64(a)
            if lo < np.uint64(a):
                hi += _ONE
    if hi == _ZERO and lo == _ZERO:
        return
    for i in range(k):
        z = zindex[basis[i]]
        if z >= 0:
            points[n, z] = _ratio(D[i, d], hi, lo)


def _record_object(D, basis, zindex, points, n, wide):
    """:func:`_record` on Python integers (``int / int`` is correctly rounded)."""
    k, C = D.shape
    d = C - 1
    total = 0
    for i in range(k):
        if zindex[basis[i]] >= 0:
            total += D[i, d]
    if total != 0:
        for i in range(k):
            z = zindex[basis[i]]
            if z >= 0:
                points[n, z] = D[i, d] / total


# ----- the searches --------------------------------------------------------------------------------
@numba.njit(cache=True, nogil=True)
def search(D, det, basis, cob, lexcols, forbidden, zindex, dim, max_bases, max_work, narrow, limit, wide):
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
        Most bases visited and most dictionary entries updated before the search stops (a pivot
        in 128 bits counts ``WIDE_COST`` times its entries).
    narrow, limit : int
        Entries and det below ``narrow`` (at most ``INT64_LIMIT``): int64 products; below
        ``limit`` (at most ``WIDE_LIMIT``): 128-bit products; ``OVERFLOW`` past it.
    wide : int
        :func:`_width` of ``D`` (1 is safe when unknown: the first pivot measures it).

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
    stack_cost = np.zeros(64, np.int64)  # work of the pivot back from each depth
    way_back = 0  # their sum up the path: the work of the way back to the start
    work = 0
    cost = k * C
    reserve = _reserve(cost, narrow, limit)
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
                _record(D, basis, zindex, points, n_vert, wide)
                n_vert += 1
        moved = False
        col = stack_next[depth]
        while col < d:
            enter = cob[col]
            if not forbidden[enter]:
                # The branch at the call (not in a helper): LLVM then inlines the int64 test into
                # the loop as before (a helper that chose between the two cost bcp2 10%).
                if wide:
                    row = _lex_row128(D, det, k, col, lexcols, where)
                else:
                    row = _lex_row64(D, det, k, col, lexcols, where)
                if row >= 0:
                    leave = basis[row]
                    key[enter // _BITS] ^= np.int64(1) << (enter % _BITS)
                    key[leave // _BITS] ^= np.int64(1) << (leave % _BITS)
                    s = _find(vkeys, vused, key)
                    if not vused[s]:
                        if n_bases >= max_bases:
                            status = BASES
                            break
                        pc = _pivot_cost(cost, wide)
                        if work + pc + way_back + reserve > max_work:  # this pivot and the way back
                            status = WORK
                            break
                        vkeys[s] = key
                        vused[s] = True
                        n_bases += 1
                        if 2 * n_bases > vkeys.shape[0]:
                            vkeys, vused = _grow(vkeys, vused)
                        det, wide = _pivot(D, det, row, col, narrow, limit, wide)
                        work += pc
                        if wide == 2:
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
                            stack_cost = _grow_1d(stack_cost)
                        stack_cost[depth] = _pivot_cost(cost, wide)
                        way_back += stack_cost[depth]
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
        # Back to a dictionary seen before, whose entries were within limit: never an overflow.
        det, wide = _pivot(D, det, row, col, narrow, limit, wide)
        work += stack_cost[depth]
        way_back -= stack_cost[depth]
        basis[row] = back
        cob[col] = entered
        where[back] = -(row + 1)
        where[entered] = col
        key[back // _BITS] ^= np.int64(1) << (back % _BITS)
        key[entered // _BITS] ^= np.int64(1) << (entered % _BITS)
        depth -= 1
    return status, masks[:n_vert].copy(), points[:n_vert].copy(), n_tight[:n_vert].copy(), n_bases, work


@numba.njit(cache=True, nogil=True)
def face_search(D0, basis0, cob0, forced, zindex, dim, max_bases, max_work, narrow, limit):
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
    # D0 is below INT64_LIMIT (the caller's test), so the objective row, a sum of k + 1 rows,
    # is below 2**62 and exact; then it is held to the bounds like every entry.
    wide = _width(D, det, narrow, limit)
    if wide == 2:
        return (OVERFLOW, np.zeros((0, 1), np.int64), np.zeros((0, dim)), np.zeros(0, np.int64), 0, work)
    while True:
        enter = -1
        for j in range(d):
            if D[k, j] > 0:
                enter = j
                break
        if enter < 0:
            break
        if wide:
            row = _lex_row128(D, det, k, enter, lexcols, where)
        else:
            row = _lex_row64(D, det, k, enter, lexcols, where)
        if row < 0:
            break  # cannot happen in a polytope: the objective is bounded below by zero
        pc = _pivot_cost(cost, wide)
        if work + pc > max_work:
            return (WORK, np.zeros((0, 1), np.int64), np.zeros((0, dim)), np.zeros(0, np.int64), 0, work)
        det, wide = _pivot(D, det, row, enter, narrow, limit, wide)
        work += pc
        if wide == 2:
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
            pc = _pivot_cost(k * C, wide)
            if work + pc > max_work:
                return (WORK, np.zeros((0, 1), np.int64), np.zeros((0, dim)), np.zeros(0, np.int64), 0, work)
            det, wide = _pivot(F, det, i, j, narrow, limit, wide)
            work += pc
            if wide == 2:
                return (OVERFLOW, np.zeros((0, 1), np.int64), np.zeros((0, dim)), np.zeros(0, np.int64), 0, work)
            v_in, v_out = cob[j], basis[i]
            basis[i] = v_in
            cob[j] = v_out
            break
    status, masks, points, n_tight, n_bases, w2 = search(
        F, det, basis, cob, basis.copy(), forced, zindex, dim, max_bases, max_work - work, narrow, limit,
        wide)
    return status, masks, points, n_tight, n_bases, work + w2


@numba.njit(cache=True, nogil=True)
def faces_search(D0, basis0, cob0, forced, order, zindex, dim, max_bases, max_work, narrow, limit):
    """:func:`face_search` of the faces ``forced[order[0]], forced[order[1]], ...``, in that order.

    One call for the faces of all vertices of the enumerated polytope: per face, the Python
    round trip (argument checks, the returned tuple) cost more than a small face's search. Each
    face gets the budget the faces before it left (``max_bases`` bases over the faces that are
    not empty, ``max_work`` entries over all), as one ``face_search`` call per face would. The
    loop stops before the first face that answers neither ``OK`` nor ``EMPTY`` (a bound, or an
    overflow past ``limit``), which the caller runs on its own (and on Python integers if need be).

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
                                             max_bases - bases, max_work - work, narrow, limit)
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

    The compiled kernels stop with ``OVERFLOW`` when an entry reaches ``limit`` (``WIDE_LIMIT``);
    these take over with no bound on the integers (and call the compiled hash-set helpers, which
    see only int64 keys). Their ``narrow`` and ``limit`` are unused: the dictionary is never
    "wide", and a pivot is charged its entries (the caller charges ``PYTHON_COST`` each).
    """
    g = dict(globals())
    g["_pivot"] = _pivot_object
    g["_lex_value"] = _lex_value.py_func
    g["_with_row"] = _with_row_object
    g["_drop_row"] = lambda D, k: D[:k].copy()
    g["_width"] = lambda D, det, narrow, limit: 0
    g["_pivot_cost"] = lambda cost, wide: cost
    g["_reserve"] = lambda cost, narrow, limit: cost
    g["_record"] = _record_object
    g["_lex_row64"] = types.FunctionType(_lex_row64.py_func.__code__, g, "_lex_row64")
    py_search = types.FunctionType(search.py_func.__code__, g, "search")
    g["search"] = py_search
    py_face = types.FunctionType(face_search.py_func.__code__, g, "face_search")
    return py_search, py_face
