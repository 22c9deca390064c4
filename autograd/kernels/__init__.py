"""Array kernels behind the engine's conv2d, max_pool2d and ``@``: plain arrays in and out.

Free of graph logic, callable on NumPy arrays of any layout. Convolution and max-pooling run in
Numba kernels (``parallel=True``, ``cache=True``, float32 and float64) compiled on first call and
cached on disk, so ``import autograd`` compiles nothing and imports no Numba; matrix products go
to NumPy's BLAS, which beat a Numba kernel at every size that matters (see :mod:`.matmul`).
Threads follow ``NUMBA_NUM_THREADS`` / ``numba.set_num_threads``; small jobs run on one thread,
idle workers sleep instead of spinning, and forked children get serial kernels (see
:mod:`._threads`).

>>> import numpy as np
>>> x = np.arange(16.0).reshape(1, 1, 4, 4)
>>> out, argmax = max_pool2d_forward(x, (2, 2), (2, 2))
>>> out[0, 0].tolist()
[[5.0, 7.0], [13.0, 15.0]]
"""

from .conv import conv2d_backward, conv2d_forward
from .matmul import matmul
from .pool import max_pool2d_backward, max_pool2d_forward

__all__ = [
    "conv2d_backward",
    "conv2d_forward",
    "matmul",
    "max_pool2d_backward",
    "max_pool2d_forward",
]
