"""``bargain report SOURCE... --out FILE [--format html|md|pdf]``.

A SOURCE is a scenario file (solved on the spot) or a sweep output folder. The report is one
self-contained HTML file by default (inline SVG charts, no external assets), Markdown with the
charts as files beside it, or a PDF. It is written atomically; its path is printed.
"""

from __future__ import annotations


def register(sub) -> None:
    from analysis.arguments import positive_number

    p = sub.add_parser("report", help="write a self-contained report of scenarios and sweeps")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="scenario files (.toml) or sweep output folders")
    p.add_argument("--out", required=True, help="report file (.html, .md or .pdf)")
    p.add_argument("--format", choices=("html", "md", "pdf"), help="output format (default: from --out's suffix)")
    p.add_argument("--title", default="Bargaining report", help="report title")
    p.add_argument("--method", "-m", action="append", help="equilibrium method(s) for scenario files (default enumpure)")
    p.add_argument("--tol", type=positive_number, default=1e-6, help="matching and threshold tolerance (default 1e-6)")
    p.add_argument("--no-logit", action="store_true", help="leave out the logit QRE branch")
    p.set_defaults(run=run)


def run(args) -> int:
    import shlex

    from analysis.io import check_output
    from analysis.report import build_report, write_report
    from analysis.sources import load_source

    check_output(args.out)
    methods = tuple(dict.fromkeys(args.method or ["enumpure"]))
    sources = [load_source(s, methods) for s in args.sources]
    command = "bargain report " + " ".join(shlex.quote(a) for a in [*args.sources, "--out", args.out])
    report = build_report(sources, title=args.title, tol=args.tol, logit=not args.no_logit, command=command)
    path = write_report(report, args.out, args.format)
    print(f"report: {path}")
    return 0
