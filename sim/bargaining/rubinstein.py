"""Alternating offers (Rubinstein 1982) on a unit pie and on a two-player bargaining problem.

In the unique subgame-perfect equilibrium of alternating offers with discount factors
``(d_1, d_2)`` the first proposer's offer is accepted at once; on a unit pie it keeps
``(1 - d_other) / (1 - d_1 d_2)``. On a general Pareto frontier the stationary offers make each
responder indifferent (Binmore, Rubinstein and Wolinsky 1986, section 3), and as the period
shrinks the agreement tends to the asymmetric Nash solution with powers in the ratio of the log
discount rates (ibid.).

Examples
--------
>>> rubinstein_shares([0.9, 0.9]).round(6).tolist()
[0.526316, 0.473684]
>>> p = BargainingProblem.from_points([[1, 0], [0, 1], [0, 0]], [0, 0])
>>> rubinstein_solve(p, (0.9, 0.9)).point.round(6).tolist()
[0.526316, 0.473684]
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from sim.bargaining.problem import BargainingProblem, BargainingSolution, _check_problem, _finish, _lottery, _require_ir
from sim.errors import SolverError


def rubinstein_shares(discounts: Sequence[float], first: int = 0) -> np.ndarray:
    """Subgame-perfect shares of a unit pie under alternating offers (Rubinstein 1982).

    The first mover gets ``(1 - d_other) / (1 - d_1 d_2)``, immediately accepted.

    Parameters
    ----------
    discounts : (d_1, d_2)
        Per-period discount factors, each in ``[0, 1)``.
    first : {0, 1}
        Who proposes first.

    Returns
    -------
    array (2,)
        Each player's share, in player order.

    Examples
    --------
    >>> rubinstein_shares([0.9, 0.9]).round(6).tolist()
    [0.526316, 0.473684]
    """
    func = "rubinstein_shares"
    d1, d2 = _discounts(discounts, func)
    if first not in (0, 1):
        raise SolverError(f"{func}(): first must be 0 or 1; got {first!r}")
    dp, dr = (d1, d2) if first == 0 else (d2, d1)
    mine = (1 - dr) / (1 - dp * dr)
    out = np.array([mine, 1 - mine])
    return out if first == 0 else out[::-1]


def _discounts(discounts, func: str) -> tuple[float, float]:
    try:
        d1, d2 = (float(x) for x in discounts)
    except (TypeError, ValueError):
        raise SolverError(f"{func}(): discounts must be two numbers; got {discounts!r}") from None
    for x in (d1, d2):
        if not 0 <= x < 1:
            raise SolverError(f"{func}(): each discount factor must be in [0, 1); got {x}")
    return d1, d2


def rubinstein_limit_powers(discounts: Sequence[float]) -> np.ndarray:
    """Bargaining powers of the Nash solution that alternating offers approach as the period
    length shrinks: ``w_i`` proportional to ``1 / r_i`` with ``d_i = exp(-r_i)`` (Binmore,
    Rubinstein and Wolinsky 1986), so ``w_1 / w_2 = log d_2 / log d_1``.

    Examples
    --------
    >>> rubinstein_limit_powers([0.9, 0.81]).round(6).tolist()
    [0.666667, 0.333333]
    """
    d1, d2 = _discounts(discounts, "rubinstein_limit_powers")
    if d1 == 0 or d2 == 0:
        raise SolverError(f"rubinstein_limit_powers(): discount factors must be positive; got {[d1, d2]}")
    inv = np.array([1 / -np.log(d1), 1 / -np.log(d2)])
    return inv / inv.sum()


def rubinstein_solve(problem: BargainingProblem, discounts: Sequence[float] = (0.95, 0.95),
                     first: int = 0) -> BargainingSolution:
    """Alternating offers on the Pareto frontier of a two-player problem (Rubinstein 1982).

    In the stationary subgame-perfect equilibrium the first mover proposes ``x`` and the other
    ``y``, both on the frontier, each making the responder indifferent:
    ``g_r(x) = d_r g_r(y)`` and ``g_p(y) = d_p g_p(x)`` in gains over the disagreement point;
    ``x`` is accepted at once. Solved by bisection on the frontier (Binmore, Rubinstein and
    Wolinsky 1986, section 3, for the general frontier). On a unit pie this is
    :func:`rubinstein_shares`.

    Examples
    --------
    >>> p = BargainingProblem.from_points([[1, 0], [0, 1], [0, 0]], [0, 0])
    >>> rubinstein_solve(p, (0.9, 0.9)).point.round(6).tolist()
    [0.526316, 0.473684]
    """
    func = "rubinstein_solve"
    problem = _check_problem(problem, func)
    if problem.n_players != 2:
        raise SolverError(f"{func}(): alternating offers are for 2 players; got {problem.n_players}")
    d = _discounts(discounts, func)
    if first not in (0, 1):
        raise SolverError(f"{func}(): first must be 0 or 1; got {first!r}")
    _require_ir(problem, func)
    front = problem.frontier() - problem.disagreement
    if first == 1:
        front = front[::-1, ::-1]
        dp, dr = d[1], d[0]
    else:
        dp, dr = d
    # phi(a): the responder's largest gain when the proposer gains a (concave, nonincreasing).
    xs, ys = front[:, 0], front[:, 1]
    top = float(ys.max())
    big = float(xs.max())

    def phi(a):
        return top if a <= xs[0] else float(np.interp(a, xs, ys))

    # h(a) = phi(a) - dr * phi(dp * a): h(0) >= 0 >= h(big); bisection on a root.
    lo, hi = 0.0, big
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if phi(mid) - dr * phi(dp * mid) > 0:
            lo = mid
        else:
            hi = mid
    a = 0.5 * (lo + hi)
    x = np.array([a, phi(a)])
    y = np.array([dp * a, phi(dp * a)])
    if first == 1:
        x, y = x[::-1], y[::-1]
    x, y = x + problem.disagreement, y + problem.disagreement
    lam = _lottery(problem, x)
    return _finish("rubinstein", problem, lam, {"discounts": list(d), "first": problem.players[first]},
                   {"responder_offer": y, "limit_powers": rubinstein_limit_powers(d) if min(d) > 0 else None})
