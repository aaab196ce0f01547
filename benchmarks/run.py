"""Run the benchmarks and print one table: ``python -m benchmarks.run [--quick] [NAME...]``.

Every module ``benchmarks/bench_<name>.py`` is discovered and run (``NAME`` selects modules by
``<name>``; none means all). A module exposes one function::

    def run(quick: bool) -> list[dict]

returning one row per (benchmark, implementation) measured in that same run, with the keys

``benchmark``
    What is measured, including the workload (``"enumpure 4p x 3a, 10,000 games"``).
``implementation``
    Whose code: ``"bargain-sim"`` for ours (the reference row of the benchmark), else the peer
    and the function used (``"pygambit enumpure_solve"``).
``games_per_s`` or ``median_ms``
    Throughput (higher is better) or median time per game or per call (lower is better).
``ratio_vs_ours``
    How many times faster ours is than this row (``ours / theirs`` for throughput,
    ``theirs / ours`` for times): above 1 means ours is faster; 1.0 on our own row.

and optionally ``note`` (a skip's reason, the sample size an extrapolation rests on, whether the
answers agreed with ours). A row without a measurement (a skipped peer) carries only ``note``.
``quick=True`` must finish in a few seconds (smaller workloads, fewer repeats); the full run is
what the documentation quotes.

Exit status: 0 when every module ran, 1 when one raised (its traceback is printed, the others
still run).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import platform
import sys
import time
import traceback
from pathlib import Path

COLUMNS = ("benchmark", "implementation", "games_per_s", "median_ms", "ratio_vs_ours", "note")


def discover() -> list[str]:
    """Names ``<name>`` of the ``bench_<name>`` modules of this package, sorted."""
    folder = str(Path(__file__).resolve().parent)
    return sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules([folder]) if m.name.startswith("bench_"))


def _format(key: str, value) -> str:
    if value is None:
        return ""
    if key == "games_per_s":
        return f"{value:,.0f}"
    if key == "median_ms":
        return f"{value:,.3f}" if value < 10 else f"{value:,.1f}"
    if key == "ratio_vs_ours":
        return f"{value:,.1f}x" if value >= 10 else f"{value:,.2f}x"
    return str(value)


def format_table(rows: list[dict]) -> str:
    """Rows as a fixed-width text table (columns with no value anywhere are dropped)."""
    columns = [c for c in COLUMNS if any(r.get(c) is not None for r in rows)]
    cells = [[_format(c, r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[j]) for row in cells)) for j, c in enumerate(columns)]
    numeric = {"games_per_s", "median_ms", "ratio_vs_ours"}

    def line(values):
        return "  ".join(v.rjust(w) if c in numeric else v.ljust(w)
                         for c, v, w in zip(columns, values, widths)).rstrip()

    return "\n".join([line(columns), line(["-" * w for w in widths]), *(line(r) for r in cells)])


def machine() -> str:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    import numpy as np

    return (f"{platform.machine()} {platform.processor() or ''}".strip()
            + f", {cores} usable cores, Python {platform.python_version()}, NumPy {np.__version__}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small workloads, a few seconds per module")
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmark modules to run (default: all)")
    args = parser.parse_args(argv)

    available = discover()
    unknown = [n for n in args.names if n not in available]
    if unknown:
        parser.error(f"unknown benchmark {unknown}; choose from {available}")
    names = args.names or available

    print(f"machine: {machine()}")
    rows, failed = [], []
    for name in names:
        start = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.bench_{name}")
            rows.extend(module.run(args.quick))
        except Exception:  # one broken benchmark must not hide the others' numbers
            traceback.print_exc()
            failed.append(name)
        print(f"[{name}: {time.perf_counter() - start:.1f} s]", file=sys.stderr)
    if rows:
        print(format_table(rows))
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
