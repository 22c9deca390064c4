"""autograd.graph.walk_backward: the pure backward walk gives exactly the gradients that
backward() (its fast path, ``_propagate``) accumulates, over random graphs of scalars and
tensors with forks, broadcasting, constants and every family of gate, and writes nothing."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import GraphFreedError, Value, conv2d, max_pool2d, maximum
from autograd.graph import walk_backward

UNARY = [lambda a: a.tanh(), lambda a: a.sigmoid(), lambda a: a.relu(), lambda a: -a,
         lambda a: a.tanh().exp(), lambda a: a**2, lambda a: (a * a + 1.0).log()]
BINARY = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, maximum,
          lambda a, b: a / (b * b + 1.0), lambda a, b: (a * a + 1.0) ** b.tanh()]
TENSOR_ONLY = [lambda a: a.sum(axis=0, keepdims=True), lambda a: a.mean(axis=1, keepdims=True),
               lambda a: a.max(axis=0, keepdims=True), lambda a: a.T.T,
               lambda a: a.reshape(3, 2).reshape(2, 3), lambda a: a[[1, 0]],
               lambda a: a @ Value(np.eye(3) * 0.5)]


def random_graph(seed: int, tensors: bool) -> tuple[Value, list[Value]]:
    """A random DAG on a few leaves (some constant, some broadcast); values are reused, so
    nodes fork. Returns the scalar root and every node made."""
    rng = np.random.default_rng(seed)

    def leaf(k: int) -> Value:
        if not tensors:
            return Value(float(rng.normal()), label=f"l{k}", requires_grad=k != 1)
        shape = [(2, 3), (3,), (1, 3), (2, 1)][k % 4]
        return Value(rng.normal(size=shape), label=f"l{k}", requires_grad=k != 1)

    nodes = [leaf(k) for k in range(4)]
    for _ in range(int(rng.integers(4, 25))):
        if rng.random() < 0.6:
            a, b = (nodes[int(i)] for i in rng.integers(0, len(nodes), 2))
            nodes.append(BINARY[int(rng.integers(len(BINARY)))](a, b))
        else:
            a = nodes[int(rng.integers(len(nodes)))]
            unary = UNARY + (TENSOR_ONLY if a.shape == (2, 3) else [])  # these need (2, 3)
            nodes.append(unary[int(rng.integers(len(unary)))](a))
    picks = [nodes[-1], *(nodes[int(i)] for i in rng.integers(4, len(nodes), 2))]
    root = picks[0]
    for p in picks[1:]:
        root = root + p * 0.5
    if tensors:
        root = root.sum()
    return root, nodes


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), tensors=st.booleans())
def test_walk_gives_the_same_gradients_as_backward(seed: int, tensors: bool) -> None:
    root, nodes = random_graph(seed, tensors)
    if not root.requires_grad:
        return
    walked = {id(node): up for node, up, _ in walk_backward(root)}
    for node in nodes:  # the walk wrote nothing
        assert np.all(np.asarray(node.grad) == 0.0)
    root.backward()
    for node in nodes:
        if id(node) in walked:
            np.testing.assert_array_equal(walked[id(node)], node.grad)
            assert type(walked[id(node)]) is type(node.grad)
        else:  # not on a path to the root: backward gave it nothing either
            assert np.all(np.asarray(node.grad) == 0.0)


def test_walk_sends_one_gradient_per_use_and_sums_them() -> None:
    a = Value(3.0, label="a")
    b = a * a + a
    steps = list(walk_backward(b))
    assert [(n.gate.name if n.gate else n.label, up, sent) for n, up, sent in steps] == [
        ("add", 1.0, (1.0, 1.0)), ("mul", 1.0, (3.0, 3.0)), ("a", 7.0, ())]


def test_walk_from_a_seed_and_after_backward() -> None:
    x = Value(np.array([1.0, -2.0]), label="x")
    y = (x * 3.0).relu()
    seed = np.array([2.0, 5.0])
    first = {id(n): up for n, up, _ in walk_backward(y, seed)}
    np.testing.assert_array_equal(first[id(x)], [6.0, 0.0])
    y.backward(seed)  # frees the tensor graph: the walk says so
    with pytest.raises(GraphFreedError, match="relu"):
        list(walk_backward(y, seed))
    s = Value(2.0)
    t = s.tanh() * s
    t.backward()  # scalar nodes are recomputed from their parents' data
    assert {id(n): up for n, up, _ in walk_backward(t)}[id(s)] == pytest.approx(s.grad)


def test_walk_through_conv_and_pool_matches_backward() -> None:
    rng = np.random.default_rng(0)
    x = Value(rng.normal(size=(2, 1, 6, 6)), label="x")
    w = Value(rng.normal(size=(3, 1, 3, 3)), label="w")
    out = max_pool2d(conv2d(x, w, padding=1), 2).sum()
    walked = {id(n): up for n, up, _ in walk_backward(out)}
    out.backward()
    np.testing.assert_array_equal(walked[id(x)], x.grad)
    np.testing.assert_array_equal(walked[id(w)], w.grad)
