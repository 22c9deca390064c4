"""The course's CIFAR-shaped networks at real size: one training step and inference, side by side.

Batch 64 x 3x32x32, float32. A training step is forward, cross-entropy, backward and one SGD
step with momentum 0.9; inference is a forward pass in eval mode. Networks: VGG-style
(``vgg_small(width=32, batch_norm=True)``), ResNet-style (``resnet_small(width=16,
blocks=(2, 2, 2))``) and AlexNet-style (``alexnet_small()``). PyTorch (skipped when not
installed) runs ``layers.to_torch`` of the same network, so the same weights: both print the same
initial loss (eval mode, so dropout draws no masks). Each row gives ms, images/s, GFLOP/s
(convolutions and matrix products: 3x the forward count for a training step) and the ratio
gradgate / PyTorch. Two more rows per net time the matrix products alone, as GEMMs of
NumPy's BLAS on ready operands (:func:`blas_products`): the floor of any design that
convolves through BLAS. Then the peak memory one step adds (resident set in a fresh process
whose allocator returns every large buffer at once, measured by resetting the kernel's
high-water mark before the step).

    python bench/bench_cnn_cifar.py [--threads 2] [--repeat 5] [--nets vgg,resnet,alexnet]
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import _common  # before NumPy: sets OMP_WAIT_POLICY and the thread limits
import numpy as np

import autograd
import layers
from autograd.graph import topological_order

BATCH, LR, MOMENTUM = 64, 0.01, 0.9

NETS: dict[str, Callable[[], Any]] = {
    "vgg": lambda: layers.vgg_small(width=32, batch_norm=True),
    "resnet": lambda: layers.resnet_small(width=16, blocks=(2, 2, 2)),
    "alexnet": lambda: layers.alexnet_small(),
}


def batch(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A CIFAR-shaped batch: standardised random images and integer labels."""
    rng = np.random.default_rng(seed)
    images = rng.standard_normal((BATCH, 3, 32, 32)).astype(np.float32)
    return images, rng.integers(0, 10, BATCH)


def forward_flops(loss: autograd.Value) -> float:
    """Multiply-adds x 2 of every conv2d and matmul node in the graph of ``loss``."""
    total = 0.0
    for node in topological_order(loss):
        gate = node.gate
        if gate is None:
            continue
        if gate.name == "conv2d":
            c, kh, kw = node.parents[1].shape[1:]
            total += 2.0 * node.size * c * kh * kw
        elif gate.name == "matmul":
            total += 2.0 * node.size * node.parents[0].shape[-1]
    return total


def blas_products(loss: autograd.Value, train: bool) -> Callable[[], None]:
    """The matrix products of ``loss``'s graph, and nothing else: forward only, or the three
    of a training step (``train``).

    Every conv2d node as im2col-shaped GEMMs (forward ``cols (P, CKK) @ W (CKK, F)``, weight
    gradient ``cols.T @ up``, input gradient ``up @ W.T`` when the input needs one) and every
    matmul's products, on operands made beforehand: no packing, no other op, no graph. Each
    node's products run in whichever orientation (pixels as rows, or as columns) measured
    faster when the function was built. Its time is the least any design that convolves
    through NumPy's BLAS can take here.
    """
    rng = np.random.default_rng(0)
    products: list[Callable[[], None]] = []

    def gemms(a: np.ndarray, b: np.ndarray, needs_dx: bool) -> Callable[[], None]:
        def run() -> None:
            up = a @ b  # forward; the result stands in for the upstream gradient
            if train:
                a.T @ up  # weight gradient
                if needs_dx:
                    up @ b.T  # input gradient
        return run

    def add(rows: int, inner: int, cols: int, needs_dx: bool) -> None:
        a = rng.standard_normal((rows, inner), dtype=np.float32)
        b = rng.standard_normal((inner, cols), dtype=np.float32)
        runs = {"rows": gemms(a, b, needs_dx), "columns": gemms(b.T.copy(), a.T.copy(), needs_dx)}
        ms = _common.compare(runs, repeat=3, warmup=1)
        products.append(runs[min(ms, key=ms.__getitem__)])

    for node in topological_order(loss):
        gate = node.gate
        if gate is not None and gate.name == "conv2d":
            f, c, kh, kw = node.parents[1].shape
            add(node.size // f, c * kh * kw, f, node.parents[0].requires_grad)
        elif gate is not None and gate.name == "matmul":
            a, b = (p.shape for p in node.parents)
            add(int(np.prod(a[:-1])), a[-1], b[-1], node.parents[0].requires_grad)

    def run() -> None:
        for product in products:
            product()

    return run


def gradgate_step(net: Any, opt: Any, x: np.ndarray, y: np.ndarray) -> float:
    """One training step with gradgate; returns the loss."""
    loss = autograd.cross_entropy(net(autograd.Value(x, requires_grad=False)), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return float(loss.data)


def torch_step(torch: ModuleType, net: Any, opt: Any, x: Any, y: Any) -> float:
    """One training step with PyTorch; returns the loss."""
    loss = torch.nn.functional.cross_entropy(net(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


def candidates_for(name: str, torch: ModuleType | None, x: np.ndarray,
                   y: np.ndarray) -> tuple[dict[str, Callable[[], Any]], dict[str, float], float]:
    """Timed callables (train and infer, ours and PyTorch's), the initial losses, and the
    forward GFLOP count of network ``name``."""
    autograd.manual_seed(0)
    net = NETS[name]().to(np.float32)
    net.eval()
    loss0 = autograd.cross_entropy(net(x), y)
    first = {"gradgate": float(loss0.data)}
    flops = forward_flops(loss0)
    net.train()
    opt = layers.SGD(list(net.parameters()), lr=LR, momentum=MOMENTUM)

    def infer() -> Any:
        net.eval()
        with autograd.no_grad():
            out = net(x)
        net.train()
        return out

    candidates = {"gradgate train": lambda: gradgate_step(net, opt, x, y),
                  "gradgate infer": infer,
                  "blas train": blas_products(autograd.cross_entropy(net(x), y), True)}
    candidates["blas infer"] = blas_products(autograd.cross_entropy(net(x), y), False)
    if torch is None:
        return candidates, first, flops
    twin = layers.to_torch(net)
    xt, yt = torch.tensor(x), torch.tensor(y)
    twin.eval()
    with torch.no_grad():
        first["pytorch"] = torch.nn.functional.cross_entropy(twin(xt), yt).item()
    twin.train()
    topt = torch.optim.SGD(twin.parameters(), lr=LR, momentum=MOMENTUM)

    def tinfer() -> Any:
        twin.eval()
        with torch.no_grad():
            out = twin(xt)
        twin.train()
        return out

    candidates["pytorch train"] = lambda: torch_step(torch, twin, topt, xt, yt)
    candidates["pytorch infer"] = tinfer
    return candidates, first, flops


def peak_mib(name: str, side: str) -> float | None:
    """Peak resident memory (MiB) one training step of ``side`` adds, in a fresh process.

    A fresh process with a fixed mmap threshold, because otherwise glibc keeps freed buffers
    in its heap and the step's peak stays hidden. The child runs one warm-up step on a batch
    of 2 (compiling or loading kernels), resets the kernel's high-water mark, then runs one
    full step.
    """
    if not Path("/proc/self/clear_refs").exists():
        return None
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="65536")  # large buffers: mmap, unmap
    out = subprocess.run([sys.executable, __file__, "--memory-child", f"{name}:{side}",
                          "--threads", str(_common.THREADS)],
                         capture_output=True, text=True, check=False, env=env)
    try:
        return float(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        print(f"memory measurement of {name} ({side}) failed: {out.stderr[-500:]}")
        return None


def memory_child(spec: str) -> None:
    """In a fresh process: print the MiB one training step of ``spec`` (net:side) adds."""
    name, side = spec.split(":")
    torch = _common.load_torch() if side == "pytorch" else None
    _common.limit_threads(torch)
    x, y = batch()
    candidates, _, _ = candidates_for(name, torch, x[:2], y[:2])
    step = candidates[f"{side} train"]
    step()
    candidates, _, _ = candidates_for(name, torch, x, y)
    step = candidates[f"{side} train"]
    status = Path("/proc/self/status")

    def read(field: str) -> float:
        line = next(v for v in status.read_text().splitlines() if v.startswith(field))
        return int(line.split()[1]) / 1024

    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # high-water mark := current size
    base = read("VmRSS:")
    step()
    print(read("VmHWM:") - base)


def main() -> None:
    args = _common.arguments(__doc__.splitlines()[0], repeat=5,
                             nets={"default": "vgg,resnet,alexnet",
                                   "help": "comma-separated subset of vgg,resnet,alexnet"},
                             memory_child={"default": None, "help": argparse.SUPPRESS})
    if args.memory_child:
        memory_child(args.memory_child)
        return
    torch = _common.load_torch()
    _common.limit_threads(torch)
    x, y = batch()
    rows, memory = [], []
    for name in args.nets.split(","):
        candidates, first, flops = candidates_for(name, torch, x, y)
        print(f"{name}: initial loss " + ", ".join(f"{k} {v:.6f}" for k, v in first.items()))
        ms = _common.compare(candidates, args.repeat, warmup=2)
        for kind, factor in (("train", 3.0), ("infer", 1.0)):
            ours = ms[f"gradgate {kind}"]
            ref = ms.get(f"pytorch {kind}")
            rows.append((f"{name} {kind}", ours, ref, BATCH / ours * 1e3,
                         factor * flops / ours / 1e6, None if ref is None else ours / ref))
        for kind, factor in (("train", 3.0), ("infer", 1.0)):
            floor, ref = ms[f"blas {kind}"], ms.get(f"pytorch {kind}")
            rows.append((f"{name} {kind}: BLAS products only", floor, ref, BATCH / floor * 1e3,
                         factor * flops / floor / 1e6, None if ref is None else floor / ref))
        ours_mem = peak_mib(name, "gradgate")
        ref_mem = peak_mib(name, "pytorch") if torch is not None else None
        memory.append((name, ours_mem, ref_mem,
                       None if not (ours_mem and ref_mem) else ours_mem / ref_mem))
    _common.table(f"CIFAR-shaped nets, batch {BATCH}x3x32x32, float32",
                  ("step", "gradgate ms", "pytorch ms", "images/s", "GFLOP/s", "ratio"), rows)
    _common.table("peak memory one training step adds", ("net", "gradgate MiB", "pytorch MiB",
                                                         "ratio"), memory,
                  note="resident set, fresh process")


if __name__ == "__main__":
    main()
