"""``bargain regions SCENARIO``: where in the parameter box each pure equilibrium holds, as exact
inequalities, in words, with its share of the box and the overlaps (see docs/exploration.md).

Exit 0 on success, 2 on bad input (one line on stderr, from the command line's handler).
"""

from __future__ import annotations

from analysis.arguments import parse_assignment


def register(sub) -> None:
    p = sub.add_parser("regions", help="the exact parameter region of every pure equilibrium, in words and shares",
                       description="For a simultaneous scenario, every pure Nash equilibrium; for a sequential one, "
                                   "every subgame-perfect strategy profile (named by its path; reduced strategies "
                                   "in a tree with imperfect information), or with --concept nash every pure Nash "
                                   "equilibrium of the tree's reduced normal form: the region of the parameter box where it is an equilibrium, as a minimal "
                                   "set of inequalities (redundant ones removed by linear programming), in words, "
                                   "with its share of the box and the regions that overlap. The box is every varied "
                                   "parameter uniform over [min, max]. See docs/exploration.md.")
    p.add_argument("scenario", metavar="SCENARIO", help="scenario .toml file")
    p.add_argument("--vary", nargs="+", metavar="NAME",
                   help="the parameters to vary (default: every parameter with finite bounds, except those set "
                        "and chance probabilities)")
    p.add_argument("--set", action="append", type=parse_assignment, default=[], metavar="NAME=VALUE",
                   help="hold a parameter at a value (repeatable); the others not varied stay at their defaults")
    p.add_argument("--samples", type=int, default=20_000, metavar="N",
                   help="Monte Carlo points for shares that are not exact (default 20000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the Monte Carlo points (default 0)")
    p.add_argument("--concept", choices=("spe", "nash"), default=None,
                   help="for a sequential scenario: subgame-perfect profiles (spe, the default) or the pure Nash "
                        "equilibria of the tree's reduced normal form (nash)")
    p.add_argument("--json", action="store_true", help="print the regions as JSON (contract: docs/exploration.md)")
    p.set_defaults(run=run)


def run(args) -> int:
    import json

    from sim.regions import equilibrium_regions
    from sim.scenario import compile_scenario, load_scenario

    compiled = compile_scenario(load_scenario(args.scenario))
    result = equilibrium_regions(compiled, vary=args.vary, fixed=dict(args.set), samples=args.samples,
                                 seed=args.seed, concept=args.concept)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, allow_nan=False))
    else:
        print(result.format_text())
    return 0
