"""``bargain discover DIR --where COND [--method prim|cart] [--threshold 0.8] [--json] [--chart FILE]``.

Scenario discovery on a sweep output folder: where in the swept box a condition on the equilibria
holds (PRIM's box, or CART's rules). The condition syntax is :mod:`analysis.conditions`; the
methods are :mod:`analysis.discovery`; docs/discovery.md has a worked example.
"""

from __future__ import annotations

#: Version of the ``--json`` document (docs/discovery.md); raised when a key changes meaning.
JSON_VERSION = 1


def register(sub) -> None:
    p = sub.add_parser("discover", help="scenario discovery: where in a sweep's box a condition holds (PRIM, CART)",
                       description="Where in a sweep's parameter box does a condition on the equilibria hold? "
                                   "PRIM (peeling and pasting, Friedman and Fisher 1999, as EMA Workbench) finds a "
                                   "box with its coverage, density and quasi-p-values; CART a shallow tree read as "
                                   "rules. Conditions: 'outcome: PLAYER=ACTION[, ...]', 'path: [PLAYER.]MOVE=ACTION', "
                                   "'regime: R1' (or a regime's label), 'payoff: PLAYER >= NUMBER'. "
                                   "See docs/discovery.md.")
    p.add_argument("folder", metavar="DIR", help="a sweep output folder")
    p.add_argument("--where", action="append", required=True, metavar="COND",
                   help="the condition (repeat: every one must hold), e.g. 'outcome: Iran=halt'")
    p.add_argument("--all", action="store_true", dest="every",
                   help="outcome, path and payoff conditions must hold in every equilibrium of the point "
                        "(default: in some equilibrium; a payoff in the first one listed)")
    p.add_argument("--method", choices=("prim", "cart"), default="prim", help="PRIM (default) or CART")
    p.add_argument("--threshold", type=float, default=0.8,
                   help="density the chosen PRIM box must reach, in (0, 1] (default 0.8)")
    p.add_argument("--box", type=int, metavar="I",
                   help="report box I of PRIM's trajectory instead of the chosen one (EMA Workbench's select)")
    p.add_argument("--depth", type=int, default=3, help="depth of the CART tree (default 3)")
    p.add_argument("--solver", metavar="METHOD", help="the sweep's equilibrium method to read (default: its first)")
    p.add_argument("--scenario", help="the scenario file the sweep ran on (default: found by content hash)")
    p.add_argument("--json", action="store_true", help="print a JSON document instead of text")
    p.add_argument("--chart", metavar="FILE",
                   help="write charts (.png, .svg or .pdf): PRIM's trade-off to FILE and the chosen box to "
                        "FILE's name with -box added; CART's densest rule as a box to FILE")
    p.set_defaults(run=run)


def run(args) -> int:
    import json
    from pathlib import Path

    from analysis.discovery import discover, format_discovery
    from analysis.sources import load_sweep_source
    from sim.errors import ScenarioError

    if args.chart:
        suffix = Path(args.chart).suffix.lower()
        if suffix not in (".png", ".svg", ".pdf"):
            raise ScenarioError(f"--chart must end in .png, .svg or .pdf (got {args.chart!r})")
    src = load_sweep_source(args.folder, Path(args.scenario) if args.scenario else None)
    d = discover(src.table, args.where, compiled=src.compiled, solver=args.solver, method=args.method,
                 threshold=args.threshold, every=args.every, depth=args.depth, box=args.box)
    written = _charts(d, Path(args.chart)) if args.chart else []
    if args.json:
        doc = {"version": JSON_VERSION, "folder": str(src.path), "scenario": src.manifest.get("scenario"),
               **d.to_dict(), "charts": [str(p) for p in written]}
        print(json.dumps(doc, indent=2, allow_nan=False))
        return 0
    print(f"sweep {src.path} ({src.manifest.get('scenario')})")
    print(format_discovery(d))
    for p in written:
        print(f"chart: {p}")
    return 0


def _charts(d, path):
    """Draw the discovery's charts and write them; returns the paths written."""
    import io

    from analysis import charts
    from analysis.io import write_atomic

    figures = []
    if d.method == "prim":
        r = d.prim
        i = d.box_index
        figures.append((path, charts.discovery_tradeoff_chart(r.coverage, r.density, r.restricted_dims,
                                                              chosen=i, threshold=r.threshold)))
        if i is not None:
            b = r.box(i)
            full = dict(zip(b.names, zip(b.full_lower, b.full_upper)))
            title = f"PRIM box #{b.index}: coverage {b.coverage:.0%}, density {b.density:.0%}\n{' and '.join(d.where)}"
            figures.append((path.with_name(f"{path.stem}-box{path.suffix}"),
                            charts.discovery_box_chart(b.limits(), full, quasi_p=b.quasi_p, title=title)))
    else:
        holding = sorted(d.rules, key=lambda r: (-r.share, -r.n))
        if holding:
            rule = holding[0]
            limits = {}
            for name, op, t in rule.conditions:
                lo, hi = limits.get(name, d.ranges[name])
                limits[name] = (lo, min(hi, t)) if op == "<=" else (max(lo, t), hi)
            title = f"CART leaf: the condition holds at {rule.share:.0%} of {rule.n} points\n{' and '.join(d.where)}"
            figures.append((path, charts.discovery_box_chart(limits, d.ranges, title=title)))
    out = []
    for p, fig in figures:
        buf = io.BytesIO()
        fmt = p.suffix.lower().lstrip(".")
        fig.savefig(buf, format=fmt, dpi=200, metadata={"Date": None} if fmt == "svg" else None)
        write_atomic(p, buf.getvalue())
        out.append(p)
    return out
