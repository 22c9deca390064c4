"""Extreme inputs through every unary op and every loss: ±30, ±700, denormals, zeros of both
signs, NaN and ±inf.  The value and the gradient must match PyTorch's (NaN matching NaN), or
a NonFiniteWarning or a GradgateError must name the op; nothing else may escape.  Where
PyTorch's hinge kernel drops a NaN score (``if z > 0``), gradgate's NaN result is accepted:
the NaN input was flagged and is not hidden.

The scalar engine (Python floats through :mod:`math`) and the tensor engine (NumPy) are both
run for the element-wise ops.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from parity import Torch

import autograd
import layers
from autograd import GradgateError, NonFiniteWarning, Value

torch = pytest.importorskip("torch")
F = torch.nn.functional

EXTREMES = [30.0, -30.0, 700.0, -700.0, 5e-324, -5e-324, 2.2e-310, 0.0, -0.0, float("nan"),
            float("inf"), float("-inf")]

# name: (what a message must name, ours, PyTorch's, the ops' input built from x)
ELEMENTWISE: dict[str, tuple[str, Callable, Callable]] = {
    "neg": ("neg", lambda x: -x, lambda t: -t),
    "exp": ("exp", lambda x: x.exp(), torch.exp),
    "log": ("log", lambda x: x.log(), torch.log),
    "tanh": ("tanh", lambda x: x.tanh(), torch.tanh),
    "sigmoid": ("sigmoid", lambda x: x.sigmoid(), torch.sigmoid),
    "relu": ("relu", lambda x: x.relu(), torch.relu),
    "square": ("pow", lambda x: x**2, lambda t: t**2),
    "cube": ("pow", lambda x: x**3.0, lambda t: t**3.0),
    "sqrt": ("pow", lambda x: x**0.5, lambda t: t**0.5),
    "reciprocal": ("pow", lambda x: x**-1, lambda t: t**-1),
    "exp2": ("pow", lambda x: 2.0**x, lambda t: 2.0**t),
}

ROW = np.array([0.0, 1.0])  # the extreme joins these: a batch of one row of three scores


def _scores(x: float) -> np.ndarray:
    return np.concatenate([[x], ROW])[None, :]


VECTOR: dict[str, tuple[tuple[str, ...], Callable, Callable]] = {
    "sum": (("sum",), lambda v: v.sum(), torch.sum),
    "mean": (("mean",), lambda v: v.mean(), torch.mean),
    "max": (("max",), lambda v: v.max(), torch.max),
    "softmax": (("softmax",), autograd.softmax, lambda t: torch.softmax(t, -1)),
    "log_softmax": (("log_softmax",), autograd.log_softmax,
                    lambda t: torch.log_softmax(t, -1)),
    "cross_entropy": (("cross_entropy",), lambda v: autograd.cross_entropy(v, [0]),
                      lambda t: F.cross_entropy(t, torch.tensor([0]))),
    "cross_entropy_other": (("cross_entropy",), lambda v: autograd.cross_entropy(v, [2]),
                            lambda t: F.cross_entropy(t, torch.tensor([2]))),
    "svm_loss": (("svm_loss",), lambda v: autograd.svm_loss(v, [2]),
                 lambda t: Torch.svm_loss(t, [2])),
    "svm_loss_other": (("svm_loss",), lambda v: autograd.svm_loss(v, [0], delta=0.5),
                       lambda t: Torch.svm_loss(t, [0], delta=0.5)),
    "CrossEntropyLoss": (("cross_entropy",), lambda v: layers.CrossEntropyLoss()(v, [1]),
                         lambda t: F.cross_entropy(t, torch.tensor([1]))),
    "MultiMarginLoss": (("svm_loss", "mul"), lambda v: layers.MultiMarginLoss()(v, [1]),
                        lambda t: F.multi_margin_loss(t, torch.tensor([1]))),
    "MSELoss": (("sub", "mul", "mean"), lambda v: layers.MSELoss()(v, np.ones((1, 3))),
                lambda t: F.mse_loss(t, torch.ones(1, 3))),
}


def ours(fn: Callable, data: Any) -> tuple[Any, Any, list[str], str | None]:
    """Value, gradient (upstream all ones), the messages of NonFiniteWarnings and of a
    GradgateError, run with gradgate."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x = Value(data)
        error = None
        try:
            y = fn(x)
            y.backward(None if y.is_scalar else np.ones(y.shape))
        except GradgateError as err:
            error = str(err)
    said = [str(w.message) for w in caught if issubclass(w.category, NonFiniteWarning)]
    if error is not None:
        return None, None, said, error
    return np.asarray(y.data), np.asarray(x.grad), said, None


def theirs(fn: Callable, data: Any) -> tuple[np.ndarray, np.ndarray]:
    t = torch.tensor(np.asarray(data, np.float64), requires_grad=True)
    y = fn(t)
    y.backward(torch.ones_like(y))
    return y.detach().numpy(), t.grad.numpy()


def same(a: Any, b: Any) -> bool:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-12, atol=0.0, equal_nan=True))


def names(message: str, op: str) -> bool:
    return re.search(rf"\b{re.escape(op)}\b", message) is not None


def check(ops: tuple[str, ...], mine: Callable, ref: Callable, data: Any) -> None:
    value, grad, said, error = ours(mine, data)
    want_value, want_grad = theirs(ref, data)
    if error is None and same(value, want_value) and same(grad, want_grad):
        return
    if error is None and np.isnan(data).any() and np.isnan(value).all() and said:
        return  # a flagged NaN input that PyTorch's kernel drops (a hinge's `if z > 0`): kept
    messages = said + ([error] if error else [])
    assert any(names(m, op) for m in messages for op in ops), (
        f"differs from PyTorch (value {value} vs {want_value}, gradient {grad} vs "
        f"{want_grad}) and no message names {ops}: {messages}")


@pytest.mark.parametrize("x", EXTREMES, ids=repr)
@pytest.mark.parametrize("name", list(ELEMENTWISE))
@pytest.mark.parametrize("kind", ["scalar", "tensor"])
def test_elementwise_ops_at_extremes(kind: str, name: str, x: float):
    op, mine, ref = ELEMENTWISE[name]
    check((op,), mine, ref, x if kind == "scalar" else np.array([x, 0.5]))


@pytest.mark.parametrize("x", EXTREMES, ids=repr)
@pytest.mark.parametrize("name", list(VECTOR))
def test_reductions_softmax_and_losses_at_extremes(name: str, x: float):
    ops, mine, ref = VECTOR[name]
    check(ops, mine, ref, _scores(x)[0] if name in ("sum", "mean", "max") else _scores(x))


def test_the_check_fails_on_a_silent_difference():
    with pytest.raises(AssertionError, match="no message names"):
        check(("exp",), lambda v: v * 0.0, torch.exp, np.array([1.0]))
