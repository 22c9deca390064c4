"""Gated recurrent unit: ``GRU`` over whole sequences and its one-step ``GRUCell``.

PyTorch's equations, gate order (r, z, n) and weight names (``weight_ih_l{k}`` ``(3H, I)``,
``weight_hh_l{k}`` ``(3H, H)``, ``bias_ih_l{k}``, ``bias_hh_l{k}``, ``_reverse`` for the
backward direction); the layer loop, directions and shapes are those of :mod:`layers.recurrent`.

>>> import numpy as np
>>> out, h_n = GRU(3, 5, num_layers=2, bidirectional=True)(np.zeros((4, 7, 3)))
>>> out.shape, h_n.shape
((4, 7, 10), (4, 4, 5))
"""

from __future__ import annotations

from typing import Any

from autograd import Value

from .recurrent import _Cell, _Recurrent


def gru_step(x: Value, h: Value | None, w_ih: Value, w_hh: Value, b_ih: Value | None,
             b_hh: Value | None) -> Value:
    """One GRU step (gate order r, z, n); ``h=None`` means zeros.

    ``r = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr)``, ``z`` likewise,
    ``n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))``, ``h' = (1 - z) * n + z * h``.

    >>> import numpy as np
    >>> w_ih, w_hh = Value(np.zeros((6, 3))), Value(np.zeros((6, 2)))
    >>> gru_step(Value(np.ones((1, 3))), None, w_ih, w_hh, None, None).numpy().tolist()
    [[0.0, 0.0]]
    """
    hidden = w_hh.shape[1]

    def part(v: Value, i: int) -> Value:
        return v[..., i * hidden:(i + 1) * hidden]

    gi = x @ w_ih.T
    if b_ih is not None:
        gi = gi + b_ih
    gh = None if h is None else h @ w_hh.T
    if b_hh is not None:
        gh = b_hh if gh is None else gh + b_hh
    if gh is None:
        z = part(gi, 1).sigmoid()
        n = part(gi, 2).tanh()
    else:
        r = (part(gi, 0) + part(gh, 0)).sigmoid()
        z = (part(gi, 1) + part(gh, 1)).sigmoid()
        n = (part(gi, 2) + r * part(gh, 2)).tanh()
    out = (1 - z) * n
    return out if h is None else out + z * h


class GRU(_Recurrent):
    """Multi-layer GRU (PyTorch's ``nn.GRU``; ``batch_first=True`` by default here).

    ``forward(input, h0=None)`` returns ``(output, h_n)``: ``(N, T, D*H)`` and
    ``(num_layers*D, N, H)``, ``D = 2`` when ``bidirectional``.

    >>> GRU(3, 5).weight_hh_l0.shape
    (15, 5)
    """

    gate_count = 3

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = True,
        dropout: float = 0.0,
        bidirectional: bool = False,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, dtype)

    def _layer_weights(self, k: int, sfx: str) -> tuple[Value | None, ...]:
        """``(W_ih, W_hh, b_ih, b_hh)``: the GRU keeps its biases apart (``b_hn`` is gated)."""
        names = [f"weight_ih_l{k}{sfx}", f"weight_hh_l{k}{sfx}"]
        biases = [f"bias_ih_l{k}{sfx}", f"bias_hh_l{k}{sfx}"]
        return tuple(getattr(self, n) for n in names) + tuple(
            getattr(self, n) if self.bias else None for n in biases
        )

    def _cell(self, x: Value, state: Any, weights: tuple[Value | None, ...]) -> Value:
        return gru_step(x, state, *weights)


class GRUCell(_Cell):
    """One GRU step; ``forward(x, h=None)`` returns ``h'`` (PyTorch's ``nn.GRUCell``).

    >>> import numpy as np
    >>> GRUCell(3, 4)(np.zeros((2, 3))).shape
    (2, 4)
    """

    gate_count = 3

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, dtype: Any = None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, dtype)

    def forward(self, input: Any, hx: Any = None) -> Value:
        x, batched = self._input(input)
        h = None if hx is None else self._state(hx, x.shape[0], batched, "hx")
        h = gru_step(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return self._unbatch(h, batched)
