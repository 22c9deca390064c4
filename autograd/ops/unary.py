"""Element-wise unary gates: exp, log, tanh, sigmoid (local gates) and relu (a max gate).

Scalars go through :mod:`math`, tensors through numpy.

>>> from autograd import Value
>>> x = Value(0.0); s = x.sigmoid(); s.backward(); (s.data, x.grad)
(0.5, 0.25)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import GradgateError
from ..gate import LOCAL, MAX, Gate
from .arith import routed


class Exp(Gate):
    """e**x — local gate: d/dx = e**x, so backward reuses the output."""

    name, family, formulas = "exp", LOCAL, ("exp(x)",)

    def forward(self, x: Any) -> tuple[Any, Any]:
        if type(x) is float:
            try:
                out = math.exp(x)
            except OverflowError:
                out = math.inf
        else:
            with np.errstate(over="ignore"):
                out = np.exp(x)
        return out, out

    def backward(self, up: Any, out: Any) -> tuple[Any]:
        return (up * out,)

    def vjp(self, up: Any, node: Any) -> tuple[Any]:
        return (up * node,)


class Log(Gate):
    """ln x for x > 0 — local gate: d/dx = 1/x."""

    name, family, formulas = "log", LOCAL, ("1/x",)

    def forward(self, x: Any) -> tuple[Any, Any]:
        if type(x) is float:
            if x <= 0.0:
                raise GradgateError(f"log: input must be positive, got {x!r}")
            return math.log(x), x
        bad = x <= 0
        if bad.any():
            first = tuple(int(i) for i in np.argwhere(bad)[0])
            raise GradgateError(
                f"log: input must be positive; {int(bad.sum())} of {x.size} elements of the "
                f"tensor of shape {x.shape} are <= 0 (first at index {first}: {x[first]!r})")
        return np.log(x), x

    def backward(self, up: Any, x: Any) -> tuple[Any]:
        return (up / x,)

    def vjp(self, up: Any, node: Any) -> tuple[Any]:
        (x,) = node.parents
        return (up / x,)


class Tanh(Gate):
    """tanh x — local gate: d/dx = 1 - tanh²x."""

    name, family, formulas = "tanh", LOCAL, ("1 - tanh²",)

    def forward(self, x: Any) -> tuple[Any, Any]:
        t = math.tanh(x) if type(x) is float else np.tanh(x)
        return t, t

    def backward(self, up: Any, t: Any) -> tuple[Any]:
        return (up * (1.0 - t * t),)

    def vjp(self, up: Any, node: Any) -> tuple[Any]:
        return (up * (1.0 - node * node),)


class Sigmoid(Gate):
    """σ(x) = 1/(1+e**-x) — local gate: d/dx = σ(1-σ).

    Computed from ``e = e**-|x|`` (never overflows): ``1/(1+e)`` for x >= 0 and ``e/(1+e)``
    for x < 0, so large negative inputs keep full relative precision (σ(-40) ≈ 4.25e-18,
    where ``(1 + tanh(x/2))/2`` cancels to 0).
    """

    name, family, formulas = "sigmoid", LOCAL, ("σ·(1 - σ)",)

    def forward(self, x: Any) -> tuple[Any, Any]:
        if type(x) is float:
            if x >= 0.0:
                s = 1.0 / (1.0 + math.exp(-x))
            else:  # NaN lands here too: exp(nan) is nan
                e = math.exp(x)
                s = e / (1.0 + e)
            return s, s
        e = np.exp(-np.abs(x))
        s = np.where(x >= 0, 1.0, e) / (1.0 + e)
        return s, s

    def backward(self, up: Any, s: Any) -> tuple[Any]:
        return (up * s * (1.0 - s),)

    def vjp(self, up: Any, node: Any) -> tuple[Any]:
        return (up * (node * (1.0 - node)),)


class ReLU(Gate):
    """max(x, 0) — max gate: routes upstream to x where x > 0, nothing elsewhere.

    NaN passes through and receives the gradient (NaN wins the max, as in ``torch.relu``).
    """

    name, family = "relu", MAX
    routes = ("> 0 so it passes", "≤ 0 so it blocks")
    """Why the input gets the gradient or not, for the stepper."""

    def forward(self, x: Any) -> tuple[Any, Any]:
        if type(x) is float:
            passes = not x <= 0.0
            return (x if passes else 0.0), passes
        return np.maximum(x, 0), ~(x <= 0)

    def backward(self, up: Any, passes: Any) -> tuple[Any]:
        if type(passes) is bool:
            return (up if passes else 0.0,)
        return (up * passes,)

    def vjp(self, up: Any, node: Any) -> tuple[Any]:
        return routed(self, up, node)


EXP_GATE, LOG_GATE, TANH_GATE = Exp(), Log(), Tanh()
SIGMOID_GATE, RELU_GATE = Sigmoid(), ReLU()
