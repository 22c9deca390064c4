"""Matrix product — a mul gate: each operand's gradient is upstream times the *other*
operand (transposed): dA = up @ Bᵀ, dB = Aᵀ @ up.

1-D operands follow numpy: a vector on the left is a row, on the right a column.  The
products themselves run in :mod:`autograd.kernels`.

>>> from autograd import Value
>>> a, b = Value([[1.0, 2.0]]), Value([[3.0], [4.0]])
>>> c = a @ b; c.backward(); (c.data.tolist(), a.grad.tolist(), b.grad.tolist())
([[11.0]], [[3.0, 4.0]], [[1.0], [2.0]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import kernels
from ..errors import GradgateError, describe
from ..gate import MUL, Gate


class MatMul(Gate):
    """a @ b (2-D, batched or with vectors) — mul gate: swaps."""

    name, family, symbol = "matmul", MUL, "@"

    def forward(self, a: Any, b: Any) -> tuple[Any, Any]:
        if type(a) is float or type(b) is float or a.ndim == 0 or b.ndim == 0:
            raise GradgateError(
                f"matmul: both operands need at least one dimension; got {describe(a)} @ "
                f"{describe(b)} (use * for scaling)")
        if a.shape[-1] != b.shape[max(b.ndim - 2, 0)]:
            raise GradgateError(
                f"matmul: shapes {a.shape} @ {b.shape} do not fit: the inner dimensions "
                f"{a.shape[-1]} and {b.shape[max(b.ndim - 2, 0)]} differ")
        try:
            np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            raise GradgateError(
                f"matmul: shapes {a.shape} @ {b.shape}: the batch dimensions "
                f"{a.shape[:-2]} and {b.shape[:-2]} do not broadcast") from None
        dtype = np.result_type(a, b)
        a2 = (a[None, :] if a.ndim == 1 else a).astype(dtype, copy=False)
        b2 = (b[:, None] if b.ndim == 1 else b).astype(dtype, copy=False)
        out = kernels.matmul(a2, b2)
        if b.ndim == 1:
            out = out[..., 0]
        if a.ndim == 1:
            out = out[..., 0, :] if b.ndim > 1 else out[..., 0]
        return out, (a2, b2, a.ndim, b.ndim)

    def backward(self, up: Any, saved: Any) -> tuple[Any, Any]:
        a2, b2, a_ndim, b_ndim = saved
        up = np.asarray(up, a2.dtype)
        if b_ndim == 1:
            up = up[..., None]
        if a_ndim == 1:
            up = up[..., None, :]
        da = kernels.matmul(up, np.swapaxes(b2, -1, -2))
        db = kernels.matmul(np.swapaxes(a2, -1, -2), up)
        if a_ndim == 1:
            da = da[..., 0, :]
        if b_ndim == 1:
            db = db[..., 0]
        return da, db

    def vjp(self, up: Any, node: Any) -> tuple[Any, Any]:
        a, b = node.parents
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        b2 = b.reshape(-1, 1) if b.ndim == 1 else b
        up = up.reshape(up.shape + (1,)) if b.ndim == 1 else up
        up = up.reshape(up.shape[:-1] + (1, up.shape[-1])) if a.ndim == 1 else up
        da = up @ _swap_last(b2)
        db = _swap_last(a2) @ up
        da = da.reshape(da.shape[:-2] + da.shape[-1:]) if a.ndim == 1 else da
        db = db.reshape(db.shape[:-1]) if b.ndim == 1 else db
        return da, db


def _swap_last(v: Any) -> Any:
    """Value ``v`` with its last two axes swapped (``mT`` in PyTorch)."""
    axes = list(range(v.ndim))
    axes[-2:] = axes[-1], axes[-2]
    return v.transpose(axes)


MATMUL_GATE = MatMul()
