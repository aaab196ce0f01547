"""Logit quantal response equilibria (QRE) of N-player games and their principal branch.

A logit QRE at precision ``lambda >= 0`` is a mixed profile ``p`` with, for every player ``i`` and
action ``a``, ``p_i[a] = exp(lambda * u_i[a](p)) / sum_b exp(lambda * u_i[b](p))``, where
``u_i[a](p)`` is ``i``'s payoff of action ``a`` against the others' mixtures (McKelvey and
Palfrey 1995, "Quantal response equilibria for normal form games", Games and Economic Behavior
10: 6-38). At ``lambda = 0`` the only QRE is the uniform profile; the *principal branch* is the
curve of QRE that starts there. For generic games it is a smooth curve whose limit as
``lambda -> infinity`` is one Nash equilibrium, which is how the curve selects an equilibrium.

The branch is traced by predictor-corrector continuation (Allgower and Georg 1990, "Numerical
Continuation Methods", chapters 2 and 6) in the log-probability coordinates ``y_i[a] = log p_i[a]``
used by Turocy (2005, "A dynamic homotopy interpretation of the logistic quantal response
equilibrium correspondence", Games and Economic Behavior 51: 243-263). In those coordinates the
branch becomes a straight line as ``lambda`` grows (``y_i[a] - y_i[0] ~ lambda * gap`` for a pure
limit, ``y`` constant for a mixed one), so arc-length steps can grow geometrically, and
probabilities far below floating-point range stay representable.

Axis conventions are those of :mod:`sim.game`: payoffs ``(n_0, ..., n_{N-1}, N)``; the unknown
vector of the continuation is ``z = (y_0[0..n_0-1], ..., y_{N-1}[..], lambda)`` with players in
order, and its equations are, per player ``i``, one normalisation ``sum_a exp(y_i[a]) = 1``
followed by ``n_i - 1`` logit equations ``y_i[a] - y_i[0] = lambda * (u_i[a] - u_i[0])``.
"""

from __future__ import annotations

import math

import numpy as np

from sim.errors import SolverError
from sim.game import NormalFormGame
from sim.result import Equilibrium, SolverResult

DEFAULT_TOL = 1e-8
DEFAULT_MAX_LAMBDA = 1e10
DEFAULT_FIRST_STEP = 0.03
DEFAULT_MAX_ACCEL = 1.2
MAX_STEPS = 20000
_NEWTON_TOL = 1e-10
_NEWTON_MAX_ITER = 8
_MIN_STEP = 1e-12
_OFF_SUPPORT_LOG = -1e4
_DIST_TARGET = 0.1
_CONTRACTION_TARGET = 0.3
_ANGLE_TARGET = 0.1
_POLISH_REGRET = 1e-2


class _Kernel:
    """Residual and Jacobian of the QRE equations for one game, all players at once.

    Payoffs are divided by the game's payoff scale, so step sizes mean the same on every game;
    ``lambda`` inside the kernel is therefore ``lambda * scale`` in the game's own units.

    Equation order: the ``N`` normalisations ``sum_a exp(y_i[a]) - 1``, then the logit equations
    ``(y_i[a] - y_i[0]) - lambda * (u_i[a] - u_i[0])`` for every player ``i`` and ``a >= 1``.
    """

    def __init__(self, game: NormalFormGame):
        self.shape = game.shape
        self.n = len(self.shape)
        self.scale = game.payoff_scale
        sizes = np.array(self.shape, dtype=int)
        self.off = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        self.m = int(self.off[-1])
        owner = np.repeat(np.arange(self.n), sizes)          # player of each coordinate
        first = self.off[:-1][owner]                         # coordinate of that player's action 0
        self.rows = np.flatnonzero(np.arange(self.m) != first)   # coordinates (i, a), a >= 1
        self.base = first[self.rows]                              # matching (i, 0)
        profiles = np.indices(self.shape).reshape(self.n, -1).T  # (R, N) action indices
        # incidence[r, (i, a)] = 1 when profile r has player i playing a.
        incidence = np.zeros((len(profiles), self.m))
        for i in range(self.n):
            incidence[np.arange(len(profiles)), self.off[i] + profiles[:, i]] = 1.0
        self.incidence = incidence
        u = np.asarray(game.payoffs, dtype=float).reshape(-1, self.n) / self.scale   # (R, N)
        # Row (i, a) of ``weighted_incidence`` is u_i on the profiles where i plays a, else 0.
        self.weighted_incidence = incidence.T * u[:, owner].T
        self.mask = incidence.T > 0
        self.block = (owner[:, None] == np.arange(self.n)[None, :]).T.astype(float)   # (N, m)
        own = owner[self.rows][:, None] == owner[None, :]                             # (L, m)
        self.own_mask = own
        struct = np.zeros((len(self.rows), self.m))
        struct[np.arange(len(self.rows)), self.rows] = 1.0
        struct[np.arange(len(self.rows)), self.base] = -1.0
        self.own_struct = struct
        self.diag = np.arange(self.m)

    def split(self, y: np.ndarray) -> list[np.ndarray]:
        return [y[self.off[i]:self.off[i + 1]] for i in range(self.n)]

    def evaluate(self, z: np.ndarray):
        """Residual ``H(z)`` (length m), Jacobian ``(m, m+1)`` and payoffs ``u`` (length m).

        ``u[(i, a)]`` is player i's payoff of action a against the others' mixtures, and
        ``d u_i[a] / d y_j[b]`` is the sum of ``u_i * prod_{k != i} p_k`` over the profiles where
        i plays a and j plays b: both are sums over profiles, so one matrix product against the
        incidence matrix gives them all. The weights ``prod_{k != i} p_k`` are built from log
        probabilities (never by dividing by a probability), so they stay exact when a probability
        underflows to zero at large lambda.
        """
        y, lam = z[:-1], z[-1]
        p, u, grad = self.payoffs(y)
        rows, base = self.rows, self.base
        du = u[rows] - u[base]
        h = np.concatenate([self.block @ p - 1.0, (y[rows] - y[base]) - lam * du])
        jac = np.empty((self.m, self.m + 1))
        jac[:self.n, :-1] = self.block * p
        jac[:self.n, -1] = 0.0
        jac[self.n:, :-1] = np.where(self.own_mask, self.own_struct, -lam * (grad[rows] - grad[base]))
        jac[self.n:, -1] = -du
        return h, jac, u

    def payoffs(self, y: np.ndarray):
        """Probabilities, payoffs ``u`` (m,) and ``d u[row] / d y[col]`` (m, m) at log-profile ``y``."""
        p = np.exp(y)
        log_profile = self.incidence @ y                      # (R,) log of the product profile
        # Exponent <= 0 wherever the mask is set; the clip only tames entries masked out.
        weights = np.exp(np.minimum(log_profile[None, :] - y[:, None], 0.0))
        x = self.weighted_incidence * weights                 # (m, R)
        u = x.sum(axis=1)
        grad = x @ self.incidence
        # The product also pairs each action with itself (u on the diagonal of the own block);
        # a player's payoffs do not depend on its own mixture, so that derivative is zero.
        grad[self.diag, self.diag] -= u
        return p, u, grad

    def regret(self, z: np.ndarray, u: np.ndarray) -> float:
        """Max regret of the profile at ``z``, in the game's own payoff units."""
        starts = self.off[:-1]
        expected = np.add.reduceat(np.exp(z[:-1]) * u, starts)
        return float((np.maximum.reduceat(u, starts) - expected).max()) * self.scale


def _tangent(jac: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """Unit tangent of the branch, oriented to continue in the direction of ``previous``."""
    aug = np.vstack([jac, previous])
    rhs = np.zeros(jac.shape[1])
    rhs[-1] = 1.0
    t = np.linalg.solve(aug, rhs)
    return t / np.linalg.norm(t)


def _correct(kernel: _Kernel, z: np.ndarray, fixed_row: np.ndarray, fixed_value: float):
    """Newton's method on ``H(z) = 0`` plus one linear condition ``fixed_row @ z = fixed_value``.

    With ``fixed_row`` the tangent this is Keller's pseudo-arclength corrector; with the unit
    vector of ``lambda`` it solves for the QRE at a given lambda. Returns
    ``(z, jacobian, payoffs, first_step_norm, contraction)`` or ``None`` when Newton fails.
    """
    first = None
    prev = None
    contraction = 0.0
    for _ in range(_NEWTON_MAX_ITER):
        h, jac, payoffs = kernel.evaluate(z)
        aug = np.vstack([jac, fixed_row])
        rhs = np.append(h, fixed_row @ z - fixed_value)
        try:
            step = np.linalg.solve(aug, rhs)
        except np.linalg.LinAlgError:
            return None
        # Size of the step, each coordinate relative to its magnitude: log-probabilities grow
        # like lambda towards a pure limit, and lambda itself grows without bound.
        norm = float((np.abs(step) / (1.0 + np.abs(z))).max())
        if not np.isfinite(norm):
            return None
        if first is None:
            first = float(np.abs(step).max())
        elif prev > 0:
            contraction = max(contraction, norm / prev)
            if contraction > 0.7:
                return None
        prev = norm
        z = z - step
        # Below the floor set by rounding in lambda * (u_a - u_0), Newton cannot improve.
        if norm <= _NEWTON_TOL + 4e-16 * abs(float(z[-1])):
            # The Jacobian and payoffs of the last iterate are within Newton's tolerance of
            # those at ``z``: good enough for the next tangent and the stopping test.
            return z, jac, payoffs, first, contraction
    return None


def _polish(kernel: _Kernel, z: np.ndarray, threshold: float = 1e-6):
    """Newton on the Nash conditions of the support the branch is heading to.

    Far out on the branch the actions with non-negligible probability are the limit's support.
    There the limit solves ``u_i[a] = u_i[b]`` for support actions ``a, b`` of each player, with
    every other action at probability zero; Newton's method from the QRE converges to it
    quadratically (the QRE is ``O(1 / lambda)`` away), which replaces the many geometric steps
    of lambda that tracing alone would need to reach a small regret on a mixed limit.
    Returns the point (lambda unchanged) or ``None`` when Newton does not converge.
    """
    y = z[:-1].copy()
    support = np.exp(y) > threshold
    # Off the support the probability is exactly zero; a large finite log keeps sums finite.
    y[~support] = _OFF_SUPPORT_LOG
    free = np.flatnonzero(support)
    # Indifference rows: each support action against the player's first support action.
    rows, base = [], []
    for i in range(kernel.n):
        s_i = free[(free >= kernel.off[i]) & (free < kernel.off[i + 1])]
        if len(s_i) == 0:
            return None
        rows.extend(s_i[1:])
        base.extend([s_i[0]] * (len(s_i) - 1))
    rows, base = np.array(rows, dtype=int), np.array(base, dtype=int)
    for _ in range(_NEWTON_MAX_ITER):
        p, u, grad = kernel.payoffs(y)
        resid = np.concatenate([kernel.block @ p - 1.0, u[rows] - u[base]])
        a = np.vstack([(kernel.block * p)[:, free], (grad[rows] - grad[base])[:, free]])
        try:
            step = np.linalg.solve(a, resid)
        except np.linalg.LinAlgError:
            return None
        size = float(np.abs(step).max())
        if not np.isfinite(size) or size > 5.0:
            return None
        y[free] -= step
        if size <= 1e-12:
            return np.concatenate([y, [z[-1]]])
    return None


def _check(name, value, rule, ok):
    if not ok:
        raise SolverError(f"logit_solve(): {name} must be {rule}; got {value!r}")


def logit_solve(
    game: NormalFormGame,
    lam: float | None = None,
    max_lambda: float = DEFAULT_MAX_LAMBDA,
    tol: float = DEFAULT_TOL,
    first_step: float = DEFAULT_FIRST_STEP,
    max_accel: float = DEFAULT_MAX_ACCEL,
) -> SolverResult:
    """Logit QRE on the principal branch: at a given lambda, or the branch's Nash limit.

    The branch is traced from the uniform profile at ``lambda = 0`` by predictor-corrector
    continuation with arc-length steps in log-probability coordinates (McKelvey and Palfrey 1995;
    Turocy 2005; Allgower and Georg 1990 for the pseudo-arclength corrector and step control).

    Parameters
    ----------
    game : NormalFormGame
    lam : float or None
        With a value, return the QRE at this lambda (in the game's payoff units) on the
        principal branch (its first crossing of ``lam`` if the branch bends back). Without one,
        trace towards the Nash limit.
    max_lambda : float
        Stop tracing when lambda passes this value (the result is then not ``converged``).
    tol : float
        Stop when the profile's max regret is at most ``tol`` times the game's payoff scale
        (the same criterion as Gambit's ``maxregret``).
    first_step : float
        Arc length of the first step, in coordinates where payoffs span 1.
    max_accel : float
        Largest factor by which one step can be longer than the previous one.

    Returns
    -------
    SolverResult
        ``equilibria`` holds one profile: the limit point, certified (with its measured regret)
        as a Nash equilibrium candidate with ``details["lambda"]``, or the QRE at ``lam`` with
        ``details == {"lambda": lam}``. ``converged`` says whether the regret reached
        ``tol * scale`` (limit) or the fixed-point equations were solved (given ``lam``).
        ``details`` holds the traced branch: ``lambdas`` (K,), ``profiles`` (one ``(K, n_i)``
        array per player) and ``steps``.

    Examples
    --------
    >>> from sim.game import NormalFormGame
    >>> g = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])  # prisoner's dilemma
    >>> result = logit_solve(g)
    >>> result.converged, [s.round(6).tolist() for s in result.equilibria[0].profile]
    (True, [[0.0, 1.0], [0.0, 1.0]])
    >>> qre = logit_solve(g, lam=0.0).equilibria[0]
    >>> qre.profile[0].tolist(), dict(qre.details)
    ([0.5, 0.5], {'lambda': 0.0})
    """
    if not isinstance(game, NormalFormGame):
        raise SolverError(f"logit_solve(): game must be a NormalFormGame; got {type(game).__name__}")
    if lam is not None:
        _check("lam", lam, "a finite number >= 0", isinstance(lam, (int, float, np.number))
               and math.isfinite(lam) and lam >= 0)
        lam = float(lam)
    _check("max_lambda", max_lambda, "a number > 0", isinstance(max_lambda, (int, float, np.number))
           and max_lambda > 0)
    _check("tol", tol, "a finite number > 0", isinstance(tol, (int, float, np.number))
           and math.isfinite(tol) and tol > 0)
    _check("first_step", first_step, "a finite number > 0",
           isinstance(first_step, (int, float, np.number)) and math.isfinite(first_step) and first_step > 0)
    _check("max_accel", max_accel, "a finite number >= 1",
           isinstance(max_accel, (int, float, np.number)) and math.isfinite(max_accel) and max_accel >= 1)
    params = {"lam": lam, "max_lambda": max_lambda, "tol": tol, "first_step": first_step,
              "max_accel": max_accel}
    kernel = _Kernel(game)
    target = None if lam is None else lam * kernel.scale
    trace = _trace(kernel, target, max_lambda * kernel.scale, tol, first_step, max_accel)
    zs, limit, solved, steps = trace
    lambdas = np.array([z[-1] for z in zs]) / kernel.scale
    profiles = tuple(np.exp(np.array([z[kernel.off[i]:kernel.off[i + 1]] for z in zs]))
                     for i in range(kernel.n))
    for arr in (lambdas, *profiles):
        arr.setflags(write=False)
    final = zs[-1] if limit is None else limit
    profile = [np.exp(v) for v in kernel.split(final[:-1])]
    if lam is None:
        # "lambda" is the last traced point's; "polished" says the limit was reached by Newton
        # on the Nash conditions of the branch's support rather than by tracing alone.
        eq = Equilibrium.certify(game, profile, **{"lambda": float(zs[-1][-1] / kernel.scale),
                                                   "polished": limit is not None})
        converged = eq.max_regret <= tol * game.payoff_scale
    else:
        eq = Equilibrium.certify(game, profile, **{"lambda": lam})
        converged = solved
    details = {"lambdas": lambdas, "profiles": profiles, "steps": steps}
    return SolverResult("logit", game, (eq,), params, complete=False, converged=converged,
                        details=details)


def _trace(kernel: _Kernel, target, max_lambda, tol, first_step, max_accel):
    """Follow the principal branch; returns (accepted points, polished limit, solved, steps).

    ``target`` (kernel units) ends the trace at the QRE of that lambda; without it the trace
    ends when the regret is within ``tol * scale`` (at a traced point, or at the Newton-polished
    limit, returned separately) or lambda passes ``max_lambda``.
    """
    z = np.concatenate([np.concatenate([np.full(n, -math.log(n)) for n in kernel.shape]), [0.0]])
    points = [z]
    if target == 0.0:
        return points, None, True, 0
    _, jac, payoffs = kernel.evaluate(z)
    e_lam = np.zeros(kernel.m + 1)
    e_lam[-1] = 1.0
    t = _tangent(jac, e_lam)
    if target is None and kernel.regret(z, payoffs) <= tol * kernel.scale:
        return points, None, True, 0
    step = first_step
    steps = 0
    while steps < MAX_STEPS:
        steps += 1
        pred = z + step * t
        out = _correct(kernel, pred, t, t @ pred)
        if out is None:
            # Newton failed: the step was too long for the prediction to be trusted.
            step *= 0.5
            if step < _MIN_STEP:
                return points, None, False, steps
            continue
        z_new, jac_new, payoffs_new, first, contraction = out
        if target is not None and z_new[-1] >= target:
            # Crossed the requested lambda: solve there with lambda fixed, from the chord.
            frac = (target - z[-1]) / (z_new[-1] - z[-1])
            guess = z + frac * (z_new - z)
            guess[-1] = target
            hit = _correct(kernel, guess, e_lam, target)
            if hit is None:
                step *= 0.5
                if step < _MIN_STEP:
                    return points, None, False, steps
                continue
            points.append(hit[0])
            return points, None, True, steps
        t_new = _tangent(jac_new, t)
        # Step control of Allgower and Georg (1990, section 6.1): compare the corrector's first
        # move, its contraction and the turn of the tangent with target values; a step that
        # overshoots a target more than twice is retraced shorter, since a long step near a
        # fold of the correspondence can land on a different branch.
        angle = math.acos(min(1.0, max(-1.0, float(t_new @ t))))
        factor = max(math.sqrt(first / _DIST_TARGET), math.sqrt(contraction / _CONTRACTION_TARGET),
                     angle / _ANGLE_TARGET)
        if factor > 2.0:
            step *= 0.5
            if step < _MIN_STEP:
                return points, None, False, steps
            continue
        z, t = z_new, t_new
        points.append(z)
        if target is None:
            regret = kernel.regret(z, payoffs_new) / kernel.scale
            if regret <= tol:
                return points, None, True, steps
            if regret <= _POLISH_REGRET:
                limit = _polish(kernel, z)
                if limit is not None:
                    _, u, _ = kernel.payoffs(limit[:-1])
                    if kernel.regret(limit, u) <= tol * kernel.scale:
                        return points, limit, True, steps
            if z[-1] >= max_lambda:
                return points, None, False, steps
        # Lengthen the step (by at most max_accel) when every measure is below its target.
        step /= max(factor, 1.0 / max_accel)
    return points, None, False, steps
