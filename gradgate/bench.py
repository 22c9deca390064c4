"""``gradgate bench``: the checkout's bench/ scripts, or a built-in micro-benchmark.

The scripts are found in a checkout: the ``bench/`` folder of the current directory or of
the nearest parent that has one; ``--path DIR`` names the folder instead.

>>> _duration(0.0042), _duration(2.5)
('4.20 ms', '2.50 s')
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .errors import PROG, UsageError
from .types import positive_int


def add_parser(commands: Any) -> None:
    """Register ``bench`` and its options on the subcommand table ``commands``."""
    bench = commands.add_parser(
        "bench", help="run the benchmarks",
        description="Run the bench/bench_*.py scripts of the checkout you are in (or of "
                    "--path DIR) one after another, or (--quick, or outside a checkout) a "
                    "built-in micro-benchmark of a few seconds.")
    bench.add_argument("--quick", action="store_true", help="only the built-in micro-benchmark")
    bench.add_argument("--only", nargs="+", metavar="NAME",
                       help="run only the scripts whose name contains NAME")
    bench.add_argument("--path", metavar="DIR",
                       help="the folder of bench_*.py scripts (default: bench/ in the "
                            "current directory or the nearest parent that has one)")
    bench.add_argument("--repeats", type=positive_int, default=5,
                       help="timed repeats per micro-benchmark (default: 5)")
    bench.set_defaults(func=run_bench)


def _bench_dir() -> Path | None:
    """The ``bench/`` folder (holding ``bench_*.py``) of the current directory or of its
    nearest parent that has one; None outside a checkout.

    >>> import os, tempfile
    >>> here = os.getcwd(); os.chdir(tempfile.mkdtemp())
    >>> _bench_dir() is None
    True
    >>> os.chdir(here)
    """
    for folder in (Path.cwd(), *Path.cwd().parents):
        candidate = folder / "bench"
        if any(candidate.glob("bench_*.py")):
            return candidate
    return None


def _median_time(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm-up (compilation, caches)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def micro_benchmarks(repeats: int = 5) -> list[tuple[str, float]]:
    """A few seconds of built-in timings: ``(workload, median seconds)`` pairs.

    >>> [name for name, _ in micro_benchmarks(1)][0]
    'scalar MLP 2→16→16→1, 20 points, fwd+bwd'
    """
    import autograd
    import layers
    from autograd import Value

    rng = np.random.default_rng(0)
    x, y = layers.make_moons(20, seed=0)
    weights = [(rng.standard_normal((16, 2)), np.zeros(16)),
               (rng.standard_normal((16, 16)) / 4, np.zeros(16)),
               (rng.standard_normal((1, 16)) / 4, np.zeros(1))]

    def scalar_mlp() -> None:
        ws = [([[Value(float(v)) for v in row] for row in w], [Value(float(v)) for v in b])
              for w, b in weights]
        total = Value(0.0)
        for point, label in zip(x, y):
            acts: list[Any] = [float(v) for v in point]
            for k, (w, b) in enumerate(ws):
                acts = [sum((wi * a for wi, a in zip(row, acts)), bi) for row, bi in zip(w, b)]
                acts = acts if k == len(ws) - 1 else [a.relu() for a in acts]
            total = total + (1 - (2 * label - 1) * acts[0]).relu()
        total.backward()

    a = Value(rng.standard_normal((256, 256)).astype(np.float32))
    b = Value(rng.standard_normal((256, 256)).astype(np.float32))

    def matmul() -> None:
        (a @ b).sum().backward()

    imgs = Value(rng.standard_normal((32, 3, 32, 32)).astype(np.float32))
    filt = Value(rng.standard_normal((16, 3, 3, 3)).astype(np.float32) * 0.1)

    def conv() -> None:
        autograd.max_pool2d(autograd.conv2d(imgs, filt, padding=1), 2).sum().backward()

    results = [("scalar MLP 2→16→16→1, 20 points, fwd+bwd", _median_time(scalar_mlp, repeats)),
               ("matmul 256×256 float32, fwd+bwd", _median_time(matmul, repeats)),
               ("conv2d 32×3×32×32, 16 3×3 filters, pad 1, max-pool 2; fwd+bwd",
                _median_time(conv, repeats))]
    try:
        xd, yd = layers.load_digits(np.float32)
    except ImportError:
        return results
    cnn = layers.lenet_digits().float()
    opt = layers.SGD(cnn.parameters(), lr=0.05)
    loader = layers.DataLoader(xd, yd, batch_size=32)

    def epoch() -> None:
        layers.fit(cnn, autograd.cross_entropy, opt, loader, epochs=1, progress=False)

    results.append(("one epoch, digits CNN (1797 images, batch 32)",
                    _median_time(epoch, max(1, repeats // 2))))
    return results


def run_bench(args: argparse.Namespace) -> int:
    """``gradgate bench``: the checkout's bench/ scripts, or the built-in micro-benchmark."""
    folder = Path(args.path) if args.path else _bench_dir()
    if args.path and not folder.is_dir():
        raise UsageError(f"--path {args.path}: no such folder")
    scripts = sorted(folder.glob("bench_*.py")) if folder and not args.quick else []
    if args.only:
        scripts = [s for s in scripts if any(o in s.stem for o in args.only)]
        if not scripts:
            raise UsageError(f"no bench script matches {', '.join(args.only)} in "
                             f"{folder or 'this checkout (no bench/ folder found)'}")
    if not scripts:
        if not args.quick:
            where = folder or f"{Path.cwd()} or its parents"
            print(f"no bench/bench_*.py scripts in {where}; running the quick built-in "
                  "micro-benchmark")
        print(f"{'workload':<64} {'median':>10}")
        for name, seconds in micro_benchmarks(args.repeats):
            print(f"{name:<64} {_duration(seconds):>10}")
        return 0
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
    failed = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        rc = subprocess.call([sys.executable, str(script)], env=env)
        if rc != 0:
            failed.append(f"{script.name} (exit {rc})")
    if failed:
        print(f"{PROG} bench: failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _duration(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1e3:.2f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:.1f} µs"
