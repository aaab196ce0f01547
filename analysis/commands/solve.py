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
                        "rubinstein, baron_ferejohn; or repeated (minmax values, the feasible and individually "
                        "rational set, discount thresholds of cooperation)")
    p.add_argument("--set", dest="overrides", action="append", type=parse_assignment, default=[],
                   metavar="NAME=VALUE", help="override a scenario parameter (repeatable)")
    p.add_argument("--json", action="store_true", help="print a JSON document instead of tables")
    p.add_argument("--target", dest="targets", action="append", default=[], metavar="A,B,...",
                   help="--method repeated: a target pure profile, one action per player in player order "
                        "(repeatable; added to the profiles that Pareto-dominate a stage equilibrium)")
    p.add_argument("--discount", type=float, metavar="D",
                   help="--method repeated: discount factor in (0, 1) (default: the scenario's [repeated].discount)")
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


def _parse_target(game, text: str) -> tuple[str, ...]:
    """``--target A,B,...``: one action name per player, checked against the stage game."""
    from sim.errors import SolverError

    names = tuple(a.strip() for a in text.split(","))
    if len(names) != game.n_players:
        raise SolverError(f"--target {text!r}: needs one action per player ({', '.join(game.players)}); "
                          f"got {len(names)}")
    for i, a in enumerate(names):
        if a not in game.actions[i]:
            raise SolverError(f"--target {text!r}: {game.players[i]} has no action {a!r}; "
                              f"its actions: {', '.join(game.actions[i])}")
    return names


def _run_repeated(args, methods) -> int:
    """``--method repeated``: minmax values, the feasible IR set and the targets' discount thresholds."""
    import json
    from pathlib import Path

    from analysis.loading import load_game
    from sim.errors import SolverError
    from sim.repeated import repeated_analysis, repeated_from_scenario
    from sim.result import game_to_dict

    if methods != ["repeated"]:
        raise SolverError(f"method 'repeated' cannot be combined with other methods in one call; got {methods}")
    if args.discount is not None and not 0.0 < args.discount < 1.0:
        raise SolverError(f"--discount must lie strictly between 0 and 1; got {args.discount}")
    overrides = dict(args.overrides)
    if Path(args.path).suffix.lower() == ".toml":
        from sim.scenario import compile_scenario, load_scenario

        scenario = load_scenario(args.path)
        if scenario.repeated is None and args.discount is None:
            raise SolverError(f"{args.path}: scenario has no [repeated] table; give --discount D")
        compiled = compile_scenario(scenario)
        game = compiled.game(overrides)
        game = game.reduced_normal_form() if compiled.sequential else game
        targets = [_parse_target(game, t) for t in args.targets]
        analysis = repeated_from_scenario(scenario, overrides, args.discount, targets)
        name = scenario.id
        if args.discount is not None:
            source = "--discount"
        else:
            dv = scenario.repeated.discount
            source = f"[repeated].discount = {dv}" if isinstance(dv, str) else "[repeated].discount"
    else:
        game = load_game(args.path, overrides)
        if args.discount is None:
            raise SolverError(f"{args.path}: a game file has no [repeated] table; give --discount D")
        if hasattr(game, "reduced_normal_form"):
            game = game.reduced_normal_form()
        targets = [_parse_target(game, t) for t in args.targets]
        analysis = repeated_analysis(game, args.discount, targets)
        name, source = Path(args.path).name, "--discount"
    body = analysis.to_dict()
    doc = {"game": game_to_dict(analysis.game),
           "repeated": {"source": name, "discount": {"value": body.pop("discount"), "source": source}, **body}}
    if args.json:
        print(json.dumps(doc, indent=2, allow_nan=False, default=_no_json_form))
        return 0
    print(_format_repeated(doc))
    return 0


def _format_repeated(doc: dict) -> str:
    """Plain-text form of the repeated-play document."""
    rep, players = doc["repeated"], doc["game"]["players"]

    def vec(d):
        return ", ".join(f"{p} {'-' if d[p] is None else format(d[p], '.6g')}" for p in players)

    def thr(x):
        return "no discount factor below 1 sustains it" if x is None else f"delta >= {x:.6g}"

    def punisher(pun):
        if "distribution" in pun:
            return "; ".join(" ".join(e["profile"].values()) + f":{e['probability']:.3g}" for e in pun["distribution"])
        return ", ".join(f"{q} {a}" if isinstance(a, str) else
                         f"{q} " + " ".join(f"{b}:{x:.3g}" for b, x in a.items() if x > 1e-9)
                         for q, a in pun["profile"].items())

    delta = rep["discount"]["value"]
    lines = [f"{rep['source']}: repeated play, discount factor {delta:.6g} ({rep['discount']['source']})"]
    eqs = rep["stage_equilibria"]
    lines.append(f"stage Nash equilibria ({eqs['kind']}):")
    for k, e in enumerate(eqs["equilibria"]):
        prof = ", ".join(" ".join(f"{a}:{x:.3g}" for a, x in e["profile"][p].items() if x > 1e-9) if
                         len(e["support"][p]) > 1 else e["support"][p][0] for p in players)
        lines.append(f"  #{k} ({prof}): payoffs {vec(e['payoffs'])}")
    lines.append("minmax values (punished by):")
    for p in players:
        parts = []
        for kind in ("pure", "mixed"):
            m = rep["minmax"][kind]
            label = {"pure": "pure", "mixed": "mixed", "correlated": "correlated (lower bound)"}[m["kind"]]
            parts.append(f"{label} {m['values'][p]:.6g} ({punisher(m['punishments'][p])})")
        lines.append(f"  {p}: " + "; ".join(parts))
    fir = rep["feasible_ir"]
    if fir["vertices"] is not None:
        pts = " ".join("(" + ", ".join(f"{v[p]:.4g}" for p in players) + ")" for v in fir["vertices"])
        lines.append(f"feasible and individually rational set: {pts or 'empty'}")
    else:
        lines.append(f"feasible and individually rational set: {'nonempty' if fir['nonempty'] else 'empty'}")
    if not rep["targets"]:
        lines.append("targets: none (no pure profile Pareto-dominates a stage equilibrium; give --target)")
    for t in rep["targets"]:
        why = (f"Pareto-dominates stage equilibri{'um' if len(t['dominates']) == 1 else 'a'} "
               + ", ".join(f"#{k}" for k in t["dominates"]) if t["source"] == "pareto" else "given")
        lines.append(f"target ({', '.join(t['profile'][p] for p in players)}) [{why}]: payoffs {vec(t['payoffs'])}")
        for key, label in (("grim_trigger", "grim trigger "), ("minmax", "minmax       "),
                           ("pure_minmax", "pure minmax  ")):
            s = t[key]
            if s is None:
                lines.append(f"  {label}: no stage equilibrium to revert to")
                continue
            lines.append(f"  {label}: {thr(s['threshold'])}; sustained at {delta:.6g}: "
                         f"{'yes' if s['sustained'] else 'no'}")
    return "\n".join(lines)


def run(args) -> int:
    import json

    from analysis.loading import load_game
    from analysis.render import format_game, format_result
    from sim.result import game_to_dict

    methods = list(dict.fromkeys(args.method or ["enumpure"]))  # repeated names run once
    from sim.bargaining import BARGAINING_METHODS

    if "repeated" in methods:
        return _run_repeated(args, methods)
    if args.targets or args.discount is not None:
        from sim.errors import SolverError

        raise SolverError("--target and --discount apply to --method repeated only")
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
