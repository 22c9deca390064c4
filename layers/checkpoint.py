"""Training checkpoints: everything needed to continue a run exactly where it stopped.

One ``.npz`` archive (no pickle) holds the model's ``state_dict`` (``model/...``), the
optimiser's state tensors (``optimizer/<index>/<name>``), any extra arrays (``extra/...``)
and a JSON member ``meta.json`` with the epoch, the optimiser's parameter groups, the
scheduler's state, the states of random generators and any extra JSON-able data.  It is
written atomically: an interruption while writing leaves the previous checkpoint intact.

>>> import os, tempfile
>>> from layers import Linear, SGD
>>> model = Linear(2, 1); opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
>>> path = os.path.join(tempfile.mkdtemp(), "run.ckpt")
>>> save_checkpoint(path, model, opt, epoch=3)
>>> load_checkpoint(path, Linear(2, 1), SGD(Linear(2, 1).parameters(), lr=0.5)).epoch
3
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from autograd.utils import StateDictError, atomic_path

from .serialize import CheckpointError, PathLike, _read

__all__ = ["Checkpoint", "load_checkpoint", "save_checkpoint"]

FORMAT = "gradgate-training-checkpoint/1"
_META = "meta.json"


class Checkpoint(NamedTuple):
    """What :func:`load_checkpoint` gives back besides the states it restored."""

    epoch: int
    meta: dict[str, Any]
    arrays: dict[str, np.ndarray]


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"save_checkpoint: {type(value).__name__} is not JSON-serialisable")


def save_checkpoint(path: PathLike, model: Any, optimizer: Any = None, *, epoch: int = 0,
                    scheduler: Any = None,
                    generators: Mapping[str, np.random.Generator] | None = None,
                    meta: Mapping[str, Any] | None = None,
                    arrays: Mapping[str, np.ndarray] | None = None) -> None:
    """Write model, optimiser, scheduler, ``epoch``, the states of ``generators`` (by name),
    JSON-able ``meta`` and extra ``arrays`` to ``path`` as one archive, atomically.

    >>> import os, tempfile
    >>> from layers import Linear
    >>> path = os.path.join(tempfile.mkdtemp(), "fc.ckpt")
    >>> save_checkpoint(path, Linear(2, 1), meta={"note": "first"})
    >>> sorted(np.load(path).files)
    ['meta.json', 'model/bias', 'model/weight']
    """
    members = {f"model/{name}": np.asarray(value)
               for name, value in model.state_dict().items()}
    info: dict[str, Any] = {"format": FORMAT, "epoch": int(epoch), "meta": dict(meta or {})}
    if optimizer is not None:
        state = optimizer.state_dict()
        info["param_groups"] = state["param_groups"]
        for index, entries in state["state"].items():
            for key, value in entries.items():
                members[f"optimizer/{index}/{key}"] = np.asarray(value)
    if scheduler is not None:
        info["scheduler"] = scheduler.state_dict()
    info["generators"] = {name: gen.bit_generator.state
                          for name, gen in (generators or {}).items()}
    for name, value in (arrays or {}).items():
        members[f"extra/{name}"] = np.asarray(value)
    text = json.dumps(info, default=_json_default)
    members[_META] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.savez(f, **members)


def load_checkpoint(path: PathLike, model: Any, optimizer: Any = None, *,
                    scheduler: Any = None,
                    generators: Mapping[str, np.random.Generator] | None = None) -> Checkpoint:
    """Restore what :func:`save_checkpoint` wrote into ``model`` (and ``optimizer``,
    ``scheduler``, and the ``generators`` in place: their names must be those saved), all
    checked before anything changes.

    Returns the epoch, the extra meta data and the extra arrays.  A file that is not a
    training checkpoint, or states that do not fit, raise :class:`CheckpointError`.

    >>> import os, tempfile
    >>> from layers import Linear
    >>> path = os.path.join(tempfile.mkdtemp(), "fc.ckpt")
    >>> save_checkpoint(path, Linear(2, 1), epoch=1, arrays={"best.weight": np.ones((1, 2))})
    >>> ckpt = load_checkpoint(path, Linear(2, 1))
    >>> ckpt.epoch, list(ckpt.arrays)
    (1, ['best.weight'])
    """
    where = f"load_checkpoint: {os.fspath(path)!r}"
    members = _read(path)
    info = _meta(members, where)
    groups: dict[str, dict[str, np.ndarray]] = {"model": {}, "optimizer": {}, "extra": {}}
    for key, value in members.items():
        kind, _, name = key.partition("/")
        if kind not in groups or not name:
            raise CheckpointError(f"{where}: unexpected member {key!r}")
        groups[kind][name] = value
    saved_gens = info.get("generators", {})
    wanted = dict(generators or {})
    if generators is not None and sorted(saved_gens) != sorted(wanted):
        raise CheckpointError(f"{where}: holds the states of the random generators "
                              f"{sorted(saved_gens)}, expected {sorted(wanted)}")
    if optimizer is not None and "param_groups" not in info:
        raise CheckpointError(f"{where}: holds no optimizer state")
    if scheduler is not None and "scheduler" not in info:
        raise CheckpointError(f"{where}: holds no scheduler state")
    before = model.state_dict()
    try:
        model.load_state_dict(groups["model"])
        if optimizer is not None:
            optimizer.load_state_dict(_optimizer_state(groups["optimizer"], info))
    except (StateDictError, ValueError) as err:
        model.load_state_dict(before)
        raise CheckpointError(f"{where} does not fit: {err}") from err
    if scheduler is not None:
        scheduler.load_state_dict(info["scheduler"])
    for name, gen in wanted.items():
        gen.bit_generator.state = saved_gens[name]
    return Checkpoint(int(info["epoch"]), info["meta"], groups["extra"])


def _meta(members: dict[str, np.ndarray], where: str) -> dict[str, Any]:
    """The decoded ``meta.json`` member (removed from ``members``), checked for the format."""
    raw = members.pop(_META, None)
    info = None
    if raw is not None and raw.dtype == np.uint8 and raw.ndim == 1:
        try:
            info = json.loads(raw.tobytes().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            info = None
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise CheckpointError(f"{where} is not a training checkpoint (no readable {_META} of "
                              f"format {FORMAT!r}; model weights saved with layers.save load "
                              "with layers.load)")
    return info


def _optimizer_state(tensors: dict[str, np.ndarray], info: dict[str, Any]) -> dict[str, Any]:
    state: dict[int, dict[str, np.ndarray]] = {}
    for name, value in tensors.items():
        index, _, key = name.partition("/")
        state.setdefault(int(index), {})[key] = value
    return {"state": state, "param_groups": info["param_groups"]}
