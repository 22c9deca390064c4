"""Joining tensors: ``cat`` along an existing axis and ``stack`` along a new one.  Both are
add gates: each input receives, unchanged, the slice of the upstream gradient it filled.

>>> from autograd import Value
>>> a, b = Value([1.0, 2.0]), Value([3.0])
>>> y = cat([a, b]); (y * Value([1.0, 2.0, 3.0])).sum().backward()
>>> y.data.tolist(), a.grad.tolist(), b.grad.tolist()
([1.0, 2.0, 3.0], [1.0, 2.0], [3.0])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import GradgateError
from ..gate import ADD, Gate
from ..graph import saved_state
from ..value import Value, apply, lift
from .axes import axis_index


class Cat(Gate):
    """Concatenation along ``axis``; backward splits the gradient back into the pieces."""

    name, family = "cat", ADD

    def __init__(self, axis: int):
        self.axis = axis

    def forward(self, *xs: Any) -> tuple[Any, Any]:
        return np.concatenate(xs, axis=self.axis), np.cumsum([x.shape[self.axis] for x in xs])

    def backward(self, up: Any, ends: Any) -> tuple[Any, ...]:
        return tuple(np.split(up, ends[:-1], axis=self.axis))

    def vjp(self, up: Any, node: Any) -> tuple[Any, ...]:
        lead = (slice(None),) * self.axis
        starts = [0, *(int(e) for e in saved_state(node)[:-1])]
        return tuple(up[lead + (slice(a, a + p.shape[self.axis]),)]
                     for a, p in zip(starts, node.parents))


class Stack(Gate):
    """Stacking along a new ``axis``; backward hands each input its slice of the gradient."""

    name, family = "stack", ADD

    def __init__(self, axis: int):
        self.axis = axis

    def forward(self, *xs: Any) -> tuple[Any, None]:
        return np.stack(xs, axis=self.axis), None

    def backward(self, up: Any, saved: None) -> tuple[Any, ...]:
        return tuple(np.moveaxis(up, self.axis, 0))

    def vjp(self, up: Any, node: Any) -> tuple[Any, ...]:
        lead = (slice(None),) * self.axis
        return tuple(up[lead + (i,)] for i in range(len(node.parents)))


def _tensors(op: str, values: Sequence[Any]) -> list[Value]:
    if isinstance(values, Value) or not isinstance(values, Sequence) or not values:
        raise GradgateError(f"{op}: expected a non-empty list of Values")
    vs = [lift(v) for v in values]
    if any(v.is_scalar for v in vs):
        raise GradgateError(f"{op}: needs tensors; got a scalar Value among the inputs")
    return vs


def cat(values: Sequence[Any], axis: int = 0) -> Value:
    """Concatenate tensors along an existing ``axis`` (``torch.cat``).

    >>> cat([Value([[1.0]]), Value([[2.0]])], axis=1).shape
    (1, 2)
    """
    vs = _tensors("cat", values)
    ndim = vs[0].ndim
    axis = axis_index("cat", axis, ndim)
    shapes = [v.shape for v in vs]
    if any(len(s) != ndim or s[:axis] + s[axis + 1:] != shapes[0][:axis] + shapes[0][axis + 1:]
           for s in shapes):
        raise GradgateError(f"cat: shapes {shapes} must agree except along axis {axis}")
    return apply(Cat(axis), *vs)


def stack(values: Sequence[Any], axis: int = 0) -> Value:
    """Stack same-shaped tensors along a new ``axis`` (``torch.stack``).

    >>> stack([Value([1.0, 2.0]), Value([3.0, 4.0])], axis=1).shape
    (2, 2)
    """
    vs = _tensors("stack", values)
    shapes = {v.shape for v in vs}
    if len(shapes) != 1:
        raise GradgateError(f"stack: all tensors need the same shape; got {sorted(shapes)}")
    return apply(Stack(axis_index("stack", axis, vs[0].ndim + 1)), *vs)
