"""matmul 512x512 forward + backward (3 products: a@b, up@b.T, a.T@up), float32 and float64.

Side by side in one process, every pool limited to ``--threads``: raw NumPy doing the three
products, ``autograd.kernels.matmul`` doing them, the engine (``Value @ Value`` + backward)
and PyTorch (skipped when not installed), with GFLOP/s. Target: ours <= 1.1x raw NumPy.

``--numba-baseline`` adds the measurement behind the choice of BLAS in
``autograd/kernels/matmul.py``: a vectorised Numba i-k-j kernel against NumPy at several
sizes, 2-D and batched.

    python bench/bench_matmul.py [--threads 2] [--repeat 30] [--size 512] [--numba-baseline]
"""

from __future__ import annotations

from functools import partial
from types import ModuleType

import _common  # before NumPy: sets OMP_WAIT_POLICY and the thread limits
import numpy as np

import autograd
from autograd import kernels


def three_products(mm, a: np.ndarray, b: np.ndarray, up: np.ndarray) -> None:
    """The forward product and both backward products with ``mm``."""
    mm(a, b)
    mm(up, b.T)
    mm(a.T, up)


def engine_step(a: np.ndarray, b: np.ndarray, up: np.ndarray) -> None:
    """Forward and backward of ``a @ b`` through gradgate's engine."""
    av, bv = autograd.Value(a), autograd.Value(b)
    (av @ bv).backward(up)


def numba_baseline(repeat: int) -> None:
    """Time a plain Numba batched i-k-j kernel against NumPy's matmul (BLAS)."""
    from numba import njit, prange

    @njit(parallel=True, cache=False)
    def ikj(a, b, out):  # a (B, M, K), b (B, K, N), out (B, M, N): vectorised over j
        for t in prange(a.shape[0] * a.shape[1]):
            bi = t // a.shape[1]
            i = t - bi * a.shape[1]
            row = out[bi, i]
            row[:] = 0
            for k in range(a.shape[2]):
                av, brow = a[bi, i, k], b[bi, k]
                for j in range(row.shape[0]):
                    row[j] += av * brow[j]

    rows = []
    rng = np.random.default_rng(1)
    for dtype in (np.float32, np.float64):
        for batch, m in ((1, 64), (1, 128), (1, 512), (16, 64), (256, 16), (1000, 4)):
            a = rng.normal(size=(batch, m, m)).astype(dtype)
            b = rng.normal(size=(batch, m, m)).astype(dtype)
            ms = _common.compare({"numpy": partial(np.matmul, a, b),
                                  "numba": partial(ikj, a, b, np.empty_like(a))}, repeat)
            rows.append((f"{np.dtype(dtype).name} {batch} x {m}^3", ms["numpy"] * 1e3,
                         ms["numba"] * 1e3, ms["numba"] / ms["numpy"]))
    _common.table("Numba i-k-j kernel vs NumPy BLAS (why matmul uses BLAS)",
                  ("case", "numpy us", "numba us", "numba/numpy"), rows)


def torch_step(torch: ModuleType, a: np.ndarray, b: np.ndarray, up: np.ndarray):
    """A PyTorch forward + backward of ``a @ b`` on fresh leaves made from the arrays."""
    at, bt = (torch.tensor(m, requires_grad=True) for m in (a, b))
    upt = torch.tensor(up)

    def step() -> None:
        (at @ bt).backward(upt)
        at.grad = bt.grad = None

    return step


def run(dtype: type, n: int, torch: ModuleType | None, repeat: int) -> None:
    """Time and print every candidate for one dtype."""
    rng = np.random.default_rng(0)
    a, b, up = (rng.normal(size=(n, n)).astype(dtype) for _ in range(3))
    candidates = {
        "numpy (raw, 3 products)": partial(three_products, np.matmul, a, b, up),
        "gradgate kernels.matmul": partial(three_products, kernels.matmul, a, b, up),
        "gradgate engine (a @ b).backward": partial(engine_step, a, b, up),
    }
    if torch is not None:
        candidates["pytorch " + torch.__version__] = torch_step(torch, a, b, up)
    ms = _common.compare(candidates, repeat)
    base = ms["numpy (raw, 3 products)"]
    flop = 3 * 2 * n**3
    rows = [(name, t, flop / t / 1e6, t / base) for name, t in ms.items()]
    _common.table(f"matmul {n}x{n} fwd+bwd (3 products), {np.dtype(dtype).name}",
                  ("candidate", "ms", "GFLOP/s", "ours/numpy"), rows)
    for name in ("gradgate kernels.matmul", "gradgate engine (a @ b).backward"):
        ratio = ms[name] / base
        print(f"{name} / numpy = {ratio:.2f} (target <= 1.1): "
              f"{'met' if ratio <= 1.1 else 'NOT met'}")
    print()


def main() -> None:
    args = _common.arguments(__doc__.splitlines()[0], repeat=30,
                             size={"type": int, "default": 512, "help": "matrix side"},
                             numba_baseline={"action": "store_true",
                                             "help": "also time a Numba matmul kernel"})
    torch = _common.load_torch()
    _common.limit_threads(torch)
    for dtype in (np.float32, np.float64):
        run(dtype, args.size, torch, args.repeat)
    if args.numba_baseline:
        numba_baseline(args.repeat)


if __name__ == "__main__":
    main()
