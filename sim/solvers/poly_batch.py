"""``enumpoly`` over a batch of games at once: each support profile solved for every point together.

Axis conventions: a batch of games is ``(B, n_0, ..., n_{N-1}, N)`` (batch axis, profile axes,
player axis); an equilibrium is also handled as one stacked vector of length
``n = n_0 + ... + n_{N-1}`` (player 0's probabilities first), as in :mod:`sim.solvers.poly`.

Method
------
Support enumeration (McKelvey and McLennan 1996, section 6; Porter, Nudelman and Shoham 2008), as
:func:`sim.solvers.poly.enumpoly_solve` does it for one game, but with the loop over support profiles
outside and the points of a sweep (a grid of parameter values, a sample) as the array axis: each
support profile is tested on every point with one array operation, so the Python and kernel
overhead of one solve is paid once per support profile, not once per point. For each support
profile that has start solutions (:func:`sim.solvers._poly_system.assignments`; the others are
skipped by ``enumpoly_solve`` too):

* points where an action of the support is conditionally strictly dominated (by more than ``tol``)
  given the others' supports hold no equilibrium with that support (Porter et al. 2008): dropped.
  This is ``enumpoly_solve``'s own compiled test at depth 0, run for every (point, support profile)
  pair in one kernel call (:mod:`sim.solvers._poly_jit_batch`, points dealt over two threads),
  after the pairs whose support uses an action dominated against *every* profile of the others
  are dropped in array operations (the test would drop them);
* a pure profile is an equilibrium when no player gains by deviating;
* when exactly two players ``i`` and ``j`` mix (the others play one action), ``i``'s indifference
  conditions are linear in ``j``'s strategy and ``j``'s in ``i``'s (the payoffs are multilinear), so
  each point's support system is two small linear systems, solved for every point at once;
* a support where three or more players mix is a genuinely polynomial system: the points where it
  survives the dominance test and ``enumpoly_solve``'s subdivision exclusion test (same depth and
  cell budget, the same kernel call) are left *undecided*: the homotopy's work.

The batch decides a point only when its answer is unambiguous: every equilibrium it finds has all
support probabilities above ``PROB_MARGIN``, every unused action at least ``TIE_MARGIN`` worse than
the support (payoffs mapped onto [0, 1] per player, :func:`sim.game.unit_payoffs`), and every
linear system a condition number below ``COND_LIMIT``. Everywhere else (a tie, an equilibrium on the
boundary of its support, a singular system, a polynomial support that may hold an equilibrium) the
point is left undecided, with its reason, for :func:`sim.solvers.poly.enumpoly_solve`. At a decided
point the batch's equilibria are therefore those ``enumpoly_solve`` finds: the same complete
support enumeration, with the same dominance and exclusion tests, and no degenerate case left to
its continuum analysis (tested against it on random grids, ties and merging equilibria included).

Examples
--------
Battle of the sexes with a varying coordination payoff ``t``: three equilibria while ``t > 0``,
the pure one alone when ``t < 0``; at ``t = 0`` the mixed equilibrium meets ``(T, L)`` (a tie),
so that point is left to ``enumpoly_solve``.

>>> import numpy as np
>>> t = np.array([1.0, 0.0, -1.0])
>>> pay = np.zeros((3, 2, 2, 2))
>>> pay[:, 0, 0] = np.stack([t, np.ones(3)], axis=1)
>>> pay[:, 1, 1] = [1.0, 1.0]
>>> r = enumpoly_batch(pay)
>>> r.decided.tolist(), [REASONS[k] for k in r.reason]
([True, False, True], ['', 'tie', ''])
>>> np.bincount(r.point, minlength=3).tolist()
[3, 0, 1]
>>> [s.round(3).tolist() for s in r.strategies[0][r.point == 0]]
[[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.errors import SolverError
from sim.game import unit_payoffs
from sim.solvers._poly_system import assignments, player_supports

#: Unit-scale payoff gap below which two actions count as tied (the point is left undecided).
TIE_MARGIN = 1e-6
#: Support probability below which an equilibrium counts as on its support's boundary.
PROB_MARGIN = 1e-6
#: Condition number beyond which a linear support system counts as singular.
COND_LIMIT = 1e8
#: Why a point was left undecided (``PolyBatch.reason`` indexes this; 0: decided).
REASONS = ("", "tie", "boundary", "singular", "polynomial", "refused")
_TIE, _BOUNDARY, _SINGULAR, _POLY, _REFUSED = 1, 2, 3, 4, 5


@dataclass(frozen=True)
class PolyBatch:
    """Equilibria of a batch of games, from :func:`enumpoly_batch`.

    ``point[e]`` is the game of equilibrium ``e`` and ``strategies[i][e]`` player ``i``'s strategy
    in it (clipped and renormalised, as :meth:`sim.result.Equilibrium.certify` holds them); the
    equilibria of one point are listed in ``enumpoly_solve``'s order. Only decided points have
    equilibria here; ``reason[b]`` indexes :data:`REASONS` (0 for a decided point), and
    ``supports_solved`` counts the (support profile, point) pairs that reached a solve.
    """

    point: np.ndarray
    strategies: tuple[np.ndarray, ...]
    decided: np.ndarray
    reason: np.ndarray
    supports_solved: int

    @property
    def undecided(self) -> np.ndarray:
        """Indices of the points left to ``enumpoly_solve``."""
        return np.flatnonzero(~self.decided)


def enumpoly_batch(payoffs, tol: float = 1e-7, max_support_profiles: int = 100_000,
                   subdivide: bool = True) -> PolyBatch:
    """All equilibria of each game of a batch that can be decided without the homotopy.

    Parameters
    ----------
    payoffs : array ``(B, n_0, ..., n_{N-1}, N)``
        One game per row, at least two players.
    tol : float
        ``enumpoly_solve``'s tolerance (its dominance margin, on payoffs mapped onto [0, 1]).
    max_support_profiles : int
        As ``enumpoly_solve``: a shape with more support profiles leaves every point undecided
        (``"refused"``), so that ``enumpoly_solve`` gives its own error point by point.
    subdivide : bool
        Run the compiled subdivision exclusion test at points where a support with three or more
        mixing players survives the dominance test (else such points are undecided at once).

    Returns
    -------
    PolyBatch
    """
    pay = np.asarray(payoffs, dtype=float)
    if pay.ndim < 3 or pay.shape[-1] != pay.ndim - 2:
        raise SolverError(f"enumpoly_batch(): payoffs must be (B, n_0, ..., n_{{N-1}}, N); got shape {pay.shape}")
    B, shape, N = pay.shape[0], tuple(pay.shape[1:-1]), pay.shape[-1]
    if N < 2:
        raise SolverError(f"enumpoly_batch(): needs at least 2 players; got {N}")
    n = sum(shape)
    offsets = np.concatenate([[0], np.cumsum(shape)]).astype(int)
    reason = np.zeros(B, dtype=np.int8)
    pts: list[np.ndarray] = []
    xs: list[np.ndarray] = []
    solved = 0
    if B == 0:
        return PolyBatch(np.zeros(0, dtype=np.int64), tuple(np.zeros((0, k)) for k in shape),
                         np.zeros(0, dtype=bool), reason, 0)
    finite = np.isfinite(pay.reshape(B, -1)).all(axis=1)
    reason[~finite] = _REFUSED
    if math.prod(2 ** k - 1 for k in shape) > max_support_profiles or min(shape) < 1:
        reason[:] = _REFUSED
    u = unit_payoffs(np.where(finite.reshape(B, *([1] * (pay.ndim - 1))), pay, 0.0), batched=True)

    # ----- pure profiles: every one at once ------------------------------------------------------
    worst = np.full((B, *shape), -np.inf)   # largest gain from a deviation, over players
    for i in range(N):
        if shape[i] < 2:
            continue
        ui = u[..., i]
        gains = []
        for a in range(shape[i]):
            others = [b for b in range(shape[i]) if b != a]
            best = np.take(ui, others, axis=i + 1).max(axis=i + 1)
            gains.append(best - np.take(ui, a, axis=i + 1))
        worst = np.maximum(worst, np.stack(gains, axis=i + 1))
    flat = worst.reshape(B, -1)
    reason[(reason == 0) & (np.abs(flat) <= TIE_MARGIN).any(axis=1)] = _TIE
    b_eq, f_eq = np.nonzero(flat < -TIE_MARGIN)
    if len(b_eq):
        x = np.zeros((len(b_eq), n))
        for i, a in enumerate(np.unravel_index(f_eq, shape)):
            x[np.arange(len(b_eq)), offsets[i] + a] = 1.0
        pts.append(b_eq)
        xs.append(x)

    # ----- mixed support profiles ---------------------------------------------------------------
    subsets = [player_supports(k) for k in shape]
    profiles = []
    for combo in np.ndindex(*[len(sub) for sub in subsets]):
        prof = tuple(subsets[j][c] for j, c in enumerate(combo))
        d = tuple(len(a) - 1 for a in prof)
        if sum(k > 0 for k in d) >= 2 and assignments(d):
            profiles.append(prof)
    alive = np.flatnonzero(reason == 0)
    if profiles and len(alive):
        from sim.solvers import _poly_jit_batch as kernels
        from sim.solvers.poly import _PRUNE_CELLS_JIT, _PRUNE_CELLS_MIN, _PRUNE_CELLS_PER_PATH, _PRUNE_DEPTH, \
            _flat_payoffs, _support_arrays

        S = len(profiles)
        sup_k, sup_acts = _support_arrays(shape, profiles)
        strides, shape_arr = _flat_payoffs(u[0])[1:]
        u_all = np.ascontiguousarray(np.moveaxis(u[alive], -1, 1).reshape(len(alive), N, -1))
        # Conditional strict dominance (the exclusion test at depth 0), every point and profile;
        # first, in array operations, the profiles using an action strictly dominated against every
        # profile of the others (so against the profile's supports too: the test would drop them).
        dominated = np.zeros((len(alive), n), dtype=bool)
        for i in range(N):
            t = np.moveaxis(u[alive][..., i], i + 1, 1).reshape(len(alive), shape[i], -1)
            for a in range(shape[i]):
                gap = (t - t[:, a:a + 1, :]).min(axis=2)          # (R, b): worst gain of b over a
                gap[:, a] = -np.inf
                dominated[:, offsets[i] + a] = (gap > tol).any(axis=1)
        member = np.zeros((S, n), dtype=bool)
        for s_, prof in enumerate(profiles):
            for i, acts in enumerate(prof):
                member[s_, offsets[i] + np.array(acts)] = True
        rows, cols = np.nonzero((dominated.astype(np.int64) @ member.T.astype(np.int64)) == 0)
        ptr = np.searchsorted(rows, np.arange(len(alive) + 1)).astype(np.int64)
        tested = _may_hold(kernels.may_hold_batch, u_all, strides, shape_arr, sup_k, sup_acts, ptr,
                           cols.astype(np.int64), float(tol), 0, np.ones(len(cols), dtype=np.int64))
        keep = np.zeros((len(alive), S), dtype=bool)
        keep[rows, cols] = tested
        solved = int(keep.sum())
        mixers = [[i for i in range(N) if len(prof[i]) > 1] for prof in profiles]
        poly = np.array([len(m) > 2 for m in mixers])
        for s_, prof in enumerate(profiles):
            if poly[s_]:
                continue
            at = np.flatnonzero(keep[:, s_])
            if not len(at):
                continue
            x, code = _two_mixers(u[alive[at]], prof, mixers[s_], offsets)
            bad = code > 0
            reason[alive[at[bad]]] = np.maximum(reason[alive[at[bad]]], code[bad])
            ok = code == -1
            if ok.any():
                pts.append(alive[at[ok]])
                xs.append(x[ok])
        # Supports where three or more players mix: the subdivision test with enumpoly_solve's
        # budget, for the points where they survived the dominance test.
        pk = keep & poly[None, :]
        if pk.any():
            rows, cols = np.nonzero(pk)
            paths = np.array([len(assignments(tuple(len(a) - 1 for a in prof))) for prof in profiles])
            budget = np.clip(_PRUNE_CELLS_PER_PATH * paths, _PRUNE_CELLS_MIN, _PRUNE_CELLS_JIT).astype(np.int64)
            ptr = np.searchsorted(rows, np.arange(len(alive) + 1)).astype(np.int64)
            hold = _may_hold(kernels.may_hold_batch, u_all, strides, shape_arr, sup_k, sup_acts, ptr,
                             cols.astype(np.int64), float(tol), _PRUNE_DEPTH, budget[cols]) if subdivide \
                else np.ones(len(rows), bool)
            at = np.unique(rows[hold])
            reason[alive[at]] = np.where(reason[alive[at]] == 0, _POLY, reason[alive[at]])

    point = np.concatenate(pts) if pts else np.zeros(0, dtype=np.intp)
    X = np.concatenate(xs) if xs else np.zeros((0, n))
    keep = reason[point] == 0
    point, X = point[keep], X[keep]
    # enumpoly_solve's order within a point: by the stacked vector, descending, rounded to 9 digits.
    order = np.lexsort([np.round(-X[:, c], 9) for c in range(n - 1, -1, -1)] + [point])
    point, X = point[order], X[order]
    strategies = []
    for i in range(N):
        s = np.clip(X[:, offsets[i]:offsets[i + 1]], 0.0, None)
        strategies.append(s / s.sum(axis=1, keepdims=True) if len(s) else s)
    return PolyBatch(point.astype(np.int64), tuple(strategies), reason == 0, reason, solved)


#: Threads the compiled test is split over (by points; the kernel releases the GIL), as
#: ``enumpoly_solve`` splits its supports and paths (:data:`sim.solvers.poly._THREADS`).
_THREADS = 2


def _may_hold(kernel, u_all, strides, shape, sup_k, sup_acts, ptr, cols, margin, depth, budget):
    """``kernel`` over the compressed rows, the points dealt into :data:`_THREADS` contiguous
    halves run in threads (each point is tested on its own: the split changes no answer)."""
    B = len(ptr) - 1
    if _THREADS < 2 or B < 256 or len(cols) < 1024:
        return kernel(u_all, strides, shape, sup_k, sup_acts, ptr, cols, margin, depth, budget)
    from concurrent.futures import ThreadPoolExecutor

    cut = [B * k // _THREADS for k in range(_THREADS + 1)]

    def part(k):
        lo, hi = cut[k], cut[k + 1]
        a, b = ptr[lo], ptr[hi]
        return kernel(u_all[lo:hi], strides, shape, sup_k, sup_acts, ptr[lo:hi + 1] - a, cols[a:b], margin,
                      depth, budget[a:b])

    with ThreadPoolExecutor(_THREADS) as pool:
        return np.concatenate(list(pool.map(part, range(_THREADS))))


def _restricted(ui, i, prof):
    """Player ``i``'s payoffs ``(R, n_i, M)`` with every other player ``j`` restricted to ``prof[j]``."""
    sub = ui
    for j, s in enumerate(prof):
        if j != i:
            sub = np.take(sub, s, axis=j + 1)
    sub = np.moveaxis(sub, i + 1, 1)
    return sub.reshape(sub.shape[0], sub.shape[1], -1)


def _two_mixers(u, prof, mixers, offsets):
    """The support system when exactly players ``i`` and ``j`` mix: two linear systems per point.

    Returns the stacked profiles ``(R, n)`` and a code per point: -1 an equilibrium, 0 none,
    else the undecided reason.
    """
    R = len(u)
    N = u.shape[-1]
    shape = u.shape[1:-1]
    code = np.zeros(R, dtype=np.int8)
    strat = []
    for j in range(N):
        s = np.zeros((R, shape[j]))
        if len(prof[j]) == 1:
            s[:, prof[j][0]] = 1.0
        strat.append(s)
    i, j = mixers
    for me, other in ((i, j), (j, i)):
        sub = _restricted(u[..., me], me, prof)[:, list(prof[me]), :]    # (R, k_me, k_other): only `other` varies
        k = sub.shape[1]
        C = np.empty((R, k, k))
        C[:, :k - 1] = sub[:, 1:] - sub[:, :1]
        C[:, k - 1] = 1.0
        with np.errstate(all="ignore"):
            cond = np.linalg.cond(C)
        bad = ~np.isfinite(cond) | (cond > COND_LIMIT)
        code[bad] = _SINGULAR
        C[bad] = np.eye(k)
        rhs = np.zeros((R, k, 1))
        rhs[:, k - 1] = 1.0
        y = np.linalg.solve(C, rhs)[:, :, 0]
        strat[other][:, list(prof[other])] = y
    lowest = np.min([s[:, list(p)].min(axis=1) for s, p in zip(strat, prof)], axis=0)
    undecided = code > 0
    none = ~undecided & (lowest < -PROB_MARGIN)
    code[~undecided & ~none & (lowest <= PROB_MARGIN)] = _BOUNDARY
    cand = code == 0
    cand &= ~none
    if cand.any():
        c = np.flatnonzero(cand)
        dev = _deviation_payoffs(u[c], [s[c] for s in strat])
        gain = np.full(len(c), -np.inf)
        spread = np.zeros(len(c))
        for p, s in enumerate(prof):
            value = dev[p][:, s[0]]
            spread = np.maximum(spread, np.abs(dev[p][:, list(s)] - value[:, None]).max(axis=1))
            unused = [a for a in range(shape[p]) if a not in s]
            if unused:
                gain = np.maximum(gain, (dev[p][:, unused] - value[:, None]).max(axis=1))
        sub_code = np.where(gain > TIE_MARGIN, 0, np.where(gain >= -TIE_MARGIN, _TIE, -1)).astype(np.int8)
        # The indifference conditions hold to round-off at a solution of a well-conditioned system;
        # a larger spread means the solve went wrong: leave the point to enumpoly_solve.
        sub_code[(spread > 1e-9) & (sub_code == -1)] = _SINGULAR
        code[c] = sub_code
    x = np.concatenate(strat, axis=1)
    return x, code


def _deviation_payoffs(u, strat):
    """Each player's payoff of each own action against the others' strategies, for a batch."""
    N = u.shape[-1]
    out = []
    for p in range(N):
        t = u[..., p]
        for q in range(N - 1, -1, -1):
            if q != p:
                t = np.moveaxis(t, q + 1, -1)
                t = (t * strat[q].reshape(len(t), *([1] * (t.ndim - 2)), -1)).sum(axis=-1)
        out.append(t)
    return out
