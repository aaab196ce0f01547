"""Compiled kernel of :mod:`sim.solvers.poly_batch`: the exclusion test of ``enumpoly_solve`` over a
batch of games, without a Python call per game.

Layout: ``u_all`` is ``(B, N, n_0 * ... * n_{N-1})``, each game in the layout of
:mod:`sim.solvers._poly_jit`; support profiles are ``sup_k`` ``(S, N)`` and ``sup_acts``
``(S, N, n_max)`` as there. The pairs to test are given per game in compressed rows: game ``b``
tests the support profiles ``sup_idx[ptr[b]:ptr[b + 1]]`` with cell budgets
``max_cells[ptr[b]:ptr[b + 1]]``. The test itself is
:func:`sim.solvers._poly_jit_prune.may_hold_equilibrium`, unchanged (at ``max_depth=0`` it is
conditional strict dominance), so each answer is the one ``enumpoly_solve`` computes for that
game and support. The caveat of :mod:`sim.solvers._poly_jit` on numba's cache applies.
"""

from __future__ import annotations

import numba
import numpy as np

from sim.solvers._poly_jit import JIT
from sim.solvers._poly_jit_prune import may_hold_equilibrium


@numba.njit(**JIT)
def may_hold_batch(u_all, strides, shape, sup_k, sup_acts, ptr, sup_idx, margin, max_depth, max_cells):
    """For each (game, support profile) pair of the compressed rows: False only when no profile of
    the support's closed product of simplices is an equilibrium of that game."""
    out = np.zeros(sup_idx.shape[0], dtype=np.bool_)
    for b in range(ptr.shape[0] - 1):
        lo = ptr[b]
        hi = ptr[b + 1]
        if hi == lo:
            continue
        idx = sup_idx[lo:hi]
        out[lo:hi] = may_hold_equilibrium(u_all[b], strides, shape, sup_k[idx], sup_acts[idx], margin,
                                          max_depth, max_cells[lo:hi])
    return out
