"""Value semantics promised in API.md: scalars as Python floats, tensors as arrays, dtypes,
gradient bookkeeping, operators with numbers and arrays, grad mode, gates and scopes."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import (
    Value,
    conv2d,
    cross_entropy,
    dropout,
    enable_grad,
    is_grad_enabled,
    log_softmax,
    max_pool2d,
    maximum,
    name_scope,
    no_grad,
    softmax,
    svm_loss,
)


# ---------------------------------------------------------------- scalars
def test_scalar_data_and_grad_are_python_floats():
    v = Value(3)
    assert type(v.data) is float and v.data == 3.0
    assert isinstance(v.grad, float) and v.grad == 0.0
    assert v.is_scalar
    y = v * v
    y.backward()
    assert isinstance(v.grad, float) and v.grad == 6.0
    assert float(v.grad) == 6.0
    assert f"{v.grad:.2f}" == "6.00"
    assert f"{y.data:.1f}" == "9.0"
    assert v.grad * 2 + 1 == 13.0


def test_scalar_shape_and_item():
    v = Value(2.5)
    assert v.shape == ()
    assert v.ndim == 0
    assert v.size == 1
    assert np.dtype(v.dtype) == np.float64
    assert v.item() == 2.5 and isinstance(v.item(), float)
    assert isinstance(v.numpy(), np.ndarray) and v.numpy() == 2.5


# ---------------------------------------------------------------- tensors and dtypes
def test_tensor_from_list_is_float64():
    v = Value([[1, 2, 3], [4, 5, 6]])
    assert isinstance(v.data, np.ndarray)
    assert v.dtype == np.float64 and v.data.dtype == np.float64
    assert v.shape == (2, 3) and v.ndim == 2 and v.size == 6
    assert not v.is_scalar
    np.testing.assert_array_equal(v.numpy(), [[1, 2, 3], [4, 5, 6]])
    assert isinstance(v.grad, np.ndarray)
    assert v.grad.shape == (2, 3) and not v.grad.any()


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint8, np.bool_])
def test_integer_arrays_are_promoted(dtype):
    v = Value(np.arange(4).astype(dtype))
    assert v.dtype == np.float64
    (v * 2).sum().backward()
    assert v.grad.dtype == np.float64
    np.testing.assert_array_equal(v.grad, [2, 2, 2, 2])


def test_float32_is_preserved_through_ops_and_grads():
    x = Value(np.array([1.0, 2.0, 3.0], dtype=np.float32))
    w = Value(np.array([[0.5], [0.25], [-1.0]], dtype=np.float32))
    assert x.dtype == np.float32
    y = ((x * 2.0 + 1.0).tanh() @ w).sum()
    assert y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32


def test_mixed_precision_keeps_each_leafs_grad_dtype():
    x32 = Value(np.ones(3, dtype=np.float32))
    x64 = Value(np.full(3, 2.0))
    y = (x32 * x64).sum()
    assert y.dtype == np.float64
    y.backward()
    assert x32.grad.dtype == np.float32 and x64.grad.dtype == np.float64
    np.testing.assert_array_equal(x32.grad, [2, 2, 2])


def test_zero_d_array_is_a_tensor():
    v = Value(np.array(2.0))
    assert isinstance(v.data, np.ndarray) and v.shape == ()
    (v * v).backward()
    assert float(v.grad) == 4.0


@pytest.mark.parametrize(
    "bad,words",
    [
        (np.array([1, "a"], dtype=object), ["object"]),
        (np.array(["a", "b"]), ["<U1"]),
        (np.array([1 + 2j]), ["complex"]),
        (1 + 2j, ["complex"]),
        ([1.0, [2.0, 3.0]], ["rectangular", "ragged", "inhomogeneous"]),
        ("abc", ["str", "<U3"]),
    ],
)
def test_refused_input_has_a_clear_message(bad, words):
    with pytest.raises((TypeError, ValueError)) as info:
        Value(bad)
    msg = str(info.value)
    assert "Value" in msg
    assert any(w in msg for w in words), msg


def test_item_needs_one_element():
    assert Value([[4.0]]).item() == 4.0
    with pytest.raises(ValueError, match="item"):
        Value([1.0, 2.0]).item()


# ---------------------------------------------------------------- grads
def test_grad_is_zero_before_backward_and_accumulates():
    x = Value([1.0, 2.0])
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])
    for k in range(1, 4):
        (x * x).sum().backward()
        np.testing.assert_array_equal(x.grad, k * np.array([2.0, 4.0]))
    x.zero_grad()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])
    assert x.grad.shape == (2,)


def test_scalar_grad_reset_by_assignment():
    p = Value(2.0)
    (p * 3).backward()
    (p * 3).backward()
    assert p.grad == 6.0
    p.grad = 0.0
    assert p.grad == 0.0
    (p * 3).backward()
    assert p.grad == 3.0
    p.zero_grad()
    assert p.grad == 0.0


def test_data_and_grad_are_assignable_for_update_loops():
    p = Value(np.array([1.0, -1.0]))
    loss = (p * p).sum()
    loss.backward()
    p.data = p.data - 0.25 * p.grad
    np.testing.assert_allclose(p.data, [0.5, -0.5])
    p.grad = np.zeros(2)
    (p * p).sum().backward()
    np.testing.assert_allclose(p.grad, [1.0, -1.0])
    s = Value(1.0)
    s.data = 4.0
    assert (s * s).data == 16.0
    s.grad = 2.5
    assert s.grad == 2.5


def test_label_is_settable():
    v = Value(1.0, label="x")
    assert v.label == "x"
    v.label = "renamed"
    assert v.label == "renamed"
    assert Value(2.0).label is None
    y = v * 2
    y.label = "y"
    assert y.label == "y"


def test_detach_shares_data_and_requires_no_grad():
    x = Value([1.0, 2.0])
    d = x.detach()
    assert d.requires_grad is False and d.is_leaf
    np.testing.assert_array_equal(d.data, x.data)
    y = (x * d).sum()
    y.backward()
    np.testing.assert_array_equal(x.grad, [1.0, 2.0])


# ---------------------------------------------------------------- operators with numpy
@pytest.mark.parametrize(
    "expr,expected",
    [
        (lambda a, v: a * v, [2.0, 4.0, 6.0]),
        (lambda a, v: a + v, [3.0, 4.0, 5.0]),
        (lambda a, v: a - v, [1.0, 0.0, -1.0]),
        (lambda a, v: a / v, [2.0, 1.0, 2.0 / 3.0]),
        (lambda a, v: a**v, [2.0, 4.0, 8.0]),
        (lambda a, v: a @ v, 12.0),
        (lambda a, v: v * a, [2.0, 4.0, 6.0]),
    ],
)
def test_numpy_array_on_the_left_gives_a_value(expr, expected):
    a = np.full(3, 2.0)
    v = Value([1.0, 2.0, 3.0])
    out = expr(a, v)
    assert isinstance(out, Value)
    np.testing.assert_allclose(out.data, expected)


def test_numpy_array_times_scalar_value():
    w = Value(2.0)
    out = np.ones(3) * w
    assert isinstance(out, Value) and out.shape == (3,)
    out.sum().backward()
    assert w.grad == 3.0


def test_python_numbers_on_either_side_of_scalars():
    x = Value(2.0)
    assert (1 + x).data == 3.0 and (x + 1).data == 3.0
    assert (1 - x).data == -1.0 and (x - 1).data == 1.0
    assert (3 * x).data == 6.0 and (x * 3).data == 6.0
    assert (1 / x).data == 0.5 and (x / 4).data == 0.5
    assert (2**x).data == 4.0 and (x**3).data == 8.0
    assert (-x).data == -2.0


# ---------------------------------------------------------------- backward's seed
def test_backward_on_non_scalar_without_grad_raises():
    y = Value([1.0, 2.0]) * 2
    with pytest.raises(ValueError):
        y.backward()


def test_backward_one_element_tensor_defaults_to_one():
    x = Value([[3.0]])
    (x * x).backward()
    np.testing.assert_array_equal(x.grad, [[6.0]])


def test_backward_with_explicit_grad():
    x = Value([1.0, 2.0, 3.0])
    (x * 2).backward(np.array([1.0, 10.0, 100.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 20.0, 200.0])


# ---------------------------------------------------------------- grad mode
def test_no_grad_records_nothing():
    x = Value([1.0, 2.0])
    with no_grad():
        assert not is_grad_enabled()
        y = (x * 2).exp().sum()
    assert is_grad_enabled()
    assert y.parents == ()
    assert y.gate is None
    assert y.is_leaf
    np.testing.assert_allclose(y.data, np.exp([2.0, 4.0]).sum())


def test_enable_grad_inside_no_grad_and_restoration_after_errors():
    x = Value(1.0)
    with no_grad():
        with enable_grad():
            y = x * 2
        z = x * 2
    assert y.parents[0] is x and y.gate.name == "mul"
    assert z.parents == ()
    with pytest.raises(KeyError):
        with no_grad():
            raise KeyError("boom")
    assert is_grad_enabled()


def test_nothing_recorded_when_no_input_requires_grad():
    a, b = Value(2.0, requires_grad=False), Value(3.0, requires_grad=False)
    y = a * b
    assert y.parents == () and y.gate is None
    c = Value(4.0)
    z = a * c
    assert z.parents == (a, c)


def test_parents_one_entry_per_use_in_argument_order():
    a, b = Value(1.0), Value(2.0)
    assert (a * a).parents == (a, a)
    assert (b - a).parents == (b, a)
    assert Value(5.0).parents == ()
    assert Value(5.0).gate is None and Value(5.0).is_leaf


# ---------------------------------------------------------------- gates
def _x():
    """A fresh positive 2x3 tensor leaf."""
    return Value(np.linspace(0.5, 1.5, 6).reshape(2, 3))


GATES = [
    (lambda: _x() + 1.0, "add", "add"),
    (lambda: _x() - 1.0, "sub", "add"),
    (lambda: _x().sum(), "sum", "add"),
    (lambda: _x() * 2.0, "mul", "mul"),
    (lambda: _x() @ np.ones(3), "matmul", "mul"),
    (lambda: conv2d(_x().reshape(1, 1, 2, 3), np.ones((1, 1, 1, 2))), "conv2d", "mul"),
    (lambda: dropout(_x(), 0.5), "dropout", "mul"),
    (lambda: maximum(_x(), 1.0), "maximum", "max"),
    (lambda: _x().relu(), "relu", "max"),
    (lambda: _x().max(), "max", "max"),
    (lambda: max_pool2d(_x().reshape(1, 1, 2, 3), 2), "max_pool2d", "max"),
    (lambda: svm_loss(_x(), np.array([0, 2])), "svm_loss", "max"),
    (lambda: _x().exp(), "exp", "local"),
    (lambda: _x().log(), "log", "local"),
    (lambda: _x().tanh(), "tanh", "local"),
    (lambda: _x().sigmoid(), "sigmoid", "local"),
    (lambda: _x() ** 2, "pow", "local"),
    (lambda: _x() / 2.0, "div", "local"),
    (lambda: _x().mean(), "mean", "local"),
    (lambda: softmax(_x()), "softmax", "local"),
    (lambda: log_softmax(_x()), "log_softmax", "local"),
    (lambda: cross_entropy(_x(), np.array([0, 2])), "cross_entropy", "local"),
    (lambda: -_x(), "neg", None),
    (lambda: _x().reshape(3, 2), "reshape", None),
    (lambda: _x().transpose(), "transpose", None),
    (lambda: _x()[0], "getitem", None),
]
RULES = {
    "add": "distributes",
    "mul": "swaps",
    "max": "routes",
    "local": "multiplies by its local derivative",
}


@pytest.mark.parametrize("make,name,family", GATES, ids=[g[1] for g in GATES])
def test_gate_name_family_and_rule(make, name, family):
    gate = make().gate
    assert isinstance(gate, autograd.Gate)
    assert gate.name == name
    assert gate.family in RULES
    if family is not None:
        assert gate.family == family
    assert gate.rule == RULES[gate.family]
    assert name in str(gate) and gate.rule in str(gate)


def test_scalar_ops_have_the_same_gates():
    a, b = Value(2.0), Value(3.0)
    assert (a * b).gate.name == "mul" and (a * b).gate.family == "mul"
    assert (a + b).gate.family == "add"
    assert maximum(a, b).gate.family == "max"
    assert (a**b).gate.name == "pow" and (a**b).gate.family == "local"


def test_parametrised_gates_expose_their_parameters():
    x = _x()
    assert x.sum(axis=1).gate.axis in (1, (1,))
    assert (x**3).gate.exponent == 3
    img = Value(np.ones((1, 1, 5, 5)))
    conv = conv2d(img, Value(np.ones((1, 1, 3, 3))), stride=2, padding=1).gate
    assert conv.stride in (2, (2, 2)) and conv.padding in (1, (1, 1))
    assert max_pool2d(img, 2).gate.kernel_size in (2, (2, 2))
    assert dropout(x, 0.25).gate.p == 0.25


# ---------------------------------------------------------------- scopes
def test_name_scope_nests_with_dots():
    x = Value(1.0)
    with name_scope("encoder"):
        with name_scope("layer1"):
            y = x * 2
        z = y + 1
    w = z * 3
    assert y.scope == "encoder.layer1"
    assert z.scope == "encoder"
    assert w.scope is None
