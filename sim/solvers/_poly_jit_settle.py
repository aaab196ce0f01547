"""Compiled subdivision with a Krawczyk test of :mod:`sim.solvers.poly`: support profiles settled
without path tracking.

:func:`settle` runs the subdivision exclusion test of :mod:`sim.solvers._poly_jit_prune` (cells are
products of simplices, one per player, carrying their vertex-value tables; a cell is excluded when
some action beats a support action by more than ``margin`` at every vertex tuple), and adds a test
for the cells it cannot exclude once they are small: the Krawczyk operator (Krawczyk 1969; Moore,
Kearfott and Cloud 2009, "Introduction to Interval Analysis", SIAM, section 8.2; Neumaier 1990,
"Interval Methods for Systems of Equations", Cambridge, chapter 5) on the cell's bounding box in
the *free* probabilities (each player's support actions after the first; the first is one minus
their sum). The support's indifference system ``f(y) = 0`` (rows ``u_i(a, x_-i) - u_i(a0, x_-i)``,
layout of :mod:`sim.solvers._poly_jit`) is square in them. For a box ``X``, its center ``c``, an
enclosure ``J(X)`` of the Jacobian on ``X`` and ``Y`` the inverse of its midpoint,
``K(X) = c - Y f(c) + (I - Y J(X)) (X - c)`` holds every root of ``f`` in ``X``. So:

* ``K(X')`` misses ``X`` (the cell's bounding box; ``X'`` is ``X`` widened by a tenth of its widths,
  so that a root on a face of ``X`` is inside ``X'``: epsilon-inflation, Rump 1983): the cell holds
  no root, it is excluded;
* ``K(X')`` lies in the interior of ``X'``: ``X'`` holds exactly one root of ``f``, a regular one
  (Neumaier 1990, theorem 5.1.7), to which the simplified Newton iteration ``y <- y - Y f(y)``
  converges from ``c`` without leaving ``X'``; the cell holds at most that root, which is returned
  (whether it is an equilibrium, and inside the simplices, the caller checks);
* otherwise the cell is bisected as before.

A support is *dropped* when every cell is excluded and no root was found, *settled* when every
cell is excluded or holds its verified root (its equilibria are among the returned roots: no path
needs tracking), and *kept* (tracked as before) when a cell reaches ``max_depth`` or the cells run
past the budget. The kept supports are not those the subdivision alone keeps (the cells are
bisected on the longest edge of any player's simplex, with their own depth and budget), but the
test never drops an equilibrium: the Krawczyk verdicts are sound, and a cell is otherwise dropped
only by the same exclusion test and margin as there.

Enclosures. ``f_r`` and each Jacobian entry are multilinear in the players' strategies and linear
in each player's free probabilities; they are enclosed by contracting the payoff tensor one player
at a time in midpoint-radius form: a contraction ``sum_c x_l(c) g_c`` with ``g_c`` in
``[m_c - r_c, m_c + r_c]`` lies in the exact range over the box of the linear function
``m_0 + sum_{c >= 1} y_c (m_c - m_0)``, widened by ``sum_c max|x_l(c)| r_c``. Floating point is
made sound by outward margins instead of directed rounding: payoffs are on ``[0, 1]``
(:func:`sim.game.unit_payoffs`), every payoff difference starts with a radius of ``1e-15`` (its own
rounding), every contraction and matrix product widens its radius by ``2e-14 * (terms + 1)`` times
the sum of the magnitudes involved (over ten times the worst rounding error of those operations,
each at most ``2**-53`` relative), and ``K`` is widened the same way and by ``1e-12`` relative.
"""

from __future__ import annotations

import numba
import numpy as np

from sim.solvers._poly_jit import JIT, gather_support
from sim.solvers._poly_jit_prune import _bisect, _tables_excluded

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
def _krawczyk(G, glen, k, m, voff, lo, hi, y, w):
    """Krawczyk test of the box ``[lo, hi]`` of free probabilities (``m`` of them): 0 when it holds
    no root, 1 when the box widened by a tenth holds exactly one (left in ``y``), 2 when undecided.
    ``w`` is a tuple of work arrays."""
    lo2, hi2, cen, rx, fm, fr, fcm, fcr, Jm, Jr, Y, W, Ma, piv, D, S, bm, br, step = w
    for v in range(m):
        cen[v] = 0.5 * (lo[v] + hi[v])
        rx[v] = (max(hi[v] - cen[v], cen[v] - lo[v]) * 1.1 + 1e-13) * (1.0 + 1e-15)
        lo2[v] = cen[v] - rx[v]
        hi2[v] = cen[v] + rx[v]
    _rows(G, glen, k, lo2, hi2, voff, fm, fr, Jm, Jr, True, D, S, bm, br)
    _rows(G, glen, k, cen, cen, voff, fcm, fcr, Jm, Jr, False, D, S, bm, br)
    for r in range(m):                  # a row's range without 0 on X': no root there at all
        if abs(fm[r]) > fr[r]:
            return 0
    if not _inverse(Jm, m, Y, W, piv):
        return 2
    for a in range(m):                  # |I - Y J(X')| entrywise, widened
        for b in range(m):
            acc = 1.0 if a == b else 0.0
            rad = 0.0
            mag = 0.0
            for r in range(m):
                acc -= Y[a, r] * Jm[r, b]
                rad += abs(Y[a, r]) * Jr[r, b]
                mag += abs(Y[a, r]) * abs(Jm[r, b])
            Ma[a, b] = abs(acc) + rad + _EPS * (m + 2) * (mag + rad + 1.0)
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
        km = cen[a] - yf
        kr = rad * (1.0 + 1e-12) + _EPS * (m + 2) * (mag + abs(cen[a]) + abs(km))
        if km - kr > hi[a] or km + kr < lo[a]:
            return 0
        if not (km - kr > lo2[a] and km + kr < hi2[a]):
            inside = False
    if not inside:
        return 2
    # one regular root in X': the simplified Newton iteration from the center stays in X' and
    # converges to it (linearly, at the rate of the contraction just shown)
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
    return 1


@numba.njit(**JIT)
def settle(u, strides, shape, offsets, sup_k, sup_acts, margin, max_depth, max_cells, k_width, k_cost,
           max_roots):
    """For each support profile: 0 (dropped: no equilibrium on its simplices), 1 (settled: its
    equilibria are among its returned roots) or 2 (kept: track its paths).

    A subdivision with the exclusion test and ``margin`` of
    :func:`sim.solvers._poly_jit_prune.may_hold_equilibrium`, bisecting the longest edge of any
    player's simplex (not the players in turn) within its own ``max_depth`` and ``max_cells``, plus the
    Krawczyk test of the module docstring on every cell that is not excluded, whose bounding box is
    at most ``k_width`` wide, at depths where every active player has just been bisected; a test
    counts as ``k_cost`` cells. Returns ``status (Q,)``, ``n_roots (Q,)`` and ``roots (Q,
    max_roots, offsets[-1])``: the verified roots as stacked profiles (zeros outside the support;
    a support with more than ``max_roots`` of them is kept), and ``stats (Q, 5)``: cells tested,
    Krawczyk tests, cells they excluded, roots they verified, and the deepest cell. A pure profile not excluded is settled,
    itself its root.
    """
    Q = sup_k.shape[0]
    n_players = shape.shape[0]
    n_max = sup_acts.shape[2]
    status = np.full(Q, 2, dtype=np.int64)
    n_roots = np.zeros(Q, dtype=np.int64)
    roots = np.zeros((Q, max_roots, offsets[n_players]))
    stats = np.zeros((Q, 5), dtype=np.int64)
    big = 1
    m_max = 0
    for j in range(n_players):
        big *= shape[j]
        m_max += shape[j] - 1
    m_max = max(m_max, 1)
    gathered = np.zeros((n_players, big), dtype=np.float64)
    glen = np.zeros(n_players, dtype=np.int64)
    cells = np.zeros((max_depth + 2, n_players, n_max, n_max))
    Wt = np.zeros((max_depth + 2, n_players, big))
    depth = np.zeros(max_depth + 2, dtype=np.int64)
    split = np.zeros(max_depth + 2, dtype=np.int64)   # the player bisected to make each cell
    last_k = np.zeros(max_depth + 2)      # the width at which a cell's ancestors were last tested
    witness = np.zeros((n_players, n_max, n_max), dtype=np.int64)   # see _tables_excluded
    last = np.zeros(3, dtype=np.int64)
    own = np.zeros(n_max, dtype=np.int64)
    cnt = np.zeros(n_players, dtype=np.int64)
    active = np.zeros(n_players, dtype=np.int64)
    voff = np.zeros(n_players + 1, dtype=np.int64)
    lo = np.zeros(m_max)
    hi = np.zeros(m_max)
    y = np.zeros(m_max)
    vbox = np.zeros((max_roots, 2, m_max))   # the box in which each verified root is the only one
    work = (np.zeros(m_max), np.zeros(m_max), np.zeros(m_max), np.zeros(m_max), np.zeros(m_max),
            np.zeros(m_max), np.zeros(m_max), np.zeros(m_max), np.zeros((m_max, m_max)),
            np.zeros((m_max, m_max)), np.zeros((m_max, m_max)), np.zeros((m_max, m_max)),
            np.zeros((m_max, m_max)), np.zeros(m_max, dtype=np.int64), np.zeros(big), np.zeros(big),
            np.zeros(big), np.zeros(big), np.zeros(m_max))
    for qi in range(Q):
        k = sup_k[qi]
        acts = sup_acts[qi]
        n_active = 0
        m = 0
        for j in range(n_players):
            voff[j] = m
            m += k[j] - 1
            if k[j] > 1:
                active[n_active] = j
                n_active += 1
        voff[n_players] = m
        gather_support(u, strides, shape, k, acts, own, gathered, glen, cnt)
        for j in range(n_players):
            for r in range(n_max):
                for c in range(n_max):
                    cells[0, j, r, c] = 1.0 if r == c else 0.0
        for i in range(n_players):
            for q in range(shape[i] * glen[i]):
                Wt[0, i, q] = gathered[i, q]
        depth[0] = 0
        split[0] = -1
        last_k[0] = np.inf
        witness[:] = 0
        last[0] = -1
        top = 0
        tested = 0
        kept = False
        found = 0
        while top >= 0:
            d = depth[top]
            tested += 1
            stats[qi, 0] += 1
            stats[qi, 4] = max(stats[qi, 4], d)
            if _tables_excluded(n_players, shape, k, Wt, glen, top, margin, witness, last, split[top]):
                top -= 1
                continue
            if n_active == 0:              # a pure profile that is not excluded: its own root
                for j in range(n_players):
                    roots[qi, 0, offsets[j] + acts[j, 0]] = 1.0
                found = 1
                top -= 1
                continue
            if k_width > 0.0:
                # the bounding box, given up at the first side wider than a tested cell may be
                # (most cells are)
                limit = min(k_width, 0.75 * last_k[top])
                wmax = 0.0
                for j in range(n_players):
                    for c in range(1, k[j]):
                        a_ = np.inf
                        b_ = -np.inf
                        for r in range(k[j]):
                            a_ = min(a_, cells[top, j, r, c])
                            b_ = max(b_, cells[top, j, r, c])
                        lo[voff[j] + c - 1] = a_
                        hi[voff[j] + c - 1] = b_
                        wmax = max(wmax, b_ - a_)
                        if wmax > limit:
                            break
                    if wmax > limit:
                        break
                if wmax <= limit:
                    last_k[top] = wmax
                    # a cell inside the box of a verified root holds at most that root
                    done = False
                    for f_ in range(found):
                        inside_box = True
                        for v in range(m):
                            if lo[v] < vbox[f_, 0, v] or hi[v] > vbox[f_, 1, v]:
                                inside_box = False
                                break
                        if inside_box:
                            done = True
                            break
                    if done:
                        top -= 1
                        continue
                    # test a cube around the cell: a box much thinner in some coordinates than in
                    # others (a player's segment bisected often, another's triangle rarely) never
                    # holds its K(X') in its interior
                    for v in range(m):
                        cen_ = 0.5 * (lo[v] + hi[v])
                        lo[v] = min(lo[v], cen_ - 0.5 * wmax)
                        hi[v] = max(hi[v], cen_ + 0.5 * wmax)
                    tested += k_cost
                    verdict = _krawczyk(gathered, glen, k, m, voff, lo, hi, y, work)
                    stats[qi, 1] += 1
                    if verdict == 0:
                        stats[qi, 2] += 1
                        top -= 1
                        continue
                    if verdict == 1:
                        same = -1
                        for f_ in range(found):
                            dist = 0.0
                            for j in range(n_players):
                                for c in range(1, k[j]):
                                    dist = max(dist, abs(roots[qi, f_, offsets[j] + acts[j, c]] - y[voff[j] + c - 1]))
                            if dist < 1e-9:
                                same = f_
                                break
                        if same >= 0:          # a root already found: keep the larger box
                            top -= 1
                            continue
                        if found >= max_roots:
                            kept = True
                            break
                        for v in range(m):
                            vbox[found, 0, v] = work[0][v]
                            vbox[found, 1, v] = work[1][v]
                        for j in range(n_players):
                            first = 1.0
                            for c in range(1, k[j]):
                                roots[qi, found, offsets[j] + acts[j, c]] = y[voff[j] + c - 1]
                                first -= y[voff[j] + c - 1]
                            roots[qi, found, offsets[j] + acts[j, 0]] = first
                        found += 1
                        stats[qi, 3] += 1
                        top -= 1
                        continue
            if d >= max_depth or tested + 2 > max_cells[qi]:
                kept = True
                break
            # the longest edge of any active player's simplex (cells stay well proportioned, as
            # the Krawczyk test needs)
            best = -1.0
            j = 0
            p_ = 0
            q_ = 0
            for t_ in range(n_active):
                jj = active[t_]
                for p in range(k[jj]):
                    for q in range(p + 1, k[jj]):
                        dist = 0.0
                        for c in range(k[jj]):
                            diff = cells[top, jj, p, c] - cells[top, jj, q, c]
                            dist += diff * diff
                        if dist > best:
                            best = dist
                            j = jj
                            p_ = p
                            q_ = q
            _bisect(cells, Wt, top, j, p_, q_, k, shape, glen, n_players, n_max)
            depth[top] = d + 1
            depth[top + 1] = d + 1
            split[top] = j
            split[top + 1] = j
            last_k[top + 1] = last_k[top]
            top += 1
        if not kept:
            status[qi] = 1 if found else 0
            n_roots[qi] = found
    return status, n_roots, roots, stats


@numba.njit(**JIT)
def krawczyk_box(u, strides, shape, k, acts, lo, hi):
    """Verdict of the Krawczyk test on one box ``[lo, hi]`` of a support's free probabilities (0 no
    root in it, 1 exactly one in it widened by a tenth, 2 undecided) and that root: the test of
    :func:`settle` with its work arrays allocated, for tests."""
    n_players = shape.shape[0]
    n_max = acts.shape[1]
    big = 1
    m_max = 0
    for j in range(n_players):
        big *= shape[j]
        m_max += shape[j] - 1
    m_max = max(m_max, 1)
    gathered = np.zeros((n_players, big))
    glen = np.zeros(n_players, dtype=np.int64)
    own = np.zeros(n_max, dtype=np.int64)
    cnt = np.zeros(n_players, dtype=np.int64)
    voff = np.zeros(n_players + 1, dtype=np.int64)
    for j in range(n_players):
        voff[j + 1] = voff[j] + k[j] - 1
    gather_support(u, strides, shape, k, acts, own, gathered, glen, cnt)
    work = (np.zeros(m_max), np.zeros(m_max), np.zeros(m_max), np.zeros(m_max), np.zeros(m_max),
            np.zeros(m_max), np.zeros(m_max), np.zeros(m_max), np.zeros((m_max, m_max)),
            np.zeros((m_max, m_max)), np.zeros((m_max, m_max)), np.zeros((m_max, m_max)),
            np.zeros((m_max, m_max)), np.zeros(m_max, dtype=np.int64), np.zeros(big), np.zeros(big),
            np.zeros(big), np.zeros(big), np.zeros(m_max))
    y = np.zeros(m_max)
    verdict = _krawczyk(gathered, glen, k, voff[n_players], voff, lo, hi, y, work)
    return verdict, y[:voff[n_players]]
