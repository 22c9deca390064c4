"""One LSTM step on plain arrays (PyTorch's equations, gate order i, f, g, o).

``gates = x @ w_ih.T + h @ w_hh.T + b``; ``i, f, o = sigmoid``, ``g = tanh`` of their quarters;
``c' = f*c + i*g``; ``h' = o*tanh(c')``. The products run in BLAS, the sigmoids and tanhs in
NumPy's SIMD loops, and the multiply-adds in one Numba pass each way (:mod:`._lstm_numba`,
imported on the first call).

>>> import numpy as np
>>> hc, _ = lstm_cell_forward(np.ones((1, 3)), np.zeros((1, 2)), np.zeros((1, 2)),
...                           np.zeros((8, 3)), np.zeros((8, 2)), None)
>>> hc[1].tolist()          # i = sigmoid(0) = 0.5, g = tanh(0) = 0
[[0.0, 0.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np


def lstm_cell_forward(x: np.ndarray, h: np.ndarray, c: np.ndarray, w_ih: np.ndarray,
                      w_hh: np.ndarray, b: np.ndarray | None) -> tuple[np.ndarray, Any]:
    """``(hc, saved)``: hc (2, N, H) stacks h' and c'; ``saved`` is what backward needs.

    All arrays share one float dtype; x (N, I), h and c (N, H), w_ih (4H, I), w_hh (4H, H),
    b (4H,) or None.
    """
    from ._lstm_numba import cell_state

    act = x @ w_ih.T
    act += h @ w_hh.T
    if b is not None:
        act += b
    hidden = c.shape[1]
    g = np.tanh(act[:, 2 * hidden:3 * hidden])
    with np.errstate(over="ignore"):  # exp(-x) = inf for very negative x: sigmoid 0, exact
        np.negative(act, out=act)
        np.exp(act, out=act)
    act += 1
    np.reciprocal(act, out=act)  # sigmoid of every quarter ...
    act[:, 2 * hidden:3 * hidden] = g  # ... but g's, which is a tanh
    hc = np.empty((2,) + c.shape, c.dtype)
    cell_state(act, c, hc[1])
    tanh_c = np.tanh(hc[1])
    np.multiply(act[:, 3 * hidden:], tanh_c, out=hc[0])
    return hc, (x, h, c, w_ih, w_hh, act, tanh_c)


def lstm_cell_backward(up: np.ndarray, saved: Any, needs: tuple[bool, ...]) -> list[Any]:
    """Gradients of x, h, c, w_ih, w_hh, b for upstream ``up`` (2, N, H) = (dh', dc');
    one whose entry in ``needs`` is False is None.

    >>> import numpy as np
    >>> args = np.ones((1, 3)), np.zeros((1, 2)), np.zeros((1, 2)), np.zeros((8, 3)), \\
    ...        np.zeros((8, 2)), np.zeros(8)
    >>> _, saved = lstm_cell_forward(*args)
    >>> grads = lstm_cell_backward(np.ones((2, 1, 2)), saved, (True,) * 6)
    >>> grads[5].tolist()   # dc = 1 + dh·o = 1.5, so dg = 1.5·i = 0.75; di = df = do = 0
    [0.0, 0.0, 0.0, 0.0, 0.75, 0.75, 0.0, 0.0]
    """
    from ._lstm_numba import cell_backward

    x, h, c, w_ih, w_hh, act, tanh_c = saved
    dgates, dc = np.empty_like(act), np.empty_like(c)
    cell_backward(np.ascontiguousarray(up, c.dtype), act, tanh_c, c, dgates, dc)
    need_x, need_h, need_c, need_wih, need_whh, need_b = needs
    return [dgates @ w_ih if need_x else None, dgates @ w_hh if need_h else None,
            dc if need_c else None, dgates.T @ x if need_wih else None,
            dgates.T @ h if need_whh else None, dgates.sum(axis=0) if need_b else None]
