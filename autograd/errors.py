"""Errors and warnings the engine raises, and the checks that produce them.

>>> import warnings
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     warn_if_nonfinite("exp", float("inf"))
>>> "exp" in str(caught[0].message)
True
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np


class GradgateError(ValueError):
    """A bad input to an op: the message names the op, the shapes and what was expected."""


class GraphFreedError(RuntimeError):
    """Backward through a graph whose saved intermediates a previous backward freed."""


class NonFiniteWarning(RuntimeWarning):
    """An op produced NaN or infinity from its inputs (forward) or gradients (backward)."""


def describe(x: Any) -> str:
    """Short description of raw data for messages: a scalar's value or an array's shape."""
    if isinstance(x, np.ndarray):
        return f"shape {x.shape}" if x.ndim else f"0-d value {x.item()!r}"
    return f"scalar {x!r}"


def warn_if_nonfinite(op: str, out: Any, stage: str = "forward") -> None:
    """Warn (NonFiniteWarning) when ``out`` holds NaN or infinity."""
    if isinstance(out, float):
        if math.isfinite(out):
            return
        what = repr(out)
    else:
        bad = ~np.isfinite(out)
        if not bad.any():
            return
        what = f"{int(bad.sum())} of {out.size} elements of shape {out.shape} non-finite"
    warnings.warn(f"{op}: {stage} produced {what}", NonFiniteWarning, stacklevel=4)


def warn_if_new_nonfinite(op: str, out: np.ndarray, inputs: tuple[np.ndarray, ...]) -> None:
    """Warn when ``out`` holds NaN/inf that its (finite) inputs did not: for kernels that
    numpy's error flags do not see (BLAS, Numba)."""
    if not np.isfinite(out).all() and all(np.isfinite(x).all() for x in inputs):
        warn_if_nonfinite(op, out)


class FloatErrors:
    """Collects numpy's floating-point error flags (overflow, invalid, divide) raised while
    one op runs, so the op can be named in a :class:`NonFiniteWarning`.

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     with FLOAT_ERRORS.watch():
    ...         _ = np.full(2, 1e308) * 10
    ...     FLOAT_ERRORS.report("mul", [])
    >>> "mul" in str(caught[0].message)
    True
    """

    def __init__(self) -> None:
        self.kinds: list[str] = []

    def __call__(self, kind: str, flag: int) -> None:
        if kind not in self.kinds:
            self.kinds.append(kind)

    def watch(self) -> np.errstate:
        """Context in which numpy reports floating-point errors here instead of warning."""
        self.kinds.clear()
        return np.errstate(over="call", invalid="call", divide="call", call=self)

    def report(self, op: str, inputs: list[Any]) -> None:
        """Warn, naming ``op`` and its inputs, if the last watched op raised a flag."""
        if self.kinds:
            kinds, self.kinds = " and ".join(self.kinds), []
            shapes = ", ".join(describe(x) for x in inputs)
            warnings.warn(f"{op}: {kinds} in forward produced NaN or infinity (inputs: {shapes})",
                          NonFiniteWarning, stacklevel=4)


FLOAT_ERRORS = FloatErrors()
