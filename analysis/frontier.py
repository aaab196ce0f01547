"""A scenario's bargaining frontier with its axiomatic solutions: what the frontier chart draws.

The report's bargaining section and ``bargain chart frontier`` both show the individually rational
Pareto frontier of a scenario's ``[bargaining]`` table, its disagreement point and the point of
each cooperative solution (Nash 1950; Kalai and Smorodinsky 1975; the egalitarian solution of
Kalai 1977; the utilitarian sum). :func:`frontier_solutions` assembles them once; the callers
label and draw them. The strategic bargaining methods of :mod:`sim.registry`
(Rubinstein, Baron-Ferejohn) are left out: they are models of a protocol, not points chosen on
the frontier by an axiom.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

#: The solutions drawn on the frontier, in legend order (bargaining methods of :mod:`sim.registry`).
FRONTIER_METHODS = ("nash", "kalai", "egalitarian", "utilitarian")
#: How a report names each solution.
SOLUTION_NAMES = {"nash": "Nash", "kalai": "Kalai-Smorodinsky", "egalitarian": "egalitarian",
                  "utilitarian": "utilitarian"}


@dataclass(frozen=True)
class FrontierSolutions:
    """A bargaining problem, its frontier ``(K, n)`` and its solutions by method name."""

    problem: Any                    # sim.bargaining.BargainingProblem
    frontier: Any                   # array (K, n): the individually rational Pareto frontier
    solutions: Mapping[str, Any]    # method -> sim.bargaining.BargainingSolution

    @property
    def players(self) -> tuple[str, ...]:
        return tuple(self.problem.players)

    @property
    def disagreement(self):
        return self.problem.disagreement

    def points(self, names: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Each solution's utility vector, keyed by ``names[method]`` (default: the method name)."""
        names = names or {}
        return {names.get(m, m): s.point for m, s in self.solutions.items()}


def frontier_solutions(scenario, overrides: Mapping[str, float] | None = None,
                       methods: Sequence[str] = FRONTIER_METHODS) -> FrontierSolutions:
    """The frontier, disagreement point and solutions of ``scenario``'s ``[bargaining]`` table.

    ``overrides`` set scenario parameters (as ``--set`` does); a scenario without a
    ``[bargaining]`` table is refused by :func:`sim.bargaining.problem_from_scenario`.

    Examples
    --------
    >>> from pathlib import Path
    >>> from sim.scenario import load_scenario
    >>> path = Path(__file__).resolve().parents[1] / "tests" / "data" / "scenarios-v1" / "precedent-2002.toml"
    >>> fs = frontier_solutions(load_scenario(path))
    >>> fs.players, list(fs.points(SOLUTION_NAMES)), fs.frontier.shape[1]
    (('NATO', 'Russia'), ['Nash', 'Kalai-Smorodinsky', 'egalitarian', 'utilitarian'], 2)
    """
    from sim.bargaining import solve_scenario_bargaining

    problem, solutions = solve_scenario_bargaining(scenario, methods, overrides)
    return FrontierSolutions(problem, problem.frontier(), solutions)


def agreement_gain(problem) -> float:
    """The most that every bargaining player can gain over its disagreement payoff at once: the
    largest ``t`` such that some lottery over the problem's outcomes gives each player at least
    ``d_i + t``. It is positive exactly when there is a zone of agreement; at or below 0 no
    agreement is better than disagreement for all, and the solutions are not defined.

    One linear program: maximise ``t`` subject to ``outcomes.T @ lam >= d + t``, ``sum(lam) = 1``,
    ``lam >= 0`` (the egalitarian direction of Kalai 1977 from the disagreement point).

    Examples
    --------
    >>> from sim.bargaining import BargainingProblem
    >>> agreement_gain(BargainingProblem.from_points([[1, 0], [0, 1], [0, 0]], [0, 0]))
    0.5
    >>> agreement_gain(BargainingProblem.from_points([[1, -1], [0, 0]], [0, 0]))  # one's gain, the other's loss
    0.0
    """
    import numpy as np
    from scipy.optimize import linprog

    pts = np.asarray(problem.outcomes, dtype=float)
    d = np.asarray(problem.disagreement, dtype=float)
    k, n = pts.shape
    res = linprog(np.r_[np.zeros(k), -1.0], A_ub=np.c_[-pts.T, np.ones(n)], b_ub=-d,
                  A_eq=np.r_[np.ones(k), 0.0][None], b_eq=[1.0], bounds=[(0, None)] * k + [(None, None)],
                  method="highs")
    return float(res.x[k]) + 0.0 if res.status == 0 else float("-inf")  # + 0.0: no "-0.0"
