"""Grad mode and name scopes: the two pieces of global state the engine consults.

>>> from autograd import Value, no_grad
>>> with no_grad():
...     y = Value(2.0) * 3
>>> y.parents
()
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager


class _State:
    """Mutable engine-wide flags (one instance, read on every recorded op)."""

    grad_enabled: bool = True
    scope: str | None = None


STATE = _State()


def is_grad_enabled() -> bool:
    """True when new ops record a graph.

    >>> is_grad_enabled()
    True
    """
    return STATE.grad_enabled


@contextmanager
def _grad_mode(enabled: bool) -> Iterator[None]:
    previous = STATE.grad_enabled
    STATE.grad_enabled = enabled
    try:
        yield
    finally:
        STATE.grad_enabled = previous


def no_grad() -> AbstractContextManager[None]:
    """Context manager: ops inside record no graph (evaluation, parameter updates).

    >>> from autograd import Value
    >>> with no_grad():
    ...     (Value(1.0) + 1).is_leaf
    True
    """
    return _grad_mode(False)


def enable_grad() -> AbstractContextManager[None]:
    """Context manager that turns recording back on inside a ``no_grad`` block.

    >>> with no_grad(), enable_grad():
    ...     is_grad_enabled()
    True
    """
    return _grad_mode(True)


@contextmanager
def name_scope(name: str) -> Iterator[str]:
    """Nodes created inside record ``scope`` = the dotted path of the open scopes.

    ``layers.Module`` opens one per call so pictures can group nodes by module.

    >>> from autograd import Value
    >>> with name_scope("encoder"), name_scope("fc1"):
    ...     y = Value(1.0) * 2
    >>> y.scope
    'encoder.fc1'
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name_scope: expected a non-empty string, got {name!r}")
    previous = STATE.scope
    STATE.scope = name if previous is None else f"{previous}.{name}"
    try:
        yield STATE.scope
    finally:
        STATE.scope = previous
