"""Batch normalisation with running statistics (PyTorch's BatchNorm1d / BatchNorm2d).

Training: normalise each channel with the batch mean and *biased* variance, and update the
running mean and *unbiased* variance with ``momentum``.  Evaluation: use the running ones.

>>> import numpy as np
>>> bn = BatchNorm1d(3)
>>> y = bn(np.random.default_rng(0).normal(5.0, 2.0, size=(64, 3)))
>>> bool(abs(y.numpy().mean()) < 1e-9)
True
>>> sorted(bn.state_dict())
['bias', 'num_batches_tracked', 'running_mean', 'running_var', 'weight']
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Value

from .module import Module, Parameter, as_input, float_dtype


class _BatchNorm(Module):
    """Shared code; subclasses set the accepted input ranks."""

    ranks: tuple[int, ...] = ()
    layout: str = ""
    pointwise = True

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if num_features <= 0:
            raise ValueError(f"{type(self).__name__}: num_features must be positive")
        if not eps > 0:
            raise ValueError(f"{type(self).__name__}: eps must be > 0, got {eps}")
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{type(self).__name__}: momentum must be in [0, 1] or None")
        dt = float_dtype(dtype)
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.weight = Parameter(np.ones(num_features), dtype=dt) if affine else None
        self.bias = Parameter(np.zeros(num_features), dtype=dt) if affine else None
        self.register_buffer("running_mean", np.zeros(num_features, dtype=dt))
        self.register_buffer("running_var", np.ones(num_features, dtype=dt))
        self.register_buffer("num_batches_tracked", np.zeros((), dtype=np.int64))

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches seen."""
        self.running_mean[...] = 0.0
        self.running_var[...] = 1.0
        self.num_batches_tracked[...] = 0

    def forward(self, x: Any) -> Value:
        dt = self.running_mean.dtype
        x = as_input(x, dt)
        name = f"{type(self).__name__}({self.num_features})"
        if x.ndim not in self.ranks or x.shape[1] != self.num_features:
            expected = self.layout.replace("C", str(self.num_features))
            raise ValueError(f"{name}: expected input of shape {expected}, got shape {x.shape}")
        if self.training:
            count = x.size // self.num_features
            if count < 2:
                raise ValueError(
                    f"{name}: training needs more than 1 value per channel, got input of shape "
                    f"{x.shape}"
                )
            self.num_batches_tracked += 1
        factor = self.momentum  # None: a cumulative moving average over the batches seen
        if factor is None:
            factor = 1.0 / float(self.num_batches_tracked) if self.training else 0.0
        return autograd.batch_norm(x, self.running_mean, self.running_var, self.weight,
                                   self.bias, self.training, factor, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch norm over ``(N, C)`` or ``(N, C, L)`` input, per feature/channel ``C``.

    >>> BatchNorm1d(4).num_parameters()
    8
    """

    ranks = (2, 3)
    layout = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch norm over ``(N, C, H, W)`` images, per channel.

    >>> import numpy as np
    >>> BatchNorm2d(8)(np.zeros((2, 8, 4, 4))).shape
    (2, 8, 4, 4)
    """

    ranks = (4,)
    layout = "(N, C, H, W)"
