"""``bargain lint PATH...``: warnings an analyst needs before trusting a scenario.

Exit 0 when the files are valid (with or without warnings), 1 with ``--fail-on-warning`` when
there is a warning, 2 on bad input (one line on stderr, from the command line's handler).
"""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("lint", help="warn about inert goals and parameters, ties at the defaults and loose ends",
                       description="Warn about what is valid but probably not meant: goals and parameters that "
                                   "cannot change any equilibrium, ties at the defaults, unused parameters, players "
                                   "without goals, quotes used for goals of opposite sign, unflagged sequential "
                                   "timings. See docs/lint.md.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="scenario .toml files, or folders of them")
    p.add_argument("--json", action="store_true", help="print the reports as JSON")
    p.add_argument("--fail-on-warning", action="store_true", help="exit 1 when there is any warning")
    p.add_argument("--sample", type=int, default=512, metavar="N",
                   help="points of the sampled tests (default 512): exactly N, except at most 16 for a tree with "
                        "imperfect information too large for pbe (then each point is one spe solve)")
    p.add_argument("--seed", type=int, default=0, help="seed of the sample (default 0)")
    p.set_defaults(run=run)


def run(args) -> int:
    import json

    from analysis.lint import format_reports, lint_paths

    reports = lint_paths(args.paths, sample=args.sample, seed=args.seed)
    if args.json:
        print(json.dumps({"files": [r.to_dict() for r in reports],
                          "warnings": sum(len(r.warnings) for r in reports)}, indent=2))
    else:
        print(format_reports(reports))
    return 1 if args.fail_on_warning and any(r.warnings for r in reports) else 0
