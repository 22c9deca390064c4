"""autograd.grad: PyTorch's semantics (shapes, several outputs, grad_outputs, .grad untouched,
allow_unused, retain_graph), gradients of gradients to any order, backward(create_graph=True),
the provenance of recorded nodes, and a 10^5-node chain differentiated twice."""

from __future__ import annotations

import sys
import weakref

import numpy as np
import pytest

from autograd import GradgateError, GraphFreedError, Value, grad, maximum, no_grad
from autograd.differentiable import FORK
from autograd.origin import ORIGINS


def test_one_gradient_per_input_shaped_like_it():
    s, t = Value(2.0, label="s"), Value(np.array([[1.0, -2.0, 0.5]]))
    f = (s * t).sum()
    gs, gt = grad(f, [s, t], retain_graph=True)
    assert gs.is_scalar and gs.data == pytest.approx(-0.5)
    assert gt.shape == (1, 3) and gt.data.tolist() == [[2.0, 2.0, 2.0]]
    assert not gs.requires_grad and not gt.requires_grad and gs.is_leaf
    (only,) = grad(f, t)  # a single input gives a one-tuple
    assert only.data.tolist() == [[2.0, 2.0, 2.0]]


def test_broadcast_inputs_get_their_own_shape():
    a, b = Value(np.ones((2, 3))), Value(np.array([1.0, 2.0, 3.0]))
    ga, gb = grad((a * b).sum(), [a, b], create_graph=True)
    assert ga.shape == (2, 3) and gb.shape == (3,)
    assert gb.data.tolist() == [2.0, 2.0, 2.0]


def test_a_scalar_input_broadcast_into_a_tensor_gets_a_scalar_gradient():
    s = Value(3.0)
    (g,) = grad((s * Value(np.ones(4))).sum(), s, create_graph=True)
    assert g.is_scalar and g.data == 4.0


def test_no_grad_is_touched():
    x = Value(3.0)
    x.grad = 5.0
    grad(x * x, x)
    grad(x * x, x, create_graph=True)
    assert x.grad == 5.0


def test_several_outputs_add_weighted_by_grad_outputs():
    x = Value(np.array([1.0, 2.0]))
    a, b = x * x, x.exp()
    (g,) = grad([a, b], x, [np.array([1.0, 0.0]), np.array([2.0, 3.0])])
    np.testing.assert_allclose(g.data, [2.0 + 2 * np.e, 3 * np.exp(2.0)])


def test_a_non_scalar_output_needs_grad_outputs():
    x = Value(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="grad can be omitted only for a scalar"):
        grad(x * 2, x)
    with pytest.raises(GradgateError, match="2 outputs but 1 grad_outputs"):
        grad([x.sum(), x.sum()], x, [1.0])


def test_gradient_with_respect_to_an_intermediate_value():
    x = Value(2.0)
    h = x * x
    f = h.exp()
    gh, gx = grad(f, [h, x])
    assert gh.data == pytest.approx(np.exp(4.0))
    assert gx.data == pytest.approx(np.exp(4.0) * 4.0)


def test_unused_input_is_an_error_unless_allowed():
    x, unused = Value(2.0), Value(np.array([1.0, 2.0]), label="u")
    with pytest.raises(GradgateError, match=r"input 1 \('u'\) of shape \(2,\) is not used"):
        grad(x * 3, [x, unused])
    gx, gu = grad(x * 3, [x, unused], allow_unused=True)
    assert gx.data == 3.0 and gu.data.tolist() == [0.0, 0.0]
    assert (gu + 1).data.tolist() == [1.0, 1.0]  # a zero Value, so arithmetic works


def test_errors_for_outputs_or_inputs_without_grad():
    x, c = Value(1.0), Value(1.0, requires_grad=False)
    with pytest.raises(GradgateError, match="output 0 .* does not require grad"):
        grad(c * 2, x)
    with pytest.raises(GradgateError, match="input 0 .* does not require grad"):
        grad(x * c, c)
    with no_grad():
        y = x * 2
    with pytest.raises(GradgateError, match="does not require grad"):
        grad(y, x)
    with pytest.raises(TypeError, match="inputs must be Values; item 0 is a float"):
        grad(x * 2, [1.0])


def test_outputs_that_need_no_grad_add_nothing():
    """relu's recorded gradient is up × a constant mask: a constant, for a Hessian-vector
    product over several gradients."""
    w, b = Value(np.array([1.0, -2.0])), Value(0.5)
    f = ((w * np.array([3.0, 1.0])).sum() + b).relu()
    gw, gb = grad(f, [w, b], create_graph=True)
    assert gb.requires_grad is False and gw.requires_grad is False  # piecewise linear
    hw, hb = grad([gw, gb, (w * w).sum()], [w, b], [np.ones(2), 1.0, 1.0], allow_unused=True)
    assert hw.data.tolist() == [2.0, -4.0] and hb.data == 0.0
    with pytest.raises(GradgateError, match="none of the 2 outputs requires grad"):
        grad([gw, gb], [w, b], [np.ones(2), 1.0])
    assert grad([gw, gb], w, [np.ones(2), 1.0], allow_unused=True)[0].data.tolist() == [0, 0]


def test_retain_graph_defaults_to_create_graph():
    x = Value(np.array([1.0, 2.0]))
    y = x.max()  # needs its saved winner
    grad(y, x)
    with pytest.raises(GraphFreedError, match="max"):
        grad(y, x)
    z = x.max()
    grad(z, x, retain_graph=True)
    assert grad(z, x)[0].data.tolist() == [0.0, 1.0]
    w = x.max()
    grad(w, x, create_graph=True)
    assert grad(w, x)[0].data.tolist() == [0.0, 1.0]


def test_gradients_to_any_order_scalar():
    x = Value(0.7)
    g = x.tanh()
    derivatives = []
    for _ in range(4):
        (g,) = grad(g, x, create_graph=True)
        derivatives.append(g.data)
    t = np.tanh(0.7)
    expected = [1 - t**2, -2 * t * (1 - t**2), (1 - t**2) * (6 * t**2 - 2),
                -8 * t * (1 - t**2) * (3 * t**2 - 2)]
    np.testing.assert_allclose(derivatives, expected, rtol=1e-12)


def test_hessian_vector_product_at_tensor_scale():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((50, 50))
    sym = a @ a.T
    x, v = Value(rng.standard_normal(50)), rng.standard_normal(50)
    f = 0.5 * (x @ Value(sym) @ x) + x.exp().sum()
    (g,) = grad(f, x, create_graph=True)
    (hv,) = grad(g, x, grad_outputs=v)
    np.testing.assert_allclose(hv.data, sym @ v + np.exp(x.data) * v, rtol=1e-10)


def test_grad_outputs_as_a_value_is_differentiable():
    x, u = Value(2.0), Value(3.0)
    (g,) = grad(x * x, x, grad_outputs=u, create_graph=True)  # u * 2x
    gx, gu = grad(g, [x, u])
    assert (g.data, gx.data, gu.data) == (12.0, 6.0, 4.0)


def test_gradient_penalty_is_trained_through_the_gradient():
    """d/dw of |d(w·x)/dx|² = d/dw |w|² = 2w: the penalty's gradient reaches w."""
    w, x = Value(np.array([1.0, -2.0])), Value(np.array([0.5, 0.3]))
    (gx,) = grad((w * x).sum(), x, create_graph=True)
    penalty = (gx * gx).sum()
    penalty.backward()
    assert w.grad.tolist() == [2.0, -4.0]


def test_backward_with_create_graph_accumulates_and_records():
    x, y = Value(3.0, label="x"), Value(-4.0, label="y")
    x.grad = 1.0
    f = x * y + maximum(x, y)
    f.backward(create_graph=True)
    assert (x.grad, y.grad) == (1.0 + -4.0 + 1.0, 3.0)
    f.backward()  # the graph was retained
    assert x.grad == -5.0
    results = []
    for create_graph in (False, True):  # the same .grad as the ordinary backward
        a, b = Value(np.array([1.0, -2.0])), Value(np.array([[0.5], [3.0]]))
        ((a * b).tanh().sum() + maximum(a, 0.0).sum()).backward(create_graph=create_graph)
        results.append(np.concatenate([a.grad.ravel(), b.grad.ravel()]))
    np.testing.assert_allclose(results[1], results[0], rtol=1e-12)


def test_recorded_nodes_know_their_origin():
    x, y = Value(3.0, label="x"), Value(-4.0, label="y")
    f = x * y
    (gx,) = grad(f.tanh(), x, create_graph=True)
    # gx = (up of mul) * y, where up = 1 * (1 - tanh²): recorded by the mul and tanh backwards
    assert gx.origin.label == "backward of mul #2 · swaps"
    assert gx.origin.node is f
    labels = {v.origin.label for v in _graph(gx) if v.origin is not None}
    assert labels == {"backward of mul #2 · swaps", "backward of tanh #1 · local derivative"}
    assert x.origin is None and f.origin is None


def test_forks_add_and_say_so():
    x = Value(2.0, label="x")
    (g,) = grad(x * x * x, x, create_graph=True)
    assert g.origin.rule == FORK and g.origin.node is x
    assert g.origin.label == "fork at x #3 · gradients add"
    assert g.data == 12.0


def _graph(root: Value) -> list[Value]:
    from autograd.graph import topological_order

    return topological_order(root)


def test_double_backward_through_a_deep_chain_without_recursion():
    """A 10^5-node chain, differentiated twice, far past Python's recursion limit; every
    node is freed once the results are dropped."""
    n = 50_000  # two nodes per step: 10^5 nodes
    assert n > sys.getrecursionlimit() * 10
    tagged = len(ORIGINS)
    x = Value(0.1)
    h = x
    for _ in range(n):
        h = h * 0.99999 + 0.00001  # affine: d/dx = 0.99999^n, d²/dx² = 0
    f = h * h
    (g,) = grad(f, x, create_graph=True)
    (gg,) = grad(g, x)
    slope = 0.99999**n
    assert g.data == pytest.approx(2 * h.data * slope, rel=1e-9)
    assert gg.data == pytest.approx(2 * slope * slope, rel=1e-9)
    probe = weakref.ref(h)
    del f, g, gg, h
    assert probe() is None  # freed by reference counting, without the cyclic collector
    assert len(ORIGINS) == tagged  # and the provenance of the recorded nodes with them
