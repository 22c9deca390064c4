"""`GraphView`: what viz reads from a graph, walked once — values, uses, kinds and scopes.

Only the engine's recorded fields are read (``parents``, ``gate``, ``label``, ``scope``,
``requires_grad``, ``data``, ``grad``).  Values are numbered in topological order (parents
before children); ``uses[i]`` lists every ``(child, position)`` where value ``i`` is an input,
one entry per use, so ``a * a`` gives ``a`` two uses.

>>> from autograd import Value
>>> a = Value(2.0, label="a"); b = a * a
>>> m = GraphView(b)
>>> [m.name(i) for i in range(len(m))], m.uses[0], m.kinds
(['a', None], [(1, 0), (1, 1)], ['input', 'output'])
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from autograd.graph import topological_order


def named_params(params: Any) -> list[tuple[str, Any]]:
    """Normalise ``params``: a module, a dict, ``(name, value)`` pairs or plain values.

    >>> from autograd import Value
    >>> named_params({"w": Value(1.0)})[0][0]
    'w'
    """
    if params is None:
        return []
    if hasattr(params, "named_parameters"):
        return list(params.named_parameters())
    if isinstance(params, dict):
        return list(params.items())
    out = []
    for i, item in enumerate(params):
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            out.append(item)
        else:
            out.append((getattr(item, "label", None) or f"param{i}", item))
    return out


class GraphView:
    """The graph under ``root`` as numbered values with their uses, kinds, names and scopes.

    ``params`` (a module, dict or pairs) marks parameters and names unlabelled ones; Values
    flagged ``is_parameter`` (``layers.Parameter``) count as parameters too.  ``extra``:
    ``(name, value)`` pairs of more outputs drawn with ``root`` (the gradients of a
    ``viz.draw(f, backward=True)``), named so.  A node recorded by a differentiable backward
    is scoped by its origin (``backward of mul #3 · swaps``), so it is boxed with the other
    nodes of the same gate's backward.

    >>> from autograd import Value
    >>> GraphView(Value(1.0) + 2).kinds
    ['input', 'const', 'output']
    """

    def __init__(self, root: Any, params: Any = None, extra: Any = ()):
        self.root = root
        self.values: list[Any] = topological_order(root, first_parent_first=True)
        for _, value in extra:
            seen = {id(v) for v in self.values}
            self.values += [v for v in topological_order(value, first_parent_first=True)
                            if id(v) not in seen]
        self.extra_names = {id(v): name for name, v in extra}
        self.index: dict[int, int] = {id(v): i for i, v in enumerate(self.values)}
        self.uses: list[list[tuple[int, int]]] = [[] for _ in self.values]
        for i, v in enumerate(self.values):
            for pos, p in enumerate(v.parents):
                self.uses[self.index[id(p)]].append((i, pos))
        self.param_names: dict[int, str] = {}
        for name, p in named_params(params):
            if id(p) in self.index:
                self.param_names.setdefault(self.index[id(p)], name)
        for i, v in enumerate(self.values):
            if v.is_parameter and i not in self.param_names:
                self.param_names[i] = str(v.label) if v.label else f"param #{i}"
        self.scopes: list[str | None] = [self._scope(i) for i in range(len(self.values))]
        self.kinds: list[str] = [self._kind(i) for i in range(len(self.values))]

    def __len__(self) -> int:
        return len(self.values)

    @property
    def is_scalar(self) -> bool:
        """True when every value in the graph is a scalar."""
        return all(v.is_scalar for v in self.values)

    def parents(self, i: int) -> list[int]:
        """Indices of value ``i``'s inputs, one per use."""
        return [self.index[id(p)] for p in self.values[i].parents]

    def name(self, i: int) -> str | None:
        """The value's label, else its parameter name, else None."""
        label = self.values[i].label
        if label is not None and str(label) != "":
            return str(label)
        return self.param_names.get(i, self.extra_names.get(id(self.values[i])))

    def display_name(self, i: int) -> str:
        """A name for text: the label, the parameter name, or the op and index."""
        name = self.name(i)
        if name is not None:
            return name
        gate = self.values[i].gate
        if gate is None:
            return f"{self.kinds[i]} #{i}"
        return f"{gate.name} #{i}"

    def _scope(self, i: int) -> str | None:
        v = self.values[i]
        origin = getattr(v, "origin", None)
        if origin is not None:  # one box per backward; a dot would nest boxes
            return origin.label.replace(".", "\u2024")
        if v.scope:
            return str(v.scope)
        if i not in self.param_names or not self.uses[i]:
            return None
        # A parameter made outside any scope joins the module that uses it, if only one does.
        scopes = {self.values[c].scope for c, _ in self.uses[i]}
        if len(scopes) == 1:
            only = scopes.pop()
            return str(only) if only else None
        return None

    def _kind(self, i: int) -> str:
        v = self.values[i]
        if v is self.root:
            return "output"
        if v.gate is not None:
            return "value"
        if i in self.param_names:
            return "param"
        if v.requires_grad:
            return "input"
        if v.is_scalar and v.label is None:
            return "const"
        return "input"


def scope_prefixes(scope: str | None) -> list[str]:
    """``"a.b.c"`` → ``["a", "a.b", "a.b.c"]``; None → ``[]``.

    >>> scope_prefixes("net.0.conv")
    ['net', 'net.0', 'net.0.conv']
    """
    if not scope:
        return []
    parts = scope.split(".")
    return [".".join(parts[:k]) for k in range(1, len(parts) + 1)]


def matching_group(scope: str | None, groups: Iterable[str]) -> str | None:
    """The outermost collapsed group containing ``scope`` (itself or an ancestor), or None.

    >>> matching_group("net.0.conv", ["net.0", "net.1"])
    'net.0'
    """
    wanted = set(groups)
    for prefix in scope_prefixes(scope):
        if prefix in wanted:
            return prefix
    return None
