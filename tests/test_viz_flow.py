"""viz.grad_flow: per-parameter gradient summaries in network order, flags, table, chart."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import viz
from autograd import Value


def params_after_backward() -> list[tuple[str, Value]]:
    w1 = Value(np.array([[1.0, -2.0], [0.5, 0.0]]), label="w1")
    b1 = Value(np.zeros(2), label="b1")
    unused = Value(np.ones(3), label="unused")
    tiny = Value(np.array([1.0, 2.0]), label="tiny")
    out = ((w1 * 3.0).sum() + (b1 * 2.0).sum() + (tiny * 1e-9).sum())
    out.backward()
    return [("w1", w1), ("b1", b1), ("unused", unused), ("tiny", tiny)]


def test_rows_numbers_order_and_flags():
    flow = viz.grad_flow(params_after_backward())
    assert [r.name for r in flow.rows] == ["w1", "b1", "unused", "tiny"]
    w1 = flow.rows[0]
    assert (w1.mean_abs, w1.max_abs, w1.shape) == (3.0, 3.0, (2, 2))
    assert w1.norm == pytest.approx(6.0) and w1.flag is None
    assert flow.rows[2].flag == "zero"
    assert flow.rows[3].flag == "vanishing" and flow.rows[3].max_abs == pytest.approx(1e-9)
    assert [r.name for r in viz.grad_flow(params_after_backward(), biases=True).rows][1] == "b1"


def test_exploding_and_non_finite():
    big = Value(np.array([1.0]), label="big")
    (big * 1e6).sum().backward()
    assert viz.grad_flow({"big": big}).rows[0].flag == "exploding"
    bad = Value(np.array([1.0, 2.0]), label="bad")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bad.grad = np.array([np.nan, 1.0])
    row = viz.grad_flow({"bad": bad}).rows[0]
    assert row.flag == "non-finite" and row.max_abs == 1.0


def test_table_and_chart():
    flow = viz.grad_flow(params_after_backward())
    table = str(flow)
    lines = table.splitlines()
    assert lines[0].split() == ["parameter", "shape", "mean|grad|", "max|grad|", "‖grad‖",
                                "flag"]
    assert lines[1].split()[:4] == ["w1", "2×2", "3.00", "3.00"]
    assert lines[3].endswith("zero") and lines[4].endswith("vanishing")
    src = flow.draw().source
    for name in ("w1", "b1", "unused", "tiny"):
        assert f">{name}" in src
    assert "Gradient flow" in src and "vanishing" in src
    assert "1e-9" in src or "1e-10" in src  # the log axis reaches down to the tiny grads
    assert viz.plot_grad_flow(params_after_backward()).source.count("<TR>") == src.count("<TR>")


def test_module_in_network_order_with_biases_off():
    layers = pytest.importorskip("layers")
    net = layers.MLP(3, [4, 4, 2])
    out = net(np.ones((5, 3))).sum()
    out.backward()
    names = [n for n, _ in net.named_parameters()]
    flow = viz.grad_flow(net)
    assert [r.name for r in flow.rows] == names
    for r, (_, p) in zip(flow.rows, net.named_parameters(), strict=True):
        assert r.mean_abs == pytest.approx(np.abs(p.grad).mean())
        assert r.max_abs == pytest.approx(np.abs(p.grad).max())
    assert [r.name for r in viz.grad_flow(net, biases=False).rows] == [
        n for n in names if not n.endswith("bias")]


def test_bad_input():
    with pytest.raises(ValueError, match="no parameters"):
        viz.grad_flow([])
