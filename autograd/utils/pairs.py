"""Int-or-pair arguments (kernel sizes, strides, paddings): one check for every caller.

>>> pair("max_pool2d", "kernel_size", (2, 3), minimum=1)
(2, 3)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import GradgateError


def _is_int(n: Any) -> bool:
    return isinstance(n, (int, np.integer)) and not isinstance(n, (bool, np.bool_))


def pair(op: str, name: str, value: Any, minimum: int = 0) -> tuple[int, int]:
    """``value`` (an int, or a pair of ints for rows and columns) as an ``(h, w)`` tuple of
    Python ints, each at least ``minimum``; anything else raises a :class:`GradgateError`
    (a ``ValueError``) naming ``op`` and ``name``.

    >>> pair("conv2d", "padding", 1)
    (1, 1)
    >>> pair("Conv2d", "stride", (0, 1), minimum=1)
    Traceback (most recent call last):
    ...
    autograd.errors.GradgateError: Conv2d: stride must be an int or a pair of ints >= 1; got (0, 1)
    """
    values = (value, value) if _is_int(value) else value
    if (not isinstance(values, (tuple, list)) or len(values) != 2
            or not all(_is_int(n) and n >= minimum for n in values)):
        raise GradgateError(f"{op}: {name} must be an int or a pair of ints >= {minimum}; "
                            f"got {value!r}")
    return int(values[0]), int(values[1])
