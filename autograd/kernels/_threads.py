"""Numba's thread pool as the kernels use it: passive waiting, and small jobs on one thread.

Imported only by the compiled-kernel modules, i.e. on the first kernel call, never by
``import autograd``.

Two facts measured on a 2-core machine (BENCHMARKS.md) shape this module:

- Numba's default threading layer here is GNU OpenMP, whose idle workers spin after every job.
  A 512x512 NumPy matmul issued right after a parallel kernel then took 5.1 ms instead of 1.1 ms.
  With ``OMP_WAIT_POLICY=PASSIVE`` the workers sleep at once and NumPy keeps the cores.
  :func:`start_pool` therefore starts the pool with that policy unless the user chose one.
  The variable is read once, when the OpenMP runtime loads, and is removed again
  afterwards so that other libraries loaded later see the environment the user set.
- Waking sleeping workers costs 10-45 us per parallel launch, against about 1 us with one
  thread. :func:`launch` therefore runs jobs below ``PARALLEL_MIN_WORK`` on the calling
  thread alone.

The thread count is Numba's: ``NUMBA_NUM_THREADS`` or ``numba.set_num_threads``.

>>> import numpy as np
>>> from numba import njit
>>> double = njit(lambda a: a * 2)
>>> launch(double, 10, np.ones(2)).tolist()
[2.0, 2.0]
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numba

PARALLEL_MIN_WORK = 2_000_000
"""Multiply-adds (or element visits) below which a kernel runs on one thread: about 100 us."""


def start_pool() -> None:
    """Start Numba's worker threads, sleeping between jobs unless ``OMP_WAIT_POLICY`` is set.

    >>> start_pool(); numba.get_num_threads() >= 1
    True
    """
    if "OMP_WAIT_POLICY" in os.environ:
        numba.get_num_threads()
        return
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    try:
        numba.get_num_threads()  # loads the threading layer, which reads the policy now
    finally:
        del os.environ["OMP_WAIT_POLICY"]


def launch(kernel: Callable[..., Any], work: float, *args: Any) -> Any:
    """Call ``kernel(*args)``, on one thread when ``work`` is below ``PARALLEL_MIN_WORK``.

    >>> launch(lambda a, b: a + b, 5, 1, 2)
    3
    """
    threads = numba.get_num_threads()
    if work >= PARALLEL_MIN_WORK or threads == 1:
        return kernel(*args)
    numba.set_num_threads(1)
    try:
        return kernel(*args)
    finally:
        numba.set_num_threads(threads)


start_pool()
