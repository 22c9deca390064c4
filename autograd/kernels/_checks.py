"""Argument checks shared by the kernels: every bad input is caught here, before Numba sees it.

>>> float_dtype("conv2d_forward", np.ones(2, np.float32), np.ones(2, np.float32))
dtype('float32')
>>> float_dtype("conv2d_forward", np.ones(2, np.float32), np.ones(2))
dtype('float64')
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import GradgateError


def float_dtype(op: str, *arrays: np.ndarray | None) -> np.dtype:
    """float32 when every given array is float32, else float64 (ints and bools promote).

    >>> float_dtype("matmul", np.ones(2, int), None)
    dtype('float64')
    """
    dtypes = [a.dtype for a in arrays if a is not None]
    for dt in dtypes:
        if dt.kind not in "biuf":
            raise GradgateError(f"{op}: expected real numbers, got an array of dtype {dt}")
    if all(dt == np.float32 for dt in dtypes):
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def kernel_array(a: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``a`` as the one array type the compiled kernels are built for: C-contiguous, aligned,
    writeable, of ``dtype`` (a copy only when needed). Read-only or strided inputs would
    otherwise make Numba compile another specialisation.

    >>> kernel_array(np.ones((3, 4))[:, ::2], np.dtype(np.float32)).flags.c_contiguous
    True
    """
    return np.require(a, dtype=dtype, requirements="CAW")


def pair(op: str, name: str, value: Any, minimum: int) -> tuple[int, int]:
    """``value`` as a pair of ints, each at least ``minimum``.

    >>> pair("max_pool2d_forward", "stride", (2, 1), 1)
    (2, 1)
    """
    try:
        h, w = value
        h, w = int(h), int(w)
        ok = h == value[0] and w == value[1] and min(h, w) >= minimum
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise GradgateError(f"{op}: {name} must be a pair of ints >= {minimum}; got {value!r}")
    return h, w


def check_ndim(op: str, name: str, a: np.ndarray, layout: str) -> None:
    """Raise unless ``a`` has one axis per letter group of ``layout`` (e.g. "(N, C, H, W)").

    >>> check_ndim("conv2d_forward", "x", np.ones((1, 2)), "(N, C, H, W)")
    Traceback (most recent call last):
    ...
    autograd.errors.GradgateError: conv2d_forward: x must have shape (N, C, H, W); got (1, 2)
    """
    if a.ndim != layout.count(",") + 1:
        raise GradgateError(f"{op}: {name} must have shape {layout}; got {a.shape}")


def check_shape(op: str, name: str, a: np.ndarray, expected: tuple[int, ...]) -> None:
    """Raise unless ``a.shape == expected``.

    >>> check_shape("conv2d_backward", "up", np.ones((1, 2)), (1, 2))
    """
    if a.shape != tuple(expected):
        raise GradgateError(f"{op}: {name} must have shape {tuple(expected)}; got {a.shape}")


def output_size(op: str, size: int, kernel: int, stride: int, pad: int) -> int:
    """Output length along one axis; raises when the kernel does not fit the padded input.

    >>> output_size("conv2d_forward", 32, 3, 1, 1)
    32
    """
    if kernel > size + 2 * pad:
        raise GradgateError(f"{op}: kernel size {kernel} is larger than the padded input "
                            f"size {size} + 2*{pad}")
    return (size + 2 * pad - kernel) // stride + 1
