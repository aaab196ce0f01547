"""Bargaining: axiomatic solutions on a polytope of utility vectors, and strategic bargaining.

Axis conventions: a bargaining problem of ``n`` players has ``K`` outcomes whose utility vectors
form a ``(K, n)`` array (outcome axis, then player axis). The feasible set is their convex hull:
any lottery over outcomes is an agreement. A point, the disagreement point and the bargaining
powers are ``(n,)`` arrays in player order.

Where problems come from:

* :meth:`BargainingProblem.from_game`: the outcomes are a game's pure profiles (lotteries over
  them, as in Nash 1950).
* :meth:`BargainingProblem.from_issues`: a continuous issue space (one level per issue in a
  range) with linear utilities. Its image is the hull of the box's corners, and a lottery over
  corners gives the same utilities as the agreement at their mean levels, so the solution is
  reported as issue levels too.
* :func:`problem_from_scenario`: a scenario's ``[bargaining]`` table, with the disagreement point
  from the scenario's game (a Nash equilibrium or the minmax values) or its status quo.

Solutions (all exact on polytopes):

* ``nash``: maximise ``sum_i w_i log(u_i - d_i)`` (Nash 1950; asymmetric with powers ``w``,
  Kalai 1977b; Roth 1979). Two players: along each edge of the Pareto frontier in closed form.
  More players: convex optimisation over the lottery weights, with a measured first-order
  optimality gap.
* ``kalai``: the maximal point on the segment from ``d`` to the ideal point (Kalai and
  Smorodinsky 1975). ``egalitarian``: the maximal point with gains proportional to the powers
  (equal gains by default; Kalai 1977a). ``utilitarian``: the largest sum of utilities among
  individually rational points, ties broken by the largest smallest gain. All three are linear
  programs.
* ``rubinstein``: alternating offers with discount factors (Rubinstein 1982) on the Pareto
  frontier of a two-player problem; its limit is the asymmetric Nash solution with powers in
  the ratio of the log discount rates (Binmore, Rubinstein and Wolinsky 1986).
* ``baron_ferejohn``: closed-rule legislative bargaining for ``n`` players with recognition
  probabilities and a voting quota (Baron and Ferejohn 1989), dividing the largest total gain
  with transferable utility.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping, Sequence

import numpy as np

from sim._arrays import readonly
from sim.errors import GameError, SolverError
from sim.geometry import hull_2d, in_hull, ir_polygon, pareto_dominated, pareto_frontier_2d, polygon_area
from sim.result import jsonable

_TOL = 1e-9
MAX_ISSUES = 12  # 2**12 corners; beyond that the corner enumeration is refused


def _mapping(d=None) -> Mapping:
    return MappingProxyType(dict(d or {}))


# ----------------------------------------------------------------------------------------------
# problems


@dataclass(frozen=True, eq=False)
class BargainingProblem:
    """A feasible set (the convex hull of ``outcomes``) and a disagreement point.

    Build one with :meth:`from_points`, :meth:`from_game`, :meth:`from_issues` or
    :func:`problem_from_scenario`.

    Attributes
    ----------
    players : tuple of str
    outcomes : array (K, n)
        Utility vector of each outcome.
    labels : tuple of str
        A name per outcome (a profile's actions, or a corner of the issue box).
    disagreement : array (n,)
    powers : array (n,)
        Bargaining powers, positive, normalised to sum to 1.
    issues : tuple of str
        Issue names, for issue-space problems (empty otherwise).
    levels : array (K, k) or None
        Issue levels of each outcome, for issue-space problems.
    source : mapping
        Where the feasible set and the disagreement point came from.

    Examples
    --------
    >>> p = BargainingProblem.from_points([[1, 0], [0, 1]], [0, 0])
    >>> p.n_players, p.frontier().tolist()
    (2, [[0.0, 1.0], [1.0, 0.0]])
    """

    players: tuple[str, ...]
    outcomes: np.ndarray
    labels: tuple[str, ...]
    disagreement: np.ndarray
    powers: np.ndarray
    issues: tuple[str, ...] = ()
    levels: np.ndarray | None = None
    source: Mapping[str, Any] = field(default_factory=_mapping)

    @classmethod
    def from_points(cls, points, disagreement, players=None, powers=None, labels=None,
                    source=None) -> "BargainingProblem":
        """Problem whose feasible set is the convex hull of ``points`` (``(K, n)``)."""
        func = "BargainingProblem.from_points"
        try:
            pts = np.asarray(points, dtype=float)
            d = np.asarray(disagreement, dtype=float)
        except (TypeError, ValueError) as exc:
            raise GameError(f"{func}(): points and disagreement must be numeric; got {exc}") from None
        if pts.ndim != 2 or pts.shape[0] < 1 or pts.shape[1] < 2:
            raise GameError(f"{func}(): points must have shape (K, n) with K >= 1 and n >= 2; got {pts.shape}")
        n = pts.shape[1]
        if d.shape != (n,):
            raise GameError(f"{func}(): disagreement must have shape ({n},); got {d.shape}")
        if not (np.all(np.isfinite(pts)) and np.all(np.isfinite(d))):
            raise GameError(f"{func}(): points and disagreement must be finite; got {pts.tolist()} and {d.tolist()}")
        players = tuple(str(i + 1) for i in range(n)) if players is None else tuple(players)
        if len(players) != n or len(set(players)) != n:
            raise GameError(f"{func}(): need {n} distinct player names; got {list(players)}")
        if powers is None:
            w = np.full(n, 1.0 / n)
        else:
            w = np.asarray(powers, dtype=float)
            if w.shape != (n,) or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
                raise GameError(f"{func}(): powers must be {n} non-negative numbers, not all zero; got {np.ravel(w).tolist()}")
            w = w / w.sum()
        labels = tuple(str(k) for k in range(len(pts))) if labels is None else tuple(labels)
        if len(labels) != len(pts):
            raise GameError(f"{func}(): need {len(pts)} outcome labels; got {len(labels)}")
        return cls(players, readonly(pts), labels, readonly(d), readonly(w), (), None, _mapping(source))

    @classmethod
    def from_game(cls, game, disagreement, powers=None) -> "BargainingProblem":
        """Problem over the lotteries on a normal-form game's pure profiles (Nash 1950).

        ``disagreement`` is a point, or ``"equilibrium"`` / ``"minmax"`` (see :func:`disagreement_point`).
        """
        source = {"feasible": "game outcomes"}
        if isinstance(disagreement, str):
            disagreement, how = disagreement_point(game, disagreement)
            source["disagreement"] = how
        points = game.payoffs.reshape(-1, game.n_players)
        labels = tuple(",".join(game.actions[i][a] for i, a in enumerate(idx)) for idx in np.ndindex(*game.shape))
        return cls.from_points(points, disagreement, game.players, powers, labels, source)

    @classmethod
    def from_issues(cls, players, issues, disagreement=None, powers=None) -> "BargainingProblem":
        """Problem over a box of issue levels with linear utilities.

        Parameters
        ----------
        players : sequence of str
        issues : sequence of (name, low, high, utilities)
            ``utilities[i]`` is player ``i``'s utility per unit of the issue's level.
        disagreement : array (n,), optional
            Default: the status quo, every issue at its low end.
        powers : array (n,), optional

        Examples
        --------
        >>> p = BargainingProblem.from_issues(["A", "B"], [("x", 0, 1, [1, -1])])
        >>> p.labels, p.disagreement.tolist()
        (('x=0', 'x=1'), [0.0, 0.0])
        """
        func = "BargainingProblem.from_issues"
        players = tuple(players)
        issues = list(issues)
        if not issues:
            raise GameError(f"{func}(): need at least one issue; got none")
        if len(issues) > MAX_ISSUES:
            raise GameError(f"{func}(): at most {MAX_ISSUES} issues (2**k corners); got {len(issues)}")
        names, lows, highs, utils = [], [], [], []
        for name, lo, hi, u in issues:
            u = np.asarray(u, dtype=float)
            if u.shape != (len(players),) or not np.all(np.isfinite(u)):
                raise GameError(f"{func}(): issue {name!r} needs {len(players)} finite utilities; got {np.ravel(u).tolist()}")
            if not float(lo) < float(hi):
                raise GameError(f"{func}(): issue {name!r} needs low < high; got [{lo}, {hi}]")
            names.append(str(name)), lows.append(float(lo)), highs.append(float(hi)), utils.append(u)
        lows, highs, utils = np.array(lows), np.array(highs), np.array(utils)  # utils (k, n)
        corners = np.array([[(hi if c else lo) for c, lo, hi in zip(bits, lows, highs)]
                            for bits in itertools.product((0, 1), repeat=len(names))])
        points = corners @ utils
        labels = tuple(",".join(f"{nm}={lv:g}" for nm, lv in zip(names, row)) for row in corners)
        if disagreement is None:
            disagreement = lows @ utils
        p = cls.from_points(points, disagreement, players, powers, labels, {"feasible": "issue space"})
        return cls(p.players, p.outcomes, p.labels, p.disagreement, p.powers, tuple(names), readonly(corners),
                   p.source)

    @property
    def n_players(self) -> int:
        return len(self.players)

    def with_disagreement(self, disagreement, how: str | None = None) -> "BargainingProblem":
        """The same feasible set with another disagreement point."""
        d = np.asarray(disagreement, dtype=float)
        if d.shape != (self.n_players,) or not np.all(np.isfinite(d)):
            raise GameError(f"with_disagreement(): need {self.n_players} finite numbers; got {np.ravel(d).tolist()}")
        source = dict(self.source)
        if how:
            source["disagreement"] = how
        return BargainingProblem(self.players, self.outcomes, self.labels, readonly(d), self.powers, self.issues,
                                 self.levels, _mapping(source))

    def frontier(self) -> np.ndarray:
        """Vertices of the individually rational Pareto frontier.

        Two players: ordered by increasing first utility, ready to draw (a single point when the
        frontier is a point). More players: the Pareto-optimal individually rational vertices.
        Empty when no outcome lottery gives everyone at least the disagreement payoff.
        """
        if self.n_players == 2:
            return pareto_frontier_2d(self.outcomes, self.disagreement)
        out = []
        for p in np.unique(self.outcomes, axis=0):
            if np.all(p >= self.disagreement - _TOL) and not pareto_dominated(self.outcomes, p):
                out.append(p)
        return np.array(out).reshape(-1, self.n_players)


# ----------------------------------------------------------------------------------------------
# disagreement points


def disagreement_point(game, source: str = "equilibrium", select: str = "welfare") -> tuple[np.ndarray, str]:
    """A disagreement point computed from a game, and a one-line account of how.

    Parameters
    ----------
    game : NormalFormGame or ExtensiveFormGame
        An extensive-form game is solved in its reduced normal form.
    source : {"equilibrium", "minmax"}
        ``equilibrium``: the payoffs of a pure Nash equilibrium (:func:`sim.solvers.solve` with
        ``enumpure``); a two-player game without one falls back to ``lcp`` (Lemke-Howson).
        ``minmax``: the minmax values (:func:`sim.repeated.minmax_values`: mixed for two players,
        the punishers' correlated bound for more).
    select : {"welfare", "first"}
        Which pure equilibrium: the largest sum of payoffs (ties: the first), or the first in
        lexicographic order of action indices.

    Examples
    --------
    >>> from sim.game import NormalFormGame
    >>> pd = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> d, how = disagreement_point(pd)
    >>> d.tolist(), how
    ([1.0, 1.0], 'welfare-best pure Nash equilibrium (2,2)')
    """
    func = "disagreement_point"
    from sim.game import NormalFormGame

    if not isinstance(game, NormalFormGame):
        from sim.extensive.reduced import reduced_normal_form

        game = reduced_normal_form(game)
    if source == "minmax":
        from sim.repeated import minmax_values

        m = minmax_values(game)
        return np.array(m.values), f"{m.kind} minmax values"
    if source != "equilibrium":
        raise SolverError(f"{func}(): source must be 'equilibrium' or 'minmax'; got {source!r}")
    if select not in ("welfare", "first"):
        raise SolverError(f"{func}(): select must be 'welfare' or 'first'; got {select!r}")
    from sim.solvers import solve

    eqs = solve(game, "enumpure").equilibria
    kind = "pure"
    if not eqs and game.n_players == 2:
        eqs, kind = solve(game, "lcp").equilibria, "Lemke-Howson"
    if not eqs:
        raise SolverError(f"{func}(): the game has no pure Nash equilibrium to disagree at; use source='minmax'")
    if select == "welfare":
        best = max(range(len(eqs)), key=lambda k: (float(eqs[k].payoffs.sum()), -k))
    else:
        best = 0
    e = eqs[best]
    where = ""
    if e.is_pure:
        where = " (" + ",".join(game.actions[i][a] for i, a in enumerate(e.pure_profile)) + ")"
    label = "welfare-best" if select == "welfare" else "first"
    return np.array(e.payoffs), f"{label} {kind} Nash equilibrium{where}"


# ----------------------------------------------------------------------------------------------
# solutions


@dataclass(frozen=True, eq=False)
class BargainingSolution:
    """A solution of a bargaining problem.

    Attributes
    ----------
    method : str
    problem : BargainingProblem
    point : array (n,)
        The solution's utility vector.
    lottery : mapping
        Outcome label -> probability, a lottery over the problem's outcomes achieving ``point``
        (a basic solution: at most ``n + 1`` outcomes).
    agreement : mapping or None
        For issue-space problems, the issue levels achieving ``point``.
    frontier : array
        The individually rational Pareto frontier (see :meth:`BargainingProblem.frontier`).
    params : mapping
        The parameters the method was called with.
    details : mapping
        Method-specific facts (ideal point, optimality gap, offers, continuation values, ...).
    """

    method: str
    problem: BargainingProblem
    point: np.ndarray
    lottery: Mapping[str, float]
    agreement: Mapping[str, float] | None
    frontier: np.ndarray
    params: Mapping[str, Any] = field(default_factory=_mapping)
    details: Mapping[str, Any] = field(default_factory=_mapping)

    @property
    def disagreement(self) -> np.ndarray:
        return self.problem.disagreement

    @property
    def gains(self) -> np.ndarray:
        return self.point - self.problem.disagreement

    def to_dict(self) -> dict:
        """JSON-ready form naming players, outcomes and issues."""
        players = self.problem.players
        doc = {
            "method": self.method,
            "params": jsonable(dict(self.params)),
            "point": {p: float(v) for p, v in zip(players, self.point)},
            "disagreement": {p: float(v) for p, v in zip(players, self.disagreement)},
            "gains": {p: float(v) for p, v in zip(players, self.gains)},
            "lottery": [{"outcome": k, "probability": float(v)} for k, v in self.lottery.items()],
            "frontier": [{p: float(v) for p, v in zip(players, row)} for row in self.frontier],
            "details": jsonable(dict(self.details)),
        }
        if self.agreement is not None:
            doc["agreement"] = {k: float(v) for k, v in self.agreement.items()}
        return doc


def _lottery(problem: BargainingProblem, point: np.ndarray) -> np.ndarray:
    """Weights on the outcomes whose mixture is ``point`` (an LP's basic solution), or raise."""
    from scipy.optimize import linprog

    pts = problem.outcomes
    k = len(pts)
    res = linprog(np.zeros(k), A_eq=np.r_[pts.T, np.ones((1, k))], b_eq=np.r_[point, 1.0],
                  bounds=[(0, None)] * k, method="highs")
    from scipy.optimize import nnls

    # HiGHS meets equalities to about 1e-9, which can snap a point near a vertex onto it; NNLS
    # with the sum constraint weighted heavily reproduces the point to round-off. Keep the
    # lottery that reproduces the point better.
    a = np.r_[pts.T, 1e3 * np.ones((1, k))]
    lam_nn, _ = nnls(a, np.r_[point, 1e3])
    lam_nn = lam_nn / lam_nn.sum()
    lam = lam_nn
    if res.status == 0:
        lam_lp = np.clip(res.x, 0.0, None)
        lam_lp = lam_lp / lam_lp.sum()
        if np.abs(lam_lp @ pts - point).max() <= np.abs(lam_nn @ pts - point).max():
            lam = lam_lp
    lam = np.clip(lam, 0.0, None)
    lam[lam < 1e-15] = 0.0
    return lam / lam.sum()


def _finish(method: str, problem: BargainingProblem, lam: np.ndarray, params=None, details=None) -> BargainingSolution:
    """Build the frozen solution from lottery weights: the point is measured from the lottery."""
    point = lam @ problem.outcomes
    lottery = {problem.labels[k]: float(lam[k]) for k in np.flatnonzero(lam > 0)}
    agreement = None
    if problem.levels is not None:
        agreement = dict(zip(problem.issues, (lam @ problem.levels).tolist()))
    return BargainingSolution(method, problem, readonly(point), _mapping(lottery),
                              None if agreement is None else _mapping(agreement),
                              readonly(problem.frontier()), _mapping(params), _mapping(details))


def _check_problem(problem, func: str) -> BargainingProblem:
    if not isinstance(problem, BargainingProblem):
        raise SolverError(f"{func}(): needs a BargainingProblem; got {type(problem).__name__}")
    return problem


def _require_ir(problem: BargainingProblem, func: str) -> None:
    if not in_hull(problem.outcomes, problem.disagreement, dominate=True):
        raise SolverError(f"{func}(): no feasible agreement gives every player its disagreement payoff "
                          f"{problem.disagreement.tolist()}")


def _lp(c, a_ub=None, b_ub=None, a_eq=None, b_eq=None, nvar=0, free=(), func=""):
    from scipy.optimize import linprog

    bounds = [(None, None) if j in free else (0, None) for j in range(nvar)]
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    if res.status != 0:
        raise SolverError(f"{func}(): linear program failed: {res.message}")
    return res


def _max_along(problem: BargainingProblem, direction: np.ndarray, func: str) -> np.ndarray:
    """Lottery weights of a feasible point at or above ``d + t * direction`` with ``t`` maximal.

    Two linear programs: the largest ``t`` such that some feasible point weakly dominates
    ``d + t * direction`` (the problem's comprehensive hull, since ``d`` itself need not be a
    feasible agreement), then the feasible point closest to ``d + t * direction`` in the L1 sense
    among those dominating it, which is that point itself whenever it is feasible.
    """
    pts, d = problem.outcomes, problem.disagreement
    k, n = pts.shape
    if np.all(np.abs(direction) <= _TOL * max(1.0, float(np.abs(pts).max()))):
        direction = np.zeros(n)
    # Variables (lam_1..lam_K, t): max t s.t. pts.T lam >= d + t * direction, sum lam = 1.
    res = _lp(np.r_[np.zeros(k), -1.0], a_ub=np.c_[-pts.T, direction], b_ub=-d,
              a_eq=np.r_[np.ones(k), 0.0][None], b_eq=[1.0], nvar=k + 1, free=(k,),
              func=func) if np.any(direction) else None
    t = 0.0 if res is None else float(res.x[k])
    target = d + t * direction
    scale = max(1.0, float(np.abs(pts).max()))
    for slack in (0.0, 1e-11 * scale, 1e-9 * scale):
        try:
            res2 = _lp(pts.sum(axis=1), a_ub=-pts.T, b_ub=-(target - slack), a_eq=np.ones((1, k)), b_eq=[1.0],
                       nvar=k, func=func)
        except SolverError:
            continue
        lam = np.where(res2.x < 1e-12, 0.0, res2.x)
        return lam / lam.sum()
    raise SolverError(f"{func}(): no feasible point dominates {target.tolist()}")


def _pos_powers(problem: BargainingProblem, powers, func: str) -> np.ndarray:
    w = problem.powers if powers is None else np.asarray(powers, dtype=float)
    if w.shape != (problem.n_players,) or not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise SolverError(f"{func}(): powers must be {problem.n_players} positive numbers; got {np.ravel(w).tolist()}")
    return w / w.sum()


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


# ----------------------------------------------------------------------------------------------
# strategic bargaining


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


@dataclass(frozen=True, eq=False)
class BaronFerejohnValues:
    """Stationary subgame-perfect equilibrium of closed-rule bargaining over a unit pie.

    Attributes
    ----------
    values : array (n,)
        Each player's continuation (ex ante) value; they sum to 1 (agreement is immediate).
    proposer_shares : array (n,)
        What each player keeps when recognised.
    inclusion : array (n, n)
        ``inclusion[k, j]``: probability that proposer ``k`` offers ``j`` a share (the
        diagonal is 1).
    converged : bool
        True when ``values`` and ``inclusion`` passed the check of the defining equations
        (see :func:`baron_ferejohn_values`).
    iterations : int
        Inclusion patterns tried (each one linear program).
    reason : str
        Empty when ``converged``; otherwise why no equilibrium was certified.
    residual : float
        Largest violation of the defining equations measured on the returned values.
    """

    values: np.ndarray
    proposer_shares: np.ndarray
    inclusion: np.ndarray
    converged: bool
    iterations: int
    reason: str = ""
    residual: float = 0.0


#: Largest number of inclusion patterns :func:`baron_ferejohn_values` searches (2**13: 14 players
#: with distinct recognition probabilities); beyond, a case not found sooner is reported, not guessed.
BF_MAX_PATTERNS = 8192


def baron_ferejohn_values(recognition: Sequence[float], discount: float, quota: int | None = None,
                          tol: float = 1e-12, max_iter: int = 200) -> BaronFerejohnValues:
    """Stationary SPE of Baron and Ferejohn's (1989) closed-rule bargaining over a unit pie.

    Each period player ``k`` is recognised with probability ``p_k`` and proposes a division; it
    passes with ``quota`` votes (the proposer's included), else the game moves on. A proposer
    buys the ``quota - 1`` cheapest votes, paying each voter ``j`` exactly its discounted
    continuation value ``discount * v_j`` (ties among equally cheap voters broken with some
    probabilities ``pi_kj``), and keeps the rest. The values solve the stationarity equations
    ``v_i = p_i (1 - delta sum_j pi_ij v_j) + delta v_i sum_{k != i} p_k pi_ki``.

    Parameters
    ----------
    recognition : sequence of float
        Recognition probabilities ``p`` (non-negative, summing to 1), at least two players.
    discount : float
        Common discount factor in ``[0, 1)``.
    quota : int, optional
        Votes needed, the proposer's included; default a simple majority ``n // 2 + 1``.
    tol : float
        Tolerance of the final check of the defining equations (scaled: the pie is 1).
    max_iter : int
        Iterations of the averaged fixed-point map used only to guess which inclusion pattern
        to try first (the answer never depends on it).

    Returns
    -------
    BaronFerejohnValues
        ``converged`` is True when the returned values passed the check; otherwise ``reason``
        says why (no pattern found within :data:`BF_MAX_PATTERNS`).

    Notes
    -----
    The map ``v -> F(v)`` jumps where two voters cost the same, so iterating it can cycle
    (about 2% of random cases never settled, even averaged). Instead the solver searches the
    finite set of *inclusion patterns*: an ordering of the players by value, with ties, cut into
    groups of equal value. Given the pattern, each proposer fully buys the cheaper groups and
    part of the group where its votes run out; writing ``y_kj = pi_kj v_j`` for those partial
    purchases makes the stationarity equations linear in the group values and ``y``, so one
    linear program decides whether the pattern holds an equilibrium and gives it exactly. Any
    feasible pattern *is* a stationary equilibrium, and its values are the unique stationary
    values (Eraslan 2002, Theorem 1), so the first feasible pattern is the answer.

    Which patterns: players with equal recognition probability have equal values (swapping them
    maps an equilibrium to an equilibrium, and the values are unique), and with a common
    discount factor values are weakly increasing in recognition probability (Eraslan 2002), so
    the patterns are the ways to cut the players sorted by ``p`` into consecutive groups:
    ``2**(m-1)`` for ``m`` distinct probabilities. Existence (Baron and Ferejohn 1989; Eraslan
    2002) guarantees one is feasible, so the search terminates with the equilibrium. The
    patterns of a short averaged iteration are tried first; they are usually right. Every
    answer is then checked against the defining equations independently of the LP.

    Examples
    --------
    Three symmetric players, majority rule: each proposer keeps ``1 - delta / 3``.

    >>> r = baron_ferejohn_values([1/3, 1/3, 1/3], 0.9)
    >>> r.values.round(6).tolist(), round(float(r.proposer_shares[0]), 6), r.converged
    ([0.333333, 0.333333, 0.333333], 0.7, True)
    """
    func = "baron_ferejohn_values"
    p = np.asarray(recognition, dtype=float)
    n = p.size
    if p.ndim != 1 or n < 2 or not np.all(np.isfinite(p)) or np.any(p < 0) or abs(p.sum() - 1) > 1e-9:
        raise SolverError(f"{func}(): recognition must be a probability vector over >= 2 players; got {p.tolist()}")
    if not 0 <= float(discount) < 1:
        raise SolverError(f"{func}(): discount must be in [0, 1); got {discount}")
    quota = n // 2 + 1 if quota is None else quota
    if not isinstance(quota, (int, np.integer)) or not 1 <= quota <= n:
        raise SolverError(f"{func}(): quota must be an integer in 1..{n}; got {quota!r}")
    delta = float(discount)
    need = int(quota) - 1
    if need == 0 or delta == 0.0:
        # Dictatorship of the proposer, or votes that cost nothing: each proposer keeps the pie
        # (every vote is equally cheap; buy them uniformly), so the values are the probabilities.
        inc = np.eye(n)
        inc[~np.eye(n, dtype=bool)] = need / (n - 1)
        keep = np.ones(n)
        res = _bf_residual(p, p, inc, keep, delta, need)
        return BaronFerejohnValues(readonly(p), readonly(keep), readonly(inc), res <= 1e-9 + tol, 0,
                                   "" if res <= 1e-9 + tol else f"check failed (residual {res:.3g})", res)
    guess = _bf_guess(p, delta, need, max_iter)
    tried, seen = 0, set()
    for groups in _bf_patterns(p, guess):
        if groups in seen:
            continue
        seen.add(groups)
        tried += 1
        if tried > BF_MAX_PATTERNS:
            tried -= 1
            break
        group = np.array(groups)
        # The guess sets each group's scale (only its order of magnitude matters); unscaled second.
        scale = np.array([max(float(guess[group == g].max()), 0.0) for g in range(group.max() + 1)])
        scale[scale <= 0] = 1.0
        for attempt in (scale, None):
            found = _bf_pattern_lp(group, p, delta, need, attempt)
            if found is None:
                continue
            v, inc = found
            keep = 1.0 - delta * ((inc - np.eye(n)) * v[None, :]).sum(axis=1)
            res = _bf_residual(v, p, inc, keep, delta, need)
            # The LP is exact only to its feasibility tolerance; with the inclusion probabilities
            # fixed the equations are linear in v, so solve them directly and keep whichever
            # satisfies the defining equations better.
            v2 = _bf_values_given_inclusion(p, inc, delta)
            if v2 is not None:
                keep2 = 1.0 - delta * ((inc - np.eye(n)) * v2[None, :]).sum(axis=1)
                res2 = _bf_residual(v2, p, inc, keep2, delta, need)
                if res2 < res:
                    v, keep, res = v2, keep2, res2
            if res <= max(tol, 1e-9):  # LP round-off is ~1e-12; anything larger is a wrong pattern
                return BaronFerejohnValues(readonly(v), readonly(keep), readonly(inc), True, tried, "", res)
    return BaronFerejohnValues(readonly(guess), readonly(np.full(n, np.nan)), readonly(np.eye(n)), False, tried,
                               f"no inclusion pattern of the {tried} searched (limit {BF_MAX_PATTERNS}) "
                               "passed the stationarity check", float("inf"))


def _bf_residual(v, p, inc, keep, delta, need) -> float:
    """Largest violation of the defining equations of a stationary equilibrium (0 when exact)."""
    n = len(p)
    off = ~np.eye(n, dtype=bool)
    worst = abs(v.sum() - 1.0)
    worst = max(worst, float(np.abs(np.diag(inc) - 1).max()), float(np.abs((inc * off).sum(axis=1) - need).max()),
                float(max(0.0, -inc.min(), inc.max() - 1.0)))
    # Included voters are paid exactly delta * v_j; the proposer keeps the rest.
    worst = max(worst, float(np.abs(keep - (1.0 - delta * (inc * off * v[None, :]).sum(axis=1))).max()))
    # Stationarity.
    rhs = p * keep + delta * v * (p[:, None] * inc * off).sum(axis=0)
    worst = max(worst, float(np.abs(rhs - v).max()))
    # Cheapest first: a voter bought with positive probability costs (delta * v_j) no more
    # than one left out.
    for k in range(n):
        bought = [j for j in range(n) if j != k and inc[k, j] > 1e-9]
        left = [j for j in range(n) if j != k and inc[k, j] < 1 - 1e-9]
        if bought and left:
            worst = max(worst, delta * float(v[bought].max() - v[left].min()))
    return worst


def _bf_values_given_inclusion(p, inc, delta):
    """Solve ``v_i = p_i (1 - delta sum_{j != i} pi_ij v_j) + delta v_i sum_{k != i} p_k pi_ki``
    for ``v`` with the inclusion probabilities fixed (a linear system); ``None`` if singular."""
    n = len(p)
    off = inc * ~np.eye(n, dtype=bool)
    a = np.eye(n) + delta * p[:, None] * off - np.diag(delta * (p[:, None] * off).sum(axis=0))
    try:
        v = np.linalg.solve(a, p)
    except np.linalg.LinAlgError:
        return None
    return v if np.all(np.isfinite(v)) else None


def _bf_guess(p, delta, need, max_iter):
    """Approximate values from an averaged (Mann) iteration of the best-response map; only used
    to order the pattern search, so it may stop anywhere."""
    n = len(p)
    v = p.copy()
    off = ~np.eye(n, dtype=bool)
    for it in range(1, max_iter + 1):
        inc = np.eye(n)
        for k in range(n):
            others = np.flatnonzero(off[k])
            cost = v[others]
            order = np.argsort(cost, kind="stable")
            cut = cost[order[need - 1]]
            below = others[cost < cut - 1e-13]
            tied = others[np.abs(cost - cut) <= 1e-13]
            inc[k, below] = 1.0
            inc[k, tied] = (need - len(below)) / len(tied)
        keep = 1.0 - delta * (inc * off * v[None, :]).sum(axis=1)
        new = p * keep + delta * v * (p[:, None] * inc * off).sum(axis=0)
        if np.abs(new - v).max() <= 1e-13:
            return new
        v = v + (new - v) / (1.0 + it / 20.0)
    return v


def _bf_patterns(p, guess):
    """Candidate patterns as tuples ``group[i]`` (group 0 cheapest): first those of the guess at
    growing tie tolerances, then every cut of the players sorted by recognition probability."""
    n = len(p)
    order = np.lexsort((np.arange(n), guess))
    for eps in (1e-9, 1e-6, 1e-4, 1e-3, 1e-2, 3e-2):
        group = np.empty(n, dtype=int)
        g = 0
        for rank, i in enumerate(order):
            if rank and guess[i] - guess[order[rank - 1]] > eps:
                g += 1
            group[i] = g
        yield tuple(int(x) for x in group)
    # Equal probabilities share a value (symmetry and uniqueness): one block per distinct p.
    levels = np.unique(p)
    block = np.searchsorted(levels, p)
    m = len(levels)
    # Bit b of a mask set: a new group starts between levels b and b + 1. Masks are tried by
    # how many cuts they change from the guess's (its ties are what the iteration gets wrong).
    level_guess = np.array([guess[block == b].mean() for b in range(m)])
    gaps = np.diff(level_guess)
    start = sum(1 << b for b in range(m - 1) if gaps[b] > 1e-3 * max(1.0, float(level_guess[-1])))
    masks = sorted(range(2 ** (m - 1)), key=lambda c: (bin(c ^ start).count("1"), c))
    for cuts in masks:
        gid = np.zeros(m, dtype=int)
        for b in range(m - 1):
            gid[b + 1] = gid[b] + ((cuts >> b) & 1)
        yield tuple(int(x) for x in gid[block])


def _bf_pattern_lp(group, p, delta, need, scale=None):
    """Exact stationary values with the players grouped by value as in ``group`` (0 cheapest).

    Each proposer fully buys the cheaper groups and part of the group where its votes run out.
    Writing ``y_kj = pi_kj * g(j)`` for those partial purchases makes the stationarity equations
    linear in ``(g, y)``, so one linear program finds them (with ``0 <= y_kj <= g(j)``, the right
    number of votes bought, and the groups in weakly increasing order). Returns
    ``(values, inclusion)`` or ``None`` when the pattern holds no equilibrium.

    ``scale`` (one positive number per group, e.g. the guessed values) rescales the unknowns so
    the LP works with numbers near 1: values of 1e-9 are below HiGHS's absolute tolerances, and
    ``pi = y / g`` read off unscaled variables of that size is noise.
    """
    from scipy.optimize import linprog

    n = len(p)
    m = int(group.max()) + 1
    full = np.zeros((n, n), dtype=bool)
    tied: list[tuple[int, int]] = []
    slots = {}
    for k in range(n):
        left = need
        for gi in range(m):
            members = [j for j in range(n) if j != k and group[j] == gi]
            if not members or left == 0:
                continue
            if len(members) <= left:
                full[k, members] = True
                left -= len(members)
            else:
                tied += [(k, j) for j in members]
                slots[k] = (gi, left)
                left = 0
    ny = len(tied)
    nv = m + ny  # variables: group values, then y
    a_eq, b_eq = [], []
    for i in range(n):
        row = np.zeros(nv)
        row[group[i]] += 1.0
        for j in range(n):
            if full[i, j]:
                row[group[j]] += p[i] * delta
        row[group[i]] -= delta * sum(p[k] for k in range(n) if k != i and full[k, i])
        for c, (k, j) in enumerate(tied):
            if k == i:
                row[m + c] += p[i] * delta
            if j == i:
                row[m + c] -= delta * p[k]
        a_eq.append(row)
        b_eq.append(p[i])
    for k, (gi, left) in slots.items():
        row = np.zeros(nv)
        for c, (kk, _) in enumerate(tied):
            if kk == k:
                row[m + c] = 1.0
        row[gi] -= left
        a_eq.append(row)
        b_eq.append(0.0)
    a_ub, b_ub = [], []
    for c, (k, j) in enumerate(tied):
        row = np.zeros(nv)
        row[m + c], row[group[j]] = 1.0, -1.0
        a_ub.append(row)
        b_ub.append(0.0)
    for gi in range(m - 1):  # keep the groups in the order that decided who is cheaper
        row = np.zeros(nv)
        row[gi], row[gi + 1] = 1.0, -1.0
        a_ub.append(row)
        b_ub.append(0.0)
    # Column scaling: variable c stands for col[c] * (its value), so every unknown is near 1; then
    # each row is divided by its largest coefficient (or right-hand side).
    col = np.ones(nv)
    if scale is not None:
        col[:m] = scale
        col[m:] = [scale[group[j]] for _, j in tied]
    a_eq = np.array(a_eq) * col[None, :]
    b_eq = np.array(b_eq, dtype=float)
    norm = np.maximum(np.abs(a_eq).max(axis=1), np.abs(b_eq))
    norm[norm == 0] = 1.0
    a_eq, b_eq = a_eq / norm[:, None], b_eq / norm
    if a_ub:
        a_ub = np.array(a_ub) * col[None, :]
        a_ub = a_ub / np.maximum(np.abs(a_ub).max(axis=1), 1e-300)[:, None]
    res = linprog(np.zeros(nv), A_ub=a_ub if len(a_ub) else None, b_ub=np.zeros(len(a_ub)) if len(a_ub) else None,
                  A_eq=a_eq, b_eq=b_eq, bounds=[(0, None)] * nv, method="highs",
                  options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10})
    if res.status != 0:
        return None
    x = res.x * col
    g = x[:m]
    inc = np.eye(n) + full
    for k, (gi, left) in slots.items():
        cs = [c for c, (kk, _) in enumerate(tied) if kk == k]
        # pi = y / g, read in the scaled variables (y and g of one group share a column scale).
        pi = np.clip(res.x[[m + c for c in cs]] / res.x[gi], 0.0, 1.0) if res.x[gi] > 1e-12 else np.zeros(len(cs))
        if pi.sum() > 0:
            # y / g loses digits when g is tiny; the proposer still buys exactly ``left`` votes.
            pi = np.clip(pi * (left / pi.sum()), 0.0, 1.0)
        else:  # votes that cost nothing: any split is optimal; buy them uniformly
            pi = np.full(len(cs), left / len(cs))
        for c, x in zip(cs, pi):
            inc[k, tied[c][1]] = x
    return g[group], np.clip(inc, 0.0, 1.0)


def baron_ferejohn_solve(problem: BargainingProblem, discount: float = 0.95, recognition=None,
                         quota: int | None = None) -> BargainingSolution:
    """Baron-Ferejohn bargaining over the largest total gain of a problem, utility transferable.

    The pie is the utilitarian surplus ``max sum_i (u_i - d_i)``; each player's expected
    payoff is ``d_i + v_i * surplus`` with ``v`` from :func:`baron_ferejohn_values`. With side
    payments the point may lie outside the feasible set without transfers; ``details`` holds
    the agreement that creates the surplus (its lottery is the solution's lottery).

    Parameters
    ----------
    recognition : array (n,), optional
        Recognition probabilities; default the problem's powers.
    quota : int, optional
        Votes needed; default a simple majority ``n // 2 + 1`` (unanimity for two players).

    Examples
    --------
    >>> p = BargainingProblem.from_points([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]], [0, 0, 0])
    >>> baron_ferejohn_solve(p, 0.9).point.round(6).tolist()
    [0.333333, 0.333333, 0.333333]
    """
    func = "baron_ferejohn_solve"
    problem = _check_problem(problem, func)
    _require_ir(problem, func)
    rec = problem.powers if recognition is None else np.asarray(recognition, dtype=float)
    bf = baron_ferejohn_values(rec, discount, quota)
    util = utilitarian_solve(problem)
    surplus = float(util.gains.sum())
    point = problem.disagreement + bf.values * surplus
    lam = np.array([util.lottery.get(lbl, 0.0) for lbl in problem.labels])
    sol = _finish("baron_ferejohn", problem, lam,
                  {"discount": float(discount), "recognition": rec, "quota": quota or problem.n_players // 2 + 1},
                  {"surplus": surplus, "values": bf.values, "proposer_shares": bf.proposer_shares,
                   "inclusion": bf.inclusion, "converged": bf.converged, "agreement_point": util.point,
                   "transferable_utility": True})
    return BargainingSolution(sol.method, problem, readonly(point), sol.lottery, sol.agreement, sol.frontier,
                              sol.params, sol.details)


# ----------------------------------------------------------------------------------------------
# issue linkage


@dataclass(frozen=True, eq=False)
class IssueOutcome:
    """One issue bargained alone (others at their status quo), or the bundle (``issue == "*"``)."""

    issue: str
    problem: BargainingProblem
    ideal_gains: np.ndarray
    mutual_gain: bool
    nash_gains: np.ndarray
    gain_area: float | None


@dataclass(frozen=True, eq=False)
class LinkageReport:
    """Issue linkage: the bundle bargained jointly against each issue bargained alone.

    Attributes
    ----------
    separate : tuple of IssueOutcome
    joint : IssueOutcome
    issue_by_issue_gains : array (n,)
        Sum over issues of the separate Nash gains (agreeing issue by issue).
    joint_gains : array (n,)
        The bundle's Nash gains.
    gain_by_player : array (n,)
        ``joint_gains - issue_by_issue_gains``: who gains from linkage (positive) or loses.
    enlarges : bool
        Whether linking enlarges the bargaining set: the bundle's individually rational gains
        reach beyond the sum of the issues' (two players: larger area of the gain set; any
        number: a larger symmetric Nash product).
    """

    players: tuple[str, ...]
    separate: tuple[IssueOutcome, ...]
    joint: IssueOutcome
    issue_by_issue_gains: np.ndarray
    joint_gains: np.ndarray
    gain_by_player: np.ndarray
    enlarges: bool

    def to_dict(self) -> dict:
        def one(o: IssueOutcome):
            return {"issue": o.issue, "mutual_gain": o.mutual_gain,
                    "ideal_gains": dict(zip(self.players, o.ideal_gains.tolist())),
                    "nash_gains": dict(zip(self.players, o.nash_gains.tolist())), "gain_area": o.gain_area}

        return {"separate": [one(o) for o in self.separate], "joint": one(self.joint),
                "issue_by_issue_gains": dict(zip(self.players, self.issue_by_issue_gains.tolist())),
                "joint_gains": dict(zip(self.players, self.joint_gains.tolist())),
                "gain_by_player": dict(zip(self.players, self.gain_by_player.tolist())),
                "enlarges": self.enlarges}


def _issue_outcome(name: str, problem: BargainingProblem) -> IssueOutcome:
    n = problem.n_players
    d = problem.disagreement
    scale = max(1.0, float(np.abs(problem.outcomes).max()))
    if not in_hull(problem.outcomes, d, dominate=True):
        zero = np.zeros(n)
        return IssueOutcome(name, problem, zero, False, zero, 0.0 if n == 2 else None)
    ideal = kalai_solve(problem).details["ideal"] - d + 0.0  # + 0.0 turns -0.0 into 0.0
    eg = egalitarian_solve(problem)
    mutual = bool(np.all(eg.gains > 1e-9 * scale))
    nash = nash_solve(problem).gains if mutual else np.zeros(n)
    area = polygon_area(ir_polygon(problem.outcomes, d) - d) if n == 2 else None
    return IssueOutcome(name, problem, readonly(ideal), mutual, readonly(nash), area)


def linkage_analysis(problem: BargainingProblem) -> LinkageReport:
    """Compare bargaining over the bundle of issues with bargaining over each issue alone.

    Each issue alone varies over its range with every other issue at its low end (the status
    quo); the disagreement point is the problem's. Linkage trades concessions across issues
    (Tollison and Willett 1979; Sebenius 1983): an issue where one side only loses has no
    mutually beneficial agreement alone, but may in the bundle.

    Examples
    --------
    Each issue helps one player and hurts the other, so neither is agreed alone; together they are.

    >>> p = BargainingProblem.from_issues(["A", "B"], [("x", 0, 1, [2, -1]), ("y", 0, 1, [-1, 2])])
    >>> r = linkage_analysis(p)
    >>> [o.mutual_gain for o in r.separate], r.joint.mutual_gain, r.enlarges
    ([False, False], True, True)
    >>> r.gain_by_player.tolist()
    [1.0, 1.0]
    """
    func = "linkage_analysis"
    problem = _check_problem(problem, func)
    if problem.levels is None:
        raise SolverError(f"{func}(): needs an issue-space problem (BargainingProblem.from_issues); got one from "
                          f"{problem.source.get('feasible', 'points')}")
    levels, k = problem.levels, len(problem.issues)
    lows = levels.min(axis=0)
    separate = []
    for j, name in enumerate(problem.issues):
        rows = [r for r in range(len(levels)) if np.all(np.delete(levels[r], j) == np.delete(lows, j))]
        sub = BargainingProblem.from_points(problem.outcomes[rows], problem.disagreement, problem.players,
                                            problem.powers, [problem.labels[r] for r in rows])
        separate.append(_issue_outcome(name, sub))
    joint = _issue_outcome("*", problem)
    by_issue = np.sum([o.nash_gains for o in separate], axis=0)
    scale = max(1.0, float(np.abs(problem.outcomes).max()))
    if problem.n_players == 2:
        # Minkowski sum of the issues' individually rational gain sets, as a polygon.
        pts = np.zeros((1, 2))
        for o in separate:
            poly = ir_polygon(o.problem.outcomes, o.problem.disagreement) - o.problem.disagreement
            if len(poly):
                pts = (pts[:, None, :] + poly[None, :, :]).reshape(-1, 2)
        sep_area = polygon_area(hull_2d(pts))
        enlarges = joint.gain_area > sep_area + 1e-9 * scale * scale
    else:
        prod_sep = float(np.prod(np.clip(by_issue, 0, None)))
        prod_joint = float(np.prod(joint.nash_gains))
        enlarges = prod_joint > prod_sep + 1e-9 * scale
    return LinkageReport(problem.players, tuple(separate), joint, readonly(by_issue), readonly(joint.nash_gains),
                         readonly(joint.nash_gains - by_issue), bool(enlarges))


# ----------------------------------------------------------------------------------------------
# scenarios and the registry


def problem_from_scenario(scenario, overrides: Mapping[str, float] | None = None,
                          disagreement: str | None = None) -> BargainingProblem:
    """The bargaining problem of a scenario's ``[bargaining]`` table.

    The feasible set is the issue space with each player's utility per unit as declared
    (numbers or parameters, with ``overrides`` applied); the powers are the table's. The
    disagreement point (``disagreement`` or the table's ``disagreement``) is

    * ``equilibrium``: the bargaining players' payoffs at the welfare-best pure Nash equilibrium
      of the scenario's game (reduced normal form for a sequential timing), see
      :func:`disagreement_point`;
    * ``minmax``: their minmax values in that game;
    * ``status_quo``: every issue at the low end of its range.

    The game's payoffs and the issue utilities are taken to be on one scale, as the scenario
    author states them.
    """
    from sim.scenario import compile_scenario

    func = "problem_from_scenario"
    table = scenario.bargaining
    if table is None:
        raise SolverError(f"{scenario.path or scenario.id}: scenario has no [bargaining] table; "
                          "bargaining methods need one")
    compiled = compile_scenario(scenario)
    theta = compiled.point(overrides)
    values = dict(zip(compiled.parameter_names, theta.tolist()))

    def num(v):
        return float(values[v]) if isinstance(v, str) else float(v)

    players = table.players
    issues = []
    for it in table.issues:
        u = dict(it.utility)
        issues.append((it.name, it.min, it.max, [num(u[p]) if p in u else 0.0 for p in players]))
    powers = None
    if table.powers:
        pw = dict(table.powers)
        powers = [num(pw[p]) for p in players]
        if sum(powers) <= 0:
            raise SolverError(f"{func}(): bargaining powers must not all be 0; got {dict(zip(players, powers))}")
    problem = BargainingProblem.from_issues(players, issues, None, powers)
    source = disagreement or table.disagreement
    if source == "status_quo":
        return problem.with_disagreement(problem.disagreement, "status quo (every issue at its low end)")
    game = compiled.game(overrides)
    d, how = disagreement_point(game, source)
    names = getattr(game, "players")
    idx = [names.index(p) for p in players]
    return problem.with_disagreement(np.asarray(d)[idx], how)


#: Bargaining methods offered by ``bargain solve`` on scenarios with a ``[bargaining]`` table:
#: name -> (function, summary). Kept apart from :data:`sim.solvers.METHODS`, whose methods take games.
BARGAINING_METHODS: dict[str, tuple[str, str]] = {
    "nash": ("nash_solve", "Nash bargaining solution (with the scenario's powers)"),
    "kalai": ("kalai_solve", "Kalai-Smorodinsky solution"),
    "egalitarian": ("egalitarian_solve", "egalitarian (equal gains) solution"),
    "utilitarian": ("utilitarian_solve", "utilitarian solution"),
    "rubinstein": ("rubinstein_solve", "Rubinstein alternating offers (2 players)"),
    "baron_ferejohn": ("baron_ferejohn_solve", "Baron-Ferejohn closed-rule bargaining"),
}


def solve_bargaining(problem: BargainingProblem, method: str, discount: float | None = None) -> BargainingSolution:
    """Solve ``problem`` with a method of :data:`BARGAINING_METHODS`.

    ``discount`` (for ``rubinstein``, both players'; for ``baron_ferejohn``, the common one)
    defaults to 0.95.

    Examples
    --------
    >>> p = BargainingProblem.from_points([[1, 0], [0, 1], [0, 0]], [0, 0])
    >>> solve_bargaining(p, "kalai").point.tolist()
    [0.5, 0.5]
    """
    if method not in BARGAINING_METHODS:
        raise SolverError(f"unknown bargaining method {method!r}; choose one of: {', '.join(BARGAINING_METHODS)}")
    delta = 0.95 if discount is None else float(discount)
    if method == "rubinstein":
        return rubinstein_solve(problem, (delta, delta))
    if method == "baron_ferejohn":
        return baron_ferejohn_solve(problem, delta)
    return globals()[BARGAINING_METHODS[method][0]](problem)


def scenario_bargaining_document(scenario, methods: Sequence[str], overrides=None) -> dict:
    """The JSON document ``bargain solve SCENARIO --method nash ... --json`` prints.

    Strategic methods use the scenario's ``[repeated]`` discount factor when it has one.
    """
    problem = problem_from_scenario(scenario, overrides)
    discount = None
    if scenario.repeated is not None:
        from sim.scenario import compile_scenario

        compiled = compile_scenario(scenario)
        theta = dict(zip(compiled.parameter_names, compiled.point(overrides).tolist()))
        dv = scenario.repeated.discount
        discount = theta[dv] if isinstance(dv, str) else float(dv)
    results = [solve_bargaining(problem, m, discount).to_dict() for m in methods]
    doc = {
        "bargaining": {
            "scenario": scenario.id,
            "players": list(problem.players),
            "issues": list(problem.issues),
            "powers": dict(zip(problem.players, problem.powers.tolist())),
            "disagreement": {"point": dict(zip(problem.players, problem.disagreement.tolist())),
                             "source": problem.source.get("disagreement", "")},
        },
        "results": results,
    }
    if len(problem.issues) > 1 and problem.n_players >= 2:
        doc["linkage"] = linkage_analysis(problem).to_dict()
    return doc


__all__ = [
    "BARGAINING_METHODS", "BargainingProblem", "BargainingSolution", "BaronFerejohnValues", "IssueOutcome",
    "LinkageReport", "baron_ferejohn_solve", "baron_ferejohn_values", "disagreement_point", "egalitarian_solve",
    "kalai_solve", "linkage_analysis", "nash_solve", "problem_from_scenario", "rubinstein_limit_powers",
    "rubinstein_shares", "rubinstein_solve", "scenario_bargaining_document", "solve_bargaining",
    "utilitarian_solve",
]
