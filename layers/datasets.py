"""Data sets of the course: CIFAR-10 (binary files), the 8×8 digits, two moons and spirals.

>>> x, y = make_spirals(n_per_class=50, n_classes=3, seed=0)
>>> x.shape, y.shape, sorted(set(y.tolist()))
((150, 2), (150,), [0, 1, 2])
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

__all__ = ["CIFAR10_CLASSES", "load_cifar10", "load_digits", "make_cifar10", "make_moons",
           "make_spirals"]

CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer",
                   "dog", "frog", "horse", "ship", "truck")

_CIFAR_RECORD = 1 + 3 * 32 * 32
_CIFAR_TRAIN = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
_CIFAR_TEST = "test_batch.bin"
_CIFAR_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"


def _read_cifar_batch(path: str) -> tuple[np.ndarray, np.ndarray]:
    """Images ``(N, 3, 32, 32)`` uint8 and labels of one binary CIFAR-10 batch file."""
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size == 0 or raw.size % _CIFAR_RECORD:
        raise ValueError(f"load_cifar10: {path!r} has {raw.size} bytes, not a whole number of "
                         f"{_CIFAR_RECORD}-byte records (1 label byte + 3072 pixel bytes)")
    records = raw.reshape(-1, _CIFAR_RECORD)
    labels = records[:, 0].astype(np.int64)
    if labels.max() >= len(CIFAR10_CLASSES):
        bad = int(np.argmax(labels >= len(CIFAR10_CLASSES)))
        raise ValueError(f"load_cifar10: {path!r} record {bad} has label {labels[bad]}, "
                         "expected 0..9 (is this the CIFAR-10 binary version?)")
    return records[:, 1:].reshape(-1, 3, 32, 32), labels


def load_cifar10(folder: str | os.PathLike, as_float: bool = False
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read the binary CIFAR-10 distribution: ``x_train, y_train, x_test, y_test``.

    ``folder`` holds ``data_batch_1.bin`` … ``data_batch_5.bin`` and ``test_batch.bin`` (or is
    the folder that contains the extracted ``cifar-10-batches-bin``). Images are ``(N, 3, 32,
    32)`` uint8, or float32 scaled to [0, 1] with ``as_float=True``; labels are int64 indices
    into ``CIFAR10_CLASSES``. Plain NumPy reads the files: no pickle.

    >>> load_cifar10("/nonexistent")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    FileNotFoundError: load_cifar10: missing '/nonexistent/data_batch_1.bin' ...
    """
    folder = os.fspath(folder)
    nested = os.path.join(folder, "cifar-10-batches-bin")
    if not os.path.exists(os.path.join(folder, _CIFAR_TRAIN[0])) and os.path.isdir(nested):
        folder = nested
    parts = {}
    for name in (*_CIFAR_TRAIN, _CIFAR_TEST):
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"load_cifar10: missing {path!r}; download and extract the "
                                    f"binary version from {_CIFAR_URL}")
        parts[name] = _read_cifar_batch(path)
    x_train = np.concatenate([parts[name][0] for name in _CIFAR_TRAIN])
    y_train = np.concatenate([parts[name][1] for name in _CIFAR_TRAIN])
    x_test, y_test = parts[_CIFAR_TEST]
    if as_float:
        x_train = x_train.astype(np.float32) / np.float32(255)
        x_test = x_test.astype(np.float32) / np.float32(255)
    return x_train, y_train, x_test, y_test


def make_cifar10(folder: str | os.PathLike, n_train: int = 50_000, n_test: int = 10_000,
                 seed: int | None = 0) -> str:
    """Write a synthetic data set in the binary CIFAR-10 format; returns the folder it fills.

    For trying the CIFAR-10 chapter where the real files cannot be downloaded: the same five
    ``data_batch_*.bin`` files and ``test_batch.bin`` of 3073-byte records (label byte, then
    1024 red, 1024 green, 1024 blue pixel bytes), read back by :func:`load_cifar10`. Each
    class is a colour grating with its own orientation, frequency and tint, at a random
    phase, brightness and position, under pixel noise: learnable, but not by a linear model
    alone. ``folder/cifar-10-batches-bin`` is created; ``n_train`` is split over five files.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     x, y, xt, yt = load_cifar10(make_cifar10(d, n_train=10, n_test=4))
    >>> x.shape, x.dtype, xt.shape, bool(y.max() <= 9)
    ((10, 3, 32, 32), dtype('uint8'), (4, 3, 32, 32), True)
    """
    n_train = _check_count("n_train", n_train, "make_cifar10", minimum=5)
    n_test = _check_count("n_test", n_test, "make_cifar10", minimum=1)
    out = os.path.join(os.fspath(folder), "cifar-10-batches-bin")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(seed)
    sizes = [n_train // 5 + (i < n_train % 5) for i in range(5)] + [n_test]
    for name, size in zip((*_CIFAR_TRAIN, _CIFAR_TEST), sizes):
        labels = rng.integers(0, len(CIFAR10_CLASSES), size)
        records = np.empty((size, _CIFAR_RECORD), np.uint8)
        records[:, 0] = labels
        for start in range(0, size, 1000):  # bounded memory for the 10,000-image files
            chunk = labels[start:start + 1000]
            records[start:start + len(chunk), 1:] = _class_images(chunk, rng).reshape(
                len(chunk), -1)
        records.tofile(os.path.join(out, name))
    return out


def _class_images(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """uint8 images (N, 3, 32, 32): a tinted grating per class (see :func:`make_cifar10`)."""
    n = len(labels)
    k = labels.astype(np.float64)
    angle = k * np.pi / len(CIFAR10_CLASSES) + rng.normal(0.0, 0.08, n)
    freq = 0.25 + 0.05 * (labels % 4) + rng.normal(0.0, 0.01, n)
    tint = np.stack([np.cos(k), np.cos(k + 2.1), np.cos(k + 4.2)], axis=1)  # (N, 3)
    yy, xx = np.mgrid[0:32, 0:32].astype(np.float64)
    shift = rng.integers(-4, 5, size=(n, 2))
    along = ((xx[None] - shift[:, :1, None]) * np.cos(angle)[:, None, None]
             + (yy[None] - shift[:, 1:, None]) * np.sin(angle)[:, None, None])
    wave = np.sin(freq[:, None, None] * along + rng.uniform(0, 2 * np.pi, (n, 1, 1)))
    bright = rng.uniform(100.0, 156.0, (n, 1, 1, 1))
    img = bright + 60.0 * wave[:, None] * tint[:, :, None, None]
    img += rng.normal(0.0, 20.0, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def load_digits(dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 handwritten 8×8 digits: images ``(N, 1, 8, 8)`` in [0, 1], labels.

    Needs the optional extra: ``pip install gradgate[digits]`` (scikit-learn).

    >>> x, y = load_digits()
    >>> x.shape, float(x.max()), y[:5].tolist()
    ((1797, 1, 8, 8), 1.0, [0, 1, 2, 3, 4])
    """
    try:
        from sklearn import datasets
    except ImportError as err:
        raise ImportError("load_digits needs scikit-learn: pip install gradgate[digits]") from err
    digits = datasets.load_digits()
    images = (digits.images / 16.0).astype(dtype)[:, None, :, :]
    return images, digits.target.astype(np.int64)


def _check_count(name: str, value: Any, fn: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{fn}: {name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def make_moons(n: int = 100, noise: float = 0.1, seed: int | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles in 2-D: points ``(n, 2)`` and labels 0/1, shuffled.

    The upper moon (label 0) is the unit half circle, the lower (label 1) the same shifted by
    (1, -0.5) and flipped; Gaussian noise of std ``noise`` is added to every coordinate.

    >>> x, y = make_moons(100, noise=0.0, seed=0)
    >>> x.shape, int(y.sum())
    ((100, 2), 50)
    """
    n = _check_count("n", n, "make_moons", minimum=2)
    if noise < 0:
        raise ValueError(f"make_moons: noise must be >= 0, got {noise}")
    rng = np.random.default_rng(seed)
    n_upper = n // 2
    n_lower = n - n_upper
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n_lower)
    upper = np.stack([np.cos(t_upper), np.sin(t_upper)], axis=1)
    lower = np.stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)], axis=1)
    x = np.concatenate([upper, lower]) + rng.normal(0.0, noise, size=(n, 2))
    y = np.concatenate([np.zeros(n_upper, np.int64), np.ones(n_lower, np.int64)])
    order = rng.permutation(n)
    return x[order], y[order]


def make_spirals(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2,
                 seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The course's spiral data: ``n_classes`` arms of ``n_per_class`` points each.

    Arm ``j`` has radius ``r`` from 0 to 1 and angle ``4j + 4r`` plus Gaussian noise of std
    ``noise`` (radians); points are ``r * (sin t, cos t)``. Samples come ordered by class.

    >>> x, y = make_spirals(10, 2, seed=1)
    >>> x.shape, y.tolist()[:11]
    ((20, 2), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    """
    n_per_class = _check_count("n_per_class", n_per_class, "make_spirals")
    n_classes = _check_count("n_classes", n_classes, "make_spirals")
    if noise < 0:
        raise ValueError(f"make_spirals: noise must be >= 0, got {noise}")
    rng = np.random.default_rng(seed)
    radius = np.linspace(0.0, 1.0, n_per_class)
    xs, ys = [], []
    for j in range(n_classes):
        theta = np.linspace(4.0 * j, 4.0 * (j + 1), n_per_class)
        theta = theta + rng.normal(0.0, noise, size=n_per_class)
        xs.append(np.stack([radius * np.sin(theta), radius * np.cos(theta)], axis=1))
        ys.append(np.full(n_per_class, j, dtype=np.int64))
    return np.concatenate(xs), np.concatenate(ys)
