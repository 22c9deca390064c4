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
