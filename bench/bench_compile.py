"""Cold start of the kernels: first call with an empty Numba cache, and warm first call.

Runs three fresh interpreters sharing one new temporary ``NUMBA_CACHE_DIR``: the first finds
the cache empty and compiles every kernel (float32, then float64), the second loads them from
disk, the third repeats that (the faster of the two warm runs is shown). Each reports how long
``import autograd`` took and each kernel's first and second call. No PyTorch involved.

    python bench/bench_compile.py [--threads 2]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

import _common  # before NumPy: sets OMP_WAIT_POLICY and the thread limits

CALLS = ("conv2d direct", "conv2d gemm stride 1", "conv2d gemm stride 2", "max_pool2d",
         "batch_norm", "lstm_cell", "matmul")
"""Each row: forward and backward of one kernel family (the GEMM convolution in both patch
layouts: stride 1 packs channels last, a larger stride uses im2col and col2im)."""


def calls(np, kernels, dtype) -> dict:  # noqa: ANN001 - modules passed in after the timed import
    """name -> a callable running that kernel family's forward and backward once."""
    from autograd.kernels import batchnorm, lstm

    x, w = np.ones((2, 3, 8, 8), dtype), np.ones((4, 3, 3, 3), dtype)
    wide = np.ones((2, 8, 8, 8), dtype), np.ones((4, 8, 3, 3), dtype)  # 72 taps: GEMM
    pooled = np.ones((2, 4, 8, 8), dtype)
    gate = np.ones((2, 3), dtype), np.zeros((2, 4), dtype), np.zeros((2, 4), dtype)
    weights = np.ones((16, 3), dtype), np.ones((16, 4), dtype), np.ones(16, dtype)

    def conv(images, filters, stride):
        out = kernels.conv2d_forward(images, filters, None, stride, (1, 1))
        kernels.conv2d_backward(out, images, filters, stride, (1, 1))

    def pool():
        out, arg = kernels.max_pool2d_forward(pooled, (2, 2), (2, 2))
        kernels.max_pool2d_backward(out, arg, pooled.shape, (2, 2), (2, 2))

    def norm():
        mean, var = batchnorm.batch_stats(pooled)
        out = batchnorm.batch_norm_forward(pooled, mean, 1 / np.sqrt(var + 1), None, None)
        batchnorm.batch_norm_backward(out, pooled, mean, 1 / np.sqrt(var + 1), None, True)

    def cell():
        hc, saved = lstm.lstm_cell_forward(*gate, *weights)
        lstm.lstm_cell_backward(hc, saved, (True,) * 6)

    return {"conv2d direct": lambda: conv(x, w, (1, 1)),
            "conv2d gemm stride 1": lambda: conv(*wide, (1, 1)),
            "conv2d gemm stride 2": lambda: conv(*wide, (2, 2)),
            "max_pool2d": pool, "batch_norm": norm, "lstm_cell": cell,
            "matmul": lambda: kernels.matmul(x[0, 0], x[0, 0])}


def child() -> None:
    """Time ``import autograd`` and the first two calls of every kernel; print JSON."""
    start = time.perf_counter()
    import numpy as np

    import autograd  # noqa: F401  (timed: the package import a user pays)
    from autograd import kernels

    timings: dict[str, float] = {"import autograd": time.perf_counter() - start}
    assert "numba" not in sys.modules, "import autograd must not import numba"
    for dtype in (np.float32, np.float64):
        for name, fn in calls(np, kernels, dtype).items():
            for call in ("first", "second"):
                start = time.perf_counter()
                fn()
                timings[f"{name} {np.dtype(dtype).name} {call}"] = time.perf_counter() - start
    print(json.dumps(timings))


def run_child(cache_dir: str) -> dict[str, float]:
    """One fresh interpreter with ``NUMBA_CACHE_DIR=cache_dir``; its timings."""
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir}
    done = subprocess.run([sys.executable, __file__, "--child", *sys.argv[1:]], env=env,
                          capture_output=True, text=True, check=True, cwd=_common.ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    _common.arguments(__doc__.splitlines()[0], repeat=1,
                      child={"action": "store_true", "help": "internal: timing process"})
    with tempfile.TemporaryDirectory(prefix="gradgate-numba-cache-") as cache_dir:
        cold = run_child(cache_dir)
        warm_runs = [run_child(cache_dir) for _ in range(2)]
    warm = {k: min(r[k] for r in warm_runs) for k in cold}
    print(f"import autograd: {cold['import autograd'] * 1e3:.0f} ms (cold cache), "
          f"{warm['import autograd'] * 1e3:.0f} ms (warm); compiles nothing, imports no Numba\n")
    rows = []
    for dtype in ("float32", "float64"):
        for name in CALLS:
            key = f"{name} {dtype}"
            rows.append((key, cold[key + " first"], warm[key + " first"] * 1e3,
                         warm[key + " second"] * 1e3))
    total_cold = sum(r[1] for r in rows)
    total_warm = sum(r[2] for r in rows)
    rows.append(("total", total_cold, total_warm, sum(r[3] for r in rows)))
    _common.table("first forward + backward of each kernel family (tiny inputs; the first call "
                  "overall also imports Numba and starts its threads)",
                  ("kernel", "cold first call s", "warm first call ms", "second call ms"), rows,
                  note="warm: the faster of two fresh processes")


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        main()
