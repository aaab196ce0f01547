"""Argument types the ``bargain`` commands share (argparse ``type=`` callables).

Each raises ``argparse.ArgumentTypeError`` naming the option and the bad text, so argparse ends
with one usage line and the reason.
"""

from __future__ import annotations

import argparse


def parse_assignment(text: str) -> tuple[str, float]:
    """``NAME=VALUE`` with a numeric value, for ``--set``.

    Examples
    --------
    >>> parse_assignment(" us_shield_cost =3")
    ('us_shield_cost', 3.0)
    >>> parse_assignment("cost")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: --set expects NAME=VALUE; got 'cost'
    """
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"--set expects NAME=VALUE; got {text!r}")
    try:
        return name.strip(), float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--set {name.strip()}: value must be a number; got {value!r}") from None
