"""Gradients of gradients: what recording the backward pass costs, side by side with PyTorch.

Three workloads, each timed as the ordinary gradient (``create_graph=False``) and as a
Hessian-vector product (gradient recorded with ``create_graph=True``, then differentiated
along a direction ``v``):

- the 784→64→10 tanh classifier of notebook 8 on 256 inputs, cross-entropy (≈51k parameters);
- a LeNet-style CNN (conv 1→8, max-pool, conv 8→16, linear) on 64 8×8 images;
- the scalar engine: the micrograd demo MLP (2→16→16→1) on 20 points, hinge loss.

Both libraries compute the same numbers (checked before timing).

    python bench/bench_higher_order.py [--threads 2] [--repeat 10]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import _common  # before NumPy: sets OMP_WAIT_POLICY and the thread limits
import numpy as np

import autograd
from autograd import Value


def classifier(lib: Any, rng: np.random.Generator) -> tuple[Callable, list, list]:
    x, t = rng.standard_normal((256, 784)), rng.integers(0, 10, 256)
    params = [rng.standard_normal((784, 64)) * 0.05, rng.standard_normal((64, 10)) * 0.1]
    if lib is None:
        return (lambda w1, w2: autograd.cross_entropy((Value(x) @ w1).tanh() @ w2, t)), params, []
    import torch.nn.functional as F

    tx, tt = lib.tensor(x), lib.tensor(t)
    return (lambda w1, w2: F.cross_entropy((tx @ w1).tanh() @ w2, tt)), params, []


def cnn(lib: Any, rng: np.random.Generator) -> tuple[Callable, list, list]:
    x, t = rng.standard_normal((64, 1, 8, 8)), rng.integers(0, 10, 64)
    params = [rng.standard_normal((8, 1, 3, 3)) * 0.3, rng.standard_normal((16, 8, 3, 3)) * 0.1,
              rng.standard_normal((64, 10)) * 0.1]
    if lib is None:
        def ours(w1, w2, w3):
            h = autograd.max_pool2d(autograd.conv2d(Value(x), w1, padding=1).tanh(), 2)
            h = autograd.max_pool2d(autograd.conv2d(h, w2, padding=1).tanh(), 2)
            return autograd.cross_entropy(h.reshape(64, 64) @ w3, t)
        return ours, params, []
    import torch.nn.functional as F

    tx, tt = lib.tensor(x), lib.tensor(t)

    def theirs(w1, w2, w3):
        h = F.max_pool2d(F.conv2d(tx, w1, padding=1).tanh(), 2)
        h = F.max_pool2d(F.conv2d(h, w2, padding=1).tanh(), 2)
        return F.cross_entropy(h.reshape(64, 64) @ w3, tt)
    return theirs, params, []


def micrograd_mlp(lib: Any, rng: np.random.Generator) -> tuple[Callable, list, list] | None:
    if lib is not None:
        return None  # a scalar engine has no PyTorch counterpart worth timing
    x, y = rng.standard_normal((20, 2)), np.where(rng.random(20) < 0.5, -1.0, 1.0)
    sizes = [(16, 2), (16,), (16, 16), (16,), (1, 16), (1,)]
    params = [rng.standard_normal(s) * 0.5 for s in sizes]

    def unpack(flat: list) -> list:
        out, k = [], 0
        for s in sizes:
            n = int(np.prod(s))
            out.append(np.array(flat[k:k + n], dtype=object).reshape(s))
            k += n
        return out

    def loss(*scalars: Value) -> Value:
        w1, b1, w2, b2, w3, b3 = unpack(list(scalars))
        total = Value(0.0)
        for point, target in zip(x, y):
            h = [sum((w * float(p) for w, p in zip(row, point)), b).relu()
                 for row, b in zip(w1, b1)]
            h = [sum((w * a for w, a in zip(row, h)), b).relu() for row, b in zip(w2, b2)]
            score = sum((w * a for w, a in zip(w3[0], h)), b3[0])
            total = total + (1 - target * score).relu()
        return total / len(x)

    return loss, [float(v) for p in params for v in p.ravel()], []


def timings(build: Callable, lib: Any, rng_seed: int) -> tuple[Callable, Callable, Any] | None:
    made = build(lib, np.random.default_rng(rng_seed))
    if made is None:
        return None
    fn, params, _ = made
    directions = [np.random.default_rng(1).standard_normal(np.shape(p)) for p in params]
    if lib is None:
        leaves = [Value(p) for p in params]

        def gradient() -> list:
            return [g.data for g in autograd.grad(fn(*leaves), leaves)]

        def hvp() -> list:
            gs = autograd.grad(fn(*leaves), leaves, create_graph=True)
            hs = autograd.grad(list(gs), leaves, list(directions), allow_unused=True)
            return [h.data for h in hs]
        return gradient, hvp, leaves
    leaves = [lib.tensor(p, requires_grad=True) for p in params]
    vs = [lib.tensor(v) for v in directions]

    def t_gradient() -> list:
        return [g.numpy() for g in lib.autograd.grad(fn(*leaves), leaves)]

    def t_hvp() -> list:
        gs = lib.autograd.grad(fn(*leaves), leaves, create_graph=True)
        return [h.numpy() for h in lib.autograd.grad(gs, leaves, vs)]
    return t_gradient, t_hvp, leaves


def main() -> None:
    args = _common.arguments(__doc__.splitlines()[0], repeat=10)
    torch = _common.load_torch()
    _common.limit_threads(torch)
    if torch is not None:
        torch.set_default_dtype(torch.float64)
    rows = []
    for name, build in [("classifier 784-64-10, 51k params", classifier),
                        ("CNN on 64 8x8 images", cnn),
                        ("micrograd MLP, 20 points (scalars)", micrograd_mlp)]:
        ours = timings(build, None, 0)
        theirs = timings(build, torch, 0) if torch is not None else None
        assert ours is not None
        if theirs is not None:
            for a, b in zip(ours[1](), theirs[1]()):
                np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-10)
        candidates = {"grad": ours[0], "hvp": ours[1]}
        if theirs is not None:
            candidates |= {"torch grad": theirs[0], "torch hvp": theirs[1]}
        ms = _common.compare(candidates, args.repeat, warmup=1)
        rows.append([name, ms["grad"], ms["hvp"], ms["hvp"] / ms["grad"],
                     ms.get("torch grad"), ms.get("torch hvp")])
    _common.table("gradient vs Hessian-vector product (ms, float64)",
                  ["workload", "grad", "hvp", "hvp/grad", "torch grad", "torch hvp"], rows)


if __name__ == "__main__":
    main()
