"""conv2d(64x3x32x32, 16 filters 3x3, pad 1) + 2x2 max-pool, forward + backward, float32.

Side by side in one process, every pool limited to ``--threads``: gradgate's kernels called
directly, the same through the engine (``autograd.conv2d`` / ``max_pool2d`` / ``backward``),
the plain-NumPy im2col oracle of the tests, and PyTorch (skipped when not installed). All
compute the gradients of the input, the weights and the bias. Target: engine <= 1.5x PyTorch.

``--crossover`` instead times both convolution paths (direct kernels, BLAS products) forward
and backward on the course's shapes, on both sides of
``autograd.kernels.conv.GEMM_MIN_CHANNELS``, and prints which path the shape rule picks.

    python bench/bench_conv.py [--threads 2] [--repeat 30] [--crossover]
"""

from __future__ import annotations

import sys

import _common  # before NumPy: sets OMP_WAIT_POLICY and the thread limits
import numpy as np

import autograd
from autograd import kernels

N, C, H, W, F, K = 64, 3, 32, 32, 16, 3
ONE, PAD = (1, 1), (1, 1)


def ours_kernels(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> None:
    """The four kernel calls of one forward + backward, no engine."""
    out = kernels.conv2d_forward(x, w, b, ONE, PAD)
    pooled, argmax = kernels.max_pool2d_forward(out, (2, 2), (2, 2))
    up = np.ones_like(pooled)
    dout = kernels.max_pool2d_backward(up, argmax, out.shape, (2, 2), (2, 2))
    kernels.conv2d_backward(dout, x, w, ONE, PAD)


def ours_engine(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> None:
    """Forward and backward through gradgate's public API."""
    xv, wv, bv = autograd.Value(x), autograd.Value(w), autograd.Value(b)
    pooled = autograd.max_pool2d(autograd.conv2d(xv, wv, bv, padding=1), 2)
    pooled.backward(np.ones(pooled.shape, np.float32))


def numpy_reference(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> None:
    """The tests' im2col oracle (tests/reference_nn.py)."""
    import reference_nn as ref

    out = ref.conv2d_forward(x, w, b, ONE, PAD)
    pooled, argmax = ref.max_pool2d_forward(out, (2, 2), (2, 2))
    dout = ref.max_pool2d_backward(np.ones_like(pooled), argmax, out.shape, (2, 2), (2, 2))
    ref.conv2d_backward(dout, x, w, ONE, PAD)


CROSSOVER_SHAPES = [  # (batch, channels in, side, filters, kernel): digits, CIFAR, both sides
    (32, 1, 8, 8, 3), (32, 4, 8, 16, 3), (32, 8, 4, 16, 3), (64, 3, 32, 16, 3),
    (64, 3, 32, 32, 3), (64, 3, 32, 32, 5), (64, 6, 14, 16, 5), (64, 8, 16, 16, 3),
    (64, 16, 16, 16, 3), (64, 16, 32, 16, 3), (64, 32, 16, 32, 3), (64, 64, 8, 64, 3)]


def crossover(repeat: int) -> None:
    """Direct vs GEMM path, forward + backward, per shape; and the rule's choice."""
    from unittest import mock

    from autograd.kernels import conv as conv_module

    rng = np.random.default_rng(0)
    rows = []
    for n, c, side, f, k in CROSSOVER_SHAPES:
        x = rng.normal(size=(n, c, side, side)).astype(np.float32)
        w = rng.normal(size=(f, c, k, k)).astype(np.float32)
        pad = (k // 2, k // 2)
        up = rng.normal(size=(n, f, side, side)).astype(np.float32)

        def run(path: str, x=x, w=w, pad=pad, up=up) -> None:
            with mock.patch.object(conv_module, "uses_gemm", lambda *a: path == "gemm"):
                kernels.conv2d_forward(x, w, None, ONE, pad)
                kernels.conv2d_backward(up, x, w, ONE, pad)

        ms = _common.compare({"direct": lambda: run("direct"), "gemm": lambda: run("gemm")},
                             repeat)
        chosen = "gemm" if conv_module.uses_gemm(x.shape, w.shape, ONE) else "direct"
        rows.append((f"{n}x{c}x{side}x{side} * {f}x{c}x{k}x{k}", c, ms["direct"],
                     ms["gemm"], "gemm" if ms["gemm"] < ms["direct"] else "direct", chosen))
    _common.table("conv2d forward + backward by path, float32",
                  ("shape", "channels", "direct ms", "gemm ms", "faster", "rule picks"), rows)


def main() -> None:
    args = _common.arguments(__doc__.splitlines()[0], repeat=30,
                             crossover={"action": "store_true",
                                        "help": "time the direct and GEMM paths by shape"})
    if args.crossover:
        crossover(min(args.repeat, 10))
        return
    torch = _common.load_torch()
    _common.limit_threads(torch)
    sys.path.insert(0, str(_common.ROOT / "tests"))
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, C, H, W)).astype(np.float32)
    w = (rng.normal(size=(F, C, K, K)) / 5).astype(np.float32)
    b = rng.normal(size=F).astype(np.float32)

    candidates = {
        "gradgate kernels": lambda: ours_kernels(x, w, b),
        "gradgate engine": lambda: ours_engine(x, w, b),
        "numpy im2col (tests' oracle)": lambda: numpy_reference(x, w, b),
    }
    if torch is not None:
        xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))

        def torch_step() -> None:
            pooled = torch.nn.functional.max_pool2d(
                torch.nn.functional.conv2d(xt, wt, bt, padding=1), 2)
            pooled.backward(torch.ones_like(pooled))
            xt.grad = wt.grad = bt.grad = None

        candidates["pytorch " + torch.__version__] = torch_step
    ms = _common.compare(candidates, args.repeat)
    torch_ms = ms.get(f"pytorch {torch.__version__}") if torch is not None else None
    rows = [(name, t, None if torch_ms is None else t / torch_ms) for name, t in ms.items()]
    _common.table(f"conv2d {N}x{C}x{H}x{W} * {F}x{C}x{K}x{K} pad 1 + maxpool 2x2, fwd+bwd, "
                  "float32", ("candidate", "ms", "ours/torch"), rows)
    if torch_ms is not None:
        ratio = ms["gradgate engine"] / torch_ms
        print(f"engine / pytorch = {ratio:.2f} (target <= 1.5): "
              f"{'met' if ratio <= 1.5 else 'NOT met'}")


if __name__ == "__main__":
    main()
