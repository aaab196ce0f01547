"""``bargain validate PATH...``: check scenario files; one line per error, exit 2 if any is invalid.

A PATH is a scenario file or a folder, which stands for its ``*.toml`` files (not its subfolders),
as for ``bargain lint``. Every error of a file is printed, each on its own line as
``PATH:LINE: field (goal).path: what is wrong (got VALUE)`` (the line and the goal when known).
A folder without any ``.toml`` file is an error too: nothing would have been checked.
"""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("validate", help="check scenario files (exit 2 and one line per error if any is invalid)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="scenario .toml files, or folders of them")
    p.set_defaults(run=run)


def run(args) -> int:
    import sys

    from analysis.lint import scenario_files
    from sim.errors import ScenarioError
    from sim.scenario import compile_scenario, load_scenario

    failed = 0
    paths = []
    for arg in args.paths:
        files = scenario_files([arg])
        if not files:
            failed += 1
            print(f"{arg}: no scenario files (*.toml) in this folder", file=sys.stderr)
        paths.extend(files)
    for path in paths:
        try:
            # Compiling too catches what only the whole game shows (size of the tensor).
            compiled = compile_scenario(load_scenario(path))
        except ScenarioError as exc:
            failed += 1
            for error in exc.errors:
                # One line per error: a message may quote multi-line TOML diagnostics.
                print(" ".join(error.located().split()), file=sys.stderr)
            if exc.truncated:
                print(f"{path}: stopped after {len(exc.errors)} errors", file=sys.stderr)
            continue
        kind = "sequential" if compiled.sequential else "simultaneous"
        print(f"{path}: ok ({len(compiled.players)} players, {kind}, {compiled.n_outcomes} outcomes, "
              f"{len(compiled.parameter_names)} parameters)")
    return 2 if failed else 0
