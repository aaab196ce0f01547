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


@numba.njit(**JIT)
def _gather(u, strides, k, acts, G, glen):
    """Each player's payoffs on one support, as a real tensor ``G[i]`` with axes (own support
    action, then the others' support actions in player order; C order): gathered once per path so
    that evaluations never index the full payoff array."""
    n_players = k.shape[0]
    cnt = np.zeros(n_players, dtype=np.int64)
    for i in range(n_players):
        glen[i] = gather_player(u, strides, k, acts, i, acts[i], k[i], G[i], cnt)


@numba.njit(**JIT)
def _cdot_axis(A, ar, a0, pre, K, suf, x, x0, out, orow, o0):
    """``out[orow, o0 + p*suf + s] = sum_c A[ar, a0 + (p*K + c)*suf + s] * x[x0 + c]``: contract
    one axis of a flat ``(pre, K, suf)`` tensor (row ``ar`` of ``A``) with a vector. Rows and
    offsets rather than array views: views cost reference counting in the innermost calls."""
    for p in range(pre):
        for s_ in range(suf):
            acc = 0.0j
            base = a0 + p * K * suf + s_
            for c in range(K):
                acc += A[ar, base + c * suf] * x[x0 + c]
            out[orow, o0 + p * suf + s_] = acc


@numba.njit(**JIT)
def _rdot_axis(A, ar, pre, K, x, x0, out, orow, o0):
    """``out[orow, o0 + p] = sum_c A[ar, p*K + c] * x[x0 + c]`` for real ``A``: the first
    contraction of the (real) payoffs, at half the cost of a complex product."""
    for p in range(pre):
        re = 0.0
        im = 0.0
        base = p * K
        for c in range(K):
            w = A[ar, base + c]
            v = x[x0 + c]
            re += w * v.real
            im += w * v.imag
        out[orow, o0 + p] = complex(re, im)


@numba.njit(**JIT)
def _system(G, glen, lin, gamma, chart, k, acts, soff, x, t, start, H, J, Ht, dV, L, B, iw):
    """Value ``H``, Jacobian ``J`` and ``dH/dt`` of one support's homotopy at ``(x, t)``.

    ``G``/``glen`` are the support's payoffs from :func:`_gather`. ``start=False`` evaluates the
    target system alone (``t`` is then ignored): used at ``t = 1`` and for real polishing, where
    the start system contributes nothing. ``dV``, ``L``, ``B`` (``(3, N * n_0 * ... * n_{N-1})``
    complex: the levels of a player with pure opponents take up to ``N - 1`` times its payoffs)
    and ``iw`` (``(3, N)`` integers) are work arrays.

    Player ``i``'s payoffs ``V = u_i(., x_-i)`` are contracted from the last other player to the
    first, keeping every partial contraction ``B_q`` (axes: own action, others ``0..q-1``); the
    derivative along other player ``q`` is ``B_{q+1}`` with the others before ``q`` contracted too.
    That is about a third of the work of summing over the support's pure profiles.
    """
    n_players = k.shape[0]
    m = soff[n_players]
    s = (1.0 - t) * gamma
    for r in range(m):
        H[r] = 0.0
        Ht[r] = 0.0
        for c in range(m):
            J[r, c] = 0.0
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
        # Levels (row 0 of the work array B): level q holds G[i] contracted with the others
        # o_{n_oth-1}, ..., o_q (axes: own action, o_0, ..., o_{q-1}); G[i] itself is level n_oth.
        # iw[0, q] is where level q starts, iw[1, q] = prod_{l < q} k[o_l], iw[2, q] = o_q.
        n_oth = n_players - 1
        q = 0
        for j in range(n_players):
            if j != i:
                iw[2, q] = j
                q += 1
        iw[1, 0] = 1
        for q in range(n_oth):
            iw[1, q + 1] = iw[1, q] * k[iw[2, q]]
        pos = 0
        for q in range(n_oth):
            iw[0, q] = pos
            pos += ki * iw[1, q]
        for q in range(n_oth - 1, -1, -1):
            j = iw[2, q]
            if q == n_oth - 1:
                _rdot_axis(G, i, ki * iw[1, q], k[j], x, soff[j], B, 0, iw[0, q])
            else:
                _cdot_axis(B, 0, iw[0, q + 1], ki * iw[1, q], k[j], 1, x, soff[j], B, 0, iw[0, q])
        v0 = iw[0, 0]                                   # V = level 0
        # derivative along o_q: level q + 1 with o_0, ..., o_{q-1} contracted from the front
        # (ping-pong between rows 1 and 2 of B)
        for q in range(n_oth):
            j = iw[2, q]
            kj = k[j]
            if q == 0:
                for a in range(ki):
                    for b in range(kj):
                        if n_oth == 1:
                            dV[a, soff[j] + b] = G[i, a * kj + b]
                        else:
                            dV[a, soff[j] + b] = B[0, iw[0, 1] + a * kj + b]
                continue
            o0 = iw[2, 0]
            size_rest = iw[1, q + 1] // k[o0]           # axes o_1..o_q after contracting o_0
            if q + 1 == n_oth:
                _cdot_axis(G, i, 0, ki, k[o0], size_rest, x, soff[o0], B, 1, 0)
            else:
                _cdot_axis(B, 0, iw[0, q + 1], ki, k[o0], size_rest, x, soff[o0], B, 1, 0)
            src = 1
            for l in range(1, q):
                ol = iw[2, l]
                size_next = size_rest // k[ol]
                _cdot_axis(B, src, 0, ki, k[ol], size_next, x, soff[ol], B, 3 - src, 0)
                size_rest = size_next
                src = 3 - src
            for a in range(ki):
                for b in range(kj):
                    dV[a, soff[j] + b] = B[src, a * kj + b]
        for a in range(1, ki):
            r = r0 + a
            E = B[0, v0 + a] - B[0, v0]
            if not start:
                H[r] = E
                for q in range(n_oth):
                    j = iw[2, q]
                    for b in range(k[j]):
                        c = soff[j] + b
                        J[r, c] = dV[a, c] - dV[0, c]
                continue
            # start-system factor of each other player: one random linear form of x_j
            Gs = 1.0 + 0.0j
            for j in range(n_players):
                if j == i:
                    L[j] = 1.0
                    continue
                lf = 0.0j
                for b in range(k[j]):
                    lf += lin[i, j, acts[i, a], acts[j, b]] * x[soff[j] + b]
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
                for b in range(k[j]):
                    c = soff[j] + b
                    J[r, c] = t * (dV[a, c] - dV[0, c]) + s * part * lin[i, j, acts[i, a], acts[j, b]]


@numba.njit(**JIT)
def _workspace(u, n_players, n_max, m):
    """Work arrays of :func:`_system` for systems of up to ``m`` unknowns: ``H``, ``Ht``, ``J``,
    ``V``, ``dV``, ``L``, the gathered payoffs ``G`` and ``glen``, and the contraction levels
    ``B`` and ``iw`` (up to ``(N - 1) * big`` entries per level)."""
    big = u.shape[1]
    return (np.zeros(m, dtype=np.complex128), np.zeros(m, dtype=np.complex128),
            np.zeros((m, m), dtype=np.complex128), np.zeros(n_max, dtype=np.complex128),
            np.zeros((n_max, m), dtype=np.complex128), np.zeros(n_players, dtype=np.complex128),
            np.zeros((n_players, big)), np.zeros(n_players, dtype=np.int64),
            np.zeros((3, n_players * big), dtype=np.complex128), np.zeros((3, n_players), dtype=np.int64))


@numba.njit(**JIT)
def system_at(u, strides, lin, gamma, chart, k, acts, x, t):
    """``(H, J, dH/dt)`` of one support's homotopy at ``(x, t)``: :func:`_system` with its work
    arrays allocated, for tests."""
    n_players = k.shape[0]
    soff = np.zeros(n_players + 1, dtype=np.int64)
    for j in range(n_players):
        soff[j + 1] = soff[j] + k[j]
    m = soff[n_players]
    H, Ht, J, V, dV, L, G, glen, B, iw = _workspace(u, n_players, acts.shape[1], m)
    _gather(u, strides, k, acts, G, glen)
    _system(G, glen, lin, gamma, chart, k, acts, soff, x, t, True, H, J, Ht, dV, L, B, iw)
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
    H, Ht, J, V, dV, L, G, glen, B, iw = _workspace(u, n_players, n_max, m_max)
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
        _gather(u, strides, k, acts, G, glen)
        # A path that cannot start is reported as failed (not ok, with a finite condition number),
        # so it is tracked again and, failing again, counted: never silently dropped.
        cond[p] = 1.0
        if not _start_point(lin, chart, k, acts, soff, path_assign[p], x, W, piv):
            continue
        t = 0.0
        t_prev = 0.0
        have_prev = False
        h = min(0.05, h_max)
        _system(G, glen, lin, gamma, chart, k, acts, soff, x, 0.0, True, H, J, Ht, dV, L, B, iw)
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
                    _system(G, glen, lin, gamma, chart, k, acts, soff, y, tn, True, H, J, Ht, dV, L, B, iw)
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
            _system(G, glen, lin, gamma, chart, k, acts, soff, x, 1.0, False, H, J, Ht, dV, L, B, iw)
            for r in range(m):
                d1[r] = -H[r]
            if not _lu(J, m, piv):
                break
            _lu_solve(J, m, piv, d1)
            for r in range(m):
                x[r] += d1[r]
        _system(G, glen, lin, gamma, chart, k, acts, soff, x, 1.0, False, H, J, Ht, dV, L, B, iw)
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
    H, Ht, J, V, dV, L, G, glen, B, iw = _workspace(u, n_players, n_max, m_max)
    piv = np.zeros(m_max, dtype=np.int64)
    x = np.zeros(m_max, dtype=np.complex128)
    d = np.zeros(m_max, dtype=np.complex128)
    lin = np.zeros((n_players, n_players, n_max, n_max), dtype=np.complex128)
    ones = np.ones((n_players, n_max), dtype=np.complex128)
    soff = np.zeros(n_players + 1, dtype=np.int64)
    for c in range(C):
        b = cand_sup[c]
        k = sup_k[b]
        acts = sup_acts[b]
        for j in range(n_players):
            soff[j + 1] = soff[j] + k[j]
        m = soff[n_players]
        _gather(u, strides, k, acts, G, glen)
        for j in range(n_players):
            for bb in range(k[j]):
                x[soff[j] + bb] = xs[c, offsets[j] + acts[j, bb]]
        broke = False
        for _ in range(iters):
            _system(G, glen, lin, 1.0 + 0.0j, ones, k, acts, soff, x, 1.0, False, H, J, Ht, dV, L, B, iw)
            for r in range(m):
                d[r] = -H[r]
            if not _lu(J, m, piv):
                broke = True
                break
            _lu_solve(J, m, piv, d)
            for r in range(m):
                x[r] = x[r].real + d[r].real
        _system(G, glen, lin, 1.0 + 0.0j, ones, k, acts, soff, x, 1.0, False, H, J, Ht, dV, L, B, iw)
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
