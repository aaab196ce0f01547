"""Compiled homotopy path tracker of :mod:`sim.solvers.poly`: one support's system, its paths, polishing.

The layout of payoffs, supports and rows is that of :mod:`sim.solvers._poly_jit`, and so is the
caveat on numba's cache. The kernels read top to bottom: gathering a support's payoffs
(:func:`_gather`) and evaluating its homotopy ``H = (1 - t) * gamma * G + t * F`` with Jacobian
and ``t``-derivative (:func:`_system`; the linear-product start system of Morgan and Sommese 1987,
the indifference equations of McKelvey and McLennan 1996, section 6), small dense linear algebra
(:func:`_lu`, :func:`_lu_solve`, :func:`_cond1`), the start solutions (:func:`_start_point`), then
the entry points: :func:`track_paths` (predictor-corrector continuation, Allgower and Georg 2003,
"Introduction to Numerical Continuation Methods", SIAM, chapter 2), :func:`polish` (Newton's
method on the simplex chart) and :func:`meeting_paths`; :func:`system_at` exposes :func:`_system`
to the tests, which compare it with the NumPy evaluation of :mod:`sim.solvers._poly_system`.
"""

from __future__ import annotations

import numba
import numpy as np

from sim.solvers._poly_jit import JIT, gather_player

# Rows shorter than this are contracted as dot products (the sum in registers): an axpy over a few
# entries costs more in loop set-up and stores than it gains from SIMD.
AXPY_MIN = 8


@numba.njit(**JIT)
def _gather(u, strides, k, acts, G, glen, gw):
    """Each player's payoffs on one support, as a real tensor ``G[i]`` with axes (the others'
    support actions in player order, then own support action; C order, own action fastest), and
    as ``G[N + i]`` with the others in reverse order: gathered once per path so that evaluations
    never index the full payoff array. Own action last makes every contraction of :func:`_system`
    an update of contiguous rows at least ``k[i]`` long, and the two orders let it contract both
    the first and the last opponent along the leading axis (``gw`` is a work array of
    ``u.shape[1]`` entries)."""
    n_players = k.shape[0]
    cnt = np.zeros(n_players, dtype=np.int64)
    for i in range(n_players):
        ki = k[i]
        size = gather_player(u, strides, k, acts, i, acts[i], ki, gw, cnt)
        glen[i] = size
        for q in range(size):
            # qr: the same profile of the others with their order reversed (o_{n-1} slowest)
            rem = q
            qr = 0
            mult = size
            for j in range(n_players - 1, -1, -1):
                if j == i:
                    continue
                mult //= k[j]
                qr += (rem % k[j]) * mult
                rem //= k[j]
            for a in range(ki):
                G[i, q * ki + a] = gw[a * size + q]
                G[n_players + i, qr * ki + a] = gw[a * size + q]


@numba.njit(**JIT)
def _gather_lin(lin, k, acts, soff, LG):
    """The start system's linear forms on one support, as ``LG[r, c]``: the coefficient of unknown
    ``c`` (player ``j``'s support action ``b``) in the form of player ``j`` in indifference row
    ``r`` (player ``i``'s support action ``a``), ``lin[i, j, acts[i, a], acts[j, b]]``; gathered
    once per path, like the payoffs."""
    n_players = k.shape[0]
    for i in range(n_players):
        for a in range(1, k[i]):
            r = soff[i] + a
            for j in range(n_players):
                if j == i:
                    continue
                for b in range(k[j]):
                    LG[r, soff[j] + b] = lin[i, j, acts[i, a], acts[j, b]]


@numba.njit(**JIT)
def _raxpy(A, ar, pre, K, suf, X, x0, W, orow):
    """``W[2 orow + (0, 1), p*suf + s] = sum_c A[ar, (p*K + c)*suf + s] * x[x0 + c]``: the real
    and imaginary parts of the contraction of the middle axis of a flat ``(pre, K, suf)`` real
    tensor with a complex vector, its parts in rows 0 and 1 of ``X``. Rows of ``suf >= AXPY_MIN``
    entries are updated as axpys (the reduction index outside, the innermost loop over contiguous
    entries) so that LLVM emits SIMD code; shorter ones are summed as dot products, in registers.
    The sum over ``c`` is taken in order either way. Rows and offsets rather than array views
    (views cost reference counting), real and imaginary parts in one array (fewer arguments)."""
    o_re = 2 * orow
    o_im = o_re + 1
    if suf < AXPY_MIN:
        for p in range(pre):
            for s_ in range(suf):
                re = 0.0
                im = 0.0
                ab = p * K * suf + s_
                for c in range(K):
                    g = A[ar, ab + c * suf]
                    re += g * X[0, x0 + c]
                    im += g * X[1, x0 + c]
                W[o_re, p * suf + s_] = re
                W[o_im, p * suf + s_] = im
        return
    for p in range(pre):
        ob = p * suf
        for s_ in range(suf):
            W[o_re, ob + s_] = 0.0
            W[o_im, ob + s_] = 0.0
        for c in range(K):
            wr = X[0, x0 + c]
            wi = X[1, x0 + c]
            ab = (p * K + c) * suf
            for s_ in range(suf):
                g = A[ar, ab + s_]
                W[o_re, ob + s_] += g * wr
                W[o_im, ob + s_] += g * wi


@numba.njit(**JIT)
def _caxpy(W, arow, pre, K, suf, X, x0, orow):
    """:func:`_raxpy` for a complex tensor, its parts in rows ``2 arow`` and ``2 arow + 1`` of
    ``W``; the product is rounded as numba's complex product, ``(a c - b d) + (a d + b c) i``."""
    a_re = 2 * arow
    a_im = a_re + 1
    o_re = 2 * orow
    o_im = o_re + 1
    if suf < AXPY_MIN:
        for p in range(pre):
            for s_ in range(suf):
                re = 0.0
                im = 0.0
                ab = p * K * suf + s_
                for c in range(K):
                    a = W[a_re, ab + c * suf]
                    b = W[a_im, ab + c * suf]
                    wr = X[0, x0 + c]
                    wi = X[1, x0 + c]
                    re += a * wr - b * wi
                    im += a * wi + b * wr
                W[o_re, p * suf + s_] = re
                W[o_im, p * suf + s_] = im
        return
    for p in range(pre):
        ob = p * suf
        for s_ in range(suf):
            W[o_re, ob + s_] = 0.0
            W[o_im, ob + s_] = 0.0
        for c in range(K):
            wr = X[0, x0 + c]
            wi = X[1, x0 + c]
            ab = (p * K + c) * suf
            for s_ in range(suf):
                a = W[a_re, ab + s_]
                b = W[a_im, ab + s_]
                W[o_re, ob + s_] += a * wr - b * wi
                W[o_im, ob + s_] += a * wi + b * wr


@numba.njit(**JIT)
def _system(G, glen, LG, gamma, chart, k, acts, soff, x, t, start, H, J, Ht, dV, L, W, X, iw):
    """Value ``H``, Jacobian ``J`` and ``dH/dt`` of one support's homotopy at ``(x, t)``.

    ``G``/``glen`` are the support's payoffs from :func:`_gather`. ``start=False`` evaluates the
    target system alone (``t`` is then ignored): used at ``t = 1`` and for real polishing, where
    the start system contributes nothing. ``LG`` holds the start system's linear forms
    (:func:`_gather_lin`; unused when ``start=False``). ``dV`` (``(n_max, m)`` complex), ``L`` (``(N,)``
    complex), ``W`` (``(2 (N + 2), n_0 * ... * n_{N-1})`` real: the real and imaginary parts of
    one partial contraction per pair of rows, two more pairs for the derivatives), ``X``
    (``(2, m)``: the real and imaginary parts of ``x``) and ``iw``
    (``(3, N + 1)`` integers) are work arrays.

    Player ``i``'s payoffs ``V = u_i(., x_-i)`` are contracted with its opponents ``o_0, o_1, ...``
    in order, each time along the leading axis, keeping every partial contraction ``P_q`` (axes:
    ``o_q, ..., o_{n-1}``, own action); the derivative along ``o_q`` is ``P_q`` with
    ``o_{q+1}, ...`` contracted too (its second axis each time), ``P_{n-1}`` itself for the last.
    That is about a third of the work of summing over the support's pure profiles. Real and
    imaginary parts are kept apart so that the contractions run as SIMD updates of contiguous rows
    (:func:`_raxpy`, :func:`_caxpy`).
    """
    n_players = k.shape[0]
    m = soff[n_players]
    s = (1.0 - t) * gamma
    for r in range(m):
        X[0, r] = x[r].real
        X[1, r] = x[r].imag
        H[r] = 0.0
        Ht[r] = 0.0
        for c in range(m):
            J[r, c] = 0.0
    n_oth = n_players - 1
    for i in range(n_players):
        # chart row of player i
        r0 = soff[i]
        acc = -1.0 + 0.0j
        for b in range(k[i]):
            acc += chart[i, acts[i, b]] * x[r0 + b]
            J[r0, r0 + b] = chart[i, acts[i, b]]
        H[r0] = acc
        ki = k[i]
        if ki == 1:
            continue
        # iw[2, q] = o_q; iw[1, q] = k[o_q] * ... * k[o_{n-1}] * ki, the size of P_q's rows
        q = 0
        for j in range(n_players):
            if j != i:
                iw[2, q] = j
                q += 1
        iw[1, n_oth] = ki
        for q in range(n_oth - 1, -1, -1):
            iw[1, q] = iw[1, q + 1] * k[iw[2, q]]
        # P_q in rows 2q, 2q + 1 of W (P_0 = G[i], real); V = P_{n-1} contracted with o_{n-1}
        for q in range(n_oth):
            j = iw[2, q]
            if q == 0:
                _raxpy(G, i, 1, k[j], iw[1, 1], X, soff[j], W, 1)
            else:
                _caxpy(W, q, 1, k[j], iw[1, q + 1], X, soff[j], q + 1)
        # derivative along o_q: P_q with o_{q+1}, ..., o_{n-1} contracted (ping-pong between
        # pairs N and N + 1 of W)
        for q in range(n_oth):
            j = iw[2, q]
            kj = k[j]
            if q == n_oth - 1:
                if q == 0:
                    for b in range(kj):
                        for a in range(ki):
                            dV[a, soff[j] + b] = G[i, b * ki + a]
                else:
                    for b in range(kj):
                        for a in range(ki):
                            dV[a, soff[j] + b] = complex(W[2 * q, b * ki + a], W[2 * q + 1, b * ki + a])
                continue
            src = n_players
            if q == 0:
                # along o_0: the others in reverse order, contracted from o_{n-1} down to o_1, each
                # time along the leading axis (sizes kept in iw[0])
                iw[0, 0] = ki
                for l in range(n_oth - 1):
                    iw[0, l + 1] = iw[0, l] * k[iw[2, l]]
                ol = iw[2, n_oth - 1]
                _raxpy(G, n_players + i, 1, k[ol], iw[0, n_oth - 1], X, soff[ol], W, src)
                for l in range(n_oth - 2, 0, -1):
                    ol = iw[2, l]
                    dst = 2 * n_players + 1 - src
                    _caxpy(W, src, 1, k[ol], iw[0, l], X, soff[ol], dst)
                    src = dst
                for b in range(kj):
                    for a in range(ki):
                        dV[a, soff[j] + b] = complex(W[2 * src, b * ki + a], W[2 * src + 1, b * ki + a])
                continue
            ol = iw[2, q + 1]
            _caxpy(W, q, kj, k[ol], iw[1, q + 2], X, soff[ol], src)
            for l in range(q + 2, n_oth):
                ol = iw[2, l]
                dst = 2 * n_players + 1 - src
                _caxpy(W, src, kj, k[ol], iw[1, l + 1], X, soff[ol], dst)
                src = dst
            for b in range(kj):
                for a in range(ki):
                    dV[a, soff[j] + b] = complex(W[2 * src, b * ki + a], W[2 * src + 1, b * ki + a])
        for a in range(1, ki):
            r = r0 + a
            E = complex(W[2 * n_oth, a] - W[2 * n_oth, 0], W[2 * n_oth + 1, a] - W[2 * n_oth + 1, 0])
            if not start:
                H[r] = E
                for q in range(n_oth):
                    j = iw[2, q]
                    for b in range(k[j]):
                        c = soff[j] + b
                        J[r, c] = dV[a, c] - dV[0, c]
                continue
            # start-system factor of each other player: one random linear form of x_j, its
            # coefficients in row r of LG (:func:`_gather_lin`)
            Gs = 1.0 + 0.0j
            for j in range(n_players):
                if j == i:
                    L[j] = 1.0
                    continue
                lf = 0.0j
                for c in range(soff[j], soff[j + 1]):
                    lf += LG[r, c] * x[c]
                L[j] = lf
                Gs *= lf
            H[r] = s * Gs + t * E
            Ht[r] = E - gamma * Gs
            for j in range(n_players):
                if j == i:
                    continue
                part = 1.0 + 0.0j
                for l in range(n_players):
                    if l != i and l != j:
                        part *= L[l]
                sp = s * part
                for c in range(soff[j], soff[j + 1]):
                    d = dV[a, c] - dV[0, c]
                    J[r, c] = complex(t * d.real, t * d.imag) + sp * LG[r, c]


@numba.njit(**JIT)
def _workspace(u, n_players, n_max, m):
    """Work arrays of :func:`_gather` and :func:`_system` for systems of up to ``m`` unknowns:
    ``H``, ``Ht``, ``J``, ``dV``, ``L``, the gathered payoffs ``G``, ``glen`` and ``gw``, the
    gathered linear forms ``LG``, the
    partial contractions ``W``, the parts ``X`` of the point, and ``iw``."""
    big = u.shape[1]
    return (np.zeros(m, dtype=np.complex128), np.zeros(m, dtype=np.complex128),
            np.zeros((m, m), dtype=np.complex128), np.zeros((n_max, m), dtype=np.complex128),
            np.zeros(n_players, dtype=np.complex128), np.zeros((2 * n_players, big)),
            np.zeros(n_players, dtype=np.int64), np.zeros(big), np.zeros((m, m), dtype=np.complex128),
            np.zeros((2 * (n_players + 2), big)), np.zeros((2, m)),
            np.zeros((3, n_players + 1), dtype=np.int64))


@numba.njit(**JIT)
def system_at(u, strides, lin, gamma, chart, k, acts, x, t):
    """``(H, J, dH/dt)`` of one support's homotopy at ``(x, t)``: :func:`_system` with its work
    arrays allocated, for tests."""
    n_players = k.shape[0]
    soff = np.zeros(n_players + 1, dtype=np.int64)
    for j in range(n_players):
        soff[j + 1] = soff[j] + k[j]
    m = soff[n_players]
    H, Ht, J, dV, L, G, glen, gw, LG, Wc, X, iw = _workspace(u, n_players, acts.shape[1], m)
    _gather(u, strides, k, acts, G, glen, gw)
    _gather_lin(lin, k, acts, soff, LG)
    _system(G, glen, LG, gamma, chart, k, acts, soff, x, t, True, H, J, Ht, dV, L, Wc, X, iw)
    return H, J, Ht


@numba.njit(**JIT)
def _lu(A, m, piv):
    """In-place LU with partial pivoting of ``A[:m, :m]``; False when a pivot is exactly zero."""
    for c in range(m):
        p = c
        # pivot on |re| + |im| (within a factor sqrt 2 of the modulus, without a hypot per entry)
        best = abs(A[c, c].real) + abs(A[c, c].imag)
        for r in range(c + 1, m):
            v = abs(A[r, c].real) + abs(A[r, c].imag)
            if v > best:
                best = v
                p = r
        piv[c] = p
        if best == 0.0 or not np.isfinite(best):
            return False
        if p != c:
            for q in range(m):
                tmp = A[c, q]
                A[c, q] = A[p, q]
                A[p, q] = tmp
        inv = 1.0 / A[c, c]
        for r in range(c + 1, m):
            f = A[r, c] * inv
            if f != 0.0:
                A[r, c] = f
                for q in range(c + 1, m):
                    A[r, q] -= f * A[c, q]
            else:
                A[r, c] = 0.0
    return True


@numba.njit(**JIT)
def _lu_solve(A, m, piv, b):
    """Solve in place with the factors of :func:`_lu`."""
    for c in range(m):
        p = piv[c]
        if p != c:
            tmp = b[c]
            b[c] = b[p]
            b[p] = tmp
    for r in range(m):
        acc = b[r]
        for q in range(r):
            acc -= A[r, q] * b[q]
        b[r] = acc
    for r in range(m - 1, -1, -1):
        acc = b[r]
        for q in range(r + 1, m):
            acc -= A[r, q] * b[q]
        b[r] = acc / A[r, r]


@numba.njit(**JIT)
def _cond1(J, m, W, piv, e):
    """1-norm condition number of ``J[:m, :m]`` (``inf`` when singular)."""
    norm = 0.0
    for c in range(m):
        col = 0.0
        for r in range(m):
            col += abs(J[r, c])
        norm = max(norm, col)
    for r in range(m):
        for c in range(m):
            W[r, c] = J[r, c]
    if not _lu(W, m, piv):
        return np.inf
    inorm = 0.0
    for c in range(m):
        for r in range(m):
            e[r] = 0.0
        e[c] = 1.0
        _lu_solve(W, m, piv, e)
        col = 0.0
        for r in range(m):
            col += abs(e[r])
        inorm = max(inorm, col)
    out = norm * inorm
    return out if np.isfinite(out) else np.inf


@numba.njit(**JIT)
def _start_point(lin, chart, k, acts, soff, assign, x, W, piv):
    """The start solution of one path: for every player ``j``, the linear forms of the equations
    assigned to ``j`` vanish and its chart is one (a ``k[j] x k[j]`` linear system)."""
    n_players = k.shape[0]
    for j in range(n_players):
        kj = k[j]
        row = 0
        e = 0
        for i in range(n_players):
            for a in range(1, k[i]):
                if assign[e] == j:
                    for b in range(kj):
                        W[row, b] = lin[i, j, acts[i, a], acts[j, b]]
                    row += 1
                e += 1
        for b in range(kj):
            W[row, b] = chart[j, acts[j, b]]
        rhs = np.zeros(kj, dtype=np.complex128)
        rhs[kj - 1] = 1.0
        if not _lu(W, kj, piv):
            return False
        _lu_solve(W, kj, piv, rhs)
        for b in range(kj):
            x[soff[j] + b] = rhs[b]
    return True


@numba.njit(**JIT)
def track_paths(u, strides, lin, gamma, chart, sup_k, sup_acts, path_sup, path_assign, offsets,
                h_max, max_steps, step_target=5e-3):
    """Track every path of every support from its start solution at ``t = 0`` to ``t = 1``.

    Per path: a predictor, two Newton corrections and a strict acceptance test (a small first
    correction that then contracts, so a path does not jump to a neighbouring one). A rejection
    halves the step; a path whose step falls below ``1e-12`` stops (that happens near a singular
    end point). Then four Newton steps at ``t = 1``.

    Predictor: the cubic Hermite interpolant of the last two points and tangents, extrapolated
    (predictor-corrector continuation as in Allgower and Georg 2003, "Introduction to Numerical
    Continuation Methods", SIAM, chapter 2); the new tangent ``dx/dt = -H_x^{-1} H_t`` comes from
    the factors of the last Newton correction, so a step costs two evaluations and two
    factorisations (a Runge-Kutta predictor, as in the NumPy route, costs six). The next step is
    chosen from the first correction ``n1`` (the predictor's error, of order ``h^4``):
    ``h * 0.9 * (step_target / n1) ** 0.25``, within half and twice ``h`` (doubling after two
    accepted steps rejected a third of all steps).

    Returns the end points in the full stacked layout ``(P, offsets[-1])`` (zeros outside the
    support), a success flag, the 1-norm condition number of the end Jacobian, the number of
    predictor-corrector steps taken and how many of them were rejected, per path.
    """
    P = path_sup.shape[0]
    n_players = sup_k.shape[1]
    n_max = sup_acts.shape[2]
    m_max = 0
    for b in range(sup_k.shape[0]):
        m_max = max(m_max, sup_k[b].sum())
    out = np.zeros((P, offsets[n_players]), dtype=np.complex128)
    ok = np.zeros(P, dtype=np.bool_)
    cond = np.full(P, np.inf)
    steps = np.zeros(P, dtype=np.int64)
    rejected = np.zeros(P, dtype=np.int64)
    H, Ht, J, dV, L, G, glen, gw, LG, Wc, X, iw = _workspace(u, n_players, n_max, m_max)
    W = np.zeros((m_max, m_max), dtype=np.complex128)
    piv = np.zeros(m_max, dtype=np.int64)
    x = np.zeros(m_max, dtype=np.complex128)
    y = np.zeros(m_max, dtype=np.complex128)
    k1 = np.zeros(m_max, dtype=np.complex128)
    d1 = np.zeros(m_max, dtype=np.complex128)
    d2 = np.zeros(m_max, dtype=np.complex128)
    x_prev = np.zeros(m_max, dtype=np.complex128)
    tan = np.zeros(m_max, dtype=np.complex128)
    tan_prev = np.zeros(m_max, dtype=np.complex128)
    soff = np.zeros(n_players + 1, dtype=np.int64)
    for p in range(P):
        b = path_sup[p]
        k = sup_k[b]
        acts = sup_acts[b]
        for j in range(n_players):
            soff[j + 1] = soff[j] + k[j]
        m = soff[n_players]
        _gather(u, strides, k, acts, G, glen, gw)
        _gather_lin(lin, k, acts, soff, LG)
        # A path that cannot start is reported as failed (not ok, with a finite condition number),
        # so it is tracked again and, failing again, counted: never silently dropped.
        cond[p] = 1.0
        if not _start_point(lin, chart, k, acts, soff, path_assign[p], x, W, piv):
            continue
        t = 0.0
        t_prev = 0.0
        have_prev = False
        h = min(0.05, h_max)
        _system(G, glen, LG, gamma, chart, k, acts, soff, x, 0.0, True, H, J, Ht, dV, L, Wc, X, iw)
        for r in range(m):
            tan[r] = -Ht[r]
        if not _lu(J, m, piv):
            continue
        _lu_solve(J, m, piv, tan)
        # started: from here a non-finite end point counts as singular, as in the NumPy route
        cond[p] = np.inf
        reached = False
        n_steps = 0
        for _ in range(max_steps):
            last = h >= 1.0 - t
            ha = 1.0 - t if last else h
            good = True
            # Cubic Hermite extrapolation through the last two accepted points and their tangents
            # (Euler on the first step): no evaluation of the system at all.
            if have_prev:
                h0 = t - t_prev
                tau = 1.0 + ha / h0
                t2 = tau * tau
                t3 = t2 * tau
                c00 = 2.0 * t3 - 3.0 * t2 + 1.0
                c10 = (t3 - 2.0 * t2 + tau) * h0
                c01 = -2.0 * t3 + 3.0 * t2
                c11 = (t3 - t2) * h0
                for r in range(m):
                    y[r] = c00 * x_prev[r] + c10 * tan_prev[r] + c01 * x[r] + c11 * tan[r]
            else:
                for r in range(m):
                    y[r] = x[r] + ha * tan[r]
            tn = 1.0 if last else t + ha
            if good:
                # two Newton corrections at the new t (a chord second correction, reusing the first
                # one's factors, was measured: a fifth more steps ate most of its saving)
                for d in (d1, d2):
                    _system(G, glen, LG, gamma, chart, k, acts, soff, y, tn, True, H, J, Ht, dV, L, Wc, X, iw)
                    for r in range(m):
                        d[r] = -H[r]
                    if not _lu(J, m, piv):
                        good = False
                        break
                    _lu_solve(J, m, piv, d)
                    for r in range(m):
                        y[r] += d[r]
                if good:
                    # the tangent at the new point, from the factors of the last correction (taken
                    # a correction of under a tenth of the first away: well within the predictor's
                    # own error)
                    for r in range(m):
                        k1[r] = -Ht[r]
                    _lu_solve(J, m, piv, k1)
            if good:
                scale = 1.0
                for r in range(m):
                    scale = max(scale, x[r].real ** 2 + x[r].imag ** 2)
                n1 = 0.0
                n2 = 0.0
                for r in range(m):
                    n1 = max(n1, d1[r].real ** 2 + d1[r].imag ** 2)
                    n2 = max(n2, d2[r].real ** 2 + d2[r].imag ** 2)
                scale = np.sqrt(scale)
                n1 = np.sqrt(n1)
                n2 = np.sqrt(n2)
                n1 /= scale
                n2 /= scale
                good = (np.isfinite(scale) and np.isfinite(n1) and np.isfinite(n2) and n1 < 2e-2
                        and n2 < max(0.1 * n1, 1e-12))
            n_steps += 1
            if not good:
                rejected[p] += 1
            if good:
                for r in range(m):
                    x_prev[r] = x[r]
                    tan_prev[r] = tan[r]
                    x[r] = y[r]
                    tan[r] = k1[r]
                t_prev = t
                have_prev = True
                t = tn
                # next step from the first correction, the predictor's error, which scales as h^4:
                # aim at a quarter of the acceptance bound, changing h at most twofold
                f = 2.0 if n1 <= 0.0 else 0.9 * (step_target / n1) ** 0.25
                h = min(max(f, 0.5), 2.0) * ha if not last else h
                h = min(h, h_max)
                if t >= 1.0:
                    reached = True
                    break
            else:
                h *= 0.5
                if h < 1e-12:
                    break
        steps[p] = n_steps
        # Newton at t = 1 from wherever the path stopped (stalled paths included)
        finite = True
        for _ in range(4):
            _system(G, glen, LG, gamma, chart, k, acts, soff, x, 1.0, False, H, J, Ht, dV, L, Wc, X, iw)
            for r in range(m):
                d1[r] = -H[r]
            if not _lu(J, m, piv):
                break
            _lu_solve(J, m, piv, d1)
            for r in range(m):
                x[r] += d1[r]
        _system(G, glen, LG, gamma, chart, k, acts, soff, x, 1.0, False, H, J, Ht, dV, L, Wc, X, iw)
        for r in range(m):
            if not np.isfinite(x[r].real) or not np.isfinite(x[r].imag):
                finite = False
        if finite:
            cond[p] = _cond1(J, m, W, piv, d2)
        ok[p] = reached and finite
        for j in range(n_players):
            for bb in range(k[j]):
                out[p, offsets[j] + acts[j, bb]] = x[soff[j] + bb]
    return out, ok, cond, steps, rejected


@numba.njit(**JIT)
def polish(u, strides, sup_k, sup_acts, cand_sup, xs, offsets, iters):
    """Newton's method on the simplex chart (probabilities sum to one) from real points.

    ``xs`` ``(C, offsets[-1])`` are real starting profiles in the full stacked layout, one per
    candidate, ``cand_sup[c]`` the index of its support. Returns the polished profiles and the
    max-abs residual of the target system at them (``inf`` when Newton broke down).
    """
    C = cand_sup.shape[0]
    n_players = sup_k.shape[1]
    n_max = sup_acts.shape[2]
    m_max = n_players * n_max
    out = np.zeros((C, offsets[n_players]))
    resid = np.full(C, np.inf)
    H, Ht, J, dV, L, G, glen, gw, LG, Wc, X, iw = _workspace(u, n_players, n_max, m_max)
    piv = np.zeros(m_max, dtype=np.int64)
    x = np.zeros(m_max, dtype=np.complex128)
    d = np.zeros(m_max, dtype=np.complex128)
    ones = np.ones((n_players, n_max), dtype=np.complex128)
    soff = np.zeros(n_players + 1, dtype=np.int64)
    for c in range(C):
        b = cand_sup[c]
        k = sup_k[b]
        acts = sup_acts[b]
        for j in range(n_players):
            soff[j + 1] = soff[j] + k[j]
        m = soff[n_players]
        _gather(u, strides, k, acts, G, glen, gw)
        for j in range(n_players):
            for bb in range(k[j]):
                x[soff[j] + bb] = xs[c, offsets[j] + acts[j, bb]]
        broke = False
        for _ in range(iters):
            _system(G, glen, LG, 1.0 + 0.0j, ones, k, acts, soff, x, 1.0, False, H, J, Ht, dV, L, Wc, X, iw)
            for r in range(m):
                d[r] = -H[r]
            if not _lu(J, m, piv):
                broke = True
                break
            _lu_solve(J, m, piv, d)
            for r in range(m):
                x[r] = x[r].real + d[r].real
        _system(G, glen, LG, 1.0 + 0.0j, ones, k, acts, soff, x, 1.0, False, H, J, Ht, dV, L, Wc, X, iw)
        worst = 0.0
        for r in range(m):
            worst = max(worst, abs(H[r]))
        if not broke and np.isfinite(worst):
            resid[c] = worst
        for j in range(n_players):
            for bb in range(k[j]):
                out[c, offsets[j] + acts[j, bb]] = x[soff[j] + bb].real
    return out, resid


@numba.njit(**JIT)
def meeting_paths(path_sup, x, ok, regular):
    """Paths worth tracking again: stalled with a nonsingular end point, or a nonsingular end
    point reached by two paths of one support (paths of a support are contiguous)."""
    P = path_sup.shape[0]
    bad = np.zeros(P, dtype=np.bool_)
    for p in range(P):
        if not ok[p] and regular[p]:
            bad[p] = True
        if not (ok[p] and regular[p]):
            continue
        scale = 1.0
        for c in range(x.shape[1]):
            scale = max(scale, abs(x[p, c]))
        for q in range(p + 1, P):
            if path_sup[q] != path_sup[p]:
                break
            if not (ok[q] and regular[q]):
                continue
            dist = 0.0
            for c in range(x.shape[1]):
                dist = max(dist, abs(x[p, c] - x[q, c]))
            if dist < 1e-6 * scale:
                bad[p] = True
                bad[q] = True
    return bad
