"""max_pool2d forward and backward on plain arrays: checks here, arithmetic in Numba.

Optional padding (at most half the window, as in PyTorch) adds -inf borders, which never win
a window; windows that do not fit are dropped (floor). ``argmax`` holds, per output, the
flat index ``i*KW + j`` of the winning element inside its window; ties go to the first
maximum in row-major window order, a NaN wins its window (the last NaN, as in PyTorch).

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


def check_padding(op: str, padding: object, kernel: tuple[int, int]) -> tuple[int, int]:
    """``padding`` as a pair, each at most half its window side (PyTorch's rule).

    >>> check_padding("max_pool2d", 1, (3, 2))
    (1, 1)
    """
    ph, pw = pair(op, "padding", padding, 0)
    if 2 * ph > kernel[0] or 2 * pw > kernel[1]:
        raise GradgateError(f"{op}: padding {(ph, pw)} must be at most half the "
                            f"{kernel[0]}x{kernel[1]} window")
    return ph, pw


def max_pool2d_forward(x: np.ndarray, kernel_size: tuple[int, int], stride: tuple[int, int],
                       padding: tuple[int, int] = (0, 0)) -> tuple[np.ndarray, np.ndarray]:
    """Max over each window of x (N,C,H,W): ``(out, argmax)``, both (N, C, OH, OW).

    ``argmax`` is int32, the winner's index in its window of the padded input. ``out`` has
    x's dtype (float32 stays float32, others become float64).

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
    ph, pw = check_padding(op, padding, (kh, kw))
    n, c, h, w = x.shape
    oh, ow = output_size(op, h, kh, sh, ph), output_size(op, w, kw, sw, pw)
    x = kernel_array(x, common_float_dtype(op, x))
    if ph or pw:
        padded = np.full((n, c, h + 2 * ph, w + 2 * pw), -np.inf, x.dtype)
        padded[:, :, ph:ph + h, pw:pw + w] = x
        x = padded
    out = np.empty((n, c, oh, ow), dtype=x.dtype)
    argmax = np.empty((n, c, oh, ow), dtype=np.int32)
    launch(pool_forward, out.size * kh * kw, x, kh, kw, sh, sw, out, argmax)
    return out, argmax


def max_pool2d_backward(up: np.ndarray, argmax: np.ndarray, x_shape: tuple[int, ...],
                        kernel_size: tuple[int, int], stride: tuple[int, int],
                        padding: tuple[int, int] = (0, 0)) -> np.ndarray:
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
    ph, pw = check_padding(op, padding, (kh, kw))
    n, c, h, w = x_shape
    expected = (n, c, output_size(op, h, kh, sh, ph), output_size(op, w, kw, sw, pw))
    check_shape(op, "up", up, expected)
    check_shape(op, "argmax", argmax, expected)
    if argmax.dtype.kind not in "iu":
        raise GradgateError(f"{op}: argmax must hold integers; got dtype {argmax.dtype}")
    if argmax.size and (argmax.min() < 0 or argmax.max() >= kh * kw):
        raise GradgateError(f"{op}: argmax entries must lie in [0, {kh * kw}) for a "
                            f"{kh}x{kw} window; got [{argmax.min()}, {argmax.max()}]")
    up = kernel_array(up, common_float_dtype(op, up))
    argmax = kernel_array(argmax, np.dtype(np.int32))
    dx = np.empty((n, c, h + 2 * ph, w + 2 * pw), up.dtype)  # each task zeroes its image
    launch(pool_backward, dx.size, up, argmax, kw, sh, sw, dx)
    return dx[:, :, ph:ph + h, pw:pw + w] if ph or pw else dx
