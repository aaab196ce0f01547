"""Bargaining: axiomatic solutions on a polytope of utility vectors, and strategic bargaining.

One module per family; every public name is importable from ``sim.bargaining``:

* :mod:`~sim.bargaining.problem`: :class:`BargainingProblem` (the convex hull of ``K`` outcomes'
  utility vectors, a disagreement point, powers) and :class:`BargainingSolution`.
* :mod:`~sim.bargaining.disagreement`: :func:`disagreement_point` from a game (a Nash
  equilibrium or the minmax values).
* :mod:`~sim.bargaining.axiomatic`: ``nash`` (Nash 1950; powers: Kalai 1977b, Roth 1979),
  ``kalai`` (Kalai and Smorodinsky 1975), ``egalitarian`` (Kalai 1977a), ``utilitarian``.
* :mod:`~sim.bargaining.rubinstein`: alternating offers (Rubinstein 1982; Binmore, Rubinstein
  and Wolinsky 1986).
* :mod:`~sim.bargaining.baron_ferejohn`: closed-rule legislative bargaining (Baron and Ferejohn
  1989; Eraslan 2002).
* :mod:`~sim.bargaining.linkage`: the bundle of issues against each issue alone.
* :mod:`~sim.bargaining.scenario`: a scenario's ``[bargaining]`` table, the methods
  ``bargain solve`` offers and its JSON document.

Axis conventions: a problem of ``n`` players has ``K`` outcomes whose utility vectors form a
``(K, n)`` array (outcome axis, then player axis); a point, the disagreement point and the
powers are ``(n,)`` arrays in player order. The geometry of these sets is :mod:`sim.geometry`.

Examples
--------
>>> from sim.bargaining import BargainingProblem, nash_solve
>>> p = BargainingProblem.from_points([[1, 0], [0, 1], [0, 0]], [0, 0])
>>> nash_solve(p, powers=[2, 1]).point.round(6).tolist()
[0.666667, 0.333333]
"""

from __future__ import annotations

from sim.bargaining.axiomatic import egalitarian_solve, kalai_solve, nash_solve, utilitarian_solve
from sim.bargaining.baron_ferejohn import (
    BF_MAX_PATTERNS, BaronFerejohnValues, baron_ferejohn_solve, baron_ferejohn_values,
)
from sim.bargaining.disagreement import disagreement_point
from sim.bargaining.linkage import IssueOutcome, LinkageReport, linkage_analysis
from sim.bargaining.problem import MAX_ISSUES, BargainingProblem, BargainingSolution
from sim.bargaining.rubinstein import rubinstein_limit_powers, rubinstein_shares, rubinstein_solve
from sim.bargaining.scenario import (
    problem_from_scenario, scenario_bargaining_document, solve_bargaining, solve_scenario_bargaining,
)

__all__ = [
    "BF_MAX_PATTERNS", "MAX_ISSUES", "BargainingProblem", "BargainingSolution",
    "BaronFerejohnValues", "IssueOutcome", "LinkageReport", "baron_ferejohn_solve", "baron_ferejohn_values",
    "disagreement_point", "egalitarian_solve", "kalai_solve", "linkage_analysis", "nash_solve",
    "problem_from_scenario", "rubinstein_limit_powers", "rubinstein_shares", "rubinstein_solve",
    "scenario_bargaining_document", "solve_bargaining", "solve_scenario_bargaining", "utilitarian_solve",
]
