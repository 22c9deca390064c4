"""Writing files so that a failure never leaves an empty or half-written file behind.

The bytes go to a hidden temporary file in the target's folder, which replaces the target
with :func:`os.replace` (atomic on POSIX and Windows) only once it is complete; on any error
the temporary file is removed and the target is left as it was.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "note.txt")
>>> write_atomic(path, "hello")
>>> open(path, encoding="utf-8").read()
'hello'
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A fresh temporary path next to ``path`` for the block to write; it replaces ``path``
    when the block succeeds and is removed when the block raises.

    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "data.txt")
    >>> with atomic_path(path) as tmp:
    ...     _ = tmp.write_text("complete")
    >>> try:
    ...     with atomic_path(path) as tmp:
    ...         _ = tmp.write_text("half")
    ...         raise RuntimeError("the renderer failed")
    ... except RuntimeError:
    ...     pass
    >>> open(path).read(), os.listdir(folder)
    ('complete', ['data.txt'])
    """
    target = Path(os.path.realpath(path))  # through a symlink, as open(path, "w") writes
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        tmp.open("xb").close()  # reserve the name, with the permissions open() gives
    except OSError as err:  # name the caller's path, not the temporary one
        raise OSError(err.errno, err.strerror, os.fspath(path)) from None
    try:
        if target.is_file():
            shutil.copymode(target, tmp)
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8, or bytes) to ``path`` through :func:`atomic_path`.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "picture.svg")
    >>> write_atomic(path, b"<svg/>"); open(path, "rb").read()
    b'<svg/>'
    """
    with atomic_path(path) as tmp:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            tmp.write_text(data, encoding="utf-8")
