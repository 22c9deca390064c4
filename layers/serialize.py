"""Save and load a module's parameters and buffers as a ``.npz`` archive, without pickle,
or as a ``.safetensors`` file (chosen by the suffix).

The file holds one array per ``state_dict`` entry, keyed by its dotted name (PyTorch's names,
so a ``.safetensors`` file loads into the matching ``torch.nn.Module`` with
``safetensors.torch.load_file``, and back). ``load`` checks the whole file first, every shape
from the headers before any data is read (a header claiming a huge array costs nothing):
missing, unexpected or mis-shaped arrays raise :class:`CheckpointError` listing every one of
them, and the module is left untouched. Weights holding NaN or infinity load with a
:class:`~autograd.NonFiniteWarning` naming the entries.

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
import warnings
import zipfile
from typing import Any

import numpy as np

from autograd import NonFiniteWarning
from autograd.utils import StateDictError, atomic_path, check_state

from .optional import require

__all__ = ["CheckpointError", "load", "save"]

PathLike = str | os.PathLike
SAFETENSORS_SUFFIX = ".safetensors"


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
    """Write ``module.state_dict()`` to ``path`` (exactly that name): a ``.safetensors`` file
    when the name ends so (needs the ``safetensors`` package), else an uncompressed ``.npz``.

    >>> import tempfile, os
    >>> from layers import Linear
    >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
    >>> save(Linear(2, 1), path); sorted(np.load(path).files)
    ['bias', 'weight']
    """
    state = _state(module, "save")
    with atomic_path(path) as tmp:  # a failure never leaves a half-written checkpoint
        with open(tmp, "wb") as f:
            if is_safetensors(path):
                f.write(_safetensors_numpy("save").save(state))
            else:
                np.savez(f, **state)


def is_safetensors(path: PathLike) -> bool:
    """True when ``path`` names a ``.safetensors`` file (by its suffix, any case).

    >>> is_safetensors("model.safetensors"), is_safetensors("model.npz")
    (True, False)
    """
    return os.fspath(path).lower().endswith(SAFETENSORS_SUFFIX)


def _where(path: PathLike) -> str:
    """How load's messages start: ``load: '<path>'``."""
    return f"load: {os.fspath(path)!r}"


def _safetensors_numpy(fn: str) -> Any:
    """The ``safetensors.numpy`` module, or an ImportError saying how to install it."""
    return require("safetensors.numpy", f"{fn}: a .safetensors file", "safetensors")


def _read_safetensors(path: PathLike) -> dict[str, np.ndarray]:
    """Every tensor of the ``.safetensors`` file at ``path``, or a CheckpointError."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no checkpoint file at {os.fspath(path)!r}")
    where = _where(path)
    with open(path, "rb") as f:
        data = f.read()
    foreign = {b"PK": "is a zip archive (a .npz or a PyTorch .pt file)",
               b"\x80": "holds pickled data, which is never loaded",
               b"\x93NUMPY": "is a .npy array"}
    for magic, what in foreign.items():
        if data.startswith(magic):
            raise CheckpointError(f"{where} {what}; expected a .safetensors file")
    safetensors_numpy = _safetensors_numpy("load")
    from safetensors import SafetensorError

    try:
        arrays = safetensors_numpy.load(data)
    except KeyError as err:  # safetensors.numpy's lookup of a dtype NumPy lacks
        raise CheckpointError(f"{where} holds a tensor of dtype {err.args[0]}, which NumPy "
                              "cannot represent") from err
    except (SafetensorError, TypeError, ValueError) as err:
        raise CheckpointError(f"{where} is not a readable .safetensors file ({err})") from err
    return arrays


def _open(path: PathLike) -> zipfile.ZipFile:
    """The archive at ``path``, or a CheckpointError saying why it is not one."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no checkpoint file at {os.fspath(path)!r}")
    where = _where(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"{where} is a folder, expected a .npz checkpoint file")
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
        return zipfile.ZipFile(path)
    except (OSError, EOFError, zipfile.BadZipFile) as err:
        raise CheckpointError(f"{where} is not a readable .npz archive ({err})") from err


def _member(name: str) -> str:
    """The state-dict key a member of the archive holds (``fc.weight.npy`` → ``fc.weight``)."""
    return name[:-4] if name.endswith(".npy") else name


def _header(archive: zipfile.ZipFile, member: str, where: str) -> tuple[tuple[int, ...],
                                                                        np.dtype]:
    """Shape and dtype from a member's ``.npy`` header, read without touching its data."""
    key = _member(member)
    if not member.endswith(".npy"):
        raise CheckpointError(f"{where}: entry {key!r} is not a NumPy array (corrupt or "
                              "foreign archive)")
    try:
        with archive.open(member) as f:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(f)
            elif version == (2, 0):
                shape, _, dtype = np.lib.format.read_array_header_2_0(f)
            else:
                raise ValueError(f".npy format version {version} is not supported")
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
        raise CheckpointError(f"{where}: entry {key!r} is not a NumPy array (corrupt or "
                              f"foreign archive: {err})") from err
    if dtype.hasobject:
        raise CheckpointError(f"{where}: array {key!r} holds pickled objects, which are never "
                              "loaded")
    return shape, dtype


def _array(archive: zipfile.ZipFile, member: str, where: str) -> np.ndarray:
    """A member's data (its header already checked); truncated data is a CheckpointError."""
    try:
        with archive.open(member) as f:
            return np.lib.format.read_array(f, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
        raise CheckpointError(f"{where}: array {_member(member)!r} is corrupt ({err})") from err


def _read(path: PathLike) -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` archive at ``path`` (each header checked before its data is
    read), or a CheckpointError saying what is wrong."""
    where = _where(path)
    with _open(path) as archive:
        members = {_member(m): m for m in archive.namelist()}
        for member in members.values():
            _header(archive, member, where)
        return {key: _array(archive, member, where) for key, member in members.items()}


def _warn_non_finite(arrays: dict[str, np.ndarray], where: str) -> None:
    """Warn (NonFiniteWarning) naming every loaded entry that holds NaN or infinity."""
    bad = []
    for name, arr in arrays.items():
        if arr.dtype.kind == "f" and not np.isfinite(arr).all():
            n_nan, n_inf = int(np.isnan(arr).sum()), int(np.isinf(arr).sum())
            counts = ", ".join(f"{n} {kind}" for n, kind in [(n_nan, "NaN"), (n_inf, "inf")]
                               if n)
            bad.append(f"{name!r} ({counts} of {arr.size})")
    if bad:
        warnings.warn(f"{where}: loaded weights hold NaN or infinity: {'; '.join(bad)}",
                      NonFiniteWarning, stacklevel=3)


def _check(module: Any, path: PathLike, expected: dict[str, np.ndarray],
           headers: dict[str, tuple[tuple[int, ...], np.dtype]]) -> None:
    """Raise a CheckpointError unless the file's (shape, dtype) ``headers`` fit ``expected``
    (every missing, unexpected and mis-shaped entry listed), decided before data is read."""
    check_state(f"{type(module).__name__} from {os.fspath(path)!r}",
                {name: arr.shape for name, arr in expected.items()},
                {name: shape for name, (shape, _) in headers.items()}, error=CheckpointError)
    for name in expected:
        if headers[name][1].kind not in "biuf":
            raise CheckpointError(f"{_where(path)}: array {name!r} has dtype "
                                  f"{headers[name][1]}, expected numbers")


def load(module: Any, path: PathLike) -> None:
    """Load the arrays at ``path`` (``.npz``, or ``.safetensors`` by suffix) into ``module``
    (all or nothing).

    Raises :class:`CheckpointError` listing missing, unexpected and mis-shaped entries (found
    from the headers, before any data is read), or saying why the file is not a readable
    ``.npz`` archive or ``.safetensors`` file.  Warns (``NonFiniteWarning``) naming entries
    that hold NaN or infinity.

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
    where = _where(path)
    if is_safetensors(path):
        arrays = _read_safetensors(path)
        _check(module, path, expected, {k: (a.shape, a.dtype) for k, a in arrays.items()})
    else:
        with _open(path) as archive:
            members = {_member(m): m for m in archive.namelist()}
            _check(module, path, expected,
                   {key: _header(archive, m, where) for key, m in members.items()})
            arrays = {name: _array(archive, members[name], where) for name in expected}
    _warn_non_finite(arrays, where)
    module.load_state_dict({name: arrays[name] for name in expected})
