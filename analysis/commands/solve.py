"""``bargain solve FILE [--method M]... [--set NAME=VALUE]... [--json]``.

Solves a Gambit ``.nfg`` file or a scenario file with one or more registered methods and prints
either plain-text tables or one JSON document::

    {"source": {"file": path, "scenario": id or null, "overrides": {name: value}},
     "game": {"players": [...], "actions": {player: [...]}},
     "results": [{"method", "params", "complete", "degenerate", "converged",
                  "equilibria": [{"profile": {player: {action: prob}}, "payoffs": {player: value},
                                  "support": {player: [action, ...]}, "max_regret": float}],
                  "details": {...}}]}

Each equilibrium of a tree (by any method) also has ``"play"`` (each move by player and action,
each branch with its probability) and ``"decision_points"`` (each information set by its readable
name, its player, whether play reaches it and the choice there;
:func:`analysis.render.play_document`).

Without ``--method`` a tree is solved by :func:`sim.registry.solve_tree_default`: ``spe`` for
perfect information, ``pbe`` where some mover does not see an earlier move (``pbe_agent`` where
``pbe`` cannot run or finds nothing; ``details["method_choice"]`` says so).

A result with beliefs (``pbe``, ``pbe_mixed``, ``pbe_agent``) on a tree also holds
``details["belief_thresholds"]`` (:func:`analysis.render.belief_document`): for each information
set with more than one node, the beliefs where its mover's best answer flips, and the sentence
that the plain-text output prints after the equilibria. Any other result on a tree with such sets
holds ``"belief_thresholds": "unavailable"`` and ``details["belief_thresholds_reason"]``: a
threshold read off equilibria without beliefs could be wrong, so none is given.

Every method is checked (known, implemented, applicable to the game) before any is run, and all
results are computed before anything is printed, so a bad request prints one error line (exit 2)
and never half a document.
"""

from __future__ import annotations

import argparse

from analysis.arguments import parse_assignment

def _methods_help() -> str:
    """The epilog of ``bargain solve --help``: every registered method, what it takes, its options."""
    from sim.registry import KINDS, METHODS

    lines = ["methods (--method), by what they take:"]
    for kind, accepts in KINDS.items():
        lines.append(f"  {accepts}:")
        for m in METHODS.values():
            if m.kind != kind:
                continue
            players = "2 players" if m.players == "2" else "any number of players"
            lines.append(f"    {m.name}: {m.summary} ({players})")
            for o in m.options:
                lines.append(f"        --option {o.describe()}")
    return "\n".join(lines)


def register(sub) -> None:
    from sim.registry import METHODS

    p = sub.add_parser("solve", help="compute equilibria of a game file or scenario",
                       description="Compute equilibria of a Gambit .nfg/.efg file or a scenario file.",
                       epilog=_methods_help(), formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("path", help="a Gambit .nfg or .efg file or a scenario .toml file")
    # Not argparse ``choices``: an unknown method must end in one error line (argparse would
    # print the usage first), and the registry's check also says which methods exist.
    p.add_argument("--method", "-m", action="append", metavar="METHOD",
                   help=f"method, repeatable (default for a tree or a sequential scenario: spe with perfect information, "
                        f"pbe otherwise; enumpure for a normal-form game); one of: {', '.join(METHODS)} (see below)")
    p.add_argument("--option", "-o", dest="options", action="append", default=[], metavar="[METHOD.]NAME=VALUE",
                   help="a method's option (repeatable); NAME=VALUE goes to every requested method that has "
                        "the option, METHOD.NAME=VALUE to that method only (options are listed below)")
    p.add_argument("--set", dest="overrides", action="append", type=parse_assignment, default=[],
                   metavar="NAME=VALUE", help="override a scenario parameter (repeatable)")
    p.add_argument("--json", action="store_true", help="print a JSON document instead of tables")
    p.add_argument("--target", dest="targets", action="append", default=[], metavar="A,B,...",
                   help="--method repeated: a target pure profile, one action per player in player order "
                        "(repeatable; added to the profiles that Pareto-dominate a stage equilibrium)")
    p.add_argument("--discount", type=float, metavar="D",
                   help="--method repeated: discount factor in (0, 1) (default: the scenario's "
                        "[repeated].discount); the same as --option discount=D")
    p.set_defaults(run=run)


def method_options(methods, assignments) -> dict[str, dict]:
    """``--option`` values split by method and checked against the registry.

    ``METHOD.NAME=VALUE`` goes to that method (which must be requested); a bare ``NAME=VALUE``
    goes to every requested method that has an option ``NAME``, and is refused when none has.
    """
    from sim.errors import SolverError
    from sim.registry import get, parse_options

    per: dict[str, list[str]] = {m: [] for m in methods}
    for text in assignments:
        name = text.partition("=")[0].strip()
        head, dot, rest = name.partition(".")
        if dot:
            if head not in per:
                get(head)  # an unknown method is named as such
                raise SolverError(f"--option {text!r}: method {head!r} is not requested (--method {head})")
            per[head].append(text.strip()[len(head) + 1:])
            continue
        takers = [m for m in methods if any(o.name == name for o in get(m).options)]
        if not takers:
            if len(methods) == 1:
                get(methods[0]).option(name)  # raises: names the method's options
            raise SolverError(f"--option {text!r}: none of the requested methods ({', '.join(methods)}) "
                              f"has an option {name!r}")
        for m in takers:
            per[m].append(text)
    return {m: parse_options(m, per[m]) for m in methods}


def source_document(path, overrides) -> dict:
    """What a ``--json`` document was computed from: the file, the scenario's id (None for a game
    file) and the ``--set`` overrides, so the document can be traced and reproduced."""
    from pathlib import Path

    scenario = None
    if Path(path).suffix.lower() == ".toml":
        from sim.scenario import load_scenario

        scenario = load_scenario(path).id
    return {"file": str(path), "scenario": scenario, "overrides": dict(overrides)}


def _no_json_form(value):
    # A solver put something in its result that SolverResult.to_dict cannot express: one error
    # line (exit 2) is better than a traceback or a document with a Python repr in it.
    from sim.errors import SolverError

    raise SolverError(f"a result holds a {type(value).__name__}, which has no JSON form; got {value!r}")


def _run_bargaining(args, methods, options) -> int:
    """Bargaining methods (kind ``bargaining`` in :mod:`sim.registry`) read a scenario's [bargaining] table."""
    import json
    from pathlib import Path

    from sim.bargaining import scenario_bargaining_document
    from sim.errors import SolverError
    from sim.scenario import load_scenario

    if Path(args.path).suffix.lower() != ".toml":
        raise SolverError(f"{args.path}: bargaining methods need a scenario .toml with a [bargaining] table")
    doc = scenario_bargaining_document(load_scenario(args.path), methods, dict(args.overrides), options)
    doc = {"source": source_document(args.path, args.overrides), **doc}
    if args.json:
        print(json.dumps(doc, indent=2, allow_nan=False, default=_no_json_form))
    else:
        from analysis.render import number_text

        head = doc["bargaining"]
        point = ", ".join(f"{p} {number_text(v, 6)}" for p, v in head["disagreement"]["point"].items())
        print(f"{head['scenario']}: bargaining over {', '.join(head['issues'])}; disagreement "
              f"{point} ({head['disagreement']['source']})")
        for r in doc["results"]:
            point = ", ".join(f"{p} {number_text(v, 6)}" for p, v in r["point"].items())
            levels = ", ".join(f"{k}={number_text(v)}" for k, v in r.get("agreement", {}).items())
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


def _run_repeated(args, options) -> int:
    """``--method repeated``: minmax values, the feasible IR set and the targets' discount thresholds."""
    import json
    from pathlib import Path

    from analysis.loading import load_game
    from sim.errors import SolverError
    from sim.repeated import repeated_analysis, repeated_from_scenario
    from sim.result import game_to_dict

    given = args.discount
    if options.get("discount") is not None:
        if given is not None and options["discount"] != given:
            raise SolverError(f"--discount {given} and --option discount={options['discount']} disagree")
        given = options["discount"]
    if given is not None and not 0.0 < given < 1.0:
        raise SolverError(f"--discount must lie strictly between 0 and 1; got {given}")
    overrides = dict(args.overrides)
    if Path(args.path).suffix.lower() == ".toml":
        from sim.repeated import scenario_discount
        from sim.scenario import compile_scenario, load_scenario

        scenario = load_scenario(args.path)
        if scenario.repeated is None and given is None:
            raise SolverError(f"{args.path}: scenario has no [repeated] table; give --discount D")
        game = compile_scenario(scenario).normal_form(overrides)
        targets = [_parse_target(game, t) for t in args.targets]
        analysis = repeated_from_scenario(scenario, overrides, given, targets)
        name, (_, source) = scenario.id, scenario_discount(scenario, overrides, given)
    else:
        game = load_game(args.path, overrides).normal_form()
        if given is None:
            raise SolverError(f"{args.path}: a game file has no [repeated] table; give --discount D")
        targets = [_parse_target(game, t) for t in args.targets]
        analysis = repeated_analysis(game, given, targets)
        name, source = Path(args.path).name, "--discount"
    body = analysis.to_dict()
    doc = {"source": source_document(args.path, args.overrides), "game": game_to_dict(analysis.game),
           "repeated": {"source": name, "discount": {"value": body.pop("discount"), "source": source}, **body}}
    if args.json:
        print(json.dumps(doc, indent=2, allow_nan=False, default=_no_json_form))
        return 0
    print(_format_repeated(doc))
    return 0


#: Targets shown by the plain-text repeated-play output (``--json`` lists them all).
MAX_TARGET_ROWS = 12


def _format_repeated(doc: dict) -> str:
    """Plain-text form of the repeated-play document."""
    from analysis.render import strategy_text

    rep, players = doc["repeated"], doc["game"]["players"]

    def vec(d):
        return ", ".join(f"{p} {'-' if d[p] is None else format(d[p], '.6g')}" for p in players)

    def thr(x):
        return "no discount factor below 1 sustains it" if x is None else f"delta >= {x:.6g}"

    def punisher(pun):
        if "distribution" in pun:
            return "; ".join(" ".join(e["profile"].values()) + f":{e['probability']:.3g}" for e in pun["distribution"])
        return ", ".join(f"{q} {a}" if isinstance(a, str) else f"{q} " + strategy_text(list(a), list(a.values()), 3)
                         for q, a in pun["profile"].items())

    delta = rep["discount"]["value"]
    lines = [f"{rep['source']}: repeated play, discount factor {delta:.6g} ({rep['discount']['source']})"]
    eqs = rep["stage_equilibria"]
    lines.append(f"stage Nash equilibria ({eqs['kind']}):")
    for k, e in enumerate(eqs["equilibria"]):
        prof = ", ".join(strategy_text(list(e["profile"][p]), list(e["profile"][p].values()), 3) for p in players)
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
    shown = rep["targets"][:MAX_TARGET_ROWS]
    for t in shown:
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
    if len(rep["targets"]) > len(shown):
        lines.append(f"... and {len(rep['targets']) - len(shown)} more targets (--json lists them all)")
    return "\n".join(lines)


def run(args) -> int:
    import json

    from sim.errors import SolverError
    from sim.registry import get

    methods = list(dict.fromkeys(args.method or ["enumpure"]))  # repeated names run once
    kinds = {m: ("game" if get(m).kind in ("game", "tree") else get(m).kind) for m in methods}
    groups = sorted(set(kinds.values()))
    if len(groups) > 1:
        by_kind = "; ".join(f"{k}: {', '.join(m for m in methods if kinds[m] == k)}" for k in groups)
        raise SolverError(f"methods of different kinds cannot be combined in one call; got {by_kind}")
    # Without --method the default depends on the game (a tree's own method): options are
    # checked against it once the game is read.
    options = method_options(methods, args.options) if args.method else {}
    if groups == ["repeated"]:
        return _run_repeated(args, options["repeated"])
    if args.targets or args.discount is not None:
        raise SolverError("--target and --discount apply to --method repeated only")
    if groups == ["bargaining"]:
        return _run_bargaining(args, methods, options)

    from analysis.loading import load_game
    from analysis.render import belief_document, belief_lines, format_game, format_result
    from sim.extensive.tree import ExtensiveFormGame
    from sim.registry import (beliefs_unavailable_reason, check_applicable, default_tree_method, solve,
                              solve_tree_default)
    from sim.result import game_to_dict

    game = load_game(args.path, dict(args.overrides))
    default_tree = not args.method and isinstance(game, ExtensiveFormGame)
    if default_tree:
        # A tree's own answer is found on the tree at its own size (the reduced normal form of a
        # multi-move tree can be too large to build): its subgame-perfect play with perfect
        # information, its perfect Bayesian equilibria (with beliefs) where a mover is uncertain.
        methods = [default_tree_method(game)]
    if not args.method:
        options = method_options(methods, args.options)
    for m in methods:  # every method is checked before any runs
        check_applicable(m, n_players=game.n_players, tree=isinstance(game, ExtensiveFormGame))
    from analysis.kernels import announce_compiling

    announce_compiling(methods)
    # solve() routes trees: tree methods work on the tree, every other method on its reduced normal form.
    if default_tree:
        results = [solve_tree_default(game, **options[methods[0]])]
    else:
        results = [solve(game, m, **options[m]) for m in methods]
    # On a tree, a result with beliefs also gets the belief thresholds of each information set
    # with more than one node (later moves valued as in its first equilibrium); any other result
    # says they are unavailable, and why.
    beliefs = []
    for r in results:
        if not isinstance(game, ExtensiveFormGame):
            beliefs.append(None)
            continue
        why = beliefs_unavailable_reason(game, r)
        beliefs.append(belief_document(game, r) if why is None else why)
    if args.json:
        docs = [r.to_dict() for r in results]
        for d, b in zip(docs, beliefs):
            if isinstance(b, str):
                d.setdefault("details", {}).update({"belief_thresholds": "unavailable", "belief_thresholds_reason": b})
            elif b is not None:
                d.setdefault("details", {})["belief_thresholds"] = b
        if isinstance(game, ExtensiveFormGame):  # each equilibrium's play and choices by name
            from analysis.render import play_document
            from sim.extensive.names import decision_point_names

            names = decision_point_names(game)
            for d, r in zip(docs, results):
                for e, eq in zip(d["equilibria"], r.equilibria):
                    e.update(play_document(game, eq, names))
        doc = {"source": source_document(args.path, args.overrides), "game": game_to_dict(game), "results": docs}
        # allow_nan=False: a non-finite number would make the document invalid JSON; fail instead.
        print(json.dumps(doc, indent=2, allow_nan=False, default=_no_json_form))
    else:
        print(format_game(game))
        for r, b in zip(results, beliefs):
            print(format_result(r, tree=game if isinstance(game, ExtensiveFormGame) else None))
            choice = r.details.get("method_choice")
            if choice is not None and choice["fallback"]:
                print(f"  method: {choice['used']} instead of {choice['default']} ({choice['reason']})")
            if isinstance(b, str):
                print(f"  belief thresholds: unavailable ({b})")
            for line in belief_lines(b) if isinstance(b, dict) else ():
                print(f"  {line}")
    return 0
