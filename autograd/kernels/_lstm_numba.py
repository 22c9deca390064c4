"""Compiled point-wise halves of the LSTM cell (no graph logic); the matrix products are
BLAS's. Gate order i, f, g, o as in PyTorch. Small arrays, so one thread and no ``parallel``.
"""

from __future__ import annotations

import math

from numba import njit


@njit(cache=True, fastmath=False)
def sigmoid(v):
    """1 / (1 + e**-v) without overflow or cancellation at either end (branch-free)."""
    e = math.exp(-abs(v))
    r = 1.0 / (1.0 + e)
    return r if v >= 0 else e * r


@njit(cache=True, fastmath=False)
def cell_forward(gates, c, hc, act, tanh_c):
    """From pre-activations ``gates`` (N, 4H) and cell state c (N, H): the activations
    ``act`` (N, 4H) = i, f, g, o, then ``hc[1] = f*c + i*g``, ``tanh_c = tanh(hc[1])`` and
    ``hc[0] = o*tanh_c``."""
    n, hidden = c.shape
    for r in range(n):
        for k in range(hidden):
            i = sigmoid(gates[r, k])
            f = sigmoid(gates[r, hidden + k])
            g = math.tanh(gates[r, 2 * hidden + k])
            o = sigmoid(gates[r, 3 * hidden + k])
            act[r, k], act[r, hidden + k], act[r, 2 * hidden + k], act[r, 3 * hidden + k] = (
                i, f, g, o)
            c_new = f * c[r, k] + i * g
            t = math.tanh(c_new)
            hc[1, r, k] = c_new
            tanh_c[r, k] = t
            hc[0, r, k] = o * t


@njit(cache=True, fastmath=False)
def cell_backward(up, act, tanh_c, c, dgates, dc):
    """For upstream ``up`` = (dh', dc') (2, N, H): ``dgates`` (N, 4H), the gradient of the
    pre-activations, and ``dc`` (N, H), the gradient of the previous cell state."""
    n, hidden = c.shape
    for r in range(n):
        for k in range(hidden):
            i, f = act[r, k], act[r, hidden + k]
            g, o = act[r, 2 * hidden + k], act[r, 3 * hidden + k]
            t = tanh_c[r, k]
            dh = up[0, r, k]
            dc_new = up[1, r, k] + dh * o * (1.0 - t * t)
            dgates[r, k] = dc_new * g * i * (1.0 - i)
            dgates[r, hidden + k] = dc_new * c[r, k] * f * (1.0 - f)
            dgates[r, 2 * hidden + k] = dc_new * i * (1.0 - g * g)
            dgates[r, 3 * hidden + k] = dh * t * o * (1.0 - o)
            dc[r, k] = dc_new * f
