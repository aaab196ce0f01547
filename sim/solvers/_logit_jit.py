"""Compiled predictor-corrector tracer for the logit QRE branch (``sim.solvers.logit``).

Private: ``logit.py`` imports this module inside ``logit_solve``, so importing ``sim`` never pays
for numba. Everything here works on plain arrays:

* ``U`` float64 ``(R, N)``: payoffs of the ``R`` pure profiles (C order over the action axes),
  divided by the game's payoff scale;
* ``profiles`` int64 ``(R, N)``: the action of each player in each profile;
* ``off`` int64 ``(N + 1,)``: coordinate offsets, player ``i`` owns ``off[i]:off[i + 1]``;
* ``z`` float64 ``(m + 1,)``: log-probabilities ``y`` of all actions, players in order, then lambda.

Equations, in order: the ``N`` normalisations ``sum_a exp(y_i[a]) - 1``, then for each player
``i`` and action ``a >= 1`` the logit equation ``(y_i[a] - y_i[0]) - lambda (u_i[a] - u_i[0])``.

No ``fastmath``: step acceptance and the stopping test compare measured quantities with
tolerances, and the trace must not depend on the compiler reassociating sums.
"""

from __future__ import annotations

import math

import numba
import numpy as np

# Status codes of ``trace``.
LIMIT = 0          # regret within tolerance at a traced point
POLISHED = 1       # regret within tolerance at the Newton-polished limit
AT_TARGET = 2      # solved at the requested lambda
MAX_LAMBDA = 3     # passed max_lambda before reaching the tolerance
STEP_TOO_SMALL = 4 # the step length fell below its floor
MAX_STEPS = 5      # the step budget ran out


@numba.njit(cache=True, nogil=True)
def payoffs_and_gradient(y, U, profiles, off, u, grad):
    """Fill ``u[(i, a)]`` (i's payoff of a against the others' mixtures) and ``grad = du/dy``.

    ``grad[(i, a), (j, b)]`` for ``j != i`` is the sum of ``u_i * prod_{k != i} p_k`` over the
    profiles where i plays a and j plays b; the own block is zero (a player's payoffs do not
    depend on its own mixture). Each weight ``prod_{k != i} p_k`` is ``exp`` of a sum of the
    others' log-probabilities, never a quotient, so it stays exact when a probability underflows
    and when an off-support log-probability is huge.
    """
    n_players = U.shape[1]
    u[:] = 0.0
    grad[:, :] = 0.0
    col = np.empty(n_players, dtype=np.int64)
    for r in range(U.shape[0]):
        for k in range(n_players):
            col[k] = off[k] + profiles[r, k]
        for i in range(n_players):
            log_weight = 0.0
            for k in range(n_players):
                if k != i:
                    log_weight += y[col[k]]
            v = U[r, i] * math.exp(log_weight)
            ci = col[i]
            u[ci] += v
            for j in range(n_players):
                if j != i:
                    grad[ci, col[j]] += v


@numba.njit(cache=True, nogil=True)
def evaluate(z, U, profiles, off, h, jac, u, grad):
    """Residual ``h`` (m,) and Jacobian ``jac`` (m, m + 1) of the QRE equations at ``z``."""
    n_players = off.shape[0] - 1
    m = z.shape[0] - 1
    lam = z[m]
    payoffs_and_gradient(z[:m], U, profiles, off, u, grad)
    jac[:, :] = 0.0
    row = n_players
    for i in range(n_players):
        total = 0.0
        for c in range(off[i], off[i + 1]):
            p = math.exp(z[c])
            total += p
            jac[i, c] = p
        h[i] = total - 1.0
        base = off[i]
        for c in range(off[i] + 1, off[i + 1]):
            du = u[c] - u[base]
            h[row] = (z[c] - z[base]) - lam * du
            for k in range(m):
                jac[row, k] = -lam * (grad[c, k] - grad[base, k])
            # The own block of grad is zero, so these are the only own-player entries.
            jac[row, c] = 1.0
            jac[row, base] = -1.0
            jac[row, m] = -du
            row += 1


@numba.njit(cache=True, nogil=True)
def solve_in_place(a, b):
    """Solve ``a x = b`` by Gaussian elimination with partial pivoting; ``x`` replaces ``b``.

    ``a`` is destroyed. Returns False when a pivot is zero or not finite (singular system).
    The systems here have 5 to 30 unknowns, where a plain loop beats a LAPACK call's overhead.
    """
    n = b.shape[0]
    for k in range(n):
        piv = k
        best = abs(a[k, k])
        for r in range(k + 1, n):
            v = abs(a[r, k])
            if v > best:
                best = v
                piv = r
        if not (best > 0.0) or not math.isfinite(best):
            return False
        if piv != k:
            for c in range(k, n):
                tmp = a[k, c]
                a[k, c] = a[piv, c]
                a[piv, c] = tmp
            tmp = b[k]
            b[k] = b[piv]
            b[piv] = tmp
        inv = 1.0 / a[k, k]
        for r in range(k + 1, n):
            f = a[r, k] * inv
            if f != 0.0:
                for c in range(k + 1, n):
                    a[r, c] -= f * a[k, c]
                b[r] -= f * b[k]
    for k in range(n - 1, -1, -1):
        s = b[k]
        for c in range(k + 1, n):
            s -= a[k, c] * b[c]
        b[k] = s / a[k, k]
    return True


@numba.njit(cache=True, nogil=True)
def tangent(jac, previous, out):
    """Unit tangent (kernel of ``jac``) oriented so that ``out @ previous > 0``; False if singular."""
    m = jac.shape[0]
    a = np.empty((m + 1, m + 1))
    a[:m, :] = jac
    a[m, :] = previous
    out[:] = 0.0
    out[m] = 1.0
    if not solve_in_place(a, out):
        return False
    norm = 0.0
    for k in range(m + 1):
        norm += out[k] * out[k]
    norm = math.sqrt(norm)
    if not (norm > 0.0) or not math.isfinite(norm):
        return False
    for k in range(m + 1):
        out[k] /= norm
    return True


@numba.njit(cache=True, nogil=True)
def regret(z, u, off):
    """Max regret of the profile ``exp(z[:m])`` given its payoffs ``u`` (kernel units)."""
    worst = 0.0
    for i in range(off.shape[0] - 1):
        best = -np.inf
        expected = 0.0
        for c in range(off[i], off[i + 1]):
            best = max(best, u[c])
            expected += math.exp(z[c]) * u[c]
        worst = max(worst, best - expected)
    return worst


@numba.njit(cache=True, nogil=True)
def correct(z, fixed_row, fixed_value, U, profiles, off, newton_tol, max_iter, max_contraction,
            h, jac, u, grad, stats):
    """Newton on ``H(z) = 0`` plus ``fixed_row @ z = fixed_value``, in place on ``z``.

    With ``fixed_row`` the tangent this is Keller's pseudo-arclength corrector; with the unit
    vector of lambda it solves for the QRE at a given lambda. On success ``jac`` and ``u`` are
    those of the last iterate (within Newton's tolerance of ``z``), ``stats[0]`` is the length
    (Euclidean) of the first Newton step and ``stats[1]`` the largest contraction ratio of
    successive steps. Returns False when Newton fails or contracts too slowly.
    """
    m = z.shape[0] - 1
    a = np.empty((m + 1, m + 1))
    step = np.empty(m + 1)
    prev = 0.0
    contraction = 0.0
    stats[0] = 0.0
    stats[1] = 0.0
    for it in range(max_iter):
        evaluate(z, U, profiles, off, h, jac, u, grad)
        a[:m, :] = jac
        a[m, :] = fixed_row
        acc = 0.0
        for k in range(m + 1):
            acc += fixed_row[k] * z[k]
        step[:m] = h
        step[m] = acc - fixed_value
        if not solve_in_place(a, step):
            return False
        # Size of the step, each coordinate relative to its magnitude: log-probabilities grow
        # like lambda towards a pure limit, and lambda itself grows without bound.
        norm = 0.0
        length = 0.0
        for k in range(m + 1):
            norm = max(norm, abs(step[k]) / (1.0 + abs(z[k])))
            length += step[k] * step[k]
        if not math.isfinite(norm):
            return False
        if it == 0:
            stats[0] = math.sqrt(length)
        elif prev > 0.0:
            contraction = max(contraction, norm / prev)
            if contraction > max_contraction:
                return False
        prev = norm
        for k in range(m + 1):
            z[k] -= step[k]
        # Below the floor set by rounding in lambda * (u_a - u_0), Newton cannot improve.
        if norm <= newton_tol + 4e-16 * abs(z[m]):
            stats[1] = contraction
            return True
    return False


@numba.njit(cache=True, nogil=True)
def polish(z, U, profiles, off, threshold, off_support_log, max_iter, out):
    """Newton on the Nash conditions of the support ``exp(z) > threshold``; result in ``out``.

    On the support the limit solves ``u_i[a] = u_i[b]`` (each support action against the
    player's first one) and the normalisations; off it the probability is zero, held as the
    finite log ``off_support_log`` so sums stay finite. Returns False when Newton diverges.
    """
    n_players = off.shape[0] - 1
    m = z.shape[0] - 1
    out[:] = z
    free = np.empty(m, dtype=np.int64)
    n_free = 0
    for c in range(m):
        if math.exp(z[c]) > threshold:
            free[n_free] = c
            n_free += 1
        else:
            out[c] = off_support_log
    # Indifference rows: (support action, player's first support action).
    rows = np.empty(m, dtype=np.int64)
    base = np.empty(m, dtype=np.int64)
    n_rows = 0
    for i in range(n_players):
        first = -1
        for c in range(off[i], off[i + 1]):
            if math.exp(z[c]) > threshold:
                if first < 0:
                    first = c
                else:
                    rows[n_rows] = c
                    base[n_rows] = first
                    n_rows += 1
        if first < 0:
            return False
    u = np.empty(m)
    grad = np.empty((m, m))
    a = np.empty((n_free, n_free))
    resid = np.empty(n_free)
    for _ in range(max_iter):
        payoffs_and_gradient(out[:m], U, profiles, off, u, grad)
        a[:, :] = 0.0
        for i in range(n_players):
            total = 0.0
            for c in range(off[i], off[i + 1]):
                total += math.exp(out[c])
            resid[i] = total - 1.0
            for k in range(n_free):
                c = free[k]
                if off[i] <= c < off[i + 1]:
                    a[i, k] = math.exp(out[c])
        for r in range(n_rows):
            resid[n_players + r] = u[rows[r]] - u[base[r]]
            for k in range(n_free):
                a[n_players + r, k] = grad[rows[r], free[k]] - grad[base[r], free[k]]
        if not solve_in_place(a, resid):
            return False
        size = 0.0
        for k in range(n_free):
            size = max(size, abs(resid[k]))
        if not math.isfinite(size) or size > 5.0:
            return False
        for k in range(n_free):
            out[free[k]] -= resid[k]
        if size <= 1e-12:
            return True
    return False


@numba.njit(cache=True, nogil=True)
def heading_to(z, t, limit, off, rel_tol, abs_tol):
    """Whether the branch at ``z`` (tangent ``t``) is heading to the candidate ``limit``.

    Near a limit ``p*`` the branch is ``p(lambda) = p* + c / lambda + O(1 / lambda^2)`` on the
    limit's support, so ``lambda dp/dlambda = -(p - p*)`` to first order. The tangent gives
    ``dp/dlambda = p * t_y / t_lambda``. A candidate whose support holds an action that the
    branch is still pushing out (it falls much faster than the distance to ``p*`` allows) is the
    equilibrium of a neighbouring support, not the branch's limit.
    """
    m = z.shape[0] - 1
    lam = z[m]
    if not (t[m] > 0.0) or not (lam > 0.0):
        return False
    for c in range(m):
        target = math.exp(limit[c])
        if target == 0.0:
            continue
        p = math.exp(z[c])
        gap = p - target
        slope = lam * p * t[c] / t[m]
        if abs(slope + gap) > rel_tol * abs(gap) + abs_tol:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def _grow(points, n):
    if n < points.shape[0]:
        return points
    bigger = np.empty((2 * points.shape[0], points.shape[1]))
    bigger[:n] = points[:n]
    return bigger


@numba.njit(cache=True, nogil=True)
def trace(z0, U, profiles, off, target, max_lambda, tol, first_step, max_accel, max_steps,
          controls):
    """Follow the principal branch from ``z0`` (the uniform profile at lambda 0).

    ``target < 0`` means "trace to the Nash limit"; otherwise stop at the QRE of lambda
    ``target`` (kernel units). ``controls`` holds, in order: the nominal corrector distance,
    contraction and tangent angle of the step control, the largest contraction accepted inside
    Newton, Newton's tolerance and iteration budget, the smallest step, the regret below which
    the limit is polished, the polish's support threshold and off-support log, and the relative
    and absolute tolerances of :func:`heading_to`.

    Returns ``(points (K, m + 1), limit (m + 1,), status, steps)``; ``limit`` is meaningful only
    for status ``POLISHED``.
    """
    dist_target = controls[0]
    contraction_target = controls[1]
    angle_target = controls[2]
    max_contraction = controls[3]
    newton_tol = controls[4]
    newton_iter = int(controls[5])
    min_step = controls[6]
    polish_regret = controls[7]
    polish_threshold = controls[8]
    off_support_log = controls[9]
    heading_rel = controls[10]
    heading_abs = controls[11]

    m = z0.shape[0] - 1
    points = np.empty((64, m + 1))
    points[0] = z0
    n_points = 1
    limit = np.zeros(m + 1)
    h = np.empty(m)
    jac = np.empty((m, m + 1))
    u = np.empty(m)
    grad = np.empty((m, m))
    stats = np.empty(2)
    if target == 0.0:
        return points[:1].copy(), limit, AT_TARGET, 0
    z = z0.copy()
    evaluate(z, U, profiles, off, h, jac, u, grad)
    e_lam = np.zeros(m + 1)
    e_lam[m] = 1.0
    t = np.empty(m + 1)
    if not tangent(jac, e_lam, t):
        return points[:1].copy(), limit, STEP_TOO_SMALL, 0
    if target < 0.0 and regret(z, u, off) <= tol:
        return points[:1].copy(), limit, LIMIT, 0
    t_new = np.empty(m + 1)
    z_new = np.empty(m + 1)
    candidate = np.empty(m + 1)
    step = first_step
    steps = 0
    while steps < max_steps:
        steps += 1
        for k in range(m + 1):
            z_new[k] = z[k] + step * t[k]
        fixed = 0.0
        for k in range(m + 1):
            fixed += t[k] * z_new[k]
        ok = correct(z_new, t, fixed, U, profiles, off, newton_tol, newton_iter, max_contraction,
                     h, jac, u, grad, stats)
        if not ok:
            # Newton failed: the step was too long for the prediction to be trusted.
            step *= 0.5
            if step < min_step:
                return points[:n_points].copy(), limit, STEP_TOO_SMALL, steps
            continue
        if target >= 0.0 and z_new[m] >= target:
            # Crossed the requested lambda: solve there with lambda fixed, from the chord.
            frac = (target - z[m]) / (z_new[m] - z[m])
            for k in range(m + 1):
                candidate[k] = z[k] + frac * (z_new[k] - z[k])
            candidate[m] = target
            if correct(candidate, e_lam, target, U, profiles, off, newton_tol, newton_iter,
                       max_contraction, h, jac, u, grad, stats):
                points = _grow(points, n_points)
                points[n_points] = candidate
                return points[:n_points + 1].copy(), limit, AT_TARGET, steps
            step *= 0.5
            if step < min_step:
                return points[:n_points].copy(), limit, STEP_TOO_SMALL, steps
            continue
        if not tangent(jac, t, t_new):
            step *= 0.5
            if step < min_step:
                return points[:n_points].copy(), limit, STEP_TOO_SMALL, steps
            continue
        # Step control of Allgower and Georg (1990, section 6.1): the corrector's first move,
        # its contraction rate and the turn of the tangent, each against
        # a nominal value. Every measure grows with the step, so the worst ratio says how much
        # shorter the step should have been; a step that overshoots by more than twice is
        # retraced shorter, since a long step near a fold can land on another component.
        # The turn is measured through the chord ``z_new - z``: the angle from ``t`` to the
        # chord plus the angle from the chord to ``t_new``. On one smooth arc that sum equals
        # the angle between the two tangents (to higher order); when the corrector lands on
        # another component near a narrow S-bend, both tangents can be nearly parallel while
        # neither points along the chord, and only the sum shows the jump.
        chord = 0.0
        for k in range(m + 1):
            chord += (z_new[k] - z[k]) ** 2
        chord = math.sqrt(chord)
        before = 0.0
        after = 0.0
        for k in range(m + 1):
            before += t[k] * (z_new[k] - z[k])
            after += t_new[k] * (z_new[k] - z[k])
        angle = 0.0
        if chord > 0.0:
            angle = (math.acos(min(1.0, max(-1.0, before / chord)))
                     + math.acos(min(1.0, max(-1.0, after / chord))))
        factor = max(math.sqrt(stats[0] / dist_target),
                     math.sqrt(stats[1] / contraction_target),
                     angle / angle_target)
        if factor > 2.0:
            step *= 0.5
            if step < min_step:
                return points[:n_points].copy(), limit, STEP_TOO_SMALL, steps
            continue
        z[:] = z_new
        t[:] = t_new
        points = _grow(points, n_points)
        points[n_points] = z
        n_points += 1
        if target < 0.0:
            current = regret(z, u, off)
            if current <= tol:
                return points[:n_points].copy(), limit, LIMIT, steps
            if current <= polish_regret:
                if polish(z, U, profiles, off, polish_threshold, off_support_log, newton_iter,
                          candidate):
                    payoffs_and_gradient(candidate[:m], U, profiles, off, u, grad)
                    if regret(candidate, u, off) <= tol and heading_to(
                            z, t, candidate, off, heading_rel, heading_abs):
                        limit[:] = candidate
                        return points[:n_points].copy(), limit, POLISHED, steps
            if z[m] >= max_lambda:
                return points[:n_points].copy(), limit, MAX_LAMBDA, steps
        # Lengthen the step (by at most max_accel) when every measure is below its target.
        step /= max(factor, 1.0 / max_accel)
    return points[:n_points].copy(), limit, MAX_STEPS, steps
