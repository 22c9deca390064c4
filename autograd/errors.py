"""Errors and warnings the engine raises, and the checks that produce them.

>>> import warnings
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     warn_if_new_nonfinite("exp", float("inf"), [1000.0])
>>> str(caught[0].message)
'exp: forward produced inf (inputs: scalar 1000.0)'
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np


class GradgateError(ValueError):
    """A bad input to an op: the message names the op, the shapes and what was expected."""


class GraphFreedError(RuntimeError):
    """Backward through a graph whose saved intermediates a previous backward freed;
    ``op`` names the gate of the freed node.

    >>> GraphFreedError("conv2d: freed", op="conv2d").op
    'conv2d'
    """

    def __init__(self, message: str, op: str | None = None) -> None:
        super().__init__(message)
        self.op = op


class NonFiniteWarning(RuntimeWarning):
    """An op produced NaN or infinity from its inputs (forward) or gradients (backward)."""


def describe(x: Any) -> str:
    """Short description of raw data for messages: a scalar's value or an array's shape."""
    if isinstance(x, np.ndarray):
        return f"shape {x.shape}" if x.ndim else f"0-d value {x.item()!r}"
    return f"scalar {x!r}"


def warn_if_new_nonfinite(op: str, out: Any, inputs: Sequence[Any]) -> None:
    """The forward check: warn (NonFiniteWarning, naming ``op``) when ``out`` holds NaN or
    infinity that its inputs did not; NaN/inf already in an input was reported where it
    first appeared.  :func:`autograd.value.apply` calls this after every gate's forward.

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_if_new_nonfinite("mul", np.array([1.0, np.inf]), [np.ones(2)])
    ...     warn_if_new_nonfinite("mul", np.array([np.inf]), [np.array([np.inf])])
    >>> [str(w.message) for w in caught]
    ['mul: forward produced 1 of 2 elements of shape (2,) non-finite (inputs: shape (2,))']
    """
    if is_finite(out) or not all(is_finite(x) for x in inputs):
        return
    if isinstance(out, float):
        what = repr(out)
    else:
        bad = ~np.isfinite(out)
        what = f"{int(bad.sum())} of {out.size} elements of shape {out.shape} non-finite"
    shapes = ", ".join(describe(x) for x in inputs)
    warnings.warn(f"{op}: forward produced {what} (inputs: {shapes})", NonFiniteWarning,
                  stacklevel=4)


DOT_TEST_MIN = 4096
"""Elements from which :func:`is_finite` tries :func:`looks_finite` first: below it, silencing
NumPy's overflow warning costs more than the exact test."""


def looks_finite(x: Any) -> bool:
    """The cheap first test of a float array, one BLAS pass with no temporary: ``x·x`` is
    finite unless an element is NaN or infinite, or the sum overflows. True proves every
    element finite; False needs the exact test (:func:`is_finite`). Call it where NumPy's
    overflow and invalid-value warnings are silenced (``np.errstate``).

    >>> big = np.float32([3e38])  # finite, but its square overflows
    >>> with np.errstate(over="ignore", invalid="ignore"):
    ...     looks_finite(np.ones(3)), looks_finite(np.array([np.inf])), looks_finite(big)
    (True, False, False)
    """
    flat = x.ravel() if type(x) is np.ndarray else np.ravel(x)
    return math.isfinite(flat.dot(flat))


def is_finite(x: Any) -> bool:
    """True when a number or every element of an array is finite (no NaN, no inf).

    >>> big = np.full(5000, 3e38, np.float32)
    >>> is_finite(1.0), is_finite(np.array([1.0, np.nan])), is_finite(big)
    (True, False, True)
    """
    if isinstance(x, float):
        return math.isfinite(x)
    if type(x) is np.ndarray and x.size >= DOT_TEST_MIN and x.dtype.kind == "f":
        with np.errstate(over="ignore", invalid="ignore"):
            if looks_finite(x):
                return True
    return bool(np.isfinite(x).all())
