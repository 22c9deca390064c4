"""Finding what a table keeps for a module's class: the nearest registered class in its
MRO, as long as the module still runs that class's ``forward`` (a subclass with a forward of
its own computes something else, so no entry applies).

>>> from layers import MLP, Sequential
>>> lookup(MLP(2, [3]), {Sequential: "a pipeline"})
'a pipeline'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T")


def lookup(module: Any, table: Mapping[type, T]) -> T | None:
    """``table``'s entry for the nearest class of ``module`` it holds, or None when there is
    none or ``module`` overrides that class's ``forward``.

    >>> from layers import Linear
    >>> class Shifted(Linear):
    ...     def forward(self, x):
    ...         return super().forward(x) + 1
    >>> lookup(Shifted(2, 2), {Linear: "fc"}) is None
    True
    """
    for cls in type(module).__mro__:
        if cls in table:
            return table[cls] if type(module).forward is cls.forward else None
    return None


def names(table: Mapping[type, Any]) -> str:
    """The class names of ``table``, sorted and comma-separated (for error messages).

    >>> names({int: 1, bool: 2})
    'bool, int'
    """
    return ", ".join(sorted(cls.__name__ for cls in table))
