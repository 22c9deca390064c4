"""Convolution as matrix products: BLAS multiplies, on views or on packed patches.

At real channel counts a convolution is GEMM-shaped: every output pixel is the dot product
of the weights, seen as one ``C*KH*KW`` vector per filter, with that pixel's patch of the
input. The input gradient with stride 1 is itself a convolution (of the upstream gradient
with the flipped, transposed kernel, padding ``dilation·(k - 1) - padding``) and runs through
the same code; with a larger stride it is the product with the weights scattered back.

Two layouts, one per :class:`Patches` subclass:

- :class:`WidePatches` (stride 1, the common case): channels last, no patch matrix at all.
  The input is zero-padded once into rows of C values, one per padded pixel, and output
  pixel ``(oy, ox)`` of an image is row ``oy*Wp + ox`` (Wp the padded width). Kernel tap
  ``(i, j)`` then reads the rows shifted by ``i*Wp + j``: a plain strided view, so the
  forward pass is one product per tap, ``view (P, C) @ W_tap (C, F)``, summed, and the
  weight gradient one per tap, ``view.T @ up``. Measured on the CIFAR layers, 1.1-2.6x
  faster than packing the patches (im2col, even at memory speed) for one large product. The
  ``Wp - OW`` extra pixels per row (and the padding rows between images) are computed and
  dropped: 6% more products on 32x32 images, 27% on 8x8.
- :class:`CompactPatches` (any stride): channels first, one column per output pixel, packed
  by the Numba kernel :func:`im2col` and scattered back by :func:`col2im`.

The images are processed in chunks of about ``COLS_ELEMENTS`` patch values, which keeps the
temporaries in cache and a training step's memory near PyTorch's. Imported on the first
GEMM convolution (it loads Numba), never by ``import autograd``.

>>> import numpy as np
>>> x = np.ones((1, 1, 3, 3)); w = np.ones((1, 1, 2, 2))
>>> forward(x, w, None, (1, 1), (0, 0), (1, 1), 2, 2)[0, 0].tolist()
[[4.0, 4.0], [4.0, 4.0]]
"""

from __future__ import annotations

import numpy as np

from ._im2col_numba import col2im, im2col
from ._threads import launch

COLS_ELEMENTS = 1 << 20
"""Patch-matrix size (``C*KH*KW`` x pixels) a chunk aims for, whole images and at least one:
4 MB in float32. Measured on the CIFAR VGG and ResNet steps, 2**17 to 2**25: the smaller
chunks that stay in cache were as fast or faster, up to 2**20; beyond it slower."""


def images_per_chunk(n: int, rows: int, pixels: int) -> int:
    """How many images' patches (``rows`` x ``pixels`` values each) go in one chunk.

    >>> images_per_chunk(64, 288, 1024), images_per_chunk(64, 27, 1024), images_per_chunk(3, 9, 4)
    (3, 37, 3)
    """
    return max(1, min(n, COLS_ELEMENTS // (rows * pixels)))


class Patches:
    """One convolution's input laid out for products with the weights, chunk by chunk, and
    those products. Subclasses fix the layout; ``Patches.of`` picks one."""

    def __init__(self, x: np.ndarray, kshape: tuple[int, int], stride: tuple[int, int],
                 padding: tuple[int, int], dilation: tuple[int, int], oh: int, ow: int):
        self.x, self.kshape, self.stride = x, kshape, stride
        self.padding, self.dilation, self.oh, self.ow = padding, dilation, oh, ow
        self.taps = x.shape[1] * kshape[0] * kshape[1]  # patch length: C*KH*KW
        self.row = ow  # output pixels per row of the layout

    @staticmethod
    def of(x: np.ndarray, kshape: tuple[int, int], stride: tuple[int, int],
           padding: tuple[int, int], dilation: tuple[int, int], oh: int, ow: int,
           scatter: bool = False) -> Patches:
        """The layout for this convolution: wide for stride 1, else compact (and compact
        whenever the input gradient must be scattered back with col2im)."""
        kind = WidePatches if stride == (1, 1) and not scatter else CompactPatches
        return kind(x, kshape, stride, padding, dilation, oh, ow)

    @property
    def pixels(self) -> int:
        """Pixels per image in this layout (extra pixels included)."""
        return self.oh * self.row

    def chunks(self) -> list[tuple[int, int]]:
        """``(first image, image count)`` of every chunk."""
        n = self.x.shape[0]
        step = images_per_chunk(n, self.taps, self.pixels)
        return [(n0, min(step, n - n0)) for n0 in range(0, n, step)]

    def weights(self, w: np.ndarray) -> np.ndarray:
        """The weights (F, C, KH, KW) as the matrix this layout multiplies by."""
        raise NotImplementedError

    def output(self, n0: int, m: int, wmat: np.ndarray) -> np.ndarray:
        """Images ``n0 .. n0+m`` of the convolution, as an (m, F, OH, OW) view."""
        raise NotImplementedError

    def weight_grad(self, n0: int, m: int, up: np.ndarray) -> np.ndarray:
        """The weight gradient of images ``n0 .. n0+m`` for their upstream ``up`` (m, F, OH,
        OW), in the layout of :meth:`weights`."""
        raise NotImplementedError

    def unpack_weights(self, wmat: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """A matrix in the layout of :meth:`weights` back as (F, C, KH, KW)."""
        raise NotImplementedError


class WidePatches(Patches):
    """Stride 1, channels last, shifted views: see the module's docstring."""

    def __init__(self, *args: object):
        super().__init__(*args)
        n, c, h, w = self.x.shape
        (ph, pw), (kh, kw), (dh, dw) = self.padding, self.kshape, self.dilation
        self.row = wp = w + 2 * pw
        hp = h + 2 * ph
        i, j = np.divmod(np.arange(kh * kw), kw)
        self.offsets = i * dh * wp + j * dw  # each tap's shift, in padded rows
        # rows per image: the padded image, plus the reach of the last taps past its end
        self.span = hp * wp + int(self.offsets[-1]) - (kh - 1) * dh * wp
        self.padded = np.zeros((n * self.span + int(self.offsets[-1]), c), self.x.dtype)
        images = self.padded[:n * self.span].reshape(n, self.span, c)[:, :hp * wp]
        images.reshape(n, hp, wp, c)[:, ph:ph + h, pw:pw + w] = self.x.transpose(0, 2, 3, 1)

    @property
    def pixels(self) -> int:
        return self.span

    def _shifted(self, n0: int, m: int, tap: int) -> np.ndarray:
        """Rows ``n0*span + offsets[tap]`` onwards, ``m*span`` of them: every (wide) pixel
        of images ``n0 .. n0+m`` as seen by one tap, a view (no copy)."""
        start = n0 * self.span + int(self.offsets[tap])
        return self.padded[start:start + m * self.span]

    def weights(self, w: np.ndarray) -> np.ndarray:
        """(KH*KW*C, F): row ``(i*KW + j)*C + c`` holds ``w[:, c, i, j]``."""
        return np.ascontiguousarray(w.transpose(2, 3, 1, 0)).reshape(self.taps, w.shape[0])

    def output(self, n0: int, m: int, wmat: np.ndarray) -> np.ndarray:
        c = self.x.shape[1]
        acc = self._shifted(n0, m, 0) @ wmat[:c]
        part = np.empty_like(acc)
        for tap in range(1, len(self.offsets)):
            np.matmul(self._shifted(n0, m, tap), wmat[tap * c:(tap + 1) * c], out=part)
            acc += part
        return self.images(acc, m)

    def images(self, rows: np.ndarray, m: int) -> np.ndarray:
        """(m*span, F) wide rows as an (m, F, OH, OW) view (the extra pixels dropped)."""
        f = rows.shape[1]
        valid = rows.reshape(m, self.span, f)[:, :self.oh * self.row]
        return valid.reshape(m, self.oh, self.row, f)[:, :, :self.ow].transpose(0, 3, 1, 2)

    def weight_grad(self, n0: int, m: int, up: np.ndarray) -> np.ndarray:
        f, c = up.shape[1], self.x.shape[1]
        wide = np.zeros((m * self.span, f), up.dtype)  # the extra pixels add nothing
        self.images(wide, m)[...] = up
        grad = np.empty((self.taps, f), up.dtype)
        for tap in range(len(self.offsets)):
            np.matmul(self._shifted(n0, m, tap).T, wide, out=grad[tap * c:(tap + 1) * c])
        return grad

    def unpack_weights(self, wmat: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        f, c, kh, kw = shape
        return np.ascontiguousarray(wmat.reshape(kh, kw, c, f).transpose(3, 2, 0, 1))


class CompactPatches(Patches):
    """Any stride, channels first: a column per output pixel, packed by :func:`im2col`."""

    cols: np.ndarray | None = None

    def _buffer(self, shape: tuple[int, int]) -> np.ndarray:
        """A patch-matrix buffer of ``shape``, reused across chunks of one size."""
        if self.cols is None or self.cols.shape != shape:
            self.cols = np.empty(shape, self.x.dtype)
        return self.cols

    def _chunk(self, n0: int, m: int) -> np.ndarray:
        cols = self._buffer((self.taps, m * self.pixels))
        (kh, kw), (dh, dw) = self.kshape, self.dilation
        launch(im2col, cols.size, self.x, n0, kh, kw, *self.stride, *self.padding, dh, dw,
               self.oh, self.ow, cols)
        return cols

    def weights(self, w: np.ndarray) -> np.ndarray:
        """(F, C*KH*KW), the weights' own memory order."""
        return w.reshape(w.shape[0], self.taps)

    def output(self, n0: int, m: int, wmat: np.ndarray) -> np.ndarray:
        prod = wmat @ self._chunk(n0, m)
        return prod.reshape(wmat.shape[0], m, self.oh, self.ow).transpose(1, 0, 2, 3)

    def weight_grad(self, n0: int, m: int, up: np.ndarray) -> np.ndarray:
        return self.upstream(up) @ self._chunk(n0, m).T

    def upstream(self, up: np.ndarray) -> np.ndarray:
        """(m, F, OH, OW) as a C-contiguous (F, m*OH*OW) matrix."""
        return np.ascontiguousarray(up.transpose(1, 0, 2, 3)).reshape(up.shape[1], -1)

    def input_grad(self, n0: int, m: int, up: np.ndarray, wmat: np.ndarray,
                   dx: np.ndarray) -> None:
        """Scatter ``W.T @ up`` of images ``n0 .. n0+m`` back into ``dx`` (col2im)."""
        dcols = wmat.T @ self.upstream(up)
        (kh, kw), (dh, dw) = self.kshape, self.dilation
        launch(col2im, dcols.size, dcols, n0, kh, kw, *self.stride, *self.padding, dh, dw,
               self.oh, self.ow, dx)

    def unpack_weights(self, wmat: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        return wmat.reshape(shape)


def forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: tuple[int, int],
            padding: tuple[int, int], dilation: tuple[int, int], oh: int,
            ow: int) -> np.ndarray:
    """Cross-correlation of C-contiguous x (N,C,H,W) with w (F,C,KH,KW) plus b: (N,F,OH,OW)."""
    patches = Patches.of(x, w.shape[2:], stride, padding, dilation, oh, ow)
    wmat = patches.weights(w)
    out = np.empty((x.shape[0], w.shape[0], oh, ow), x.dtype)
    for n0, m in patches.chunks():
        images = patches.output(n0, m, wmat)
        if b is None:
            out[n0:n0 + m] = images
        else:
            np.add(images, b[:, None, None], out=out[n0:n0 + m])
    return out


def backward(up: np.ndarray, x: np.ndarray, w: np.ndarray, stride: tuple[int, int],
             padding: tuple[int, int], dilation: tuple[int, int], need_dx: bool,
             need_dw: bool) -> tuple[np.ndarray | None, np.ndarray | None]:
    """``(dx, dw)`` for upstream ``up`` (N,F,OH,OW); a gradient not needed is None."""
    kh, kw = w.shape[2:]
    oh, ow = up.shape[2:]
    back_padding = tuple(d * (k - 1) - p for d, k, p in zip(dilation, (kh, kw), padding))
    as_conv = stride == (1, 1) and min(back_padding) >= 0  # dx is itself a convolution
    dw = dx = None
    scatter = need_dx and not as_conv
    if need_dw or scatter:
        patches = Patches.of(x, (kh, kw), stride, padding, dilation, oh, ow, scatter)
        wmat = patches.weights(w)
        acc = np.zeros(wmat.shape, x.dtype) if need_dw else None
        dx = np.empty(x.shape, x.dtype) if scatter else None
        for n0, m in patches.chunks():
            if acc is not None:
                acc += patches.weight_grad(n0, m, up[n0:n0 + m])
            if dx is not None:  # the compact layout (scatter=True above)
                patches.input_grad(n0, m, up[n0:n0 + m], wmat, dx)
        dw = None if acc is None else patches.unpack_weights(acc, w.shape)
    if need_dx and as_conv:
        flipped = np.ascontiguousarray(w.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1])
        dx = forward(up, flipped, None, (1, 1), back_padding, dilation, *x.shape[2:])
    return dx, dw
