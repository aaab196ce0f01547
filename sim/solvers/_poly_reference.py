"""The NumPy reference route of :func:`sim.solvers.poly.enumpoly_solve`.

The first implementation of enumpoly, kept as the reference the compiled route is tested against
(``tests/test_poly.py``): every path of every support profile in one batch, padded to the full
profile length, tracked with a fourth-order Runge-Kutta predictor and two Newton corrections;
conditional dominance and the subdivision exclusion test breadth first, in NumPy. The compiled
route (:mod:`sim.solvers.poly` with the kernels of :mod:`sim.solvers._poly_jit_track` and
:mod:`sim.solvers._poly_jit_prune`) must find the same equilibria. The method, its sources and the
axis conventions are those of :mod:`sim.solvers.poly`; the model (:class:`sim.solvers._poly_system.Model`)
and the padded system evaluation (:func:`sim.solvers._poly_system.evaluate`) are shared with the
continuum analysis through :mod:`sim.solvers._poly_system`, the only module of the method this one
imports.

The module is a route: its entry points mirror the compiled route's steps, :func:`support_profiles`,
:func:`may_hold_equilibrium` and :func:`endpoints`, and ``enumpoly_solve(game, _route=module)``
runs the method with them (the continua and the certification are shared).

Examples
--------
>>> from sim.game import NormalFormGame
>>> from sim.solvers import _poly_reference
>>> from sim.solvers.poly import enumpoly_solve
>>> g = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]])
>>> r = enumpoly_solve(g, _route=_poly_reference)
>>> sorted([p.round(3).tolist() for p in e.profile] for e in r.equilibria)
[[[0.0, 1.0], [0.0, 1.0]], [[0.667, 0.333], [0.333, 0.667]], [[1.0, 0.0], [1.0, 0.0]]]
"""

from __future__ import annotations

import itertools

import numpy as np

from sim.solvers._poly_system import (IMAG_TOL, MAX_STEPS, SINGULAR_COND, Model, Paths, assignments, evaluate,
                                      feasible, player_supports, real_paths, system)

_PRUNE_ROUNDS = 10      # subdivision rounds before a support is kept anyway
_PRUNE_CELLS = 256      # cells per support before it is kept anyway


# ----------------------------------------------------------------------------------------------
# Support profiles
# ----------------------------------------------------------------------------------------------
def support_profiles(u: np.ndarray, eps: float) -> list[tuple[tuple[int, ...], ...]]:
    """Support profiles with no action conditionally strictly dominated (Porter et al. 2008).

    An action ``a`` in ``S_i`` is conditionally dominated when some action of player ``i`` beats it
    by more than ``eps`` against every pure profile of the others' supports; no equilibrium with
    support ``S`` can then exist.
    """
    shape = u.shape[:-1]
    n_players = len(shape)
    subsets = [player_supports(n) for n in shape]
    dominated = {}  # (i, S_-i) -> set of conditionally dominated actions of i

    def dominated_actions(i, others):
        key = (i, others)
        if key not in dominated:
            index = [slice(None) if j == i else list(others[j if j < i else j - 1]) for j in range(n_players)]
            sub = u[..., i][np.ix_(*[range(shape[i]) if j == i else idx for j, idx in enumerate(index)])]
            sub = np.moveaxis(sub, i, 0).reshape(shape[i], -1)
            # gap[a', a] = min over the others' profiles of u(a') - u(a)
            gap = (sub[:, None, :] - sub[None, :, :]).min(axis=2)
            dominated[key] = frozenset(np.flatnonzero((gap > eps).any(axis=0)).tolist())
        return dominated[key]

    out = []
    for profile in itertools.product(*subsets):
        if all(
            not (set(profile[i]) & dominated_actions(i, profile[:i] + profile[i + 1:]))
            for i in range(n_players)
        ):
            out.append(profile)
    # Smallest supports first, balanced ones first among equal sizes (Porter et al. 2008).
    out.sort(key=lambda p: (sum(len(s) for s in p), max(len(s) for s in p) - min(len(s) for s in p)))
    return out


def may_hold_equilibrium(u: np.ndarray, profiles, margin: float, max_rounds: int = _PRUNE_ROUNDS,
                                max_cells: int = _PRUNE_CELLS) -> list[bool]:
    """For each support profile: False only when no profile on the closed product of its simplices
    is an equilibrium.

    Exclusion by subdivision, as Gambit's ``enumpoly`` does (McKelvey and McLennan 1996, section 6):
    player ``i``'s payoff difference ``u_i(b, x_-i) - u_i(a, x_-i)`` is multilinear, so on a cell that
    is a product of simplices it is a convex combination of its values at the cell's vertex tuples.
    A cell is excluded when, for some player, an action ``b`` beats a support action ``a`` by more
    than ``margin`` at every vertex tuple (then ``a`` is never a best response there, or for ``b``
    in the support the indifference fails). Cells that survive are bisected along their longest
    edge, one player per round. A support whose cells are not all excluded after ``max_rounds``
    rounds, or that would need more than ``max_cells`` cells, is kept: the test never drops a
    support that has an equilibrium, it only saves the homotopy on supports that cannot have one.
    Supports with the same sizes are tested together, their cells in one batch.
    """
    keep = [True] * len(profiles)
    groups = {}
    for b, prof in enumerate(profiles):
        groups.setdefault(tuple(len(s) for s in prof), []).append(b)
    for ks, members in groups.items():
        for b, verdict in zip(members, _subdivide(u, [profiles[b] for b in members], ks, margin,
                                                 max_rounds, max_cells)):
            keep[b] = verdict
    return keep


def _subdivide(u, profs, ks, margin, max_rounds, max_cells):
    n_players = len(ks)
    shape = u.shape[:-1]
    active = [j for j in range(n_players) if ks[j] > 1]
    # per player i and support: payoffs with axes (own action, support actions first; then the
    # others' support actions), so that the support is always the first ks[i] own actions
    tens = []
    for i in range(n_players):
        stack = []
        for prof in profs:
            own = list(prof[i]) + [a for a in range(shape[i]) if a not in prof[i]]
            idx = [own if j == i else list(prof[j]) for j in range(n_players)]
            stack.append(np.moveaxis(u[..., i][np.ix_(*idx)], i, 0).reshape(shape[i], -1))
        tens.append(np.array(stack))
    verdict = [False] * len(profs)
    owner = np.arange(len(profs))
    # a cell: per player, vertices (rows) in barycentric coordinates over its support
    cells = [np.broadcast_to(np.eye(k), (len(profs), k, k)) for k in ks]
    for rnd in range(max_rounds + 1):
        C = owner.size
        alive = np.ones(C, dtype=bool)
        for i in range(n_players):
            # W[c, b, vertex tuple]: value of u_i(b, .) at each vertex tuple of each cell, one
            # other player at a time (a two-operand product each: far cheaper than one einsum)
            W = tens[i][owner]
            x_dim, rest = shape[i], W.shape[2]
            for j in range(n_players):
                if j == i:
                    continue
                rest //= ks[j]
                W = np.einsum("cxsr,cvs->cxvr", W.reshape(C, x_dim, ks[j], rest), cells[j])
                x_dim *= ks[j]
            W = W.reshape(C, shape[i], -1)
            k = ks[i]
            # gap[c, b, a] = min over vertex tuples of u_i(b) - u_i(a), for a in the support
            gap = (W[:, :, None, :] - W[:, None, :k, :]).min(axis=3)
            gap[:, np.arange(k), np.arange(k)] = -np.inf
            alive &= ~(gap > margin).any(axis=(1, 2))
        owner = owner[alive]
        cells = [c[alive] for c in cells]
        counts = np.bincount(owner, minlength=len(profs))
        # supports out of rounds or cells are kept, and their cells leave the batch
        full = counts > 0 if (rnd == max_rounds or not active) else 2 * counts > max_cells
        for b in np.flatnonzero(full):
            verdict[b] = True
        stay = ~full[owner]
        owner = owner[stay]
        cells = [c[stay] for c in cells]
        if owner.size == 0:
            break
        j = active[rnd % len(active)]
        V = cells[j]
        dist = ((V[:, :, None, :] - V[:, None, :, :]) ** 2).sum(axis=3)
        p, q = np.divmod(dist.reshape(V.shape[0], -1).argmax(axis=1), ks[j])
        rows = np.arange(V.shape[0])
        mid = 0.5 * (V[rows, p] + V[rows, q])
        left, right = V.copy(), V.copy()
        left[rows, p] = mid
        right[rows, q] = mid
        cells = [np.concatenate([left, right]) if m == j else np.concatenate([c, c]) for m, c in enumerate(cells)]
        owner = np.concatenate([owner, owner])
    return verdict

# ----------------------------------------------------------------------------------------------
# End points: every path in one padded batch
# ----------------------------------------------------------------------------------------------
def endpoints(model, profiles, chart, tol):
    """Real isolated solutions and singular end points of every support, NumPy route.

    All paths of all supports in one batch, padded to the full profile length: the reference the
    compiled route (:func:`sim.solvers.poly._endpoints_jit`) is tested against. Returns the
    polished feasible profiles, the real seeds of singular end points per support index, the
    number of paths still suspicious after a second tracking, and the number of paths.
    """
    off = model.offsets
    paths, starts = paths_for(model, profiles, chart)

    found = []            # stacked real profiles, certified
    singular = {}         # support index -> list of real seeds
    failed = 0
    n_paths = 0 if paths is None else len(starts)
    if paths is not None:
        x, ok, _ = track(model, paths, starts.copy())
        # Paths that met or failed in a support are tracked again with shorter steps.
        x, ok, end_j = _finish(model, paths, x, ok)
        redo = _suspicious(paths, x, ok, end_j)
        if redo.size:
            sub = paths.take(redo)
            x2, ok2, _ = track(model, sub, starts[redo].copy(), h_max=0.01)
            x2, ok2, j2 = _finish(model, sub, x2, ok2)
            x[redo], ok[redo], end_j[redo] = x2, ok2, j2
            # Whatever is still suspicious may hide a missed solution: report it.
            failed = int(_suspicious(paths, x, ok, end_j).size)
        conds = np.linalg.cond(end_j)
        for p in range(len(x)):
            prof = profiles[paths.support[p]]
            xs = [x[p, off[j]:off[j + 1]] for j in range(len(model.shape))]
            sums = [v.sum() for v in xs]
            if any(abs(sv) < 1e-12 for sv in sums) or not np.all(np.isfinite(x[p])):
                continue
            z = np.concatenate([v / sv for v, sv in zip(xs, sums)])
            if not (ok[p] and conds[p] < SINGULAR_COND):
                singular.setdefault(int(paths.support[p]), []).append(z.real)
                continue
            if np.abs(z.imag).max() > IMAG_TOL * max(1.0, np.abs(z).max()) or z.real.min() < -1e-6:
                continue
            rp = real_paths(model, prof)
            y, conv = _polish(model, rp, z.real)
            if conv and feasible(model, y, tol):
                found.append(y)

    return found, singular, failed, n_paths


def paths_for(model, profiles, rng_chart):
    """Start points and row roles of every path of every support profile."""
    shape, off = model.shape, model.offsets
    n_players, n = len(shape), int(off[-1])
    sup_idx, ind_rows, chart_rows, zero_rows, a0s, starts = [], [], [], [], [], []
    for b, prof in enumerate(profiles):
        d = tuple(len(s) - 1 for s in prof)
        assigns = assignments(d)
        if not assigns:
            continue
        ind = np.zeros(n, dtype=bool)
        chart = np.zeros(n, dtype=bool)
        zero = np.ones(n, dtype=bool)
        owners = []
        for i, s in enumerate(prof):
            chart[off[i] + s[0]] = True
            zero[off[i] + np.array(s)] = False
            for a in s[1:]:
                ind[off[i] + a] = True
                owners.append((i, a))
        a0 = np.array([s[0] for s in prof])
        for assign in assigns:
            x = np.zeros(n, dtype=complex)
            for j in range(n_players):
                nj = shape[j]
                rows = [model.lin[i, j][a] for (i, a), g in zip(owners, assign) if g == j]
                rows.append(rng_chart[off[j]:off[j + 1]])
                rhs = np.zeros(nj, dtype=complex)
                rhs[len(rows) - 1] = 1.0
                for a in range(nj):
                    if a not in prof[j]:
                        rows.append(np.eye(nj)[a])
                x[off[j]:off[j + 1]] = np.linalg.solve(np.array(rows), rhs)
            sup_idx.append(b)
            ind_rows.append(ind)
            chart_rows.append(chart)
            zero_rows.append(zero)
            a0s.append(a0)
            starts.append(x)
    if not starts:
        return None, None
    P = len(starts)
    paths = Paths(np.array(sup_idx), np.array(ind_rows), np.array(chart_rows), np.array(zero_rows),
                   np.array(a0s), np.broadcast_to(rng_chart, (P, n)).copy())
    return paths, np.array(starts)


def _solve(J, b):
    try:
        return np.linalg.solve(J, b[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return np.einsum("pij,pj->pi", np.linalg.pinv(J), b)


def track(model: Model, paths: Paths, x: np.ndarray, h_max: float = 0.25):
    """Track every path from ``t = 0`` to ``t = 1``; returns end points and a success mask.

    Runge-Kutta (4th order) predictor on ``dx/dt = -H_x^{-1} H_t``, two Newton corrections, and a
    strict acceptance test (a small first correction that then contracts) so that paths do not jump
    to neighbouring paths. A path whose step falls below ``1e-12`` stops where it is: that happens
    only near a singular end point.
    """
    P = x.shape[0]
    t = np.zeros(P)
    h = np.full(P, min(0.05, h_max))
    done = np.zeros(P, dtype=bool)
    ok = np.zeros(P, dtype=bool)
    streak = np.zeros(P, dtype=int)
    for _ in range(MAX_STEPS):
        act = np.flatnonzero(~done)
        if act.size == 0:
            break
        pa = paths.take(act)
        xa, ta, ha = x[act], t[act], np.minimum(h[act], 1.0 - t[act])

        def tangent(xx, tv):
            _, Jx, Htv = evaluate(model, pa, xx, tv)
            return -_solve(Jx, Htv)

        k1 = tangent(xa, ta)
        k2 = tangent(xa + 0.5 * ha[:, None] * k1, ta + 0.5 * ha)
        k3 = tangent(xa + 0.5 * ha[:, None] * k2, ta + 0.5 * ha)
        k4 = tangent(xa + ha[:, None] * k3, ta + ha)
        xp = xa + (ha / 6.0)[:, None] * (k1 + 2 * k2 + 2 * k3 + k4)
        tn = ta + ha
        Hv, Jx, _ = evaluate(model, pa, xp, tn)
        d1 = -_solve(Jx, Hv)
        x1 = xp + d1
        Hv, Jx, _ = evaluate(model, pa, x1, tn)
        d2 = -_solve(Jx, Hv)
        x2 = x1 + d2
        scale = np.maximum(1.0, np.abs(xa).max(axis=1))
        n1 = np.abs(d1).max(axis=1) / scale
        n2 = np.abs(d2).max(axis=1) / scale
        good = np.isfinite(n1) & np.isfinite(n2) & (n1 < 2e-2) & (n2 < np.maximum(0.1 * n1, 1e-12))
        # accept
        acc = act[good]
        x[acc] = x2[good]
        t[acc] = tn[good]
        streak[acc] += 1
        grow = acc[streak[acc] >= 2]
        h[grow] = np.minimum(h[grow] * 2.0, h_max)
        streak[grow] = 0
        fin = acc[t[acc] >= 1.0]
        done[fin] = True
        ok[fin] = True
        # reject
        rej = act[~good]
        h[rej] *= 0.5
        streak[rej] = 0
        stall = rej[h[rej] < 1e-12]
        done[stall] = True
    return x, ok, t


def _newton(model, paths, x, iters=4):
    one = np.ones(x.shape[0])
    for _ in range(iters):
        Hv, Jx, _ = evaluate(model, paths, x, one)
        x = x + _solve(Jx, -Hv)
    Hv, Jx, _ = evaluate(model, paths, x, one)
    return x, Hv, Jx


def _finish(model, paths, x, ok):
    """Newton at ``t = 1`` from every end point (stalled paths included), and the Jacobians there."""
    with np.errstate(all="ignore"):
        x, Hv, Jx = _newton(model, paths, x)
    good = np.all(np.isfinite(x), axis=1) & np.all(np.isfinite(Jx), axis=(1, 2))
    Jx = np.where(good[:, None, None], Jx, np.eye(x.shape[1])[None] * 0.0)
    return x, ok & good, Jx


def _suspicious(paths, x, ok, J):
    """Paths worth tracking again: a nonsingular end point reached twice in one support, or a
    stalled path whose end point turns out nonsingular. (Stalls at singular end points are the
    expected behaviour on degenerate games and are left to the continuum analysis.)"""
    cond = np.linalg.cond(J)
    regular = cond < SINGULAR_COND
    bad = set(np.flatnonzero(~ok & regular).tolist())
    seen = {}
    for p in np.flatnonzero(ok & regular):
        key = int(paths.support[p])
        for q in seen.get(key, []):
            if np.abs(x[p] - x[q]).max() < 1e-6 * max(1.0, np.abs(x[p]).max()):
                bad.update((p, q))
        seen.setdefault(key, []).append(p)
    return np.array(sorted(bad), dtype=int)


def _polish(model, rp, x, iters=6):
    for _ in range(iters):
        F, J = system(model, rp, x)
        try:
            x = x - np.linalg.solve(J, F)
        except np.linalg.LinAlgError:
            return x, False
    F, _ = system(model, rp, x)
    return x, bool(np.all(np.isfinite(F)) and np.abs(F).max() < 1e-9)
