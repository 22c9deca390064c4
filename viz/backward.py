"""The backward circuit of ``viz.draw(f, backward=True)``: the backward pass of ``f``
recorded as gates (``create_graph=True``) and drawn with the forward graph.

The walk starts from a seed Value ``∂f/∂f`` (1, or ones) that requires grad, so every
gate of the backward circuit is recorded and drawn, even where the numbers are constants;
the gradients are linear in the seed, so they are those of ``autograd.grad(f, ...,
create_graph=True)``.  Nothing is written to any ``.grad`` and the graph is not freed.

>>> from autograd import Value
>>> x, y = Value(3.0, label="x"), Value(-4.0, label="y")
>>> f = x * y; f.label = "f"
>>> circuit = backward_circuit(f)
>>> [(name, g.data) for name, g in circuit.outputs]
[('∂f/∂x', -4.0), ('∂f/∂y', 3.0)]
>>> circuit.grads[id(x)], circuit.grads[id(f)]
(-4.0, 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd import Value
from autograd.graph import walk_backward


@dataclass
class BackwardCircuit:
    """``outputs``: ``(name, gradient Value)`` per leaf that requires grad, named
    ``∂f/∂x``; ``grads``: the gradient of every forward node (by ``id``), as numbers;
    ``seed``: the Value ``∂f/∂f`` the backward circuit starts from."""

    outputs: list[tuple[str, Any]]
    grads: dict[int, Any]
    seed: Any


def backward_circuit(f: Any) -> BackwardCircuit:
    """Record the backward pass of ``f`` as gates; see the module.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> [name for name, _ in backward_circuit(x * x).outputs]
    ['∂out/∂x']
    """
    top = f.label or "out"
    ones = 1.0 if f.is_scalar else np.ones(f.shape, f.dtype)
    seed = Value(ones, label=f"∂{top}/∂{top}")
    outputs, grads = [], {}
    for k, (node, up, _) in enumerate(walk_backward(f, seed, create_graph=True)):
        grads[id(node)] = up.data
        if node.gate is None:
            outputs.append((f"∂{top}/∂{node.label or f'input {k}'}", up))
    return BackwardCircuit(outputs, grads, seed)
