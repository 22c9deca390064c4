"""Argument types shared by the subcommands: each turns one word into a checked value or
raises ``argparse.ArgumentTypeError`` (argparse prints it in one line, exit status 2).

>>> positive_int("3"), positive_float("0.5"), sizes("32,16")
(3, 0.5, [32, 16])
"""

from __future__ import annotations

import argparse
import math


def positive_int(text: str) -> int:
    """A whole number >= 1.

    >>> positive_int("0")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: expected a positive whole number, got '0'
    """
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0.

    >>> positive_float("inf")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: expected a positive number, got 'inf'
    """
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def sizes(text: str) -> list[int]:
    """Comma-separated layer sizes, each >= 1.

    >>> sizes("8,x")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: expected sizes like 32,32, got '8,x'
    """
    try:
        values = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        values = []
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected sizes like 32,32, got {text!r}")
    return values
