"""Argument types the ``bargain`` commands share (argparse ``type=`` callables).

Each raises ``argparse.ArgumentTypeError`` naming the bad text (argparse adds the option), so the
command line ends with one line, ``bargain CMD: error: argument --opt: the reason`` (see
:class:`analysis.cli.OneLineParser`).
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



def positive_number(text: str) -> float:
    """A finite number greater than 0, for ``--tol`` (argparse names the option before the message).

    Examples
    --------
    >>> positive_number("1e-6")
    1e-06
    >>> positive_number("nan")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: must be a finite number greater than 0; got 'nan'
    """
    import math

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number greater than 0; got {text!r}")
    return value
