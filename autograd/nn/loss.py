"""Classification losses on a batch of scores, each one fused gate.

- ``cross_entropy``: softmax loss, ``-log p[y]`` averaged over the batch (local gate:
  d/dscores = (p - onehot(y)) / N);
- ``svm_loss``: multiclass hinge ``Σ_{j≠y} max(0, s_j - s_y + delta)`` averaged over the batch
  (max gate: only the margins that are violated route gradient).

>>> from autograd import Value
>>> scores = Value([[3.2, 5.1, -1.7]])
>>> round(svm_loss(scores, [0]).item(), 2)       # the course's cat example: 2.9 + 0
2.9
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from ..errors import GradgateError
from ..gate import LOCAL, MAX, Gate
from ..ops.arith import routed
from ..value import Value, apply, lift
from .softmax import log_softmax_data, softmax


def _check(op: str, scores: Value, targets: Any) -> np.ndarray:
    """Validate (N, C) scores and N integer class indices in [0, C)."""
    if scores.ndim != 2:
        raise GradgateError(
            f"{op}: scores must have shape (N, C) (a batch of class scores); got {scores.shape}")
    n, c = scores.shape
    t = np.asarray(targets.data if isinstance(targets, Value) else targets)
    if t.dtype.kind == "f" and np.all(t == np.round(t)):
        t = t.astype(np.int64)
    if t.dtype.kind not in "iu":
        raise GradgateError(f"{op}: targets must be integer class indices; got dtype {t.dtype}")
    if t.shape != (n,):
        raise GradgateError(
            f"{op}: expected {n} targets (one per row of scores {scores.shape}); got shape "
            f"{t.shape}")
    if n and (t.min() < 0 or t.max() >= c):
        raise GradgateError(
            f"{op}: targets must lie in [0, {c}) for {c} classes; got values from {t.min()} "
            f"to {t.max()}")
    return t.astype(np.intp)


class CrossEntropy(Gate):
    """Mean softmax cross-entropy — local gate: d/ds = (softmax(s) - onehot(y)) / N."""

    name, family = "cross_entropy", LOCAL

    def __init__(self, targets: np.ndarray):
        self._targets = targets

    def forward(self, scores: Any) -> tuple[Any, Any]:
        logp = log_softmax_data(scores, axis=1)
        rows = np.arange(len(self._targets))
        return -logp[rows, self._targets].mean(), logp

    def backward(self, up: Any, logp: Any) -> tuple[Any]:
        grad = np.exp(logp)
        grad[np.arange(len(self._targets)), self._targets] -= 1.0
        return (grad * (up / len(self._targets)),)

    def vjp(self, up: Any, node: Any) -> tuple[Any]:
        (scores,) = node.parents
        onehot = np.zeros(scores.shape, scores.dtype)
        onehot[np.arange(len(self._targets)), self._targets] = 1.0
        return ((softmax(scores, axis=1) - onehot) * (up / len(self._targets)),)


class SVMLoss(Gate):
    """Mean multiclass hinge loss — max gate: each violated margin routes +1 to its class
    score and -1 to the true class score (times upstream / N)."""

    name, family = "svm_loss", MAX

    def __init__(self, targets: np.ndarray, delta: float):
        self._targets = targets
        self.delta = delta

    def forward(self, scores: Any) -> tuple[Any, Any]:
        rows = np.arange(len(self._targets))
        true = scores[rows, self._targets][:, None]
        margins = np.maximum(0.0, (self.delta - true) + scores)  # PyTorch's order of sums
        margins[rows, self._targets] = 0.0
        return margins.sum(axis=1).mean(), margins > 0

    def backward(self, up: Any, violated: Any) -> tuple[Any]:
        grad = violated.astype(np.result_type(up, np.float32))
        grad[np.arange(len(self._targets)), self._targets] = -violated.sum(axis=1)
        return (grad * (up / len(self._targets)),)

    def vjp(self, up: Any, node: Any) -> tuple[Any]:
        return routed(self, up, node)


def cross_entropy(logits: Any, targets: Any) -> Value:
    """Softmax cross-entropy of (N, C) ``logits`` against N integer ``targets``, batch mean.

    >>> round(cross_entropy(Value([[0.0, 0.0]]), [1]).item(), 4)
    0.6931
    """
    logits = lift(logits)
    return apply(CrossEntropy(_check("cross_entropy", logits, targets)), logits)


def svm_loss(scores: Any, targets: Any, delta: float = 1.0) -> Value:
    """Multiclass SVM (hinge) loss with margin ``delta``, batch mean.

    >>> svm_loss(Value([[1.0, 0.5]]), [0], delta=1.0).item()
    0.5
    """
    scores = lift(scores)
    if not isinstance(delta, numbers.Real) or not math.isfinite(delta) or delta < 0:
        raise GradgateError(f"svm_loss: delta must be a finite number >= 0, got {delta!r}")
    return apply(SVMLoss(_check("svm_loss", scores, targets), float(delta)), scores)
