"""max_pool2d with padding (PyTorch's semantics: borders that never win, at most half the
window) against PyTorch, by finite differences, and its errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, max_pool2d


@st.composite
def cases(draw: st.DrawFn) -> dict:
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    return {"shape": (draw(st.integers(1, 2)), draw(st.integers(1, 3)),
                      draw(st.integers(max(1, kh - 2 * ph), 9)),
                      draw(st.integers(max(1, kw - 2 * pw), 9))),
            "kernel": (kh, kw), "stride": (draw(st.integers(1, 3)), draw(st.integers(1, 3))),
            "padding": (ph, pw), "dtype": draw(st.sampled_from([np.float32, np.float64])),
            "seed": draw(st.integers(0, 2**31))}


@settings(max_examples=40, deadline=None)
@given(cases())
def test_matches_pytorch(case: dict) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(case["seed"])
    x = rng.normal(size=case["shape"]).astype(case["dtype"])
    ours = Value(x)
    out = max_pool2d(ours, case["kernel"], case["stride"], case["padding"])
    up = rng.normal(size=out.shape).astype(case["dtype"])
    out.backward(up)
    xt = torch.tensor(x, requires_grad=True)
    tout = torch.nn.functional.max_pool2d(xt, case["kernel"], case["stride"], case["padding"])
    tout.backward(torch.tensor(up))
    np.testing.assert_array_equal(out.data, tout.detach().numpy())
    np.testing.assert_allclose(ours.grad, xt.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_gradcheck_padded() -> None:
    rng = np.random.default_rng(0)
    x = Value(rng.permutation(2 * 3 * 7 * 6).reshape(2, 3, 7, 6) * 0.1)  # no ties
    assert autograd.gradcheck(lambda v: max_pool2d(v, (3, 2), (2, 1), (1, 1)), [x])


def test_bad_padding() -> None:
    with pytest.raises(autograd.GradgateError,
                       match=r"max_pool2d: padding \(2, 2\) must be at most half the 3x3 window"):
        max_pool2d(Value(np.ones((1, 1, 5, 5))), 3, padding=2)
