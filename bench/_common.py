"""Shared helpers for the side-by-side benchmarks: thread limits, interleaved timing, tables.

Import this module before NumPy, Numba or PyTorch: at import it sets ``OMP_WAIT_POLICY=PASSIVE``
(unless already set) and limits every thread pool (OpenMP, OpenBLAS, MKL, Numba) to the
``--threads`` value found on the command line (default 2), then puts the repository root on
``sys.path`` so ``import autograd`` works from a checkout.

>>> parse_threads(["--threads", "1"])
1
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "NUMBA_NUM_THREADS")


def parse_threads(argv: Sequence[str]) -> int:
    """The ``--threads N`` value in ``argv`` (default 2), ignoring every other option."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--threads", type=int, default=2)
    return parser.parse_known_args(argv)[0].threads


THREADS = parse_threads(sys.argv[1:])
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
for _var in THREAD_VARIABLES:
    os.environ[_var] = str(THREADS)
sys.path.insert(0, str(ROOT))


def arguments(description: str, repeat: int, **extra: dict[str, Any]) -> argparse.Namespace:
    """Parse the command line: ``--threads``, ``--repeat`` and any ``extra`` options
    (name -> keyword arguments of ``add_argument``)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--threads", type=int, default=2,
                        help="threads for every pool: ours, PyTorch's and BLAS (default 2)")
    parser.add_argument("--repeat", type=int, default=repeat,
                        help=f"timed repetitions per candidate (default {repeat})")
    for name, options in extra.items():
        parser.add_argument(f"--{name.replace('_', '-')}", **options)
    return parser.parse_args()


def limit_threads(torch: ModuleType | None) -> None:
    """Apply ``--threads`` to the pools already loaded: Numba, PyTorch, BLAS (threadpoolctl)."""
    import numba

    numba.set_num_threads(min(THREADS, numba.config.NUMBA_NUM_THREADS))
    if torch is not None:
        torch.set_num_threads(THREADS)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(THREADS)


def load_torch() -> ModuleType | None:
    """PyTorch if installed, else None (and a note that only our figures follow)."""
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: printing gradgate's figures alone.\n")
        return None
    return torch


def compare(candidates: dict[str, Callable[[], Any]], repeat: int,
            warmup: int = 2) -> dict[str, float]:
    """Median wall time in ms of each candidate, run in turn round after round (so that a
    burst of load on a shared machine hits every candidate alike)."""
    for fn in candidates.values():
        for _ in range(warmup):
            fn()
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeat):
        for name, fn in candidates.items():
            start = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - start) * 1e3)
    return {name: statistics.median(ts) for name, ts in times.items()}


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]],
          note: str = "median of interleaved runs") -> None:
    """Print a plain-text table under a title line that names the thread count and ``note``."""
    cells = [[str(h) for h in header]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    print(f"{title}  (threads={THREADS}, {note})")
    for i, row in enumerate(cells):
        print("  ".join(v.ljust(w) if j == 0 else v.rjust(w) for j, (v, w) in
                        enumerate(zip(row, widths))))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print()


def _cell(value: Any) -> str:
    """Format one table cell: floats with 3 significant decimals, None as a dash."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)
