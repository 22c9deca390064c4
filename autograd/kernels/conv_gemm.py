"""Convolution as matrix products: Numba packs patches (im2col), BLAS multiplies.

At real channel counts a convolution is GEMM-shaped: ``out (F, P) = W (F, C*KH*KW) @ cols
(C*KH*KW, P)`` over the output pixels P, and its gradients are two more products,
``dW = up @ cols.T`` and ``dcols = W.T @ up`` (then scattered back by col2im). With stride 1
the input gradient is instead computed as what it is, a convolution of ``up`` with the
flipped, transposed kernel (padding ``dilation·(k - 1) - padding``): a product whose inner
dimension is F·KH·KW rather than F, and no scatter. The images are
processed in chunks so that the patch matrix stays near ``COLS_ELEMENTS`` values (the whole
batch's patches for a 32-channel CIFAR layer would be 75 MB in float32); the patches are
rebuilt in backward rather than kept, which keeps a training step's memory near PyTorch's.

Imported on the first GEMM convolution (it loads Numba), never by ``import autograd``.

>>> import numpy as np
>>> x = np.ones((1, 1, 3, 3)); w = np.ones((1, 1, 2, 2))
>>> forward(x, w, None, (1, 1), (0, 0), (1, 1), 2, 2)[0, 0].tolist()
[[4.0, 4.0], [4.0, 4.0]]
"""

from __future__ import annotations

import numpy as np

from ._im2col_numba import col2im, im2col
from ._threads import launch

COLS_ELEMENTS = 1 << 21
"""Patch-matrix size a chunk aims for (whole images, at least one): 8 MB in float32, which
keeps each product large enough for BLAS to run near peak (measured in bench_conv.py)."""


def images_per_chunk(n: int, rows: int, pixels: int) -> int:
    """How many images' patches (``rows`` x ``pixels`` each) go in one chunk.

    >>> images_per_chunk(64, 288, 1024), images_per_chunk(64, 27, 1024), images_per_chunk(3, 9, 4)
    (7, 64, 3)
    """
    return max(1, min(n, COLS_ELEMENTS // (rows * pixels)))


def _patches(x: np.ndarray, n0: int, m: int, kshape: tuple[int, int], stride: tuple[int, int],
             padding: tuple[int, int], dilation: tuple[int, int], oh: int, ow: int,
             out: np.ndarray | None = None) -> np.ndarray:
    """The (C*KH*KW, m*OH*OW) patch matrix of images ``n0 .. n0+m`` (into ``out`` if given)."""
    c = x.shape[1]
    kh, kw = kshape
    shape = (c * kh * kw, m * oh * ow)
    cols = np.empty(shape, x.dtype) if out is None or out.shape != shape else out
    launch(im2col, cols.size, x, n0, kh, kw, *stride, *padding, *dilation, oh, ow, cols)
    return cols


def forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: tuple[int, int],
            padding: tuple[int, int], dilation: tuple[int, int], oh: int,
            ow: int) -> np.ndarray:
    """Cross-correlation of C-contiguous x (N,C,H,W) with w (F,C,KH,KW) plus b: (N,F,OH,OW)."""
    n, c = x.shape[:2]
    f, _, kh, kw = w.shape
    pixels = oh * ow
    w2 = w.reshape(f, c * kh * kw)
    out = np.empty((n, f, oh, ow), x.dtype)
    flat = out.reshape(n, f, pixels)
    step = images_per_chunk(n, c * kh * kw, pixels)
    cols = None
    for n0 in range(0, n, step):
        m = min(step, n - n0)
        cols = _patches(x, n0, m, (kh, kw), stride, padding, dilation, oh, ow, cols)
        prod = (w2 @ cols).reshape(f, m, pixels).transpose(1, 0, 2)
        if b is None:
            flat[n0:n0 + m] = prod
        else:
            np.add(prod, b[:, None], out=flat[n0:n0 + m])
    return out


def backward(up: np.ndarray, x: np.ndarray, w: np.ndarray, stride: tuple[int, int],
             padding: tuple[int, int], dilation: tuple[int, int], need_dx: bool,
             need_dw: bool) -> tuple[np.ndarray | None, np.ndarray | None]:
    """``(dx, dw)`` for upstream ``up`` (N,F,OH,OW); a gradient not needed is None."""
    n, c = x.shape[:2]
    f, _, kh, kw = w.shape
    oh, ow = up.shape[2:]
    pixels = oh * ow
    rows = c * kh * kw
    w2 = w.reshape(f, rows)
    back_padding = tuple(d * (k - 1) - p for d, k, p in zip(dilation, (kh, kw), padding))
    as_conv = stride == (1, 1) and min(back_padding) >= 0  # dx is itself a convolution
    dw = np.zeros((f, rows), x.dtype) if need_dw else None
    dx = np.empty(x.shape, x.dtype) if need_dx and not as_conv else None
    step = images_per_chunk(n, rows, pixels)
    cols = None
    for n0 in range(0, n, step):
        m = min(step, n - n0)
        up2 = np.ascontiguousarray(up[n0:n0 + m].reshape(m, f, pixels).transpose(1, 0, 2))
        up2 = up2.reshape(f, m * pixels)
        if need_dw:
            cols = _patches(x, n0, m, (kh, kw), stride, padding, dilation, oh, ow, cols)
            dw += up2 @ cols.T
        if need_dx and not as_conv:
            dcols = w2.T @ up2
            launch(col2im, dcols.size, dcols, n0, kh, kw, *stride, *padding, *dilation, oh,
                   ow, dx)
    if need_dx and as_conv:
        flipped = np.ascontiguousarray(w.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1])
        dx = forward(up, flipped, None, (1, 1), back_padding, dilation, *x.shape[2:])
    return dx, None if dw is None else dw.reshape(w.shape)
