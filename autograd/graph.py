"""Walking the graph: topological order, backward, and one node's local backward.

``backward`` is iterative (no recursion limit), visits each node once in reverse
topological order, sums gradients where a node feeds several others (forks), and frees the
saved intermediates afterwards unless ``retain_graph=True``.  :func:`walk_backward` is the
same walk as a pure generator, for everything that watches backward (the stepper, the
gradients on a picture's edges): it touches no ``.grad``.

>>> from autograd import Value
>>> a = Value(2.0)
>>> b = (a + a) + (a + a)
>>> [n.gate.name for n in backward_order(b) if n.gate]
['add', 'add', 'add']
>>> b.backward(); a.grad
4.0
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from sys import getrefcount
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import GradgateError, GraphFreedError, NonFiniteWarning, is_finite

if TYPE_CHECKING:
    from .value import Value


class _Freed:
    """Marks a node whose saved intermediates a backward without retain_graph released."""

    def __repr__(self) -> str:
        return "<freed>"


FREED = _Freed()


class _Mark:
    """Traversal marks kept in a node's ``_up`` slot while the graph is walked."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


OPEN, DONE = _Mark("open"), _Mark("done")

UNSHARED = 2
"""``getrefcount`` of an array held only by one local variable (the call adds one): a
leaf may keep such a gradient as its own instead of copying it."""


def _marked_order(root: Value, grad_only: bool, first_parent_first: bool = False) -> list[Value]:
    """Iterative post-order DFS; leaves every returned node's ``_up`` set to DONE.

    The stack pops the last parent pushed first, so by default a node's last parent is
    walked first; ``first_parent_first`` pushes them in reverse.

    Marks live in the ``_up`` slot (None outside a backward) instead of a set of ids:
    the scalar engine's backward spends much of its time here.
    """
    order: list[Value] = []
    stack = [root]
    push, pop, append = stack.append, stack.pop, order.append
    while stack:
        node = stack[-1]
        mark = node._up
        if mark is None:
            node._up = OPEN
            for parent in reversed(node._parents) if first_parent_first else node._parents:
                if parent._up is None and (parent.requires_grad or not grad_only):
                    push(parent)
        else:
            pop()
            if mark is OPEN:
                node._up = DONE
                append(node)
    return order


def topological_order(root: Value, grad_only: bool = False, *,
                      first_parent_first: bool = False) -> list[Value]:
    """Every node reachable from ``root`` through parents, parents before children.

    With ``grad_only`` only nodes that require grad are followed.  Two readings exist:
    by default a node's last parent is walked first, so that the order *reversed* (the
    backward order) reads left to right, ``x*y`` before ``max(z, w)`` in
    ``x*y + max(z, w)``; with ``first_parent_first`` the order itself reads left to right,
    as a picture numbers its nodes.

    >>> from autograd import Value
    >>> x = Value(1.0, label="x"); y = (x * 2).exp()
    >>> [n.label or n.gate.name for n in topological_order(y, grad_only=True)]
    ['x', 'mul', 'exp']
    >>> a, b = Value(1.0, label="a"), Value(2.0, label="b"); c = a * b
    >>> [n.label for n in topological_order(c)][:2], [n.label for n in
    ...     topological_order(c, first_parent_first=True)][:2]
    (['b', 'a'], ['a', 'b'])
    """
    order = _marked_order(root, grad_only, first_parent_first)
    for node in order:
        node._up = None
    return order


def backward_order(root: Value) -> list[Value]:
    """The nodes in the order backward visits them: ``root`` first, leaves last."""
    return topological_order(root, grad_only=True)[::-1]


def unbroadcast(g: Any, parent: Value) -> Any:
    """Reduce gradient ``g`` to ``parent``'s shape and dtype: sum over the axes that
    broadcasting added or stretched (a gate's backward returns the broadcast shape).

    >>> from autograd import Value
    >>> unbroadcast(np.ones((2, 3)), Value(np.zeros(3))).tolist()
    [2.0, 2.0, 2.0]
    """
    data = parent._data
    if type(data) is float:
        return g if type(g) is float else float(np.sum(g))
    return reduce_to(g, data.shape, data.dtype)


def reduce_to(g: Any, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """Sum array ``g`` over the axes broadcasting added or stretched to get ``shape``, in
    ``dtype``: the backward of every broadcast (a number ``g`` is spread over ``shape``).

    >>> reduce_to(np.ones((4, 2, 3)), (2, 1), np.float64).tolist()
    [[12.0], [12.0]]
    """
    if type(g) is not np.ndarray:
        return np.full(shape, g, dtype)
    if g.shape != shape:
        extra = g.ndim - len(shape)
        if extra:
            g = g.sum(axis=tuple(range(extra)))
        axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
        if axes:
            g = g.sum(axis=axes, keepdims=True)
        if g.shape != shape:
            g = np.broadcast_to(g, shape)
    if g.dtype != dtype:
        g = g.astype(dtype)
    return g


def _seed(root: Value, grad: Any) -> Any:
    data = root._data
    if grad is None:
        if type(data) is float:
            return 1.0
        if data.size != 1:
            raise ValueError(
                f"backward: grad can be omitted only for a scalar or one-element output; "
                f"this output has shape {data.shape}, so pass grad= an array of that shape")
        return np.ones(data.shape, data.dtype)
    if type(data) is float:
        return float(np.asarray(grad).reshape(()))
    grad = np.asarray(grad, dtype=data.dtype)
    if grad.shape != data.shape:
        raise GradgateError(
            f"backward: grad has shape {grad.shape} but the output has shape {data.shape}")
    return grad


def backward(root: Value, grad: Any = None, retain_graph: bool = False) -> None:
    """Run backpropagation from ``root``; see :meth:`autograd.Value.backward`."""
    if not root.requires_grad:
        raise GradgateError(
            "backward: this Value does not require grad (it was made from constants, with "
            "requires_grad=False, or inside no_grad())")
    seed = _seed(root, grad)
    order = _marked_order(root, grad_only=True)
    for node in order:
        if node._saved is FREED:
            for n in order:
                n._up = None
            raise GraphFreedError(
                f"backward: the graph through this {node._gate.name} node was already "
                "freed by an earlier backward; call backward(retain_graph=True) the first "
                "time to backpropagate through the same graph twice", node._gate.name)
    root._up = seed
    nonfinite: list[str] = []
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            _propagate(order, retain_graph, nonfinite)
    except BaseException:
        for node in order:
            node._up = None
        raise
    if nonfinite:
        culprit = _first_nonfinite_gate(order)
        warnings.warn(f"backward: non-finite gradient (NaN or inf) reached "
                      f"{', '.join(nonfinite[:5])}" + (f"; it first appeared in the backward of "
                      f"{culprit}" if culprit else ""), NonFiniteWarning, stacklevel=3)


def _first_nonfinite_gate(order: list[Value]) -> str | None:
    """The first node, in backward order, with a finite gradient that sent a non-finite one
    to an input: the op whose local backward produced the NaN/inf."""
    for node in reversed(order):
        if node._gate is not None and node._grad is not None and is_finite(node._grad):
            for parent in node._parents:
                if parent.requires_grad and parent._grad is not None and not is_finite(
                        parent._grad):
                    return f"{node._gate.name} (output shape {node.shape})"
    return None


def _propagate(order: list[Value], retain_graph: bool, nonfinite: list[str]) -> None:
    """The backward loop: each node, children first, hands its gradient to its parents."""
    for node in reversed(order):
        up = node._up
        node._up = None
        if up is DONE:
            continue  # no gradient reached this node
        gate = node._gate
        g = node._grad  # None: the first gradient to reach this node
        if type(up) is float:
            node._grad = up if g is None else g + up
            if gate is None:
                if up - up != 0.0:
                    nonfinite.append(node.label or "a scalar leaf")
                continue
        else:
            # leaves own their grad: a copy, unless nothing else can see ``up`` (asarray keeps
            # a 0-d sum a 0-d array, not a numpy scalar)
            if gate is None:
                if g is not None:
                    node._grad = np.asarray(g + up)
                elif type(up) is np.ndarray and up.base is None and getrefcount(up) <= UNSHARED:
                    node._grad = up
                else:
                    node._grad = np.array(up)
                if not is_finite(up):
                    nonfinite.append(node.label or f"a leaf of shape {up.shape}")
                continue
            node._grad = up if g is None else np.asarray(g + up)
        grads = gate.backward(up, node._saved)
        for parent, g in zip(node._parents, grads):
            if g is None or not parent.requires_grad:
                continue
            if type(g) is not float or type(parent._data) is not float:
                g = unbroadcast(g, parent)
            pu = parent._up
            parent._up = g if pu is DONE else pu + g
        grads = g = up = None  # hold no gradient a later leaf might adopt
        if not retain_graph:
            node._saved = FREED


def saved_state(node: Value) -> Any:
    """What ``node``'s gate saved in its forward, for its backward.

    Raises :class:`GraphFreedError` when a backward without ``retain_graph`` freed it;
    scalar nodes of deterministic gates are recomputed from their parents' data instead.

    >>> from autograd import Value
    >>> saved_state(Value(3.0) * Value(-4.0))
    (3.0, -4.0)
    """
    saved = node._saved
    if saved is not FREED:
        return saved
    gate = node._gate
    datas = [p._data for p in node._parents]
    if not all(type(d) is float for d in datas) or not getattr(gate, "deterministic", True):
        raise GraphFreedError(
            f"{gate.name}: this tensor node's saved intermediates were freed by "
            "backward(); build the graph again or call backward(retain_graph=True)",
            gate.name)
    return gate.forward(*datas)[1]


def local_backward(node: Value, up: Any) -> tuple[Any, ...]:
    """The gradients ``node`` sends to each of its parents for upstream ``up``; pure.

    Raises :class:`GraphFreedError` when a backward without ``retain_graph`` freed the
    saved tensors (see :func:`saved_state`).

    >>> from autograd import Value
    >>> x, y = Value(3.0), Value(-4.0)
    >>> local_backward(x * y, 2.0)
    (-8.0, 6.0)
    """
    gate = node._gate
    if gate is None:
        return ()
    grads = gate.backward(up, saved_state(node))
    return tuple(None if g is None or not p.requires_grad else unbroadcast(g, p)
                 for p, g in zip(node._parents, grads))


def multi_backward_order(roots: Sequence[Value]) -> list[Value]:
    """:func:`backward_order` of several outputs at once: every node that requires grad and
    that some root reaches, each once, children before parents.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x"); a = x * 3; b = a.exp()
    >>> [n.label or n.gate.name for n in multi_backward_order([a, b])]
    ['exp', 'mul', 'x']
    """
    order: list[Value] = []
    seen: set[int] = set()
    for root in roots:
        for node in topological_order(root, grad_only=True):
            if id(node) not in seen:
                seen.add(id(node))
                order.append(node)
    return order[::-1]


def leading_to(order: list[Value], targets: Sequence[Value]) -> set[int]:
    """The ids of the nodes in backward ``order`` with a path through parents to one of
    ``targets`` (the targets included): the only nodes a gradient for them passes through.

    >>> from autograd import Value
    >>> x, w = Value(1.0), Value(2.0); f = (x * w).exp()
    >>> len(leading_to(backward_order(f), [x]))      # exp, mul and x; not w
    3
    """
    found = {id(t) for t in targets}
    for node in reversed(order):
        if any(id(p) in found for p in node._parents):
            found.add(id(node))
    return found


def walk_backward(root: Value | Sequence[Value], grad: Any = None, *,
                  create_graph: bool = False, towards: Sequence[Value] | None = None,
                  ) -> Iterator[tuple[Value, Any, tuple[Any, ...]]]:
    """Backward as a pure generator: ``(node, upstream, sent)`` for every node that requires
    grad, in the order backward visits them (``root`` first, leaves last).

    ``upstream`` is the node's whole gradient (summed over its uses) for the seed ``grad``
    (default 1 for a scalar or one-element ``root``, as for :meth:`Value.backward`);
    ``sent`` holds what it hands each parent, one entry per use (None for a parent that needs
    no gradient; empty for a leaf).  Nothing is written to any node: ``.grad`` stays as it
    is and the graph is not freed.  :func:`backward` is the fast path for the same sums.
    Raises :class:`GraphFreedError` at a tensor node whose saved intermediates an earlier
    backward freed.

    ``root`` may be a list of outputs, with ``grad`` None or one seed per output (their
    gradients add).  ``towards``: visit only the nodes on a path to one of these Values.
    ``create_graph``: upstream and sent are Values, the backward recorded as gates (each
    gate's :meth:`~autograd.gate.Gate.vjp`, see :mod:`autograd.differentiable`), and nodes
    no gradient reached are skipped.

    >>> from autograd import Value
    >>> x, y = Value(3.0, label="x"), Value(-4.0, label="y")
    >>> [(n.label or n.gate.name, up, sent) for n, up, sent in walk_backward(x * y)]
    [('mul', 1.0, (-4.0, 3.0)), ('x', -4.0, ()), ('y', 3.0, ())]
    >>> x.grad
    0.0
    """
    several = isinstance(root, (list, tuple))
    roots = list(root) if several else [root]
    seeds = list(grad) if several and grad is not None else [grad] * len(roots)
    for r in roots:
        if not r.requires_grad:
            raise GradgateError("walk_backward: this Value does not require grad (it was made "
                                "from constants, with requires_grad=False, or inside "
                                "no_grad())")
    order = multi_backward_order(roots)
    if create_graph:
        from .differentiable import Recorded

        mode: Any = Recorded(order)
    else:
        mode = ARRAYS
    pending: dict[int, Any] = {}
    for r, seed in zip(roots, seeds):
        mode.accumulate(pending, r, mode.seed(r, seed))
    wanted = None if towards is None else leading_to(order, towards)
    for node in order:
        if wanted is not None and id(node) not in wanted:
            continue
        up = pending.pop(id(node), None)
        if up is None and create_graph:
            continue
        if up is None:  # no gradient reached it
            up = 0.0 if type(node._data) is float else np.zeros_like(node._data)
        sent = mode.local(node, up)
        yield node, up, sent
        for parent, g in zip(node._parents, sent):
            if g is not None and (wanted is None or id(parent) in wanted):
                mode.accumulate(pending, parent, g)


class _Arrays:
    """How :func:`walk_backward` computes on plain numbers and arrays (no graph)."""

    @staticmethod
    def seed(root: Value, grad: Any) -> Any:
        return _seed(root, grad)

    @staticmethod
    def local(node: Value, up: Any) -> tuple[Any, ...]:
        return local_backward(node, up)

    @staticmethod
    def accumulate(pending: dict[int, Any], parent: Value, g: Any) -> None:
        key = id(parent)
        pending[key] = g if key not in pending else pending[key] + g


ARRAYS = _Arrays()
