"""``bargain calibrate``: fit the model to what was observed (see docs/calibration.md).

Two sources, two questions:

* ``bargain calibrate DIR --observe "path: russia_kaliningrad=halt" [--observe ...] [--selected]``:
  the points of a sweep folder where some equilibrium (or the selected one) matches every
  observation, how each parameter's distribution shifts there, and the play there. Without
  ``--observe``, the ``[[observations]]`` of the sweep's scenario.
* ``bargain calibrate GAME --counts "PLAYER=N,N,..." [--counts ...]``: the maximum-likelihood logit
  QRE precision lambda of a normal-form game (a ``.nfg`` file or a simultaneous scenario) from
  how often each player chose each action (counts in the game's action order), with a
  profile-likelihood interval.
* ``bargain calibrate TREE --counts "MOVE=N,N,..." [--counts ...]``: the same for a tree (a
  sequential scenario or an ``.efg`` file) and its agent logit QRE, from how often each action
  was seen at a named move (one information set) or an information set given by its id.

Exit 0 on success, 2 on bad input (one line on stderr, from the command line's handler).
"""

from __future__ import annotations

from analysis.arguments import parse_assignment

#: Version of the ``--json`` documents (docs/calibration.md).
JSON_VERSION = 1


def register(sub) -> None:
    p = sub.add_parser("calibrate", help="keep the sweep points consistent with observed outcomes, or fit the "
                                         "logit QRE precision to observed choice counts",
                       description="With a sweep folder and --observe: the points where some (--selected: the "
                                   "selected) equilibrium matches every observation, each parameter's shift "
                                   "(quantiles, Kolmogorov-Smirnov D) and the play there. With a game (.nfg, or a "
                                   "simultaneous scenario .toml) and --counts: the maximum-likelihood logit QRE "
                                   "lambda with a profile-likelihood interval; with a tree (.efg, or a sequential "
                                   "scenario) the agent logit QRE's, from counts at named moves. See "
                                   "docs/calibration.md.")
    p.add_argument("source", metavar="DIR_OR_GAME", help="a sweep output folder, or a .nfg / .efg / scenario .toml file")
    p.add_argument("--observe", action="append", default=[], metavar="TEXT",
                   help="an observed outcome, e.g. 'path: russia_kaliningrad=halt' or 'outcome: Iran=halt' "
                        "(repeat for several; all must hold in one equilibrium; default: the [[observations]] "
                        "of the sweep's scenario)")
    p.add_argument("--selected", action="store_true",
                   help="require the point's selected equilibrium (the first one no other Pareto-dominates) "
                        "to match, not merely some equilibrium")
    p.add_argument("--solver", metavar="METHOD", default=None,
                   help="which of the sweep's equilibrium methods to read (default: its first)")
    p.add_argument("--scenario", metavar="FILE", default=None,
                   help="the scenario the sweep ran on (default: found by its content hash)")
    p.add_argument("--counts", action="append", default=[], metavar="PLAYER=N,N,...",
                   help="observed choices of one player, in the game's action order (repeat per player; "
                        "players not given count zero); on a tree, MOVE=N,N,... at a named move (or an "
                        "information set's id), in the move's action order")
    p.add_argument("--conf-level", type=float, default=0.95, metavar="P",
                   help="coverage of lambda's interval (default 0.95)")
    p.add_argument("--set", action="append", type=parse_assignment, default=[], metavar="NAME=VALUE",
                   help="a scenario parameter for the game of --counts (repeatable)")
    p.add_argument("--estimate-weights", metavar="NAME,NAME", default=None,
                   help="with --counts on a simultaneous scenario: estimate these parameters (goal weights or "
                        "values entering payoffs affinely) jointly with lambda, each with a profile-likelihood "
                        "interval; the other parameters fix the payoff scale")
    p.add_argument("--json", action="store_true", help="print the result as JSON (contract: docs/calibration.md)")
    p.add_argument("--chart", metavar="FILE",
                   help="also draw each parameter before and after the observations into FILE (.png, .svg, .pdf)")
    p.set_defaults(run=run)


def run(args) -> int:
    from pathlib import Path

    from sim.errors import ScenarioError

    if args.chart and not args.chart.lower().endswith((".png", ".svg", ".pdf")):
        raise ScenarioError(f"--chart must end in .png, .svg or .pdf (got {args.chart!r})")
    if Path(args.source).is_dir():
        if args.counts:
            raise ScenarioError("--counts fits a game's logit precision; give a .nfg or scenario file, "
                                f"not a sweep folder (got {args.source!r})")
        return _sweep(args)
    if args.observe:
        raise ScenarioError(f"--observe filters a sweep folder's points; {args.source!r} is not a folder")
    if not args.counts:
        raise ScenarioError(f"{args.source}: give --counts PLAYER=N,N,... for each observed player "
                            "(MOVE=N,N,... on a tree)")
    if args.chart:
        raise ScenarioError("--chart applies to a sweep folder's calibration")
    return _counts(args)


def _sweep(args) -> int:
    import json

    from analysis.calibration import calibrate, format_calibration, parameter_values, scenario_observations
    from analysis.sources import load_sweep_source
    from sim.errors import ScenarioError

    src = load_sweep_source(args.source, args.scenario)
    observe = args.observe or scenario_observations(src)
    if not observe:
        raise ScenarioError(f"{args.source}: give at least one --observe 'path: MOVE=ACTION' (the sweep's scenario "
                            "declares no [[observations]])")
    cal = calibrate(src, observe, selected=args.selected, solver=args.solver)
    if args.chart:
        import io
        from pathlib import Path

        from analysis.charts import calibration_chart
        from analysis.io import write_atomic

        fig = calibration_chart(parameter_values(src, cal))
        fmt = Path(args.chart).suffix.lower().lstrip(".")
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=200, metadata={"Date": None} if fmt == "svg" else None)
        write_atomic(Path(args.chart), buf.getvalue())
    if args.json:
        print(json.dumps({"version": JSON_VERSION, **cal.to_dict()}, indent=2))
    else:
        print(format_calibration(cal))
        if args.chart:
            print(f"chart: {args.chart}")
    return 0


def _weights(args, game, counts) -> int:
    import json

    from sim.errors import ScenarioError
    from sim.scenario import compile_scenario, load_scenario
    from sim.solvers.logit_estimate import logit_estimate_weights

    if not str(args.source).endswith(".toml"):
        raise ScenarioError(f"--estimate-weights estimates a scenario's parameters; give a scenario .toml "
                            f"(got {args.source!r})")
    names = [n.strip() for n in args.estimate_weights.split(",") if n.strip()]
    compiled = compile_scenario(load_scenario(args.source))
    est = logit_estimate_weights(compiled, counts, names, fixed=dict(args.set), conf_level=args.conf_level)
    if args.json:
        print(json.dumps({"version": JSON_VERSION, "game": str(args.source), **est.to_dict(),
                          "players": list(game.players), "actions": [list(a) for a in game.actions]}, indent=2))
        return 0
    lo, hi = est.lam_interval
    width = max(len(n) for n in ("lambda", *est.names))
    lines = [f"logit QRE precision and {', '.join(est.names)} fitted jointly to "
             f"{sum(sum(c) for c in counts):g} observed choices in {args.source}",
             f"(the other parameters fix the payoff scale: {', '.join(f'{k}={v:g}' for k, v in est.fixed.items())})",
             f"  {'lambda':<{width}}  {est.lam:<10.6g}  {est.conf_level:.0%} profile-likelihood interval "
             f"[{lo:.6g}, {hi:.6g}]"]
    for n, v, (a, b) in zip(est.names, est.values, est.intervals):
        lines.append(f"  {n:<{width}}  {v:<10.6g}  {est.conf_level:.0%} profile-likelihood interval [{a:.6g}, {b:.6g}]")
    lines.append(f"log-likelihood {est.log_like:.6g}")
    for i, p in enumerate(game.players):
        total = sum(counts[i])
        for a, (q, c) in enumerate(zip(est.profile[i], counts[i])):
            seen = f"{c / total:.3f}" if total else "-"
            lines.append(f"  {p}  {game.actions[i][a]}  QRE {q:.3f}   observed {seen} ({c:g})")
    print("\n".join(lines))
    return 0


def parse_counts(texts, game) -> list[list[float]]:
    """``PLAYER=N,N,...`` per player into counts in the game's order (players not named: zeros).

    Examples
    --------
    >>> from sim.game import NormalFormGame
    >>> g = NormalFormGame.from_bimatrix([[1, 0], [0, 1]], [[1, 0], [0, 1]])
    >>> parse_counts(["1=3,1"], g)
    [[3.0, 1.0], [0.0, 0.0]]
    """
    from sim.errors import ScenarioError

    out = [[0.0] * n for n in game.shape]
    seen = set()
    for text in texts:
        name, sep, body = text.rpartition("=")
        name = name.strip()
        if not sep or name not in game.players:
            raise ScenarioError(f"--counts expects PLAYER=N,N,... with PLAYER one of {list(game.players)} "
                                f"(got {text!r})")
        if name in seen:
            raise ScenarioError(f"--counts gives {name} twice (got {text!r})")
        seen.add(name)
        i = game.players.index(name)
        try:
            values = [float(v) for v in body.split(",")]
        except ValueError:
            values = []
        if len(values) != game.shape[i]:
            raise ScenarioError(f"--counts {name}: needs {game.shape[i]} numbers, one per action "
                                f"{list(game.actions[i])} (got {body.strip()!r})")
        out[i] = values
    return out


def _counts(args) -> int:
    import json

    from analysis.loading import load_game
    from sim.errors import ScenarioError
    from sim.game import NormalFormGame
    from sim.solvers.logit_estimate import logit_estimate

    game = load_game(args.source, dict(args.set) or None)
    if not isinstance(game, NormalFormGame):
        if args.estimate_weights:
            raise ScenarioError(f"{args.source}: --estimate-weights fits a simultaneous scenario; on a tree only "
                                "lambda is estimated (leave out --estimate-weights)")
        return _tree_counts(args, game)
    counts = parse_counts(args.counts, game)
    if args.estimate_weights:
        return _weights(args, game, counts)
    est = logit_estimate(game, counts, conf_level=args.conf_level)
    if args.json:
        print(json.dumps({"version": JSON_VERSION, "game": str(args.source), **est.to_dict(game)}, indent=2))
        return 0
    lo, hi = est.interval
    lines = [f"logit QRE precision fitted to {sum(sum(c) for c in counts):g} observed choices in {args.source}",
             f"lambda = {est.lam:.6g}{' (still rising at the Nash limit: a lower bound)' if est.at_limit else ''}"
             f"   {est.conf_level:.0%} profile-likelihood interval [{lo:.6g}, {hi:.6g}]",
             f"log-likelihood {est.log_like:.6g}"]
    pw = max(len(p) for p in game.players)
    aw = max(len(a) for acts in game.actions for a in acts)
    for i, p in enumerate(game.players):
        total = sum(counts[i])
        for a, (q, c) in enumerate(zip(est.profile[i], counts[i])):
            seen = f"{c / total:.3f}" if total else "-"
            lines.append(f"  {p:<{pw}}  {game.actions[i][a]:<{aw}}  QRE {q:.3f}   observed {seen} ({c:g})")
    print("\n".join(lines))
    return 0


def parse_tree_counts(texts) -> dict[str, list[float]]:
    """``MOVE=N,N,...`` texts into ``{move or information set: counts}`` (checked against the tree
    by :func:`sim.extensive.logit_estimate.observed_counts`). The name is everything before the
    last ``=``, so an information set's id such as ``russia_iran|us_plan=drop`` can be given.

    Examples
    --------
    >>> parse_tree_counts(["us_plan=2,9,1", "russia_iran|us_plan=drop=3,5"])
    {'us_plan': [2.0, 9.0, 1.0], 'russia_iran|us_plan=drop': [3.0, 5.0]}
    """
    from sim.errors import ScenarioError

    out: dict[str, list[float]] = {}
    for text in texts:
        name, sep, body = text.rpartition("=")
        name = name.strip()
        if not sep or not name:
            raise ScenarioError(f"--counts expects MOVE=N,N,... on a tree (got {text!r})")
        if name in out:
            raise ScenarioError(f"--counts gives {name} twice (got {text!r})")
        try:
            out[name] = [float(v) for v in body.split(",")]
        except ValueError:
            raise ScenarioError(f"--counts {name}: counts must be numbers separated by commas (got {body.strip()!r})") \
                from None
    return out


def _tree_counts(args, game) -> int:
    import json

    from sim.extensive.logit_estimate import agent_logit_estimate

    est = agent_logit_estimate(game, parse_tree_counts(args.counts), conf_level=args.conf_level)
    actions = {h: acts for h, (_, acts) in game.infosets.items()}
    if args.json:
        print(json.dumps({"version": JSON_VERSION, "game": str(args.source), "form": "agent", **est.to_dict(actions)},
                         indent=2))
        return 0
    lo, hi = est.interval
    total = sum(float(c.sum()) for c in est.counts.values())
    lines = [f"agent logit QRE precision fitted to {total:g} observed choices in {args.source}",
             f"lambda = {est.lam:.6g}{' (still rising at the branch limit: a lower bound)' if est.at_limit else ''}"
             f"   {est.conf_level:.0%} profile-likelihood interval [{lo:.6g}, {hi:.6g}]",
             f"log-likelihood {est.log_like:.6g}"]
    hw = max(len(h) for h in est.counts)
    aw = max(len(a) for h in est.counts for a in actions[h])
    for h, c in est.counts.items():
        n = float(c.sum())
        for a, (q, k) in enumerate(zip(est.behaviour[h], c)):
            seen = f"{k / n:.3f}" if n else "-"
            lines.append(f"  {h:<{hw}}  {actions[h][a]:<{aw}}  QRE {q:.3f}   observed {seen} ({k:g})")
    print("\n".join(lines))
    return 0
