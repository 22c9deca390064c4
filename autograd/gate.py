"""Gates: the unit of the computational graph.

Every recorded node carries a :class:`Gate` that knows its forward, its local backward and
its *family*, the rule the course teaches for how a gate hands the upstream gradient back:

- ``add``   distributes: every input receives the upstream gradient unchanged;
- ``mul``   swaps: each input receives upstream x the *other* input;
- ``max``   routes: the whole upstream gradient goes to the winning input;
- ``local`` multiplies the upstream gradient by the op's own local derivative.

A gate's ``forward(*inputs)`` takes raw data (Python floats or numpy arrays) and returns
``(out, saved)``; ``backward(up, saved)`` returns one gradient per input (``None`` for an
input that gets none).  Gates know nothing of the graph: :mod:`autograd.value` records nodes
and :mod:`autograd.graph` walks them.

A gate also explains itself, so that pictures and the backward stepper need no table of
ops: its family's rule in words (:attr:`Gate.rule` and the longer forms below), its local
derivative per input as a formula (:meth:`Gate.local_formula`), how it reads as an
expression (:meth:`Gate.expression`) and its parameters worth showing (:meth:`Gate.params`).

>>> from autograd import Value
>>> (Value(2.0) * Value(3.0)).gate.family
'mul'
"""

from __future__ import annotations

import re
from typing import Any

from .errors import GradgateError

ADD, MUL, MAX, LOCAL = "add", "mul", "max", "local"

RULES = {
    ADD: "distributes",
    MUL: "swaps",
    MAX: "routes",
    LOCAL: "multiplies by its local derivative",
}
"""Each family's rule in a few words (``str(gate)``, ``Gate.rule``)."""

RULE_LABELS = {ADD: "distributes", MUL: "swaps", MAX: "routes", LOCAL: "local derivative"}
"""The rule as a picture labels an op node: ``mul gate · swaps``."""

RULE_ACTIONS = {
    ADD: "distributes it",
    MUL: "swaps",
    MAX: "routes it",
    LOCAL: "multiplies it by its local derivative",
}
"""What the gate does to the arriving gradient: ``the add gate distributes it``."""

TENSOR_RULES = {
    ADD: "passes the upstream gradient to every input unchanged (only summed, reshaped or "
         "permuted back to the input's shape)",
    MUL: "swaps: each input gets the upstream gradient combined with the other input",
    MAX: "routes the upstream gradient to the winning entries; the others get 0",
    LOCAL: "multiplies the upstream gradient by its local derivative",
}
"""The rule for tensors, where one number per input cannot be shown."""


def operand(text: str) -> str:
    """Parenthesise an expression used as an operand, unless it is a name, a number, a
    ``#``-numbered node or one call ``f(...)``.

    >>> operand("x"), operand("x*y"), operand("max(z, w)"), operand("f(a)+g(b)")
    ('x', '(x*y)', 'max(z, w)', '(f(a)+g(b))')
    """
    if "#" in text or re.fullmatch(r"-?[\w.]+", text):
        return text
    head = re.match(r"[\w.]+\(", text)
    if head and text.endswith(")"):
        depth = 0
        for k, c in enumerate(text[head.end() - 1:], head.end() - 1):
            depth += {"(": 1, ")": -1}.get(c, 0)
            if depth == 0:
                if k == len(text) - 1:
                    return text
                break
    return f"({text})"


class Gate:
    """Base class of every op: ``name``, ``family``, ``forward`` and ``backward``.

    Stateless gates are shared singletons; gates with parameters (an axis, a stride, an
    exponent) are made per node and expose those parameters as attributes.

    >>> from autograd.ops.arith import MUL_GATE
    >>> MUL_GATE.name, MUL_GATE.family, MUL_GATE.rule
    ('mul', 'mul', 'swaps')
    """

    name: str = "gate"
    family: str = LOCAL
    symbol: str | None = None
    """The infix operator of a binary gate (``"*"``), read by :meth:`expression`."""
    formulas: tuple[str, ...] = ()
    """The local derivative with respect to each input, as the stepper writes it."""
    routes: tuple[str, str] | None = None
    """For a one-input max gate: why its input gets the gradient, and why not."""

    @property
    def rule(self) -> str:
        """The family's rule in words, e.g. ``'swaps'`` for the mul family."""
        return RULES[self.family]

    @property
    def rule_label(self) -> str:
        """The rule as an op node's label shows it: ``'local derivative'`` for local gates."""
        return RULE_LABELS[self.family]

    @property
    def rule_action(self) -> str:
        """What the gate does with the arriving gradient: ``'distributes it'``."""
        return RULE_ACTIONS[self.family]

    @property
    def tensor_rule(self) -> str:
        """The rule for tensor inputs, in a sentence."""
        return TENSOR_RULES[self.family]

    def local_formula(self, position: int) -> str | None:
        """The local derivative with respect to input ``position`` as a formula, or None.

        >>> from autograd.ops.arith import DIV_GATE
        >>> DIV_GATE.local_formula(0), DIV_GATE.local_formula(1)
        ('1/b', '-a/b²')
        """
        return self.formulas[position] if position < len(self.formulas) else None

    def expression(self, args: list[str]) -> str:
        """How a node of this gate reads, given its inputs' names: ``x*y`` for an infix
        gate, ``tanh(x)`` otherwise.

        >>> from autograd.ops.arith import MUL_GATE
        >>> MUL_GATE.expression(["x", "y+1"])
        'x*(y+1)'
        """
        if self.symbol is not None and len(args) == 2:
            return f"{operand(args[0])}{self.symbol}{operand(args[1])}"
        return f"{self.name}({', '.join(args)})"

    def forward(self, *inputs: Any) -> tuple[Any, Any]:
        """Compute the output from raw input data; return ``(out, saved)``."""
        raise NotImplementedError

    def backward(self, up: Any, saved: Any) -> tuple[Any, ...]:
        """Return the gradient for each input given the upstream gradient ``up``."""
        raise NotImplementedError

    def vjp(self, up: Any, node: Any) -> tuple[Any, ...]:
        """The differentiable backward: :meth:`backward` written with Value ops, so that it
        records gates (``autograd.grad(..., create_graph=True)``).

        ``up`` is the upstream gradient as a Value and ``node`` the forward node (its
        ``parents`` are the inputs); returns one Value (or None) per input, in the broadcast
        shape, as :meth:`backward` does.
        """
        raise GradgateError(f"{self.name}: this gate has no differentiable backward, so "
                            "create_graph=True cannot pass through it")

    def params(self) -> dict[str, Any]:
        """The gate's parameters worth showing (empty for plain ops), for pictures and
        reprs: its public attributes (internal state is kept in ``_``-names).

        >>> from autograd import Value
        >>> Value([[1.0, 2.0]]).sum(axis=1).gate.params()
        {'axis': 1, 'keepdims': False}
        """
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}

    def __str__(self) -> str:
        return f"{self.name} ({self.family} gate: {self.rule})"

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"<Gate {self.name}{'(' + args + ')' if args else ''} family={self.family}>"
