"""Dropout: in training, zero each input with probability ``p`` and scale the survivors by
``1 / (1 - p)`` (inverted dropout), so evaluation needs no rescaling; identity in ``eval()``.

>>> import numpy as np
>>> drop = Dropout(0.5).eval()
>>> drop(np.ones(3)).numpy().tolist()
[1.0, 1.0, 1.0]
"""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Value

from .module import Module, as_input


class Dropout(Module):
    """Randomly zero inputs with probability ``p`` while ``self.training``.

    >>> import numpy as np
    >>> y = Dropout(0.5)(np.ones(1000)).numpy()
    >>> sorted(set(y.tolist()))
    [0.0, 2.0]
    """

    pointwise = True

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be in [0, 1], got {p}")
        self.p = float(p)

    def forward(self, x: Any) -> Value:
        x = as_input(x)
        if not self.training or self.p == 0.0:
            return x
        return autograd.dropout(x, self.p, training=True)

    def extra_repr(self) -> str:
        return f"p={self.p}"
