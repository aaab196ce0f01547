"""``bargain hypotheses SCENARIO_OR_FOLDER...``: each claim's verdict at the defaults, its share of the
plausible box with a 95% interval, and the assumptions that decide it (see docs/hypotheses.md).

Exit 0 when every file was measured, 2 on bad input (one line on stderr, from the command line's
handler).
"""

from __future__ import annotations

#: Version of the ``--json`` document (docs/hypotheses.md); raised when a key changes meaning.
JSON_VERSION = 1


def register(sub) -> None:
    p = sub.add_parser("hypotheses", help="measure each scenario claim: at the defaults, over the plausible box, "
                                          "and which assumptions decide it",
                       description="For each [[claims]] entry: the verdict at the defaults; the share of the "
                                   "plausible box (the claim's sweep design, else every bounded parameter uniform "
                                   "over [min, max]) where it holds, with a 95% Wilson interval; each parameter's "
                                   "flip value; and a depth-3 classification tree read as rules. See "
                                   "docs/hypotheses.md.")
    p.add_argument("paths", nargs="+", metavar="SCENARIO_OR_FOLDER", help="scenario .toml files, or folders of them")
    p.add_argument("--samples", type=int, default=None, metavar="N",
                   help="points drawn from the box (default 1024 for claims measured in batches, 128 for those "
                        "solved one point at a time; a sweep's grid is used whole)")
    p.add_argument("--seed", type=int, default=0, help="seed of the draws (default 0)")
    form = p.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="print the reports as JSON (contract: docs/hypotheses.md)")
    form.add_argument("--summary", action="store_true",
                   help="print one line per claim, SCENARIO/CLAIM_ID: its verdict in a sentence (no timings, so "
                        "a document can quote it)")
    p.add_argument("--out", metavar="FILE", help="write the output to FILE instead of standard output")
    p.set_defaults(run=run)


def run(args) -> int:
    import json

    from analysis.hypotheses import _check, claim_report, format_reports, format_summary
    from analysis.lint import scenario_files
    from sim.scenario import compile_scenario, load_scenario

    _check(args.samples, args.seed)
    compiled = [compile_scenario(load_scenario(f)) for f in scenario_files(args.paths)]  # every file first
    reports = [claim_report(c, claim, samples=args.samples, seed=args.seed)
               for c in compiled for claim in c.scenario.claims]
    if args.json:
        text = json.dumps({"version": JSON_VERSION, "samples": args.samples, "seed": args.seed,
                           "files": [c.scenario.path for c in compiled],
                           "claims": [r.to_dict() for r in reports]}, indent=2, allow_nan=False,
                          default=_nan_safe)
    elif args.summary:
        text = format_summary(reports)
    else:
        text = format_reports(reports)
    if args.out:
        from analysis.io import write_atomic

        write_atomic(args.out, text + "\n")
    else:
        print(text)
    return 0


def _nan_safe(x):
    return None
