"""The work behind ``gradgate`` and ``gradgate train``: data sets, models, training, and the
files and pictures of a trained model.

>>> data = load_dataset("spirals", seed=0)
>>> build_model("linear", "spirals", data[0].shape[1:], data[4], []).num_parameters()
9
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .errors import MissingDependencyError, UsageError

DATASETS = ("moons", "spirals", "digits", "cifar10")
MODELS = ("linear", "mlp", "lenet", "alexnet", "vgg", "resnet")
_EPOCHS = {"moons": 100, "spirals": 200, "digits": 10, "cifar10": 2}
DIGITS_FIX = ("the 8×8 digits ship with it (no download): pip install 'gradgate[digits]' "
              "(or: pip install scikit-learn)")


def _require_digits() -> None:
    import importlib.util

    if importlib.util.find_spec("sklearn") is None:
        raise MissingDependencyError("scikit-learn", DIGITS_FIX)


SAMPLES = {"moons": ((2,), 2), "spirals": ((2,), 3), "digits": ((1, 8, 8), 10),
           "cifar10": ((3, 32, 32), 10)}
"""Each data set's sample shape and class count: what a model for it is built for."""


def load_dataset(name: str, seed: int, data_dir: str | None = None, limit: int | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """``x_train, y_train, x_test, y_test, classes`` of a named data set (float32 inputs).

    >>> xtr, ytr, xte, yte, k = load_dataset("moons", seed=0)
    >>> xtr.shape, xte.shape, k
    ((400, 2), (100, 2), 2)
    """
    import layers

    if name == "cifar10":
        if not data_dir:
            raise UsageError("--dataset cifar10 needs --data DIR: the folder of the binary "
                             "CIFAR-10 files (https://www.cs.toronto.edu/~kriz/cifar.html)")
        try:
            xtr, ytr, xte, yte = layers.load_cifar10(data_dir, as_float=True)
        except (FileNotFoundError, ValueError) as err:
            raise UsageError(str(err)) from None
        if limit:
            xtr, ytr, xte, yte = xtr[:limit], ytr[:limit], xte[:limit], yte[:limit]
        return xtr, ytr, xte, yte, 10
    if name == "digits":
        _require_digits()
        x, y = layers.load_digits(np.float32)
        classes = 10
    elif name == "moons":
        x, y = layers.make_moons(500, noise=0.15, seed=seed)
        classes = 2
    else:
        x, y = layers.make_spirals(150, 3, noise=0.2, seed=seed)
        classes = 3
    xtr, xte, ytr, yte = layers.split(x.astype(np.float32), y, fraction=0.2, seed=seed)
    if limit:
        xtr, ytr = xtr[:limit], ytr[:limit]
    return xtr, ytr, xte, yte, classes


def build_model(model: str, dataset: str, sample_shape: tuple[int, ...], classes: int,
                hidden: Sequence[int]) -> Any:
    """A fresh float32 model of the named kind for samples of ``sample_shape``.

    >>> build_model("mlp", "moons", (2,), 2, [16, 16]).num_parameters()
    354
    """
    import layers

    features = int(np.prod(sample_shape))
    if model == "linear":
        net = layers.Sequential(layers.Flatten(), layers.Linear(features, classes))
    elif model == "mlp":
        net = layers.Sequential(layers.Flatten(), layers.MLP(features, [*hidden, classes]))
    elif len(sample_shape) != 3:
        raise UsageError(f"--model {model} is a CNN and needs images; --dataset {dataset} "
                         f"has points of shape {sample_shape} (use --model mlp or linear)")
    elif model == "lenet":
        net = (layers.lenet_digits(classes) if sample_shape[1:] == (8, 8)
               else layers.lenet5(sample_shape[0], classes))
    elif sample_shape != (3, 32, 32):
        raise UsageError(f"--model {model} expects 32×32 colour images (--dataset cifar10); "
                         f"--dataset {dataset} has images of shape {sample_shape}")
    elif model == "alexnet":
        net = layers.alexnet_small(classes)
    elif model == "vgg":
        net = layers.vgg_small(classes, batch_norm=True)  # plain VGG stalls at chance with SGD
    else:
        net = layers.resnet_small(classes)
    return net.float()


def train_model(net: Any, data: tuple, epochs: int, lr: float, optimizer: str,
                batch_size: int, seed: int, progress: bool) -> tuple[Any, float]:
    """Train ``net`` with cross-entropy; returns the ``History`` and the test accuracy.

    >>> data = load_dataset("moons", seed=0)
    >>> net = build_model("linear", "moons", (2,), 2, [])
    >>> _, acc = train_model(net, data, 3, 0.1, "sgd", 32, 0, progress=False)
    >>> 0.5 < acc <= 1.0
    True
    """
    import autograd
    import layers

    xtr, ytr, xte, yte, _ = data
    params = list(net.parameters())
    opt = (layers.Adam(params, lr=lr) if optimizer == "adam"
           else layers.SGD(params, lr=lr, momentum=0.9))
    loader = layers.DataLoader(xtr, ytr, batch_size=batch_size, shuffle=True, seed=seed)
    history = layers.fit(net, autograd.cross_entropy, opt, loader, epochs=epochs,
                         progress=progress)
    _, acc = layers.evaluate(net, layers.DataLoader(xte, yte, batch_size=256),
                             autograd.cross_entropy)
    return history, float(acc)


def _history_csv(history: Any, path: Path) -> None:
    rows = ["epoch,train_loss,train_acc,lr"]
    for e, (loss, acc, lr) in enumerate(zip(history.train_loss, history.train_acc, history.lr)):
        rows.append(f"{e + 1},{loss:.6f},{'' if acc is None else f'{acc:.6f}'},{lr:g}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def _batch_pictures(net: Any, x: np.ndarray, y: np.ndarray, title: str) -> tuple[Any, Any]:
    """The graph of one small batch's loss after backward (modules as clusters) and the
    per-parameter gradient-flow chart of that backward."""
    import autograd
    import viz

    net.zero_grad()
    loss = autograd.cross_entropy(net(x), y)
    loss.label = "loss"
    loss.backward()
    graph = viz.draw(loss, params=net, title=title)
    flow = viz.grad_flow(net).draw()
    net.zero_grad()
    return graph, flow

