"""``bargain chart KIND SOURCE --out FILE.{png,svg,pdf}``: one chart of a scenario or a sweep.

Kinds: ``regime-map`` (sweep, two parameters), ``along`` (sweep, one parameter), ``frequencies``
(sweep), ``tornado`` (sweep or scenario), ``payoffs`` (scenario files), ``tree`` (a sequential
scenario, with its first subgame-perfect path), ``qre`` (a simultaneous scenario's logit branch),
``frontier`` (a two-player ``[bargaining]`` table: frontier, disagreement point, solutions),
``repeated`` (a scenario with a ``[repeated]`` table: feasible and individually rational payoffs,
minmax point, stage equilibria, cooperation targets with their discount thresholds; with more
than two players ``--x`` and ``--y`` name the two players to project on).
"""

from __future__ import annotations

KINDS = ("regime-map", "along", "frequencies", "tornado", "payoffs", "tree", "qre", "frontier", "repeated")


def register(sub) -> None:
    p = sub.add_parser("chart", help="draw one chart of a scenario or a sweep into a file")
    p.add_argument("kind", choices=KINDS, help="which chart")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="a sweep output folder, or scenario file(s)")
    p.add_argument("--out", required=True, help="output file: .png, .svg or .pdf")
    p.add_argument("--x", help="parameter on the x axis (default: the sweep's first)")
    p.add_argument("--y", help="parameter on the y axis of a regime map (default: the sweep's second)")
    p.add_argument("--tol", type=float, default=1e-6, help="threshold bisection tolerance (default 1e-6)")
    p.set_defaults(run=run)


def make_chart(kind: str, sources, *, x=None, y=None, tol: float = 1e-6):
    """The Figure of ``kind`` for loaded sources (see :func:`analysis.sources.load_source`)."""
    from analysis import charts
    from analysis.compare import (Setting, find_thresholds, outcome_frequencies, point_table, regime_key,
                                  sensitivity)
    from analysis.sources import ScenarioSource, SweepSource
    from sim.errors import ScenarioError

    src = sources[0]
    if kind in ("regime-map", "along", "frequencies") or (kind == "tornado" and isinstance(src, SweepSource)):
        if not isinstance(src, SweepSource):
            raise ScenarioError(f"chart {kind} needs a sweep output folder", path=str(src.path))
        params = list(src.manifest["parameters"])
        method = src.manifest["methods"][0]
        if kind == "regime-map":
            if len(params) < 2 and not (x and y):
                raise ScenarioError("a regime map needs a sweep over two parameters", path=str(src.path))
            names = regime_key(point_table(src.table, method)["regime"].value_counts().index.tolist())
            return charts.regime_map(src.table, x or params[0], y or params[1], method=method, names=names)
        if kind == "along":
            p = x or params[0]
            th = find_thresholds(src.table, src.compiled, method=method, tol=tol) if src.compiled is not None else ()
            return charts.along_parameter(src.table, p, method=method, thresholds=th)
        if kind == "frequencies":
            return charts.outcome_frequency_chart(outcome_frequencies(src.table, method))
        if src.compiled is None:
            raise ScenarioError("the tornado chart needs the scenario the sweep ran on (not found by content hash)",
                                path=str(src.path))
        pts = point_table(src.table, method)
        ranges = {c[6:]: (float(pts[c].min()), float(pts[c].max())) for c in pts.columns if c.startswith("param.")}
        return charts.tornado_chart(sensitivity(src.compiled, ranges=ranges))
    if not all(isinstance(s, ScenarioSource) for s in sources):
        raise ScenarioError(f"chart {kind} needs scenario files")
    if kind == "tornado":
        return charts.tornado_chart(sensitivity(src.compiled))
    if kind == "payoffs":
        return charts.payoff_bars([Setting(s.scenario.id, s.results[0]) for s in sources])
    if kind == "tree":
        if not src.compiled.sequential:
            raise ScenarioError("chart tree needs a sequential scenario", path=str(src.path))
        spe = src.results[0]  # subgame-perfect equilibria come first for a sequential scenario
        return charts.tree_chart(src.game, spe.equilibria[0].details["behaviour"] if spe.equilibria else None)
    if kind == "frontier":
        from sim import bargaining

        problem = bargaining.problem_from_scenario(src.scenario)
        if len(problem.players) != 2:
            raise ScenarioError(f"chart frontier needs two bargaining players (got {len(problem.players)})",
                                path=str(src.path))
        sols = {f.__name__.removesuffix("_solve"): f(problem) for f in (
            bargaining.nash_solve, bargaining.kalai_solve, bargaining.egalitarian_solve, bargaining.utilitarian_solve)}
        return charts.frontier_chart(sols["nash"].frontier, problem.disagreement,
                                     {k: v.point for k, v in sols.items()}, players=problem.players)
    if kind == "repeated":
        from sim.repeated import repeated_from_scenario

        analysis = repeated_from_scenario(src.scenario)  # refuses a scenario without [repeated]
        names = analysis.game.players
        pair = (x or names[0], y or names[1]) if len(names) > 2 or x or y else (0, 1)
        return charts.feasible_ir_chart(analysis, players=pair)
    if src.compiled.sequential:
        raise ScenarioError("chart qre needs a simultaneous-move scenario", path=str(src.path))
    from sim.solvers import solve

    return charts.qre_branch_chart(solve(src.normal_form, "logit"))


def run(args) -> int:
    import io
    from pathlib import Path

    from analysis.io import write_atomic
    from analysis.sources import load_source
    from sim.errors import ScenarioError

    fmt = Path(args.out).suffix.lower().lstrip(".")
    if fmt not in ("png", "svg", "pdf"):
        raise ScenarioError(f"--out must end in .png, .svg or .pdf (got {args.out!r})")
    sources = [load_source(s) for s in args.sources]
    fig = make_chart(args.kind, sources, x=args.x, y=args.y, tol=args.tol)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=200, metadata={"Date": None} if fmt == "svg" else None)
    write_atomic(Path(args.out), buf.getvalue())
    print(f"chart: {args.out}")
    return 0
