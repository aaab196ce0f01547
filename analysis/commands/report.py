"""``bargain report SOURCE... --out FILE [--format html|md|pdf]``.

A SOURCE is a scenario file (solved on the spot) or a sweep output folder. The report is one
self-contained, print-ready HTML file by default (inline SVG charts, no external assets),
Markdown with the charts as files beside it, or a PDF of the same HTML document (WeasyPrint). It
is written atomically; its path is printed. The report ends with the command that re-runs it,
every option given included.
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
    p.set_defaults(run=run, rerun_parser=p)


def rerun_command(parser, args, prog: str = "bargain report") -> str:
    """The command line that gives ``args`` again: the positional arguments, then every option
    whose value is not its default, in the parser's order (so an option added to the command is
    re-run without this function knowing it). Values parsed by a ``type`` that are not plain
    numbers or strings are written back as ``str(value)`` unless the value is a ``(name, number)``
    pair, written ``name=number`` (``--set``).

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser()
    >>> _ = p.add_argument("sources", nargs="+")
    >>> _ = p.add_argument("--title", default="Bargaining report")
    >>> _ = p.add_argument("--no-logit", action="store_true")
    >>> _ = p.add_argument("--set", action="append", default=[], type=lambda t: (t.split("=")[0], float(t.split("=")[1])))
    >>> print(rerun_command(p, p.parse_args(["a b.toml", "out/sweep", "--title", "Ours", "--no-logit", "--set", "x=2"])))
    bargain report 'a b.toml' out/sweep --title Ours --no-logit --set x=2.0
    """
    import argparse
    import shlex

    words: list[str] = []
    options: list[str] = []
    for action in parser._actions:  # argparse keeps no public list of a parser's arguments
        if isinstance(action, argparse._HelpAction) or action.dest in ("run", "rerun_parser"):
            continue
        value = getattr(args, action.dest, None)
        if not action.option_strings:
            words += [str(v) for v in (value if isinstance(value, list) else [value])]
            continue
        if value == action.default or value is None:
            continue
        flag = max(action.option_strings, key=len)
        if isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction)):
            options.append(flag)
            continue
        for v in value if isinstance(action, argparse._AppendAction) else [value]:
            if isinstance(v, tuple) and len(v) == 2:
                v = f"{v[0]}={v[1]}"
            options += [flag, str(v)]
    return prog + " " + " ".join(shlex.quote(w) for w in [*words, *options])


def run(args) -> int:
    from analysis.io import check_output
    from analysis.report import build_report, write_report
    from analysis.sources import load_source

    check_output(args.out)
    methods = tuple(dict.fromkeys(args.method or ["enumpure"]))
    sources = [load_source(s, methods) for s in args.sources]
    command = rerun_command(args.rerun_parser, args) if hasattr(args, "rerun_parser") else None
    report = build_report(sources, title=args.title, tol=args.tol, logit=not args.no_logit, command=command)
    path = write_report(report, args.out, args.format)
    print(f"report: {path}")
    return 0
