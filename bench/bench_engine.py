"""Scalar-engine benchmark: micrograd's demo training step, ours vs micrograd, side by side.

One step = forward over 100 two-moons points through an MLP 2→16→16→1, hinge loss +
1e-4·L2, backward, SGD update — exactly micrograd's demo.  Both engines start from the same
weights; the script checks that they compute the same losses.  Also times a backward over a
10^6-node scalar chain and over a 512×512 matmul graph.

    python bench/bench_engine.py [--steps 5]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from autograd import Value  # noqa: E402


def moons(n: int = 100, noise: float = 0.1, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles with labels -1/+1 (as in micrograd's demo)."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, n)
    upper = rng.random(n) < 0.5
    x = np.where(upper, np.cos(t), 1 - np.cos(t))
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    pts = np.stack([x, y], 1) + noise * rng.standard_normal((n, 2))
    return pts, np.where(upper, -1.0, 1.0)


def make_mlp(value_cls: type, weights: list[tuple[np.ndarray, np.ndarray]]) -> list:
    """Layers of neurons (lists of weight Values and a bias Value) with the given weights."""
    return [[([value_cls(float(w)) for w in row], value_cls(float(b))) for row, b in zip(W, B)]
            for W, B in weights]


def parameters(mlp: list) -> list:
    return [p for layer in mlp for ws, b in layer for p in (*ws, b)]


def forward(mlp: list, x: list) -> object:
    for i, layer in enumerate(mlp):
        last = i == len(mlp) - 1
        outs = []
        for ws, b in layer:
            act = sum((wi * xi for wi, xi in zip(ws, x)), b)
            outs.append(act if last else act.relu())
        x = outs
    return x[0]


def step(value_cls: type, mlp: list, X: np.ndarray, y: np.ndarray, lr: float) -> float:
    inputs = [[value_cls(float(a)) for a in row] for row in X]
    scores = [forward(mlp, row) for row in inputs]
    losses = [(1 + -float(yi) * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in parameters(mlp))
    total = data_loss + reg_loss
    for p in parameters(mlp):
        p.grad = 0
    total.backward()
    for p in parameters(mlp):
        p.data -= lr * p.grad
    return total.data


def time_steps(value_cls: type, weights: list, X: np.ndarray, y: np.ndarray, steps: int,
               mode: str) -> tuple[float, list[float]]:
    """Median seconds per step and the losses, with the GC in the given mode."""
    mlp = make_mlp(value_cls, weights)
    times, losses = [], []
    gc.collect()
    for k in range(steps):
        if mode == "collected":
            gc.collect()
        if mode == "gc-off":
            gc.disable()
        t0 = time.perf_counter()
        losses.append(step(value_cls, mlp, X, y, 1.0 - 0.9 * k / 100))
        times.append(time.perf_counter() - t0)
        gc.enable()
    gc.collect()
    return statistics.median(times), losses


def chain_backward(n: int) -> float:
    x = Value(0.5)
    y = x
    for _ in range(n):
        y = y * 1.0000001
    t0 = time.perf_counter()
    y.backward()
    return time.perf_counter() - t0


def matmul_backward(n: int, dtype: type) -> float:
    rng = np.random.default_rng(0)
    a = Value(rng.standard_normal((n, n)).astype(dtype))
    b = Value(rng.standard_normal((n, n)).astype(dtype))
    times = []
    for _ in range(5):
        c = (a @ b).sum()
        t0 = time.perf_counter()
        c.backward()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5, help="timed steps per engine and mode")
    args = parser.parse_args()
    X, y = moons()
    rng = np.random.default_rng(0)
    sizes = [2, 16, 16, 1]
    weights = [(rng.uniform(-1, 1, (sizes[i + 1], sizes[i])), np.zeros(sizes[i + 1]))
               for i in range(3)]
    try:
        from micrograd.engine import Value as MicroValue
    except ImportError:
        MicroValue = None
        print("micrograd not installed (pip install micrograd==0.1.0): our figures only")

    print(f"micrograd demo step: MLP 2-16-16-1, 100 points, {args.steps} steps, median s/step")
    print(f"{'GC mode':<12}{'gradgate':>12}{'micrograd':>12}{'speed-up':>10}")
    for mode in ("on", "collected", "gc-off"):
        ours, our_losses = time_steps(Value, weights, X, y, args.steps, mode)
        if MicroValue is None:
            print(f"{mode:<12}{ours:>12.4f}")
            continue
        theirs, their_losses = time_steps(MicroValue, weights, X, y, args.steps, mode)
        same = np.allclose(our_losses, their_losses, rtol=1e-12, atol=0)
        print(f"{mode:<12}{ours:>12.4f}{theirs:>12.4f}{theirs / ours:>9.1f}x"
              f"   losses identical: {same}")
    print(f"backward over a 10^6-node scalar chain: {chain_backward(10**6):.3f} s")
    for dtype in (np.float32, np.float64):
        t = matmul_backward(512, dtype)
        print(f"backward of sum(A @ B), 512x512 {np.dtype(dtype).name}: {t * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
