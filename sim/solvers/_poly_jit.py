"""Compiled kernels of :mod:`sim.solvers.poly`: their shared layout, options and payoff gathering.

The kernels are in two modules, one per idea: :mod:`sim.solvers._poly_jit_track` (the homotopy path
tracker: system evaluation, start solutions, predictor-corrector steps, real polishing, the check
for paths that met) and :mod:`sim.solvers._poly_jit_prune` (the subdivision exclusion test that
drops support profiles before any path is tracked). Both gather a player's payoffs on a support
with :func:`gather_player`, kept here with the layout they share. Like them, this module is
imported only inside the functions of :mod:`sim.solvers.poly` that need it, so that importing
``sim`` never pays for numba.

Every kernel is ``@numba.njit(**JIT)``: cached on disk (``__pycache__``), ``nogil``, and without
fastmath, since ties, end-point comparisons and certification rely on exact IEEE arithmetic.
Numba caches a kernel together with the kernels it calls, and invalidates the cache of a kernel
only when its own file changes (numba's developer documentation, "Notes on Caching", cache
limitations; numba issue 1833): after editing a kernel here, delete the ``_poly_jit_track.*`` and
``_poly_jit_prune.*`` cache files in ``sim/solvers/__pycache__`` (or touch those two modules), or
their callers keep the old code.

Layout shared by the kernels
----------------------------
* ``u``: ``(N, n_0 * ... * n_{N-1})`` payoffs of each player, the profile axes flattened in C
  order; ``strides[j]`` is the flat stride of player ``j``'s action.
* A support profile is ``k`` ``(N,)`` (support sizes) and ``acts`` ``(N, n_max)`` (its actions,
  first ``k[j]`` entries used). Its unknowns are the probabilities of the support actions only,
  stacked player by player (``soff[j]`` is where player ``j`` starts; ``m = soff[N]`` unknowns):
  no padding with the actions outside the support.
* Rows of the system, player by player: first the chart row of player ``i`` (a linear form of
  ``x_i`` equal to one), then its ``k[i] - 1`` indifference rows
  ``u_i(acts[i, a], x_-i) - u_i(acts[i, 0], x_-i)``, ``a = 1, ..., k[i] - 1``.
* The homotopy is ``H = (1 - t) * gamma * G + t * F`` on the indifference rows, ``G`` being the
  product of one random linear form per other player (the linear-product start system of Morgan
  and Sommese 1987), as in the NumPy evaluation of :mod:`sim.solvers._poly_system`.
"""

from __future__ import annotations

import numba

JIT = dict(cache=True, nogil=True)


@numba.njit(**JIT)
def gather_player(u, strides, k, acts, i, own, n_own, out, cnt):
    """Player ``i``'s payoffs with its action ``own[b]`` (``b < n_own``) against every support
    profile of the others (last player fastest), into ``out[b * size + q]``; returns ``size``, the
    number of the others' support profiles."""
    n_players = k.shape[0]
    size = 1
    for j in range(n_players):
        if j != i:
            size *= k[j]
    for b in range(n_own):
        for j in range(n_players):
            cnt[j] = 0
        for q in range(size):
            flat = own[b] * strides[i]
            for j in range(n_players):
                if j != i:
                    flat += acts[j, cnt[j]] * strides[j]
            out[b * size + q] = u[i, flat]
            j = n_players - 1
            while j >= 0:
                if j == i:
                    j -= 1
                    continue
                cnt[j] += 1
                if cnt[j] < k[j]:
                    break
                cnt[j] = 0
                j -= 1
    return size


@numba.njit(**JIT)
def gather_support(u, strides, shape, k, acts, own, gathered, glen, cnt):
    """Every player's payoffs on one support profile, its own actions ordered support first (so
    support action ``a`` is row ``a``, the unused actions after), against every support profile
    of the others: player ``i``'s into ``gathered[i]`` (:func:`gather_player`), its length per own
    action into ``glen[i]``. The layout the subdivision kernels' vertex tables start from."""
    for i in range(k.shape[0]):
        pos = 0
        for a in range(k[i]):
            own[pos] = acts[i, a]
            pos += 1
        for a in range(shape[i]):
            inside = False
            for c in range(k[i]):
                if acts[i, c] == a:
                    inside = True
            if not inside:
                own[pos] = a
                pos += 1
        glen[i] = gather_player(u, strides, k, acts, i, own, shape[i], gathered[i], cnt)
