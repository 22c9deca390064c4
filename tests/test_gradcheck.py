"""gradcheck itself: accepts correct gradients, and on a wrong one raises an AssertionError
naming the input, the index and both values.

Wrong gradients are made honestly, without touching the engine: a term whose value cancels
but whose gradient does not (x*c - detach(x)*c), or a factor computed under no_grad() that
the backward pass then treats as a constant.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from autograd import Value, gradcheck, no_grad

NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def numbers_in(msg: str) -> list[float]:
    """Every number written in msg."""
    return [float(m) for m in NUMBER.findall(msg)]


def has_number_near(msg: str, value: float, tol: float = 1e-4) -> bool:
    """Whether msg writes a number within tol (relative) of value."""
    return any(abs(n - value) <= tol * max(1.0, abs(value)) for n in numbers_in(msg))


def test_returns_true_for_correct_gradients():
    x = Value(np.array([[0.5, -1.0, 2.0], [0.3, 0.1, -0.7]]))
    w = Value(np.array([1.5, -0.5, 0.25]))
    assert gradcheck(lambda x, w: ((x * w).tanh() @ w).exp().sum(), [x, w]) is True


def test_scalar_inputs():
    a, b = Value(1.5), Value(-0.7)
    assert gradcheck(lambda a, b: (a * b + a**2).sigmoid() / (b * b + 1), [a, b]) is True


def test_mixed_scalar_and_tensor_inputs():
    s, t = Value(0.8), Value(np.array([0.1, 0.2, -0.4]))
    assert gradcheck(lambda s, t: (s * t).exp().sum() * s, [s, t]) is True


def test_non_scalar_output():
    x = Value(np.array([[0.5, -1.0], [2.0, 0.3]]))
    assert gradcheck(lambda x: x.tanh() @ x, [x]) is True


def test_input_the_output_does_not_depend_on():
    a, b = Value(np.array([1.0, 2.0])), Value(np.array([3.0]))
    assert gradcheck(lambda a, b: (a * a).sum() + 0 * b.sum(), [a, b]) is True


def test_wrong_gradient_in_one_element_names_input_index_and_values():
    c = np.zeros((3, 4))
    c[1, 2] = 5.0
    bias = Value(np.full((3, 4), 0.25), label="bias_in")
    x_data = np.linspace(-1, 1, 12).reshape(3, 4)
    x_data[1, 2] = 0.75
    x = Value(x_data, label="weights_in")

    def fn(bias, x):
        honest = (x * x + bias).sum()
        cancelling = (x * c).sum() - (x.detach() * c).sum()  # value 0, gradient c
        return honest + cancelling

    with pytest.raises(AssertionError) as info:
        gradcheck(fn, [bias, x])
    msg = str(info.value)
    assert "weights_in" in msg or re.search(r"input\D{0,3}1\b", msg), msg
    assert re.search(r"[(\[]\s*1\s*,\s*2\s*[)\]]", msg), msg
    assert has_number_near(msg, 2 * 0.75 + 5.0), msg  # analytic
    assert has_number_near(msg, 2 * 0.75), msg  # numerical


def test_wrong_gradient_from_a_no_grad_factor_on_a_scalar():
    x = Value(0.5, label="x")

    def fn(x):
        with no_grad():
            factor = x.exp()
        return x * factor  # true derivative e^x (1 + x); backward sees only e^x

    with pytest.raises(AssertionError) as info:
        gradcheck(fn, [x])
    msg = str(info.value)
    assert "x" in msg
    assert has_number_near(msg, np.exp(0.5)), msg
    assert has_number_near(msg, np.exp(0.5) * 1.5), msg


def test_wrong_gradient_in_the_first_of_several_inputs():
    a, b = Value(np.array([0.3, -0.2])), Value(np.array([1.0, 2.0]))

    def fn(a, b):
        return (a * b).sum() + (a * 3.0).sum() - (a.detach() * 3.0).sum()

    with pytest.raises(AssertionError, match=r"input\D{0,3}0"):
        gradcheck(fn, [a, b])


def test_small_errors_pass_within_tolerance_large_ones_do_not():
    x = Value(np.array([1.0, 2.0]))

    def make(scale):
        def fn(x):
            return (x * x).sum() + (x * scale).sum() - (x.detach() * scale).sum()
        return fn

    assert gradcheck(make(1e-7), [x]) is True
    with pytest.raises(AssertionError):
        gradcheck(make(1e-2), [x])
    assert gradcheck(make(1e-2), [x], atol=0.1) is True


def test_float32_inputs_are_checked_in_float64():
    data = np.array([[0.5, -1.25, 2.0], [0.75, 0.125, -0.5]], dtype=np.float32)
    x = Value(data.copy())

    def fn(x):
        return (x.exp() * x).tanh().sum() + (x * x * x).sum()

    assert gradcheck(fn, [x]) is True
    assert x.dtype == np.float32
    np.testing.assert_array_equal(x.data, data)


def test_inputs_are_left_unchanged():
    x = Value(np.array([0.3, -0.6]))
    s = Value(1.25)
    assert gradcheck(lambda x, s: (x * s).exp().sum(), [x, s]) is True
    np.testing.assert_array_equal(x.data, [0.3, -0.6])
    assert s.data == 1.25
