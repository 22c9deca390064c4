"""The fused LSTM-cell gate: finite-difference gradients, PyTorch parity, and the layers on it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import layers
from autograd import Value, lstm_cell
from autograd.graph import topological_order


def cell_inputs(rng, n=3, inp=2, hidden=4, bias=True, dtype=np.float64):
    shapes = [(n, inp), (n, hidden), (n, hidden), (4 * hidden, inp), (4 * hidden, hidden)]
    shapes += [(4 * hidden,)] if bias else []
    return [rng.normal(size=s).astype(dtype) for s in shapes]


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("n, inp, hidden", [(1, 1, 1), (3, 2, 4), (2, 5, 3)])
def test_gradcheck(bias, n, inp, hidden) -> None:
    data = cell_inputs(np.random.default_rng(n + inp), n, inp, hidden, bias)
    assert autograd.gradcheck(lstm_cell, [Value(d) for d in data])


def test_gradcheck_with_some_inputs_constant() -> None:
    data = cell_inputs(np.random.default_rng(9))
    inputs = [Value(d, requires_grad=i in (1, 4)) for i, d in enumerate(data)]
    assert autograd.gradcheck(lstm_cell, inputs)
    out = lstm_cell(*inputs)
    assert out.gate._needs == (False, True, False, False, True, False)


def test_extreme_pre_activations_stay_finite() -> None:
    x, h, c, w_ih, w_hh, b = cell_inputs(np.random.default_rng(1))
    hc = lstm_cell(x, h, c, w_ih * 1e4, w_hh, b)
    assert np.isfinite(hc.data).all()


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 4), inp=st.integers(1, 5), hidden=st.integers(1, 6),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2**31))
def test_matches_pytorch_lstmcell(n, inp, hidden, dtype, seed) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    x, h, c, w_ih, w_hh, b = cell_inputs(rng, n, inp, hidden, True, dtype)
    ours = [Value(a) for a in (x, h, c, w_ih, w_hh, b)]
    hc = lstm_cell(*ours)
    up = rng.normal(size=hc.shape).astype(dtype)
    hc.backward(up)

    theirs = [torch.tensor(a, requires_grad=True) for a in (x, h, c, w_ih, w_hh, b)]
    th, tc = torch._VF.lstm_cell(theirs[0], (theirs[1], theirs[2]), theirs[3], theirs[4],
                                  theirs[5], None)
    (torch.stack([th, tc]) * torch.tensor(up)).sum().backward()
    tol = 1e-4 if dtype == np.float32 else 1e-10
    assert hc.dtype == dtype
    np.testing.assert_allclose(hc.data, torch.stack([th, tc]).detach().numpy(), rtol=tol,
                               atol=tol)
    for v, t in zip(ours, theirs):
        assert v.grad.dtype == dtype
        np.testing.assert_allclose(v.grad, t.grad.numpy(), rtol=tol, atol=tol)


def test_lstm_layer_records_one_cell_gate_per_step() -> None:
    lstm = layers.LSTM(3, 4)
    out, (h, c) = lstm(np.random.default_rng(0).normal(size=(2, 5, 3)))
    names = [n.gate.name for n in topological_order(out) if n.gate is not None]
    assert names.count("lstm_cell") == 5
    assert out.shape == (2, 5, 4) and h.shape == c.shape == (1, 2, 4)


@pytest.mark.parametrize("call, message", [
    (lambda: lstm_cell(np.ones((2, 3)), np.ones((2, 4)), np.ones((2, 4)), np.ones((15, 3)),
                       np.ones((16, 4))), r"lstm_cell: expected x \(N, I\) and w_ih \(4H, I\)"),
    (lambda: lstm_cell(np.ones((2, 3)), np.ones((2, 5)), np.ones((2, 4)), np.ones((16, 3)),
                       np.ones((16, 4))),
     r"lstm_cell: h must have shape \(2, 4\) for x \(2, 3\) and w_ih \(16, 3\) \(hidden size "
     r"4\); got \(2, 5\)"),
    (lambda: lstm_cell(np.ones((2, 2)), np.ones((2, 4)), np.ones((2, 4)), np.ones((16, 3)),
                       np.ones((16, 4))), r"lstm_cell: x must have shape \(2, 3\)"),
    (lambda: lstm_cell(np.ones((2, 3)), np.ones((2, 4)), np.ones((2, 4)), np.ones((16, 3)),
                       np.ones((16, 4)), np.ones(4)), r"lstm_cell: b must have shape \(16,\)"),
])
def test_bad_input(call, message) -> None:
    with pytest.raises(autograd.GradgateError, match=message):
        call()
