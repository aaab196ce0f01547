"""Compiled kernel of ``enumpure_batch`` (private; import it only where it is called).

Axis conventions as in :mod:`sim.solvers.pure`: the kernel sees a batch flattened to
``(B, P * N)`` (one game per row, profiles in C order, the player axis innermost) and writes a
``(B, P)`` mask, ``P = n_0 * ... * n_{N-1}``.

Why it looks the way it does (every choice measured on a 2-core AMD EPYC, AVX2):

* Games are taken ``T`` at a time and transposed into a tile ``(N, P, T)``: player, profile,
  game. For a fixed player, the payoffs of a profile and of its deviations along that player's
  axis are then runs of ``stride_i * T`` contiguous doubles, so every loop below is a plain
  contiguous loop that LLVM vectorises, whatever the shape of the game. Working on one game in its
  natural layout reads each player's payoffs at a stride of ``N`` doubles with loops of length
  ``n_i`` (2 or 3), which no compiler vectorises; that version ran at half the speed.
* The tie rule ``u >= max - tol`` is kept exactly, in float64, but as a running minimum of the
  slack ``u - (max - tol)`` over players: for finite ``u`` and a ``max - tol`` that is finite or
  ``-inf``, ``fl(u - m) >= 0`` holds exactly when ``u >= m`` (an IEEE difference is zero only for
  equal operands and keeps its sign when it overflows). A minimum of doubles vectorises where an
  ``&=`` on a boolean array did not.
* Non-finite payoffs are detected on the tile with an integer OR of the exponent bits (a float sum
  would be a serial dependency chain and could overflow on legitimate payoffs near 1e308).
* No ``fastmath``: exact IEEE semantics decide the ties.
"""

from __future__ import annotations

import numba
import numpy as np

# Games per tile. The tile ``(N, P, T)`` of the 4-player, 3-action workload is 20 KiB at T = 8,
# so it and the rows it is read from stay in a 32 KiB L1 cache; T = 16 was slower.
TILE = 8

_EXPONENT = np.uint64(0x7FF0000000000000)
_EXP_ONE = np.uint64(1 << 52)
_SIGN = np.uint64(1 << 63)


@numba.njit(cache=True, nogil=True)
def enumpure_rows(x, shape, tol, out, lo, hi):
    """Mark the pure equilibria of games ``lo:hi`` of ``x`` into ``out``.

    Parameters
    ----------
    x : float64 array, shape (B, P * N), C-contiguous
    shape : int64 array, shape (N,)
        Action counts ``n_0, ..., n_{N-1}``.
    tol : float
        Non-negative tolerance of the tie rule ``u >= max - tol``.
    out : bool array, shape (B, P)
    lo, hi : int
        Games to do.

    Returns
    -------
    int
        -1, or the first game of a tile holding a non-finite payoff (nothing is written for that
        tile or after it; the caller names the exact entry).
    """
    n_players = shape.shape[0]
    n_prof = 1
    for i in range(n_players):
        n_prof *= shape[i]
    width = n_prof * n_players
    T = TILE
    y = np.zeros(width * T)  # (N, P, T)
    bits = y.view(np.uint64)
    slack = np.empty(n_prof * T)  # (P, T): min over players of u - (max - tol)
    for g0 in range(lo, hi, T):
        tt = min(T, hi - g0)
        # Transpose the rows of the tile. Writing T contiguous lanes at a time (8 reads from the
        # 8 rows, one 64-byte store) ran 15-40% faster than writing one lane per row pass.
        if tt == T:
            rows = x[g0:g0 + T]
            for i in range(n_players):
                for p in range(n_prof):
                    c = (i * n_prof + p) * T
                    j = p * n_players + i
                    for t in range(T):
                        y[c + t] = rows[t, j]
        else:  # the batch's last, partial tile: lanes past its end are zeros (finite)
            y[:] = 0.0
            for t in range(tt):
                row = x[g0 + t]
                for p in range(n_prof):
                    for i in range(n_players):
                        y[(i * n_prof + p) * T + t] = row[p * n_players + i]
        # Exponent all ones (inf or nan) carries into the sign bit: an integer OR vectorises.
        acc = np.uint64(0)
        for j in range(width * T):
            acc |= (bits[j] & _EXPONENT) + _EXP_ONE
        if acc & _SIGN:
            return g0
        slack[:] = np.inf
        stride = n_prof
        for i in range(n_players):
            n = shape[i]
            stride //= n  # profiles between neighbouring actions of player i
            if n == 1:
                continue  # no deviation: every profile is a best response for this player
            run = stride * T  # contiguous doubles sharing one deviation pattern
            span = n * run
            base_y = i * n_prof * T
            for o in range(0, n_prof * T, span):
                # Views keep the index arithmetic out of the inner loops (and non-negative,
                # which spares numba's wrap-around handling and lets LLVM vectorise).
                if n == 2:
                    u0 = y[base_y + o:base_y + o + run]
                    u1 = y[base_y + o + run:base_y + o + 2 * run]
                    s0 = slack[o:o + run]
                    s1 = slack[o + run:o + 2 * run]
                    for k in range(run):
                        a = u0[k]
                        b = u1[k]
                        m = (a if a > b else b) - tol
                        e = a - m
                        s0[k] = e if e < s0[k] else s0[k]
                        e = b - m
                        s1[k] = e if e < s1[k] else s1[k]
                elif n == 3:
                    u0 = y[base_y + o:base_y + o + run]
                    u1 = y[base_y + o + run:base_y + o + 2 * run]
                    u2 = y[base_y + o + 2 * run:base_y + o + 3 * run]
                    s0 = slack[o:o + run]
                    s1 = slack[o + run:o + 2 * run]
                    s2 = slack[o + 2 * run:o + 3 * run]
                    for k in range(run):
                        a = u0[k]
                        b = u1[k]
                        c = u2[k]
                        m = a if a > b else b
                        m = (m if m > c else c) - tol
                        e = a - m
                        s0[k] = e if e < s0[k] else s0[k]
                        e = b - m
                        s1[k] = e if e < s1[k] else s1[k]
                        e = c - m
                        s2[k] = e if e < s2[k] else s2[k]
                else:
                    u = y[base_y + o:base_y + o + span]
                    s = slack[o:o + span]
                    for k in range(run):
                        m = u[k]
                        for b in range(1, n):
                            v = u[b * run + k]
                            m = v if v > m else m
                        m -= tol
                        for b in range(n):
                            e = u[b * run + k] - m
                            s[b * run + k] = e if e < s[b * run + k] else s[b * run + k]
        for t in range(tt):
            dst = out[g0 + t]
            for p in range(n_prof):
                dst[p] = slack[p * T + t] >= 0.0
    return -1
