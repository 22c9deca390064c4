"""Axis and shape arguments: the one check behind every op that takes an axis (reductions,
transpose, softmax, cat, stack) or a shape (reshape).

Each axis is checked *before* it is wrapped, as NumPy does: ``transpose(1, 2)`` of a 2-d
Value is an error, never a quiet ``transpose(1, 0)``.

>>> axis_index("sum", -1, 3)
2
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import GradgateError


def is_int(n: Any) -> bool:
    """True for Python and NumPy integers, False for bools, floats and everything else.

    >>> is_int(2), is_int(np.int64(2)), is_int(2.0), is_int(True)
    (True, True, False, False)
    """
    return isinstance(n, (int, np.integer)) and not isinstance(n, (bool, np.bool_))


def axis_index(op: str, axis: Any, ndim: int) -> int:
    """``axis`` of a ``ndim``-d Value as an int in ``[0, ndim)``; negative axes count from
    the end.  Anything else raises a :class:`GradgateError` naming ``op``.

    >>> axis_index("softmax", 1, 2)
    1
    >>> try:
    ...     axis_index("transpose", 2, 2)
    ... except GradgateError as err:
    ...     print(err)
    transpose: axis 2 is out of range for a 2-d Value (axes run from -2 to 1)
    """
    if not is_int(axis):
        raise GradgateError(f"{op}: an axis must be an int; got {axis!r} "
                            f"({type(axis).__name__})")
    if not -ndim <= axis < ndim:
        span = f"axes run from {-ndim} to {ndim - 1}" if ndim else "it has no axes"
        raise GradgateError(f"{op}: axis {axis} is out of range for a {ndim}-d Value ({span})")
    return int(axis) % ndim


def shape_arg(op: str, shape: Any) -> tuple[int, ...]:
    """A target shape (ints, at most one -1) as a tuple of Python ints.

    >>> shape_arg("reshape", (2, np.int64(-1)))
    (2, -1)
    """
    if not all(is_int(n) for n in shape):
        bad = next(n for n in shape if not is_int(n))
        raise GradgateError(f"{op}: a shape must be ints; got {bad!r} ({type(bad).__name__}) "
                            f"in {tuple(shape)!r}")
    out = tuple(int(n) for n in shape)
    if any(n < -1 for n in out) or out.count(-1) > 1:
        raise GradgateError(f"{op}: shape {out} may hold sizes >= 0 and at most one -1 "
                            "(the size inferred from the rest)")
    return out
