"""Provenance of the nodes a differentiable backward records: which forward node's backward
made each one, and by which rule.

The table is weak: an entry lives as long as its node, and the ordinary engine pays nothing
for it (no slot on every Value, nothing recorded outside ``create_graph=True``).

>>> from autograd import Value, grad
>>> x = Value(3.0, label="x")
>>> (g,) = grad(x.exp(), x, create_graph=True)
>>> ORIGINS[g].label
'backward of exp #1 · local derivative'
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .value import Value

FORK = "gradients add at a fork"
"""The rule of the add nodes where the gradients of a value's several uses meet."""


@dataclass(frozen=True)
class Origin:
    """Where a node recorded by a differentiable backward came from: the forward ``node``
    whose backward made it, that node's ``step`` in backward order (1 is the output, as
    ``viz.step`` numbers them) and the ``rule`` that ran (the gate's rule, or :data:`FORK`).

    >>> from autograd import Value, grad
    >>> x = Value(2.0, label="x")
    >>> (g,) = grad(x * x, x, create_graph=True)
    >>> g.origin.label, g.origin.node is x
    ('fork at x #2 · gradients add', True)
    >>> [p.origin.label for p in g.parents]
    ['backward of mul #1 · swaps', 'backward of mul #1 · swaps']
    """

    node: Value
    step: int
    rule: str

    @property
    def label(self) -> str:
        """``'backward of mul #3 · swaps'``, or ``'fork at x #5 · gradients add'``."""
        node = self.node
        name = node.gate.name if node.gate is not None else None
        if self.rule == FORK:
            return f"fork at {node.label or name or 'a leaf'} #{self.step} · gradients add"
        return f"backward of {name} #{self.step} · {self.rule}"


ORIGINS: weakref.WeakKeyDictionary[Value, Origin] = weakref.WeakKeyDictionary()
"""Node → its :class:`Origin`, for every node a differentiable backward recorded."""
