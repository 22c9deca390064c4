"""conv2d forward and backward on plain arrays: checks and layout here, arithmetic in Numba.

The compiled kernels (:mod:`autograd.kernels._conv_numba`) are imported on the first call, so
``import autograd`` neither imports Numba nor compiles anything.

>>> import numpy as np
>>> x = np.ones((1, 1, 3, 3)); w = np.ones((1, 1, 2, 2))
>>> conv2d_forward(x, w, None, (1, 1), (0, 0))[0, 0].tolist()
[[4.0, 4.0], [4.0, 4.0]]
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from ..errors import GradgateError
from ..utils import common_float_dtype, pair
from ._checks import check_ndim, check_shape, kernel_array, output_size

CHUNK_ELEMENTS = 4096
"""Flat length a kernel task aims for (whole images, at least one): long enough to vectorise,
small enough that a task's accumulators stay in cache."""

MIN_CHUNKS = 8
"""Jobs large enough to run in parallel split their images into at least this many chunks
(when there are enough images), so that every thread has work."""


class Geometry(NamedTuple):
    """Sizes of one convolution on the phase-split layout (see ``_conv_numba``)."""

    oh: int
    ow: int
    hq: int
    wq: int
    tap_phase: np.ndarray
    tap_offset: np.ndarray


@lru_cache(maxsize=256)
def geometry(op: str, x_shape: tuple[int, ...], w_shape: tuple[int, ...],
             stride: tuple[int, int], padding: tuple[int, int]) -> Geometry:
    """Output size, phase-image size and per-tap (phase, flat offset) of a convolution.

    >>> g = geometry("conv2d_forward", (1, 1, 5, 5), (1, 1, 3, 3), (2, 2), (1, 1))
    >>> g.oh, g.ow, g.hq, g.wq, g.tap_phase.tolist(), g.tap_offset.tolist()
    (3, 3, 4, 4, [0, 1, 0, 2, 3, 2, 0, 1, 0], [0, 0, 1, 0, 0, 1, 4, 4, 5])
    """
    n, c, h, w = x_shape
    f, wc, kh, kw = w_shape
    if wc != c:
        raise GradgateError(f"{op}: x has {c} channels (shape {x_shape}) but the weights "
                            f"expect {wc} (shape {w_shape})")
    if min(x_shape + w_shape) == 0:
        raise GradgateError(f"{op}: empty x {x_shape} or weights {w_shape}")
    (sh, sw), (ph, pw) = stride, padding
    oh = output_size(op, h, kh, sh, ph)
    ow = output_size(op, w, kw, sw, pw)
    hq, wq = -(-(h + 2 * ph) // sh), -(-(w + 2 * pw) // sw)
    i, j = np.divmod(np.arange(kh * kw), kw)
    tap_phase = (i % sh) * sw + j % sw
    tap_offset = (i // sh) * wq + j // sw
    return Geometry(oh, ow, hq, wq, tap_phase, tap_offset)


def chunk_size(n_img: int, plane: int, parallel: bool) -> int:
    """Images per kernel task: about CHUNK_ELEMENTS flat values; for a ``parallel`` job also
    at most 1/MIN_CHUNKS of the images. Depends on shapes only, never on the thread count.

    >>> chunk_size(32, 100, False), chunk_size(64, 34 * 34, True), chunk_size(64, 100, True)
    (32, 3, 8)
    """
    most = -(-n_img // MIN_CHUNKS) if parallel else n_img
    return max(1, min(CHUNK_ELEMENTS // plane, most))


def phase_split(x: np.ndarray, dtype: np.dtype, stride: tuple[int, int],
                padding: tuple[int, int], hq: int, wq: int) -> np.ndarray:
    """Zero-pad x (N,C,H,W), split it into stride phases and concatenate the images:
    (C, sh*sw, N*hq*wq), contiguous. Phase ``a*sw + b`` holds padded pixel
    ``(u*sh + a, v*sw + b)`` of image n at ``n*hq*wq + u*wq + v``.

    >>> phase_split(np.arange(4.0).reshape(1, 1, 2, 2), np.float64, (1, 2), (0, 0), 2, 1)
    array([[[0., 2.],
            [1., 3.]]])
    """
    n, c, h, w = x.shape
    (sh, sw), (ph, pw) = stride, padding
    out = np.zeros((c, sh, sw, n, hq, wq), dtype)
    x = x.transpose(1, 0, 2, 3)
    for a in range(sh):
        u0 = max(0, -((a - ph) // sh))  # first phase row inside the image
        r0 = u0 * sh + a - ph
        for b in range(sw):
            v0 = max(0, -((b - pw) // sw))
            c0 = v0 * sw + b - pw
            src = x[:, :, r0::sh, c0::sw]
            rows, cols = max(0, min(src.shape[2], hq - u0)), max(0, min(src.shape[3], wq - v0))
            out[:, a, b, :, u0:u0 + rows, v0:v0 + cols] = src[:, :, :rows, :cols]
    return out.reshape(c, sh * sw, n * hq * wq)


def _arguments(op: str, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: object,
               padding: object) -> tuple[np.dtype, tuple[int, int], tuple[int, int], Geometry]:
    """Checked dtype, stride, padding and geometry of a conv2d call."""
    check_ndim(op, "x", x, "(N, C, H, W)")
    check_ndim(op, "w", w, "(F, C, KH, KW)")
    if b is not None:
        check_shape(op, "b", b, (w.shape[0],))
    stride, padding = pair(op, "stride", stride, 1), pair(op, "padding", padding, 0)
    return (common_float_dtype(op, x, w, b), stride, padding,
            geometry(op, x.shape, w.shape, stride, padding))


def conv2d_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None,
                   stride: tuple[int, int], padding: tuple[int, int]) -> np.ndarray:
    """Cross-correlation of x (N,C,H,W) with w (F,C,KH,KW) plus b (F,) or None; zero padding.

    Returns (N, F, OH, OW) with ``OH = (H + 2*ph - KH)//sh + 1``, in x's dtype (float32 when
    every input is float32, else float64).

    >>> x = np.arange(9.0).reshape(1, 1, 3, 3); w = np.ones((2, 1, 1, 1))
    >>> conv2d_forward(x, w, np.array([0.0, 10.0]), (2, 2), (0, 0))[:, :, 0, 0].tolist()
    [[0.0, 10.0]]
    """
    from ._conv_numba import conv_forward
    from ._threads import PARALLEL_MIN_WORK, launch

    x, w = np.asarray(x), np.asarray(w)
    b = None if b is None else np.asarray(b)
    dtype, stride, padding, g = _arguments("conv2d_forward", x, w, b, stride, padding)
    n, c = x.shape[:2]
    f, _, kh, kw = w.shape
    xph = phase_split(x, dtype, stride, padding, g.hq, g.wq)
    w3 = kernel_array(w, dtype).reshape(f, c, kh * kw)
    bias = np.zeros(f, dtype) if b is None else kernel_array(b, dtype)
    out = np.empty((n, f, g.oh, g.ow), dtype)
    plane, work = g.hq * g.wq, out.size * c * kh * kw
    per_chunk = chunk_size(n, plane, work >= PARALLEL_MIN_WORK)
    launch(conv_forward, work, xph, w3, bias, g.tap_phase, g.tap_offset, g.wq, plane, per_chunk,
           out)
    return out


def conv2d_backward(up: np.ndarray, x: np.ndarray, w: np.ndarray, stride: tuple[int, int],
                    padding: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients (dx, dw, db) of :func:`conv2d_forward` for the upstream gradient ``up``.

    >>> dx, dw, db = conv2d_backward(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3)),
    ...                              np.ones((1, 1, 2, 2)), (1, 1), (0, 0))
    >>> dx[0, 0].tolist(), dw[0, 0].tolist(), db.tolist()
    ([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]], [[4.0, 4.0], [4.0, 4.0]], [4.0])
    """
    from ._conv_numba import conv_input_grad, conv_weight_grad
    from ._threads import PARALLEL_MIN_WORK, launch

    op = "conv2d_backward"
    up, x, w = np.asarray(up), np.asarray(x), np.asarray(w)
    dtype, stride, padding, g = _arguments(op, x, w, None, stride, padding)
    n, c = x.shape[:2]
    f, _, kh, kw = w.shape
    check_shape(op, "up", up, (n, f, g.oh, g.ow))
    up = kernel_array(up, dtype)
    work = up.size * c * kh * kw
    per_chunk = chunk_size(n, g.hq * g.wq, work >= PARALLEL_MIN_WORK)

    xph = phase_split(x, dtype, stride, padding, g.hq, g.wq)
    partial = np.empty((-(-n // per_chunk), f, c, kh * kw), dtype)
    launch(conv_weight_grad, work, up, xph, g.tap_phase, g.tap_offset, g.wq, g.hq * g.wq,
           per_chunk, partial)
    dw = partial.sum(axis=0).reshape(w.shape)

    w3 = kernel_array(w, dtype).reshape(f, c, kh * kw)
    dx = np.empty(x.shape, dtype)
    launch(conv_input_grad, work, up, w3, g.tap_phase, g.tap_offset, g.wq, g.hq, per_chunk,
           *stride, *padding, dx)
    return dx, dw, up.sum(axis=(0, 2, 3))
