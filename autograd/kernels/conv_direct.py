"""The direct convolution path: one vectorised pass per kernel tap on a phase-split layout.

Memory-bound, so it wins only where the work is too small to be GEMM-shaped (a handful of
channels, as in the digits CNN; see :func:`autograd.kernels.conv.uses_gemm`). The compiled
kernels live in :mod:`autograd.kernels._conv_numba`; this module lays out their arguments.
Imported on the first direct convolution (it loads Numba), never by ``import autograd``.

>>> import numpy as np
>>> x = np.ones((1, 1, 3, 3)); w = np.ones((1, 1, 2, 2))
>>> forward(x, w, None, (1, 1), (0, 0))[0, 0].tolist()
[[4.0, 4.0], [4.0, 4.0]]
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from ._conv_numba import conv_forward, conv_input_grad, conv_weight_grad
from ._threads import PARALLEL_MIN_WORK, launch

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
def geometry(x_shape: tuple[int, ...], w_shape: tuple[int, ...], stride: tuple[int, int],
             padding: tuple[int, int]) -> Geometry:
    """Output size, phase-image size and per-tap (phase, flat offset) of a convolution whose
    arguments :mod:`autograd.kernels.conv` has checked.

    >>> g = geometry((1, 1, 5, 5), (1, 1, 3, 3), (2, 2), (1, 1))
    >>> g.oh, g.ow, g.hq, g.wq, g.tap_phase.tolist(), g.tap_offset.tolist()
    (3, 3, 4, 4, [0, 1, 0, 2, 3, 2, 0, 1, 0], [0, 0, 1, 0, 0, 1, 4, 4, 5])
    """
    h, w = x_shape[2:]
    kh, kw = w_shape[2:]
    (sh, sw), (ph, pw) = stride, padding
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
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


def forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: tuple[int, int],
            padding: tuple[int, int]) -> np.ndarray:
    """Cross-correlation of x (N,C,H,W) with w (F,C,KH,KW) plus b (F,) or None, all of one
    float dtype and C-contiguous: (N, F, OH, OW)."""
    n, c = x.shape[:2]
    f, _, kh, kw = w.shape
    g = geometry(x.shape, w.shape, stride, padding)
    xph = phase_split(x, x.dtype, stride, padding, g.hq, g.wq)
    w3 = w.reshape(f, c, kh * kw)
    bias = np.zeros(f, x.dtype) if b is None else b
    out = np.empty((n, f, g.oh, g.ow), x.dtype)
    plane, work = g.hq * g.wq, out.size * c * kh * kw
    per_chunk = chunk_size(n, plane, work >= PARALLEL_MIN_WORK)
    launch(conv_forward, work, xph, w3, bias, g.tap_phase, g.tap_offset, g.wq, plane, per_chunk,
           out)
    return out


def backward(up: np.ndarray, x: np.ndarray, w: np.ndarray, stride: tuple[int, int],
             padding: tuple[int, int], need_dx: bool,
             need_dw: bool) -> tuple[np.ndarray | None, np.ndarray | None]:
    """``(dx, dw)`` of :func:`forward` for upstream ``up``; a gradient not needed is None."""
    n, c = x.shape[:2]
    f, _, kh, kw = w.shape
    g = geometry(x.shape, w.shape, stride, padding)
    work = up.size * c * kh * kw
    per_chunk = chunk_size(n, g.hq * g.wq, work >= PARALLEL_MIN_WORK)
    dx = dw = None
    if need_dw:
        xph = phase_split(x, x.dtype, stride, padding, g.hq, g.wq)
        partial = np.empty((-(-n // per_chunk), f, c, kh * kw), x.dtype)
        launch(conv_weight_grad, work, up, xph, g.tap_phase, g.tap_offset, g.wq, g.hq * g.wq,
               per_chunk, partial)
        dw = partial.sum(axis=0).reshape(w.shape)
    if need_dx:
        dx = np.empty(x.shape, x.dtype)
        launch(conv_input_grad, work, up, w.reshape(f, c, kh * kw), g.tap_phase, g.tap_offset,
               g.wq, g.hq, per_chunk, *stride, *padding, dx)
    return dx, dw
