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

from ._im2col_numba import col2im, im2col, wide_im2col
from ._threads import launch

COLS_ELEMENTS = 1 << 21
"""Patch-matrix size a chunk aims for (whole images, at least one): 8 MB in float32, which
keeps each product large enough for BLAS to run near peak (measured in bench_conv.py)."""


def images_per_chunk(n: int, rows: int, pixels: int) -> int:
    """How many images' patches (``rows`` x ``pixels`` columns each) go in one chunk.

    >>> images_per_chunk(64, 288, 1024), images_per_chunk(64, 27, 1024), images_per_chunk(3, 9, 4)
    (7, 64, 3)
    """
    return max(1, min(n, COLS_ELEMENTS // (rows * pixels)))


class Patches:
    """Builds the patch matrices of one convolution's input, chunk by chunk, in one of two
    column layouts, and converts between them and (N, F, OH, OW) images.

    - compact (any stride): output pixel ``(oy, ox)`` of a chunk's image ``k`` is column
      ``k*OH*OW + oy*OW + ox``; :func:`im2col` gathers it row by row.
    - wide (stride 1): the input is zero-padded once, and pixel ``(oy, ox)`` is column
      ``k*OH*Wp + oy*Wp + ox`` for the padded width Wp. Each tap's row of an image is then one
      contiguous stretch of the padded plane, copied whole by :func:`wide_im2col` (CIFAR rows
      are only 32 pixels long, so row-by-row gathering cost several times a plain copy). The
      ``Wp - OW`` extra columns per row are computed and discarded: 6% more products on
      32x32 images, 25% on 8x8.
    """

    def __init__(self, x: np.ndarray, kshape: tuple[int, int], stride: tuple[int, int],
                 padding: tuple[int, int], dilation: tuple[int, int], oh: int, ow: int):
        self.x, self.kshape, self.stride = x, kshape, stride
        self.padding, self.dilation, self.oh, self.ow = padding, dilation, oh, ow
        self.wide = stride == (1, 1)
        n, c, h, w = x.shape
        self.row = w + 2 * padding[1] if self.wide else ow  # columns per output row
        self.width = oh * self.row  # columns per image
        self.rows = c * kshape[0] * kshape[1]
        if self.wide:
            (ph, pw), hp, wp = padding, h + 2 * padding[0], self.row
            tail = (kshape[1] - 1) * dilation[1]  # the last taps read past the plane's end
            self.padded = np.zeros((n, c, hp * wp + tail), x.dtype)
            plane = self.padded[:, :, :hp * wp].reshape(n, c, hp, wp)
            plane[:, :, ph:ph + h, pw:pw + w] = x

    def chunk(self, n0: int, m: int, out: np.ndarray | None = None) -> np.ndarray:
        """The (C*KH*KW, m*width) patch matrix of images ``n0 .. n0+m`` (into ``out`` if it
        has that shape)."""
        shape = (self.rows, m * self.width)
        cols = out if out is not None and out.shape == shape else np.empty(shape, self.x.dtype)
        (kh, kw), (dh, dw) = self.kshape, self.dilation
        if self.wide:
            launch(wide_im2col, cols.size, self.padded, n0, kh, kw, dh, dw, self.row,
                   self.width, cols)
        else:
            launch(im2col, cols.size, self.x, n0, kh, kw, *self.stride, *self.padding, dh, dw,
                   self.oh, self.ow, cols)
        return cols

    def images(self, prod: np.ndarray, m: int) -> np.ndarray:
        """A (F, m*width) product as an (m, F, OH, OW) view (extra columns dropped)."""
        f = prod.shape[0]
        return prod.reshape(f, m, self.oh, self.row)[..., :self.ow].transpose(1, 0, 2, 3)

    def columns(self, up: np.ndarray) -> np.ndarray:
        """(m, F, OH, OW) images as a C-contiguous (F, m*width) matrix, zero in the extra
        columns (so they add nothing to a weight gradient)."""
        m, f = up.shape[:2]
        out = np.zeros((f, m, self.oh, self.row), up.dtype) if self.wide else np.empty(
            (f, m, self.oh, self.row), up.dtype)
        out[..., :self.ow] = up.transpose(1, 0, 2, 3)
        return out.reshape(f, m * self.width)


def forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: tuple[int, int],
            padding: tuple[int, int], dilation: tuple[int, int], oh: int,
            ow: int) -> np.ndarray:
    """Cross-correlation of C-contiguous x (N,C,H,W) with w (F,C,KH,KW) plus b: (N,F,OH,OW)."""
    n = x.shape[0]
    f = w.shape[0]
    patches = Patches(x, w.shape[2:], stride, padding, dilation, oh, ow)
    w2 = w.reshape(f, patches.rows)
    out = np.empty((n, f, oh, ow), x.dtype)
    step = images_per_chunk(n, patches.rows, patches.width)
    cols = None
    for n0 in range(0, n, step):
        m = min(step, n - n0)
        cols = patches.chunk(n0, m, cols)
        prod = patches.images(w2 @ cols, m)
        if b is None:
            out[n0:n0 + m] = prod
        else:
            np.add(prod, b[:, None, None], out=out[n0:n0 + m])
    return out


def backward(up: np.ndarray, x: np.ndarray, w: np.ndarray, stride: tuple[int, int],
             padding: tuple[int, int], dilation: tuple[int, int], need_dx: bool,
             need_dw: bool) -> tuple[np.ndarray | None, np.ndarray | None]:
    """``(dx, dw)`` for upstream ``up`` (N,F,OH,OW); a gradient not needed is None."""
    n = x.shape[0]
    f, _, kh, kw = w.shape
    oh, ow = up.shape[2:]
    back_padding = tuple(d * (k - 1) - p for d, k, p in zip(dilation, (kh, kw), padding))
    as_conv = stride == (1, 1) and min(back_padding) >= 0  # dx is itself a convolution
    dw = dx = None
    if need_dw or (need_dx and not as_conv):
        patches = Patches(x, (kh, kw), stride, padding, dilation, oh, ow)
        w2 = w.reshape(f, patches.rows)
        dw = np.zeros((f, patches.rows), x.dtype) if need_dw else None
        dx = np.empty(x.shape, x.dtype) if need_dx and not as_conv else None
        step = images_per_chunk(n, patches.rows, patches.width)
        cols = None
        for n0 in range(0, n, step):
            m = min(step, n - n0)
            up2 = patches.columns(up[n0:n0 + m])
            if need_dw:
                cols = patches.chunk(n0, m, cols)
                dw += up2 @ cols.T
            if dx is not None:  # compact layout here: stride > 1
                dcols = w2.T @ up2
                launch(col2im, dcols.size, dcols, n0, kh, kw, *stride, *padding, *dilation,
                       oh, ow, dx)
    if need_dx and as_conv:
        flipped = np.ascontiguousarray(w.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1])
        dx = forward(up, flipped, None, (1, 1), back_padding, dilation, *x.shape[2:])
    return dx, None if dw is None else dw.reshape(w.shape)
