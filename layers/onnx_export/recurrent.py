"""ONNX for the recurrent layers, exported whole: one ONNX ``RNN`` / ``LSTM`` / ``GRU`` node
per layer (both directions in it), their cells as a one-step sequence.

The initializers are the PyTorch-named parameters themselves; the graph reorders the gate
blocks where ONNX's order differs (LSTM i,f,g,o -> i,o,f,c; GRU r,z,n -> z,r,h), stacks the
directions and joins the two biases, all constant work that runtimes fold away.

>>> sorted(cls.__name__ for cls in RECURRENT)
['GRU', 'GRUCell', 'LSTM', 'LSTMCell', 'RNN', 'RNNCell']
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import GradgateError

from ..gru import GRU, GRUCell
from ..recurrent import LSTM, RNN, LSTMCell, RNNCell
from .modules import Context, ModuleTranslation

# PyTorch class -> (ONNX op, order of PyTorch's gate blocks in ONNX's layout, or None)
_OPS: dict[type, tuple[str, list[int] | None]] = {
    RNN: ("RNN", None), RNNCell: ("RNN", None),
    LSTM: ("LSTM", [0, 3, 1, 2]), LSTMCell: ("LSTM", [0, 3, 1, 2]),
    GRU: ("GRU", [1, 0, 2]), GRUCell: ("GRU", [1, 0, 2]),
}


def _rows(c: Context, attr: str, order: list[int] | None) -> str:
    """Parameter ``attr`` with its gate blocks in ONNX's order."""
    name = c.param(attr)
    if order is None:
        return name
    hidden = c.module.hidden_size
    rows = np.concatenate([np.arange(k * hidden, (k + 1) * hidden) for k in order])
    return c.b.op("Gather", [name, c.b.ints(rows)], c.scope, axis=0)


def _stacked(c: Context, pieces: list[str]) -> str:
    """The pieces with a new leading (direction) axis."""
    zero = c.b.ints([0])
    parts = [c.b.op("Unsqueeze", [piece, zero], c.scope) for piece in pieces]
    return parts[0] if len(parts) == 1 else c.b.op("Concat", parts, c.scope, axis=0)


def _onnx_layer(c: Context, seq: str, names: list[tuple[str, str, str | None, str | None]],
                initial: list[str]) -> list[str]:
    """One ONNX recurrent node over ``seq`` (T, N, I) for the directions whose parameter
    names ``names`` lists; ``initial`` holds the initial-state inputs ('' for zeros).
    Returns Y (T, D, N, H), Y_h (D, N, H) and, for an LSTM, Y_c."""
    m = c.module
    op, order = _OPS[type(m)]
    w = _stacked(c, [_rows(c, w_ih, order) for w_ih, _, _, _ in names])
    r = _stacked(c, [_rows(c, w_hh, order) for _, w_hh, _, _ in names])
    b = ""
    if names[0][2] is not None:
        b = _stacked(c, [c.b.op("Concat", [_rows(c, b_ih, order), _rows(c, b_hh, order)],
                                c.scope, axis=0) for _, _, b_ih, b_hh in names])
    attrs: dict[str, Any] = {"hidden_size": m.hidden_size,
                             "direction": "bidirectional" if len(names) == 2 else "forward"}
    if op == "RNN":
        attrs["activations"] = [m.nonlinearity.capitalize()] * len(names)
    if op == "GRU":
        attrs["linear_before_reset"] = 1         # PyTorch's n = tanh(.. + r * (W_hn h + b_hn))
    inputs = [seq, w, r, b, "", *initial]
    while inputs[-1] == "":
        inputs.pop()
    return c.b.node(op, inputs, 3 if op == "LSTM" else 2, c.scope, **attrs)


def _check_batched(c: Context, rank: int, layout: str) -> None:
    shape = c.input_shape()
    if len(shape) != rank:
        m = c.module
        raise GradgateError(f"export_onnx: {type(m).__name__} at {c.call.path or 'the top'!r} "
                            f"was called with input of shape {shape}; export needs batched "
                            f"input {layout}")


def _state_slices(c: Context, state: Any, layers: int, per_layer: int) -> list[str]:
    """Per-layer slices ``[k*D, (k+1)*D)`` of a ``(layers*D, N, H)`` initial state."""
    if state is None:
        return [""] * layers
    name = c.ref(state)
    if layers == 1:
        return [name]
    return [c.b.op("Slice", [name, c.b.ints([k * per_layer]), c.b.ints([(k + 1) * per_layer]),
                             c.b.ints([0])], c.scope) for k in range(layers)]


def _sequence_layer(c: Context) -> list[str]:
    m = c.module
    _check_batched(c, 3, "(N, T, features)" if m.batch_first else "(T, N, features)")
    is_lstm = isinstance(m, LSTM)
    hx = c.arg("hx", 1)
    h0, c0 = (hx if hx is not None else (None, None)) if is_lstm else (hx, None)
    d = m.num_directions
    initial_h = _state_slices(c, h0, m.num_layers, d)
    initial_c = _state_slices(c, c0, m.num_layers, d)
    seq = c.ref(c.call.args[0])
    if m.batch_first:
        seq = c.b.op("Transpose", [seq], c.scope, perm=[1, 0, 2])
    finals: list[list[str]] = []
    for k in range(m.num_layers):
        names = [(f"weight_ih_l{k}{s}", f"weight_hh_l{k}{s}",
                  f"bias_ih_l{k}{s}" if m.bias else None, f"bias_hh_l{k}{s}" if m.bias else None)
                 for s in m.direction_suffixes]
        initial = [initial_h[k]] + ([initial_c[k]] if is_lstm else [])
        y, *states = _onnx_layer(c, seq, names, initial)
        if d == 1:
            seq = c.b.op("Squeeze", [y, c.b.ints([1])], c.scope)
        else:                                       # (T, D, N, H) -> (T, N, D*H)
            joined = c.b.op("Transpose", [y], c.scope, perm=[0, 2, 1, 3])
            seq = c.b.op("Reshape", [joined, c.b.ints([0, 0, -1])], c.scope)
        finals.append(states)
    output = c.b.op("Transpose", [seq], c.scope, perm=[1, 0, 2]) if m.batch_first else seq
    outs = [output]
    for i in range(len(finals[0])):               # h_n (and c_n): every layer's, stacked
        per_layer = [states[i] for states in finals]
        outs.append(per_layer[0] if len(per_layer) == 1
                    else c.b.op("Concat", per_layer, c.scope, axis=0))
    return outs


def _cell(c: Context) -> list[str]:
    m = c.module
    _check_batched(c, 2, "(N, features)")
    is_lstm = isinstance(m, LSTMCell)
    hx = c.arg("hx", 1)
    states = (hx if hx is not None else (None, None)) if is_lstm else (hx,)
    zero = c.b.ints([0])
    initial = ["" if s is None else c.b.op("Unsqueeze", [c.ref(s), zero], c.scope)
               for s in states]
    seq = c.b.op("Unsqueeze", [c.ref(c.call.args[0]), zero], c.scope)
    bias = m.bias_ih is not None
    names = [("weight_ih", "weight_hh", "bias_ih" if bias else None,
              "bias_hh" if bias else None)]
    _, *finals = _onnx_layer(c, seq, names, initial)
    return [c.b.op("Squeeze", [state, zero], c.scope) for state in finals]


RECURRENT: dict[type, ModuleTranslation] = {
    RNN: _sequence_layer, LSTM: _sequence_layer, GRU: _sequence_layer,
    RNNCell: _cell, LSTMCell: _cell, GRUCell: _cell,
}
