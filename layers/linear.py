"""Linear (fully connected) layer: ``y = x W^T + b`` with PyTorch's weight layout.

>>> import numpy as np
>>> fc = Linear(3, 2)
>>> fc.weight.shape, fc.bias.shape
((2, 3), (2,))
>>> fc(np.ones((5, 3))).shape
(5, 2)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Value

from .init import kaiming_uniform_, uniform_
from .module import Module, Parameter, as_input, float_dtype


def reset_weight_and_bias(weight: Parameter, bias: Parameter | None, fan_in: int) -> None:
    """PyTorch's default for Linear and Conv2d: weight from kaiming_uniform(a=sqrt(5)),
    i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and bias from the same range.

    >>> w, b = Parameter(np.zeros((3, 4))), Parameter(np.zeros(3))
    >>> reset_weight_and_bias(w, b, fan_in=4)
    >>> bool(np.abs(w.data).max() <= 0.5 and np.abs(b.data).max() <= 0.5)
    True
    """
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        uniform_(bias, -bound, bound)


def check_features(layer: str, x: Value, dim: int, size: int, expected: str) -> None:
    """Raise a ValueError naming ``layer`` when ``x.shape[dim] != size``.

    >>> check_features("Linear(3, 2)", Value(np.zeros((4, 2))), 1, 3, "(*, 3)")
    Traceback (most recent call last):
    ValueError: Linear(3, 2): expected input of shape (*, 3), got shape (4, 2)
    """
    if x.ndim == 0 or x.ndim <= dim or x.shape[dim] != size:
        raise ValueError(f"{layer}: expected input of shape {expected}, got shape {x.shape}")


class Linear(Module):
    """Fully connected layer ``y = x @ weight.T + bias``.

    ``weight`` is ``(out_features, in_features)``, ``bias`` ``(out_features,)``; input is
    ``(*, in_features)``.  Initialised like PyTorch (U(±1/sqrt(in_features))).

    >>> Linear(4, 2, bias=False).num_parameters()
    8
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, dtype: Any = None
    ) -> None:
        super().__init__()
        if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0
                   for n in (in_features, out_features)):
            raise ValueError(
                f"Linear: in_features and out_features must be positive ints, "
                f"got {in_features!r} and {out_features!r}"
            )
        dt = float_dtype(dtype)
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(np.zeros((out_features, in_features)), dtype=dt)
        self.bias = Parameter(np.zeros(out_features), dtype=dt) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh weights and biases (PyTorch's default initialisation)."""
        reset_weight_and_bias(self.weight, self.bias, self.in_features)

    def forward(self, x: Any) -> Value:
        x = as_input(x, self.weight.dtype)
        check_features(
            f"Linear({self.in_features}, {self.out_features})",
            x, x.ndim - 1, self.in_features, f"(*, {self.in_features})",
        )
        y = x @ self.weight.T
        return y + self.bias if self.bias is not None else y

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )
