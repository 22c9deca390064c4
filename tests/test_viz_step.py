"""viz.step: the backward stepper's order, numbers and words on the course's circuits; it
never touches .grad; it explains freed tensor graphs; its frames draw what is known."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from conftest import course_circuit
from hypothesis import given, settings
from hypothesis import strategies as st

import viz
from autograd import Value, cross_entropy, maximum


def test_order_follows_backward_root_first():
    f, _ = course_circuit()
    s = viz.step(f)
    assert [st.op for st in s] == ["mul", "add", "mul", None, None, "maximum", None, None]
    assert [st.name for st in s][3:5] == ["x", "y"]
    assert s[0].node is f and len(s) == 8


def test_numbers_on_the_course_circuit():
    f, v = course_circuit()
    s = viz.step(f)
    root, add, mul, x, y, mx, z, w = s
    assert root.upstream == 1.0
    assert [(t.name, t.grad) for t in root.sent] == [("(x*y)+max(z, w)", 2.0)]
    assert add.upstream == 2.0 and [t.grad for t in add.sent] == [2.0, 2.0]
    # the mul gate swaps: x gets y's value times upstream, y gets x's
    assert mul.upstream == 2.0
    assert [(t.name, t.local, t.grad) for t in mul.sent] == [("x", -4.0, -8.0),
                                                              ("y", 3.0, 6.0)]
    assert "x gets -4.00 (the other input, y) × upstream 2.00 = -8.00" in mul.lines
    assert "y gets 3.00 (the other input, x) × upstream 2.00 = 6.00" in mul.lines
    # the max gate routes the whole upstream gradient to the winner z, none to w
    assert [(t.name, t.grad) for t in mx.sent] == [("z", 2.0), ("w", 0.0)]
    assert "z (2.00) beats w (-1.00)" in mx.lines[0]
    assert "z wins: gets all of upstream 2.00" in mx.lines
    assert "w loses: gets 0" in mx.lines
    assert "2 needs no gradient (constant): nothing sent" in root.lines
    assert x.upstream == -8.0 and "gradient is complete: -8.00" in str(x)
    assert (s.grad(v["x"]), s.grad(v["y"]), s.grad(v["z"]), s.grad(v["w"])) == (
        -8.0, 6.0, 2.0, 0.0)
    assert s[2].title == "Step 3: x*y — mul (mul gate: swaps)"


def test_sums_at_forks():
    a = Value(3.0, label="a")
    out = a * a + a
    s = viz.step(out)
    leaf = s[-1]
    assert leaf.name == "a" and leaf.upstream == 7.0
    assert leaf.parts == [1.0, 3.0, 3.0]
    assert "a is used 3 times: its gradient sums them: 1.00 + 3.00 + 3.00 = 7.00" in leaf.lines
    # running totals while the fork fills up
    assert [(t.name, t.total) for t in s[0].sent] == [("a*a", 1.0), ("a", 1.0)]
    assert [t.total for t in s[1].sent] == [4.0, 7.0]


def test_local_and_relu_rules_in_words():
    x = Value(0.5, label="x")
    s = viz.step(x.tanh())
    d = 1 - math.tanh(0.5) ** 2
    assert s[0].sent[0].local == pytest.approx(d)
    assert f"x gets 1 - tanh² = {viz.fmt(d)} × upstream 1.00 = {viz.fmt(d)}" in s[0].lines
    neg = Value(-1.0, label="n")
    lines = viz.step(neg.relu() + x.relu())[1].lines  # relu(n) is visited after the add
    assert any("n = -1.00 ≤ 0 so it blocks: gets 0.00" in line for line in lines)
    p = viz.step(x ** 3)[0]
    assert "x gets 3·x^2 = 0.750 × upstream 1.00 = 0.750" in p.lines


def test_never_changes_grad_before_or_after_backward():
    f, v = course_circuit()
    viz.step(f)
    assert all(x.grad == 0.0 for x in v.values()) and f.grad == 0.0
    f.backward()
    before = {k: x.grad for k, x in v.items()}
    s = viz.step(f)  # scalar graphs replay after backward too
    assert {k: x.grad for k, x in v.items()} == before
    assert s.grad(v["x"]) == before["x"]
    s.draw(3)
    assert {k: x.grad for k, x in v.items()} == before


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-3, 3, allow_nan=False), min_size=4, max_size=4))
def test_stepper_grads_match_backward(nums):
    x, y, z, w = (Value(n) for n in nums)
    out = ((x * y).tanh() + maximum(z, w) * x - (w ** 2) / (1.5 + z.sigmoid())).exp()
    s = viz.step(out)
    out.backward()
    for leaf in (x, y, z, w):
        assert s.grad(leaf) == pytest.approx(leaf.grad, rel=1e-12, abs=1e-12)


def test_tensor_graph_after_backward_explains_retain_graph():
    rng = np.random.default_rng(0)
    w = Value(rng.standard_normal((3, 4)), label="W")
    x = Value(rng.standard_normal((2, 3)), requires_grad=False)
    loss = cross_entropy((x @ w).relu(), np.array([0, 3]))
    s = viz.step(loss)  # before backward: fine
    loss.backward()
    with pytest.raises(viz.StepperGraphFreedError, match="retain_graph=True"):
        viz.step(loss)
    loss2 = cross_entropy((x @ w).relu(), np.array([0, 3]))
    w.zero_grad()
    loss2.backward(retain_graph=True)
    s2 = viz.step(loss2)
    np.testing.assert_allclose(s2.grad(w), w.grad)
    np.testing.assert_allclose(s.grad(w), w.grad)
    assert [st.op for st in s2][:3] == ["cross_entropy", "relu", "matmul"]
    assert s2[2].lines[0].startswith("upstream gradient 2×4 arrives")
    assert any(line.startswith("W gets 3×4: ‖·‖") for line in s2[2].lines)


def test_seed_and_bad_input():
    t = Value(np.ones(3), label="t")
    with pytest.raises(ValueError, match="pass grad="):
        viz.step(t * 2)
    s = viz.step(t * 2, grad=np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(s.grad(t), [2.0, 4.0, 6.0])
    with pytest.raises(ValueError, match="does not require grad"):
        viz.step(Value(1.0, requires_grad=False) * 2)
    with pytest.raises(IndexError):
        viz.step(t.sum()).draw(99)


def test_frame_drawing_highlights_current_and_greys_pending():
    f, v = course_circuit()
    s = viz.step(f)
    src = s.draw(2).source  # the x*y mul: x, y just received their gradients
    theme = viz.THEMES["light"]
    assert "Step 3: x*y" in src
    assert f'color="{theme.highlight}" penwidth=3' in src  # the current op node
    assert "grad -8.00" in src and "grad 6.00" in src  # known so far
    assert src.count("grad ?") == 2  # z and w: not reached yet
    assert theme.pending_fill in src
    o = s.overlay(2)
    assert o.state.count("current") == 1
    assert o.state.count("pending") == 2 and o.state.count("reached") == 3  # x, y, max
    last = s.draw(len(s) - 1).source
    assert "grad ?" not in last


def test_stepper_text_and_repr():
    f, _ = course_circuit()
    s = viz.step(f)
    text = s.text()
    assert text.count("Step ") == 8 and "mul gate swaps" in text
    assert "8 backward steps" in repr(s)


def test_the_last_frame_and_the_static_drawing_show_the_same_gradients():
    f, _ = course_circuit()
    stepper = viz.step(f)
    f.backward()
    static, last = viz.draw(f).source, stepper.draw(len(stepper) - 1).source
    cells = re.compile(r"grad (-?[\d.]+)<")
    assert sorted(cells.findall(static)) == sorted(cells.findall(last))
    assert len(cells.findall(static)) == 8  # x, y, z, w, x*y, max, the sum and f
    edge_labels = re.compile(r'label=" (-?[\d.]+)"')
    assert sorted(edge_labels.findall(static)) == sorted(edge_labels.findall(last))
