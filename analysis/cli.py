"""The ``bargain`` command line.

Each subcommand lives in ``analysis/commands/<name>.py`` with ``register(subparsers)`` and
``run(args) -> int``; heavy libraries are imported inside ``run`` so ``bargain --help`` is fast.
Bad input (a project ``ValueError``, an unreadable file or a bad option) ends with one line on
stderr and exit code 2, never a traceback and never argparse's usage block; warnings raised by a
command that then fails are dropped, so that the error is the only line.
"""

from __future__ import annotations

import argparse
import importlib
import sys

class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line (``bargain solve: error: ...``) and exit 2.

    Subcommand parsers are made of the same class (argparse's default), so every command has it.
    """

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {' '.join(str(message).split())}\n")


COMMANDS = ["solve", "sweep", "demo", "validate", "lint", "hypotheses", "levers", "show", "export", "compare", "chart",
            "report", "discover", "sensitivity", "calibrate", "regions"]


class _Version(argparse.Action):
    """``--version``: the installed package's version, looked up only when asked for."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib.metadata import PackageNotFoundError, version

        try:
            text = version("bargain-sim")
        except PackageNotFoundError:
            text = "unknown (not installed)"
        print(f"bargain {text}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="bargain",
        description="Game-theoretic bargaining simulator: scenarios, equilibria, sweeps, reports.",
    )
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"analysis.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    import warnings

    parser = build_parser()
    args = parser.parse_args(argv)
    with warnings.catch_warnings(record=True) as caught:
        code = _run(args)
    if code == 0:  # a command that succeeded shows its warnings; one that failed shows only its error
        for w in caught:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    return code


def _run(args) -> int:
    try:
        return int(args.run(args) or 0)
    except BrokenPipeError:
        # The reader closed the pipe (``bargain ... | head``): not an error of ours (BrokenPipeError
        # is an OSError, so it is caught first). Point stdout at devnull so that Python's own flush
        # at exit does not fail again.
        import io
        import os

        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, io.UnsupportedOperation):
            pass
        return 0
    except (ValueError, OSError) as exc:
        # Project errors subclass ValueError and already name the file, field and value.
        message = str(exc) or type(exc).__name__
        more = getattr(exc, "errors", ())
        if len(more) > 1 and getattr(exc, "path", None) and message.endswith(")"):
            # A file with several errors: the library says how many; the command says where to see them.
            message = f"{message[:-1]}; run bargain validate {exc.path})"
        print(f"bargain {args.command}: error: {message}".splitlines()[0], file=sys.stderr)
        # The error is said in its one line: a lost Dask cluster's cancelled gathers would still be
        # reported by asyncio when their tasks are collected at exit ("Task exception was never
        # retrieved", with a traceback), after the executor restored its loggers.
        import logging

        logging.getLogger("asyncio").setLevel(logging.CRITICAL + 1)
        return 2
    except KeyboardInterrupt:
        print(f"bargain {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
