"""Gradients of gradients: the backward pass recorded as a circuit of gates.

:func:`grad` (PyTorch's ``torch.autograd.grad``) walks backward as
:func:`autograd.graph.walk_backward` does; with ``create_graph=True`` each gate's backward
runs as its :meth:`~autograd.gate.Gate.vjp`, written with Value ops, so the gradients are
themselves recorded nodes (mul swaps: ``up * b`` and ``up * a`` are two mul gates) that can be
differentiated again, to any order.  Every node a gate's backward records knows its
:class:`Origin`: which forward node's backward made it, and by which rule.

>>> from autograd import Value
>>> x = Value(3.0, label="x")
>>> (dx,) = grad(x ** 3, x, create_graph=True)          # 3x² = 27
>>> (ddx,) = grad(dx, x, create_graph=True)             # 6x = 18
>>> (dddx,) = grad(ddx, x)                              # 6
>>> dx.data, ddx.data, dddx.data
(27.0, 18.0, 6.0)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .errors import GradgateError
from .graph import FREED, _seed, walk_backward
from .ops.broadcast import apply_sum_to
from .origin import FORK, ORIGINS, Origin
from .value import Value, lift


def _tag(outputs: Sequence[Value], boundary: set[int], origin: Origin) -> None:
    """Give ``origin`` to every node reachable from ``outputs`` without passing a node of
    ``boundary`` (the ids of the backward's inputs: upstream, node and parents): exactly
    the nodes that backward recorded, constants included."""
    seen = set(boundary)
    stack = [g for g in outputs if id(g) not in seen]
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        ORIGINS[v] = origin
        stack.extend(p for p in v._parents if id(p) not in seen)


class Recorded:
    """How :func:`~autograd.graph.walk_backward` computes with ``create_graph=True``: the
    gradients are Values and each gate's backward is its ``vjp``, its nodes tagged with
    their :class:`Origin`."""

    def __init__(self, order: list[Value]):
        self.steps = {id(n): i for i, n in enumerate(order, 1)}

    @staticmethod
    def seed(root: Value, grad: Any) -> Value:
        """The starting gradient as a Value: ``grad`` itself when it is one (so the result
        can be differentiated with respect to it), else a constant."""
        if isinstance(grad, Value):
            if grad.shape != root.shape:
                raise GradgateError(f"grad: grad_outputs has shape {grad.shape} but the "
                                    f"output has shape {root.shape}")
            return grad
        return Value(_seed(root, grad), requires_grad=False)

    def local(self, node: Value, up: Value) -> tuple[Value | None, ...]:
        """``node``'s gate's differentiable backward, summed to each parent's shape."""
        gate = node._gate
        if gate is None:
            return ()
        parents = node._parents
        grads = gate.vjp(up, node)
        sent = tuple(None if g is None or not p.requires_grad else apply_sum_to(lift(g), p)
                     for p, g in zip(parents, grads))
        boundary = {id(up), id(node), *(id(p) for p in parents)}
        _tag([g for g in sent if g is not None], boundary,
             Origin(node, self.steps[id(node)], gate.rule_label))
        return sent

    def accumulate(self, pending: dict[int, Any], parent: Value, g: Value) -> None:
        """Add ``g`` to what ``parent`` has received; the add node of a fork is tagged."""
        key = id(parent)
        if key not in pending:
            pending[key] = g
            return
        total = pending[key] + g
        ORIGINS[total] = Origin(parent, self.steps[key], FORK)
        pending[key] = total


def _as_list(what: str, v: Any) -> list[Value]:
    items = [v] if isinstance(v, Value) else list(v)
    for i, item in enumerate(items):
        if not isinstance(item, Value):
            raise TypeError(f"grad: {what} must be Values; item {i} is a "
                            f"{type(item).__name__}")
    if not items:
        raise GradgateError(f"grad: {what} is empty")
    return items


def _zero_like(x: Value) -> Value:
    return Value(0.0 if x.is_scalar else np.zeros(x.shape, x.dtype), requires_grad=False)


def _constant(x: Value, g: Any) -> Value:
    """A computed array gradient as a leaf shaped like ``x`` (owning its memory)."""
    return Value(float(g) if x.is_scalar else np.array(g, dtype=x.dtype), requires_grad=False)


def grad(outputs: Value | Sequence[Value], inputs: Value | Sequence[Value],
         grad_outputs: Any = None, *, create_graph: bool = False,
         retain_graph: bool | None = None, allow_unused: bool = False) -> tuple[Value, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, as in ``torch.autograd.grad``.

    - One gradient Value per input, shaped like it (a scalar input gets a scalar Value).
    - ``outputs``: a Value or a sequence; their gradients add, each output weighted by its
      ``grad_outputs`` entry (default 1 for scalar or one-element outputs; a Value there
      makes the result differentiable with respect to it too).
    - No ``.grad`` is touched.
    - ``create_graph=False``: the gradients are plain leaves (``requires_grad=False``).
      ``create_graph=True``: they are recorded graphs of gates (each node knows its
      :class:`Origin`), to be differentiated again, to any order.
    - ``retain_graph`` (default: ``create_graph``): keep the saved intermediates of the
      graph walked; when False they are freed, as after ``backward()``.
    - An input the outputs do not depend on raises a :class:`GradgateError`, unless
      ``allow_unused=True``: then its gradient is a zero Value (not None, as PyTorch gives),
      so arithmetic on the results keeps working.
    - An output that requires no grad adds nothing.  A recorded gradient can be such a
      constant where PyTorch's is not: relu's is ``up × mask`` with a constant mask, so a
      Hessian-vector product ``grad(list_of_gradients, params, v)`` still works.  It is an
      error only when no output requires grad (without ``allow_unused``).

    >>> x, y = Value(3.0, label="x"), Value(-4.0, label="y")
    >>> gx, gy = grad(x * y, [x, y])
    >>> gx.data, gy.data, gx.requires_grad, x.grad
    (-4.0, 3.0, False, 0.0)
    """
    outs = _as_list("outputs", outputs)
    ins = _as_list("inputs", inputs)
    for i, x in enumerate(ins):
        if not x.requires_grad:
            raise GradgateError(f"grad: input {i} (shape {x.shape}) does not require grad, "
                                "so no gradient can be taken with respect to it")
    seeds = [None] * len(outs)
    if grad_outputs is not None:
        seeds = [grad_outputs] if isinstance(outputs, Value) else list(grad_outputs)
        if len(seeds) != len(outs):
            raise GradgateError(f"grad: {len(outs)} outputs but {len(seeds)} grad_outputs")
    live = [(out, seed) for out, seed in zip(outs, seeds) if out.requires_grad]
    if not live and not allow_unused:
        raise GradgateError(f"grad: output 0 (shape {outs[0].shape}) does not require grad: "
                            "it was made from constants, with requires_grad=False, or inside "
                            "no_grad()" if len(outs) == 1 else
                            f"grad: none of the {len(outs)} outputs requires grad")
    wanted = {id(x): i for i, x in enumerate(ins)}
    found: dict[int, Any] = {}
    visited: list[Value] = []
    walk = walk_backward([o for o, _ in live], [s for _, s in live], create_graph=create_graph,
                         towards=ins) if live else ()
    for node, up, _ in walk:
        visited.append(node)
        if id(node) in wanted:
            found[id(node)] = up
    if not (create_graph if retain_graph is None else retain_graph):
        for node in visited:
            if node._gate is not None:
                node._saved = FREED
    result = []
    for i, x in enumerate(ins):
        g = found.get(id(x))
        if g is None:
            if not allow_unused:
                name = f" ({x.label!r})" if x.label else ""
                raise GradgateError(
                    f"grad: input {i}{name} of shape {x.shape} is not used to compute the "
                    "outputs; pass allow_unused=True to get a zero gradient for it")
            g = _zero_like(x)
        elif not create_graph:
            g = _constant(x, g)
        result.append(g)
    return tuple(result)


def backward_graph(root: Value, grad_output: Any = None) -> None:
    """``root.backward(create_graph=True)``: :func:`grad` for every leaf that requires grad,
    recorded as gates, the graph retained; each leaf's ``.grad`` accumulates the numbers.
    (``.grad`` holds numbers, so to differentiate the gradients again keep the Values
    :func:`grad` returns: a leaf holding its recorded gradient would be a reference cycle,
    the leak PyTorch's documentation warns of for its ``backward(create_graph=True)``.)

    >>> x = Value(3.0, label="x")
    >>> (x * x).backward(create_graph=True)
    >>> x.grad
    6.0
    """
    for node, up, _ in walk_backward(root, grad_output, create_graph=True):
        if node._gate is None:
            data = up.data
            if node._grad is None:
                node._grad = data if node.is_scalar else np.array(data)
            else:
                node._grad = node._grad + data


def composite_vjp(forward: Callable[..., Value], up: Value,
                  node: Value) -> tuple[Value | None, ...]:
    """The differentiable backward of a fused gate (batch norm, the LSTM cell): its
    ``forward`` written with ordinary ops is recomputed from the node's parents and
    differentiated with ``create_graph=True``, weighted by ``up``.

    >>> x = Value([1.0, 2.0]); y = x.exp()
    >>> composite_vjp(lambda v: v.exp(), Value([1.0, 1.0]), y)[0].data.round(3).tolist()
    [2.718, 7.389]
    """
    parents = node.parents
    out = forward(*parents)
    inputs = [p for p in parents if p.requires_grad]
    if not inputs or not out.requires_grad:
        return (None,) * len(parents)
    grads = iter(grad(out, inputs, up, create_graph=True, allow_unused=True))
    return tuple(next(grads) if p.requires_grad else None for p in parents)


__all__ = ["FORK", "Origin", "backward_graph", "composite_vjp", "grad"]
