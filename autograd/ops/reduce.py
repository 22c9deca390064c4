"""Reductions: sum (add gate), mean (local gate, ÷N) and max (max gate).

>>> from autograd import Value
>>> x = Value([[1.0, 5.0], [3.0, 2.0]])
>>> m = x.max(axis=1); m.sum().backward(); x.grad.tolist()      # max routes
[[0.0, 1.0], [1.0, 0.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import GradgateError
from ..gate import ADD, LOCAL, MAX, Gate
from ..graph import saved_state
from .axes import axis_index


def normalize_axes(op: str, axis: Any, ndim: int) -> tuple[int, ...]:
    """``axis`` (an int, a tuple or list of ints, or None for all) as a sorted tuple of
    non-negative axes, each checked by :func:`~autograd.ops.axes.axis_index`.

    >>> normalize_axes("sum", -1, 3)
    (2,)
    >>> normalize_axes("sum", 1.0, 3)
    Traceback (most recent call last):
    ...
    autograd.errors.GradgateError: sum: an axis must be an int; got 1.0 (float)
    """
    if axis is None:
        return tuple(range(ndim))
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    out = [axis_index(op, a, ndim) for a in axes]
    if len(set(out)) != len(out):
        raise GradgateError(f"{op}: repeated axis in {axis!r}")
    return tuple(sorted(out))


class _Reduction(Gate):
    def __init__(self, axis: int | tuple[int, ...] | None, keepdims: bool, ndim: int):
        self.axis = axis
        self.keepdims = keepdims
        self._axes = normalize_axes(self.name, axis, ndim)

    def _expand(self, up: Any, shape: tuple[int, ...]) -> Any:
        """Upstream gradient broadcast back over the reduced axes."""
        if not self.keepdims:
            up = np.expand_dims(up, self._axes)
        return np.broadcast_to(up, shape)

    def _spread(self, up: Any, x: Any) -> Any:
        """:meth:`_expand` with Value ops: the upstream Value broadcast over ``x``'s shape."""
        if x.is_scalar:
            return up
        if not self.keepdims:
            up = up.reshape([1 if a in self._axes else n for a, n in enumerate(x.shape)])
        return up.broadcast_to(x.shape)


class Sum(_Reduction):
    """Sum over axes — add gate: every input element receives the upstream gradient."""

    name, family = "sum", ADD

    def forward(self, x: Any) -> tuple[Any, Any]:
        if type(x) is float:
            return x, None
        return np.sum(x, axis=self._axes, keepdims=self.keepdims), x.shape

    def backward(self, up: Any, shape: Any) -> tuple[Any]:
        return (up if shape is None else self._expand(up, shape),)

    def vjp(self, up: Any, node: Any) -> tuple[Any]:
        (x,) = node.parents
        return (self._spread(up, x),)


class Mean(_Reduction):
    """Mean over axes — local gate: each input element receives upstream / N."""

    name, family = "mean", LOCAL

    def forward(self, x: Any) -> tuple[Any, Any]:
        if type(x) is float:
            return x, None
        return np.mean(x, axis=self._axes, keepdims=self.keepdims), x.shape

    def backward(self, up: Any, shape: Any) -> tuple[Any]:
        if shape is None:
            return (up,)
        n = int(np.prod([shape[a] for a in self._axes]))
        return (self._expand(up / n, shape),)

    def vjp(self, up: Any, node: Any) -> tuple[Any]:
        (x,) = node.parents
        n = int(np.prod([x.shape[a] for a in self._axes])) if not x.is_scalar else 1
        return (self._spread(up / n, x),)


class Max(_Reduction):
    """Max over axes — max gate: upstream goes to the first largest element of each group."""

    name, family = "max", MAX

    def forward(self, x: Any) -> tuple[Any, Any]:
        if type(x) is float:
            return x, None
        if x.size == 0:
            raise GradgateError(f"max: cannot take the max of an empty tensor of shape {x.shape}")
        kept = [a for a in range(x.ndim) if a not in self._axes]
        grouped = np.transpose(x, kept + list(self._axes))
        grouped = grouped.reshape(grouped.shape[: len(kept)] + (-1,))
        winner = grouped.argmax(axis=-1)
        out = np.take_along_axis(grouped, winner[..., None], axis=-1)[..., 0]
        if self.keepdims:
            out = np.expand_dims(out, self._axes)
        return out, (winner, x.shape, kept)

    def backward(self, up: Any, saved: Any) -> tuple[Any]:
        if saved is None:
            return (up,)
        winner, shape, kept = saved
        if self.keepdims:
            up = np.squeeze(up, self._axes)
        group = int(np.prod([shape[a] for a in self._axes]))
        routed = np.zeros(winner.shape + (group,), np.result_type(up))
        np.put_along_axis(routed, winner[..., None], np.asarray(up)[..., None], axis=-1)
        order = kept + list(self._axes)
        routed = routed.reshape([shape[a] for a in order])
        return (np.transpose(routed, np.argsort(order)),)

    def vjp(self, up: Any, node: Any) -> tuple[Any]:
        (x,) = node.parents
        if x.is_scalar:
            return (up,)
        winners = self.backward(np.ones(node.shape, x.dtype), saved_state(node))[0]
        return (self._spread(up, x) * winners,)
