"""Shape gates: reshape, transpose and indexing.  They move gradients without changing
them, so they belong to the add family (the gradient passes through, distributed back to
where each element came from).

>>> from autograd import Value
>>> x = Value([1.0, 2.0, 3.0])
>>> y = x[[0, 0, 2]]; y.sum().backward(); x.grad.tolist()    # repeated index: grads add
[2.0, 0.0, 1.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import GradgateError
from ..gate import ADD, Gate
from .axes import axis_index, shape_arg


def _tensor(op: str, x: Any) -> np.ndarray:
    if type(x) is float:
        raise GradgateError(f"{op}: needs a tensor Value, got the scalar {x!r}")
    return x


class Reshape(Gate):
    """The same elements in a new shape; backward reshapes the gradient back."""

    name, family = "reshape", ADD

    def __init__(self, shape: tuple[Any, ...]):
        self.shape = shape_arg(self.name, shape)

    def forward(self, x: Any) -> tuple[Any, Any]:
        x = np.asarray(x)
        try:
            return x.reshape(self.shape), x.shape
        except ValueError:
            raise GradgateError(
                f"reshape: cannot reshape a tensor of shape {x.shape} ({x.size} elements) "
                f"into shape {self.shape}") from None

    def backward(self, up: Any, shape: tuple[int, ...]) -> tuple[Any]:
        return (np.reshape(up, shape),)

    def vjp(self, up: Any, node: Any) -> tuple[Any]:
        (x,) = node.parents
        return (up.reshape(x.shape),)


class Transpose(Gate):
    """Permutes axes; backward applies the inverse permutation."""

    name, family = "transpose", ADD

    def __init__(self, axes: tuple[Any, ...] | None, ndim: int):
        if axes is not None:
            wrapped = tuple(axis_index(self.name, a, ndim) for a in axes)
            if sorted(wrapped) != list(range(ndim)):
                raise GradgateError(
                    f"transpose: axes {tuple(axes)} are not a permutation of the {ndim} axes "
                    f"of a {ndim}-d Value (each of 0..{ndim - 1} exactly once)")
            axes = wrapped
        self.axes = axes

    def forward(self, x: Any) -> tuple[Any, None]:
        return np.transpose(_tensor(self.name, x), self.axes), None

    def backward(self, up: Any, saved: None) -> tuple[Any]:
        inverse = None if self.axes is None else tuple(np.argsort(self.axes))
        return (np.transpose(up, inverse),)

    def vjp(self, up: Any, node: Any) -> tuple[Any]:
        return (up.transpose(() if self.axes is None else tuple(np.argsort(self.axes))),)


def _is_advanced(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(p, (list, np.ndarray)) for p in parts)


class GetItem(Gate):
    """``x[index]`` — basic slicing or integer-array indexing; the gradient is scattered
    back to the selected positions (summed where an index repeats)."""

    name, family = "getitem", ADD

    def __init__(self, index: Any):
        if isinstance(index, list):
            index = np.asarray(index)
        elif isinstance(index, tuple):
            index = tuple(np.asarray(p) if isinstance(p, list) else p for p in index)
        self.index = index

    def forward(self, x: Any) -> tuple[Any, Any]:
        x = _tensor(self.name, x)
        try:
            out = x[self.index]
        except IndexError as err:
            raise IndexError(f"getitem: {err} (tensor of shape {x.shape})") from None
        return (np.array(out) if out.ndim == 0 else out), x.shape

    def backward(self, up: Any, shape: tuple[int, ...]) -> tuple[Any]:
        return (Scatter(self.index, shape).forward(up)[0],)

    def vjp(self, up: Any, node: Any) -> tuple[Any]:
        from ..value import apply

        (x,) = node.parents
        return (apply(Scatter(self.index, x.shape), up),)


class Scatter(Gate):
    """The gradient of ``x[index]``: ``up`` written into zeros of ``shape`` at ``index``,
    summed where an index repeats — add gate, whose own gradient is ``upstream[index]``.

    >>> import numpy as np
    >>> Scatter(np.array([0, 0, 2]), (3,)).forward(np.array([1.0, 2.0, 3.0]))[0].tolist()
    [3.0, 0.0, 3.0]
    """

    name, family = "scatter", ADD

    def __init__(self, index: Any, shape: tuple[int, ...]):
        self.index = index
        self.shape = shape

    def forward(self, up: Any) -> tuple[Any, None]:
        grad = np.zeros(self.shape, np.result_type(up))
        if _is_advanced(self.index):
            np.add.at(grad, self.index, up)
        else:
            grad[self.index] = up
        return grad, None

    def backward(self, up: Any, saved: None) -> tuple[Any]:
        out = up[self.index]
        return (np.array(out) if out.ndim == 0 else out,)

    def vjp(self, up: Any, node: Any) -> tuple[Any]:
        return (up[self.index],)
