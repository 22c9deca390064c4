"""Pictures of the backward pass recorded as gates: ``viz.draw(f, backward=True)`` (forward
and backward circuits together, backward edges red) and a gradient Value drawn alone, its
nodes boxed by the forward gate whose backward made them."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest
from conftest import course_circuit

import viz
from autograd import Value, grad
from viz.draw import BACKWARD_EDGE


def cluster_labels(source: str) -> list[str]:
    return re.findall(r"label=<<B>(.*?)</B>>", source)


def test_forward_and_backward_circuits_together():
    f, v = course_circuit()
    src = viz.draw(f, backward=True).source
    assert sorted(cluster_labels(src)) == [
        "backward of maximum #6 · routes", "backward of mul #1 · swaps",
        "backward of mul #3 · swaps"]
    for name, value in [("∂f/∂x", "-8.00"), ("∂f/∂y", "6.00"), ("∂f/∂z", "2.00"),
                        ("∂f/∂w", "0.00")]:
        assert re.search(rf"{name}</B>.*?data {value}", src), name
    assert src.count(f'color="{BACKWARD_EDGE}"') >= 12  # every edge into a backward node
    assert "grad -8.00" in src and "grad 1.00" in src  # forward values show their gradient
    assert all(x.grad == 0.0 for x in v.values())  # no .grad touched


def test_a_gradient_drawn_alone_is_boxed_by_origin():
    x, y = Value(3.0, label="x"), Value(-4.0, label="y")
    f = (x * y).tanh()
    (gx,) = grad(f, x, create_graph=True)
    src = viz.draw(gx).source
    assert sorted(cluster_labels(src)) == ["backward of mul #2 · swaps",
                                           "backward of tanh #1 · local derivative"]
    assert f'color="{BACKWARD_EDGE}"' in src
    plain = viz.draw(x * y).source  # forward pictures are unchanged: no red, no boxes
    assert BACKWARD_EDGE not in plain and cluster_labels(plain) == []


def test_dotted_labels_do_not_nest_boxes_and_are_escaped():
    w = Value(2.0, label="fc1.<w>")
    (g,) = grad(w * w, w, create_graph=True)
    src = viz.draw(g).source
    assert "fork at fc1\u2024&lt;w&gt; #2 · gradients add" in cluster_labels(src)


def test_tensor_graph_backward_picture():
    rng = np.random.default_rng(0)
    x = Value(rng.standard_normal((4, 3)), label="x")
    w = Value(rng.standard_normal((3, 2)), label="w")
    f = (x @ w).tanh().sum()
    f.label = "loss"
    src = viz.draw(f, backward=True).source
    labels = cluster_labels(src)
    assert "backward of matmul #3 · swaps" in labels
    assert "backward of tanh #2 · local derivative" in labels
    assert "∂loss/∂w" in src and "∂loss/∂x" in src


def test_the_backward_picture_renders_with_graphviz():
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    f, _ = course_circuit()
    svg = viz.draw(f, backward=True).pipe(format="svg", encoding="utf-8")
    assert svg.count(f'stroke="{BACKWARD_EDGE}"') >= 12  # the red arrows, drawn
    for title in ("backward of mul #1 · swaps", "backward of mul #3 · swaps",
                  "backward of maximum #6 · routes"):
        assert title in svg
    assert "∂f/∂x" in svg and "∂f/∂f" in svg
