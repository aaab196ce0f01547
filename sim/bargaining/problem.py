"""Bargaining problems and their solutions: the types every bargaining method shares.

A :class:`BargainingProblem` is a feasible set (the convex hull of ``K`` outcomes' utility
vectors: any lottery over outcomes is an agreement), a disagreement point and bargaining powers;
a :class:`BargainingSolution` is a point of it with the lottery achieving it. This module also
holds the linear-programming helpers the solution methods share (the lottery behind a point, the
largest point along a ray from the disagreement point).

Axis conventions: the outcomes form a ``(K, n)`` array (outcome axis, then player axis); a point,
the disagreement point and the powers are ``(n,)`` arrays in player order.

Where problems come from:

* :meth:`BargainingProblem.from_points`: the hull of given utility vectors.
* :meth:`BargainingProblem.from_game`: the outcomes are a game's pure profiles (lotteries over
  them, as in Nash 1950), the disagreement point a Nash equilibrium or the minmax values
  (:func:`sim.bargaining.disagreement.disagreement_point`).
* :meth:`BargainingProblem.from_issues`: a continuous issue space (one level per issue in a
  range) with linear utilities. Its image is the hull of the box's corners, and a lottery over
  corners gives the same utilities as the agreement at their mean levels, so solutions are
  reported as issue levels too.

Examples
--------
>>> p = BargainingProblem.from_issues(["A", "B"], [("x", 0, 1, [1, -1]), ("y", 0, 2, [-1, 2])])
>>> p.outcomes.tolist(), p.disagreement.tolist()
([[0.0, 0.0], [-2.0, 4.0], [1.0, -1.0], [-1.0, 3.0]], [0.0, 0.0])
>>> p.frontier().round(6).tolist()
[[0.0, 1.0], [0.5, 0.0]]
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from sim._arrays import readonly
from sim.bargaining.disagreement import disagreement_point
from sim.errors import GameError, SolverError
from sim.geometry import in_hull, pareto_dominated, pareto_frontier_2d
from sim.result import jsonable


_TOL = 1e-9
MAX_ISSUES = 12  # 2**12 corners; beyond that the corner enumeration is refused


def _mapping(d=None) -> Mapping:
    return MappingProxyType(dict(d or {}))


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
