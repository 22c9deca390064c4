"""Backward: the course's circuits, forks, depth, order, retain_graph and freed graphs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import seeds
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import GraphFreedError, Value, maximum
from autograd.graph import backward_order, local_backward, topological_order


# ---------------------------------------------------------------- the course's circuits
def test_add_mul_max_circuit():
    x, y, z, w = Value(3.0), Value(-4.0), Value(2.0), Value(-1.0)
    f = 2 * (x * y + maximum(z, w))
    f.backward()
    assert f.data == -20.0
    assert (x.grad, y.grad, z.grad, w.grad) == (-8.0, 6.0, 2.0, 0.0)


@pytest.mark.parametrize("explicit", [False, True])
def test_sigmoid_neuron(explicit):
    w0, x0, w1, x1, b = Value(2.0), Value(-1.0), Value(-3.0), Value(-2.0), Value(-3.0)
    n = w0 * x0 + w1 * x1 + b
    out = 1 / (1 + (-n).exp()) if explicit else n.sigmoid()
    out.backward()
    s = 1 / (1 + math.exp(-1.0))
    assert out.data == pytest.approx(s) == pytest.approx(0.7311, abs=1e-4)
    ds = s * (1 - s)
    assert w0.grad == pytest.approx(-ds) == pytest.approx(-0.1966, abs=1e-4)
    assert x0.grad == pytest.approx(2 * ds) == pytest.approx(0.3932, abs=1e-4)
    assert w1.grad == pytest.approx(-2 * ds) == pytest.approx(-0.3932, abs=1e-4)
    assert x1.grad == pytest.approx(-3 * ds) == pytest.approx(-0.5898, abs=1e-4)
    assert b.grad == pytest.approx(ds)


def test_shared_nodes_accumulate():
    a = Value(3.0)
    ((a + a) + (a + a)).backward()
    assert a.grad == 4.0
    b = Value(3.0)
    c = b + b
    (c + c).backward()
    assert b.grad == 4.0 and c.grad == 2.0
    d = Value(3.0)
    sq = d * d
    assert sq.parents == (d, d)
    sq.backward()
    assert d.grad == 6.0


def test_micrograd_sanity_example():
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    assert y.data == -20.0
    assert x.grad == 46.0


def test_micrograd_more_ops_example():
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert g.data == pytest.approx(24.70408163265306, rel=1e-12)
    assert a.grad == pytest.approx(138.83381924198252, rel=1e-12)
    assert b.grad == pytest.approx(645.5772594752187, rel=1e-12)


# ---------------------------------------------------------------- parity with micrograd
PROGRAM_OPS = {
    "add": lambda a, b: (a + b) * 0.5,
    "sub": lambda a, b: (a - b) * 0.5,
    "mul": lambda a, b: a * b / (a * a + b * b + 1.0),
    "relu": lambda a, b: a.relu() * 0.5 - 0.25,
    "neg": lambda a, b: -a,
    "sq": lambda a, b: a**2 / (a**2 + 1),
    "div": lambda a, b: a / (b * b + 1.0),
}

# A random straight-line program over scalars: each step combines two earlier values with a
# bounded op (no overflow however long the program).
programs = st.lists(
    st.tuples(st.sampled_from(sorted(PROGRAM_OPS)), st.integers(0, 10**6), st.integers(0, 10**6)),
    min_size=1, max_size=25)


def run_program(cls, inputs, steps):
    """Run a program with Value class ``cls``; return the output and the inputs' grads."""
    vals = [cls(v) for v in inputs]
    leaves = list(vals)
    for op, i, j in steps:
        vals.append(PROGRAM_OPS[op](vals[i % len(vals)], vals[j % len(vals)]))
    out = vals[-1]
    for v in vals:
        out = out + v * 0.01
    out.backward()
    return out.data, [v.grad for v in leaves]


@settings(max_examples=40, deadline=None)
@given(steps=programs, seed=seeds)
def test_random_scalar_programs_match_micrograd(steps, seed):
    micrograd = pytest.importorskip("micrograd.engine")
    inputs = np.random.default_rng(seed).uniform(-2, 2, size=3).round(3).tolist()
    ours, our_grads = run_program(Value, inputs, steps)
    theirs, their_grads = run_program(micrograd.Value, inputs, steps)
    assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12)
    assert our_grads == pytest.approx(their_grads, rel=1e-9, abs=1e-12)


# ---------------------------------------------------------------- depth and fan-out
def test_deep_scalar_chain_of_a_million_nodes():
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = -y
    y.backward()
    assert y.data == 0.5
    assert x.grad == 1.0


def test_deep_tensor_chain():
    x = Value(np.array([0.5, -1.0, 2.0]))
    y = Value(np.zeros(3))
    for _ in range(100_000):
        y = y + x
    y.sum().backward()
    np.testing.assert_allclose(y.data, 100_000 * x.data)
    np.testing.assert_array_equal(x.grad, [100_000.0] * 3)


def test_nested_diamonds_visit_each_node_once():
    x = Value(1.0)
    y = x
    for _ in range(60):
        y = y + y
    y.backward()
    assert y.data == 2.0**60
    assert x.grad == 2.0**60
    assert len(backward_order(y)) == 61


# ---------------------------------------------------------------- order
def _graph():
    """A small scalar DAG with forks: returns the root and every node."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    d = c + a
    e = d.tanh() * c
    return e, [a, b, c, d, e]


def test_topological_order_parents_before_children():
    e, nodes = _graph()
    order = topological_order(e)
    assert order[-1] is e
    assert len(order) == len({id(n) for n in order})
    pos = {id(n): i for i, n in enumerate(order)}
    for n in nodes:
        assert id(n) in pos
    for n in order:
        for p in n.parents:
            assert pos[id(p)] < pos[id(n)]


def test_backward_order_root_first_each_node_once():
    e, nodes = _graph()
    order = backward_order(e)
    assert order[0] is e
    ids = [id(n) for n in order]
    assert len(ids) == len(set(ids))
    pos = {i: k for k, i in enumerate(ids)}
    for n in order:
        for p in n.parents:
            if id(p) in pos:
                assert pos[id(p)] > pos[id(n)]
    assert {id(n) for n in nodes} <= set(ids)


def test_intermediate_nodes_get_correct_grads():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + a
    t = d.tanh()
    e = t * c
    e.backward()
    dt = c.data
    dd = dt * (1 - math.tanh(d.data) ** 2)
    dc = t.data + dd
    assert e.grad == 1.0
    assert t.grad == pytest.approx(dt)
    assert d.grad == pytest.approx(dd)
    assert c.grad == pytest.approx(dc)
    assert a.grad == pytest.approx(dc * b.data + dd)
    assert b.grad == pytest.approx(dc * a.data)


def test_intermediate_tensor_grads():
    x = Value(np.array([[1.0, 2.0], [3.0, 4.0]]))
    h = x * 3.0
    s = h.sum(axis=0)
    (s * np.array([1.0, -1.0])).sum().backward()
    np.testing.assert_array_equal(s.grad, [1.0, -1.0])
    np.testing.assert_array_equal(h.grad, [[1.0, -1.0], [1.0, -1.0]])
    np.testing.assert_array_equal(x.grad, [[3.0, -3.0], [3.0, -3.0]])


# ---------------------------------------------------------------- retain_graph and freeing
def _tensor_graph():
    """A small tensor graph (matmul, tanh, mul, exp, sum): root, x, w and the tanh node."""
    x = Value(np.array([[0.5, -1.0], [2.0, 0.25]]))
    w = Value(np.array([[1.0], [-2.0]]))
    hidden = (x @ w).tanh()
    return (hidden * hidden).exp().sum(), x, w, hidden


def test_retain_graph_second_backward_doubles_leaf_grads():
    y, x, w, _ = _tensor_graph()
    y.backward(retain_graph=True)
    gx, gw = x.grad.copy(), w.grad.copy()
    y.backward()
    np.testing.assert_allclose(x.grad, 2 * gx)
    np.testing.assert_allclose(w.grad, 2 * gw)


def test_retain_graph_on_scalars():
    a = Value(1.5)
    y = (a * a).tanh()
    y.backward(retain_graph=True)
    first = a.grad
    y.backward(retain_graph=True)
    y.backward()
    assert a.grad == pytest.approx(3 * first)


@pytest.mark.parametrize("make", ["tensor", "scalar"])
def test_second_backward_through_freed_graph_raises(make):
    if make == "tensor":
        y, x, *_ = _tensor_graph()
    else:
        x = Value(0.3)
        y = (x * x).exp() * x
    y.backward()
    before = np.copy(x.grad)
    with pytest.raises(GraphFreedError, match="retain_graph"):
        y.backward()
    np.testing.assert_array_equal(x.grad, before)


def test_graph_structure_stays_after_backward():
    y, x, w, hidden = _tensor_graph()
    y.backward()
    assert y.gate.name == "sum"
    assert hidden.gate.name == "tanh"
    assert hidden.parents[0].parents == (x, w)


def test_local_backward_after_free_tensor_raises_scalar_recomputes():
    y, x, w, hidden = _tensor_graph()
    y.backward()
    with pytest.raises(GraphFreedError):
        local_backward(hidden, np.ones((2, 1)))
    a, b = Value(3.0), Value(-4.0)
    m = a * b
    m.backward()
    assert local_backward(m, 2.0) == (-8.0, 6.0)


# ---------------------------------------------------------------- local_backward is pure
def test_local_backward_is_pure():
    a, b = Value(3.0), Value(-4.0, requires_grad=False)
    y = a * b
    assert local_backward(y, 2.0) == (-8.0, None)
    assert a.grad == 0.0 and b.grad == 0.0 and y.grad == 0.0


def test_local_backward_reduces_to_parent_shapes():
    a = Value(np.ones((2, 3)))
    b = Value(np.array([1.0, 2.0, 3.0]))
    y = a * b
    ga, gb = local_backward(y, np.ones((2, 3)))
    np.testing.assert_array_equal(ga, [[1, 2, 3], [1, 2, 3]])
    np.testing.assert_array_equal(gb, [2, 2, 2])
    assert not a.grad.any() and not b.grad.any() and not y.grad.any()
    ga2, gb2 = local_backward(y, np.ones((2, 3)))
    np.testing.assert_array_equal(ga, ga2)
    np.testing.assert_array_equal(gb, gb2)


def test_local_backward_matches_what_backward_accumulates():
    y, x, w, hidden = _tensor_graph()
    upstream = np.array([[0.3], [-0.7]])
    (gmat,) = local_backward(hidden, upstream)
    hidden.backward(upstream)
    np.testing.assert_allclose(hidden.parents[0].grad, gmat)


def test_leaf_is_not_touched_by_nodes_that_do_not_require_grad():
    x = Value([1.0, 2.0], requires_grad=False)
    w = Value([3.0, 4.0])
    (x * w).sum().backward()
    np.testing.assert_array_equal(w.grad, [1.0, 2.0])
    assert not np.any(x.grad)


def test_leaf_gradients_never_share_memory_with_each_other_or_the_graph() -> None:
    """A leaf keeps a gradient without copying only when nothing else holds it."""
    a, b = Value(np.ones((3, 4))), Value(np.ones((4, 2)))
    c = a @ b
    c.backward(np.ones((3, 2)))  # fresh products: each leaf's grad is its own array
    assert a.grad.shape == (3, 4) and b.grad.shape == (4, 2)
    x, y = Value(np.ones(3)), Value(np.ones(3))
    s = x + y  # the add gate hands the same upstream array to both leaves
    seed = np.full(3, 2.0)
    s.backward(seed, retain_graph=True)
    assert not np.shares_memory(x.grad, y.grad)
    assert not np.shares_memory(x.grad, seed) and not np.shares_memory(x.grad, s.grad)
    x.grad[0] = 7.0
    assert y.grad.tolist() == [2.0, 2.0, 2.0] and s.grad.tolist() == [2.0, 2.0, 2.0]
    leaf = Value(np.zeros(2))
    mine = np.ones(2)
    leaf.backward(mine)  # the seed belongs to the caller
    assert not np.shares_memory(leaf.grad, mine)
    v = Value(np.arange(6.0).reshape(2, 3))
    v.reshape(3, 2).backward(np.ones((3, 2)))  # a view of the seed reaches the leaf: copied
    assert v.grad.base is None and v.grad.shape == (2, 3)
