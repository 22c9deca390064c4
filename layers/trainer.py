"""Optional training sugar: ``fit`` a model for some epochs, ``evaluate`` it on a loader.

A plain loop does the same and stays the first thing to learn::

    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad(); loss.backward(); optimizer.step()

``fit`` adds a progress bar, per-epoch history (loss and accuracy, train and validation),
a learning-rate schedule and early stopping on the validation loss that restores the best
weights. Evaluation runs in eval mode under ``autograd.no_grad()``.

>>> import numpy as np, autograd
>>> from layers import Linear, SGD, DataLoader
>>> x = np.array([[-2.0], [-1.0], [1.0], [2.0]]); y = np.array([0, 0, 1, 1])
>>> model = Linear(1, 2)
>>> history = fit(model, autograd.cross_entropy, SGD(model.parameters(), lr=0.5),
...               DataLoader(x, y, batch_size=4), epochs=30, progress=False)
>>> history.train_acc[-1]
1.0
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from tqdm import tqdm

import autograd
from autograd.random import generator

from .checkpoint import load_checkpoint, save_checkpoint

__all__ = ["History", "accuracy", "evaluate", "fit"]

LossFn = Callable[[Any, Any], Any]


@dataclass
class History:
    """Per-epoch record of a ``fit`` run (one list entry per epoch that ran).

    ``*_acc`` entries are None when the targets are not integer class labels; ``val_*`` lists
    stay empty without a validation loader. ``best_epoch`` (0-based) is the epoch with the
    lowest validation loss, ``stopped_epoch`` the epoch after which early stopping ended the
    run (None when it ran to the end).
    """

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float | None] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float | None] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_epoch: int | None = None

    @property
    def epochs(self) -> int:
        """Number of epochs that ran."""
        return len(self.train_loss)


def _raw(x: Any) -> np.ndarray:
    return np.asarray(getattr(x, "data", x))


def _correct(output: Any, targets: Any) -> int | None:
    """Number of correct predictions, or None when ``targets`` are not class labels.

    Scores ``(N, C)`` predict their argmax; a single score per sample ``(N,)``/``(N, 1)``
    predicts "positive" when above 0 (labels 0/1 or -1/+1).
    """
    y = np.asarray(targets)
    if y.dtype.kind not in "biu":
        return None
    scores = _raw(output)
    if scores.ndim == 2 and scores.shape[1] > 1:
        pred = scores.argmax(axis=1)
        return int((pred == y.reshape(-1)).sum())
    positive = scores.reshape(-1) > 0
    return int((positive == (y.reshape(-1) > 0)).sum())


def accuracy(output: Any, targets: Any) -> float:
    """Fraction of samples whose prediction matches the integer label.

    >>> accuracy(np.array([[0.1, 2.0], [3.0, 0.0]]), np.array([1, 1]))
    0.5
    """
    correct = _correct(output, targets)
    if correct is None:
        raise TypeError(f"accuracy: targets must be integer class labels, got dtype "
                        f"{np.asarray(targets).dtype}")
    return correct / len(np.asarray(targets))


def _loss_value(loss: Any, where: str) -> float:
    if not hasattr(loss, "backward"):
        raise TypeError(f"{where}: loss_fn must return a Value, got {type(loss).__name__}")
    if np.size(loss.data) != 1:
        raise ValueError(f"{where}: loss_fn must return a single number, got shape "
                         f"{np.shape(loss.data)}")
    value = float(np.asarray(loss.data).reshape(()))
    if not math.isfinite(value):
        raise FloatingPointError(f"{where}: the loss is {value}; training diverged (try a "
                                 "smaller learning rate)")
    return value


class _Tally:
    """Sample-weighted running loss and accuracy over one pass of a loader."""

    def __init__(self) -> None:
        self.loss_sum = 0.0
        self.correct: int | None = 0
        self.count = 0

    def add(self, loss: float, output: Any, targets: Any) -> None:
        n = len(np.asarray(targets))
        self.loss_sum += loss * n
        self.count += n
        correct = _correct(output, targets)
        self.correct = None if correct is None or self.correct is None else self.correct + correct

    @property
    def loss(self) -> float:
        return self.loss_sum / max(self.count, 1)

    @property
    def acc(self) -> float | None:
        return None if self.correct is None else self.correct / max(self.count, 1)


def _set_training(model: Any, training: bool) -> None:
    if hasattr(model, "train"):
        model.train(training)


def evaluate(model: Any, loader: Iterable[tuple[Any, Any]], loss_fn: LossFn
             ) -> tuple[float, float | None]:
    """Mean loss and accuracy of ``model`` over ``loader`` (eval mode, no graph recorded).

    The model's previous train/eval mode is restored afterwards. Accuracy is None when the
    targets are not integer labels.

    >>> from layers import Linear, DataLoader
    >>> model = Linear(1, 2)
    >>> loss, acc = evaluate(model, DataLoader(np.ones((3, 1)), np.zeros(3, int), 2),
    ...                      autograd.cross_entropy)
    >>> acc in (0.0, 1.0), model.training
    (True, True)
    """
    was_training = getattr(model, "training", None)
    _set_training(model, False)
    tally = _Tally()
    try:
        with autograd.no_grad():
            for xb, yb in loader:
                output = model(xb)
                tally.add(_loss_value(loss_fn(output, yb), "evaluate"), output, yb)
    finally:
        if was_training is not None:
            _set_training(model, was_training)
    if tally.count == 0:
        raise ValueError("evaluate: the loader produced no batches")
    return tally.loss, tally.acc


def _current_lr(optimizer: Any) -> float:
    groups = getattr(optimizer, "param_groups", None)
    return float(groups[0]["lr"]) if groups else math.nan


def _check_fit_args(model: Any, epochs: int, val_loader: Any, early_stopping: int | None
                    ) -> None:
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive int, got {epochs!r}")
    if early_stopping is None:
        return
    if isinstance(early_stopping, bool) or not isinstance(early_stopping, int) \
            or early_stopping < 1:
        raise ValueError(f"fit: early_stopping is the patience in epochs, a positive int; "
                         f"got {early_stopping!r}")
    if val_loader is None:
        raise ValueError("fit: early_stopping watches the validation loss; pass a val_loader")
    if not hasattr(model, "state_dict"):
        raise TypeError("fit: early_stopping restores the best weights and needs a Module "
                        "with state_dict/load_state_dict")


def _samples_per_epoch(loader: Any) -> int | None:
    """Samples one pass over ``loader`` yields (the progress bar counts images, so its rate
    reads in images/s), or None when the loader cannot say."""
    samples, batch = getattr(loader, "num_samples", None), getattr(loader, "batch_size", None)
    if samples is None or batch is None or not hasattr(loader, "__len__"):
        return None
    return min(int(samples), len(loader) * int(batch))


def fit(model: Any, loss_fn: LossFn, optimizer: Any, train_loader: Iterable[tuple[Any, Any]],
        epochs: int, val_loader: Iterable[tuple[Any, Any]] | None = None,
        scheduler: Any = None, early_stopping: int | None = None, min_delta: float = 0.0,
        restore_best: bool = True, progress: bool = True,
        checkpoint: str | os.PathLike | None = None, resume: bool = False) -> History:
    """Train ``model`` for ``epochs`` passes over ``train_loader``; returns a :class:`History`.

    Each batch runs ``loss_fn(model(xb), yb)``, ``optimizer.zero_grad()``, ``backward()`` and
    ``optimizer.step()`` with the model in training mode. After each epoch the model is
    evaluated on ``val_loader`` (if given) and ``scheduler.step()`` is called (if given).

    ``early_stopping=patience`` stops after ``patience`` epochs without the validation loss
    improving by more than ``min_delta``; with ``restore_best`` the weights of the best epoch
    are loaded back at the end. ``progress=False`` hides the tqdm bar. A non-finite loss
    raises ``FloatingPointError``.

    ``checkpoint=path`` writes a training checkpoint there after every epoch (atomically:
    model, optimiser, scheduler, history, early-stopping state and the random generators of
    the engine and the loaders, see :mod:`layers.checkpoint`). ``resume=True`` loads it first
    and runs the remaining epochs up to ``epochs``: losses and weights are then exactly those
    of a run that was never interrupted.  The returned history covers every epoch.
    """
    _check_fit_args(model, epochs, val_loader, early_stopping)
    if resume and checkpoint is None:
        raise ValueError("fit: resume=True continues from a checkpoint; pass checkpoint=path")
    if checkpoint is not None and not all(hasattr(obj, "state_dict")
                                          for obj in (model, optimizer)):
        raise TypeError("fit: checkpoint= saves the model's and the optimizer's state_dict(); "
                        f"got a {type(model).__name__} and a {type(optimizer).__name__}")
    generators = _generators(train_loader, val_loader)
    run = _Run()
    if resume:
        if not os.path.exists(checkpoint):
            raise FileNotFoundError(f"fit: resume=True but there is no checkpoint at "
                                    f"{os.fspath(checkpoint)!r}")
        run = _Run.load(checkpoint, model, optimizer, scheduler, generators)
    history = run.history
    per_epoch = _samples_per_epoch(train_loader)
    total = None if per_epoch is None else epochs * per_epoch
    done = history.epochs
    with tqdm(total=total, initial=0 if per_epoch is None else min(done, epochs) * per_epoch,
              disable=not progress, unit="img", unit_scale=True, leave=True) as bar:
        for epoch in range(done, epochs):
            if history.stopped_epoch is not None:
                break
            bar.set_description(f"epoch {epoch + 1}/{epochs}")
            history.lr.append(_current_lr(optimizer))
            _set_training(model, True)
            tally = _Tally()
            for batch, (xb, yb) in enumerate(train_loader):
                output = model(xb)
                loss = loss_fn(output, yb)
                value = _loss_value(loss, f"fit (epoch {epoch + 1}, batch {batch + 1})")
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                tally.add(value, output, yb)
                bar.update(len(yb))
                bar.set_postfix(loss=f"{tally.loss:.4f}", refresh=False)
            if tally.count == 0:
                raise ValueError("fit: train_loader produced no batches")
            history.train_loss.append(tally.loss)
            history.train_acc.append(tally.acc)
            postfix = {"loss": f"{tally.loss:.4f}"}
            if val_loader is not None:
                val_loss, val_acc = evaluate(model, val_loader, loss_fn)
                history.val_loss.append(val_loss)
                history.val_acc.append(val_acc)
                postfix["val_loss"] = f"{val_loss:.4f}"
                if val_acc is not None:
                    postfix["val_acc"] = f"{val_acc:.3f}"
                if val_loss < run.best_loss - min_delta:
                    run.best_loss, run.waited = val_loss, 0
                    history.best_epoch = epoch
                    if early_stopping is not None and restore_best:
                        run.best_state = {name: np.array(_raw(value), copy=True)
                                          for name, value in model.state_dict().items()}
                else:
                    run.waited += 1
            bar.set_postfix(postfix)
            if scheduler is not None:
                scheduler.step()
            if early_stopping is not None and run.waited >= early_stopping:
                history.stopped_epoch = epoch
            if checkpoint is not None:
                run.save(checkpoint, model, optimizer, scheduler, generators)
    if run.best_state is not None:
        model.load_state_dict(run.best_state)
    return history


def _generators(*loaders: Any) -> dict[str, np.random.Generator]:
    """The random generators a training run draws from, by name: the engine's (dropout) and
    each loader's shuffling generator, when it has one."""
    gens = {"autograd": generator()}
    for name, loader in zip(("train_loader", "val_loader"), loaders, strict=True):
        gen = getattr(loader, "generator", None)
        if isinstance(gen, np.random.Generator):
            gens[name] = gen
    return gens


@dataclass
class _Run:
    """The state of a ``fit`` run besides model and optimiser: history and early stopping."""

    history: History = field(default_factory=History)
    best_loss: float = math.inf
    waited: int = 0
    best_state: dict[str, np.ndarray] | None = None

    def save(self, path: str | os.PathLike, model: Any, optimizer: Any, scheduler: Any,
             generators: dict[str, np.random.Generator]) -> None:
        meta = {"history": asdict(self.history), "best_loss": self.best_loss,
                "waited": self.waited, "has_best_state": self.best_state is not None}
        save_checkpoint(path, model, optimizer, epoch=self.history.epochs, scheduler=scheduler,
                        generators=generators, meta=meta, arrays=self.best_state)

    @classmethod
    def load(cls, path: str | os.PathLike, model: Any, optimizer: Any, scheduler: Any,
             generators: dict[str, np.random.Generator]) -> _Run:
        ckpt = load_checkpoint(path, model, optimizer, scheduler=scheduler,
                               generators=generators)
        meta = ckpt.meta
        return cls(History(**meta["history"]), meta["best_loss"], meta["waited"],
                   ckpt.arrays if meta["has_best_state"] else None)
