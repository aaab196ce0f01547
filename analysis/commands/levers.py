"""``bargain levers SCENARIO --lever NAME (--claim ID | --where "path: ...")``: the lever value that
makes an outcome hold in the most sampled worlds, and what it costs the player (docs/levers.md).

Exit 0 when measured, 2 on bad input (one line on stderr, from the command line's handler).
"""

from __future__ import annotations

#: Version of the ``--json`` document (docs/levers.md); raised when a key changes meaning.
JSON_VERSION = 1


def register(sub) -> None:
    from analysis.arguments import parse_assignment

    p = sub.add_parser("levers", help="find the value of a parameter a player controls that makes an outcome "
                                      "hold in the most plausible worlds, with its cost to the player",
                       description="Robust levers: for each candidate value of LEVER (a parameter a player sets), "
                                   "measure an outcome (a claim of the scenario, or a condition on the equilibrium "
                                   "path) in a sample of worlds (every other bounded parameter uniform over its "
                                   "range), and the player's payoff there. Prints the most robust value, the "
                                   "values not dominated in (share, mean payoff), and a table. See docs/levers.md.")
    p.add_argument("scenario", metavar="SCENARIO", help="a scenario .toml file")
    p.add_argument("--lever", metavar="NAME",
                   help="the parameter the player controls (default: the scenario's one declared lever, a parameter "
                        "with lever = \"PLAYER\")")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--claim", metavar="ID", help="the outcome: a claim of the scenario's [[claims]]")
    what.add_argument("--where", metavar="CONDITION",
                      help="the outcome: 'path: MOVE=ACTION, MOVE=A1|A2' (or 'not path: ...') on the equilibrium path")
    p.add_argument("--player", metavar="PLAYER", help="whose payoff is traded off (default: the first player)")
    p.add_argument("--values", metavar="N_OR_LIST", default=None,
                   help="lever values: a count spread over the parameter's range (default 21) or a list '0,0.5,1'")
    p.add_argument("--samples", type=int, default=None, metavar="N",
                   help="worlds (default 256 when the outcome is measured in batches, else 64)")
    p.add_argument("--seed", type=int, default=0, help="seed of the worlds (default 0)")
    p.add_argument("--set", dest="overrides", action="append", type=parse_assignment, default=[],
                   metavar="NAME=VALUE", help="hold a parameter at VALUE in every world (repeatable)")
    p.add_argument("--json", action="store_true", help="print the report as JSON (contract: docs/levers.md)")
    p.add_argument("--chart", metavar="FILE", help="also draw the trade-off into FILE (.png, .svg or .pdf)")
    p.set_defaults(run=run)


def run(args) -> int:
    import io
    import json
    from pathlib import Path

    from analysis.io import write_atomic
    from analysis.levers import format_lever_report, lever_report, lever_values_sequence
    from sim.errors import ScenarioError
    from sim.scenario import compile_scenario, load_scenario

    fmt = Path(args.chart).suffix.lower().lstrip(".") if args.chart else None
    if fmt is not None and fmt not in ("png", "svg", "pdf"):
        raise ScenarioError(f"--chart must end in .png, .svg or .pdf (got {args.chart!r})")
    if args.chart:
        from analysis.io import check_output

        check_output(args.chart)
    compiled = compile_scenario(load_scenario(args.scenario))
    if args.lever is None:
        from analysis.levers import declared_levers

        declared = declared_levers(compiled)
        if len(declared) != 1:
            names = ", ".join(n for n, _ in declared) or "none"
            raise ScenarioError(f"name the lever: the scenario declares {len(declared)} (lever = \"PLAYER\" on a "
                                f"parameter): {names}", path=args.scenario, field="--lever")
        args.lever = declared[0][0]
    overrides = dict(args.overrides)
    for name in overrides:
        if name not in compiled.parameter_names:
            raise ScenarioError(f"no such parameter (got {name!r})", path=args.scenario, field="--set")
    if args.lever in overrides:
        raise ScenarioError(f"the lever varies; it cannot also be held fixed (got {args.lever!r})", path=args.scenario,
                            field="--set")
    values = lever_values_sequence(args.values) if args.values is not None else None
    report = lever_report(compiled, args.lever, claim=args.claim, where=args.where, player=args.player,
                          values=values, samples=args.samples, seed=args.seed, overrides=overrides)
    if args.chart:
        from analysis.charts import lever_chart

        buf = io.BytesIO()
        lever_chart(report).savefig(buf, format=fmt, dpi=200, metadata={"Date": None} if fmt == "svg" else None)
        write_atomic(Path(args.chart), buf.getvalue())
    if args.json:
        doc = {"version": JSON_VERSION, "file": args.scenario, "seed": args.seed, "overrides": overrides,
               **report.to_dict()}
        print(json.dumps(doc, indent=2, allow_nan=False))
    else:
        print(format_lever_report(report))
    return 0
