"""Recurrent layers: RNN and LSTM over whole sequences, and their one-step cells.

Shapes and weight names follow PyTorch, so weights copy to and from ``torch.nn.LSTM``:
``weight_ih_l{k}`` ``(G*H, I)``, ``weight_hh_l{k}`` ``(G*H, H)``, ``bias_ih_l{k}``,
``bias_hh_l{k}`` with ``G = 1`` (RNN), ``4`` (LSTM, gate order i, f, g, o) or ``3`` (GRU, in
:mod:`layers.gru`); a bidirectional layer adds the same names ending in ``_reverse``, and
layers after the first read ``D*H`` features (``D`` directions).  Sequences are
``(N, T, features)`` with ``batch_first=True`` (the default here), ``(T, N, features)``
otherwise, or ``(T, features)`` unbatched.

>>> import numpy as np
>>> lstm = LSTM(input_size=3, hidden_size=5, num_layers=2)
>>> out, (h_n, c_n) = lstm(np.zeros((4, 7, 3)))
>>> out.shape, h_n.shape, c_n.shape
((4, 7, 5), (2, 4, 5), (2, 4, 5))
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd
from autograd import Value, cat, stack

from .init import uniform_
from .module import Module, Parameter, as_input, float_dtype

_NONLINEARITIES = ("tanh", "relu")


def rnn_step(
    x: Value, h: Value | None, w_ih: Value, w_hh: Value, b: Value | None, nonlinearity: str
) -> Value:
    """One Elman step: ``h' = act(x W_ih^T + h W_hh^T + b)`` (``h=None`` means zeros).

    >>> w = Value(np.ones((2, 3)))
    >>> rnn_step(Value(np.zeros((1, 3))), None, w, Value(np.ones((2, 2))), None, "tanh").shape
    (1, 2)
    """
    pre = x @ w_ih.T
    if h is not None:
        pre = pre + h @ w_hh.T
    if b is not None:
        pre = pre + b
    return pre.tanh() if nonlinearity == "tanh" else pre.relu()


def lstm_step(
    x: Value, state: tuple[Value, Value] | None, w_ih: Value, w_hh: Value, b: Value | None
) -> tuple[Value, Value]:
    """One LSTM step (PyTorch's equations, gate order i, f, g, o); ``state=None`` means zeros.

    ``i, f, o = sigmoid(.)``, ``g = tanh(.)``, ``c' = f*c + i*g``, ``h' = o*tanh(c')``, all
    in one fused :func:`autograd.lstm_cell` gate; h' and c' are the two halves of its output.

    >>> w_ih, w_hh = Value(np.zeros((8, 3))), Value(np.zeros((8, 2)))
    >>> h, c = lstm_step(Value(np.ones((1, 3))), None, w_ih, w_hh, None)
    >>> c.numpy().tolist()          # i = sigmoid(0) = 0.5, g = tanh(0) = 0
    [[0.0, 0.0]]
    """
    if state is None:
        zeros = np.zeros((x.shape[0], w_hh.shape[1]), x.dtype)
        state = (Value(zeros, requires_grad=False), Value(zeros, requires_grad=False))
    hc = autograd.lstm_cell(x, state[0], state[1], w_ih, w_hh, b)
    return hc[0], hc[1]


def _uniform_init(module: Module, hidden_size: int) -> None:
    """PyTorch's default for recurrent layers: every parameter from U(±1/sqrt(hidden))."""
    bound = 1.0 / math.sqrt(hidden_size)
    for p in module.parameters():
        uniform_(p, -bound, bound)


def _check_state(layer: str, state: Any, shape: tuple[int, ...], what: str, dtype: Any) -> Value:
    value = as_input(state, dtype)
    if value.shape != shape:
        raise ValueError(f"{layer}: expected {what} of shape {shape}, got shape {value.shape}")
    return value


class _Recurrent(Module):
    """Shared code of RNN, LSTM and GRU: parameters per layer and direction, input checks,
    and the loop over layers, directions and time steps around one cell step (``_cell``)."""

    gate_count = 1

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int,
        bias: bool,
        batch_first: bool,
        dropout: float,
        bidirectional: bool,
        dtype: Any,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        if input_size <= 0 or hidden_size <= 0 or num_layers <= 0:
            raise ValueError(f"{name}: input_size, hidden_size and num_layers must be positive")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"{name}: dropout must be in [0, 1), got {dropout}")
        dt = float_dtype(dtype)
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = dropout
        self.bidirectional = bool(bidirectional)
        rows = self.gate_count * hidden_size
        for k in range(num_layers):
            cols = input_size if k == 0 else hidden_size * self.num_directions
            for sfx in self.direction_suffixes:
                setattr(self, f"weight_ih_l{k}{sfx}", Parameter(np.zeros((rows, cols)), dtype=dt))
                setattr(self, f"weight_hh_l{k}{sfx}",
                        Parameter(np.zeros((rows, hidden_size)), dtype=dt))
                if bias:
                    setattr(self, f"bias_ih_l{k}{sfx}", Parameter(np.zeros(rows), dtype=dt))
                    setattr(self, f"bias_hh_l{k}{sfx}", Parameter(np.zeros(rows), dtype=dt))
        self.reset_parameters()

    @property
    def num_directions(self) -> int:
        """2 for a bidirectional layer, else 1."""
        return 2 if self.bidirectional else 1

    @property
    def direction_suffixes(self) -> tuple[str, ...]:
        """Parameter name suffixes of the directions: ``("",)`` or ``("", "_reverse")``."""
        return ("", "_reverse") if self.bidirectional else ("",)

    def reset_parameters(self) -> None:
        """Draw every parameter from U(±1/sqrt(hidden_size)) (PyTorch's default)."""
        _uniform_init(self, self.hidden_size)

    def _layer_weights(self, k: int, sfx: str) -> tuple[Value | None, ...]:
        """What ``_cell`` needs of layer ``k`` in the direction of suffix ``sfx``:
        ``(W_ih, W_hh, b_ih + b_hh)`` (the bias None without biases)."""
        w_ih = getattr(self, f"weight_ih_l{k}{sfx}")
        w_hh = getattr(self, f"weight_hh_l{k}{sfx}")
        if not self.bias:
            return w_ih, w_hh, None
        return w_ih, w_hh, getattr(self, f"bias_ih_l{k}{sfx}") + getattr(self, f"bias_hh_l{k}{sfx}")

    def _cell(self, x: Value, state: Any, weights: tuple[Value | None, ...]) -> Any:
        """One time step of one layer and direction: the new state (None means zeros)."""
        raise NotImplementedError

    def _hidden(self, state: Any) -> Value:
        """The hidden state ``h`` inside a cell state (LSTM's is a pair ``(h, c)``)."""
        return state

    def _sequence(self, x: Any) -> tuple[Value, bool]:
        """Checked input as ``(N, T, I)`` and whether it was batched."""
        x = as_input(x, self.weight_ih_l0.dtype)
        name = f"{type(self).__name__}(input_size={self.input_size})"
        size = self.input_size
        layout = f"(N, T, {size})" if self.batch_first else f"(T, N, {size})"
        if x.ndim not in (2, 3) or x.shape[-1] != size:
            raise ValueError(
                f"{name}: expected input of shape {layout} or (T, {size}) unbatched, "
                f"got shape {x.shape}"
            )
        if x.ndim == 2:
            return x.reshape(1, *x.shape), False
        return (x if self.batch_first else x.transpose(1, 0, 2)), True

    def _initial(self, state: Any, batch: int, batched: bool, what: str) -> list[Value] | None:
        """Per-layer-and-direction ``(N, H)`` slices of a ``(num_layers * num_directions, N,
        H)`` state, or None (zeros)."""
        if state is None:
            return None
        layers, hidden = self.num_layers * self.num_directions, self.hidden_size
        shape = (layers, batch, hidden) if batched else (layers, hidden)
        value = _check_state(type(self).__name__, state, shape, what, self.weight_ih_l0.dtype)
        if not batched:
            value = value.reshape(layers, 1, hidden)
        return [value[k] for k in range(layers)]

    def _run(self, x: Value, initial: list[Any] | None) -> tuple[list[Value], list[Any]]:
        """Every layer and direction over the ``(N, T, I)`` sequence ``x``.

        Returns the last layer's output at each step (directions concatenated) and the final
        cell state of every layer and direction, in PyTorch's order (layer-major)."""
        steps = x.shape[1]
        inputs = [x[:, t, :] for t in range(steps)]
        finals = []
        for k in range(self.num_layers):
            directions = []
            for d, sfx in enumerate(self.direction_suffixes):
                weights = self._layer_weights(k, sfx)
                state = None if initial is None else initial[k * self.num_directions + d]
                outputs: list[Any] = [None] * steps
                for t in range(steps) if d == 0 else reversed(range(steps)):
                    state = self._cell(inputs[t], state, weights)
                    outputs[t] = self._hidden(state)
                finals.append(state)
                directions.append(outputs)
            if len(directions) == 1:
                outputs = directions[0]
            else:
                outputs = [cat(pair, axis=1) for pair in zip(*directions, strict=True)]
            inputs = self._between_layers(outputs, k)
        return outputs, finals

    def forward(self, input: Any, hx: Any = None) -> tuple[Value, Value]:
        """``(output, h_n)`` for layers whose state is one hidden tensor (RNN, GRU)."""
        x, batched = self._sequence(input)
        outputs, finals = self._run(x, self._initial(hx, x.shape[0], batched, "h0"))
        return self._output(outputs, batched), self._final(finals, batched)

    def _between_layers(self, steps: list[Value], k: int) -> list[Value]:
        if self.dropout == 0.0 or not self.training or k == self.num_layers - 1:
            return steps
        return [autograd.dropout(h, self.dropout, training=True) for h in steps]

    def _output(self, steps: list[Value], batched: bool) -> Value:
        out = stack(steps, axis=1 if self.batch_first or not batched else 0)
        return out if batched else out.reshape(len(steps), steps[0].shape[-1])

    def _final(self, per_layer: list[Value], batched: bool) -> Value:
        final = stack(per_layer, axis=0)
        return final if batched else final.reshape(len(per_layer), self.hidden_size)

    def extra_repr(self) -> str:
        parts = [f"{self.input_size}, {self.hidden_size}"]
        if self.num_layers != 1:
            parts.append(f"num_layers={self.num_layers}")
        if not self.bias:
            parts.append("bias=False")
        parts.append(f"batch_first={self.batch_first}")
        if self.dropout:
            parts.append(f"dropout={self.dropout}")
        if self.bidirectional:
            parts.append("bidirectional=True")
        return ", ".join(parts)


class RNN(_Recurrent):
    """Multi-layer Elman RNN: ``h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``.

    ``forward(input, h0=None)`` returns ``(output, h_n)``: the last layer's hidden state at
    every step ``(N, T, D*H)``, and every layer's final state ``(num_layers*D, N, H)``, with
    ``D = 2`` directions when ``bidirectional`` (the reverse one reads the sequence backwards).

    >>> import numpy as np
    >>> out, h_n = RNN(2, 4)(np.zeros((3, 5, 2)))
    >>> out.shape, h_n.shape
    ((3, 5, 4), (1, 3, 4))
    >>> out, h_n = RNN(2, 4, num_layers=2, bidirectional=True)(np.zeros((3, 5, 2)))
    >>> out.shape, h_n.shape
    ((3, 5, 8), (4, 3, 4))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = True,
        dropout: float = 0.0,
        bidirectional: bool = False,
        dtype: Any = None,
    ) -> None:
        if nonlinearity not in _NONLINEARITIES:
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, dtype)

    def _cell(self, x: Value, state: Any, weights: tuple[Value | None, ...]) -> Value:
        w_ih, w_hh, b = weights
        return rnn_step(x, state, w_ih, w_hh, b, self.nonlinearity)

    def extra_repr(self) -> str:
        extra = "" if self.nonlinearity == "tanh" else f", nonlinearity={self.nonlinearity!r}"
        return super().extra_repr() + extra


class LSTM(_Recurrent):
    """Multi-layer LSTM with PyTorch's equations and weight layout (gates i, f, g, o).

    ``forward(input, (h0, c0)=None)`` returns ``(output, (h_n, c_n))``: output ``(N, T, D*H)``
    (batch_first), h_n and c_n ``(num_layers*D, N, H)`` (``D = 2`` when bidirectional).

    >>> import numpy as np
    >>> LSTM(3, 5).weight_ih_l0.shape
    (20, 3)
    >>> LSTM(3, 5, bidirectional=True)(np.zeros((2, 4, 3)))[0].shape
    (2, 4, 10)
    """

    gate_count = 4

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

    def _cell(self, x: Value, state: Any, weights: tuple[Value | None, ...]
              ) -> tuple[Value, Value]:
        w_ih, w_hh, b = weights
        return lstm_step(x, state, w_ih, w_hh, b)

    def _hidden(self, state: Any) -> Value:
        return state[0]

    def forward(self, input: Any, hx: Any = None) -> tuple[Value, tuple[Value, Value]]:
        x, batched = self._sequence(input)
        n = x.shape[0]
        if hx is not None and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise ValueError("LSTM: hx must be a pair (h0, c0) of (num_layers, N, hidden) states")
        initial = None
        if hx is not None:
            h0 = self._initial(hx[0], n, batched, "h0")
            c0 = self._initial(hx[1], n, batched, "c0")
            initial = list(zip(h0, c0, strict=True))
        outputs, finals = self._run(x, initial)
        return self._output(outputs, batched), (
            self._final([h for h, _ in finals], batched),
            self._final([c for _, c in finals], batched),
        )


class _Cell(Module):
    """Shared code of RNNCell and LSTMCell: one layer, one step."""

    gate_count = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool, dtype: Any) -> None:
        super().__init__()
        name = type(self).__name__
        if input_size <= 0 or hidden_size <= 0:
            raise ValueError(f"{name}: input_size and hidden_size must be positive")
        dt = float_dtype(dtype)
        self.input_size = input_size
        self.hidden_size = hidden_size
        rows = self.gate_count * hidden_size
        self.weight_ih = Parameter(np.zeros((rows, input_size)), dtype=dt)
        self.weight_hh = Parameter(np.zeros((rows, hidden_size)), dtype=dt)
        self.bias_ih = Parameter(np.zeros(rows), dtype=dt) if bias else None
        self.bias_hh = Parameter(np.zeros(rows), dtype=dt) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw every parameter from U(±1/sqrt(hidden_size)) (PyTorch's default)."""
        _uniform_init(self, self.hidden_size)

    def _bias(self) -> Value | None:
        return None if self.bias_ih is None else self.bias_ih + self.bias_hh

    def _input(self, x: Any) -> tuple[Value, bool]:
        x = as_input(x, self.weight_ih.dtype)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(
                f"{type(self).__name__}(input_size={self.input_size}): expected input of shape "
                f"(N, {self.input_size}) or ({self.input_size},), got shape {x.shape}"
            )
        return (x, True) if x.ndim == 2 else (x.reshape(1, self.input_size), False)

    def _state(self, state: Any, batch: int, batched: bool, what: str) -> Value:
        shape = (batch, self.hidden_size) if batched else (self.hidden_size,)
        value = _check_state(type(self).__name__, state, shape, what, self.weight_ih.dtype)
        return value if batched else value.reshape(1, self.hidden_size)

    def _unbatch(self, h: Value, batched: bool) -> Value:
        return h if batched else h.reshape(self.hidden_size)

    def extra_repr(self) -> str:
        bias = "" if self.bias_ih is not None else ", bias=False"
        return f"{self.input_size}, {self.hidden_size}{bias}"


class RNNCell(_Cell):
    """One RNN step: ``h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)``; ``h=None`` is zeros.

    >>> import numpy as np
    >>> RNNCell(3, 4)(np.zeros((2, 3))).shape
    (2, 4)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        dtype: Any = None,
    ) -> None:
        if nonlinearity not in _NONLINEARITIES:
            raise ValueError(
                f"RNNCell: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}"
            )
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, dtype)

    def forward(self, input: Any, hx: Any = None) -> Value:
        x, batched = self._input(input)
        h = None if hx is None else self._state(hx, x.shape[0], batched, "hx")
        h = rnn_step(x, h, self.weight_ih, self.weight_hh, self._bias(), self.nonlinearity)
        return self._unbatch(h, batched)


class LSTMCell(_Cell):
    """One LSTM step; ``forward(x, (h, c)=None)`` returns ``(h', c')``.

    >>> import numpy as np
    >>> h, c = LSTMCell(3, 4)(np.zeros((2, 3)))
    >>> h.shape, c.shape
    ((2, 4), (2, 4))
    """

    gate_count = 4

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, dtype: Any = None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, dtype)

    def forward(self, input: Any, hx: Any = None) -> tuple[Value, Value]:
        x, batched = self._input(input)
        if hx is not None and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise ValueError("LSTMCell: hx must be a pair (h, c) of (N, hidden) states")
        state = None
        if hx is not None:
            n = x.shape[0]
            state = (self._state(hx[0], n, batched, "h"), self._state(hx[1], n, batched, "c"))
        h, c = lstm_step(x, state, self.weight_ih, self.weight_hh, self._bias())
        return self._unbatch(h, batched), self._unbatch(c, batched)
