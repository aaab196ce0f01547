"""Compiled backward induction and its certificate on a flat perfect-information tree.

Private: :mod:`sim.extensive.spe` imports this module inside :func:`~sim.extensive.spe.spe_solve`,
so importing ``sim`` never pays for numba. Everything here works on the arrays of a
:class:`sim.extensive.behaviour.FlatTree` (breadth-first order: every child comes after its
parent, so one loop over the nodes backwards visits children before parents; the children of
node ``x`` are ``first[x] .. first[x] + count[x] - 1``):

* ``kind`` int8 ``(n,)``: ``0`` terminal, ``1`` chance, ``2`` decision;
* ``player``, ``infoset`` int64 ``(n,)``; ``edge`` float64 ``(n,)`` (chance probability into a child);
* ``payoffs`` float64 ``(n, N)``, the player axis last.

The arithmetic is the level-by-level NumPy version's, operation by operation (chance values
summed left to right from the first child's product; the first strictly larger value wins;
an action is optimal when its value is ``>= best - eps[player]``), and there is no
``fastmath``, so both find the same choices and ties on the same floats.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def backward_induction(kind, first, count, player, infoset, edge, payoffs, eps, n_infosets):
    """Node values ``(n, N)``, the first optimal action per information set and the tie flag
    per node (two or more actions within ``eps`` of the best) of backward induction."""
    n, N = payoffs.shape
    V = payoffs.copy()
    choice = np.zeros(n_infosets, dtype=np.int64)
    tied = np.zeros(n, dtype=np.bool_)
    for x in range(n - 1, -1, -1):
        if kind[x] == 0:
            continue
        f, c = first[x], count[x]
        if kind[x] == 1:
            for i in range(N):
                acc = edge[f] * V[f, i]
                for k in range(1, c):
                    acc = acc + edge[f + k] * V[f + k, i]
                V[x, i] = acc
            continue
        j = player[x]
        top = V[f, j]
        best = 0
        for k in range(1, c):
            if V[f + k, j] > top:
                top = V[f + k, j]
                best = k
        thr = top - eps[j]
        n_opt = 0
        for k in range(c):
            if V[f + k, j] >= thr:
                n_opt += 1
        tied[x] = n_opt > 1
        choice[infoset[x]] = best
        for i in range(N):
            V[x, i] = V[f + best, i]
    return V, choice, tied


@numba.njit(cache=True, nogil=True)
def measures(kind, first, count, player, w, payoffs):
    """Expected payoffs ``(N,)``, best-response payoffs ``(N,)`` and one-shot gains ``(n,)`` of
    the profile whose edge probabilities are ``w`` (see
    :func:`sim.extensive.behaviour.perfect_information_measures`)."""
    n, N = payoffs.shape
    v = payoffs.copy()
    b = payoffs.copy()
    gain = np.zeros(n)
    for x in range(n - 1, -1, -1):
        if kind[x] == 0:
            continue
        f, c = first[x], count[x]
        for i in range(N):
            sv = w[f] * v[f, i]
            sb = w[f] * b[f, i]
            for k in range(1, c):
                sv = sv + w[f + k] * v[f + k, i]
                sb = sb + w[f + k] * b[f + k, i]
            v[x, i] = sv
            b[x, i] = sb
        if kind[x] == 2:
            j = player[x]
            top_b = b[f, j]
            top_v = v[f, j]
            for k in range(1, c):
                top_b = max(top_b, b[f + k, j])
                top_v = max(top_v, v[f + k, j])
            b[x, j] = top_b
            gain[x] = max(0.0, top_v - v[x, j])
    return v[0].copy(), b[0].copy(), gain
