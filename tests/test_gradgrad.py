"""Second derivatives of every op: ``gradgradcheck`` in float64 over hypothesis-drawn shapes.

Each check runs three ways: the first derivatives against finite differences, the recorded
backward (``create_graph=True``) against the plain one, and the recorded backward's own
gradients (with respect to the inputs and the upstream gradient) against finite
differences.  Inputs of max/relu/maximum/hinge/pool keep a clear gap from any tie or kink.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import away_from_zero, broadcast_pairs, gapped, lattice, seeds, shapes, uniform
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import (
    Value,
    batch_norm,
    cat,
    conv2d,
    cross_entropy,
    dropout,
    gradgradcheck,
    log_softmax,
    lstm_cell,
    manual_seed,
    max_pool2d,
    maximum,
    softmax,
    stack,
    svm_loss,
)
from autograd.nn.conv import conv2d_input, conv2d_weight

FEW = settings(max_examples=8, deadline=None)


def check(fn, *arrays, **tolerances) -> None:
    """gradgradcheck ``fn`` at ``arrays`` (float64 leaves that require grad)."""
    assert gradgradcheck(fn, [Value(a) for a in arrays], **tolerances) is True


# ---------------------------------------------------------------- arithmetic
@FEW
@given(pair=broadcast_pairs(), seed=seeds)
def test_arithmetic_with_broadcasting(pair, seed):
    rng = np.random.default_rng(seed)
    a, b = uniform(rng, pair[0]), away_from_zero(rng, pair[1])
    check(lambda x, y: x * y, a, b)
    check(lambda x, y: (x + y) * (x - y), a, b)
    check(lambda x, y: x / y, a, b)
    check(lambda x: -x * x, a)


@FEW
@given(shape=shapes(), seed=seeds, exponent=st.sampled_from([0.0, 1.0, 2.0, 3.0, -1.0, 2.5]))
def test_pow_constant_exponent(shape, seed, exponent):
    a = np.random.default_rng(seed).uniform(0.5, 2.0, shape)
    check(lambda x: x**exponent, a)


@FEW
@given(pair=broadcast_pairs(), seed=seeds)
def test_pow_value_exponent(pair, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0.5, 2.0, pair[0]), uniform(rng, pair[1])
    check(lambda x, y: x**y, a, b)
    check(lambda x: x ** Value(b, requires_grad=False), a)


@FEW
@given(pair=broadcast_pairs(), seed=seeds)
def test_maximum(pair, seed):
    rng = np.random.default_rng(seed)
    a, b = lattice(rng, pair[0], 0.0), lattice(rng, pair[1], 0.5)
    check(lambda x, y: maximum(x, y) * x * y, a, b)


# ---------------------------------------------------------------- unary
@FEW
@given(shape=shapes(), seed=seeds)
def test_unary_ops(shape, seed):
    rng = np.random.default_rng(seed)
    a = uniform(rng, shape)
    check(lambda x: x.exp(), a)
    check(lambda x: x.tanh(), a)
    check(lambda x: x.sigmoid(), a)
    check(lambda x: x.log(), rng.uniform(0.5, 2.0, shape))
    check(lambda x: x.relu() * x, away_from_zero(rng, shape))


def test_scalar_unary_ops_third_order():
    """The scalar engine too: every unary op's second derivative by finite differences."""
    for op in ("exp", "tanh", "sigmoid"):
        check(lambda x, op=op: getattr(x, op)() * x, 0.7)
    check(lambda x: x.log() * x, 1.3)
    check(lambda x: x.relu() * x * x, -0.8)


# ---------------------------------------------------------------- reductions and shapes
@FEW
@given(shape=shapes(min_dims=1), seed=seeds, data=st.data())
def test_reductions(shape, seed, data):
    rng = np.random.default_rng(seed)
    axis = data.draw(st.sampled_from([None, *range(-len(shape), len(shape))]))
    keep = data.draw(st.booleans())
    check(lambda x: x.sum(axis=axis, keepdims=keep) ** 2, uniform(rng, shape))
    check(lambda x: x.mean(axis=axis, keepdims=keep) ** 2, uniform(rng, shape))
    check(lambda x: x.max(axis=axis, keepdims=keep) ** 2, gapped(rng, shape))


@FEW
@given(shape=shapes(min_dims=1), seed=seeds, data=st.data())
def test_reshape_transpose_and_indexing(shape, seed, data):
    a = uniform(np.random.default_rng(seed), shape)
    axes = tuple(data.draw(st.permutations(range(len(shape)))))
    index = data.draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=5))
    check(lambda x: x.reshape(-1) ** 2, a)
    check(lambda x: x.transpose(axes) ** 3, a)
    check(lambda x: x.T * x.T, a)
    check(lambda x: x[index] ** 2, a)  # repeated integer indices: gradients add
    check(lambda x: x[::2] ** 2, a)
    check(lambda x: x.broadcast_to((2,) + x.shape) ** 2, a)


@FEW
@given(seed=seeds, n=st.integers(1, 3))
def test_cat_and_stack(seed, n):
    rng = np.random.default_rng(seed)
    a, b, c = uniform(rng, (n, 2)), uniform(rng, (n, 3)), uniform(rng, (n, 2))
    check(lambda x, y: cat([x, y], axis=1) ** 2, a, b)
    check(lambda x, y: stack([x, y], axis=1) ** 3, a, c)


# ---------------------------------------------------------------- matmul
@FEW
@given(seed=seeds, m=st.integers(1, 3), k=st.integers(1, 3), n=st.integers(1, 3),
       batch=st.sampled_from([(), (2,), (2, 1)]),
       kind=st.sampled_from(["2d", "vec-left", "vec-right", "vec-vec", "batched-left"]))
def test_matmul(seed, m, k, n, batch, kind):
    rng = np.random.default_rng(seed)
    shapes_by_kind = {"2d": (batch + (m, k), (k, n)), "vec-left": ((k,), batch + (k, n)),
                      "vec-right": (batch + (m, k), (k,)), "vec-vec": ((k,), (k,)),
                      "batched-left": ((m, k), batch + (k, n))}
    sa, sb = shapes_by_kind[kind]
    check(lambda x, y: (x @ y) * (x @ y), uniform(rng, sa), uniform(rng, sb))


# ---------------------------------------------------------------- nn functions
@FEW
@given(shape=shapes(min_dims=1, max_dims=3), seed=seeds, data=st.data())
def test_softmax_and_log_softmax(shape, seed, data):
    a = uniform(np.random.default_rng(seed), shape)
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    check(lambda x: softmax(x, axis=axis), a)
    check(lambda x: log_softmax(x, axis=axis), a)


@FEW
@given(n=st.integers(1, 4), c=st.integers(2, 4), seed=seeds)
def test_losses(n, c, seed):
    rng = np.random.default_rng(seed)
    targets = rng.integers(0, c, n)
    check(lambda s: cross_entropy(s, targets), uniform(rng, (n, c)))
    # hinge: scores a lattice, delta off it, so no margin sits at its kink
    check(lambda s: svm_loss(s * s, targets, delta=0.3), lattice(rng, (n, c), 0.5))


@FEW
@given(shape=shapes(), seed=seeds, p=st.sampled_from([0.0, 0.3, 0.5, 1.0]))
def test_dropout(shape, seed, p):
    a = uniform(np.random.default_rng(seed), shape)

    def fn(x):  # the same mask at every call: the random stream restarts
        manual_seed(seed % 1000)
        return dropout(x * x, p)

    check(fn, a)


@FEW
@given(seed=seeds, n=st.integers(1, 2), c=st.integers(1, 3), f=st.integers(1, 3),
       size=st.integers(3, 5), k=st.integers(1, 3), stride=st.integers(1, 2),
       padding=st.integers(0, 1), dilation=st.integers(1, 2), bias=st.booleans())
def test_conv2d(seed, n, c, f, size, k, stride, padding, dilation, bias):
    if dilation * (k - 1) + 1 > size + 2 * padding:
        return
    rng = np.random.default_rng(seed)
    x, w, b = uniform(rng, (n, c, size, size)), uniform(rng, (f, c, k, k)), uniform(rng, (f,))
    geometry = dict(stride=stride, padding=padding, dilation=dilation)
    if bias:
        check(lambda x, w, b: conv2d(x, w, b, **geometry), x, w, b)
    else:
        check(lambda x, w: conv2d(x, w, **geometry), x, w)


def test_conv2d_gradient_gates_third_order():
    """conv2d's gradients are the gates conv2d_input and conv2d_weight: their own second
    derivatives (conv2d's third) check too."""
    rng = np.random.default_rng(3)
    x, w, up = uniform(rng, (1, 2, 5, 5)), uniform(rng, (3, 2, 3, 3)), uniform(rng, (1, 3, 2, 2))
    check(lambda u, w: conv2d_input(x.shape, w, u, stride=2, padding=0), up, w)
    check(lambda x, u: conv2d_weight(x, w.shape, u, stride=2, padding=0), x, up)


@FEW
@given(seed=seeds, n=st.integers(1, 2), c=st.integers(1, 2), size=st.integers(2, 5),
       k=st.integers(1, 3), stride=st.integers(1, 2), padding=st.integers(0, 1))
def test_max_pool2d(seed, n, c, size, k, stride, padding):
    if 2 * padding > k or k > size + 2 * padding:
        return
    x = gapped(np.random.default_rng(seed), (n, c, size, size))
    check(lambda x: max_pool2d(x, k, stride, padding) ** 2, x)


@FEW
@given(seed=seeds, shape=st.sampled_from([(4, 3), (3, 2, 2), (2, 2, 2, 3)]),
       training=st.booleans(), affine=st.booleans())
def test_batch_norm(seed, shape, training, affine):
    rng = np.random.default_rng(seed)
    c = shape[1]
    x = uniform(rng, shape)
    mean, var = uniform(rng, (c,)), rng.uniform(0.5, 2.0, c)
    if affine:
        check(lambda x, w, b: batch_norm(x, mean.copy(), var.copy(), w, b, training=training),
              x, uniform(rng, (c,)), uniform(rng, (c,)))
    else:
        check(lambda x: batch_norm(x, mean.copy(), var.copy(), training=training), x)


@FEW
@given(seed=seeds, n=st.integers(1, 2), i=st.integers(1, 3), h=st.integers(1, 2),
       bias=st.booleans())
def test_lstm_cell(seed, n, i, h, bias):
    rng = np.random.default_rng(seed)
    arrays = [uniform(rng, s) for s in ((n, i), (n, h), (n, h), (4 * h, i), (4 * h, h))]
    if bias:
        check(lambda *a: lstm_cell(*a), *arrays, uniform(rng, (4 * h,)))
    else:
        check(lambda *a: lstm_cell(*a), *arrays)


# ---------------------------------------------------------------- gradgradcheck itself
def test_gradgradcheck_catches_a_wrong_differentiable_backward(monkeypatch):
    """A vjp whose first derivative is wrong is caught by the comparison with the plain
    backward, naming the input."""
    monkeypatch.setattr(type(Value(1.0).tanh().gate), "vjp",
                        lambda self, up, node: (up * (1.0 + node * node),))
    with pytest.raises(AssertionError, match="recorded backward .* input 0"):
        gradgradcheck(lambda x: x.tanh(), [Value([0.3, -0.2])])


def test_gradgradcheck_catches_a_wrong_second_derivative(monkeypatch):
    """A vjp with the right values but a graph that differentiates wrongly (the local
    derivative computed as a constant, off the graph) fails the second-order check."""
    def frozen(self, up, node):
        t = node.data
        return (up * (1.0 - t * t),)  # 1 - tanh² as a constant: d/dx of it is lost

    monkeypatch.setattr(type(Value(1.0).tanh().gate), "vjp", frozen)
    with pytest.raises(AssertionError, match="gradcheck: input 0"):
        gradgradcheck(lambda x: x.tanh(), [Value([0.3, -0.2])])


def test_a_gate_without_a_differentiable_backward_says_so():
    class Cube(autograd.Gate):
        name = "cube"

        def forward(self, x):
            return x**3, x

        def backward(self, up, x):
            return (3 * up * x * x,)

    from autograd.value import apply

    x = Value(2.0)
    with pytest.raises(autograd.GradgateError, match="cube: this gate has no differentiable"):
        autograd.grad(apply(Cube(), x), x, create_graph=True)
    assert autograd.grad(apply(Cube(), x), x)[0].data == 12.0


def test_every_gate_of_the_engine_has_a_differentiable_backward():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    gates = [g for g in subclasses(autograd.Gate)  # the shared bases (_Reduction) aside
             if g.__module__.startswith("autograd.") and not g.__name__.startswith("_")]
    assert len(gates) >= 30
    missing = [g.__name__ for g in gates if g.vjp is autograd.Gate.vjp]
    assert missing == [], f"gates without a vjp: {missing}"
