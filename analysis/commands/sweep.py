"""``bargain sweep SWEEP.toml --out DIR [--workers N] [--scheduler ADDRESS] [--chunk-size K] [--resume | --overwrite]``."""

from __future__ import annotations

import argparse


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds; got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds; got {text!r}")
    return value


def register(sub) -> None:
    p = sub.add_parser("sweep", help="solve a scenario over a grid or sample of parameter points")
    p.add_argument("sweep", help="sweep file (.toml)")
    p.add_argument("--out", required=True, help="output folder (Parquet chunks and a manifest)")
    p.add_argument("--workers", type=_positive_int, help="local worker processes (default: all cores)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://host:8786")
    p.add_argument("--chunk-size", type=_positive_int, help="points per chunk (default from the sweep file)")
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted sweep in --out (its chunk size comes from the manifest)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace the sweep in --out (removes only sweep files: manifest, chunks, lock)")
    p.add_argument("--scheduler-timeout", type=_positive_float, metavar="SECONDS",
                   help="with --scheduler: longest wait for the scheduler, a first worker, or any worker (default 30)")
    p.add_argument("--in-process", action="store_true", help="run in this process (no workers)")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.add_argument("--events", action="store_true",
                   help="a grid sweep: list the grid cells where equilibria appear, vanish, merge or switch")
    p.set_defaults(run=run)


def run(args) -> int:
    import sys

    from analysis.kernels import announce_compiling
    from analysis.sweep import run_sweep
    from analysis.sweep.spec import load_sweep

    try:
        announce_compiling(load_sweep(args.sweep).methods)
    except ValueError:
        pass  # run_sweep names what is wrong with the file

    summary = run_sweep(
        args.sweep, args.out, workers=args.workers, scheduler=args.scheduler, chunk_size=args.chunk_size,
        resume=args.resume, overwrite=args.overwrite, scheduler_timeout=args.scheduler_timeout,
        executor="inprocess" if args.in_process else "processes",
        progress=not args.no_progress and sys.stderr.isatty() or False,
    )
    print(summary.format())
    if getattr(args, "events", False):
        from analysis.sweep.events import format_events, sweep_events

        print(format_events(sweep_events(args.out)))
    return 0
