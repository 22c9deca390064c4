"""Numerically stable softmax and log-softmax (local gates).

>>> from autograd import Value
>>> softmax(Value([1000.0, 1000.0])).data.tolist()      # no overflow
[0.5, 0.5]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import GradgateError
from ..gate import LOCAL, Gate
from ..ops.axes import axis_index
from ..value import Value, apply, lift


def _axis(op: str, x: Value, axis: Any) -> int:
    if x.ndim == 0:
        raise GradgateError(f"{op}: needs a tensor with at least one dimension, got a scalar")
    return axis_index(op, axis, x.ndim)


def log_softmax_data(x: np.ndarray, axis: int) -> np.ndarray:
    """log softmax of an array along ``axis``, shifted by the max so exp never overflows."""
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


class Softmax(Gate):
    """s = e**x / Σe**x — local gate: dx = s · (up - Σ up·s)."""

    name, family = "softmax", LOCAL

    def __init__(self, axis: int):
        self.axis = axis

    def forward(self, x: Any) -> tuple[Any, Any]:
        s = np.exp(log_softmax_data(x, self.axis))
        return s, s

    def backward(self, up: Any, s: Any) -> tuple[Any]:
        return (s * (up - (up * s).sum(axis=self.axis, keepdims=True)),)

    def vjp(self, up: Any, node: Any) -> tuple[Any]:
        s = node
        return (s * (up - (up * s).sum(axis=self.axis, keepdims=True)),)


class LogSoftmax(Gate):
    """x - log Σe**x — local gate: dx = up - softmax · Σ up."""

    name, family = "log_softmax", LOCAL

    def __init__(self, axis: int):
        self.axis = axis

    def forward(self, x: Any) -> tuple[Any, Any]:
        out = log_softmax_data(x, self.axis)
        return out, out

    def backward(self, up: Any, out: Any) -> tuple[Any]:
        return (up - np.exp(out) * up.sum(axis=self.axis, keepdims=True),)

    def vjp(self, up: Any, node: Any) -> tuple[Any]:
        return (up - node.exp() * up.sum(axis=self.axis, keepdims=True),)


def softmax(x: Any, axis: int = -1) -> Value:
    """Softmax along ``axis``: scores to probabilities that sum to 1.

    >>> softmax(Value([0.0, 0.0])).data.tolist()
    [0.5, 0.5]
    """
    x = lift(x)
    return apply(Softmax(_axis("softmax", x, axis)), x)


def log_softmax(x: Any, axis: int = -1) -> Value:
    """log(softmax(x)) along ``axis``, computed stably.

    >>> round(float(log_softmax(Value([0.0, 0.0])).data[0]), 4)
    -0.6931
    """
    x = lift(x)
    return apply(LogSoftmax(_axis("log_softmax", x, axis)), x)
