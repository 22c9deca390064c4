"""Tracing a model for export: one forward pass that records the graph, with the calls of
the modules exported whole (Linear, BatchNorm, LSTM, ...) noted by forward hooks, and the
order in which to emit the graph's pieces.

Walking back from the outputs, a value that a whole-module call returned stands for that
call: the walk continues from the call's inputs and never enters the module, so what the
module records inside (per-element gates today, fused gates tomorrow) does not matter.

>>> import numpy as np
>>> from autograd import Value
>>> from layers import Linear, ReLU, Sequential
>>> net = Sequential(Linear(2, 3), ReLU())
>>> x = Value(np.zeros((1, 2)))
>>> out, calls = trace(net, x, {Linear: "exported whole"})
>>> [call.path for call in calls], [type(s).__name__ for s in emission_order([out], calls)]
(['0'], ['Value', 'Call', 'Value', 'Value'])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from autograd import Value

from ..dispatch import lookup
from ..module import Module


@dataclass(eq=False)
class Call:
    """One call of a module exported whole: its arguments and its (flattened) outputs."""

    module: Module
    path: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    outputs: list[Value] = field(default_factory=list)

    def inputs(self) -> list[Value]:
        """The Values among the arguments (tuples like an LSTM's ``(h0, c0)`` opened)."""
        return [v for v in flatten((self.args, tuple(self.kwargs.values())))
                if isinstance(v, Value)]


def flatten(obj: Any) -> list[Any]:
    """The leaves of nested tuples and lists, in order.

    >>> flatten((1, (2, [3])))
    [1, 2, 3]
    """
    if isinstance(obj, (tuple, list)):
        return [leaf for item in obj for leaf in flatten(item)]
    return [obj]


def trace(model: Module, x: Value, whole: Mapping[type, Any]) -> tuple[Any, list[Call]]:
    """Run ``model(x)``, noting every call of a module whose class ``whole`` holds (see
    :func:`layers.dispatch.lookup`); returns the output and the calls in completion order."""
    calls: list[Call] = []
    paths = {id(m): name for name, m in model.named_modules()}

    def record(module: Module, args: tuple, kwargs: dict, out: Any) -> None:
        calls.append(Call(module, paths[id(module)], args, dict(kwargs),
                          [v for v in flatten(out) if isinstance(v, Value)]))

    handles = [m.register_forward_hook(record, with_kwargs=True)
               for m in model.modules() if lookup(m, whole) is not None]
    try:
        out = model(x)
    finally:
        for handle in handles:
            handle.remove()
    return out, calls


def emission_order(outputs: Iterable[Value], calls: list[Call]) -> list[Value | Call]:
    """Values and calls in an order where everything comes after what it needs.

    A Value returned by a call depends on that call (the outermost one, when a whole module
    calls another), a call on its input Values, any other Value on its parents.
    """
    producer: dict[int, Call] = {}
    for call in calls:                      # completion order: outer calls finish last
        inputs = {id(v) for v in call.inputs()}
        for v in call.outputs:
            if id(v) not in inputs:
                producer[id(v)] = call

    def needs(item: Value | Call) -> list[Any]:
        if isinstance(item, Call):
            return item.inputs()
        if id(item) in producer:
            return [producer[id(item)]]
        return list(item.parents)

    order: list[Value | Call] = []
    done: set[int] = set()
    stack: list[tuple[Any, bool]] = [(v, False) for v in reversed(list(outputs))]
    while stack:
        item, expanded = stack.pop()
        if id(item) in done:
            continue
        if expanded:
            done.add(id(item))
            order.append(item)
            continue
        stack.append((item, True))
        stack.extend((dep, False) for dep in reversed(needs(item)) if id(dep) not in done)
    return order
