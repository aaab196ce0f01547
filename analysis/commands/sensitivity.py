"""``bargain sensitivity DIR --indicator TEXT``: Sobol indices or Morris effects of an indicator over a
sweep whose design supports them (``design = "saltelli"`` or ``"morris"``; see docs/sensitivity.md).

Exit 0 on success, 2 on bad input (one line on stderr, from the command line's handler).
"""

from __future__ import annotations

#: Version of the ``--json`` document (docs/sensitivity.md).
JSON_VERSION = 1


def register(sub) -> None:
    p = sub.add_parser("sensitivity", help="global sensitivity (Sobol indices, Morris effects) of an indicator "
                                           "over a sweep",
                       description="Sobol first-order and total indices (a sweep with design = \"saltelli\") or "
                                   "Morris elementary effects (design = \"morris\") of an indicator read at every "
                                   "point: 'outcome: PLAYER=ACTION' (in some equilibrium), 'payoff: PLAYER' (in the "
                                   "selected equilibrium) or 'regime: LABEL'. See docs/sensitivity.md.")
    p.add_argument("folder", metavar="DIR", help="a sweep output folder")
    p.add_argument("--indicator", required=True, metavar="TEXT",
                   help="what to measure, e.g. 'outcome: Iran=halt', 'payoff: US', 'regime: R1'")
    p.add_argument("--method", choices=["sobol", "morris"], default=None,
                   help="the analysis (default: the one the sweep's design supports)")
    p.add_argument("--solver", metavar="METHOD", default=None,
                   help="which of the sweep's equilibrium methods to read (default: its first)")
    p.add_argument("--scenario", metavar="FILE", default=None,
                   help="the scenario the sweep ran on (default: found by its content hash)")
    p.add_argument("--resamples", type=int, default=1000, metavar="N", help="bootstrap resamples (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    p.add_argument("--json", action="store_true", help="print the result as JSON (contract: docs/sensitivity.md)")
    p.add_argument("--chart", metavar="FILE", help="also draw the indices into FILE (.png, .svg or .pdf)")
    p.set_defaults(run=run)


def run(args) -> int:
    import json

    from analysis.sensitivity import format_sensitivity, sweep_sensitivity
    from analysis.sources import load_sweep_source
    from sim.errors import ScenarioError

    if args.resamples < 1:
        raise ScenarioError(f"--resamples must be a positive integer (got {args.resamples})")
    if args.chart and not args.chart.lower().endswith((".png", ".svg", ".pdf")):
        raise ScenarioError(f"--chart must end in .png, .svg or .pdf (got {args.chart!r})")
    src = load_sweep_source(args.folder, args.scenario)
    rep = sweep_sensitivity(src, args.indicator, method=args.method, solver=args.solver,
                            resamples=args.resamples, seed=args.seed)
    if args.chart:
        _write_chart(rep, args.chart)
    if args.json:
        print(json.dumps({"version": JSON_VERSION, **rep.to_dict()}, indent=2))
    else:
        print(format_sensitivity(rep))
        if args.chart:
            print(f"chart: {args.chart}")
    return 0


def _write_chart(rep, out: str) -> None:
    import io
    from pathlib import Path

    from analysis.charts import sensitivity_chart
    from analysis.io import write_atomic

    fig = sensitivity_chart(rep.result, title=f"Sensitivity of {rep.indicator!r}")
    fmt = Path(out).suffix.lower().lstrip(".")
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=200, metadata={"Date": None} if fmt == "svg" else None)
    write_atomic(Path(out), buf.getvalue())
