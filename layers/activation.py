"""Activation layers: ReLU, Sigmoid, Tanh and Softmax (no parameters).

ReLU is a max gate (routes the gradient where the input is positive); Sigmoid and Tanh are
local gates (multiply by their own derivative).

>>> import numpy as np
>>> ReLU()(np.array([-1.0, 2.0])).numpy().tolist()
[0.0, 2.0]
"""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Value

from .module import Module, as_input


class ReLU(Module):
    """``max(x, 0)`` element-wise.

    >>> import numpy as np
    >>> ReLU()(np.array([-3.0, 0.5])).numpy().tolist()
    [0.0, 0.5]
    """

    pointwise = True

    def forward(self, x: Any) -> Value:
        return as_input(x).relu()


class Sigmoid(Module):
    """``1 / (1 + exp(-x))`` element-wise.

    >>> import numpy as np
    >>> Sigmoid()(np.zeros(2)).numpy().tolist()
    [0.5, 0.5]
    """

    pointwise = True

    def forward(self, x: Any) -> Value:
        return as_input(x).sigmoid()


class Tanh(Module):
    """``tanh(x)`` element-wise.

    >>> import numpy as np
    >>> Tanh()(np.zeros(2)).numpy().tolist()
    [0.0, 0.0]
    """

    pointwise = True

    def forward(self, x: Any) -> Value:
        return as_input(x).tanh()


class Softmax(Module):
    """Probabilities along ``dim``: ``exp(x) / sum(exp(x))`` (numerically stable).

    >>> import numpy as np
    >>> Softmax(dim=-1)(np.zeros((1, 4))).numpy().tolist()
    [[0.25, 0.25, 0.25, 0.25]]
    """

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Any) -> Value:
        x = as_input(x)
        if not -max(x.ndim, 1) <= self.dim < max(x.ndim, 1):
            raise ValueError(f"Softmax(dim={self.dim}): input of shape {x.shape} has no such dim")
        return autograd.softmax(x, axis=self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
