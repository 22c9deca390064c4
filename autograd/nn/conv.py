"""2-D convolution — a mul gate: the input's gradient comes from the weights and the
weights' gradient from the input (each input gets upstream × the *other* one); the bias
gets the upstream summed (add).  The arithmetic runs in :mod:`autograd.kernels`.

Output size per spatial dimension: ``(size + 2·padding - dilation·(kernel - 1) - 1) // stride + 1``.

>>> import numpy as np
>>> from autograd import Value
>>> x = Value(np.ones((1, 3, 5, 5))); w = Value(np.ones((2, 3, 3, 3)))
>>> conv2d(x, w, stride=2, padding=1).shape
(1, 2, 3, 3)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import kernels
from ..errors import GradgateError
from ..gate import MUL, Gate
from ..utils.pairs import pair
from ..value import Value, apply, lift


class Conv2d(Gate):
    """Cross-correlation of (N,C,H,W) input with (F,C,KH,KW) weights plus (F,) bias."""

    name, family = "conv2d", MUL

    def __init__(self, stride: tuple[int, int], padding: tuple[int, int],
                 dilation: tuple[int, int] = (1, 1), needs: tuple[bool, bool] = (True, True)):
        self.stride = stride
        self.padding = padding
        if dilation != (1, 1):
            self.dilation = dilation
        self._needs = needs  # (dx, dw): a gradient nobody needs is never computed

    def forward(self, x: Any, w: Any, b: Any = None) -> tuple[Any, Any]:
        dtype = np.result_type(x, w) if b is None else np.result_type(x, w, b)
        x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
        b = None if b is None else b.astype(dtype, copy=False)
        out = kernels.conv2d_forward(x, w, b, self.stride, self.padding, self._dilation)
        return out, (x, w, b is not None)

    @property
    def _dilation(self) -> tuple[int, int]:
        return getattr(self, "dilation", (1, 1))

    def backward(self, up: Any, saved: Any) -> tuple[Any, ...]:
        x, w, has_bias = saved
        dx, dw, db = kernels.conv2d_backward(np.asarray(up, x.dtype), x, w, self.stride,
                                             self.padding, self._dilation, self._needs)
        return (dx, dw, db) if has_bias else (dx, dw)


def conv2d(x: Any, w: Any, b: Any = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1) -> Value:
    """Convolve a batch of images: ``x`` (N,C,H,W), ``w`` (F,C,KH,KW), ``b`` (F,) or None.

    ``stride``, ``padding`` (zero padding) and ``dilation`` (spacing between kernel taps, as
    in PyTorch) are ints or (h, w) pairs.

    >>> x = Value(np.ones((1, 1, 3, 3))); w = Value(np.ones((1, 1, 2, 2)))
    >>> conv2d(x, w).data[0, 0].tolist()
    [[4.0, 4.0], [4.0, 4.0]]
    """
    x, w = lift(x), lift(w)
    stride = pair("conv2d", "stride", stride, 1)
    padding = pair("conv2d", "padding", padding, 0)
    dilation = pair("conv2d", "dilation", dilation, 1)
    if x.ndim != 4:
        raise GradgateError(f"conv2d: input must have shape (N, C, H, W); got {x.shape}")
    if w.ndim != 4:
        raise GradgateError(f"conv2d: weights must have shape (F, C, KH, KW); got {w.shape}")
    n, c, h, wd = x.shape
    f, wc, kh, kw = w.shape
    if wc != c:
        raise GradgateError(
            f"conv2d: input has {c} channels (shape {x.shape}) but the weights expect {wc} "
            f"(shape {w.shape})")
    span_h, span_w = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    if span_h > h + 2 * padding[0] or span_w > wd + 2 * padding[1]:
        raise GradgateError(
            f"conv2d: kernel {kh}x{kw} (spanning {span_h}x{span_w} with dilation {dilation}) "
            f"is larger than the padded input {h + 2 * padding[0]}x{wd + 2 * padding[1]} "
            f"(input {x.shape}, padding {padding})")
    if min(x.shape + w.shape) == 0:
        raise GradgateError(f"conv2d: empty input {x.shape} or weights {w.shape}")
    gate = Conv2d(stride, padding, dilation, (x.requires_grad, w.requires_grad))
    if b is None:
        return apply(gate, x, w)
    b = lift(b)
    if b.shape != (f,):
        raise GradgateError(f"conv2d: bias must have shape ({f},) for {f} filters; got {b.shape}")
    return apply(gate, x, w, b)
