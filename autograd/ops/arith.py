"""Arithmetic gates.  Each forward stands beside its local backward, as in the maths.

Gradients here have the broadcast shape; :func:`autograd.graph.unbroadcast` reduces them to each
input's shape.

>>> from autograd import Value
>>> x, y = Value(3.0), Value(-4.0)
>>> z = x * y; z.backward(); (x.grad, y.grad)     # mul swaps
(-4.0, 3.0)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import GradgateError, describe
from ..gate import ADD, LOCAL, MAX, MUL, Gate, operand
from ..graph import saved_state


def routed(gate: Gate, up: Any, node: Any) -> tuple[Any, ...]:
    """The differentiable backward of a piecewise-linear gate (relu, maximum, the hinge
    loss, dropout): its local derivative is a constant where it is defined, the mask the
    gate routes by, read off its own backward for an upstream of ones: ``up × mask``.

    >>> from autograd import Value
    >>> x = Value([-1.0, 2.0]); y = x.relu()
    >>> routed(y.gate, Value([5.0, 5.0]), y)[0].data.tolist()
    [0.0, 5.0]
    """
    ones = 1.0 if type(node.data) is float else np.ones(node.shape, node.dtype)
    masks = gate.backward(ones, saved_state(node))
    return tuple(None if m is None else up * m for m in masks)


def _ln(x: Any) -> Any:
    return math.log(x) if type(x) is float else np.log(x)


class Add(Gate):
    """a + b — add gate: distributes the upstream gradient unchanged to both inputs."""

    name, family, symbol = "add", ADD, "+"

    def forward(self, a: Any, b: Any) -> tuple[Any, None]:
        return a + b, None

    def backward(self, up: Any, saved: None) -> tuple[Any, Any]:
        return up, up

    def vjp(self, up: Any, node: Any) -> tuple[Any, Any]:
        return up, up


class Sub(Gate):
    """a - b — add gate: distributes upstream to a and its negation to b."""

    name, family, symbol = "sub", ADD, "-"

    def forward(self, a: Any, b: Any) -> tuple[Any, None]:
        return a - b, None

    def backward(self, up: Any, saved: None) -> tuple[Any, Any]:
        return up, -up

    def vjp(self, up: Any, node: Any) -> tuple[Any, Any]:
        return up, -up


class Neg(Gate):
    """-a — local gate: d(-a)/da = -1."""

    name, family, formulas = "neg", LOCAL, ("-1",)

    def expression(self, args: list[str]) -> str:
        """``-x``."""
        return f"-{operand(args[0])}"

    def forward(self, a: Any) -> tuple[Any, None]:
        return -a, None

    def backward(self, up: Any, saved: None) -> tuple[Any]:
        return (-up,)

    def vjp(self, up: Any, node: Any) -> tuple[Any]:
        return (-up,)


class Mul(Gate):
    """a * b — mul gate: swaps, each input gets upstream times the other input."""

    name, family, symbol = "mul", MUL, "*"

    def forward(self, a: Any, b: Any) -> tuple[Any, tuple[Any, Any]]:
        return a * b, (a, b)

    def backward(self, up: Any, saved: tuple[Any, Any]) -> tuple[Any, Any]:
        a, b = saved
        return up * b, up * a

    def vjp(self, up: Any, node: Any) -> tuple[Any, Any]:
        a, b = node.parents
        return up * b, up * a


class Div(Gate):
    """a / b — local gate: d/da = 1/b, d/db = -a/b²."""

    name, family, symbol, formulas = "div", LOCAL, "/", ("1/b", "-a/b²")

    def forward(self, a: Any, b: Any) -> tuple[Any, tuple[Any, Any]]:
        scalars = type(a) is float and type(b) is float
        if scalars and b != 0.0:
            return a / b, (a, b)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = np.divide(a, b)  # x/0 is inf or nan, as in numpy, not ZeroDivisionError
        return (float(out) if scalars else out), (a, b)

    def backward(self, up: Any, saved: tuple[Any, Any]) -> tuple[Any, Any]:
        a, b = saved
        return up / b, -up * a / (b * b)

    def vjp(self, up: Any, node: Any) -> tuple[Any, Any]:
        a, b = node.parents
        return up / b, -up * a / (b * b)


def _power(base: Any, exponent: Any) -> Any:
    """base ** exponent as in numpy: inf/nan (no exception) for overflow and 0 ** -c."""
    if type(base) is float and type(exponent) is float:
        try:
            return base**exponent
        except (OverflowError, ZeroDivisionError):
            pass
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        out = np.power(base, exponent)
    return float(out) if type(base) is float and type(exponent) is float else out


class Pow(Gate):
    """x ** c for a constant exponent c — local gate: d/dx = c · x**(c-1)."""

    name, family = "pow", LOCAL

    def __init__(self, exponent: float):
        self.exponent = exponent

    def expression(self, args: list[str]) -> str:
        """``x**3``."""
        return f"{operand(args[0])}**{self.exponent:g}"

    def local_formula(self, position: int) -> str:
        """``3·x^2`` for the exponent 3."""
        n = self.exponent
        return f"{n:g}·x^{n - 1:g}"

    def forward(self, x: Any) -> tuple[Any, Any]:
        c = self.exponent
        if not c.is_integer() and np.any(np.asarray(x) < 0):
            raise GradgateError(
                f"pow: negative base in {describe(x)} with non-integer exponent {c} "
                "has no real value")
        return _power(x, c), x

    def backward(self, up: Any, x: Any) -> tuple[Any]:
        c = self.exponent
        if c == 0.0:
            return (up * 0.0,)
        return (up * c * _power(x, c - 1.0),)

    def vjp(self, up: Any, node: Any) -> tuple[Any]:
        (x,) = node.parents
        c = self.exponent
        if c == 0.0:
            return (up * 0.0,)
        return (up * c * x ** (c - 1.0),)


class PowValue(Gate):
    """a ** b with a Value exponent — local gate: d/da = b·a**(b-1), d/db = a**b · ln a.

    With ``exponent_grad=False`` (an exponent that requires no grad, such as a NumPy array)
    d/db is never computed: ln a need not exist, so a negative base is fine.
    """

    name, family, symbol, formulas = "pow", LOCAL, "**", ("b·a^(b-1)", "a^b·ln(a)")

    def __init__(self, exponent_grad: bool):
        self._exponent_grad = exponent_grad

    def forward(self, a: Any, b: Any) -> tuple[Any, tuple[Any, Any, Any]]:
        out = _power(a, b)
        return out, (a, b, out)

    def backward(self, up: Any, saved: tuple[Any, Any, Any]) -> tuple[Any, Any]:
        a, b, out = saved
        with np.errstate(divide="ignore", invalid="ignore"):
            return (up * b * _power(a, b - 1.0),
                    up * out * _ln(a) if self._exponent_grad else None)

    def vjp(self, up: Any, node: Any) -> tuple[Any, Any]:
        a, b = node.parents
        return up * b * a ** (b - 1.0), up * node * a.log() if self._exponent_grad else None


class Maximum(Gate):
    """max(a, b) element-wise — max gate: routes upstream to the larger input (ties: a).

    A NaN wins, as in ``np.maximum`` and ``torch.maximum``: the result is NaN whichever side
    it came from, and the gradient is routed to the NaN input.
    """

    name, family = "maximum", MAX

    def expression(self, args: list[str]) -> str:
        """``max(z, w)``."""
        return f"max({', '.join(args)})"

    def forward(self, a: Any, b: Any) -> tuple[Any, Any]:
        if type(a) is float and type(b) is float:
            a_wins = a >= b or a != a
            return (a if a_wins else b), a_wins
        a_wins = np.greater_equal(a, b) | np.isnan(a)
        return np.where(a_wins, a, b), a_wins

    def backward(self, up: Any, a_wins: Any) -> tuple[Any, Any]:
        if type(a_wins) is bool:
            return (up, 0.0) if a_wins else (0.0, up)
        return up * a_wins, up * ~a_wins

    def vjp(self, up: Any, node: Any) -> tuple[Any, Any]:
        return routed(self, up, node)


ADD_GATE, SUB_GATE, NEG_GATE = Add(), Sub(), Neg()
MUL_GATE, DIV_GATE = Mul(), Div()
POW_VALUE_GATE, POW_ARRAY_GATE = PowValue(exponent_grad=True), PowValue(exponent_grad=False)
MAXIMUM_GATE = Maximum()
