"""Inverted dropout — a mul gate: the input is multiplied by a random mask of 0 and 1/(1-p),
so each kept unit's gradient is upstream × its mask value.

>>> from autograd import Value, manual_seed
>>> _ = manual_seed(0)
>>> y = dropout(Value([1.0, 1.0, 1.0, 1.0]), p=0.5)
>>> sorted(set(y.data.tolist())) in ([0.0, 2.0], [0.0], [2.0])
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import GradgateError
from ..gate import MUL, Gate
from ..ops.arith import routed
from ..random import generator
from ..value import Value, apply, lift


class Dropout(Gate):
    """x · mask with mask ∈ {0, 1/(1-p)} — mul gate: dx = up · mask."""

    name, family = "dropout", MUL
    deterministic = False

    def __init__(self, p: float, rng: np.random.Generator):
        self.p = p
        self._rng = rng

    def forward(self, x: Any) -> tuple[Any, Any]:
        shape = np.shape(x)
        keep = self._rng.random(shape) >= self.p
        mask = keep / (1.0 - self.p) if self.p < 1.0 else np.zeros(shape)
        if type(x) is float:
            mask = float(mask)
        else:
            mask = mask.astype(x.dtype)
        return x * mask, mask

    def backward(self, up: Any, mask: Any) -> tuple[Any]:
        return (up * mask,)

    def vjp(self, up: Any, node: Any) -> tuple[Any]:
        return routed(self, up, node)


def dropout(x: Any, p: float = 0.5, training: bool = True,
            rng: np.random.Generator | None = None) -> Value:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p) in training;
    the identity in evaluation (``training=False``) or for ``p == 0``; all zeros for ``p == 1``.

    >>> v = Value([1.0, 2.0]); dropout(v, 0.5, training=False) is v
    True
    """
    if not isinstance(p, (int, float, np.floating)) or not 0.0 <= p <= 1.0:
        raise GradgateError(f"dropout: p must be a probability in [0, 1], got {p!r}")
    x = lift(x)
    if not training or p == 0.0:
        return x
    return apply(Dropout(float(p), rng if rng is not None else generator()), x)
