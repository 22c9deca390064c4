"""Mini-batches of NumPy arrays: a ``DataLoader`` and a train/test ``split``.

>>> import numpy as np
>>> x, y = np.arange(10.0).reshape(5, 2), np.arange(5)
>>> [yb.tolist() for _, yb in DataLoader(x, y, batch_size=2)]
[[0, 1], [2, 3], [4]]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = ["DataLoader", "split"]


def _pair(x: Any, y: Any, fn: str) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(f"{fn}: x and y need a leading sample axis, got shapes {x.shape} "
                         f"and {y.shape}")
    if len(x) != len(y):
        raise ValueError(f"{fn}: x has {len(x)} samples but y has {len(y)} "
                         f"(shapes {x.shape} and {y.shape})")
    return x, y


class DataLoader:
    """Iterate ``(xb, yb)`` mini-batches of two arrays that share their first axis.

    With ``shuffle`` the order is a fresh permutation every epoch (every ``iter``), drawn from
    a generator seeded by ``seed``: two loaders with the same seed give the same sequence of
    epochs. ``drop_last`` skips a final incomplete batch.

    >>> x, y = np.arange(6), np.arange(6)
    >>> loader = DataLoader(x, y, batch_size=4, shuffle=True, seed=0, drop_last=True)
    >>> len(loader), [xb.shape for xb, _ in loader]
    (1, [(4,)])
    """

    def __init__(self, x: Any, y: Any, batch_size: int, shuffle: bool = False,
                 seed: int | None = None, drop_last: bool = False) -> None:
        self.x, self.y = _pair(x, y, "DataLoader")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer) \
                or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self._rng = np.random.default_rng(seed)

    @property
    def generator(self) -> np.random.Generator:
        """The generator that draws the shuffling order (its state is saved in training
        checkpoints, so a resumed run shuffles as the uninterrupted one would).

        >>> DataLoader(np.arange(4), np.arange(4), 2, shuffle=True, seed=0).generator.random() < 1
        True
        """
        return self._rng

    @property
    def num_samples(self) -> int:
        """Number of samples in the data (batches may skip some with ``drop_last``)."""
        return len(self.x)

    def __len__(self) -> int:
        n, b = len(self.x), self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        n = len(self.x)
        order = self._rng.permutation(n) if self.shuffle else None
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            stop = min(start + self.batch_size, n)
            if order is None:
                yield self.x[start:stop], self.y[start:stop]
            else:
                idx = order[start:stop]
                yield self.x[idx], self.y[idx]

    def __repr__(self) -> str:
        return (f"DataLoader({len(self.x)} samples, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last})")


def split(x: Any, y: Any, fraction: float = 0.2, seed: int | None = None,
          shuffle: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hold out ``fraction`` of the samples: returns ``x_train, x_test, y_train, y_test``.

    Like scikit-learn's ``train_test_split``: the held-out size is ``ceil(fraction * n)``; the
    samples are shuffled with ``seed`` first unless ``shuffle=False`` (then the test part is
    the tail).

    >>> xtr, xte, ytr, yte = split(np.arange(10), np.arange(10), fraction=0.3, seed=0)
    >>> len(xtr), len(xte), sorted(xtr.tolist() + xte.tolist()) == list(range(10))
    (7, 3, True)
    """
    x, y = _pair(x, y, "split")
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"split: fraction must be in (0, 1), got {fraction!r}")
    n = len(x)
    n_test = int(np.ceil(fraction * n))
    if n_test >= n:
        raise ValueError(f"split: holding out {fraction} of {n} samples leaves none to train on")
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    train, test = order[: n - n_test], order[n - n_test:]
    return x[train], x[test], y[train], y[test]
