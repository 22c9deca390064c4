"""The dtype rules: Values, parameters and kernels compute in float32 or float64.

- data given to a Value: ints and bools become float64, float16 becomes float32
  (:func:`as_float_array`);
- a new parameter or input: the ``dtype`` asked for, else float32 for float32 data, else
  float64 (:func:`float_dtype`);
- an op on several arrays: float32 only when every one is float32 (:func:`common_float_dtype`).

>>> float_dtype(like=np.zeros(2, np.float32)), common_float_dtype("add", np.ones(2))
(dtype('float32'), dtype('float64'))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import GradgateError

DEFAULT_DTYPE = np.dtype(np.float64)
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def float_dtype(dtype: Any = None, like: Any = None) -> np.dtype:
    """The dtype to make new data in: ``dtype`` if given, else float32 when ``like`` is
    float32, else float64.  Anything but float32/float64 raises ``TypeError``.

    >>> float_dtype(), float_dtype("float32")
    (dtype('float64'), dtype('float32'))
    >>> float_dtype("int32")
    Traceback (most recent call last):
    TypeError: parameters must be float32 or float64, got dtype int32
    """
    if dtype is None:
        return FLOAT_DTYPES[0] if getattr(like, "dtype", None) == np.float32 else DEFAULT_DTYPE
    dt = np.dtype(dtype)
    if dt not in FLOAT_DTYPES:
        raise TypeError(f"parameters must be float32 or float64, got dtype {dt}")
    return dt


def common_float_dtype(op: str, *arrays: np.ndarray | None) -> np.dtype:
    """float32 when every given array is float32, else float64 (ints and bools promote);
    ``None`` entries are skipped and non-numbers refused.

    >>> common_float_dtype("matmul", np.ones(2, np.float32), None)
    dtype('float32')
    >>> common_float_dtype("matmul", np.ones(2, np.float32), np.ones(2, int))
    dtype('float64')
    """
    dtypes = [a.dtype for a in arrays if a is not None]
    for dt in dtypes:
        if dt.kind not in "biuf":
            raise GradgateError(f"{op}: expected real numbers, got an array of dtype {dt}")
    return FLOAT_DTYPES[0] if all(dt == np.float32 for dt in dtypes) else DEFAULT_DTYPE


def as_float_array(arr: np.ndarray, where: str) -> np.ndarray:
    """``arr`` as float32 or float64: ints and bools to float64, float16 to float32, wider
    floats to float64; complex, object and other kinds raise a :class:`GradgateError`.

    >>> as_float_array(np.arange(2), "Value").dtype
    dtype('float64')
    >>> as_float_array(np.ones(1, np.float16), "Value").dtype
    dtype('float32')
    """
    kind = arr.dtype.kind
    if kind in "biu":
        return arr.astype(np.float64)
    if kind == "f":
        if arr.dtype in FLOAT_DTYPES:
            return arr
        return arr.astype(np.float32 if arr.dtype.itemsize < 4 else np.float64)
    raise GradgateError(
        f"{where}: data of dtype {arr.dtype} (shape {arr.shape}) is not real numbers; "
        "expected numbers, lists of numbers or a numeric numpy array")
