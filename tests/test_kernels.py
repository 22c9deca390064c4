"""The Numba/BLAS kernels agree with the plain-NumPy oracle in tests/reference_nn.py.

Values and every gradient, over batch 1..4, channels 1..5, odd and even sizes, kernels 1..5,
stride 1..3, padding 0..2, float32 and float64, contiguous, Fortran-ordered, strided and
read-only inputs. float32 results are compared with the float64 oracle run on the same inputs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
import reference_nn as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import kernels
from autograd.errors import GradgateError
from autograd.kernels import conv_direct

ROOT = Path(__file__).resolve().parents[1]
DTYPES = st.sampled_from([np.float32, np.float64])
LAYOUTS = st.sampled_from(["C", "F", "strided", "readonly"])


def laid_out(a: np.ndarray, layout: str) -> np.ndarray:
    """The values of ``a`` in memory layout "C" (as is), "F", "strided" or "readonly"."""
    if layout == "F":
        return np.asfortranarray(a)
    if layout == "strided":
        wide = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
        wide[..., 1::2] = a
        return wide[..., 1::2]
    if layout == "readonly":
        a = a.copy()
        a.flags.writeable = False
    return a


def assert_close(got: np.ndarray, want: np.ndarray, dtype: type, terms: int = 1) -> None:
    """Equal dtype and shape; values within the rounding of ``terms``-long sums in ``dtype``."""
    assert got.dtype == dtype
    assert got.shape == want.shape
    scale = max(1.0, float(np.abs(want).max(initial=0.0)))
    eps = float(np.finfo(dtype).eps)
    np.testing.assert_allclose(got, want, rtol=0, atol=8 * eps * scale * np.sqrt(terms))


@st.composite
def conv_cases(draw: st.DrawFn) -> dict:
    """A conv2d problem whose kernel fits the padded input."""
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    return {
        "n": draw(st.integers(1, 4)), "c": draw(st.integers(1, 5)), "f": draw(st.integers(1, 6)),
        "h": draw(st.integers(max(1, kh - 2 * ph), 10)),
        "w": draw(st.integers(max(1, kw - 2 * pw), 10)),
        "kh": kh, "kw": kw, "stride": (draw(st.integers(1, 3)), draw(st.integers(1, 3))),
        "padding": (ph, pw), "bias": draw(st.booleans()), "dtype": draw(DTYPES),
        "layout": draw(LAYOUTS), "seed": draw(st.integers(0, 2**32 - 1)),
        "chunk": draw(st.sampled_from([conv_direct.CHUNK_ELEMENTS, 1, 120])),
    }


@settings(max_examples=40, deadline=None)
@given(conv_cases())
def test_conv2d_matches_reference_values_and_gradients(case: dict) -> None:
    # chunk: images per kernel task; 1 and 120 flat values cut the batch into several chunks
    with mock.patch.object(conv_direct, "CHUNK_ELEMENTS", case["chunk"]):
        check_conv2d(case)


def check_conv2d(case: dict) -> None:
    """Forward and all gradients of one conv2d case against the float64 oracle."""
    rng = np.random.default_rng(case["seed"])
    dt, lay = case["dtype"], case["layout"]
    x = rng.normal(size=(case["n"], case["c"], case["h"], case["w"])).astype(dt)
    w = rng.normal(size=(case["f"], case["c"], case["kh"], case["kw"])).astype(dt)
    b = rng.normal(size=case["f"]).astype(dt) if case["bias"] else None
    stride, padding = case["stride"], case["padding"]

    out = kernels.conv2d_forward(laid_out(x, lay), laid_out(w, lay),
                                 None if b is None else laid_out(b, lay), stride, padding)
    x64, w64 = x.astype(np.float64), w.astype(np.float64)
    want = ref.conv2d_forward(x64, w64, None if b is None else b.astype(np.float64), stride,
                              padding)
    taps = case["c"] * case["kh"] * case["kw"]
    assert_close(out, want, dt, taps)

    up = rng.normal(size=out.shape).astype(dt)
    dx, dw, db = kernels.conv2d_backward(laid_out(up, lay), laid_out(x, lay), laid_out(w, lay),
                                         stride, padding)
    want_dx, want_dw, want_db = ref.conv2d_backward(up.astype(np.float64), x64, w64, stride,
                                                    padding)
    assert_close(dx, want_dx, dt, case["f"] * case["kh"] * case["kw"])
    assert_close(dw, want_dw, dt, up[:, 0].size)
    assert_close(db, want_db, dt, up[:, 0].size)


@st.composite
def pool_cases(draw: st.DrawFn) -> dict:
    """A max-pool problem whose window fits the input; values from a tiny set, so ties abound."""
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    return {
        "n": draw(st.integers(1, 4)), "c": draw(st.integers(1, 5)),
        "h": draw(st.integers(kh, 11)), "w": draw(st.integers(kw, 11)),
        "kernel": (kh, kw), "stride": (draw(st.integers(1, 3)), draw(st.integers(1, 3))),
        "levels": draw(st.integers(1, 4)), "dtype": draw(DTYPES), "layout": draw(LAYOUTS),
        "seed": draw(st.integers(0, 2**32 - 1)),
    }


@settings(max_examples=40, deadline=None)
@given(pool_cases())
def test_max_pool_matches_reference_including_ties(case: dict) -> None:
    rng = np.random.default_rng(case["seed"])
    dt, lay = case["dtype"], case["layout"]
    shape = (case["n"], case["c"], case["h"], case["w"])
    x = rng.integers(0, case["levels"], size=shape).astype(dt)  # levels == 1: all tied
    kernel, stride = case["kernel"], case["stride"]

    out, argmax = kernels.max_pool2d_forward(laid_out(x, lay), kernel, stride)
    want, want_arg = ref.max_pool2d_forward(x, kernel, stride)
    assert out.dtype == dt and np.issubdtype(argmax.dtype, np.integer)
    np.testing.assert_array_equal(out, want)
    np.testing.assert_array_equal(argmax, want_arg)  # ties: the same (first) winner

    up = rng.normal(size=out.shape).astype(dt)
    dx = kernels.max_pool2d_backward(laid_out(up, lay), laid_out(argmax, lay), shape, kernel,
                                     stride)
    want_dx = ref.max_pool2d_backward(up.astype(np.float64), want_arg, shape, kernel, stride)
    overlaps = -(-kernel[0] // stride[0]) * -(-kernel[1] // stride[1])
    assert_close(dx, want_dx, dt, overlaps)


def test_max_pool_tie_goes_to_first_element_in_row_major_order() -> None:
    x = np.array([[[[0.0, 2.0, 2.0], [2.0, 1.0, 2.0], [0.0, 0.0, 0.0]]]])
    out, argmax = kernels.max_pool2d_forward(x, (2, 3), (1, 1))
    assert out[0, 0, :, 0].tolist() == [2.0, 2.0]
    assert argmax[0, 0, :, 0].tolist() == [1, 0]  # window 2 ties at (0,0) and (0,2)
    dx = kernels.max_pool2d_backward(np.array([[[[5.0], [7.0]]]]), argmax, x.shape, (2, 3),
                                     (1, 1))
    assert dx[0, 0].tolist() == [[0.0, 5.0, 0.0], [7.0, 0.0, 0.0], [0.0, 0.0, 0.0]]


def test_max_pool_last_nan_wins_its_window_like_torch() -> None:
    x = np.array([[[[1.0, np.nan, 3.0, 0.0, np.nan, np.nan]]]])
    out, argmax = kernels.max_pool2d_forward(x, (1, 2), (1, 2))
    want, want_arg = ref.max_pool2d_forward(x, (1, 2), (1, 2))
    np.testing.assert_array_equal(out, want)
    assert argmax.tolist() == want_arg.tolist() == [[[[1, 0, 1]]]]


@st.composite
def matmul_cases(draw: st.DrawFn) -> dict:
    """Operand shapes with broadcastable batch dims, plus a layout per operand."""
    batch_a, batch_b = draw(st.sampled_from([((), ()), ((3,), ()), ((), (2,)), ((2, 1), (3,)),
                                             ((4,), (4,)), ((1,), (5,))]))
    m, k, n = draw(st.integers(1, 9)), draw(st.integers(1, 9)), draw(st.integers(1, 9))
    return {"a": batch_a + (m, k), "b": batch_b + (k, n), "dtype": draw(DTYPES),
            "layouts": (draw(LAYOUTS), draw(LAYOUTS)), "seed": draw(st.integers(0, 2**32 - 1))}


@settings(max_examples=40, deadline=None)
@given(matmul_cases())
def test_matmul_matches_reference_forward_and_backward_products(case: dict) -> None:
    rng = np.random.default_rng(case["seed"])
    dt, (lay_a, lay_b) = case["dtype"], case["layouts"]
    a = rng.normal(size=case["a"]).astype(dt)
    b = rng.normal(size=case["b"]).astype(dt)
    out = kernels.matmul(laid_out(a, lay_a), laid_out(b, lay_b))
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    k = a.shape[-1]
    assert_close(out, ref.matmul(a64, b64), dt, k)
    up = rng.normal(size=out.shape).astype(dt)
    da = kernels.matmul(up, np.swapaxes(b, -1, -2))  # the transposed views backward passes
    db = kernels.matmul(np.swapaxes(laid_out(a, lay_a), -1, -2), up)
    assert_close(da, ref.matmul(up.astype(np.float64), np.swapaxes(b64, -1, -2)), dt, out.shape[-1])
    assert_close(db, ref.matmul(np.swapaxes(a64, -1, -2), up.astype(np.float64)), dt,
                 out.shape[-2])


def test_matmul_of_broadcast_and_strided_operands() -> None:
    a = np.broadcast_to(np.arange(6.0).reshape(2, 3), (4, 2, 3))
    b = np.arange(24.0).reshape(3, 8)[:, ::2]
    np.testing.assert_array_equal(kernels.matmul(a, b), np.einsum("bij,jk->bik", a, b))
    mixed = kernels.matmul(np.ones((2, 2), np.float32), np.ones((2, 2)))
    assert mixed.dtype == np.float64


@pytest.mark.parametrize(("call", "message"), [
    (lambda: kernels.conv2d_forward(np.ones((1, 2, 5, 5)), np.ones((3, 4, 3, 3)), None, (1, 1),
                                    (0, 0)),
     r"conv2d_forward: x has 2 channels \(shape \(1, 2, 5, 5\)\) but the weights expect 4"),
    (lambda: kernels.conv2d_forward(np.ones((1, 1, 2, 2)), np.ones((1, 1, 5, 5)), None, (1, 1),
                                    (1, 1)),
     "conv2d_forward: kernel size 5 is larger than the padded input size 2 \\+ 2\\*1"),
    (lambda: kernels.conv2d_forward(np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3)), None, (0, 1),
                                    (0, 0)),
     r"conv2d_forward: stride must be an int or a pair of ints >= 1; got \(0, 1\)"),
    (lambda: kernels.conv2d_forward(np.ones((1, 4, 4)), np.ones((1, 1, 3, 3)), None, (1, 1),
                                    (0, 0)),
     r"conv2d_forward: x must have shape \(N, C, H, W\); got \(1, 4, 4\)"),
    (lambda: kernels.conv2d_forward(np.ones((1, 1, 4, 4)), np.ones((2, 1, 3, 3)), np.ones(3),
                                    (1, 1), (0, 0)),
     r"conv2d_forward: b must have shape \(2,\); got \(3,\)"),
    (lambda: kernels.conv2d_backward(np.ones((1, 1, 3, 3)), np.ones((1, 1, 4, 4)),
                                     np.ones((1, 1, 3, 3)), (1, 1), (0, 0)),
     r"conv2d_backward: up must have shape \(1, 1, 2, 2\); got \(1, 1, 3, 3\)"),
    (lambda: kernels.conv2d_forward(np.ones((1, 1, 4, 4), complex), np.ones((1, 1, 3, 3)), None,
                                    (1, 1), (0, 0)),
     "conv2d_forward: expected real numbers, got an array of dtype complex128"),
    (lambda: kernels.max_pool2d_forward(np.ones((1, 1, 2, 2)), (3, 3), (1, 1)),
     "max_pool2d_forward: kernel size 3 is larger than the padded input size 2"),
    (lambda: kernels.max_pool2d_backward(np.ones((1, 1, 1, 1)), np.full((1, 1, 1, 1), 4),
                                         (1, 1, 2, 2), (2, 2), (2, 2)),
     r"max_pool2d_backward: argmax entries must lie in \[0, 4\) for a 2x2 window; got \[4, 4\]"),
    (lambda: kernels.max_pool2d_backward(np.ones((1, 1, 2, 2)), np.zeros((1, 1, 1, 1), int),
                                         (1, 1, 2, 2), (2, 2), (2, 2)),
     r"max_pool2d_backward: up must have shape \(1, 1, 1, 1\); got \(1, 1, 2, 2\)"),
    (lambda: kernels.matmul(np.ones((2, 3)), np.ones((2, 3))),
     r"matmul: shapes \(2, 3\) @ \(2, 3\) do not fit: the inner dimensions 3 and 2 differ"),
    (lambda: kernels.matmul(np.ones((2, 2, 3)), np.ones((3, 3, 1))),
     r"matmul: shapes \(2, 2, 3\) @ \(3, 3, 1\): the batch dimensions \(2,\) and \(3,\) do not"),
    (lambda: kernels.matmul(np.ones(3), np.ones((3, 1))),
     "matmul: both operands need at least 2 dimensions"),
])
def test_bad_input_raises_a_clear_error(call, message: str) -> None:
    with pytest.raises(GradgateError, match=message):
        call()


def test_against_pytorch_conv_and_pool() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    for dt, tol in ((np.float32, 1e-4), (np.float64, 1e-10)):
        x = rng.normal(size=(3, 2, 9, 8)).astype(dt)
        w = rng.normal(size=(4, 2, 3, 2)).astype(dt)
        b = rng.normal(size=4).astype(dt)
        out = kernels.conv2d_forward(x, w, b, (2, 1), (1, 2))
        pooled, argmax = kernels.max_pool2d_forward(out, (2, 3), (1, 2))
        up = rng.normal(size=pooled.shape).astype(dt)
        dout = kernels.max_pool2d_backward(up, argmax, out.shape, (2, 3), (1, 2))
        dx, dw, db = kernels.conv2d_backward(dout, x, w, (2, 1), (1, 2))

        xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        pt = torch.nn.functional.max_pool2d(
            torch.nn.functional.conv2d(xt, wt, bt, stride=(2, 1), padding=(1, 2)), (2, 3), (1, 2))
        pt.backward(torch.tensor(up))
        for ours, theirs in ((pooled, pt), (dx, xt.grad), (dw, wt.grad), (db, bt.grad)):
            np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=tol, atol=tol)


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter at the repository root with extra environment."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=300, check=True)


def test_import_autograd_compiles_nothing_and_imports_no_numba() -> None:
    done = _run("""
        import sys
        import autograd
        assert "numba" not in sys.modules, "import autograd imported numba"
        compiled = ("_conv_numba", "_pool_numba", "_threads")
        assert not [m for m in compiled if "autograd.kernels." + m in sys.modules]
        print("clean")
    """)
    assert done.stdout.strip() == "clean"


THREADS_SCRIPT = """
    import sys
    import numba
    import numpy as np
    from autograd import kernels
    rng = np.random.default_rng(3)
    x = rng.normal(size=(32, 3, 64, 64)).astype(np.float32)  # every kernel goes parallel
    w = rng.normal(size=(16, 3, 3, 3)).astype(np.float32)
    out = kernels.conv2d_forward(x, w, None, (1, 1), (1, 1))
    pooled, argmax = kernels.max_pool2d_forward(out, (2, 2), (2, 2))
    dout = kernels.max_pool2d_backward(np.ones_like(pooled), argmax, out.shape, (2, 2), (2, 2))
    dx, dw, db = kernels.conv2d_backward(dout, x, w, (1, 1), (1, 1))
    np.savez(sys.argv[1], x=x, w=w, out=out, pooled=pooled, argmax=argmax, dx=dx, dw=dw,
             db=db, threads=numba.get_num_threads())
"""


def test_one_and_two_threads_give_the_same_results(tmp_path: Path) -> None:
    results = []
    for threads in ("1", "2"):
        path = tmp_path / f"threads{threads}.npz"
        subprocess.run([sys.executable, "-c", textwrap.dedent(THREADS_SCRIPT), str(path)],
                       cwd=ROOT, env={**os.environ, "NUMBA_NUM_THREADS": threads},
                       check=True, timeout=300)
        with np.load(path, allow_pickle=False) as data:
            results.append({k: data[k] for k in data.files})
    one, two = results
    assert int(one["threads"]) == 1 and int(two["threads"]) == 2
    np.testing.assert_array_equal(one["argmax"], two["argmax"])
    for key in ("out", "pooled", "dx", "dw", "db"):
        np.testing.assert_allclose(one[key], two[key], rtol=1e-6, atol=1e-5)
    # the parallel, many-chunk path also agrees with the oracle
    x, w = one["x"].astype(np.float64), one["w"].astype(np.float64)
    assert_close(one["out"], ref.conv2d_forward(x, w, None, (1, 1), (1, 1)), np.float32, 27)
    dout = ref.max_pool2d_backward(np.ones(one["pooled"].shape), one["argmax"],
                                   one["out"].shape, (2, 2), (2, 2))
    want = ref.conv2d_backward(dout, x, w, (1, 1), (1, 1))
    pixels = one["out"][:, 0].size
    for got, exp, terms in zip((one["dx"], one["dw"], one["db"]), want, (144, pixels, pixels)):
        assert_close(got, exp, np.float32, terms)


FORK_SCRIPT = """
    import multiprocessing
    import numpy as np
    from autograd import kernels
    x = np.random.default_rng(0).normal(size=(32, 3, 64, 64)).astype(np.float32)
    w = np.ones((16, 3, 3, 3), np.float32)
    parent = kernels.conv2d_forward(x, w, None, (1, 1), (1, 1))  # parallel: starts the pool

    def child(queue):
        queue.put(kernels.conv2d_forward(x, w, None, (1, 1), (1, 1)))

    if __name__ == "__main__":
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        proc = ctx.Process(target=child, args=(queue,))
        proc.start()
        forked = queue.get(timeout=120)
        proc.join(60)
        assert proc.exitcode == 0, proc.exitcode
        np.testing.assert_array_equal(forked, parent)
        print("forked child agrees")
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_kernels_work_in_a_child_forked_after_the_thread_pool_started() -> None:
    # GNU OpenMP would make Numba terminate such a child; it gets serial kernel copies instead
    assert _run(FORK_SCRIPT).stdout.strip() == "forked child agrees"
