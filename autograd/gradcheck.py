"""Finite-difference gradient checking in float64: first derivatives (:func:`gradcheck`)
and second derivatives through a recorded backward (:func:`gradgradcheck`).

>>> from autograd import Value
>>> gradcheck(lambda a, b: (a * b).tanh(), [Value([0.5, -1.0]), Value([2.0, 0.3])])
True
>>> gradgradcheck(lambda a, b: (a * b).tanh(), [Value([0.5, -1.0]), Value([2.0, 0.3])])
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .differentiable import grad
from .grad_mode import enable_grad, no_grad
from .value import Value


def _float64_copy(v: Any) -> Value:
    if not isinstance(v, Value):
        return Value(np.asarray(v, np.float64))
    data = v.data if v.is_scalar else np.array(v.data, dtype=np.float64)
    return Value(data, label=v.label, requires_grad=v.requires_grad)


def _check_tolerances(op: str, eps: float, atol: float, rtol: float) -> None:
    if not all(np.isfinite(t) and t >= 0 for t in (eps, atol, rtol)) or eps == 0:
        raise ValueError(f"{op}: eps must be > 0 and atol, rtol >= 0 (all finite); got "
                         f"eps={eps!r}, atol={atol!r}, rtol={rtol!r}")


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
    _check_tolerances("gradcheck", eps, atol, rtol)
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


def gradgradcheck(fn: Callable[..., Value], inputs: Value | Sequence[Any],
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  seed: int = 0) -> bool:
    """Check second derivatives of ``fn(*inputs)`` against central differences of its first
    derivatives (PyTorch's ``gradgradcheck``).

    First :func:`gradcheck` checks the first derivatives, and the recorded backward
    (:func:`autograd.grad` with ``create_graph=True``) must give the same numbers as the
    plain one.  Then the first derivatives, for fixed random ``grad_outputs`` (``seed``,
    checked as inputs too: the backward is linear in them) and summed with fixed random
    weights, go through :func:`gradcheck` themselves: the recorded backward's own gradients
    against finite differences.  Returns True or raises ``AssertionError``.

    >>> gradgradcheck(lambda x: x * x * x, [Value(2.0)])
    True
    """
    _check_tolerances("gradgradcheck", eps, atol, rtol)
    if isinstance(inputs, Value):
        inputs = [inputs]
    gradcheck(fn, inputs, eps=eps, atol=atol, rtol=rtol, seed=seed)
    xs = [_float64_copy(v) for v in inputs]
    out = fn(*xs)
    rng = np.random.default_rng(seed)
    v = Value(rng.standard_normal(out.shape) if out.shape else float(rng.standard_normal()),
              label="grad_output")
    wanted = [x for x in xs if x.requires_grad]
    recorded = grad(out, wanted, v, create_graph=True, allow_unused=True)
    plain = grad(out, wanted, v.detach(), retain_graph=True, allow_unused=True)
    for i, (r, p) in enumerate(zip(recorded, plain)):
        if not np.allclose(r.data, p.data, rtol=1e-7, atol=1e-12):
            raise AssertionError(
                f"gradgradcheck: the recorded backward (create_graph=True) gives another "
                f"gradient for input {i} than the plain one: {r.data!r} vs {p.data!r}")

    def first_derivatives(*args: Value) -> Value:
        *ins, up = args
        with enable_grad():
            wanted = [x for x in ins if x.requires_grad]
            grads = grad(fn(*ins), wanted, up, create_graph=True, allow_unused=True)
            total: Any = 0.0
            for g in grads:
                weights = rng_weights.get(g.shape)
                total = total + (g * weights).sum()
            return total

    rng_weights: dict[tuple[int, ...], Any] = {}
    for x in xs:
        if x.requires_grad and x.shape not in rng_weights:
            rng_weights[x.shape] = rng.standard_normal(x.shape) if x.shape else 1.0
    return gradcheck(first_derivatives, [*xs, v], eps=eps, atol=atol, rtol=rtol, seed=seed)
