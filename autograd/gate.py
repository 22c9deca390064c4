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

>>> from autograd import Value
>>> (Value(2.0) * Value(3.0)).gate.family
'mul'
"""

from __future__ import annotations

from typing import Any

ADD, MUL, MAX, LOCAL = "add", "mul", "max", "local"

RULES = {
    ADD: "distributes",
    MUL: "swaps",
    MAX: "routes",
    LOCAL: "multiplies by its local derivative",
}


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

    @property
    def rule(self) -> str:
        """The family's rule in words, e.g. ``'swaps'`` for the mul family."""
        return RULES[self.family]

    def forward(self, *inputs: Any) -> tuple[Any, Any]:
        """Compute the output from raw input data; return ``(out, saved)``."""
        raise NotImplementedError

    def backward(self, up: Any, saved: Any) -> tuple[Any, ...]:
        """Return the gradient for each input given the upstream gradient ``up``."""
        raise NotImplementedError

    def params(self) -> dict[str, Any]:
        """The gate's parameters (empty for plain ops), for pictures and reprs."""
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}

    def __str__(self) -> str:
        return f"{self.name} ({self.family} gate: {self.rule})"

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"<Gate {self.name}{'(' + args + ')' if args else ''} family={self.family}>"
