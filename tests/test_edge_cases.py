"""Results that used to be silently wrong: NaN through the max gates, sigmoid's precision for
large |x|, the type of a 0-d leaf's gradient, "no gradient yet", and a constant array exponent
on a negative base.  Each test pins the value PyTorch and NumPy give."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from autograd import Value, max_pool2d, maximum

nan = float("nan")
pytestmark = pytest.mark.filterwarnings("ignore::autograd.NonFiniteWarning")


def same(a, b) -> bool:
    """Equal as arrays, NaN equal to NaN."""
    return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True))


# ---------------------------------------------------------------- NaN wins every max gate
@pytest.mark.parametrize("a,b,grads", [(nan, 1.0, (1.0, 0.0)), (1.0, nan, (0.0, 1.0)),
                                       (nan, nan, (1.0, 0.0))])
def test_scalar_maximum_propagates_nan_and_routes_to_it(a, b, grads):
    x, y = Value(a), Value(b)
    m = maximum(x, y)
    m.backward()
    assert math.isnan(m.data)
    assert (x.grad, y.grad) == grads


def test_tensor_maximum_propagates_nan_in_both_orders():
    a = np.array([nan, 1.0, 2.0, nan])
    b = np.array([1.0, nan, 1.0, nan])
    for first, second in [(a, b), (b, a)]:
        x, y = Value(first), Value(second)
        m = maximum(x, y)
        m.sum().backward()
        assert same(m.data, np.maximum(first, second))
        winner_x = np.isnan(first) | (first >= second)
        assert same(x.grad, winner_x * 1.0) and same(y.grad, ~winner_x * 1.0)


def test_maximum_of_a_nan_scalar_and_a_tensor():
    assert same(maximum(Value(nan), Value(np.array([1.0, 2.0]))).data, [nan, nan])
    assert same(maximum(Value(np.array([1.0, 2.0])), nan).data, [nan, nan])


@pytest.mark.parametrize("data", [nan, np.array([nan, -1.0, 2.0]), np.array(nan)],
                         ids=["scalar", "tensor", "0-d"])
def test_relu_passes_nan_with_its_gradient(data):
    x = Value(data)
    y = x.relu()
    (y if y.is_scalar else y.sum()).backward()
    assert same(y.data, np.where(np.asarray(data) <= 0, 0.0, data))
    assert same(x.grad, np.where(np.asarray(data) <= 0, 0.0, 1.0))  # torch.relu's gradient


@pytest.mark.parametrize("axis", [None, 1])
def test_max_reduction_returns_nan_and_routes_to_the_first_nan(axis):
    data = np.array([[1.0, nan, nan], [3.0, 1.0, 2.0]])
    x = Value(data)
    m = x.max(axis=axis)
    m.sum().backward()
    assert same(m.data, np.max(data, axis=axis))
    expected = np.zeros_like(data)
    expected[0, 1] = 1.0
    if axis == 1:
        expected[1, 0] = 1.0
    assert same(x.grad, expected)


def test_max_pool_window_with_one_nan_gives_nan_and_routes_to_it():
    data = np.array([[[[1.0, nan], [3.0, 2.0]]]])
    x = Value(data)
    y = max_pool2d(x, 2)
    y.sum().backward()
    assert same(y.data, [[[[nan]]]])
    assert same(x.grad, [[[[0.0, 1.0], [0.0, 0.0]]]])


def test_max_pool_window_with_several_nans_routes_like_torch():
    torch = pytest.importorskip("torch")
    data = np.array([[[[1.0, nan], [nan, 2.0]]]])
    t = torch.tensor(data, requires_grad=True)
    torch.nn.functional.max_pool2d(t, 2).sum().backward()
    x = Value(data)
    max_pool2d(x, 2).sum().backward()
    assert same(x.grad, t.grad.numpy())


# ---------------------------------------------------------------- sigmoid precision
def exact_sigmoid(x: float) -> float:
    """1/(1+e**-x) in a form that is exact to rounding for any sign of x."""
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


@pytest.mark.parametrize("kind", ["scalar", "tensor"])
@pytest.mark.parametrize("x", [-745.0, -700.0, -40.0, -30.0, -5.0, 0.0, 5.0, 30.0, 40.0, 700.0])
def test_sigmoid_keeps_full_relative_precision(kind, x):
    v = Value(x if kind == "scalar" else np.array([x]))
    s = float(np.asarray(v.sigmoid().data).reshape(-1)[0])
    want = exact_sigmoid(x)
    assert s == pytest.approx(want, rel=1e-14, abs=0.0)


@pytest.mark.parametrize("kind", ["scalar", "tensor"])
def test_log_of_sigmoid_of_a_large_negative_input(kind):
    x = Value(-40.0 if kind == "scalar" else np.array([-40.0, -100.0]))
    y = x.sigmoid().log()
    want = -40.0 if kind == "scalar" else [-40.0, -100.0]
    np.testing.assert_allclose(y.data, want, rtol=1e-14)
    (y if y.is_scalar else y.sum()).backward()
    np.testing.assert_allclose(x.grad, 1.0 - np.asarray(want) * 0.0, rtol=1e-12)  # 1 - σ ≈ 1


@pytest.mark.parametrize("data", [-1000.0, 1000.0, np.array([-1000.0, 1000.0], np.float32)])
def test_sigmoid_at_the_ends_is_exact_silent_and_keeps_float32(data):
    x = Value(data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning: e**-|x| never overflows
        y = x.sigmoid()
        (y if y.is_scalar else y.sum()).backward()
    assert y.dtype == x.dtype
    assert np.array_equal(y.data, np.where(np.asarray(data) < 0, 0.0, 1.0))
    assert np.array_equal(x.grad, np.zeros_like(data))


# ---------------------------------------------------------------- 0-d tensor gradients
def test_zero_d_leaf_gradient_stays_an_array_over_two_backwards():
    v = Value(np.array(2.0))
    (v * 3.0).backward()
    (v * 3.0).backward()
    assert type(v.grad) is np.ndarray and v.grad.shape == () and v.grad == 6.0


def test_zero_d_leaf_gradient_read_before_backward_stays_an_array():
    v = Value(np.array(2.0, np.float32))
    assert type(v.grad) is np.ndarray and v.grad.shape == ()
    (v * v).backward()
    assert type(v.grad) is np.ndarray and v.grad.dtype == np.float32 and v.grad == 4.0


def test_zero_d_interior_gradient_stays_an_array():
    v = Value(np.array(2.0))
    h = v * 2.0
    (h * h).backward(retain_graph=True)
    (h * h).backward()
    assert type(h.grad) is np.ndarray and h.grad.shape == () and h.grad == 16.0


# ---------------------------------------------------------------- "no gradient yet"
@pytest.mark.parametrize("data", [2.0, np.array([1.0, 2.0], np.float32)], ids=["scalar", "tensor"])
def test_grad_reads_zero_until_a_gradient_arrives(data):
    v = Value(data)
    assert not v.has_grad
    assert np.array_equal(v.grad, np.zeros_like(data)) and np.shape(v.grad) == np.shape(data)
    assert np.asarray(v.grad).dtype == np.asarray(data).dtype
    assert not v.has_grad, "reading .grad must not create a gradient"
    y = v * 3.0
    (y if y.is_scalar else y.sum()).backward()
    assert v.has_grad and np.all(v.grad == 3.0)
    v.zero_grad()
    assert not v.has_grad and np.all(v.grad == 0.0)
    v.grad = 0.0
    assert v.has_grad and np.all(v.grad == 0.0)
    v.grad = None
    assert not v.has_grad


def test_unreached_leaf_has_no_gradient_after_backward():
    used, unused = Value(1.0), Value(np.ones(2))
    (used * 2.0).backward()
    assert used.has_grad and not unused.has_grad


def test_writing_into_a_gradient_that_does_not_exist_is_an_error():
    v = Value(np.ones(2))
    with pytest.raises(ValueError, match="read-only"):
        v.grad[0] = 5.0
    v.grad = [5.0, 0.0]  # assigning is the way to set one
    v.grad[1] = 1.0
    assert v.grad.tolist() == [5.0, 1.0]


# ---------------------------------------------------------------- constant array exponents
def test_negative_scalar_base_with_an_array_exponent():
    a = Value(-1.5)
    y = a ** np.array([2.0, 3.0])
    np.testing.assert_allclose(y.data, [2.25, -3.375])
    y.sum().backward()
    assert a.grad == pytest.approx(2 * -1.5 + 3 * 2.25)


def test_negative_tensor_base_with_a_constant_value_exponent():
    a = Value(np.array([-1.5, 2.0]))
    y = a ** Value(np.array([2.0, 3.0]), requires_grad=False)
    y.sum().backward()
    np.testing.assert_allclose(a.grad, [-3.0, 12.0])
