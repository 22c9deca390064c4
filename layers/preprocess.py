"""Zero-centring and normalisation with statistics taken from the training set only.

>>> import numpy as np
>>> x_train, x_test = np.array([[0.0, 10.0], [2.0, 30.0]]), np.array([[1.0, 20.0]])
>>> scaler = Standardizer().fit(x_train)
>>> scaler.transform(x_test).tolist()     # the training mean (1, 20) maps to 0
[[0.0, 0.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Standardizer"]


class Standardizer:
    """``(x - mean) / std`` with ``mean`` and ``std`` computed by ``fit`` on training data.

    - default: one mean and std per feature (``x.shape[1:]``; for images the "mean image");
    - ``center_only=True``: subtract the mean, do not divide (the course's zero-centring);
    - ``per_channel=True``: one mean/std per channel of ``(N, C, ...)`` data, e.g. images
      ``(N, C, H, W)``, so any image size is accepted afterwards.

    Features whose std is below ``eps`` are divided by 1 instead (no inf/NaN). Float32 input
    stays float32; anything else becomes float64.

    >>> images = np.arange(16.0).reshape(2, 2, 2, 2)
    >>> s = Standardizer(per_channel=True).fit(images)
    >>> s.mean_.tolist(), s.mean_.shape
    ([5.5, 9.5], (2,))
    """

    def __init__(self, center_only: bool = False, per_channel: bool = False,
                 eps: float = 1e-8) -> None:
        self.center_only = center_only
        self.per_channel = per_channel
        self.eps = eps
        self.mean_: np.ndarray | None = None
        self.std_: np.ndarray | None = None
        self._feature_shape: tuple[int, ...] | None = None

    def _check_input(self, x: Any, fn: str) -> np.ndarray:
        x = np.asarray(x)
        if x.dtype.kind not in "biuf":
            raise TypeError(f"Standardizer.{fn}: expected numbers, got dtype {x.dtype}")
        if x.ndim < 2:
            raise ValueError(f"Standardizer.{fn}: expected (N, features...) data with at least "
                             f"2 dimensions, got shape {x.shape}")
        return x

    def _axes(self, x: np.ndarray) -> tuple[int, ...]:
        return (0, *range(2, x.ndim)) if self.per_channel else (0,)

    def _expand(self, stat: np.ndarray, ndim: int) -> np.ndarray:
        """Reshape a per-channel statistic to broadcast over ``(N, C, ...)``."""
        return stat.reshape((1, -1) + (1,) * (ndim - 2)) if self.per_channel else stat

    def fit(self, x: Any) -> Standardizer:
        """Compute the statistics from training data ``x``; returns ``self``."""
        x = self._check_input(x, "fit")
        if len(x) == 0:
            raise ValueError(f"Standardizer.fit: got no samples (shape {x.shape})")
        axes = self._axes(x)
        data = x.astype(np.float64, copy=False)
        self.mean_ = data.mean(axis=axes)
        std = data.std(axis=axes)
        self.std_ = np.where(std < self.eps, 1.0, std)
        self._feature_shape = x.shape[1:2] if self.per_channel else x.shape[1:]
        return self

    def _prepared(self, x: Any, fn: str) -> np.ndarray:
        if self.mean_ is None:
            raise RuntimeError(f"Standardizer.{fn}: not fitted yet; call fit(x_train) first")
        x = self._check_input(x, fn)
        got = x.shape[1:2] if self.per_channel else x.shape[1:]
        if got != self._feature_shape:
            what = "channels" if self.per_channel else "feature shape"
            raise ValueError(f"Standardizer.{fn}: fitted on {what} {self._feature_shape}, "
                             f"got data of shape {x.shape}")
        return x

    def _out_dtype(self, x: np.ndarray) -> np.dtype:
        return x.dtype if x.dtype == np.float32 else np.dtype(np.float64)

    def transform(self, x: Any) -> np.ndarray:
        """Apply the training statistics to ``x`` (train, validation or test data).

        >>> s = Standardizer(center_only=True).fit(np.array([[1.0], [3.0]]))
        >>> s.transform(np.array([[4.0]])).tolist()
        [[2.0]]
        """
        x = self._prepared(x, "transform")
        out = x - self._expand(self.mean_, x.ndim)
        if not self.center_only:
            out = out / self._expand(self.std_, x.ndim)
        return out.astype(self._out_dtype(x), copy=False)

    def fit_transform(self, x: Any) -> np.ndarray:
        """``fit(x)`` then ``transform(x)``.

        >>> Standardizer().fit_transform(np.array([[1.0], [3.0]])).tolist()
        [[-1.0], [1.0]]
        """
        return self.fit(x).transform(x)

    def inverse_transform(self, x: Any) -> np.ndarray:
        """Undo ``transform``.

        >>> s = Standardizer().fit(np.array([[1.0], [3.0]]))
        >>> s.inverse_transform(s.transform(np.array([[7.0]]))).tolist()
        [[7.0]]
        """
        x = self._prepared(x, "inverse_transform")
        out = x.astype(np.float64, copy=False)
        if not self.center_only:
            out = out * self._expand(self.std_, x.ndim)
        out = out + self._expand(self.mean_, x.ndim)
        return out.astype(self._out_dtype(x), copy=False)

    def __repr__(self) -> str:
        state = "fitted" if self.mean_ is not None else "not fitted"
        return (f"Standardizer(center_only={self.center_only}, per_channel={self.per_channel}, "
                f"{state})")
