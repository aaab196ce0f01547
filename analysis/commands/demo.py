"""``bargain demo [--out DIR]``: the main job end to end.

Solves the founding scenarios in ``scenarios/``, runs the baseline grid sweep (and the Monte Carlo
sample, when present) of ``scenarios/sweeps/``, and writes one self-contained HTML report comparing
them, with each scenario's claims measured over their plausible boxes (the key findings state
their verdicts), printing where it is. About two minutes on two cores: the sweeps and the batched
claims take seconds each; most of the time is the Kaliningrad signalling claim, whose mixed
perfect Bayesian equilibria are solved one point at a time.
"""

from __future__ import annotations

from pathlib import Path

SWEEP = "baseline-grid.toml"
#: Sweeps the demo runs when present: the grid (regimes, thresholds) and the Monte Carlo sample
#: (outcome frequencies with intervals).
SWEEPS = (SWEEP, "baseline-montecarlo.toml")


def register(sub) -> None:
    p = sub.add_parser("demo", help="run the main job end to end and print where the report is")
    p.add_argument("--out", default="out/demo", help="output folder (default out/demo)")
    p.add_argument("--scenarios", default="scenarios", help="folder of scenario files (default scenarios)")
    p.set_defaults(run=run)


def run(args) -> int:
    import shutil
    import time

    from analysis.render import format_result
    from analysis.report import build_report, write_report
    from analysis.sources import load_sweep_source, solve_scenario
    from analysis.sweep import run_sweep
    from sim.errors import ScenarioError

    t0 = time.perf_counter()
    folder = Path(args.scenarios)
    files = sorted(folder.glob("*.toml"))
    sweep_file = folder / "sweeps" / SWEEP
    if not files or not sweep_file.is_file():
        raise ScenarioError(f"needs scenario files and sweeps/{SWEEP} (run from the project folder or pass "
                            "--scenarios)", path=str(folder))
    out = Path(args.out)
    sources = []
    for f in files:
        src = solve_scenario(f)
        sources.append(src)
        print(f"{src.scenario.id}: {format_result(src.results[0]).splitlines()[0]}")
    from analysis.sweep import load_sweep

    for name in SWEEPS:
        sweep_file = folder / "sweeps" / name
        if not sweep_file.is_file():
            continue  # the grid is required (checked above); the sample is a bonus
        sweep_out = out / Path(name).stem
        if sweep_out.exists():
            # A previous demo's sweep: start afresh so the report matches today's files.
            shutil.rmtree(sweep_out)
        summary = run_sweep(sweep_file, sweep_out, workers=2)
        print(summary.format().splitlines()[0])
        sources.append(load_sweep_source(sweep_out, scenario=load_sweep(sweep_file).scenario_path))
    import shlex

    given = ["--out", args.out] + (["--scenarios", args.scenarios] if args.scenarios != "scenarios" else [])
    report = build_report(sources, title="After Corfu: equilibria of the founding scenarios",
                          command="bargain demo " + " ".join(map(shlex.quote, given)))
    path = write_report(report, out / "report.html")
    print(f"report: {path} ({time.perf_counter() - t0:.1f} s)")
    return 0
