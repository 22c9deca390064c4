"""Containers: Sequential (a pipeline) and ModuleList (a list that registers its modules).

Children are stored as attributes named "0", "1", ... so parameter names read
``"0.weight"`` as in PyTorch.

>>> from layers import Linear, ReLU
>>> net = Sequential(Linear(2, 3), ReLU())
>>> len(net), type(net[0]).__name__
(2, 'Linear')
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .module import Module


def _item(name: str, items: list[Module], index: Any) -> Module:
    """``items[index]``, or an IndexError naming the container and its length."""
    try:
        return items[index]
    except (IndexError, TypeError):
        raise IndexError(f"{name}: index {index!r} is out of range for {len(items)} "
                         "modules") from None


class _ModuleSequence(Module):
    """Shared storage: children under attribute names kept in insertion order."""

    def _items(self) -> list[Module]:
        return [m for _, m in self._own_children()]

    def _names(self) -> list[str]:
        return [n for n, _ in self._own_children()]

    def _reset(self, modules: Iterable[Module]) -> None:
        for name in self._names():
            delattr(self, name)
        for i, module in enumerate(modules):
            self._add(str(i), module)

    def _add(self, name: str, module: Any) -> None:
        if not isinstance(module, Module):
            raise TypeError(
                f"{type(self).__name__}: expected a Module, got {type(module).__name__}"
            )
        setattr(self, name, module)

    def __len__(self) -> int:
        return len(self._names())

    def __iter__(self) -> Iterator[Module]:
        return iter(self._items())

    def __setitem__(self, index: int, module: Module) -> None:
        names = self._names()
        self._add(names[index], module)

    def append(self, module: Module) -> _ModuleSequence:
        """Add ``module`` at the end; returns ``self``."""
        self._add(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> _ModuleSequence:
        """Append every module of ``modules``; returns ``self``."""
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before position ``index`` (children are renumbered)."""
        items = self._items()
        items.insert(index, module)
        self._reset(items)


class Sequential(_ModuleSequence):
    """Apply modules in order: ``Sequential(a, b)(x) == b(a(x))``.

    Accepts modules as arguments or one mapping ``{name: module}`` (names become the
    parameter prefixes).  Indexable (an int gives a module, a slice a new Sequential),
    ``len``, iteration and ``append``.

    >>> import numpy as np
    >>> from layers import Linear, Tanh
    >>> net = Sequential(Linear(2, 3), Tanh(), Linear(3, 1))
    >>> net(np.zeros((4, 2))).shape
    (4, 1)
    >>> len(net[:2])
    2
    """

    def __init__(self, *modules: Module | Mapping[str, Module]) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], Mapping):
            for name, module in modules[0].items():
                self._add(str(name), module)
        else:
            for i, module in enumerate(modules):
                self._add(str(i), module)

    def __getitem__(self, index: int | slice) -> Any:
        items = self._items()
        if isinstance(index, slice):
            return Sequential(*items[index])
        return _item("Sequential", items, index)

    def forward(self, x: Any) -> Any:
        for module in self._items():
            x = module(x)
        return x


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters the owner finds (like a plain list attribute,
    with list methods and PyTorch's name).

    >>> from layers import Linear
    >>> blocks = ModuleList([Linear(2, 2) for _ in range(3)])
    >>> len(list(blocks.parameters()))
    6
    """

    def __init__(self, modules: Iterable[Module] = ()) -> None:
        super().__init__()
        self.extend(modules)

    def __getitem__(self, index: int | slice) -> Any:
        items = self._items()
        if isinstance(index, slice):
            return ModuleList(items[index])
        return _item("ModuleList", items, index)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ModuleList has no forward(): iterate over it instead")
