"""Parity with ``torch.autograd.grad(..., create_graph=True)`` (float64): the same expression
gives the same first and second derivatives for every op, and the same third derivatives for
the scalar unary ops.  Skips cleanly when torch is not installed.

Second derivatives are compared as the gradient of ``Σ_i <∂f/∂x_i, V_i>`` (fixed random
``V_i``, ``f = Σ out · W``): a Hessian-vector product touching every entry of the Hessian.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from conftest import away_from_zero, broadcast_pairs, gapped, lattice, seeds, shapes, uniform
from hypothesis import given, settings
from hypothesis import strategies as st
from parity import Ours, Torch

import autograd
from autograd import Value

torch = pytest.importorskip("torch")
F = torch.nn.functional

FEW = settings(max_examples=10, deadline=None)


def _derivatives(lib: type, expr: Callable, arrays: tuple[np.ndarray, ...]) -> list:
    """[output, first derivatives, second-derivative products] as arrays, for one lib."""
    rng = np.random.default_rng(0)
    leaves = [lib.leaf(a) for a in arrays]
    out = expr(lib, *leaves)
    data = lib.data(out)
    weights = rng.uniform(0.5, 1.5, size=data.shape)
    directions = [rng.standard_normal(np.shape(a)) for a in arrays]
    if lib is Ours:
        f = (out * weights).sum() if not out.is_scalar else out * float(weights)
        first = autograd.grad(f, leaves, create_graph=True, allow_unused=True)
        dot = sum(((g * v).sum() if not g.is_scalar else g * float(v))
                  for g, v in zip(first, directions))
        second = (autograd.grad(dot, leaves, allow_unused=True) if dot.requires_grad
                  else [np.zeros(np.shape(a)) for a in arrays])
        return [data, [np.asarray(g.data) for g in first],
                [np.asarray(getattr(g, "data", g)) for g in second]]
    f = (out * torch.tensor(weights)).sum()
    first = torch.autograd.grad(f, leaves, create_graph=True, allow_unused=True)
    first = [torch.zeros_like(x) if g is None else g for g, x in zip(first, leaves)]
    dot = sum((g * torch.tensor(v)).sum() for g, v in zip(first, directions))
    if dot.requires_grad:
        second = torch.autograd.grad(dot, leaves, allow_unused=True)
    else:
        second = [None] * len(leaves)
    return [data, [g.detach().numpy() for g in first],
            [np.zeros(np.shape(a)) if g is None else g.numpy() for g, a in zip(second, arrays)]]


def compare(expr: Callable, *arrays: np.ndarray, rtol: float = 1e-9) -> None:
    """Run ``expr`` with both adapters; compare values, first and second derivatives."""
    ours, theirs = _derivatives(Ours, expr, arrays), _derivatives(Torch, expr, arrays)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=rtol, atol=1e-12)
    for order in (1, 2):
        for i, (a, b) in enumerate(zip(ours[order], theirs[order])):
            assert np.shape(a) == np.shape(b), f"order {order}, input {i}"
            np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-10,
                                       err_msg=f"derivative of order {order}, input {i}")


# ---------------------------------------------------------------- element-wise
@FEW
@given(pair=broadcast_pairs(), seed=seeds)
def test_arithmetic(pair, seed):
    rng = np.random.default_rng(seed)
    a, b = uniform(rng, pair[0]), away_from_zero(rng, pair[1])
    compare(lambda L, x, y: x * y + x / y - y**2 + x**3 - (-x) * y, a, b)


@FEW
@given(pair=broadcast_pairs(), seed=seeds)
def test_value_exponent_and_maximum(pair, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0.5, 2.0, pair[0]), uniform(rng, pair[1])
    compare(lambda L, x, y: x**y, a, b)
    a, b = lattice(rng, pair[0], 0.0), lattice(rng, pair[1], 0.5)
    compare(lambda L, x, y: L.maximum(x, y) * x * y, a, b)


@FEW
@given(shape=shapes(), seed=seeds)
def test_unary(shape, seed):
    rng = np.random.default_rng(seed)
    for name in ("exp", "tanh", "sigmoid"):
        compare(lambda L, x, name=name: L.unary(x, name) * x, uniform(rng, shape))
    compare(lambda L, x: L.unary(x, "log") * x, rng.uniform(0.5, 2.0, shape))
    compare(lambda L, x: L.unary(x, "relu") * x * x, away_from_zero(rng, shape))


@pytest.mark.parametrize("name", ["exp", "log", "tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("at", [0.4, 1.7, -0.9])
def test_third_derivatives_of_scalar_unary_ops(name, at):
    if name == "log" and at < 0:
        at = -at
    x = Value(at)
    tx = torch.tensor(at, dtype=torch.float64, requires_grad=True)
    g, tg = getattr(x, name)() * x * x, getattr(tx, name)() * tx * tx  # relu: x²·relu(x)
    for order in (1, 2, 3):
        (g,) = autograd.grad(g, x, create_graph=True)
        (tg,) = torch.autograd.grad(tg, tx, create_graph=True)
        assert g.is_scalar
        assert g.data == pytest.approx(tg.item(), rel=1e-12, abs=1e-14), f"order {order}"


# ---------------------------------------------------------------- reductions and shapes
@FEW
@given(shape=shapes(min_dims=1), seed=seeds, data=st.data())
def test_reductions_and_shapes(shape, seed, data):
    rng = np.random.default_rng(seed)
    axis = data.draw(st.sampled_from([None, *range(len(shape))]))
    keep = data.draw(st.booleans())
    a = gapped(rng, shape)
    for name in ("sum", "mean", "max"):
        compare(lambda L, x, name=name: L.reduce(x, name, axis, keep) ** 2, a)
    perm = tuple(data.draw(st.permutations(range(len(shape)))))
    index = data.draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=5))
    compare(lambda L, x: L.permute(x, perm) ** 3 * L.reshape(x, -1).sum(), a)
    compare(lambda L, x: L.getitem(x, index) ** 3, a)  # repeated indices
    compare(lambda L, x, y: (L.cat([x, y], 0) ** 2).sum() * x + L.stack([x, y], 0).sum() * y,
            a, a + 1)


# ---------------------------------------------------------------- matmul
@FEW
@given(seed=seeds, m=st.integers(1, 3), k=st.integers(1, 3), n=st.integers(1, 3),
       kind=st.sampled_from([((2,), ()), ((), (2,)), ((), ()), ("v", ()), ((), "v"),
                             ("v", "v"), ("v", (2,))]))
def test_matmul(seed, m, k, n, kind):
    rng = np.random.default_rng(seed)
    left, right = kind
    sa = (k,) if left == "v" else left + (m, k)
    sb = (k,) if right == "v" else right + (k, n)
    compare(lambda L, x, y: (x @ y) * (x @ y), uniform(rng, sa), uniform(rng, sb))


# ---------------------------------------------------------------- nn functions
@FEW
@given(shape=shapes(min_dims=1, max_dims=3), seed=seeds, data=st.data())
def test_softmax_and_losses(shape, seed, data):
    rng = np.random.default_rng(seed)
    axis = data.draw(st.integers(0, len(shape) - 1))
    a = uniform(rng, shape)
    compare(lambda L, x: L.softmax(x, axis) * x, a)
    compare(lambda L, x: L.log_softmax(x, axis) * x, a)
    n, c = data.draw(st.integers(1, 4)), data.draw(st.integers(2, 4))
    targets = rng.integers(0, c, n)
    compare(lambda L, s: L.cross_entropy(s * s, targets), uniform(rng, (n, c)))
    compare(lambda L, s: L.svm_loss(s * s, targets, 0.3), lattice(rng, (n, c), 0.5))


def test_dropout_with_its_own_mask():
    x = Value(np.array([[0.5, -1.0, 2.0], [0.3, 0.7, -0.2]]))
    autograd.manual_seed(1)
    mask = autograd.dropout(Value(np.ones((2, 3))), 0.4).data  # the mask the next call draws
    autograd.manual_seed(1)
    compare(lambda L, v: (autograd.dropout(v * v, 0.4) if L is Ours
                          else v * v * torch.tensor(mask)) * v, x.data)


@FEW
@given(seed=seeds, c=st.integers(1, 3), f=st.integers(1, 3), size=st.integers(3, 5),
       k=st.integers(1, 3), stride=st.integers(1, 2), padding=st.integers(0, 1))
def test_conv2d_and_max_pool2d(seed, c, f, size, k, stride, padding):
    rng = np.random.default_rng(seed)
    x, w, b = uniform(rng, (2, c, size, size)), uniform(rng, (f, c, k, k)), uniform(rng, (f,))
    compare(lambda L, x, w, b: L.conv2d(x, w, b, stride, padding) ** 2, x, w, b)
    if k <= size:
        compare(lambda L, x: L.max_pool2d(x * x, k, stride) ** 2, gapped(rng, x.shape))


@FEW
@given(seed=seeds, shape=st.sampled_from([(4, 3), (3, 2, 2), (2, 2, 2, 3)]),
       training=st.booleans())
def test_batch_norm(seed, shape, training):
    rng = np.random.default_rng(seed)
    c = shape[1]
    mean, var = uniform(rng, (c,)), rng.uniform(0.5, 2.0, c)

    def bn(L, x, w, b):
        if L is Ours:
            return autograd.batch_norm(x, mean.copy(), var.copy(), w, b, training=training) * x
        return F.batch_norm(x, torch.tensor(mean), torch.tensor(var), w, b,
                            training=training) * x

    compare(bn, uniform(rng, shape), uniform(rng, (c,)), uniform(rng, (c,)))


@FEW
@given(seed=seeds, n=st.integers(1, 2), i=st.integers(1, 3), h=st.integers(1, 2))
def test_lstm_cell(seed, n, i, h):
    rng = np.random.default_rng(seed)
    arrays = [uniform(rng, s) for s in ((n, i), (n, h), (n, h), (4 * h, i), (4 * h, h),
                                        (4 * h,))]

    def cell(L, x, hh, cc, w_ih, w_hh, b):
        if L is Ours:
            return autograd.lstm_cell(x, hh, cc, w_ih, w_hh, b)
        h2, c2 = torch._VF.lstm_cell(x, (hh, cc), w_ih, w_hh, b, torch.zeros_like(b))
        return torch.stack([h2, c2])

    compare(cell, *arrays)
