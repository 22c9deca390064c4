"""k-nearest-neighbour classifier with vectorised L1/L2 distances, and cross-validation of k.

Distances are computed a batch of query rows at a time so memory stays bounded: L2 with the
expanded square ``|a|² - 2 a·b + |b|²`` (one matrix product), L1 by broadcasting over chunks
small enough to keep the temporary under ``_L1_CHUNK_BYTES``.

>>> import numpy as np
>>> knn = KNearestNeighbor(k=1).fit(np.array([[0.0], [10.0]]), np.array([0, 1]))
>>> knn.predict(np.array([[1.0], [8.0]])).tolist()
[0, 1]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

__all__ = ["KNearestNeighbor", "cross_validate_k"]

_DISTANCES = ("l1", "l2")
_L1_CHUNK_BYTES = 32 * 2**20


def _flat(x: Any, fn: str) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim < 2:
        raise ValueError(f"{fn}: expected (N, features...) data, got shape {x.shape}")
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{fn}: expected numbers, got dtype {x.dtype}")
    return x.reshape(len(x), -1).astype(np.float64, copy=False)


def _check_k(k: Any, n_train: int, fn: str) -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"{fn}: k must be a positive int, got {k!r}")
    if k > n_train:
        raise ValueError(f"{fn}: k={k} exceeds the {n_train} training samples")
    return int(k)


def _pairwise(a: np.ndarray, b: np.ndarray, distance: str,
              b_sq: np.ndarray | None = None) -> np.ndarray:
    """Distance matrix ``(len(a), len(b))`` between flattened rows (L2 is not square-rooted)."""
    if distance == "l2":
        b_sq = (b * b).sum(axis=1) if b_sq is None else b_sq
        d = (a * a).sum(axis=1)[:, None] - 2.0 * (a @ b.T) + b_sq[None, :]
        return np.maximum(d, 0.0, out=d)
    rows = max(1, _L1_CHUNK_BYTES // (8 * b.size or 1))
    out = np.empty((len(a), len(b)))
    for start in range(0, len(a), rows):
        chunk = a[start:start + rows]
        out[start:start + rows] = np.abs(chunk[:, None, :] - b[None, :, :]).sum(axis=2)
    return out


def _vote(neighbour_labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Majority label of each row; ties go to the smallest label."""
    counts = np.zeros((len(neighbour_labels), n_classes), dtype=np.int64)
    rows = np.repeat(np.arange(len(neighbour_labels)), neighbour_labels.shape[1])
    np.add.at(counts, (rows, neighbour_labels.ravel()), 1)
    return counts.argmax(axis=1)


class KNearestNeighbor:
    """Classify a sample by a majority vote of its ``k`` nearest training samples.

    ``distance`` is ``"l2"`` (Euclidean) or ``"l1"`` (Manhattan); images and other
    multi-dimensional samples are flattened. Labels may be any values; ties in the vote go
    to the smallest label, ties in distance to the earlier training sample.

    >>> import numpy as np
    >>> x = np.array([[0.0, 0], [0, 1], [5, 5], [5, 6], [6, 5]])
    >>> knn = KNearestNeighbor(k=3, distance="l1").fit(x, np.array([0, 0, 1, 1, 1]))
    >>> knn.predict(np.array([[0.0, 0.5], [4.0, 4.0]])).tolist()
    [0, 1]
    """

    def __init__(self, k: int = 1, distance: str = "l2") -> None:
        if distance not in _DISTANCES:
            raise ValueError(f"KNearestNeighbor: distance must be 'l1' or 'l2', got {distance!r}")
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
            raise ValueError(f"KNearestNeighbor: k must be a positive int, got {k!r}")
        self.k = int(k)
        self.distance = distance
        self.x_train: np.ndarray | None = None

    def fit(self, x: Any, y: Any) -> KNearestNeighbor:
        """Remember the training data (k-NN's whole training); returns ``self``."""
        x_flat = _flat(x, "KNearestNeighbor.fit")
        y = np.asarray(y)
        if y.shape != (len(x_flat),):
            raise ValueError(f"KNearestNeighbor.fit: y must have shape ({len(x_flat)},) for x "
                             f"of shape {np.shape(x)}, got {y.shape}")
        if len(x_flat) == 0:
            raise ValueError("KNearestNeighbor.fit: got no training samples")
        self.x_train = x_flat
        self.classes_, self._y_index = np.unique(y, return_inverse=True)
        self._train_sq = (x_flat * x_flat).sum(axis=1)
        self._sample_shape = np.shape(x)[1:]
        return self

    def _queries(self, x: Any, fn: str) -> np.ndarray:
        if self.x_train is None:
            raise RuntimeError(f"KNearestNeighbor.{fn}: call fit(x_train, y_train) first")
        x_flat = _flat(x, f"KNearestNeighbor.{fn}")
        if x_flat.shape[1] != self.x_train.shape[1]:
            raise ValueError(f"KNearestNeighbor.{fn}: fitted on samples of shape "
                             f"{self._sample_shape}, got data of shape {np.shape(x)}")
        return x_flat

    def distances(self, x: Any, batch_size: int = 256) -> np.ndarray:
        """Distance matrix ``(len(x), n_train)`` from each query to each training sample.

        >>> knn = KNearestNeighbor().fit(np.zeros((2, 2)), np.array([0, 1]))
        >>> knn.distances(np.array([[3.0, 4.0]])).tolist()
        [[5.0, 5.0]]
        """
        x_flat = self._queries(x, "distances")
        out = np.empty((len(x_flat), len(self.x_train)))
        for start, block in self._blocks(x_flat, batch_size):
            out[start:start + len(block)] = block
        return np.sqrt(out) if self.distance == "l2" else out

    def _blocks(self, x_flat: np.ndarray, batch_size: int) -> Iterator[tuple[int, np.ndarray]]:
        """``(start row, distance block)`` per batch (squared distances for L2)."""
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"KNearestNeighbor: batch_size must be a positive int, "
                             f"got {batch_size!r}")
        for start in range(0, len(x_flat), batch_size):
            batch = x_flat[start:start + batch_size]
            yield start, _pairwise(batch, self.x_train, self.distance, self._train_sq)

    def _nearest(self, x: Any, k: Any, batch_size: int, fn: str) -> np.ndarray:
        x_flat = self._queries(x, fn)
        k = _check_k(k, len(self.x_train), f"KNearestNeighbor.{fn}")
        out = np.empty((len(x_flat), k), dtype=np.int64)
        for start, block in self._blocks(x_flat, batch_size):
            out[start:start + len(block)] = np.argsort(block, axis=1, kind="stable")[:, :k]
        return out

    def neighbours(self, x: Any, k: int, batch_size: int = 256) -> np.ndarray:
        """Indices ``(len(x), k)`` of the ``k`` nearest training samples, nearest first.

        >>> knn = KNearestNeighbor().fit(np.array([[0.0], [5.0], [1.0]]), np.arange(3))
        >>> knn.neighbours(np.array([[4.0]]), k=2).tolist()
        [[1, 2]]
        """
        return self._nearest(x, k, batch_size, "neighbours")

    def predict(self, x: Any, k: int | None = None, batch_size: int = 256) -> np.ndarray:
        """Predicted label of every query sample (``k`` overrides the constructor's).

        Distances are computed ``batch_size`` query rows at a time.
        """
        idx = self._nearest(x, self.k if k is None else k, batch_size, "predict")
        return self.classes_[_vote(self._y_index[idx], len(self.classes_))]

    def __repr__(self) -> str:
        fitted = f", fitted on {len(self.x_train)}" if self.x_train is not None else ""
        return f"KNearestNeighbor(k={self.k}, distance={self.distance!r}{fitted})"


def cross_validate_k(x: Any, y: Any, ks: Iterable[int], folds: int = 5,
                     distance: str = "l2", seed: int | None = None,
                     batch_size: int = 256) -> dict[int, list[float]]:
    """Accuracy of k-NN for every ``k`` on each of ``folds`` validation folds.

    The samples are shuffled with ``seed`` and split into ``folds`` nearly equal parts; each
    part in turn is validated against a classifier fitted on the others. Neighbours are found
    once per fold for the largest ``k`` and reused for the smaller ones.

    >>> rng = np.random.default_rng(0)
    >>> x = np.concatenate([rng.normal(0, 1, (20, 2)), rng.normal(8, 1, (20, 2))])
    >>> y = np.repeat([0, 1], 20)
    >>> cross_validate_k(x, y, ks=[1, 3], folds=4, seed=0)
    {1: [1.0, 1.0, 1.0, 1.0], 3: [1.0, 1.0, 1.0, 1.0]}
    """
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"cross_validate_k: x has {len(x)} samples but y has {len(y)}")
    if isinstance(folds, bool) or not isinstance(folds, int) or not 2 <= folds <= len(x):
        raise ValueError(f"cross_validate_k: folds must be an int in [2, {len(x)}], "
                         f"got {folds!r}")
    ks = [int(k) for k in ks]
    if not ks:
        raise ValueError("cross_validate_k: ks is empty")
    parts = np.array_split(np.random.default_rng(seed).permutation(len(x)), folds)
    results: dict[int, list[float]] = {k: [] for k in ks}
    for i, val in enumerate(parts):
        train = np.concatenate(parts[:i] + parts[i + 1:])
        knn = KNearestNeighbor(distance=distance).fit(x[train], y[train])
        for k in ks:
            _check_k(k, len(train), "cross_validate_k")
        idx = knn.neighbours(x[val], max(ks), batch_size)
        labels = knn._y_index[idx]
        for k in ks:
            pred = knn.classes_[_vote(labels[:, :k], len(knn.classes_))]
            results[k].append(float(np.mean(pred == y[val])))
    return results
