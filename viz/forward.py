"""The forward pass, one gate at a time: which gate ran, on which inputs, and what it computed.

A forward step is one op node in topological order (inputs before the gates that read them),
explained with the gate's own expression (``Gate.expression``) written twice: once with the
inputs' names and once with their numbers.  Tensor nodes give the output's shape and summary.

>>> from autograd import Value
>>> from viz.graphview import GraphView
>>> x, y = Value(3.0, label="x"), Value(-4.0, label="y")
>>> [s.line for s in forward_steps(GraphView(x * y + 1))]
['x*y = 3.00*(−4.00) = −12.00', '(x*y)+1 = (−12.00)+1.00 = −11.00']
"""

from __future__ import annotations

from dataclasses import dataclass

from .graphview import GraphView
from .rules import expr_name
from .summary import fmt, fmt_shape, tensor_summary


@dataclass
class ForwardStep:
    """One gate of the forward pass: the value it made (``value_index`` in the view), its
    name, op and family, and the computation in words and numbers.

    >>> ForwardStep(0, 2, "x*y", "mul", "mul", "x*y = 3.00*(−4.00) = −12.00").title
    'Forward 1: x*y — mul gate (mul family)'
    """

    index: int
    value_index: int
    name: str
    op: str
    family: str
    line: str

    @property
    def title(self) -> str:
        """``Forward 3: x*y — mul gate (mul family)``."""
        return f"Forward {self.index + 1}: {self.name} — {self.op} gate ({self.family} family)"

    def __str__(self) -> str:
        return f"{self.title}\n  {self.line}"


def operand_number(x: float) -> str:
    """A number as an operand in a written-out expression: negatives get a true minus sign,
    which makes ``Gate.expression`` parenthesise them.

    >>> operand_number(-4.0), operand_number(2.5e-7)
    ('−4.00', '2.50e-07')
    """
    text = fmt(x)
    return "−" + text[1:] if text.startswith("-") else text


def forward_line(view: GraphView, i: int) -> str:
    """What op node ``i`` computed: ``x*y = 3.00*(−4.00) = −12.00`` for scalars (a labelled
    node starts with its label: ``f = x*y = ...``), the output's shape and summary for
    tensors.

    >>> import numpy as np
    >>> from autograd import Value
    >>> w = Value(np.ones((2, 2)), label="W")
    >>> forward_line(GraphView(w.sum()), 1)
    'sum(W) → scalar: ‖·‖ 4.00 · mean|x| 4.00 · max|x| 4.00'
    """
    v = view.values[i]
    parents = view.parents(i)
    name = expr_name(view, i)
    expr = v.gate.expression([expr_name(view, p) for p in parents])
    head = expr if name == expr else f"{name} = {expr}"
    if v.is_scalar and all(view.values[p].is_scalar for p in parents):
        numbers = v.gate.expression([operand_number(view.values[p].data) for p in parents])
        return f"{head} = {numbers} = {operand_number(v.data)}"
    return f"{head} → {fmt_shape(v.shape)}: {tensor_summary(v.data).text()}"


def forward_steps(view: GraphView) -> list[ForwardStep]:
    """Every op node of ``view`` in the order forward computed it (its topological order).

    >>> from autograd import Value
    >>> a = Value(2.0, label="a")
    >>> print(forward_steps(GraphView((a * a).exp()))[1])
    Forward 2: exp(a*a) — exp gate (local family)
      exp(a*a) = exp(4.00) = 54.60
    """
    out: list[ForwardStep] = []
    for i, v in enumerate(view.values):
        if v.gate is not None:
            out.append(ForwardStep(len(out), i, expr_name(view, i), v.gate.name,
                                   v.gate.family, forward_line(view, i)))
    return out
