"""Compiled Krawczyk test of :mod:`sim.solvers.poly`: support profiles settled without path tracking.

For a support profile the unknowns are each player's *free* probabilities ``y_j`` (those of its
support actions after the first; the first is ``1 - sum(y_j)``), and the square system ``f(y) = 0``
is the indifference system (rows ``u_i(a, x_-i) - u_i(a0, x_-i)``, layout of
:mod:`sim.solvers._poly_jit`). :func:`settle` searches the domain ``D`` (every probability at least
``-delta``) with boxes ``X`` of free probabilities, depth first, and on each box applies, cheapest
first:

1. the box misses ``D`` (a player's lower bounds sum past ``1 + delta``): no root; otherwise the
   upper bounds are cut to ``D``'s;
2. an interval enclosure of some ``f_r`` on ``X`` excludes 0: no root; or some unused action beats
   a support action by more than ``margin`` on all of ``X``: no equilibrium;
3. the Krawczyk operator (Krawczyk 1969; Moore, Kearfott and Cloud 2009, "Introduction to Interval
   Analysis", SIAM, section 8.2; Neumaier 1990, "Interval Methods for Systems of Equations",
   chapter 5) ``K(X) = c - Y f(c) + (I - Y J(X)) (X - c)``, ``c`` the center of ``X``, ``J(X)`` an
   enclosure of the Jacobian on ``X`` and ``Y`` the inverse of its midpoint. Every root of ``f`` in
   ``X`` lies in ``K(X)``: if ``K(X)`` misses ``X``, ``X`` holds no root; if ``K(X)`` lies in the
   interior of ``X``, ``X`` holds exactly one root, a regular one, to which the simplified Newton
   iteration ``y <- y - Y f(y)`` converges from ``c`` without leaving ``X`` (Neumaier 1990,
   theorem 5.1.7). Otherwise ``X`` is replaced by ``X`` intersected with ``K(X)`` (interval Newton
   contraction) and tested again while that shrinks it by half or more in volume, else bisected at
   its widest coordinate.

A support is *settled* when every box is dropped or holds one verified root: its roots in ``D``
are then exactly the ones returned, and its paths need not be tracked. A support whose boxes run
past the budget, the stack or a minimum width (a singular root, a continuum) is *undecided* and is
tracked as before, so the test never loses an equilibrium.

Enclosures. ``f_r`` and each Jacobian entry are multilinear in the players' strategies and linear
in each player's free probabilities, so they are enclosed by contracting the payoff tensor one
player at a time in midpoint-radius form: a contraction ``sum_c x_l(c) g_c`` with ``g_c`` in
``[m_c - r_c, m_c + r_c]`` lies in the exact range over the box of the linear function
``m_0 + sum_{c >= 1} y_c (m_c - m_0)`` widened by ``sum_c max|x_l(c)| r_c``. Floating point is made
sound by outward margins instead of directed rounding: payoffs are on ``[0, 1]`` (:func:`sim.game.
unit_payoffs`), every tensor value starts with a radius of ``1e-15`` (its own rounding), and every
contraction and matrix product widens its radius by ``2e-14 * (terms + 1)`` times the sum of the
magnitudes involved, which is over ten times the worst rounding error of the operations (each at
most ``2**-53`` relative); ``K(X)`` is widened the same way and by ``1e-12`` relative.
"""

from __future__ import annotations

import numba
import numpy as np

from sim.solvers._poly_jit import JIT, gather_player

_EPS = 2e-14      # outward margin per operation, relative to the magnitudes involved
_EPS_PT = 1e-15   # rounding radius of a payoff difference (payoffs on [0, 1])


@numba.njit(**JIT)
def _enclose(T, L, i, skip, k, lo, hi, voff, bm, br):
    """Midpoint and radius of an enclosure of the contraction of the point tensor ``T[:L]`` (axes:
    the players other than ``i`` and ``skip``, in order, each over its support) with every such
    player's strategy on the box ``[lo, hi]`` of free probabilities."""
    n_players = k.shape[0]
    for q in range(L):
        bm[q] = T[q]
        br[q] = _EPS_PT
    length = L
    for l in range(n_players - 1, -1, -1):
        if l == i or l == skip:
            continue
        s = k[l]
        v0 = voff[l] - 1          # free coordinate of support action c >= 1 is v0 + c
        slo = 0.0
        shi = 0.0
        for c in range(1, s):
            slo += lo[v0 + c]
            shi += hi[v0 + c]
        x0max = max(abs(1.0 - shi), abs(1.0 - slo)) * (1.0 + 1e-15)
        new_len = length // s
        for p in range(new_len):
            base = bm[p * s]
            lo_s = base
            hi_s = base
            mag = abs(base)
            radsum = x0max * br[p * s]
            for c in range(1, s):
                d = bm[p * s + c] - base
                a1 = lo[v0 + c] * d
                a2 = hi[v0 + c] * d
                ymax = max(abs(lo[v0 + c]), abs(hi[v0 + c]))
                if a1 < a2:
                    lo_s += a1
                    hi_s += a2
                else:
                    lo_s += a2
                    hi_s += a1
                mag += (abs(bm[p * s + c]) + abs(base)) * ymax
                radsum += ymax * br[p * s + c]
            bm[p] = 0.5 * (lo_s + hi_s)
            br[p] = 0.5 * (hi_s - lo_s) + radsum + _EPS * (s + 1) * (mag + radsum)
        length = new_len
    return bm[0], br[0]


@numba.njit(**JIT)
def _slice_diff(D, L, i, j, c, k, out):
    """``out = D[.., c, ..] - D[.., 0, ..]`` along player ``j``'s axis of the tensor ``D[:L]`` over
    the players other than ``i``; returns the length of ``out``."""
    n_players = k.shape[0]
    stride = 1
    for l in range(j + 1, n_players):
        if l != i:
            stride *= k[l]
    kj = k[j]
    pre = L // (kj * stride)
    for pp in range(pre):
        for ss in range(stride):
            out[pp * stride + ss] = D[pp * kj * stride + c * stride + ss] - D[pp * kj * stride + ss]
    return pre * stride


@numba.njit(**JIT)
def _rows(G, glen, k, lo, hi, voff, fm, fr, Jm, Jr, with_jac, D, S, bm, br):
    """Enclosures of every row ``f_r`` (``fm``, ``fr``) and, when ``with_jac``, of the Jacobian
    (``Jm``, ``Jr``) on the box ``[lo, hi]``; a point box gives the values at that point."""
    n_players = k.shape[0]
    r = 0
    for i in range(n_players):
        L = glen[i]
        for a in range(1, k[i]):
            for q in range(L):
                D[q] = G[i, a * L + q] - G[i, q]
            fm[r], fr[r] = _enclose(D, L, i, -1, k, lo, hi, voff, bm, br)
            if with_jac:
                for j in range(n_players):
                    for c in range(1, k[j]):
                        col = voff[j] + c - 1
                        if j == i:
                            Jm[r, col] = 0.0
                            Jr[r, col] = 0.0
                            continue
                        Ls = _slice_diff(D, L, i, j, c, k, S)
                        Jm[r, col], Jr[r, col] = _enclose(S, Ls, i, j, k, lo, hi, voff, bm, br)
            r += 1


@numba.njit(**JIT)
def _no_equilibrium(G, glen, k, n_own, lo, hi, voff, margin, D, bm, br):
    """Some unused action of some player beats one of its support actions by more than ``margin``
    everywhere on the box."""
    n_players = k.shape[0]
    for i in range(n_players):
        L = glen[i]
        for b in range(k[i], n_own[i]):
            for a in range(k[i]):
                for q in range(L):
                    D[q] = G[i, b * L + q] - G[i, a * L + q]
                m_, r_ = _enclose(D, L, i, -1, k, lo, hi, voff, bm, br)
                if m_ - r_ > margin:
                    return True
    return False


@numba.njit(**JIT)
def _inverse(A, m, Y, W, piv):
    """``Y = A[:m, :m]^-1`` by LU with partial pivoting (``W`` is overwritten); False when a pivot
    is below ``1e-13`` times the largest entry."""
    scale = 0.0
    for r in range(m):
        for c in range(m):
            W[r, c] = A[r, c]
            scale = max(scale, abs(A[r, c]))
    if scale == 0.0 or not np.isfinite(scale):
        return False
    for c in range(m):
        p = c
        best = abs(W[c, c])
        for r in range(c + 1, m):
            if abs(W[r, c]) > best:
                best = abs(W[r, c])
                p = r
        if best <= 1e-13 * scale:
            return False
        piv[c] = p
        if p != c:
            for q in range(m):
                W[c, q], W[p, q] = W[p, q], W[c, q]
        for r in range(c + 1, m):
            f = W[r, c] / W[c, c]
            W[r, c] = f
            for q in range(c + 1, m):
                W[r, q] -= f * W[c, q]
    for e in range(m):            # solve A y = e_e, column by column
        col = np.zeros(m)
        col[e] = 1.0
        for c in range(m):
            p = piv[c]
            if p != c:
                col[c], col[p] = col[p], col[c]
        for r in range(m):
            for c in range(r):
                col[r] -= W[r, c] * col[c]
        for r in range(m - 1, -1, -1):
            for c in range(r + 1, m):
                col[r] -= W[r, c] * col[c]
            col[r] /= W[r, r]
        for r in range(m):
            Y[r, e] = col[r]
    return True


@numba.njit(**JIT)
def settle(u, strides, shape, offsets, sup_k, sup_acts, margin, delta, max_boxes, max_roots, stats, start):
    """For each support profile: 0 when no equilibrium lies in its domain (every box dropped, no
    root), 1 when settled (every box dropped or holding one verified root; the roots are returned),
    2 when undecided (track its paths).

    Returns ``status (Q,)``, ``n_roots (Q,)`` and ``roots (Q, max_roots, offsets[-1])``, the
    verified roots as stacked profiles (zeros outside the support). ``max_boxes[q]`` bounds the
    boxes tested for support ``q``; a support with more than ``max_roots`` roots is undecided.
    ``stats`` (8,) accumulates the boxes dropped outside the domain, by a row's range, by an unused
    action, by ``K(X)``, holding a verified root, contracted, bisected, and too narrow.
    ``start (Q, 2, m)`` is the first box of each support (lower, upper bounds of its free
    probabilities, player by player); NaN means the whole domain, ``[-delta, 1 + delta]``.
    A pure profile (no unknowns) is settled, itself its root.
    """
    Q = sup_k.shape[0]
    n_players = shape.shape[0]
    n_max = sup_acts.shape[2]
    n_total = offsets[n_players]
    big = 1
    m_max = 0
    for j in range(n_players):
        big *= shape[j]
        m_max += shape[j] - 1
    m_max = max(m_max, 1)
    status = np.full(Q, 2, dtype=np.int64)
    n_roots = np.zeros(Q, dtype=np.int64)
    roots = np.zeros((Q, max_roots, n_total))
    G = np.zeros((n_players, big))
    glen = np.zeros(n_players, dtype=np.int64)
    n_own = np.zeros(n_players, dtype=np.int64)
    own = np.zeros(n_max, dtype=np.int64)
    cnt = np.zeros(n_players, dtype=np.int64)
    voff = np.zeros(n_players + 1, dtype=np.int64)
    D = np.zeros(big)
    S = np.zeros(big)
    bm = np.zeros(big)
    br = np.zeros(big)
    fm = np.zeros(m_max)
    fr = np.zeros(m_max)
    fcm = np.zeros(m_max)
    fcr = np.zeros(m_max)
    Jm = np.zeros((m_max, m_max))
    Jr = np.zeros((m_max, m_max))
    Y = np.zeros((m_max, m_max))
    W = np.zeros((m_max, m_max))
    Ma = np.zeros((m_max, m_max))
    piv = np.zeros(m_max, dtype=np.int64)
    cen = np.zeros(m_max)
    rx = np.zeros(m_max)
    Km = np.zeros(m_max)
    Kr = np.zeros(m_max)
    y = np.zeros(m_max)
    step = np.zeros(m_max)
    cap = 64 * m_max + 16
    stack_lo = np.zeros((cap, m_max))
    stack_hi = np.zeros((cap, m_max))
    lo = np.zeros(m_max)
    hi = np.zeros(m_max)
    lo2 = np.zeros(m_max)
    hi2 = np.zeros(m_max)
    for qi in range(Q):
        k = sup_k[qi]
        acts = sup_acts[qi]
        m = 0
        for j in range(n_players):
            voff[j] = m
            m += k[j] - 1
        voff[n_players] = m
        if m == 0:               # a pure profile is its own (only) root
            for j in range(n_players):
                roots[qi, 0, offsets[j] + acts[j, 0]] = 1.0
            status[qi] = 1
            n_roots[qi] = 1
            continue
        for i in range(n_players):
            ni = shape[i]
            pos = 0
            for a in range(k[i]):
                own[pos] = acts[i, a]
                pos += 1
            for a in range(ni):
                inside = False
                for c in range(k[i]):
                    if acts[i, c] == a:
                        inside = True
                if not inside:
                    own[pos] = a
                    pos += 1
            n_own[i] = ni
            glen[i] = gather_player(u, strides, k, acts, i, own, ni, G[i], cnt)
        for v in range(m):
            if np.isnan(start[qi, 0, v]):
                stack_lo[0, v] = -delta
                stack_hi[0, v] = 1.0 + delta
            else:
                stack_lo[0, v] = start[qi, 0, v]
                stack_hi[0, v] = start[qi, 1, v]
        top = 0
        boxes = 0
        found = 0
        decided = True
        while top >= 0:
            for v in range(m):
                lo[v] = stack_lo[top, v]
                hi[v] = stack_hi[top, v]
            top -= 1
            while True:      # test the box; contract it while that pays; then drop or bisect it
                boxes += 1
                if boxes > max_boxes[qi]:
                    decided = False
                    break
                # 1. the domain: probabilities >= -delta
                empty = False
                for j in range(n_players):
                    slo = 0.0
                    for c in range(1, k[j]):
                        slo += lo[voff[j] + c - 1]
                    if slo > 1.0 + delta:
                        empty = True
                        break
                    for c in range(1, k[j]):
                        v = voff[j] + c - 1
                        cut = 1.0 + delta - (slo - lo[v])
                        if cut < hi[v]:
                            hi[v] = cut
                        if hi[v] < lo[v]:
                            empty = True
                if empty:
                    stats[0] += 1
                    break
                # 2. ranges of the rows, unused actions
                _rows(G, glen, k, lo, hi, voff, fm, fr, Jm, Jr, False, D, S, bm, br)
                for r in range(m):
                    if abs(fm[r]) > fr[r]:
                        empty = True
                        break
                if empty:
                    stats[1] += 1
                    break
                if _no_equilibrium(G, glen, k, n_own, lo, hi, voff, margin, D, bm, br):
                    stats[2] += 1
                    break
                # 3. Krawczyk
                # on the box inflated by a tenth of its widths (epsilon-inflation, Rump 1983), so
                # that a root on a face of X (a bisection plane, a rational point) is inside it
                widest = 0
                vol_log = 0.0
                for v in range(m):
                    cen[v] = 0.5 * (lo[v] + hi[v])
                    rx[v] = (max(hi[v] - cen[v], cen[v] - lo[v]) * 1.1 + 1e-13) * (1.0 + 1e-15)
                    lo2[v] = cen[v] - rx[v]
                    hi2[v] = cen[v] + rx[v]
                    if hi[v] - lo[v] > hi[widest] - lo[widest]:
                        widest = v
                if hi[widest] - lo[widest] < 1e-9:
                    decided = False        # a singular root or a continuum: leave it to tracking
                    stats[7] += 1
                    break
                _rows(G, glen, k, lo2, hi2, voff, fm, fr, Jm, Jr, True, D, S, bm, br)
                _rows(G, glen, k, cen, cen, voff, fcm, fcr, Jm, Jr, False, D, S, bm, br)
                split = True
                if _inverse(Jm, m, Y, W, piv):
                    # |I - Y J(X)| entrywise, widened
                    for a in range(m):
                        for b in range(m):
                            acc = 1.0 if a == b else 0.0
                            rad = 0.0
                            mag = 0.0
                            for r in range(m):
                                acc -= Y[a, r] * Jm[r, b]
                                rad += abs(Y[a, r]) * Jr[r, b]
                                mag += abs(Y[a, r]) * abs(Jm[r, b])
                            Ma[a, b] = abs(acc) + rad + _EPS * (m + 2) * (mag + rad + 1.0)
                    excluded = False
                    inside = True
                    for a in range(m):
                        yf = 0.0
                        rad = 0.0
                        mag = 0.0
                        for r in range(m):
                            yf += Y[a, r] * fcm[r]
                            rad += abs(Y[a, r]) * fcr[r]
                            mag += abs(Y[a, r]) * abs(fcm[r])
                        for b in range(m):
                            rad += Ma[a, b] * rx[b]
                        Km[a] = cen[a] - yf
                        Kr[a] = rad * (1.0 + 1e-12) + _EPS * (m + 2) * (mag + abs(cen[a]) + abs(Km[a]))
                        if Km[a] - Kr[a] > hi[a] or Km[a] + Kr[a] < lo[a]:
                            excluded = True
                        if not (Km[a] - Kr[a] > lo2[a] and Km[a] + Kr[a] < hi2[a]):
                            inside = False
                    if excluded:
                        stats[3] += 1
                        break
                    if inside:
                        # one regular root in X' (so X holds at most that one): the simplified
                        # Newton iteration from the center stays in X' and converges to it
                        for v in range(m):
                            y[v] = cen[v]
                        for _ in range(200):
                            _rows(G, glen, k, y, y, voff, fcm, fcr, Jm, Jr, False, D, S, bm, br)
                            size = 0.0
                            for a in range(m):
                                s_ = 0.0
                                for r in range(m):
                                    s_ += Y[a, r] * fcm[r]
                                step[a] = s_
                                size = max(size, abs(s_))
                            for a in range(m):
                                y[a] -= step[a]
                            if size < 1e-15:
                                break
                        if found >= max_roots:
                            decided = False
                            break
                        for j in range(n_players):
                            first = 1.0
                            for c in range(1, k[j]):
                                roots[qi, found, offsets[j] + acts[j, c]] = y[voff[j] + c - 1]
                                first -= y[voff[j] + c - 1]
                            roots[qi, found, offsets[j] + acts[j, 0]] = first
                        found += 1
                        stats[4] += 1
                        break
                    # interval Newton contraction: X <- X n K(X); again while the volume halves
                    for a in range(m):
                        nl = max(lo[a], Km[a] - Kr[a])
                        nh = min(hi[a], Km[a] + Kr[a])
                        vol_log += np.log(max(nh - nl, 1e-300) / (hi[a] - lo[a]))
                        lo[a] = nl
                        hi[a] = nh
                    if vol_log < -0.693:
                        split = False
                        stats[5] += 1
                if split:
                    widest = 0
                    for v in range(m):
                        if hi[v] - lo[v] > hi[widest] - lo[widest]:
                            widest = v
                    if top + 2 >= cap:
                        decided = False
                        break
                    stats[6] += 1
                    mid = 0.5 * (lo[widest] + hi[widest])
                    top += 1
                    for v in range(m):
                        stack_lo[top, v] = lo[v]
                        stack_hi[top, v] = hi[v]
                    stack_lo[top, widest] = mid
                    top += 1
                    for v in range(m):
                        stack_lo[top, v] = lo[v]
                        stack_hi[top, v] = hi[v]
                    stack_hi[top, widest] = mid
                    break
            if not decided:
                break
        if decided:
            status[qi] = 1 if found else 0
            n_roots[qi] = found
        else:
            n_roots[qi] = 0
    return status, n_roots, roots
