"""The LSTM cell as one gate: a whole time step (four gates, cell and hidden state) in one node.

A local gate: its backward multiplies the upstream gradient by the cell's own local
derivative, computed in one pass (:mod:`autograd.kernels.lstm`) instead of the dozen
element-wise nodes the same equations would otherwise record per step. Its output stacks
the new hidden and cell states, ``(2, N, H)``: index it for h' and c'.

>>> import numpy as np
>>> from autograd import Value
>>> x, h, c = Value(np.ones((1, 3))), Value(np.zeros((1, 2))), Value(np.zeros((1, 2)))
>>> hc = lstm_cell(x, h, c, Value(np.zeros((8, 3))), Value(np.zeros((8, 2))))
>>> hc.shape, hc.gate.name, hc.gate.family
((2, 1, 2), 'lstm_cell', 'local')
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..differentiable import composite_vjp
from ..errors import GradgateError
from ..gate import LOCAL, Gate
from ..kernels import lstm as kernels
from ..ops.join import stack
from ..value import Value, apply, lift


class LSTMCell(Gate):
    """One LSTM step of PyTorch's equations (gate order i, f, g, o) on (x, h, c, w_ih, w_hh[,
    b]); ``needs`` lists which inputs want a gradient, so the others cost nothing."""

    name, family = "lstm_cell", LOCAL
    formulas = ("∂gates/∂x = W_ih", "∂gates/∂h = W_hh", "∂c'/∂c = f", "∂gates/∂W_ih = x",
                "∂gates/∂W_hh = h", "∂gates/∂b = 1")

    def __init__(self, needs: tuple[bool, ...]):
        self._needs = needs

    def forward(self, x: Any, h: Any, c: Any, w_ih: Any, w_hh: Any,
                b: Any = None) -> tuple[Any, Any]:
        dtype = np.result_type(*(a for a in (x, h, c, w_ih, w_hh, b) if a is not None))
        x, h, c, w_ih, w_hh = (np.asarray(a, dtype) for a in (x, h, c, w_ih, w_hh))
        return kernels.lstm_cell_forward(x, h, c, w_ih, w_hh,
                                         None if b is None else np.asarray(b, dtype))

    def backward(self, up: Any, saved: Any) -> tuple[Any, ...]:
        grads = kernels.lstm_cell_backward(up, saved, (self._needs + (False,))[:6])
        return tuple(grads[:len(self._needs)])

    def vjp(self, up: Any, node: Any) -> tuple[Any, ...]:
        return composite_vjp(self.composite, up, node)

    @staticmethod
    def composite(x: Value, h: Value, c: Value, w_ih: Value, w_hh: Value,
                  b: Value | None = None) -> Value:
        """The same step written with ordinary ops, for the differentiable backward."""
        gates = x @ w_ih.T + h @ w_hh.T
        if b is not None:
            gates = gates + b
        n = c.shape[1]
        i, f = gates[:, :n].sigmoid(), gates[:, n:2 * n].sigmoid()
        g, o = gates[:, 2 * n:3 * n].tanh(), gates[:, 3 * n:].sigmoid()
        c_next = f * c + i * g
        return stack([o * c_next.tanh(), c_next])


def lstm_cell(x: Any, h: Any, c: Any, w_ih: Any, w_hh: Any, b: Any = None) -> Value:
    """One LSTM step: ``stack(h', c')`` of shape (2, N, H) from x (N, I), h and c (N, H),
    w_ih (4H, I), w_hh (4H, H) and the summed bias b (4H,) or None.

    >>> import numpy as np
    >>> hc = lstm_cell(np.ones((1, 3)), np.zeros((1, 2)), np.zeros((1, 2)),
    ...                np.zeros((8, 3)), np.zeros((8, 2)), np.ones(8))
    >>> round(float(hc.data[1, 0, 0]), 4)        # c' = sigmoid(1) * tanh(1)
    0.5568
    """
    inputs = [lift(v) for v in (x, h, c, w_ih, w_hh) + (() if b is None else (b,))]
    x, h, c, w_ih, w_hh = inputs[:5]
    rows = w_ih.shape[0] if w_ih.ndim == 2 else -1
    hidden = rows // 4
    if rows < 4 or rows % 4 or x.ndim != 2:
        raise GradgateError(f"lstm_cell: expected x (N, I) and w_ih (4H, I); got x {x.shape}, "
                            f"w_ih {w_ih.shape}")
    expected = {"x": (x, (x.shape[0], w_ih.shape[1])), "h": (h, (x.shape[0], hidden)),
                "c": (c, (x.shape[0], hidden)), "w_hh": (w_hh, (rows, hidden))}
    if b is not None:
        expected["b"] = (inputs[5], (rows,))
    for name, (v, shape) in expected.items():
        if v.shape != shape:
            raise GradgateError(f"lstm_cell: {name} must have shape {shape} for x {x.shape} "
                                f"and w_ih {w_ih.shape} (hidden size {hidden}); got {v.shape}")
    return apply(LSTMCell(tuple(v.requires_grad for v in inputs)), *inputs)
