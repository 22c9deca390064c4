"""The state-dict check: which saved entries are missing, unexpected or of the wrong shape.

``Module.load_state_dict`` and ``layers.load`` (and any other loader) call
:func:`check_state`, so every mismatch is reported by the same words and the same exception.

>>> check_state("Linear", {"weight": (2, 3)}, {"weight": (2, 3), "junk": ()}, strict=False)
([], ['junk'])
"""

from __future__ import annotations

from collections.abc import Mapping


class StateDictError(RuntimeError):
    """Saved state that does not fit a model: the message lists every bad entry, and
    ``missing_keys``, ``unexpected_keys`` and ``mismatched_keys`` list them too (empty when
    the problem is something else, such as an unreadable file).

    >>> StateDictError("bad", missing=["bias"]).missing_keys
    ['bias']
    """

    def __init__(self, message: str, missing: list[str] | None = None,
                 unexpected: list[str] | None = None,
                 mismatched: list[str] | None = None) -> None:
        super().__init__(message)
        self.missing_keys = list(missing or [])
        self.unexpected_keys = list(unexpected or [])
        self.mismatched_keys = list(mismatched or [])


def check_state(where: str, expected: Mapping[str, tuple[int, ...]],
                given: Mapping[str, tuple[int, ...]], strict: bool = True,
                error: type[StateDictError] = StateDictError) -> tuple[list[str], list[str]]:
    """Compare the shapes of the ``given`` entries with the ``expected`` ones.

    A shape mismatch always raises ``error`` (a :class:`StateDictError`); with ``strict``
    so does a missing or unexpected key.  Otherwise returns ``(missing, unexpected)``.

    >>> check_state("Linear", {"weight": (2, 3), "bias": (2,)}, {"weight": (5, 3)})
    Traceback (most recent call last):
    ...
    autograd.utils.state.StateDictError: Error(s) in loading state_dict for Linear:
      missing key(s): 'bias'
      size mismatch for 'weight': the saved state has shape (5, 3), the model has shape (2, 3)
    """
    missing = [name for name in expected if name not in given]
    unexpected = [name for name in given if name not in expected]
    mismatched = [name for name in expected
                  if name in given and tuple(given[name]) != tuple(expected[name])]
    if mismatched or (strict and (missing or unexpected)):
        shown_missing, shown_unexpected = (missing, unexpected) if strict else ([], [])
        lines = [f"Error(s) in loading state_dict for {where}:"]
        if shown_missing:
            lines.append("  missing key(s): " + ", ".join(map(repr, shown_missing)))
        if shown_unexpected:
            lines.append("  unexpected key(s): " + ", ".join(map(repr, shown_unexpected)))
        for name in mismatched:
            lines.append(f"  size mismatch for {name!r}: the saved state has shape "
                         f"{tuple(given[name])}, the model has shape {tuple(expected[name])}")
        raise error("\n".join(lines), shown_missing, shown_unexpected, mismatched)
    return missing, unexpected
