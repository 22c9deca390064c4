"""Batch normalisation on plain arrays: statistics, forward and backward, each one pass.

Arrays are (N, C, ...) with channels on axis 1; per-channel statistics and coefficients are
float64 whatever the data's dtype, and outputs keep the data's dtype. The arithmetic runs in
the Numba kernels of :mod:`._batchnorm_numba`, imported on the first call.

>>> import numpy as np
>>> x = np.array([[1.0, 10.0], [3.0, 30.0]])
>>> mean, var = batch_stats(x)
>>> mean.tolist(), var.tolist()
([2.0, 20.0], [1.0, 100.0])
>>> batch_norm_forward(x, mean, 1.0 / np.sqrt(var), None, None).tolist()
[[-1.0, -1.0], [1.0, 1.0]]
"""

from __future__ import annotations

import numpy as np

from ._checks import kernel_array


def _as3d(a: np.ndarray) -> np.ndarray:
    """``a`` (N, C, ...) as a C-contiguous (N, C, L) array of its own float dtype."""
    return kernel_array(a, a.dtype).reshape(a.shape[0], a.shape[1], -1)


def batch_stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and biased variance of x (N, C, ...), in float64.

    >>> batch_stats(np.arange(8.0).reshape(2, 2, 2))[0].tolist()
    [2.5, 4.5]
    """
    from ._batchnorm_numba import batch_stats as kernel
    from ._threads import launch

    x3 = _as3d(x)
    mean, var = np.empty(x.shape[1]), np.empty(x.shape[1])
    launch(kernel, 2 * x.size, x3, mean, var)
    return mean, var


def batch_norm_forward(x: np.ndarray, mean: np.ndarray, invstd: np.ndarray,
                       weight: np.ndarray | None, bias: np.ndarray | None) -> np.ndarray:
    """``(x - mean) * invstd * weight + bias`` per channel, in x's dtype.

    >>> batch_norm_forward(np.ones((1, 2)), np.zeros(2), np.ones(2), np.array([2.0, 3.0]),
    ...                    np.array([0.5, 0.0])).tolist()
    [[2.5, 3.0]]
    """
    from ._batchnorm_numba import normalize
    from ._threads import launch

    scale = invstd if weight is None else invstd * weight
    shift = np.zeros_like(scale) if bias is None else bias.astype(np.float64)
    x3 = _as3d(x)
    out = np.empty(x3.shape, x.dtype)
    dt = x.dtype  # per-element arithmetic in the data's width: float32 vectorises 2x wider
    launch(normalize, x.size, x3, mean.astype(dt), scale.astype(dt), shift.astype(dt), out)
    return out.reshape(x.shape)


def batch_norm_backward(up: np.ndarray, x: np.ndarray, mean: np.ndarray, invstd: np.ndarray,
                        weight: np.ndarray | None, training: bool, need_dx: bool = True,
                        ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """``(dx, dweight, dbias)`` of :func:`batch_norm_forward` for upstream ``up``.

    With ``training`` the statistics were the batch's own, so they depend on x too:
    ``dx = w·invstd·(up - mean(up) - x̂·mean(up·x̂))`` with ``x̂ = (x - mean)·invstd``;
    otherwise ``dx = w·invstd·up``. dweight and dbias are float64 (one entry per channel).

    >>> up = np.array([[1.0], [3.0]]); x = np.array([[0.0], [2.0]])
    >>> dx, dw, db = batch_norm_backward(up, x, np.array([1.0]), np.array([1.0]), None, True)
    >>> dx.ravel().tolist(), dw.tolist(), db.tolist()
    ([0.0, 0.0], [2.0], [4.0])
    """
    from ._batchnorm_numba import grad_sums, input_grad
    from ._threads import launch

    x3 = _as3d(x)
    up3 = kernel_array(up, x.dtype).reshape(x3.shape)
    c = x3.shape[1]
    sum_up, sum_up_xc = np.empty(c), np.empty(c)
    launch(grad_sums, 2 * x.size, up3, x3, mean, sum_up, sum_up_xc)
    dweight, dbias = sum_up_xc * invstd, sum_up
    if not need_dx:
        return None, dweight, dbias
    a = invstd if weight is None else invstd * weight
    if training:
        count = x.size // c
        b, k = a * sum_up / count, a * invstd * invstd * sum_up_xc / count
    else:
        b = k = np.zeros(c)
    dx = np.empty(x3.shape, x.dtype)
    dt = x.dtype
    launch(input_grad, x.size, up3, x3, *(v.astype(dt) for v in (mean, a, b, k)), dx)
    return dx.reshape(x.shape), dweight, dbias
