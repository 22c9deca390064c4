"""Loss modules and the L2 penalty: ``loss = data loss + regularisation penalty``.

>>> import numpy as np
>>> scores = np.array([[3.2, 5.1, -1.7]])
>>> round(SVMLoss()(scores, [0]).item(), 2)          # the course's cat example
2.9
>>> round(CrossEntropyLoss()(np.zeros((2, 4)), [0, 3]).item(), 4)   # log(4)
1.3863
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

import autograd
from autograd import Value

from .module import Module, as_input, collect_parameters


class CrossEntropyLoss(Module):
    """Softmax classifier loss ``-log softmax(scores)[y]``, mean over the batch.

    ``forward(scores (N, C), targets (N,) integer classes)``.

    >>> import numpy as np
    >>> round(CrossEntropyLoss()(np.array([[0.0, 0.0]]), [1]).item(), 4)   # log 2
    0.6931
    """

    def forward(self, scores: Any, targets: Any) -> Value:
        return autograd.cross_entropy(as_input(scores), targets)


class SVMLoss(Module):
    """Multiclass hinge (SVM) loss ``sum_{j != y} max(0, s_j - s_y + delta)``, mean over the
    batch; ``delta`` is the margin the correct class must win by.

    >>> import numpy as np
    >>> SVMLoss(delta=1.0)(np.array([[1.3, 4.9, 2.0]]), [1]).item()   # the car: no loss
    0.0
    """

    def __init__(self, delta: float = 1.0) -> None:
        super().__init__()
        self.delta = float(delta)

    def forward(self, scores: Any, targets: Any) -> Value:
        return autograd.svm_loss(as_input(scores), targets, delta=self.delta)

    def extra_repr(self) -> str:
        return f"delta={self.delta}"


class MultiMarginLoss(Module):
    """PyTorch's ``MultiMarginLoss`` (p=1): the SVM loss with ``margin`` as delta, divided by
    the number of classes C (PyTorch's normalisation), mean over the batch.

    >>> import numpy as np
    >>> round(MultiMarginLoss()(np.array([[3.2, 5.1, -1.7]]), [0]).item(), 4)   # 2.9 / 3
    0.9667
    """

    def __init__(self, margin: float = 1.0) -> None:
        super().__init__()
        self.margin = float(margin)

    def forward(self, scores: Any, targets: Any) -> Value:
        scores = as_input(scores)
        if scores.ndim != 2:
            raise ValueError(f"MultiMarginLoss: expected scores (N, C), got shape {scores.shape}")
        return autograd.svm_loss(scores, targets, delta=self.margin) * (1.0 / scores.shape[1])

    def extra_repr(self) -> str:
        return f"margin={self.margin}"


class MSELoss(Module):
    """Mean squared error ``mean((prediction - target)^2)`` (shapes must match).

    >>> import numpy as np
    >>> MSELoss()(np.array([1.0, 3.0]), np.array([0.0, 1.0])).item()
    2.5
    """

    def forward(self, prediction: Any, target: Any) -> Value:
        prediction = as_input(prediction)
        target = as_input(target, prediction.dtype)
        if prediction.shape != target.shape:
            raise ValueError(
                f"MSELoss: prediction of shape {prediction.shape} and target of shape "
                f"{target.shape} differ"
            )
        diff = prediction - target
        return (diff * diff).mean()


def l2_penalty(source: Module | Iterable[Value], lam: float) -> Value:
    """``lam * sum of squared parameters`` — the L2 regularisation term (weight decay).

    ``source`` is a Module (all its parameters) or an iterable of Values (pass only the
    weights to leave biases unpenalised).

    >>> from layers import Linear
    >>> fc = Linear(2, 1)
    >>> _ = fc.weight.data.fill(1.0); _ = fc.bias.data.fill(0.0)
    >>> l2_penalty(fc, 0.5).item()
    1.0
    """
    params = collect_parameters(source)
    if not params:
        raise ValueError("l2_penalty: no parameters given")
    if not isinstance(lam, numbers.Real) or not math.isfinite(lam):
        raise ValueError(f"l2_penalty: lam must be a finite number, got {lam!r}")
    total: Value | None = None
    for p in params:
        square = p * p
        term = square if p.is_scalar else square.sum()
        total = term if total is None else total + term
    return total * float(lam)
