"""Neural-network functions: forward values against plain NumPy (and the reference kernels in
reference_nn.py), float64 finite-difference gradients over hypothesis-drawn configurations."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import check_grad, gapped, seeds, shapes, uniform
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_nn import (
    conv2d_backward,
    conv2d_forward,
    max_pool2d_backward,
    max_pool2d_forward,
)

from autograd import (
    Value,
    conv2d,
    cross_entropy,
    dropout,
    log_softmax,
    manual_seed,
    max_pool2d,
    softmax,
    svm_loss,
)

FEW = settings(max_examples=25, deadline=None)


def np_log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    """Stable log-softmax in plain NumPy."""
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def np_svm(scores: np.ndarray, targets: np.ndarray, delta: float) -> float:
    """Mean multiclass hinge loss in plain NumPy."""
    rows = np.arange(len(targets))
    margins = np.maximum(0.0, scores - scores[rows, targets][:, None] + delta)
    margins[rows, targets] = 0.0
    return float(margins.sum(axis=1).mean())


# ---------------------------------------------------------------- softmax / log_softmax
@FEW
@given(shape=shapes(min_dims=1, max_dims=3), seed=seeds, data=st.data())
def test_softmax_and_log_softmax(shape, seed, data):
    a = uniform(np.random.default_rng(seed), shape, -3, 3)
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    expected = np_log_softmax(a, axis)
    np.testing.assert_allclose(log_softmax(Value(a), axis=axis).data, expected, atol=1e-12)
    np.testing.assert_allclose(softmax(Value(a), axis=axis).data, np.exp(expected),
                               atol=1e-12)
    check_grad(lambda v: softmax(v, axis=axis), a)
    check_grad(lambda v: log_softmax(v, axis=axis), a)


def test_softmax_default_axis_is_last_and_rows_sum_to_one():
    a = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    p = softmax(Value(a)).data
    np.testing.assert_allclose(p.sum(axis=-1), [1.0, 1.0])
    np.testing.assert_allclose(p[1], [1 / 3] * 3)


def test_softmax_is_stable_for_large_logits():
    a = np.array([[1000.0, 1001.0], [-1000.0, -1001.0]])
    p = softmax(Value(a)).data
    lp = log_softmax(Value(a)).data
    assert np.isfinite(p).all() and np.isfinite(lp).all()
    np.testing.assert_allclose(lp, np_log_softmax(a, -1))


# ---------------------------------------------------------------- cross_entropy
@FEW
@given(n=st.integers(1, 5), c=st.integers(1, 5), seed=seeds)
def test_cross_entropy(n, c, seed):
    rng = np.random.default_rng(seed)
    logits = uniform(rng, (n, c), -3, 3)
    targets = rng.integers(0, c, size=n)
    expected = -np_log_softmax(logits, 1)[np.arange(n), targets].mean()
    loss = cross_entropy(Value(logits), targets)
    assert loss.item() == pytest.approx(expected, rel=1e-12)
    check_grad(lambda v: cross_entropy(v, targets), logits)


def test_cross_entropy_gradient_is_p_minus_onehot_over_n():
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    x = Value(logits)
    cross_entropy(x, np.array([0, 2])).backward()
    p = np.exp(np_log_softmax(logits, 1))
    p[[0, 1], [0, 2]] -= 1
    np.testing.assert_allclose(x.grad, p / 2)


def test_cross_entropy_accepts_a_list_of_targets():
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    a = cross_entropy(Value(logits), [1, 0]).item()
    b = cross_entropy(Value(logits), np.array([1, 0])).item()
    assert a == b


# ---------------------------------------------------------------- svm_loss
def hinge_scores(rng: np.random.Generator, n: int, c: int,
                 targets: np.ndarray) -> np.ndarray:
    """Scores on a 0.25 lattice with the true class lifted by 0.1: every margin
    s_j - s_y + delta (delta in {0.5, 1, 2}) stays at least 0.1 away from the hinge."""
    scores = rng.integers(-8, 9, size=(n, c)) * 0.25
    scores[np.arange(n), targets] += 0.1
    return scores


@FEW
@given(n=st.integers(1, 5), c=st.integers(2, 5), delta=st.sampled_from([0.5, 1.0, 2.0]),
       seed=seeds)
def test_svm_loss(n, c, delta, seed):
    rng = np.random.default_rng(seed)
    targets = rng.integers(0, c, size=n)
    scores = hinge_scores(rng, n, c, targets)
    loss = svm_loss(Value(scores), targets, delta=delta)
    assert loss.item() == pytest.approx(np_svm(scores, targets, delta), rel=1e-12)
    check_grad(lambda v: svm_loss(v, targets, delta=delta), scores)
    if delta == 1.0:
        assert svm_loss(Value(scores), targets).item() == loss.item()


def test_svm_loss_course_example():
    scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    targets = np.array([0, 1, 2])
    x = Value(scores)
    loss = svm_loss(x, targets)
    assert loss.item() == pytest.approx((2.9 + 0.0 + 12.9) / 3)
    loss.backward()
    expected = np.array([[-1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 1.0, -2.0]]) / 3
    np.testing.assert_allclose(x.grad, expected)


# ---------------------------------------------------------------- dropout
def test_dropout_scales_kept_units_and_routes_gradient_through_the_mask():
    manual_seed(0)
    a = np.linspace(0.5, 2.0, 400)
    x = Value(a)
    p = 0.3
    y = dropout(x, p)
    kept = y.data != 0
    np.testing.assert_allclose(y.data[kept], a[kept] / (1 - p))
    assert 0.2 < 1 - kept.mean() < 0.4
    up = np.arange(400.0)
    y.backward(up)
    np.testing.assert_allclose(x.grad, np.where(kept, up / (1 - p), 0.0))


def test_dropout_fixed_seed_is_reproducible():
    a = np.ones((5, 7))
    manual_seed(42)
    first = dropout(Value(a), 0.5).data
    manual_seed(42)
    second = dropout(Value(a), 0.5).data
    np.testing.assert_array_equal(first, second)
    assert set(np.unique(first)) <= {0.0, 2.0}


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_dropout_gradcheck_with_fixed_seed(p):
    def fn(v):
        manual_seed(7)
        return dropout(v, p)

    check_grad(fn, uniform(np.random.default_rng(1), (3, 4)))


def test_dropout_p_zero_and_eval_are_the_identity():
    a = uniform(np.random.default_rng(2), (3, 4))
    np.testing.assert_array_equal(dropout(Value(a), 0.0).data, a)
    np.testing.assert_array_equal(dropout(Value(a), 0.7, training=False).data, a)
    check_grad(lambda v: dropout(v, 0.0), a)
    check_grad(lambda v: dropout(v, 0.7, training=False), a)


# ---------------------------------------------------------------- conv2d
@st.composite
def conv_cases(draw):
    """x shape, w shape, stride, padding, bias flag, with the kernel fitting the padded input."""
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride, padding = draw(st.integers(1, 3)), draw(st.integers(0, 2))
    h = draw(st.integers(max(1, kh - 2 * padding), 6))
    w = draw(st.integers(max(1, kw - 2 * padding), 6))
    n, c, f = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return (n, c, h, w), (f, c, kh, kw), stride, padding, draw(st.booleans())


@FEW
@given(case=conv_cases(), seed=seeds)
def test_conv2d(case, seed):
    xs, ws, stride, padding, bias = case
    rng = np.random.default_rng(seed)
    x, w = uniform(rng, xs), uniform(rng, ws)
    b = uniform(rng, (ws[0],)) if bias else None
    s2, p2 = (stride, stride), (padding, padding)
    expected = conv2d_forward(x, w, b, s2, p2)
    vb = Value(b) if bias else None
    out = conv2d(Value(x), Value(w), vb, stride=stride, padding=padding)
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)
    if bias:
        check_grad(lambda x, w, b: conv2d(x, w, b, stride=stride, padding=padding), x, w, b)
    else:
        check_grad(lambda x, w: conv2d(x, w, stride=stride, padding=padding), x, w)


@FEW
@given(case=conv_cases(), seed=seeds)
def test_conv2d_grads_match_reference(case, seed):
    xs, ws, stride, padding, _ = case
    rng = np.random.default_rng(seed)
    x, w, b = Value(uniform(rng, xs)), Value(uniform(rng, ws)), Value(uniform(rng, (ws[0],)))
    out = conv2d(x, w, b, stride=stride, padding=padding)
    up = uniform(rng, out.shape)
    out.backward(up)
    dx, dw, db = conv2d_backward(up, x.data, w.data, (stride, stride), (padding, padding))
    np.testing.assert_allclose(x.grad, dx, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w.grad, dw, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.grad, db, rtol=1e-10, atol=1e-12)


def test_conv2d_small_example_by_hand():
    x = Value(np.arange(9.0).reshape(1, 1, 3, 3))
    w = Value(np.array([[[[1.0, 0.0], [0.0, -1.0]]]]))
    b = Value(np.array([0.5]))
    out = conv2d(x, w, b)
    np.testing.assert_array_equal(out.data, [[[[-3.5, -3.5], [-3.5, -3.5]]]])
    out.sum().backward()
    np.testing.assert_array_equal(w.grad, [[[[8.0, 12.0], [20.0, 24.0]]]])
    np.testing.assert_array_equal(b.grad, [4.0])
    np.testing.assert_array_equal(
        x.grad, [[[[1.0, 1.0, 0.0], [1.0, 0.0, -1.0], [0.0, -1.0, -1.0]]]])


def test_conv2d_float32_stays_float32():
    rng = np.random.default_rng(0)
    x = Value(uniform(rng, (2, 3, 5, 5)).astype(np.float32))
    w = Value(uniform(rng, (4, 3, 3, 3)).astype(np.float32))
    b = Value(np.zeros(4, np.float32))
    out = conv2d(x, w, b, padding=1)
    assert out.dtype == np.float32 and out.shape == (2, 4, 5, 5)
    out.sum().backward()
    assert x.grad.dtype == w.grad.dtype == b.grad.dtype == np.float32
    expected = conv2d_forward(x.data.astype(np.float64), w.data.astype(np.float64), None,
                              (1, 1), (1, 1))
    np.testing.assert_allclose(out.data, expected, rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------- max_pool2d
@st.composite
def pool_cases(draw):
    """x shape, kernel size and stride (None: the default) with the kernel fitting."""
    k = draw(st.integers(1, 3))
    stride = draw(st.one_of(st.none(), st.integers(1, 3)))
    h, w = draw(st.integers(k, 7)), draw(st.integers(k, 7))
    return (draw(st.integers(1, 2)), draw(st.integers(1, 3)), h, w), k, stride


@FEW
@given(case=pool_cases(), seed=seeds)
def test_max_pool2d(case, seed):
    xs, k, stride = case
    rng = np.random.default_rng(seed)
    x = gapped(rng, xs)
    s = k if stride is None else stride
    expected, argmax = max_pool2d_forward(x, (k, k), (s, s))
    xv = Value(x)
    out = max_pool2d(xv, k) if stride is None else max_pool2d(xv, k, stride=stride)
    np.testing.assert_array_equal(out.data, expected)
    up = uniform(rng, out.shape)
    out.backward(up)
    np.testing.assert_allclose(xv.grad, max_pool2d_backward(up, argmax, xs, (k, k), (s, s)))
    check_grad(lambda v: max_pool2d(v, k, stride), x)


def test_max_pool2d_overlapping_windows_accumulate():
    x = Value(np.array([[[[0.0, 1.0, 0.0], [0.0, 9.0, 0.0], [0.0, 0.0, 0.0]]]]))
    out = max_pool2d(x, 2, stride=1)
    np.testing.assert_array_equal(out.data, [[[[9.0, 9.0], [9.0, 9.0]]]])
    out.sum().backward()
    assert x.grad[0, 0, 1, 1] == 4.0
    assert x.grad.sum() == 4.0


def test_max_pool2d_rectangular_kernel():
    x = gapped(np.random.default_rng(5), (1, 2, 4, 6))
    expected, _ = max_pool2d_forward(x, (2, 3), (2, 3))
    np.testing.assert_array_equal(max_pool2d(Value(x), (2, 3)).data, expected)
    check_grad(lambda v: max_pool2d(v, (2, 3)), x)


# ---------------------------------------------------------------- a small CNN end to end
def test_small_cnn_gradcheck():
    rng = np.random.default_rng(11)
    x = uniform(rng, (2, 1, 6, 6))
    w1, b1 = uniform(rng, (3, 1, 3, 3)), uniform(rng, (3,))
    w2 = uniform(rng, (3 * 2 * 2, 4))
    targets = np.array([1, 3])

    def net(x, w1, b1, w2):
        h = conv2d(x, w1, b1, stride=1, padding=1).tanh()
        h = max_pool2d(h, 3)
        return cross_entropy(h.reshape(2, -1) @ w2, targets)

    check_grad(net, x, w1, b1, w2)
