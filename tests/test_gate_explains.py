"""Gates explain themselves: a new gate defined outside the engine shows its rule, its local
derivative, its expression and its parameters in pictures and in the stepper, with no edit
to viz; a parameter is known by the Value's ``is_parameter`` flag."""

from __future__ import annotations

import math

import numpy as np

import viz
from autograd import Gate, Value
from autograd.gate import LOCAL, MUL
from autograd.value import apply, apply2
from viz.graphview import GraphView


class Softplus(Gate):
    """log(1 + e**(beta·x)) / beta — local gate: d/dx = σ(beta·x)."""

    name, family, formulas = "softplus", LOCAL, ("σ(β·x)",)

    def __init__(self, beta: float) -> None:
        self.beta = beta
        self._cache_note = "internal, not shown"

    def forward(self, x):
        return math.log1p(math.exp(self.beta * x)) / self.beta, x

    def backward(self, up, x):
        return (up / (1.0 + math.exp(-self.beta * x)),)


class Scale(Gate):
    """a ⊙ b, written with its own infix symbol."""

    name, family, symbol = "scale", MUL, "⊙"

    def forward(self, a, b):
        return a * b, (a, b)

    def backward(self, up, saved):
        a, b = saved
        return up * b, up * a


def test_a_new_gate_shows_its_rule_formula_expression_and_params():
    x, y = Value(0.0, label="x"), Value(2.0, label="y")
    f = apply2(Scale(), apply(Softplus(2.0), x), y)
    steps = viz.step(f)
    assert steps[0].name == "softplus(x)⊙y"
    assert steps[0].title == "Step 1: softplus(x)⊙y — scale (mul gate: swaps)"
    assert "softplus(x) gets 2.00 (the other input, y) × upstream 1.00 = 2.00" in steps[0].lines
    soft = steps[1]
    assert soft.lines[0] == ("upstream gradient 2.00 arrives; the softplus gate multiplies it "
                             "by its local derivative:")
    assert soft.lines[1] == "x gets σ(β·x) = 0.500 × upstream 2.00 = 1.00"
    src = viz.draw(f).source
    assert "beta 2" in src and "_cache_note" not in src and "internal" not in src
    assert "local gate · local derivative" in src and "mul gate · swaps" in src


def test_tensor_rule_comes_from_the_gate():
    t = Value(np.ones(3), label="t")
    step = viz.step((t * 2.0).sum())[1]
    assert step.lines[1] == ("the mul gate swaps: each input gets the upstream gradient "
                             "combined with the other input:")


def test_a_parameter_is_known_by_its_flag_not_its_class_name():
    class Weight(Value):  # any class name: the flag decides
        __slots__ = ()
        is_parameter = True

    w, x = Weight(2.0), Value(3.0, label="x")
    model = GraphView(w * x)
    assert model.kinds == ["param", "input", "output"]
    assert model.name(0) == "param #0"
    assert not Value(1.0).is_parameter
