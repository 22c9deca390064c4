"""Numbers as pictures show them: scalar formatting (nan/inf included) and tensor summaries.

>>> fmt(-6.0), fmt(0.88137), fmt(float("nan")), fmt(2.5e-7)
('-6.00', '0.881', 'nan', '2.50e-07')
>>> tensor_summary([[3.0, -4.0]]).norm
5.0
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np


def fmt(x: Any) -> str:
    """Format a number for a picture: at least 3 significant digits and 2 decimals.

    Magnitudes from 1e-3 to 1e5 are written in fixed point, others in scientific notation;
    NaN and infinities are written ``nan``, ``inf`` and ``-inf``.

    >>> fmt(3), fmt(123.456), fmt(0.0012), fmt(1e6), fmt(float("-inf")), fmt(0.0)
    ('3.00', '123.46', '0.00120', '1.00e+06', '-inf', '0.00')
    """
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    mag = abs(x)
    if mag == 0.0:
        return "0.00"
    if mag < 1e-3 or mag >= 1e5:
        return f"{x:.2e}"
    decimals = max(2, 2 - math.floor(math.log10(mag)))
    text = f"{x:.{decimals}f}"
    return "0.00" if text == "-0.00" else text


def fmt_shape(shape: tuple[int, ...]) -> str:
    """Shape as ``3×4`` (``scalar`` for ``()``).

    >>> fmt_shape((2, 3, 4)), fmt_shape(())
    ('2×3×4', 'scalar')
    """
    return "×".join(str(n) for n in shape) if shape else "scalar"


@dataclass(frozen=True)
class TensorSummary:
    """Summary numbers of an array: norm, mean |x|, max |x| over finite entries, bad counts.

    >>> s = tensor_summary([1.0, float("inf"), -3.0])
    >>> s.max_abs, s.n_inf, s.text()
    (3.0, 1, '‖·‖ 3.16 · mean|x| 2.00 · max|x| 3.00 · 1 inf')
    """

    shape: tuple[int, ...]
    dtype: str
    norm: float
    mean_abs: float
    max_abs: float
    n_nan: int
    n_inf: int

    @property
    def finite(self) -> bool:
        """True when no entry is NaN or infinite."""
        return self.n_nan == 0 and self.n_inf == 0

    def text(self) -> str:
        """One line: ``‖·‖ 5.00 · mean|x| 3.50 · max|x| 4.00`` plus NaN/inf counts."""
        parts = [f"‖·‖ {fmt(self.norm)}", f"mean|x| {fmt(self.mean_abs)}",
                 f"max|x| {fmt(self.max_abs)}"]
        if self.n_nan:
            parts.append(f"{self.n_nan} nan")
        if self.n_inf:
            parts.append(f"{self.n_inf} inf")
        return " · ".join(parts)


def tensor_summary(data: Any) -> TensorSummary:
    """Summarise an array (or number): statistics over finite entries, counts of the rest.

    An array with no finite entry gets ``nan`` statistics.

    >>> tensor_summary(np.zeros((2, 2))).mean_abs
    0.0
    """
    if _memo is not None and id(data) in _memo and _memo[id(data)][0] is data:
        return _memo[id(data)][1]
    arr = np.asarray(data)
    flat = arr.reshape(-1)
    n_nan = int(np.isnan(flat).sum()) if flat.dtype.kind == "f" else 0
    n_inf = int(np.isinf(flat).sum()) if flat.dtype.kind == "f" else 0
    good = np.abs(flat[np.isfinite(flat)]).astype(np.float64) if flat.size else flat
    if good.size:
        norm = float(np.sqrt(np.dot(good, good)))
        mean_abs, max_abs = float(good.mean()), float(good.max())
    else:
        norm = mean_abs = max_abs = math.nan if flat.size else 0.0
    summary = TensorSummary(tuple(arr.shape), str(arr.dtype), norm, mean_abs, max_abs, n_nan,
                            n_inf)
    if _memo is not None:
        _memo[id(data)] = (data, summary)
    return summary


_memo: dict[int, tuple[Any, TensorSummary]] | None = None


@contextmanager
def summaries_once() -> Iterator[None]:
    """Within the block each array is summarised once (it must not change meanwhile): many
    pictures of one graph (the explorer's views) share the summaries.

    >>> a = np.ones(3)
    >>> with summaries_once():
    ...     tensor_summary(a) is tensor_summary(a)
    True
    """
    global _memo
    outer = _memo
    _memo = {} if outer is None else outer
    try:
        yield
    finally:
        _memo = outer


def magnitude(g: Any) -> float:
    """The size of a gradient for colouring and flags: |g| for numbers, max |g| for arrays.

    NaN anywhere gives NaN; otherwise an infinite entry gives inf.

    >>> magnitude(-2.0), magnitude([0.5, -3.0]), magnitude([1.0, float("nan")])
    (2.0, 3.0, nan)
    """
    if isinstance(g, (int, float)):
        return abs(float(g))
    arr = np.asarray(g, dtype=np.float64)
    if arr.size == 0:
        return 0.0
    if np.isnan(arr).any():
        return math.nan
    return float(np.abs(arr).max())
