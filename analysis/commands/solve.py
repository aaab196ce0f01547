"""``bargain solve FILE [--method M]... [--set NAME=VALUE]... [--json]``.

Solves a Gambit ``.nfg`` file or a scenario file with one or more registered methods and prints
either plain-text tables or one JSON document::

    {"game": {"players": [...], "actions": {player: [...]}},
     "results": [{"method", "params", "complete", "degenerate", "converged",
                  "equilibria": [{"profile": {player: {action: prob}}, "payoffs": {player: value},
                                  "support": {player: [action, ...]}, "max_regret": float}],
                  "details": {...}}]}

Every method is checked (known, implemented, applicable to the game) before any is run, and all
results are computed before anything is printed, so a bad request prints one error line (exit 2)
and never half a document.
"""

from __future__ import annotations

import argparse

from sim.solvers import METHODS


def parse_assignment(text: str) -> tuple[str, float]:
    """``NAME=VALUE`` with a numeric value, for ``--set``."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"--set expects NAME=VALUE; got {text!r}")
    try:
        return name.strip(), float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--set {name.strip()}: value must be a number; got {value!r}") from None


def register(sub) -> None:
    p = sub.add_parser("solve", help="compute equilibria of a game file or scenario")
    p.add_argument("path", help="a Gambit .nfg file or a scenario .toml file")
    # Not argparse ``choices``: an unknown method must end in one error line (argparse would
    # print the usage first), and the check below also says which methods exist.
    p.add_argument("--method", "-m", action="append", metavar="METHOD",
                   help=f"equilibrium method, repeatable (default enumpure); one of: {', '.join(METHODS)}; "
                        "or, for scenarios with a [bargaining] table: nash, kalai, egalitarian, utilitarian, "
                        "rubinstein, baron_ferejohn")
    p.add_argument("--set", dest="overrides", action="append", type=parse_assignment, default=[],
                   metavar="NAME=VALUE", help="override a scenario parameter (repeatable)")
    p.add_argument("--json", action="store_true", help="print a JSON document instead of tables")
    p.set_defaults(run=run)


def check_method(name: str, game):
    """The solver function for ``name``, or a ``SolverError`` saying why it cannot run on ``game``."""
    import importlib

    from sim.errors import SolverError

    spec = METHODS.get(name)
    if spec is None:
        raise SolverError(f"unknown method {name!r}; choose one of: {', '.join(METHODS)}")
    n_players = getattr(game, "n_players", None)
    if spec.players == "2" and n_players is not None and n_players != 2:
        raise SolverError(f"method {name!r} applies to 2-player games only; this game has {n_players} players")
    try:
        module = importlib.import_module(spec.module)
    except ModuleNotFoundError as exc:
        if exc.name != spec.module:
            raise  # the module exists but lacks a dependency: a real error, not "not implemented"
        raise SolverError(f"method {name!r} is not implemented yet (no module {spec.module})") from None
    function = getattr(module, spec.function, None)
    if function is None:
        raise SolverError(f"method {name!r} is not implemented yet ({spec.module}.{spec.function} is missing)")
    return function


def _no_json_form(value):
    # A solver put something in its result that SolverResult.to_dict cannot express: one error
    # line (exit 2) is better than a traceback or a document with a Python repr in it.
    from sim.errors import SolverError

    raise SolverError(f"a result holds a {type(value).__name__}, which has no JSON form; got {value!r}")


def _run_bargaining(args, methods) -> int:
    """Bargaining methods (``sim.bargaining.BARGAINING_METHODS``) read a scenario's [bargaining] table."""
    import json
    from pathlib import Path

    from sim.bargaining import BARGAINING_METHODS, scenario_bargaining_document
    from sim.errors import SolverError
    from sim.scenario import load_scenario

    other = [m for m in methods if m not in BARGAINING_METHODS]
    if other:
        raise SolverError(f"bargaining methods cannot be combined with equilibrium methods in one call; got {other}")
    if Path(args.path).suffix.lower() != ".toml":
        raise SolverError(f"{args.path}: bargaining methods need a scenario .toml with a [bargaining] table")
    doc = scenario_bargaining_document(load_scenario(args.path), methods, dict(args.overrides))
    if args.json:
        print(json.dumps(doc, indent=2, allow_nan=False, default=_no_json_form))
    else:
        head = doc["bargaining"]
        print(f"{head['scenario']}: bargaining over {', '.join(head['issues'])}; disagreement "
              f"{head['disagreement']['point']} ({head['disagreement']['source']})")
        for r in doc["results"]:
            point = ", ".join(f"{p} {v:.6g}" for p, v in r["point"].items())
            levels = ", ".join(f"{k}={v:.4g}" for k, v in r.get("agreement", {}).items())
            print(f"  {r['method']}: {point}" + (f"  [{levels}]" if levels else ""))
    return 0


def run(args) -> int:
    import json

    from analysis.loading import load_game
    from analysis.render import format_game, format_result
    from sim.result import game_to_dict

    methods = list(dict.fromkeys(args.method or ["enumpure"]))  # repeated names run once
    from sim.bargaining import BARGAINING_METHODS

    if any(m in BARGAINING_METHODS for m in methods):
        return _run_bargaining(args, methods)
    game = load_game(args.path, dict(args.overrides))
    from sim.solvers import solve

    for m in methods:
        check_method(m, game)
    # solve() routes trees: `spe` works on the tree, every other method on its reduced normal form.
    results = [solve(game, m) for m in methods]
    if args.json:
        doc = {"game": game_to_dict(game), "results": [r.to_dict() for r in results]}
        # allow_nan=False: a non-finite number would make the document invalid JSON; fail instead.
        print(json.dumps(doc, indent=2, allow_nan=False, default=_no_json_form))
    else:
        print(format_game(game))
        for r in results:
            print(format_result(r))
    return 0
