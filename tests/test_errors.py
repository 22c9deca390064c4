"""Bad input gets a clear message naming the op and the shapes or values (or, for values
that turn non-finite, a NonFiniteWarning naming the op) — never a bare numpy traceback."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable

import numpy as np
import pytest

from autograd import (
    NonFiniteWarning,
    Value,
    conv2d,
    cross_entropy,
    dropout,
    max_pool2d,
    svm_loss,
)


def error_message(fn: Callable[[], object], kinds=(ValueError,)) -> str:
    """The message of the error (one of ``kinds``) that fn raises."""
    with pytest.raises(kinds) as info:
        fn()
    return str(info.value)


def error_or_warning(fn: Callable[[], object]) -> str:
    """Run fn; return the message of the ValueError/ArithmeticError it raises or of the
    first NonFiniteWarning it emits (failing the test if it does neither)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fn()
        except (ValueError, ArithmeticError) as err:
            return str(err)
    ours = [w for w in caught if issubclass(w.category, NonFiniteWarning)]
    assert ours, f"neither an error nor a NonFiniteWarning; got {[str(w) for w in caught]}"
    return str(ours[0].message)


def mentions(msg: str, *needles: str) -> None:
    """Assert each needle appears in msg as a whole word ("pow" is not found in "power")."""
    for needle in needles:
        pattern = re.escape(needle)
        if needle[0].isalnum():
            pattern = r"\b" + pattern
        if needle[-1].isalnum():
            pattern += r"\b"
        assert re.search(pattern, msg), f"{needle!r} not in message {msg!r}"


# ---------------------------------------------------------------- shapes
@pytest.mark.parametrize("op,name", [
    (lambda a, b: a + b, "add"),
    (lambda a, b: a - b, "sub"),
    (lambda a, b: a * b, "mul"),
    (lambda a, b: a / b, "div"),
])
def test_broadcast_mismatch_names_op_and_shapes(op, name):
    a, b = Value(np.ones((2, 3))), Value(np.ones((4,)))
    mentions(error_message(lambda: op(a, b)), name, "(2, 3)", "(4,)")


def test_broadcast_mismatch_with_a_numpy_array():
    a = Value(np.ones((2, 3)))
    mentions(error_message(lambda: a * np.ones((3, 2))), "mul", "(2, 3)", "(3, 2)")
    mentions(error_message(lambda: np.ones((3, 2)) + a), "add", "(2, 3)", "(3, 2)")


@pytest.mark.parametrize("sa,sb", [((2, 3), (4, 5)), ((3,), (4,)), ((2, 3), (2,)),
                                   ((5, 2, 3), (4, 2))])
def test_matmul_inner_dim_mismatch(sa, sb):
    a, b = Value(np.ones(sa)), Value(np.ones(sb))
    mentions(error_message(lambda: a @ b), "matmul", str(sa), str(sb))


def test_matmul_of_scalars_is_refused():
    mentions(error_message(lambda: Value(2.0) @ Value(3.0), (ValueError, TypeError)),
             "matmul")


def test_reshape_to_wrong_size():
    x = Value(np.ones((2, 3)))
    mentions(error_message(lambda: x.reshape(4, 2)), "reshape", "(2, 3)", "(4, 2)")


def test_transpose_with_bad_axes():
    x = Value(np.ones((2, 3, 4)))
    mentions(error_message(lambda: x.transpose(0, 0, 1)), "transpose")
    mentions(error_message(lambda: x.transpose(0, 1)), "transpose")


@pytest.mark.parametrize("method", ["sum", "mean", "max"])
def test_reduction_axis_out_of_range(method):
    x = Value(np.ones((2, 3)))
    msg = error_message(lambda: getattr(x, method)(axis=2), (ValueError, IndexError))
    mentions(msg, method, "2")


def test_getitem_out_of_range_is_an_index_error():
    x = Value(np.ones(3))
    with pytest.raises(IndexError):
        x[5]
    with pytest.raises(IndexError):
        x[[0, 3]]


def test_backward_grad_of_wrong_shape():
    y = Value(np.ones(2)) * 2
    mentions(error_message(lambda: y.backward(np.ones(3))), "(3,)", "(2,)")


def test_backward_without_grad_on_a_matrix_names_the_shape():
    y = Value(np.ones((2, 3))) * 2
    mentions(error_message(lambda: y.backward()), "(2, 3)")


# ---------------------------------------------------------------- dtypes
def test_string_array_operand_is_refused():
    x = Value(np.ones(2))
    msg = error_message(lambda: x * np.array(["a", "b"]), (TypeError, ValueError))
    assert "<U1" in msg or "str" in msg, msg


def test_object_operand_is_refused():
    x = Value(np.ones(2))
    msg = error_message(lambda: x + np.array([object(), object()]), (TypeError, ValueError))
    assert "object" in msg, msg
    with pytest.raises(TypeError):
        x + "text"


def test_int_operands_are_promoted():
    x = Value(np.array([1.5, 2.5]))
    y = x * np.array([2, 3])
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y.data, [3.0, 7.5])


# ---------------------------------------------------------------- non-finite values
@pytest.mark.parametrize("data", [-1.0, 0.0, np.array([1.0, -2.0]), np.array([[0.0, 1.0]])])
def test_log_of_non_positive(data):
    mentions(error_or_warning(lambda: Value(data).log()), "log")


@pytest.mark.parametrize("base", [-2.0, 0.0, np.array([1.0, -3.0]), np.array([0.0, 2.0])])
def test_value_exponent_on_non_positive_base(base):
    def run():
        a, b = Value(base), Value(2.0)
        y = a**b
        (y if y.is_scalar else y.sum()).backward()

    mentions(error_or_warning(run), "pow")


def test_exp_overflow_in_forward():
    mentions(error_or_warning(lambda: Value(np.array([1.0, 800.0])).exp()), "exp")
    mentions(error_or_warning(lambda: Value(800.0).exp()), "exp")


def test_division_by_zero_in_forward():
    mentions(error_or_warning(lambda: Value(1.0) / Value(0.0)), "div")
    mentions(error_or_warning(lambda: Value(np.ones(2)) / np.array([1.0, 0.0])), "div")


def test_non_finite_in_backward_only():
    def run():
        x = Value(np.array([0.0, 4.0]))
        y = x**0.5
        np.testing.assert_array_equal(y.data, [0.0, 2.0])
        y.sum().backward()

    mentions(error_or_warning(run), "pow")


@pytest.mark.parametrize("op,name", [
    (lambda x: x * 1e10, "mul"),
    (lambda x: x + x, "add"),
    (lambda x: -x - x, "sub"),
])
@pytest.mark.parametrize("kind", ["scalar", "tensor"])
def test_overflow_in_arithmetic_forward(op, name, kind):
    data = 1e308 if kind == "scalar" else np.array([1.0, 1e308])
    mentions(error_or_warning(lambda: op(Value(data))), name)


@pytest.mark.parametrize("method", ["sum", "mean"])
def test_overflow_in_reduction_forward(method):
    x = Value(np.array([1e308, 1e308]))
    mentions(error_or_warning(lambda: getattr(x, method)()), method)


def test_overflow_in_matmul_forward():
    a = Value(np.array([[1e200, 1.0]]))
    mentions(error_or_warning(lambda: a @ np.array([1e200, 1.0])), "matmul")


@pytest.mark.parametrize("run", [
    lambda: Value(10.0) ** 400,
    lambda: 2.0 ** Value(1e4),
    lambda: Value(np.array([10.0])) ** 400,
], ids=["scalar_base", "scalar_exponent", "tensor"])
def test_overflow_in_pow_forward(run):
    mentions(error_or_warning(run), "pow")


@pytest.mark.parametrize("run, op", [
    (lambda: Value(1.0) / Value(0.0), "div"),
    (lambda: Value(1000.0).exp(), "exp"),
    (lambda: Value(10.0) ** 400, "pow"),
    (lambda: 2.0 ** Value(1e4), "pow"),
    (lambda: Value(1e308) * 10, "mul"),
    (lambda: Value(np.array([1.0, 0.0])) / 0.0, "div"),
    (lambda: Value(np.array([1.0, 800.0])).exp(), "exp"),
    (lambda: Value(np.array([1e308, 1e308])).sum(), "sum"),
    (lambda: Value(np.array([[1e200, 1.0]])) @ np.array([1e200, 1.0]), "matmul"),
    (lambda: conv2d(Value(np.full((1, 1, 2, 2), 1e200)), np.full((1, 1, 2, 2), 1e200)),
     "conv2d"),
    (lambda: (Value(1.0) / Value(0.0)) * 2 + Value(np.ones(2)), "div"),
], ids=["scalar_div", "scalar_exp", "scalar_pow", "scalar_exponent", "scalar_mul",
        "tensor_div", "tensor_exp", "tensor_sum", "matmul", "conv2d", "downstream"])
def test_a_non_finite_forward_warns_exactly_once_naming_the_op(run, op):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run()
    assert [w.category for w in caught] == [NonFiniteWarning], [str(w.message) for w in caught]
    assert str(caught[0].message).startswith(f"{op}: forward produced ")


def test_a_large_finite_output_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = Value(np.array([1e308, 1e308], np.float64)) * 1.0  # its sum overflows, it does not
    assert np.isfinite(y.data).all()


def test_non_finite_in_scalar_backward_only():
    def run():
        x = Value(0.0)
        y = x**0.5
        assert y.data == 0.0
        y.backward()

    mentions(error_or_warning(run), "pow")


def test_nan_input_data_is_flagged():
    mentions(error_or_warning(lambda: Value(np.array([1.0, np.nan]))), "Value")


# ---------------------------------------------------------------- conv2d
def test_conv2d_channel_mismatch():
    x, w = Value(np.ones((1, 3, 5, 5))), Value(np.ones((2, 4, 3, 3)))
    mentions(error_message(lambda: conv2d(x, w)), "conv2d", "(1, 3, 5, 5)", "(2, 4, 3, 3)")


def test_conv2d_kernel_larger_than_padded_input():
    x, w = Value(np.ones((1, 1, 3, 3))), Value(np.ones((1, 1, 5, 5)))
    msg = error_message(lambda: conv2d(x, w))
    mentions(msg, "conv2d", "(1, 1, 3, 3)")
    assert "(1, 1, 5, 5)" in msg or "5x5" in msg, msg
    assert conv2d(x, w, padding=1).shape == (1, 1, 1, 1)


@pytest.mark.parametrize("stride", [0, -1, 1.5])
def test_conv2d_bad_stride(stride):
    x, w = Value(np.ones((1, 1, 5, 5))), Value(np.ones((1, 1, 3, 3)))
    mentions(error_message(lambda: conv2d(x, w, stride=stride), (ValueError, TypeError)),
             "conv2d", "stride")


def test_conv2d_bad_padding():
    x, w = Value(np.ones((1, 1, 5, 5))), Value(np.ones((1, 1, 3, 3)))
    mentions(error_message(lambda: conv2d(x, w, padding=-1), (ValueError, TypeError)),
             "conv2d", "padding")


def test_conv2d_bias_and_rank():
    x, w = Value(np.ones((1, 2, 5, 5))), Value(np.ones((3, 2, 3, 3)))
    mentions(error_message(lambda: conv2d(x, w, Value(np.ones(2)))), "conv2d", "(2,)")
    mentions(error_message(lambda: conv2d(Value(np.ones((2, 5, 5))), w)), "conv2d",
             "(2, 5, 5)")
    mentions(error_message(lambda: conv2d(x, Value(np.ones((3, 2, 3))))), "conv2d",
             "(3, 2, 3)")


# ---------------------------------------------------------------- max_pool2d
def test_max_pool2d_kernel_larger_than_input():
    x = Value(np.ones((1, 1, 2, 2)))
    mentions(error_message(lambda: max_pool2d(x, 3)), "max_pool2d", "(1, 1, 2, 2)")


@pytest.mark.parametrize("args", [(0,), (2, 0), (-2,)])
def test_max_pool2d_bad_kernel_or_stride(args):
    x = Value(np.ones((1, 1, 4, 4)))
    mentions(error_message(lambda: max_pool2d(x, *args), (ValueError, TypeError)),
             "max_pool2d")


def test_max_pool2d_needs_4d():
    mentions(error_message(lambda: max_pool2d(Value(np.ones((4, 4))), 2)), "max_pool2d",
             "(4, 4)")


# ---------------------------------------------------------------- losses
@pytest.mark.parametrize("loss", [cross_entropy, svm_loss], ids=["cross_entropy", "svm_loss"])
@pytest.mark.parametrize("targets", [np.array([0, 3]), np.array([-1, 0]), np.array([0]),
                                     np.array([0, 1, 2]), np.array([[0, 1]]),
                                     np.array([0.5, 1.0])])
def test_loss_targets_out_of_range_or_wrong_length(loss, targets):
    scores = Value(np.ones((2, 3)))
    msg = error_message(lambda: loss(scores, targets), (ValueError, IndexError, TypeError))
    mentions(msg, loss.__name__)


@pytest.mark.parametrize("loss", [cross_entropy, svm_loss], ids=["cross_entropy", "svm_loss"])
def test_loss_scores_must_be_a_batch(loss):
    msg = error_message(lambda: loss(Value(np.ones(3)), np.array([0])))
    mentions(msg, loss.__name__, "(3,)")


# ---------------------------------------------------------------- dropout
@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan")])
def test_dropout_p_outside_unit_interval(p):
    mentions(error_message(lambda: dropout(Value(np.ones(3)), p)), "dropout", str(p))


def test_dropout_p_one_drops_everything():
    x = Value(np.ones(4))
    y = dropout(x, 1.0)
    y.sum().backward()
    assert y.data.tolist() == [0.0] * 4 and x.grad.tolist() == [0.0] * 4


@pytest.mark.parametrize("size", [10, 10_000])
def test_huge_finite_arrays_are_finite_and_nan_anywhere_is_not(size) -> None:
    """The quick x·x test overflows on huge finite values: no warning of any kind then, and
    a NaN or inf at any position is still found, in data and in gradients."""
    big = np.full(size, 1e200)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = Value(big)
        (v * 1.0).backward(np.full(size, 1e200))
    assert np.isfinite(v.grad).all()
    for bad in (np.nan, np.inf):
        data = big.copy()
        data[size // 2] = bad
        with pytest.warns(NonFiniteWarning, match=f"shape \\({size},\\)"):
            Value(data)
