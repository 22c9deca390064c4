"""max_pool2d forward and backward on plain arrays: checks here, arithmetic in Numba.

No padding; windows that do not fit are dropped (floor). ``argmax`` holds, per output, the
flat index ``i*KW + j`` of the winning element inside its window; ties go to the first
maximum in row-major window order, a NaN wins its window (the first NaN).

>>> import numpy as np
>>> out, arg = max_pool2d_forward(np.array([[[[1.0, 3.0], [3.0, 2.0]]]]), (2, 2), (2, 2))
>>> out.item(), arg.item()
(3.0, 1)
"""

from __future__ import annotations

import numpy as np

from ..errors import GradgateError
from ..utils import common_float_dtype, pair
from ._checks import check_ndim, check_shape, kernel_array, output_size


def max_pool2d_forward(x: np.ndarray, kernel_size: tuple[int, int],
                       stride: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Max over each window of x (N,C,H,W): ``(out, argmax)``, both (N, C, OH, OW).

    ``argmax`` is int32. ``out`` has x's dtype (float32 stays float32, others become float64).

    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> out, arg = max_pool2d_forward(x, (2, 2), (2, 2))
    >>> out[0, 0].tolist(), arg[0, 0].tolist()
    ([[5.0, 7.0], [13.0, 15.0]], [[3, 3], [3, 3]])
    """
    from ._pool_numba import pool_forward
    from ._threads import launch

    op = "max_pool2d_forward"
    x = np.asarray(x)
    check_ndim(op, "x", x, "(N, C, H, W)")
    (kh, kw), (sh, sw) = pair(op, "kernel_size", kernel_size, 1), pair(op, "stride", stride, 1)
    n, c, h, w = x.shape
    oh, ow = output_size(op, h, kh, sh, 0), output_size(op, w, kw, sw, 0)
    x = kernel_array(x, common_float_dtype(op, x))
    out = np.empty((n, c, oh, ow), dtype=x.dtype)
    argmax = np.empty((n, c, oh, ow), dtype=np.int32)
    launch(pool_forward, out.size * kh * kw, x, kh, kw, sh, sw, out, argmax)
    return out, argmax


def max_pool2d_backward(up: np.ndarray, argmax: np.ndarray, x_shape: tuple[int, ...],
                        kernel_size: tuple[int, int], stride: tuple[int, int]) -> np.ndarray:
    """Route each upstream entry to its window's winner; overlapping windows add up.

    >>> up = np.array([[[[10.0]]]]); arg = np.array([[[[2]]]])
    >>> max_pool2d_backward(up, arg, (1, 1, 2, 2), (2, 2), (2, 2))[0, 0].tolist()
    [[0.0, 0.0], [10.0, 0.0]]
    """
    from ._pool_numba import pool_backward
    from ._threads import launch

    op = "max_pool2d_backward"
    up, argmax = np.asarray(up), np.asarray(argmax)
    x_shape = tuple(int(s) for s in x_shape)
    check_ndim(op, "up", up, "(N, C, OH, OW)")
    if len(x_shape) != 4:
        raise GradgateError(f"{op}: x_shape must be (N, C, H, W); got {x_shape}")
    (kh, kw), (sh, sw) = pair(op, "kernel_size", kernel_size, 1), pair(op, "stride", stride, 1)
    n, c, h, w = x_shape
    expected = (n, c, output_size(op, h, kh, sh, 0), output_size(op, w, kw, sw, 0))
    check_shape(op, "up", up, expected)
    check_shape(op, "argmax", argmax, expected)
    if argmax.dtype.kind not in "iu":
        raise GradgateError(f"{op}: argmax must hold integers; got dtype {argmax.dtype}")
    if argmax.size and (argmax.min() < 0 or argmax.max() >= kh * kw):
        raise GradgateError(f"{op}: argmax entries must lie in [0, {kh * kw}) for a "
                            f"{kh}x{kw} window; got [{argmax.min()}, {argmax.max()}]")
    up = kernel_array(up, common_float_dtype(op, up))
    argmax = kernel_array(argmax, np.dtype(np.int32))
    dx = np.empty(x_shape, dtype=up.dtype)  # every (n, c) image is zeroed by its task
    launch(pool_backward, dx.size, up, argmax, kw, sh, sw, dx)
    return dx
