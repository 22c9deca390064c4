"""Finite-difference gradient checking in float64.

>>> from autograd import Value
>>> gradcheck(lambda a, b: (a * b).tanh(), [Value([0.5, -1.0]), Value([2.0, 0.3])])
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .grad_mode import no_grad
from .value import Value


def _float64_copy(v: Any) -> Value:
    if not isinstance(v, Value):
        return Value(np.asarray(v, np.float64))
    data = v.data if v.is_scalar else np.array(v.data, dtype=np.float64)
    return Value(data, label=v.label, requires_grad=v.requires_grad)


def _projected(fn: Callable[..., Value], xs: list[Value], weights: Any) -> float:
    with no_grad():
        out = fn(*xs)
    return float(np.sum(np.asarray(out.data) * weights))


def gradcheck(fn: Callable[..., Value], inputs: Value | Sequence[Any], eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3, seed: int = 0) -> bool:
    """Compare the analytic gradients of ``fn(*inputs)`` with central differences.

    Inputs are copied to float64; a non-scalar output is reduced with fixed random weights
    (``seed``) so every output element is checked, and the values reported are then those
    of the weighted sum.  Only inputs that require grad are checked.
    Returns True or raises ``AssertionError`` naming the input, the index and both values.

    >>> gradcheck(lambda x: x * x, [Value(3.0)])
    True
    """
    if not all(np.isfinite(t) and t >= 0 for t in (eps, atol, rtol)) or eps == 0:
        raise ValueError(f"gradcheck: eps must be > 0 and atol, rtol >= 0 (all finite); got "
                         f"eps={eps!r}, atol={atol!r}, rtol={rtol!r}")
    if isinstance(inputs, Value):
        inputs = [inputs]
    xs = [_float64_copy(v) for v in inputs]
    out = fn(*xs)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: fn must return a Value, got {type(out).__name__}")
    # A one-element output is checked as it is; a larger one through fixed random weights.
    if out.size == 1:
        weights: Any = np.ones(out.shape)
    else:
        weights = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(1.0 if out.is_scalar else weights)
    for i, x in enumerate(xs):
        if not x.requires_grad:
            continue
        analytic = np.asarray(x.grad, dtype=np.float64)
        base = np.array(x.data, dtype=np.float64)
        for index in np.ndindex(base.shape):
            shifted = base.copy()
            shifted[index] = base[index] + eps
            x.data = float(shifted) if x.is_scalar else shifted
            f_plus = _projected(fn, xs, weights)
            shifted[index] = base[index] - eps
            x.data = float(shifted) if x.is_scalar else shifted
            f_minus = _projected(fn, xs, weights)
            x.data = float(base) if x.is_scalar else base
            numeric = (f_plus - f_minus) / (2 * eps)
            a = float(analytic[index])
            if not abs(a - numeric) <= atol + rtol * abs(numeric):
                name = f"input {i}" + (f" ({x.label!r})" if x.label else "")
                where = f"index {index}" if index else "its value"
                raise AssertionError(
                    f"gradcheck: {name} of shape {x.shape}, at {where}: analytic gradient "
                    f"{a:.8g} but numerical {numeric:.8g} (atol={atol}, rtol={rtol})")
    return True
