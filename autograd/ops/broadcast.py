"""Broadcasting and its backward as a pair of add gates, each the other's gradient:
``broadcast_to`` copies a Value over a larger shape, ``sum_to_size`` adds the copies back.

A differentiable backward (``create_graph=True``) records them wherever the array backward
would broadcast or unbroadcast: a sum's gradient is its upstream broadcast back, and a
gradient reaching a broadcast input is summed down to the input's shape.

>>> from autograd import Value
>>> b = Value([1.0, 2.0]).broadcast_to((3, 2))
>>> b.data.tolist(), b.sum_to_size((2,)).data.tolist()
([[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]], [3.0, 6.0])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import GradgateError
from ..gate import ADD, Gate
from ..graph import reduce_to


def _sum_to(g: Any, shape: tuple[int, ...], dtype: Any, scalar: bool) -> Any:
    """``g`` summed down to ``shape`` in ``dtype``; a Python float when ``scalar``."""
    if scalar:
        return g if type(g) is float else float(np.sum(g))
    return np.array(reduce_to(g, shape, dtype))


class BroadcastTo(Gate):
    """A Value copied over ``shape`` by NumPy's broadcasting — add gate: the gradient is
    the upstream summed back to the input's shape."""

    name, family = "broadcast_to", ADD

    def __init__(self, shape: tuple[int, ...]):
        self.shape = tuple(int(n) for n in shape)

    def forward(self, x: Any) -> tuple[Any, Any]:
        try:
            out = np.array(np.broadcast_to(x, self.shape))
        except ValueError:
            raise GradgateError(f"broadcast_to: a Value of shape {np.shape(x)} does not "
                                f"broadcast to shape {self.shape}") from None
        return out, (np.shape(x), np.result_type(x), type(x) is float)

    def backward(self, up: Any, saved: Any) -> tuple[Any]:
        return (_sum_to(up, *saved),)

    def vjp(self, up: Any, node: Any) -> tuple[Any]:
        (x,) = node.parents
        return (apply_sum_to(up, x),)


class SumTo(Gate):
    """The sum of a Value down to ``shape`` (over the axes broadcasting would add or
    stretch) — add gate: every summed element gets the upstream, broadcast back."""

    name, family = "sum_to_size", ADD

    def __init__(self, shape: tuple[int, ...], dtype: Any = None, scalar: bool = False):
        self.shape = tuple(int(n) for n in shape)
        self._dtype = dtype
        self._scalar = scalar

    def forward(self, g: Any) -> tuple[Any, Any]:
        try:
            np.broadcast_shapes(self.shape, np.shape(g))
        except ValueError:
            raise GradgateError(f"sum_to_size: a Value of shape {np.shape(g)} does not sum "
                                f"to shape {self.shape}") from None
        dtype = self._dtype if self._dtype is not None else np.result_type(g)
        return _sum_to(g, self.shape, dtype, self._scalar), np.shape(g)

    def backward(self, up: Any, shape: Any) -> tuple[Any]:
        return (np.broadcast_to(up, shape),)

    def vjp(self, up: Any, node: Any) -> tuple[Any]:
        (g,) = node.parents
        return (up.broadcast_to(g.shape),)


def apply_sum_to(g: Any, like: Any) -> Any:
    """Value ``g`` summed to the shape, dtype and kind (scalar or tensor) of Value ``like``:
    the differentiable form of :func:`autograd.graph.unbroadcast`; ``g`` itself when it
    already fits.

    >>> from autograd import Value
    >>> apply_sum_to(Value([1.0, 2.0]), Value(0.0)).data
    3.0
    """
    from ..value import apply

    if g.shape == like.shape and g.is_scalar == like.is_scalar and g.dtype == like.dtype:
        return g
    return apply(SumTo(like.shape, like.dtype, like.is_scalar), g)
