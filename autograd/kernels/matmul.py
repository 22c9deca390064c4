"""Matrix product on plain arrays (NumPy semantics for ndim >= 2, batch dims broadcast).

Why BLAS and not a Numba kernel: measured on the 2-core reference machine, NumPy's OpenBLAS
beat a vectorised Numba i-k-j kernel at every size that matters, 2-D and batched, float32 and
float64 (512x512: 1.1 ms vs 4.6 ms; 16 x 64x64x64: 78 us vs 216 us; 1000 x 4x4x4: 57 us vs
63 us). Numba won only single tiny products (4x4x4: 0.4 us vs 0.9 us), far below the engine's
own per-op cost. ``bench/bench_matmul.py --numba-baseline`` repeats the comparison. So the
product itself is NumPy's, which hands transposed views (``b.T``, ``np.swapaxes(b, -1, -2)``,
as backward passes them) to BLAS without copying and copies other strided operands itself.
This function adds two things:

- a batched left operand times a 2-D right operand becomes one tall product
  ``(B*M, K) @ (K, N)`` instead of B small ones (256 x 32x64 @ 64x10: 0.17 -> 0.14 ms);
- mixed or non-float dtypes are promoted once (float32 only when both are float32).

>>> import numpy as np
>>> matmul(np.ones((3, 2, 4)), np.ones((4, 5))).shape
(3, 2, 5)
"""

from __future__ import annotations

import numpy as np

from ..errors import GradgateError
from ..utils import common_float_dtype


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for operands with ndim >= 2: (..., M, K) @ (..., K, N) -> (..., M, N).

    Batch dimensions broadcast as in NumPy; the result has the operands' dtype.

    >>> a = np.arange(6.0).reshape(2, 3)
    >>> matmul(a, a.T).tolist()
    [[5.0, 14.0], [14.0, 50.0]]
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim < 2 or b.ndim < 2:
        raise GradgateError(f"matmul: both operands need at least 2 dimensions; got shapes "
                            f"{a.shape} and {b.shape}")
    if a.shape[-1] != b.shape[-2]:
        raise GradgateError(f"matmul: shapes {a.shape} @ {b.shape} do not fit: the inner "
                            f"dimensions {a.shape[-1]} and {b.shape[-2]} differ")
    try:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise GradgateError(f"matmul: shapes {a.shape} @ {b.shape}: the batch dimensions "
                            f"{a.shape[:-2]} and {b.shape[:-2]} do not broadcast") from None
    dtype = common_float_dtype("matmul", a, b)
    a, b = a.astype(dtype, copy=False), b.astype(dtype, copy=False)
    if b.ndim == 2 and a.ndim > 2 and a.flags.c_contiguous:
        m, k = a.shape[-2:]
        return np.matmul(a.reshape(-1, k), b).reshape(batch + (m, b.shape[1]))
    return np.matmul(a, b)
