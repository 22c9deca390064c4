"""conv2d forward and backward on plain arrays: checks here, then one of two compiled paths.

- :mod:`.conv_gemm` packs patches with Numba (im2col) and multiplies with BLAS: the work at
  real channel counts is GEMM-shaped, and this path runs it at BLAS speed.
- :mod:`.conv_direct` makes one vectorised pass per kernel tap: memory-bound, but without
  packing or BLAS call overhead, so it wins when there is little work per output pixel.

:func:`uses_gemm` chooses by shape (the crossover is measured by ``bench/bench_conv.py
--crossover``). Both paths are imported on the first call, so ``import autograd`` neither
imports Numba nor compiles anything.

>>> import numpy as np
>>> x = np.ones((1, 1, 3, 3)); w = np.ones((1, 1, 2, 2))
>>> conv2d_forward(x, w, None, (1, 1), (0, 0))[0, 0].tolist()
[[4.0, 4.0], [4.0, 4.0]]
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..errors import GradgateError
from ..utils import common_float_dtype, pair
from ._checks import check_ndim, check_shape, kernel_array, output_size

GEMM_MIN_CHANNELS = 4
"""Input channels from which the GEMM path beats the direct one. Its products run one per
kernel tap with the channels as their inner dimension, so the channel count decides, not
the kernel's size: measured with ``bench/bench_conv.py --crossover`` (1 and 2 threads,
forward + backward, float32), 3 channels ran 1.4-2x faster direct (3x3 and 5x5 kernels),
4 channels were even (3x3 on 8x8 images), 6 and more ran 1.2-4.5x faster as GEMM."""


class ConvShape(NamedTuple):
    """A checked convolution: dtype, stride, padding, dilation and output size."""

    dtype: np.dtype
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    oh: int
    ow: int


def uses_gemm(x_shape: tuple[int, ...], w_shape: tuple[int, ...], stride: tuple[int, int],
              dilation: tuple[int, int] = (1, 1)) -> bool:
    """True when the im2col + BLAS path runs this convolution (else the direct kernels).

    The direct path handles neither dilation nor strides larger than the kernel (its
    phase-split buffer grows with stride²), so those always go to GEMM.

    >>> uses_gemm((64, 32, 32, 32), (32, 32, 3, 3), (1, 1))
    True
    >>> uses_gemm((64, 3, 32, 32), (16, 3, 5, 5), (1, 1))
    False
    """
    kh, kw = w_shape[2:]
    if dilation != (1, 1) or stride[0] > kh or stride[1] > kw:
        return True
    return x_shape[1] >= GEMM_MIN_CHANNELS


def _arguments(op: str, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: object,
               padding: object, dilation: object) -> ConvShape:
    """Checked dtype, stride, padding, dilation and output size of a conv2d call."""
    check_ndim(op, "x", x, "(N, C, H, W)")
    check_ndim(op, "w", w, "(F, C, KH, KW)")
    if b is not None:
        check_shape(op, "b", b, (w.shape[0],))
    stride, padding = pair(op, "stride", stride, 1), pair(op, "padding", padding, 0)
    dilation = pair(op, "dilation", dilation, 1)
    c, wc = x.shape[1], w.shape[1]
    if wc != c:
        raise GradgateError(f"{op}: x has {c} channels (shape {x.shape}) but the weights "
                            f"expect {wc} (shape {w.shape})")
    if min(x.shape + w.shape) == 0:
        raise GradgateError(f"{op}: empty x {x.shape} or weights {w.shape}")
    (kh, kw), (dh, dw) = w.shape[2:], dilation
    oh = output_size(op, x.shape[2], dh * (kh - 1) + 1, stride[0], padding[0])
    ow = output_size(op, x.shape[3], dw * (kw - 1) + 1, stride[1], padding[1])
    return ConvShape(common_float_dtype(op, x, w, b), stride, padding, dilation, oh, ow)


def conv2d_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None,
                   stride: tuple[int, int], padding: tuple[int, int],
                   dilation: tuple[int, int] = (1, 1)) -> np.ndarray:
    """Cross-correlation of x (N,C,H,W) with w (F,C,KH,KW) plus b (F,) or None; zero padding.

    Returns (N, F, OH, OW) with ``OH = (H + 2*ph - dh*(KH-1) - 1)//sh + 1``, in x's dtype
    (float32 when every input is float32, else float64).

    >>> x = np.arange(9.0).reshape(1, 1, 3, 3); w = np.ones((2, 1, 1, 1))
    >>> conv2d_forward(x, w, np.array([0.0, 10.0]), (2, 2), (0, 0))[:, :, 0, 0].tolist()
    [[0.0, 10.0]]
    """
    x, w = np.asarray(x), np.asarray(w)
    b = None if b is None else np.asarray(b)
    s = _arguments("conv2d_forward", x, w, b, stride, padding, dilation)
    x, w = kernel_array(x, s.dtype), kernel_array(w, s.dtype)
    b = None if b is None else kernel_array(b, s.dtype)
    if uses_gemm(x.shape, w.shape, s.stride, s.dilation):
        from . import conv_gemm

        return conv_gemm.forward(x, w, b, s.stride, s.padding, s.dilation, s.oh, s.ow)
    from . import conv_direct

    return conv_direct.forward(x, w, b, s.stride, s.padding)


def conv2d_backward(up: np.ndarray, x: np.ndarray, w: np.ndarray, stride: tuple[int, int],
                    padding: tuple[int, int], dilation: tuple[int, int] = (1, 1),
                    needs: tuple[bool, bool] = (True, True),
                    ) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray]:
    """Gradients (dx, dw, db) of :func:`conv2d_forward` for the upstream gradient ``up``.

    ``needs`` says whether dx and dw are wanted; one that is not is returned as None and
    costs nothing (a first layer's input, frozen weights).

    >>> dx, dw, db = conv2d_backward(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3)),
    ...                              np.ones((1, 1, 2, 2)), (1, 1), (0, 0))
    >>> dx[0, 0].tolist(), dw[0, 0].tolist(), db.tolist()
    ([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]], [[4.0, 4.0], [4.0, 4.0]], [4.0])
    """
    op = "conv2d_backward"
    up, x, w = np.asarray(up), np.asarray(x), np.asarray(w)
    s = _arguments(op, x, w, None, stride, padding, dilation)
    check_shape(op, "up", up, (x.shape[0], w.shape[0], s.oh, s.ow))
    up = kernel_array(up, s.dtype)
    x, w = kernel_array(x, s.dtype), kernel_array(w, s.dtype)
    need_dx, need_dw = needs
    if uses_gemm(x.shape, w.shape, s.stride, s.dilation):
        from . import conv_gemm

        dx, dw = conv_gemm.backward(up, x, w, s.stride, s.padding, s.dilation, need_dx,
                                    need_dw)
    else:
        from . import conv_direct

        dx, dw = conv_direct.backward(up, x, w, s.stride, s.padding, need_dx, need_dw)
    return dx, dw, up.sum(axis=(0, 2, 3))
