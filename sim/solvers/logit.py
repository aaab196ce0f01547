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

from sim._arrays import readonly
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
_POLISH_THRESHOLD = 1e-6
_MAX_CONTRACTION = 0.7
_HEADING_REL = 0.5
_HEADING_ABS = 1e-4


def _arrays(game: NormalFormGame):
    """The kernel's inputs: scaled payoffs ``(R, N)``, profile actions ``(R, N)``, offsets."""
    shape = game.shape
    n = len(shape)
    profiles = np.indices(shape).reshape(n, -1).T.astype(np.int64)   # C order, as the payoffs
    payoffs = np.ascontiguousarray(np.asarray(game.payoffs, dtype=float).reshape(-1, n)
                                   / game.payoff_scale)
    off = np.concatenate([[0], np.cumsum(shape)]).astype(np.int64)
    return payoffs, np.ascontiguousarray(profiles), off


def _controls(dist_target=_DIST_TARGET, angle_target=_ANGLE_TARGET) -> np.ndarray:
    """Step-control and polish constants in the order :func:`_logit_jit.trace` reads them."""
    return np.array([dist_target, _CONTRACTION_TARGET, angle_target, _MAX_CONTRACTION,
                     _NEWTON_TOL, _NEWTON_MAX_ITER, _MIN_STEP, _POLISH_REGRET, _POLISH_THRESHOLD,
                     _OFF_SUPPORT_LOG, _HEADING_REL, _HEADING_ABS], dtype=float)


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
    from sim.solvers import _logit_jit as jit

    payoffs, actions, off = _arrays(game)
    scale = game.payoff_scale
    z0 = np.concatenate([np.concatenate([np.full(n, -math.log(n)) for n in game.shape]), [0.0]])
    target = -1.0 if lam is None else lam * scale
    points, limit, status, steps = jit.trace(
        z0, payoffs, actions, off, target, max_lambda * scale, tol, first_step, max_accel,
        MAX_STEPS, _controls())
    lambdas = readonly(points[:, -1] / scale, copy=False)
    profiles = tuple(readonly(np.exp(points[:, off[i]:off[i + 1]]), copy=False) for i in range(len(game.shape)))
    final = limit if status == jit.POLISHED else points[-1]
    profile = [np.exp(final[off[i]:off[i + 1]]) for i in range(len(game.shape))]
    if lam is None:
        # "lambda" is the last traced point's; "polished" says the limit was reached by Newton
        # on the Nash conditions of the branch's support rather than by tracing alone.
        eq = Equilibrium.certify(game, profile, **{"lambda": float(lambdas[-1]),
                                                   "polished": status == jit.POLISHED})
        converged = eq.max_regret <= tol * game.payoff_scale
    else:
        eq = Equilibrium.certify(game, profile, **{"lambda": lam})
        converged = status == jit.AT_TARGET
    details = {"lambdas": lambdas, "profiles": profiles, "steps": int(steps)}
    return SolverResult("logit", game, (eq,), params, complete=False, converged=converged,
                        details=details)
