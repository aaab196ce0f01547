"""``bargain compare SOURCE... [--at NAME=VALUE[,NAME=VALUE]]... [--json]``.

* Scenario files: each is solved at its defaults (and at every ``--at`` setting of the first one),
  sequential ones for their subgame-perfect equilibria;
  the equilibria of each setting are matched to the first setting's, with payoff changes, who gains
  and who loses, and equilibria that vanish or appear.
* A sweep output folder: its regimes and where they hold, thresholds along each swept parameter
  (bisected on the scenario to ``--tol`` when the scenario file is found by its content hash, or
  given with ``--scenario``), outcome frequencies with Wilson intervals, and the sensitivity ranking.

Plain tables by default; ``--json`` prints one JSON document instead.
"""

from __future__ import annotations

import argparse


def parse_setting(text: str) -> dict[str, float]:
    """``NAME=VALUE[,NAME=VALUE...]`` for ``--at``."""
    out = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise argparse.ArgumentTypeError(f"--at expects NAME=VALUE[,NAME=VALUE]; got {text!r}")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"--at {name.strip()}: value must be a number; got {value!r}") from None
    return out


def register(sub) -> None:
    from analysis.arguments import positive_number

    p = sub.add_parser("compare", help="compare equilibria across scenarios, settings or a sweep")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="scenario files (.toml) or sweep output folders")
    p.add_argument("--at", action="append", type=parse_setting, default=[], metavar="NAME=VALUE[,...]",
                   help="a parameter setting of the first scenario to compare (repeatable)")
    p.add_argument("--method", "-m", default="enumpure", help="equilibrium method for scenario files (default enumpure)")
    p.add_argument("--tol", type=positive_number, default=1e-6,
                   help="profile-matching tolerance, and threshold bisection tolerance (default 1e-6)")
    p.add_argument("--scenario", help="the scenario file a sweep ran on (default: found by content hash)")
    p.add_argument("--json", action="store_true", help="print a JSON document instead of tables")
    p.set_defaults(run=run)


def settings_of(sources, at, method):
    """The settings to compare: each scenario at its defaults, then the first one at each ``--at``."""
    from analysis.compare import Setting
    from sim.solvers import solve

    out = []
    for src in sources:
        tree = src.game if src.compiled.sequential else None
        out.append(Setting(src.scenario.id, src.results[0], {}, tree))
    if at:
        first = sources[0]
        for overrides in at:
            game = first.compiled.game(overrides)
            label = first.scenario.id + "[" + ", ".join(f"{k}={v:g}" for k, v in overrides.items()) + "]"
            # A sequential scenario's first result is that of the one tree default (spe with perfect
            # information, pbe else): compare like with like.
            if first.compiled.sequential:
                from sim.registry import solve_tree_default

                result = solve_tree_default(game)
            else:
                result = solve(game, method)
            out.append(Setting(label, result, overrides, game if first.compiled.sequential else None))
    return out


def run(args) -> int:
    import json
    from pathlib import Path

    from analysis.compare import compare_results, format_comparisons, format_sweep_summary, sweep_summary
    from analysis.sources import is_grid, load_sweep_source, solve_scenario
    from sim.errors import ScenarioError

    if not args.tol > 0:
        raise ScenarioError(f"--tol must be a positive number (got {args.tol})")
    scenarios, sweeps = [], []
    for text in args.sources:
        if Path(text).is_dir():
            sweeps.append(load_sweep_source(text, Path(args.scenario) if args.scenario else None))
        else:
            scenarios.append(solve_scenario(text, (args.method,)))
    if args.at and not scenarios:
        raise ScenarioError("--at needs a scenario file among the sources")
    doc: dict = {}
    if scenarios:
        settings = settings_of(scenarios, args.at, args.method)
        if len(settings) < 2:
            raise ScenarioError("comparing scenarios needs two of them, or one with --at settings "
                                f"(got {len(settings)} setting)")
        doc["comparisons"] = [c.to_dict() for c in compare_results(settings, tol=args.tol)]
    if sweeps:
        from analysis.sweep.paths import path_regimes

        doc["sweeps"] = []
        for s in sweeps:
            table = s.table
            if "path" in table.columns:  # a tree's regimes and outcomes by what happens on the path
                table = path_regimes(table).assign(outcome=table["path"].astype(str))
            summary = sweep_summary(table, s.compiled, method=s.manifest["methods"][0], tol=args.tol,
                                    grid=is_grid(s.manifest))
            doc["sweeps"].append({"folder": str(s.path), "scenario": s.manifest.get("scenario"), **summary})
    if args.json:
        print(json.dumps(doc, indent=2, allow_nan=False))
        return 0
    if scenarios:
        print(format_comparisons(compare_results(settings, tol=args.tol)))
    for s, summary in zip(sweeps, doc.get("sweeps", [])):
        print(f"sweep {s.path} ({s.manifest.get('scenario')})")
        print(format_sweep_summary(summary))
    return 0
