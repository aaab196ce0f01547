"""``bargain chart KIND SOURCE --out FILE.{png,svg,pdf}``: one chart of a scenario or a sweep.

The kinds, what each draws and the source it needs are the table
:data:`analysis.chart_kinds.CHART_KINDS` (``bargain chart --help`` lists them).
"""

from __future__ import annotations

import argparse

from analysis.arguments import parse_assignment
from analysis.chart_kinds import CHART_KINDS


def register(sub) -> None:
    kinds = "\n".join(f"  {name:<12} {k.summary}" for name, k in CHART_KINDS.items())
    p = sub.add_parser("chart", help="draw one chart of a scenario or a sweep into a file",
                       description=f"Draw one chart of a scenario or a sweep into a file.\n\nkinds:\n{kinds}",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("kind", choices=list(CHART_KINDS), help="which chart (see the list above)")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="a sweep output folder, or scenario file(s)")
    p.add_argument("--out", required=True, help="output file: .png, .svg or .pdf")
    p.add_argument("--x", help="parameter on the x axis (default: the sweep's first)")
    p.add_argument("--y", help="parameter on the y axis of a regime map (default: the sweep's second)")
    p.add_argument("--tol", type=float, default=1e-6, help="threshold bisection tolerance (default 1e-6)")
    p.add_argument("--set", action="append", type=parse_assignment, default=[], metavar="NAME=VALUE",
                   help="region-map: hold a parameter off the axes at VALUE (repeatable; the others stay at their "
                        "defaults; the chart states the slice)")
    p.set_defaults(run=run)


def run(args) -> int:
    import io
    from pathlib import Path

    from analysis.chart_kinds import make_chart
    from analysis.io import check_output, write_atomic
    from analysis.sources import load_source
    from sim.errors import ScenarioError

    fmt = Path(args.out).suffix.lower().lstrip(".")
    if fmt not in ("png", "svg", "pdf"):
        raise ScenarioError(f"--out must end in .png, .svg or .pdf (got {args.out!r})")
    check_output(args.out)
    sources = [load_source(s) for s in args.sources]
    fixed = dict(args.set)
    if len(fixed) < len(args.set):
        twice = next(n for n, _ in args.set if sum(m == n for m, _ in args.set) > 1)
        raise ScenarioError(f"--set gives {twice} twice")
    fig = make_chart(args.kind, sources, x=args.x, y=args.y, tol=args.tol, fixed=fixed)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=200, metadata={"Date": None} if fmt == "svg" else None)
    write_atomic(Path(args.out), buf.getvalue())
    print(f"chart: {args.out}")
    return 0
