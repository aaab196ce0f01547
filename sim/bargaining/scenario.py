"""Bargaining on scenarios: the problem of a ``[bargaining]`` table, the methods the command line
offers, and the JSON document of ``bargain solve SCENARIO --method nash ...``.

The feasible set is the table's issue space with each player's utility per unit (numbers or
parameters, read at a parameter point); the disagreement point is the scenario game's
welfare-best Nash equilibrium, the minmax values or the status quo
(:func:`sim.bargaining.disagreement.disagreement_point`). Strategic methods take the discount
factor of the scenario's ``[repeated]`` table (:func:`sim.repeated.scenario_discount`).

Examples
--------
>>> from pathlib import Path
>>> from sim.scenario import load_scenario
>>> path = Path(__file__).resolve().parents[2] / "scenarios" / "precedent-2002.toml"
>>> problem = problem_from_scenario(load_scenario(path))
>>> problem.players, problem.issues
(('NATO', 'Russia'), ('shield', 'iran_pressure', 'kaliningrad'))
>>> {k: round(v, 6) for k, v in solve_bargaining(problem, "nash").agreement.items()}
{'shield': 1.0, 'iran_pressure': 0.625, 'kaliningrad': 1.0}
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from sim.bargaining.axiomatic import egalitarian_solve, kalai_solve, nash_solve, utilitarian_solve  # noqa: F401
from sim.bargaining.baron_ferejohn import baron_ferejohn_solve
from sim.bargaining.disagreement import disagreement_point
from sim.bargaining.linkage import linkage_analysis
from sim.bargaining.problem import BargainingProblem, BargainingSolution
from sim.bargaining.rubinstein import rubinstein_solve
from sim.errors import SolverError


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

    Strategic methods use the scenario's ``[repeated]`` discount factor when it has one
    (:func:`sim.repeated.scenario_discount`, checked to lie strictly between 0 and 1), else 0.95.
    """
    problem = problem_from_scenario(scenario, overrides)
    discount = None
    if scenario.repeated is not None:
        from sim.repeated import scenario_discount

        discount, _ = scenario_discount(scenario, overrides)
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
