"""2-D max pooling — a max gate: each window's upstream gradient is routed to the element
that won the window (the first one on ties).

>>> import numpy as np
>>> from autograd import Value
>>> x = Value(np.arange(16.0).reshape(1, 1, 4, 4))
>>> max_pool2d(x, 2).data[0, 0].tolist()
[[5.0, 7.0], [13.0, 15.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import kernels
from ..errors import GradgateError
from ..gate import MAX, Gate
from ..graph import saved_state
from ..kernels.pool import check_padding
from ..ops.shape import Scatter
from ..utils.pairs import pair
from ..value import Value, apply, lift


class MaxPool2d(Gate):
    """Max over each kernel_size window of an (N,C,H,W) input, moved by ``stride``."""

    name, family = "max_pool2d", MAX

    def __init__(self, kernel_size: tuple[int, int], stride: tuple[int, int],
                 padding: tuple[int, int] = (0, 0)):
        self.kernel_size = kernel_size
        self.stride = stride
        if padding != (0, 0):
            self.padding = padding

    @property
    def _padding(self) -> tuple[int, int]:
        return getattr(self, "padding", (0, 0))

    def forward(self, x: Any) -> tuple[Any, Any]:
        out, argmax = kernels.max_pool2d_forward(x, self.kernel_size, self.stride,
                                                 self._padding)
        return out, (argmax, x.shape)

    def backward(self, up: Any, saved: Any) -> tuple[Any]:
        argmax, shape = saved
        return (kernels.max_pool2d_backward(np.asarray(up), argmax, shape, self.kernel_size,
                                            self.stride, self._padding),)

    def vjp(self, up: Any, node: Any) -> tuple[Any]:
        argmax, shape = saved_state(node)
        return (apply(Scatter(self.winners(argmax), shape), up),)

    def winners(self, argmax: np.ndarray) -> tuple[np.ndarray, ...]:
        """Where each window's winner sits in the input: ``(n, c, row, col)`` index arrays
        shaped like the output, from the kernel's ``argmax`` (the index in the window)."""
        n, c, oh, ow = argmax.shape
        kw, (sh, sw), (ph, pw) = self.kernel_size[1], self.stride, self._padding
        dy, dx = np.divmod(argmax.astype(np.intp), kw)
        rows = np.arange(oh)[:, None] * sh + dy - ph
        cols = np.arange(ow)[None, :] * sw + dx - pw
        return (np.arange(n)[:, None, None, None], np.arange(c)[None, :, None, None],
                rows, cols)


def max_pool2d(x: Any, kernel_size: Any, stride: Any = None, padding: Any = 0) -> Value:
    """Max-pool (N,C,H,W) ``x`` over ``kernel_size`` windows; ``stride`` defaults to it.

    ``padding`` (at most half the window, as in PyTorch) adds borders that never win.

    >>> max_pool2d(Value(np.ones((1, 1, 5, 5))), 2).shape     # windows that don't fit drop
    (1, 1, 2, 2)
    """
    x = lift(x)
    kernel = pair("max_pool2d", "kernel_size", kernel_size, 1)
    stride = kernel if stride is None else pair("max_pool2d", "stride", stride, 1)
    padding = check_padding("max_pool2d", padding, kernel)
    if x.ndim != 4:
        raise GradgateError(f"max_pool2d: input must have shape (N, C, H, W); got {x.shape}")
    h, w = x.shape[2] + 2 * padding[0], x.shape[3] + 2 * padding[1]
    if kernel[0] > h or kernel[1] > w:
        raise GradgateError(
            f"max_pool2d: kernel {kernel[0]}x{kernel[1]} is larger than the input's spatial "
            f"size {h}x{w} with padding {padding} (shape {x.shape})")
    return apply(MaxPool2d(kernel, stride, padding), x)
