"""Axiomatic bargaining solutions on a polytope of utility vectors, all exact.

* ``nash``: maximise ``sum_i w_i log(u_i - d_i)`` (Nash 1950; asymmetric with powers ``w``,
  Kalai 1977b; Roth 1979). Two players: along each edge of the Pareto frontier in closed form.
  More players: convex optimisation over the lottery weights, with a measured first-order
  optimality gap.
* ``kalai``: the maximal point on the segment from ``d`` to the ideal point (Kalai and
  Smorodinsky 1975).
* ``egalitarian``: the maximal point with gains proportional to the powers (equal gains by
  default; Kalai 1977a).
* ``utilitarian``: the largest sum of utilities among individually rational points, ties broken
  by the largest smallest gain (Harsanyi 1955; Thomson 1994).

Kalai, egalitarian and utilitarian are linear programs over the lottery weights.

Examples
--------
A unit pie with linear utilities: every symmetric solution splits it equally.

>>> p = BargainingProblem.from_points([[1, 0], [0, 1], [0, 0]], [0, 0])
>>> [f(p).point.round(6).tolist() for f in (nash_solve, kalai_solve, egalitarian_solve)]
[[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]]
"""

from __future__ import annotations

import numpy as np

from sim.bargaining.problem import (
    BargainingProblem, BargainingSolution, _check_problem, _finish, _lottery, _lp, _max_along, _pos_powers,
    _require_ir,
)
from sim.errors import SolverError


def kalai_solve(problem: BargainingProblem) -> BargainingSolution:
    """Kalai-Smorodinsky solution: the maximal feasible point on the segment from ``d`` to the ideal point.

    The ideal point gives each player the most it gets among individually rational agreements
    (Kalai and Smorodinsky 1975). Two linear programs per player and one for the segment.

    Examples
    --------
    Kalai and Smorodinsky's (1975) example: enlarging conv{(0,0), (0,1), (3/4,3/4), (1,0)} to
    conv{(0,0), (0,1), (1,0.7), (1,0)} raises both players' solution utilities.

    >>> s = BargainingProblem.from_points([[0, 0], [0, 1], [0.75, 0.75], [1, 0]], [0, 0])
    >>> t = BargainingProblem.from_points([[0, 0], [0, 1], [1, 0.7], [1, 0]], [0, 0])
    >>> kalai_solve(s).point.round(6).tolist(), kalai_solve(t).point.round(6).tolist()
    ([0.75, 0.75], [0.769231, 0.769231])
    """
    func = "kalai_solve"
    problem = _check_problem(problem, func)
    _require_ir(problem, func)
    pts, d = problem.outcomes, problem.disagreement
    k, n = pts.shape
    ideal = np.empty(n)
    for i in range(n):
        res = _lp(-pts[:, i], a_ub=-pts.T, b_ub=-d, a_eq=np.ones((1, k)), b_eq=[1.0], nvar=k, func=func)
        ideal[i] = -res.fun
    lam = _max_along(problem, ideal - d, func)
    return _finish("kalai", problem, lam, details={"ideal": ideal})


def egalitarian_solve(problem: BargainingProblem, powers=None) -> BargainingSolution:
    """Egalitarian solution: the largest gains proportional to the powers (equal by default).

    The maximal feasible point ``d + t * w`` (Kalai 1977a, proportional solutions). It is weakly
    Pareto optimal; with equal powers every player gains the same.

    Examples
    --------
    >>> p = BargainingProblem.from_points([[0, 0], [2, 0], [0, 1]], [0, 0])
    >>> egalitarian_solve(p).point.round(6).tolist()
    [0.666667, 0.666667]
    """
    func = "egalitarian_solve"
    problem = _check_problem(problem, func)
    _require_ir(problem, func)
    w = np.full(problem.n_players, 1.0 / problem.n_players) if powers is None else _pos_powers(problem, powers, func)
    lam = _max_along(problem, w, func)
    return _finish("egalitarian", problem, lam, {"powers": w} if powers is not None else {})


def utilitarian_solve(problem: BargainingProblem) -> BargainingSolution:
    """Utilitarian solution: the largest sum of utilities among individually rational agreements.

    Ties (a whole frontier edge of slope -1) are broken by the largest smallest gain, so the
    solution is unique and symmetric on symmetric problems (Harsanyi 1955 for the criterion;
    Thomson 1994, Handbook of Game Theory vol. 2, section 4, for its place among bargaining
    solutions).

    Examples
    --------
    >>> p = BargainingProblem.from_points([[0, 0], [3, 0], [0, 1]], [0, 0])
    >>> utilitarian_solve(p).point.round(9).tolist()
    [3.0, 0.0]
    """
    func = "utilitarian_solve"
    problem = _check_problem(problem, func)
    _require_ir(problem, func)
    pts, d = problem.outcomes, problem.disagreement
    k, n = pts.shape
    totals = pts.sum(axis=1)
    res = _lp(-totals, a_ub=-pts.T, b_ub=-d, a_eq=np.ones((1, k)), b_eq=[1.0], nvar=k, func=func)
    best = -res.fun
    scale = max(1.0, float(np.abs(pts).max()))
    # Second stage: among the maximisers, the largest smallest gain. Variables (lam, t).
    a_ub = np.r_[np.c_[-pts.T, np.ones(n)], np.r_[-totals, 0.0][None]]
    lam = res.x
    # No slack first (exact ties); a tiny one only if round-off makes that infeasible.
    for slack in (0.0, 1e-11 * scale):
        try:
            res2 = _lp(np.r_[np.zeros(k), -1.0], a_ub=a_ub, b_ub=np.r_[-d, -(best - slack)],
                       a_eq=np.r_[np.ones(k), 0.0][None], b_eq=[1.0], nvar=k + 1, free=(k,), func=func)
        except SolverError:
            continue
        lam = res2.x[:k]
        break
    lam = np.where(lam < 1e-9, 0.0, lam)  # weights at the LP's round-off level are not part of the lottery
    return _finish("utilitarian", problem, lam / lam.sum(), details={"total": best})


def _nash_2d(frontier: np.ndarray, d: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Exact maximiser of w1 log g1 + w2 log g2 over a 2-D frontier (vertices in order)."""
    best, best_val = None, -np.inf

    def value(u):
        g = u - d
        return -np.inf if np.any(g <= 0) else float(w @ np.log(g))

    candidates = list(frontier)
    for p, q in zip(frontier[:-1], frontier[1:]):
        # On u = p + s (q - p), d/ds = 0 is linear in s: w1 D1 g2 + w2 D2 g1 = 0.
        pg, delta = p - d, q - p
        denom = (w[0] + w[1]) * delta[0] * delta[1]
        if denom != 0:
            s = -(w[0] * delta[0] * pg[1] + w[1] * delta[1] * pg[0]) / denom
            if 0 < s < 1:
                candidates.append(p + s * delta)
    for u in candidates:
        v = value(u)
        if v > best_val:
            best, best_val = u, v
    return best


def _nash_convex(problem: BargainingProblem, w: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Maximise sum w log(pts.T lam - d) over the simplex by SLSQP, from a strictly positive start."""
    from scipy.optimize import minimize

    pts, d = problem.outcomes, problem.disagreement
    k = len(pts)
    scale = np.maximum(pts.max(axis=0) - d, 1e-12)  # per-player scale: the problem is then O(1)
    p = (pts - d) / scale

    def f(lam):
        g = np.maximum(lam @ p, 1e-300)
        return -float(w @ np.log(g)), -(p @ (w / g))

    cons = [{"type": "eq", "fun": lambda lam: lam.sum() - 1.0, "jac": lambda lam: np.ones(k)},
            {"type": "ineq", "fun": lambda lam: lam @ p - 1e-12, "jac": lambda lam: p.T}]
    res = minimize(f, start, jac=True, method="SLSQP", bounds=[(0, 1)] * k, constraints=cons,
                   options={"maxiter": 500, "ftol": 1e-15})
    lam = np.clip(res.x, 0.0, None)
    return lam / lam.sum()


def _nash_gap(problem: BargainingProblem, point: np.ndarray, w: np.ndarray) -> float:
    """First-order optimality gap: max over outcomes of sum_i w_i (p_i - u_i) / g_i (0 at the optimum).

    The objective is concave, so a point of the hull is the maximiser iff no outcome improves it
    to first order; the gap is in units of the objective's relative change.
    """
    g = point - problem.disagreement
    if np.any(g <= 0):
        return np.inf
    return max(0.0, float(np.max(((problem.outcomes - point) / g) @ w)))


def nash_solve(problem: BargainingProblem, powers=None) -> BargainingSolution:
    """Nash bargaining solution, symmetric or with bargaining powers.

    Maximises ``sum_i w_i log(u_i - d_i)`` over the individually rational feasible points (Nash
    1950; the asymmetric form of Kalai 1977b and Roth 1979). Two players: exact, on each edge of
    the Pareto frontier in closed form. More players: convex optimisation over the lottery
    weights (SLSQP), reported with its first-order optimality gap (``details["optimality_gap"]``,
    0 at the exact solution).

    Parameters
    ----------
    problem : BargainingProblem
    powers : array (n,), optional
        Positive bargaining powers; default the problem's (equal unless it was built with some).

    Raises
    ------
    SolverError
        When no feasible point gives every player a positive gain (the Nash product is 0
        everywhere), or a power is not positive.

    Examples
    --------
    Dividing a unit pie with linear utilities: the symmetric solution splits it equally, powers
    (2, 1) give two thirds to the first player.

    >>> p = BargainingProblem.from_points([[1, 0], [0, 1], [0, 0]], [0, 0])
    >>> nash_solve(p).point.tolist()
    [0.5, 0.5]
    >>> nash_solve(p, powers=[2, 1]).point.round(6).tolist()
    [0.666667, 0.333333]
    """
    func = "nash_solve"
    problem = _check_problem(problem, func)
    w = _pos_powers(problem, powers, func)
    _require_ir(problem, func)
    eg = egalitarian_solve(problem)
    if np.any(eg.gains <= 1e-12 * max(1.0, float(np.abs(problem.outcomes).max()))):
        raise SolverError(f"{func}(): no feasible agreement gives every player a positive gain over "
                          f"{problem.disagreement.tolist()}; the Nash product is 0 everywhere")
    if problem.n_players == 2:
        point = _nash_2d(problem.frontier(), problem.disagreement, w)
        lam = _lottery(problem, point)
    else:
        start = np.array([eg.lottery.get(lbl, 0.0) for lbl in problem.labels])
        # Mix in a little of every outcome so SLSQP starts inside the simplex, then keep the
        # start if the optimiser did not improve it.
        start = 0.99 * start + 0.01 / len(start)
        if np.any(start @ problem.outcomes - problem.disagreement <= 0):
            start = np.array([eg.lottery.get(lbl, 0.0) for lbl in problem.labels])
        lam = _nash_convex(problem, w, start)
    point = lam @ problem.outcomes
    gap = _nash_gap(problem, point, w)
    params = {} if powers is None else {"powers": w}
    return _finish("nash", problem, lam, params, {"powers": w, "optimality_gap": gap,
                                                    "exact": problem.n_players == 2})
