"""Forward values and float64 finite-difference gradients of every Value op.

Shapes are drawn by hypothesis (broadcasting pairs with size-1 and missing dims, 0-d, odd
sizes); inputs of max/relu/maximum keep a clear gap from any tie or kink.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import (
    away_from_zero,
    broadcast_pairs,
    check_grad,
    gapped,
    lattice,
    seeds,
    shapes,
    uniform,
)
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd import Value, maximum

FEW = settings(max_examples=25, deadline=None)


def close(value: Value, expected: np.ndarray) -> None:
    """Assert a Value's data equals the NumPy result, shape included."""
    np.testing.assert_allclose(np.asarray(value.data), expected, rtol=1e-12, atol=1e-12)
    assert value.shape == np.shape(expected)


# ---------------------------------------------------------------- binary ops, broadcasting
@FEW
@given(pair=broadcast_pairs(), seed=seeds)
def test_add_sub_mul_broadcast(pair, seed):
    rng = np.random.default_rng(seed)
    a, b = uniform(rng, pair[0]), uniform(rng, pair[1])
    close(Value(a) + Value(b), a + b)
    close(Value(a) - Value(b), a - b)
    close(Value(a) * Value(b), a * b)
    check_grad(lambda x, y: x + y, a, b)
    check_grad(lambda x, y: x - y, a, b)
    check_grad(lambda x, y: x * y, a, b)


@FEW
@given(pair=broadcast_pairs(), seed=seeds)
def test_div_broadcast(pair, seed):
    rng = np.random.default_rng(seed)
    a, b = uniform(rng, pair[0]), away_from_zero(rng, pair[1])
    close(Value(a) / Value(b), a / b)
    check_grad(lambda x, y: x / y, a, b)


@FEW
@given(pair=broadcast_pairs(), seed=seeds)
def test_pow_value_exponent_broadcast(pair, seed):
    rng = np.random.default_rng(seed)
    a, b = uniform(rng, pair[0], 0.5, 2.0), uniform(rng, pair[1])
    close(Value(a) ** Value(b), a**b)
    check_grad(lambda x, y: x**y, a, b)


@FEW
@given(pair=broadcast_pairs(), seed=seeds)
def test_maximum_broadcast(pair, seed):
    rng = np.random.default_rng(seed)
    a, b = lattice(rng, pair[0], 0.0), lattice(rng, pair[1], 0.5)
    close(maximum(Value(a), Value(b)), np.maximum(a, b))
    check_grad(maximum, a, b)


def test_maximum_routes_whole_gradient_to_the_winner():
    a, b = Value([1.0, 5.0, -2.0]), Value([3.0, 4.0, -1.0])
    maximum(a, b).backward(np.array([10.0, 20.0, 30.0]))
    np.testing.assert_array_equal(a.grad, [0.0, 20.0, 0.0])
    np.testing.assert_array_equal(b.grad, [10.0, 0.0, 30.0])


def test_maximum_with_numbers_on_either_side():
    x = np.array([-1.5, 0.5, 2.0])
    close(maximum(Value(x), 0.0), np.maximum(x, 0.0))
    close(maximum(1.0, Value(x)), np.maximum(1.0, x))
    check_grad(lambda v: maximum(v, 0.25), x)
    check_grad(lambda v: maximum(0.25, v), x)


@FEW
@given(shape=shapes(), seed=seeds)
def test_numbers_and_arrays_on_either_side(shape, seed):
    rng = np.random.default_rng(seed)
    a = away_from_zero(rng, shape)
    c = away_from_zero(rng, shape)
    pos = np.abs(a)
    cases = [
        (lambda v: 2.5 + v, 2.5 + a), (lambda v: v + c, a + c), (lambda v: c + v, c + a),
        (lambda v: 1.5 - v, 1.5 - a), (lambda v: c - v, c - a), (lambda v: v - 3, a - 3),
        (lambda v: -2 * v, -2 * a), (lambda v: c * v, c * a), (lambda v: v * c, a * c),
        (lambda v: 3.0 / v, 3.0 / a), (lambda v: c / v, c / a), (lambda v: v / c, a / c),
    ]
    for fn, expected in cases:
        close(fn(Value(a)), expected)
        check_grad(fn, a)
    close(2.0 ** Value(a), 2.0**a)
    check_grad(lambda v: 2.0**v, a)
    close(Value(pos) ** c, pos**c)
    check_grad(lambda v: v**c, pos)
    check_grad(lambda v: pos**v, a)


# ---------------------------------------------------------------- pow with a number
@pytest.mark.parametrize("exponent", [2, 3, -1, 0, 1, 2.0, -2.0])
def test_pow_integer_exponent_any_sign_base(exponent):
    rng = np.random.default_rng(3)
    a = away_from_zero(rng, (3, 2))
    close(Value(a) ** exponent, a**exponent)
    check_grad(lambda v: v**exponent, a)
    s = Value(-1.5) ** exponent
    assert s.data == pytest.approx((-1.5) ** exponent)
    check_grad(lambda v: v**exponent, -1.5)


@pytest.mark.parametrize("exponent,slope", [(0, 0.0), (1, 1.0), (2, 0.0), (3, 0.0)])
def test_pow_integer_exponent_at_zero_base(exponent, slope):
    """d(x**n)/dx = n * x**(n-1) is finite at x = 0 for n >= 0 (x**0 is constant)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = Value(0.0)
        (s**exponent).backward()
        t = Value(np.array([0.0, 2.0]))
        (t**exponent).sum().backward()
    assert s.grad == slope
    np.testing.assert_array_equal(t.grad, [slope, exponent * 2.0 ** max(exponent - 1, 0)])


@pytest.mark.parametrize("exponent", [0.5, -0.5, 1.7, -2.5, 1 / 3])
def test_pow_fractional_exponent_positive_base(exponent):
    a = np.array([[0.5, 1.0, 2.0], [1.5, 0.7, 3.0]])
    close(Value(a) ** exponent, a**exponent)
    check_grad(lambda v: v**exponent, a)
    check_grad(lambda v: v**exponent, 1.3)


def test_pow_value_exponent_gradient_is_a_pow_b_ln_a():
    a, b = Value(2.0), Value(3.0)
    y = a**b
    y.backward()
    assert y.data == pytest.approx(8.0)
    assert a.grad == pytest.approx(3.0 * 4.0)
    assert b.grad == pytest.approx(8.0 * np.log(2.0))


# ---------------------------------------------------------------- matmul
@pytest.mark.parametrize(
    "sa,sb",
    [
        ((4,), (4,)),
        ((3, 4), (4,)),
        ((4,), (4, 2)),
        ((3, 4), (4, 2)),
        ((1, 1), (1, 1)),
        ((2, 3, 4), (4, 5)),
        ((3, 4), (2, 4, 5)),
        ((2, 3, 4), (2, 4, 5)),
        ((2, 1, 3, 4), (3, 4, 2)),
        ((2, 3, 4), (4,)),
        ((4,), (2, 4, 3)),
    ],
)
def test_matmul_shapes(sa, sb):
    rng = np.random.default_rng(7)
    a, b = uniform(rng, sa), uniform(rng, sb)
    close(Value(a) @ Value(b), a @ b)
    check_grad(lambda x, y: x @ y, a, b)


@FEW
@given(n=st.integers(1, 5), k=st.integers(1, 5), m=st.integers(1, 5),
       batch=st.sampled_from([(), (1,), (2,), (3, 1)]), seed=seeds)
def test_matmul_hypothesis(n, k, m, batch, seed):
    rng = np.random.default_rng(seed)
    a, b = uniform(rng, (*batch, n, k)), uniform(rng, (k, m))
    close(Value(a) @ Value(b), a @ b)
    check_grad(lambda x, y: x @ y, a, b)
    check_grad(lambda x, y: y.T @ x.transpose(*range(x.ndim - 2), x.ndim - 1, x.ndim - 2),
               a, b)


def test_matmul_with_numpy_on_either_side():
    rng = np.random.default_rng(1)
    a, m = uniform(rng, (3,)), uniform(rng, (3, 2))
    close(a @ Value(m), a @ m)
    close(Value(m).T @ a, m.T @ a)
    check_grad(lambda v: a @ v, m)


# ---------------------------------------------------------------- unary
UNARY = {
    "neg": (lambda v: -v, lambda x: -x),
    "exp": (lambda v: v.exp(), np.exp),
    "tanh": (lambda v: v.tanh(), np.tanh),
    "sigmoid": (lambda v: v.sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    "relu": (lambda v: v.relu(), lambda x: np.maximum(x, 0.0)),
}


@FEW
@given(shape=shapes(), seed=seeds, name=st.sampled_from(sorted(UNARY)))
def test_unary(shape, seed, name):
    op, reference = UNARY[name]
    a = away_from_zero(np.random.default_rng(seed), shape)
    close(op(Value(a)), reference(a))
    check_grad(op, a)


@FEW
@given(shape=shapes(), seed=seeds)
def test_log(shape, seed):
    a = uniform(np.random.default_rng(seed), shape, 0.2, 3.0)
    close(Value(a).log(), np.log(a))
    check_grad(lambda v: v.log(), a)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_on_scalars(name):
    op, reference = UNARY[name]
    for x in (-1.3, 0.8):
        y = op(Value(x))
        assert isinstance(y.data, float)
        assert y.data == pytest.approx(float(reference(np.float64(x))))
        check_grad(op, x)


def test_log_on_a_scalar():
    y = Value(0.6).log()
    assert isinstance(y.data, float)
    assert y.data == pytest.approx(np.log(0.6))
    check_grad(lambda v: v.log(), 0.6)


def test_relu_routes_gradient_only_where_positive():
    x = Value([-2.0, 3.0, -0.5, 0.25])
    x.relu().backward(np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(x.grad, [0.0, 2.0, 0.0, 4.0])


# ---------------------------------------------------------------- reductions
@st.composite
def shape_and_axis(draw):
    """A shape, an axis (None, int, or tuple; negatives included) and keepdims."""
    shape = draw(shapes(min_dims=1, max_dims=4, max_side=3))
    nd = len(shape)
    axis = draw(st.one_of(
        st.none(),
        st.integers(-nd, nd - 1),
        st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True).flatmap(
            lambda axes: st.tuples(*[st.sampled_from([a, a - nd]) for a in axes])),
    ))
    return shape, axis, draw(st.booleans())


@FEW
@given(case=shape_and_axis(), seed=seeds)
def test_sum_mean(case, seed):
    shape, axis, keepdims = case
    a = uniform(np.random.default_rng(seed), shape)
    close(Value(a).sum(axis=axis, keepdims=keepdims), a.sum(axis=axis, keepdims=keepdims))
    close(Value(a).mean(axis=axis, keepdims=keepdims), a.mean(axis=axis, keepdims=keepdims))
    check_grad(lambda v: v.sum(axis=axis, keepdims=keepdims), a)
    check_grad(lambda v: v.mean(axis=axis, keepdims=keepdims), a)


@FEW
@given(case=shape_and_axis(), seed=seeds)
def test_max(case, seed):
    shape, axis, keepdims = case
    a = gapped(np.random.default_rng(seed), shape)
    close(Value(a).max(axis=axis, keepdims=keepdims), a.max(axis=axis, keepdims=keepdims))
    check_grad(lambda v: v.max(axis=axis, keepdims=keepdims), a)


def test_max_routes_to_the_largest_entry_of_each_row():
    x = Value([[1.0, 7.0, 3.0], [9.0, -1.0, 2.0]])
    x.max(axis=1).backward(np.array([5.0, 6.0]))
    np.testing.assert_array_equal(x.grad, [[0.0, 5.0, 0.0], [6.0, 0.0, 0.0]])


def test_reductions_of_a_scalar_and_a_positional_axis():
    a = np.arange(6.0).reshape(2, 3)
    close(Value(a).sum(1), a.sum(1))
    close(Value(a).mean(0, True), a.mean(0, keepdims=True))
    assert Value(a).sum().item() == 15.0
    assert Value(a).mean().item() == 2.5


# ---------------------------------------------------------------- reshape / transpose
@FEW
@given(shape=shapes(min_dims=1, max_dims=4, max_side=3), seed=seeds, data=st.data())
def test_reshape(shape, seed, data):
    a = uniform(np.random.default_rng(seed), shape)
    size = a.size
    divisors = [d for d in range(1, size + 1) if size % d == 0]
    d = data.draw(st.sampled_from(divisors))
    close(Value(a).reshape(d, size // d), a.reshape(d, size // d))
    close(Value(a).reshape((size // d, d)), a.reshape(size // d, d))
    close(Value(a).reshape(-1), a.reshape(-1))
    close(Value(a).reshape(d, -1, 1), a.reshape(d, -1, 1))
    check_grad(lambda v: v.reshape(d, size // d), a)
    check_grad(lambda v: v.reshape(-1), a)


@FEW
@given(shape=shapes(min_dims=1, max_dims=4, max_side=3), seed=seeds, data=st.data())
def test_transpose(shape, seed, data):
    a = uniform(np.random.default_rng(seed), shape)
    perm = data.draw(st.permutations(range(a.ndim)))
    close(Value(a).transpose(*perm), a.transpose(*perm))
    close(Value(a).transpose(), a.transpose())
    check_grad(lambda v: v.transpose(*perm), a)
    check_grad(lambda v: v.transpose(), a)


def test_T_on_matrices():
    a = np.arange(6.0).reshape(2, 3)
    close(Value(a).T, a.T)
    check_grad(lambda v: v.T, a)
    check_grad(lambda v: v.T @ v, a)


# ---------------------------------------------------------------- indexing
@FEW
@given(shape=shapes(min_dims=2, max_dims=3, max_side=4), seed=seeds, data=st.data())
def test_getitem_basic_indices(shape, seed, data):
    a = uniform(np.random.default_rng(seed), shape)
    index = data.draw(hnp.basic_indices(shape))
    assume(a[index].size > 0)
    close(Value(a)[index], a[index])
    check_grad(lambda v: v[index], a)


@FEW
@given(shape=shapes(min_dims=1, max_dims=3, max_side=4), seed=seeds, data=st.data())
def test_getitem_integer_arrays(shape, seed, data):
    a = uniform(np.random.default_rng(seed), shape)
    index = data.draw(hnp.integer_array_indices(
        shape, result_shape=hnp.array_shapes(min_dims=1, max_dims=2, max_side=5)))
    close(Value(a)[index], a[index])
    check_grad(lambda v: v[index], a)


@pytest.mark.parametrize(
    "index",
    [
        np.s_[1:3],
        np.s_[::-1],
        np.s_[::-2, 1],
        np.s_[:, ::-1],
        np.s_[-1],
        np.s_[..., 0],
        np.s_[1, -2],
        np.s_[[0, 2, 0, 0]],
        np.s_[[3, 3], [-1, 0]],
        np.s_[np.array([[0, 1], [1, 1]]), :],
        np.s_[1:, [2, 2, 0]],
    ],
)
def test_getitem_examples(index):
    a = np.arange(12.0).reshape(4, 3) / 7
    close(Value(a)[index], a[index])
    check_grad(lambda v: v[index], a)


def test_getitem_repeated_indices_accumulate():
    x = Value([1.0, 2.0, 3.0])
    x[[0, 2, 0, 0]].backward(np.array([1.0, 10.0, 100.0, 1000.0]))
    np.testing.assert_array_equal(x.grad, [1101.0, 0.0, 10.0])


# ---------------------------------------------------------------- compositions
@FEW
@given(seed=seeds, n=st.integers(1, 4), d=st.integers(1, 4), h=st.integers(1, 4))
def test_two_layer_mlp(seed, n, d, h):
    rng = np.random.default_rng(seed)
    x, w1, b1, w2 = uniform(rng, (n, d)), uniform(rng, (d, h)), uniform(rng, (h,)), uniform(
        rng, (h, 1))
    check_grad(lambda x, w1, b1, w2: ((x @ w1 + b1).tanh() @ w2).sigmoid().mean(),
               x, w1, b1, w2)


def test_scalar_and_tensor_mix():
    w, x = Value(1.5), Value([1.0, -2.0, 4.0])
    y = (w * x).sum()
    y.backward()
    assert isinstance(w.grad, float)
    assert w.grad == pytest.approx(3.0)
    np.testing.assert_allclose(x.grad, [1.5, 1.5, 1.5])
    check_grad(lambda w, x: (w * x + x / w).exp(), 1.5, np.array([0.1, -0.2, 0.4]))
