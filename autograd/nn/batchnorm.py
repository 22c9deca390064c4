"""Batch normalisation as one gate (PyTorch's ``torch.nn.functional.batch_norm``).

Per channel (axis 1): ``y = (x - mean) / sqrt(var + eps) * weight + bias``. In training the
mean and (biased) variance are the batch's own, so every output depends on every input of
its channel and the backward carries the two extra terms of that dependence; in evaluation
they are the running statistics and the gate is a per-channel affine map. Either way it is a
local gate: the upstream gradient times the op's own local derivative, computed in one pass
by :mod:`autograd.kernels.batchnorm` instead of a chain of a dozen element-wise nodes.

>>> import numpy as np
>>> from autograd import Value
>>> x = Value(np.array([[1.0, 10.0], [3.0, 30.0]]))
>>> batch_norm(x, None, None, training=True, eps=0.0).data.tolist()
[[-1.0, -1.0], [1.0, 1.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..differentiable import composite_vjp
from ..errors import GradgateError
from ..gate import LOCAL, Gate
from ..kernels import batchnorm as kernels
from ..value import Value, apply, lift


class BatchNorm(Gate):
    """Normalise each channel with fixed statistics ``mean`` and ``invstd`` (float64, one per
    channel), then scale and shift; ``training`` says the statistics came from this input."""

    name, family = "batch_norm", LOCAL
    formulas = ("w/σ·(1 - 1/M - x̂²/M) with batch statistics, else w/σ", "x̂", "1")

    def __init__(self, eps: float, training: bool, mean: np.ndarray, invstd: np.ndarray,
                 affine: tuple[bool, bool] = (False, False), needs_dx: bool = True):
        self.eps = eps
        self.training = training
        self._mean = mean
        self._invstd = invstd
        self._affine = affine  # (weight given, bias given): the inputs after x
        self._needs_dx = needs_dx

    def _split(self, affine: tuple[Any, ...]) -> tuple[Any, Any]:
        """(weight, bias) from the inputs after x; None for one not given."""
        rest = iter(affine)
        has_weight, has_bias = self._affine
        return (next(rest) if has_weight else None), (next(rest) if has_bias else None)

    def forward(self, x: Any, *affine: Any) -> tuple[Any, Any]:
        weight, bias = self._split(affine)
        out = kernels.batch_norm_forward(x, self._mean, self._invstd, weight, bias)
        return out, (x, weight)

    def backward(self, up: Any, saved: Any) -> tuple[Any, ...]:
        x, weight = saved
        dx, dweight, dbias = kernels.batch_norm_backward(
            np.asarray(up), x, self._mean, self._invstd, weight, self.training, self._needs_dx)
        has_weight, has_bias = self._affine
        return (dx,) + ((dweight,) if has_weight else ()) + ((dbias,) if has_bias else ())

    def vjp(self, up: Any, node: Any) -> tuple[Any, ...]:
        return composite_vjp(self.composite, up, node)

    def composite(self, x: Value, *affine: Value) -> Value:
        """The same normalisation written with ordinary ops, for the differentiable backward:
        in training the mean and variance are functions of ``x``, so they are recomputed."""
        axes = (0,) + tuple(range(2, x.ndim))
        channel = (1, -1) + (1,) * (x.ndim - 2)
        if self.training:
            mean = x.mean(axis=axes, keepdims=True)
            centred = x - mean
            var = (centred * centred).mean(axis=axes, keepdims=True)
            y = centred / (var + self.eps) ** 0.5
        else:
            y = (x - self._mean.reshape(channel)) * self._invstd.reshape(channel)
        weight, bias = self._split(affine)
        if weight is not None:
            y = y * weight.reshape(channel)
        return y if bias is None else y + bias.reshape(channel)


def _channel_vector(name: str, v: Any, channels: int, x_shape: tuple[int, ...]) -> None:
    """Raise unless ``v`` is None or has shape ``(channels,)``."""
    shape = None if v is None else np.shape(v.data if isinstance(v, Value) else v)
    if shape is not None and shape != (channels,):
        raise GradgateError(f"batch_norm: {name} must have shape ({channels},) for input of "
                            f"shape {x_shape} ({channels} channels); got {shape}")


def batch_norm(x: Any, running_mean: np.ndarray | None, running_var: np.ndarray | None,
               weight: Any = None, bias: Any = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Value:
    """Batch-normalise ``x`` (N, C, ...) per channel, like ``torch.nn.functional.batch_norm``.

    ``training=True`` uses the batch's mean and biased variance and, when running statistics
    are given, updates them in place: ``running = (1 - momentum)·running + momentum·batch``
    (the variance unbiased). ``training=False`` normalises with the running statistics.
    ``weight`` and ``bias`` (shape (C,)) are optional Values or arrays.

    >>> rm, rv = np.zeros(2), np.ones(2)
    >>> x = Value(np.array([[1.0, 10.0], [3.0, 30.0]]))
    >>> y = batch_norm(x, rm, rv, training=True, momentum=0.5)
    >>> rm.tolist(), rv.tolist()
    ([1.0, 10.0], [1.5, 100.5])
    """
    x = lift(x)
    if x.ndim < 2:
        raise GradgateError(f"batch_norm: input must have shape (N, C, ...); got {x.shape}")
    channels = x.shape[1]
    for name, v in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        _channel_vector(name, v, channels, x.shape)
    if training:
        count = x.size // channels
        if count < 2:
            raise GradgateError(f"batch_norm: training needs more than 1 value per channel; "
                                f"got input of shape {x.shape}")
        mean, var = kernels.batch_stats(x.data)
        if running_mean is not None:
            running_mean *= 1.0 - momentum
            running_mean += momentum * mean
        if running_var is not None:
            running_var *= 1.0 - momentum
            running_var += momentum * var * (count / (count - 1))
    else:
        if running_mean is None or running_var is None:
            raise GradgateError("batch_norm: evaluation (training=False) needs running_mean "
                                "and running_var")
        mean, var = np.asarray(running_mean, np.float64), np.asarray(running_var, np.float64)
    gate = BatchNorm(eps, training, mean, 1.0 / np.sqrt(var + eps),
                     (weight is not None, bias is not None), x.requires_grad)
    return apply(gate, x, *(lift(v) for v in (weight, bias) if v is not None))
