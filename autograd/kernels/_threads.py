"""Numba's thread pool as the kernels use it: passive waiting, and small jobs on one thread.

Imported only by the compiled-kernel modules, i.e. on the first kernel call, never by
``import autograd``.

What was measured on the 2-core reference machine (see BENCHMARKS.md) shapes this module:

- Numba's default threading layer here is GNU OpenMP, whose idle workers spin after every job.
  A 512x512 NumPy matmul issued right after a parallel kernel then took 5.1 ms instead of 1.1 ms.
  With ``OMP_WAIT_POLICY=PASSIVE`` the workers sleep at once and NumPy keeps the cores.
  :func:`start_pool` therefore starts the pool with that policy unless the user chose one.
  The variable is read once, when the OpenMP runtime loads, and is removed again
  afterwards so that other libraries loaded later see the environment the user set.
- Waking sleeping workers costs 8-45 us per parallel launch, against about 1 us with one
  thread. :func:`launch` therefore runs jobs below ``PARALLEL_MIN_WORK`` on the calling
  thread alone. (Numba's "workqueue" layer, which never spins, cost 75-85 us per launch even
  on one thread, so the OpenMP layer stays.)
- GNU OpenMP cannot be used in a child forked after its threads started: Numba terminates
  the child. A process forked from one whose pool was running (``multiprocessing`` with the
  "fork" start method) therefore runs each kernel as a serial copy compiled in that child
  (no ``parallel``, not cached: a few seconds once per kernel and dtype).

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
from functools import cache
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


_forked_from_openmp = False
"""True in a child process forked after the OpenMP pool started in its parent."""


def _after_fork_in_child() -> None:
    """Remember that this process may not enter the inherited OpenMP runtime."""
    global _forked_from_openmp
    _forked_from_openmp = numba.threading_layer() == "omp"


@cache
def serial_copy(kernel: Callable[..., Any]) -> Callable[..., Any]:
    """``kernel`` recompiled without ``parallel`` (``prange`` runs as ``range``), uncached.

    >>> serial_copy(numba.njit(lambda a: a + 1))(1)
    2
    """
    return numba.njit(cache=False, fastmath=False)(kernel.py_func)


def launch(kernel: Callable[..., Any], work: float, *args: Any) -> Any:
    """Call ``kernel(*args)``, on one thread when ``work`` is below ``PARALLEL_MIN_WORK``.

    >>> launch(lambda a, b: a + b, 5, 1, 2)
    3
    """
    if _forked_from_openmp:
        return serial_copy(kernel)(*args)
    threads = numba.get_num_threads()
    if work >= PARALLEL_MIN_WORK or threads == 1:
        return kernel(*args)
    numba.set_num_threads(1)
    try:
        return kernel(*args)
    finally:
        numba.set_num_threads(threads)


start_pool()
if hasattr(os, "register_at_fork"):  # POSIX only; elsewhere there is no fork
    os.register_at_fork(after_in_child=_after_fork_in_child)
