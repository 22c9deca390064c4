"""Save and load a module's parameters and buffers as a ``.npz`` archive, without pickle.

The archive holds one array per ``state_dict`` entry, keyed by its dotted name. ``load`` reads
and checks the whole file first: missing, unexpected or mis-shaped arrays raise
:class:`CheckpointError` listing every one of them, and the module is left untouched.

>>> import tempfile, os
>>> from layers import Linear
>>> a, b = Linear(3, 2), Linear(3, 2)
>>> path = os.path.join(tempfile.mkdtemp(), "fc.npz")
>>> save(a, path); load(b, path)
>>> bool((a.weight.data == b.weight.data).all())
True
"""

from __future__ import annotations

import os
import zipfile
from typing import Any

import numpy as np

from autograd.utils import StateDictError, atomic_path, check_state

__all__ = ["CheckpointError", "load", "save"]

PathLike = str | os.PathLike


class CheckpointError(StateDictError, ValueError):
    """A checkpoint file that cannot be loaded into a module: unreadable, or holding entries
    that do not fit it (``missing_keys``, ``unexpected_keys`` and ``mismatched_keys`` list
    them, as for ``load_state_dict``'s :class:`~autograd.utils.StateDictError`).
    """


def _state(module: Any, fn: str) -> dict[str, np.ndarray]:
    if not hasattr(module, "state_dict") or not hasattr(module, "load_state_dict"):
        raise TypeError(f"{fn}: expected a Module (with state_dict/load_state_dict), "
                        f"got {type(module).__name__}")
    state = {}
    for name, value in module.state_dict().items():
        arr = np.asarray(getattr(value, "data", value))
        if arr.dtype == object:
            raise TypeError(f"{fn}: state entry {name!r} is not numeric (dtype object)")
        state[name] = arr
    return state


def save(module: Any, path: PathLike) -> None:
    """Write ``module.state_dict()`` to ``path`` (exactly that name) as an uncompressed ``.npz``.

    >>> import tempfile, os
    >>> from layers import Linear
    >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
    >>> save(Linear(2, 1), path); sorted(np.load(path).files)
    ['bias', 'weight']
    """
    state = _state(module, "save")
    with atomic_path(path) as tmp:  # a failure never leaves a half-written checkpoint
        with open(tmp, "wb") as f:
            np.savez(f, **state)


def _read(path: PathLike) -> dict[str, np.ndarray]:
    """Every array of the archive at ``path``, or a CheckpointError saying what is wrong."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no checkpoint file at {os.fspath(path)!r}")
    where = f"load: {os.fspath(path)!r}"
    with open(path, "rb") as f:
        magic = f.read(6)
    if magic.startswith(b"\x93NUMPY"):
        raise CheckpointError(f"{where} is a single .npy array, expected a .npz archive "
                              "written by layers.save")
    if magic[:1] == b"\x80":
        raise CheckpointError(f"{where} holds pickled data, which is never loaded "
                              "(expected a .npz archive written by layers.save)")
    if not magic.startswith(b"PK"):
        raise CheckpointError(f"{where} is not a .npz archive (it does not start like a zip "
                              f"file: {magic!r})")
    try:
        archive = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
        raise CheckpointError(f"{where} is not a readable .npz archive ({err})") from err
    arrays = {}
    with archive:
        for name in archive.files:
            try:
                arrays[name] = archive[name]
            except ValueError as err:
                if "pickle" in str(err):
                    raise CheckpointError(f"{where}: array {name!r} holds pickled objects, "
                                          "which are never loaded") from err
                raise CheckpointError(f"{where}: array {name!r} is corrupt ({err})") from err
            except (OSError, EOFError, zipfile.BadZipFile) as err:
                raise CheckpointError(f"{where}: array {name!r} is corrupt ({err})") from err
            if not isinstance(arrays[name], np.ndarray):
                raise CheckpointError(f"{where}: entry {name!r} is not a NumPy array "
                                      "(corrupt or foreign archive)")
    return arrays


def load(module: Any, path: PathLike) -> None:
    """Load the arrays at ``path`` into ``module`` (all or nothing).

    Raises :class:`CheckpointError` listing missing, unexpected and mis-shaped entries, or
    saying why the file is not a readable ``.npz`` archive.

    >>> import tempfile, os
    >>> from layers import Linear
    >>> path = os.path.join(tempfile.mkdtemp(), "small.npz")
    >>> save(Linear(2, 1), path)
    >>> try:
    ...     load(Linear(3, 1), path)
    ... except CheckpointError as err:
    ...     err.mismatched_keys
    ['weight']
    """
    expected = _state(module, "load")
    arrays = _read(path)
    check_state(f"{type(module).__name__} from {os.fspath(path)!r}",
                {name: arr.shape for name, arr in expected.items()},
                {name: arr.shape for name, arr in arrays.items()}, error=CheckpointError)
    for name in expected:
        if arrays[name].dtype.kind not in "biuf":
            raise CheckpointError(f"load: {os.fspath(path)!r}: array {name!r} has dtype "
                                  f"{arrays[name].dtype}, expected numbers")
    module.load_state_dict(arrays)
