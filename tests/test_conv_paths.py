"""Both convolution paths — direct kernels and im2col + BLAS — against the oracle and PyTorch.

Each path is forced in turn over hypothesis-drawn shapes on both sides of the crossover
(channels 1..40, kernels 1..5, stride 1..3, padding 0..2, dilation 1..3, batch 1..3, odd
sizes, several patch chunks), float64 at 1e-10 relative and float32 at 1e-4, contiguous and
strided inputs. Also: gradients nobody needs are not computed, and the graph asks for none.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
import reference_nn as ref
from hypothesis import given, settings
from hypothesis import strategies as st
from test_kernels import laid_out

import autograd
from autograd import Value, kernels
from autograd.kernels import conv as conv_module
from autograd.kernels import conv_gemm

TOL = {np.float32: 1e-4, np.float64: 1e-10}


@st.composite
def cases(draw: st.DrawFn, dilation: bool) -> dict:
    """A convolution whose (dilated) kernel fits the padded input."""
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    dh, dw = (draw(st.integers(1, 3)), draw(st.integers(1, 3))) if dilation else (1, 1)
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    return {
        "n": draw(st.integers(1, 3)), "c": draw(st.sampled_from([1, 2, 3, 7, 16, 40])),
        "f": draw(st.integers(1, 6)),
        "h": draw(st.integers(max(1, span_h - 2 * ph), 14)),
        "w": draw(st.integers(max(1, span_w - 2 * pw), 14)),
        "kh": kh, "kw": kw, "stride": (draw(st.integers(1, 3)), draw(st.integers(1, 3))),
        "padding": (ph, pw), "dilation": (dh, dw), "bias": draw(st.booleans()),
        "dtype": draw(st.sampled_from([np.float32, np.float64])),
        "layout": draw(st.sampled_from(["C", "strided"])),
        "chunk": draw(st.sampled_from([conv_gemm.COLS_ELEMENTS, 1, 200])),
        "seed": draw(st.integers(0, 2**32 - 1)),
    }


def arrays(case: dict) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(case["seed"])
    dt = case["dtype"]
    x = rng.normal(size=(case["n"], case["c"], case["h"], case["w"])).astype(dt)
    w = rng.normal(size=(case["f"], case["c"], case["kh"], case["kw"])).astype(dt)
    b = rng.normal(size=case["f"]).astype(dt) if case["bias"] else None
    return x, w, b


def run_kernels(case: dict, x, w, b, up=None):
    """Forward, then (when ``up`` is given) backward through the public kernel functions."""
    lay, s, p, d = case["layout"], case["stride"], case["padding"], case["dilation"]
    with mock.patch.object(conv_gemm, "COLS_ELEMENTS", case["chunk"]):
        out = kernels.conv2d_forward(laid_out(x, lay), laid_out(w, lay),
                                     None if b is None else laid_out(b, lay), s, p, d)
        if up is None:
            return out
        return out, kernels.conv2d_backward(laid_out(up, lay), laid_out(x, lay),
                                            laid_out(w, lay), s, p, d)


def check_against(case: dict, want_fn) -> None:
    """Our forward and gradients against ``want_fn(x, w, b, up) -> (out, dx, dw, db)``."""
    x, w, b = arrays(case)
    out = run_kernels(case, x, w, b)
    up = np.random.default_rng(case["seed"] + 1).normal(size=out.shape).astype(case["dtype"])
    out, (dx, dw, db) = run_kernels(case, x, w, b, up)
    want = want_fn(*(None if a is None else a.astype(np.float64) for a in (x, w, b, up)))
    tol = TOL[case["dtype"]]
    for got, exp in zip((out, dx, dw, db), want):
        assert got.dtype == case["dtype"] and got.shape == exp.shape
        scale = max(1.0, float(np.abs(exp).max()))
        np.testing.assert_allclose(got, exp, rtol=tol, atol=tol * scale)


def oracle(case: dict):
    s, p = case["stride"], case["padding"]

    def want(x, w, b, up):
        return (ref.conv2d_forward(x, w, b, s, p), *ref.conv2d_backward(up, x, w, s, p))

    return want


def torch_oracle(case: dict):
    torch = pytest.importorskip("torch")
    fn = torch.nn.functional

    def want(x, w, b, up):
        xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
        bt = torch.zeros(w.shape[0], dtype=torch.float64) if b is None else torch.tensor(b)
        bt.requires_grad_(True)
        out = fn.conv2d(xt, wt, bt, stride=case["stride"], padding=case["padding"],
                        dilation=case["dilation"])
        out.backward(torch.tensor(up))
        return tuple(t.detach().numpy() for t in (out, xt.grad, wt.grad, bt.grad))

    return want


def forced(path: str):
    return mock.patch.object(conv_module, "uses_gemm", lambda *a, **k: path == "gemm")


@settings(max_examples=40, deadline=None)
@given(cases(dilation=False), st.sampled_from(["gemm", "direct"]))
def test_each_path_matches_the_reference(case: dict, path: str) -> None:
    if path == "direct" and (case["stride"][0] > case["kh"] or case["stride"][1] > case["kw"]):
        path = "gemm"  # the direct path never receives a stride larger than its kernel
    with forced(path):
        check_against(case, oracle(case))


@settings(max_examples=30, deadline=None)
@given(cases(dilation=True))
def test_dilation_and_every_shape_match_pytorch(case: dict) -> None:
    check_against(case, torch_oracle(case))


@pytest.mark.parametrize("c, k, stride, dilation, gemm", [
    (1, 3, 1, 1, False), (8, 3, 1, 1, True), (3, 5, 1, 1, False), (3, 3, 1, 1, False),
    (4, 3, 1, 1, True), (1, 3, 4, 1, True), (1, 3, 1, 2, True), (64, 1, 1, 1, True)])
def test_path_choice(c: int, k: int, stride: int, dilation: int, gemm: bool) -> None:
    assert conv_module.uses_gemm((2, c, 9, 9), (4, c, k, k), (stride, stride),
                                 (dilation, dilation)) is gemm


def test_huge_stride_gives_one_output_without_a_huge_buffer() -> None:
    out = autograd.conv2d(Value(np.ones((1, 1, 5, 5))), Value(np.ones((1, 1, 3, 3))),
                          stride=100000)
    assert out.shape == (1, 1, 1, 1) and out.data.item() == 9.0
    out.backward(np.ones((1, 1, 1, 1)))


@pytest.mark.parametrize("path", ["gemm", "direct"])
def test_unneeded_gradients_are_not_computed(path: str) -> None:
    rng = np.random.default_rng(3)
    x, w = rng.normal(size=(2, 3, 6, 6)), rng.normal(size=(4, 3, 3, 3))
    up = rng.normal(size=(2, 4, 6, 6))
    with forced(path):
        full = kernels.conv2d_backward(up, x, w, (1, 1), (1, 1))
        no_dx = kernels.conv2d_backward(up, x, w, (1, 1), (1, 1), needs=(False, True))
        no_dw = kernels.conv2d_backward(up, x, w, (1, 1), (1, 1), needs=(True, False))
    assert no_dx[0] is None and no_dw[1] is None
    np.testing.assert_array_equal(no_dx[1], full[1])
    np.testing.assert_array_equal(no_dw[0], full[0])


def test_the_graph_asks_only_for_the_gradients_it_needs() -> None:
    rng = np.random.default_rng(4)
    images = Value(rng.normal(size=(2, 3, 6, 6)), requires_grad=False)
    frozen = Value(rng.normal(size=(4, 3, 3, 3)), requires_grad=False)
    weights = Value(rng.normal(size=(4, 3, 3, 3)))
    asked = []
    real = kernels.conv2d_backward

    def spy(*args, **kwargs):
        asked.append(kwargs.get("needs", args[6] if len(args) > 6 else (True, True)))
        return real(*args, **kwargs)

    with mock.patch.object(kernels, "conv2d_backward", spy):
        autograd.conv2d(images, weights, padding=1).sum().backward()
        hidden = Value(rng.normal(size=(2, 3, 6, 6)))
        autograd.conv2d(hidden, frozen, padding=1).sum().backward()
    assert asked == [(False, True), (True, False)]
    assert np.abs(weights.grad).sum() > 0 and np.abs(hidden.grad).sum() > 0


@pytest.mark.parametrize("dilation, stride", [((2, 1), (1, 2)), ((1, 3), (2, 1))])
def test_gradcheck_dilated(dilation, stride) -> None:
    rng = np.random.default_rng(5)
    x, w, b = (Value(rng.normal(size=s)) for s in ((2, 2, 7, 8), (3, 2, 2, 3), (3,)))
    assert autograd.gradcheck(
        lambda x, w, b: autograd.conv2d(x, w, b, stride=stride, padding=1, dilation=dilation),
        [x, w, b])


def test_dilated_kernel_that_does_not_fit_is_refused() -> None:
    with pytest.raises(autograd.GradgateError, match=r"conv2d: kernel 3x3 \(spanning 5x5 with "
                       r"dilation \(2, 2\)\) is larger than the padded input 4x4"):
        autograd.conv2d(Value(np.ones((1, 1, 4, 4))), Value(np.ones((1, 1, 3, 3))), dilation=2)
