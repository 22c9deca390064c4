"""Argument checks shared by the kernels: every bad input is caught here, before Numba sees it.
(The dtype rule and int-or-pair arguments are the engine's: :mod:`autograd.utils`.)

>>> check_shape("conv2d_backward", "up", np.ones((1, 2)), (1, 2))
"""

from __future__ import annotations

import numpy as np

from ..errors import GradgateError


def kernel_array(a: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``a`` as the one array type the compiled kernels are built for: C-contiguous, aligned,
    writeable, of ``dtype`` (a copy only when needed). Read-only or strided inputs would
    otherwise make Numba compile another specialisation.

    >>> kernel_array(np.ones((3, 4))[:, ::2], np.dtype(np.float32)).flags.c_contiguous
    True
    """
    return np.require(a, dtype=dtype, requirements="CAW")


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
