"""Issue linkage: bargaining over a bundle of issues against bargaining over each issue alone.

An issue on which one side only loses has no mutually beneficial agreement alone, but may in a
bundle that trades concessions across issues (Tollison and Willett 1979; Sebenius 1983).
:func:`linkage_analysis` solves each issue alone (the others at their status quo) and the bundle,
and measures whether linking enlarges the set of individually rational gains.

Examples
--------
>>> p = BargainingProblem.from_issues(["A", "B"], [("x", 0, 1, [2, -1]), ("y", 0, 1, [-1, 2])])
>>> r = linkage_analysis(p)
>>> [o.mutual_gain for o in r.separate], r.joint.mutual_gain, r.enlarges
([False, False], True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim._arrays import readonly
from sim.bargaining.axiomatic import egalitarian_solve, kalai_solve, nash_solve
from sim.bargaining.problem import BargainingProblem, _check_problem
from sim.errors import SolverError
from sim.geometry import hull_2d, in_hull, ir_polygon, polygon_area


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
    levels = problem.levels
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
