"""``bargain solve FILE [--method M]... [--set NAME=VALUE]... [--json]``."""

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
    p.add_argument("--method", "-m", action="append", choices=sorted(METHODS),
                   help="equilibrium method (repeatable; default enumpure)")
    p.add_argument("--set", dest="overrides", action="append", type=parse_assignment, default=[],
                   metavar="NAME=VALUE", help="override a scenario parameter (repeatable)")
    p.add_argument("--json", action="store_true", help="print a JSON document instead of tables")
    p.set_defaults(run=run)


def run(args) -> int:
    import json

    from analysis.loading import load_game
    from analysis.render import format_result
    from sim.result import game_to_dict
    from sim.solvers import solve

    game = load_game(args.path, dict(args.overrides))
    methods = args.method or ["enumpure"]
    results = [solve(game, m) for m in methods]
    if args.json:
        doc = {"game": game_to_dict(game), "results": [r.to_dict() for r in results]}
        print(json.dumps(doc, indent=2))
    else:
        for r in results:
            print(format_result(r))
    return 0
