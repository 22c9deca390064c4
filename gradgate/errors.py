"""How ``gradgate`` reports what went wrong: the program name and the two error kinds.

:func:`gradgate.main` prints a :class:`UsageError` as ``gradgate <cmd>: error: ...`` and exits
with status 2; a :class:`MissingDependencyError` exits with status 1.

>>> PROG
'gradgate'
"""

from __future__ import annotations

PROG = "gradgate"


class UsageError(Exception):
    """Bad command-line input: reported as ``gradgate <cmd>: error: ...`` with exit status 2.

    >>> str(UsageError("no value for 'z'"))
    "no value for 'z'"
    """


class MissingDependencyError(Exception):
    """An optional package the command needs is not installed: exit status 1.

    >>> "pip install" in str(MissingDependencyError("x", "pip install y"))
    True
    """

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(f"{what} is not installed; {fix}")
