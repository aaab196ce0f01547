"""Bargaining on scenarios: the problem of a ``[bargaining]`` table, the methods the command line
offers (named in :mod:`sim.registry`), and the JSON document of ``bargain solve SCENARIO --method nash ...``.

The feasible set is the table's issue space with each player's utility per unit (numbers or
parameters, read at a parameter point); the disagreement point is the scenario game's
welfare-best Nash equilibrium, the minmax values or the status quo
(:func:`sim.bargaining.disagreement.disagreement_point`). Strategic methods take the discount
factor of the scenario's ``[repeated]`` table (:func:`sim.repeated.scenario_discount`).

Examples
--------
>>> from pathlib import Path
>>> from sim.scenario import load_scenario
>>> path = Path(__file__).resolve().parents[2] / "tests" / "data" / "scenarios-v1" / "precedent-2002.toml"
>>> problem = problem_from_scenario(load_scenario(path))
>>> problem.players, problem.issues
(('NATO', 'Russia'), ('shield', 'iran_pressure', 'kaliningrad'))
>>> {k: round(v, 6) for k, v in solve_bargaining(problem, "nash").agreement.items()}
{'shield': 1.0, 'iran_pressure': 0.625, 'kaliningrad': 1.0}
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from sim.bargaining.disagreement import disagreement_point
from sim.bargaining.linkage import linkage_analysis
from sim.bargaining.problem import BargainingProblem, BargainingSolution
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


def solve_bargaining(problem: BargainingProblem, method: str, **options) -> BargainingSolution:
    """Solve ``problem`` with a bargaining method of :mod:`sim.registry` (kind ``bargaining``).

    ``options`` are the method's registry options, checked there: ``discount`` (for
    ``rubinstein``, both players'; for ``baron_ferejohn``, the common one; ``None`` means
    :data:`sim.registry.DEFAULT_BARGAINING_DISCOUNT`), ``first`` (``rubinstein``), ``quota``
    (``baron_ferejohn``).

    Examples
    --------
    >>> p = BargainingProblem.from_points([[1, 0], [0, 1], [0, 0]], [0, 0])
    >>> solve_bargaining(p, "kalai").point.tolist()
    [0.5, 0.5]
    >>> solve_bargaining(p, "rubinstein", discount=0.5).point.round(6).tolist()  # 1/(1+d), d/(1+d)
    [0.666667, 0.333333]
    >>> solve_bargaining(p, "enumpure")
    Traceback (most recent call last):
    ...
    sim.errors.SolverError: method 'enumpure' takes a normal-form game (a tree goes as its reduced normal form); here choose one of: nash, kalai, egalitarian, utilitarian, rubinstein, baron_ferejohn
    """
    from sim.registry import DEFAULT_BARGAINING_DISCOUNT, check_applicable, check_options

    spec = check_applicable(method, n_players=problem.n_players, tree=False, kinds=("bargaining",))
    kwargs = check_options(method, options)
    if any(o.name == "discount" for o in spec.options):
        delta = kwargs.pop("discount", None)
        delta = DEFAULT_BARGAINING_DISCOUNT if delta is None else delta
        kwargs.update({"discounts": (delta, delta)} if method == "rubinstein" else {"discount": delta})
    return spec.load()(problem, **kwargs)


def solve_scenario_bargaining(scenario, methods: Sequence[str], overrides=None,
                              options: Mapping[str, Mapping] | None = None):
    """The problem of ``scenario``'s ``[bargaining]`` table and its solution by each method.

    Strategic methods take the discount factor of ``options[method]["discount"]`` when given,
    else of the scenario's ``[repeated]`` table (:func:`sim.repeated.scenario_discount`, checked
    to lie strictly between 0 and 1), else the registry's default. Every method is checked before
    any is solved. Returns ``(problem, {method: BargainingSolution})``.
    """
    from sim.registry import check_applicable

    options = {m: dict((options or {}).get(m, {})) for m in methods}
    problem = problem_from_scenario(scenario, overrides)
    for m in methods:
        check_applicable(m, n_players=problem.n_players, tree=False, kinds=("bargaining",))
    if scenario.repeated is not None:
        from sim.repeated import scenario_discount

        discount, _ = scenario_discount(scenario, overrides)
        for m in methods:
            from sim.registry import get

            if any(o.name == "discount" for o in get(m).options) and options[m].get("discount") is None:
                options[m]["discount"] = discount
    return problem, {m: solve_bargaining(problem, m, **options[m]) for m in methods}


def scenario_bargaining_document(scenario, methods: Sequence[str], overrides=None,
                                 options: Mapping[str, Mapping] | None = None) -> dict:
    """The JSON document ``bargain solve SCENARIO --method nash ... --json`` prints.

    Strategic methods use the scenario's ``[repeated]`` discount factor when it has one
    (:func:`sim.repeated.scenario_discount`, checked to lie strictly between 0 and 1), else 0.95.
    """
    problem, solutions = solve_scenario_bargaining(scenario, methods, overrides, options)
    results = [solutions[m].to_dict() for m in methods]
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
