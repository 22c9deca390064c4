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

    def vjp(self, up: Any, node: Any) -> tuple[Any, ...]:
        x, w = node.parents[:2]
        args = (self.stride, self.padding, self._dilation)
        dx = conv2d_input(x.shape, w, up, *args) if x.requires_grad else None
        dw = conv2d_weight(x, w.shape, up, *args) if w.requires_grad else None
        return (dx, dw, up.sum(axis=(0, 2, 3))) if len(node.parents) == 3 else (dx, dw)


class _ConvGrad(Gate):
    """What the two gradient gates of conv2d share: the convolution's geometry, and
    ``zeros`` standing in for the operand a kernel call needs only for its shape."""

    family = MUL

    def __init__(self, size: tuple[int, ...], stride: tuple[int, int],
                 padding: tuple[int, int], dilation: tuple[int, int]):
        self.size = size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation

    def _args(self) -> tuple[Any, ...]:
        return self.stride, self.padding, self.dilation

    def zeros(self, dtype: Any) -> np.ndarray:
        return np.zeros(self.size, dtype)


class Conv2dInput(_ConvGrad):
    """d(conv2d)/dx applied to ``up``: the transposed convolution of ``up`` (N,F,OH,OW)
    with the weights, back to the input's ``size`` — a mul gate, bilinear in (up, w):
    its gradients are a conv2d of the upstream with w and a :class:`Conv2dWeight`."""

    name = "conv2d_input"

    def forward(self, up: Any, w: Any) -> tuple[Any, Any]:
        dtype = np.result_type(up, w)
        dx = kernels.conv2d_backward(up.astype(dtype, copy=False), self.zeros(dtype), w,
                                     *self._args(), (True, False))[0]
        return dx, (up, w)

    def backward(self, g: Any, saved: Any) -> tuple[Any, Any]:
        up, w = saved
        g = np.asarray(g, up.dtype)
        d_up = kernels.conv2d_forward(g, w, None, *self._args())
        d_w = kernels.conv2d_backward(up, g, w, *self._args(), (False, True))[1]
        return d_up, d_w

    def vjp(self, g: Any, node: Any) -> tuple[Any, Any]:
        up, w = node.parents
        return conv2d(g, w, None, *self._args()), conv2d_weight(g, w.shape, up, *self._args())


class Conv2dWeight(_ConvGrad):
    """d(conv2d)/dw applied to ``up``: the correlation of the input with ``up``, of the
    weights' ``size`` — a mul gate, bilinear in (x, up): its gradients are a
    :class:`Conv2dInput` of the upstream as weights, and a conv2d of x with the upstream."""

    name = "conv2d_weight"

    def forward(self, x: Any, up: Any) -> tuple[Any, Any]:
        dtype = np.result_type(x, up)
        x, up = x.astype(dtype, copy=False), up.astype(dtype, copy=False)
        dw = kernels.conv2d_backward(up, x, self.zeros(dtype), *self._args(), (False, True))[1]
        return dw, (x, up)

    def backward(self, g: Any, saved: Any) -> tuple[Any, Any]:
        x, up = saved
        g = np.asarray(g, x.dtype)
        d_x = kernels.conv2d_backward(up, x, g, *self._args(), (True, False))[0]
        return d_x, kernels.conv2d_forward(x, g, None, *self._args())

    def vjp(self, g: Any, node: Any) -> tuple[Any, Any]:
        x, up = node.parents
        return conv2d_input(x.shape, g, up, *self._args()), conv2d(x, g, None, *self._args())


def conv2d_input(input_size: tuple[int, ...], weight: Any, grad_output: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1) -> Value:
    """The gradient of :func:`conv2d` with respect to its input, as a recorded gate
    (PyTorch's ``torch.nn.grad.conv2d_input``): a transposed convolution.

    >>> up = Value(np.ones((1, 1, 2, 2))); w = Value(np.ones((1, 1, 2, 2)))
    >>> conv2d_input((1, 1, 3, 3), w, up).data[0, 0].tolist()
    [[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]
    """
    gate = Conv2dInput(tuple(input_size), *_geometry("conv2d_input", stride, padding, dilation))
    return apply(gate, lift(grad_output), lift(weight))


def conv2d_weight(input: Any, weight_size: tuple[int, ...], grad_output: Any, stride: Any = 1,
                  padding: Any = 0, dilation: Any = 1) -> Value:
    """The gradient of :func:`conv2d` with respect to its weights, as a recorded gate
    (PyTorch's ``torch.nn.grad.conv2d_weight``).

    >>> x = Value(np.ones((1, 1, 3, 3))); up = Value(np.ones((1, 1, 2, 2)))
    >>> conv2d_weight(x, (1, 1, 2, 2), up).data[0, 0].tolist()
    [[4.0, 4.0], [4.0, 4.0]]
    """
    gate = Conv2dWeight(tuple(weight_size),
                        *_geometry("conv2d_weight", stride, padding, dilation))
    return apply(gate, lift(input), lift(grad_output))


def _geometry(op: str, stride: Any, padding: Any,
              dilation: Any) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    return (pair(op, "stride", stride, 1), pair(op, "padding", padding, 0),
            pair(op, "dilation", dilation, 1))


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
    stride, padding, dilation = _geometry("conv2d", stride, padding, dilation)
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
