"""Parity with PyTorch (float64): the same expression gives the same values and gradients.

Each expression is written once against the adapters of ``tests/parity.py`` (``Ours`` or
``Torch``) so both libraries run literally the same code. Skips cleanly when torch is not
installed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from conftest import away_from_zero, broadcast_pairs, gapped, lattice, seeds, uniform
from hypothesis import given, settings
from hypothesis import strategies as st
from parity import Ours, Torch

torch = pytest.importorskip("torch")

FEW = settings(max_examples=20, deadline=None)


def compare(expr: Callable, *arrays: np.ndarray, rtol: float = 1e-10) -> None:
    """Run ``expr`` with both adapters; compare outputs and the gradients of sum(out * W)."""
    results = []
    for lib in (Ours, Torch):
        leaves = [lib.leaf(a) for a in arrays]
        out = expr(lib, *leaves)
        data = np.asarray(out.data if lib is Ours else out.detach().numpy())
        weights = np.random.default_rng(0).uniform(0.5, 1.5, size=data.shape)
        if lib is Ours:
            (out * weights if out.is_scalar else (out * weights).sum()).backward()
            grads = [np.asarray(v.grad) for v in leaves]
        else:
            (out * torch.tensor(weights)).sum().backward()
            grads = [t.grad.numpy() for t in leaves]
        results.append((data, grads))
    (ours, our_grads), (theirs, their_grads) = results
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=1e-12)
    for i, (g, h) in enumerate(zip(our_grads, their_grads)):
        np.testing.assert_allclose(g, h, rtol=rtol, atol=1e-12, err_msg=f"input {i}")


# ---------------------------------------------------------------- element-wise
@FEW
@given(pair=broadcast_pairs(), seed=seeds)
def test_arithmetic_with_broadcasting(pair, seed):
    rng = np.random.default_rng(seed)
    a, b = uniform(rng, pair[0]), away_from_zero(rng, pair[1])
    compare(lambda L, x, y: x * y + x / y - y**2 + 3.0 - (-x) * 0.5 + 2.0 / y, a, b)


@FEW
@given(pair=broadcast_pairs(), seed=seeds)
def test_value_exponent_and_maximum(pair, seed):
    rng = np.random.default_rng(seed)
    a, b = lattice(rng, pair[0], 0.0), lattice(rng, pair[1], 0.5)
    compare(lambda L, x, y: L.maximum(x, y) * 2.0, a, b)
    compare(lambda L, x, y: (x * x + 0.5) ** y, a, b)


@FEW
@given(seed=seeds, shape=st.sampled_from([(), (3,), (2, 3), (2, 1, 3)]))
def test_unary_chain(seed, shape):
    a = away_from_zero(np.random.default_rng(seed), shape)
    compare(lambda L, x: (x.exp() + x.tanh() * x.sigmoid() - x.relu()) / (x * x + 1).log(), a)
    compare(lambda L, x: x**3 - x**-1 + (x * x) ** 0.5, a)


# ---------------------------------------------------------------- reductions and shapes
@FEW
@given(seed=seeds, axis=st.sampled_from([None, 0, 1, -1, (0, 2), (-1, 0)]),
       keepdims=st.booleans())
def test_reductions(seed, axis, keepdims):
    a = gapped(np.random.default_rng(seed), (3, 4, 2))
    compare(lambda L, x: (L.reduce(x, "sum", axis, keepdims)
                          * L.reduce(x, "mean", axis, keepdims)), a)
    compare(lambda L, x: L.reduce(x, "max", axis, keepdims), a)


@FEW
@given(seed=seeds, perm=st.permutations([0, 1, 2]))
def test_shape_ops_and_indexing(seed, perm):
    a = uniform(np.random.default_rng(seed), (2, 3, 4))
    compare(lambda L, x: L.reshape(L.permute(x, perm), 4, -1), a)
    compare(lambda L, x: x[1:, ::2, [0, 3, 3]], a)
    compare(lambda L, x: x[[1, 1, 0], 2, :3] * x[..., -1][[0, 0, 1]], a)


@pytest.mark.parametrize("sa,sb", [((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 2)),
                                   ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5))])
def test_matmul(sa, sb):
    rng = np.random.default_rng(3)
    compare(lambda L, x, y: x @ y, uniform(rng, sa), uniform(rng, sb))


# ---------------------------------------------------------------- neural-network functions
@FEW
@given(seed=seeds, axis=st.sampled_from([0, 1, -1]))
def test_softmax_family(seed, axis):
    a = uniform(np.random.default_rng(seed), (3, 5), -4, 4)
    compare(lambda L, x: L.softmax(x, axis=axis) * L.log_softmax(x, axis=axis), a)


@FEW
@given(seed=seeds, n=st.integers(1, 6), c=st.integers(2, 5))
def test_losses(seed, n, c):
    rng = np.random.default_rng(seed)
    targets = rng.integers(0, c, size=n)
    scores = rng.integers(-8, 9, size=(n, c)) * 0.25
    scores[np.arange(n), targets] += 0.1
    compare(lambda L, x: L.cross_entropy(x, targets), scores)
    compare(lambda L, x: L.svm_loss(x, targets, delta=1.0), scores)
    compare(lambda L, x: L.svm_loss(x, targets, delta=0.5), scores)


@FEW
@given(seed=seeds, stride=st.integers(1, 3), padding=st.integers(0, 2),
       k=st.integers(1, 3), c=st.integers(1, 3), f=st.integers(1, 3),
       size=st.integers(3, 7))
def test_conv2d(seed, stride, padding, k, c, f, size):
    rng = np.random.default_rng(seed)
    x, w, b = uniform(rng, (2, c, size, size)), uniform(rng, (f, c, k, k)), uniform(rng, (f,))
    compare(lambda L, x, w, b: L.conv2d(x, w, b, stride=stride, padding=padding), x, w, b)
    compare(lambda L, x, w: L.conv2d(x, w, stride=stride, padding=padding), x, w)


@FEW
@given(seed=seeds, k=st.integers(1, 3), stride=st.sampled_from([None, 1, 2, 3]),
       size=st.integers(3, 7))
def test_max_pool2d(seed, k, stride, size):
    x = gapped(np.random.default_rng(seed), (2, 2, size, size + 1))
    compare(lambda L, x: L.max_pool2d(x, k, stride), x)


def test_small_cnn():
    rng = np.random.default_rng(4)
    x, w1, b1 = uniform(rng, (4, 1, 8, 8)), uniform(rng, (4, 1, 3, 3)), uniform(rng, (4,))
    w2 = uniform(rng, (4 * 4 * 4, 3))
    targets = np.array([0, 2, 1, 2])

    def net(L, x, w1, b1, w2):
        h = L.max_pool2d(L.conv2d(x, w1, b1, padding=1).tanh(), 2)
        return L.cross_entropy(L.reshape(h, 4, -1) @ w2, targets)

    compare(net, x, w1, b1, w2)


def test_mlp_with_mean_squared_error():
    rng = np.random.default_rng(5)
    x, y = uniform(rng, (6, 3)), uniform(rng, (6, 1))
    w1, b1, w2 = uniform(rng, (3, 8)), uniform(rng, (8,)), uniform(rng, (8, 1))

    def net(L, w1, b1, w2):
        pred = (L.const(x) @ w1 + b1).relu() @ w2
        return L.reduce((pred - L.const(y)) ** 2, "mean")

    compare(net, w1, b1, w2)
