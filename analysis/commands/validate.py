"""``bargain validate PATH...``: check scenario and sweep files; one line per error, exit 2 if any is invalid.

A PATH is a scenario file, a sweep file (a ``[sweep]`` table and no ``[scenario]``) or a folder,
which stands for its ``*.toml`` files (not its subfolders), as for ``bargain lint``. A sweep file
is checked as ``bargain sweep`` checks it before writing anything: its own fields, its scenario,
every grid value and every distribution's range against the parameter's bounds, chance
probabilities at the corners of the swept box, and each method run at the first and last point;
a quasi-random design (``sobol``, ``saltelli``) whose ``n`` is not a power of two gets a warning
(Sobol points are balanced only in powers of two), which does not fail the file. Every error of a file is printed, each on its own line as
``PATH:LINE: field (goal).path: what is wrong (got VALUE)`` (the line and the goal when known).
A folder without any ``.toml`` file is an error too: nothing would have been checked.
"""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("validate", help="check scenario and sweep files (exit 2 and one line per error if any is invalid)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="scenario or sweep .toml files, or folders of them")
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
        if _is_sweep(path):
            failed += not _validate_sweep(path)
            continue
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


def _is_sweep(path) -> bool:
    """A sweep file: a ``[sweep]`` table and no ``[scenario]`` (an unreadable file is a scenario's
    to report, with the scenario loader's message)."""
    from sim.errors import ScenarioError
    from sim.inputs import parse_toml, read_bounded

    try:
        doc = parse_toml(read_bounded(path).decode("utf-8"))
    except (ScenarioError, ValueError, OSError, UnicodeDecodeError):
        return False
    return isinstance(doc, dict) and "sweep" in doc and "scenario" not in doc


def _validate_sweep(path) -> bool:
    import sys

    from analysis.io import file_sha256
    from analysis.sweep.precheck import check_sweep
    from analysis.sweep.run import chunk_table, scenario_model
    from analysis.sweep.spec import load_sweep
    from sim.errors import ScenarioError

    try:
        spec = load_sweep(path)
        model = scenario_model(str(spec.scenario_path), file_sha256(spec.scenario_path))
        check_sweep(spec, model, chunk_table)
    except ScenarioError as exc:
        for error in getattr(exc, "errors", None) or [exc]:
            print(" ".join(error.located().split()), file=sys.stderr)
        return False
    n = spec.sample_n if spec.grid is None else None
    if n is not None and spec.design in ("sobol", "saltelli") and n & (n - 1):
        print(f"{path}: sweep.sample.n: warning: a {spec.design} design is balanced only for a power of two "
              f"points; {n} is not (use {1 << (n - 1).bit_length() >> 1} or {1 << (n - 1).bit_length()})",
              file=sys.stderr)
    print(f"{path}: ok (sweep of {spec.scenario_path.name}: {spec.n_points:,} points, "
          f"methods {', '.join(spec.methods)})")
    return True
