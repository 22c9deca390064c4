"""Compiled point-wise parts of the LSTM cell (no graph logic): the multiply-adds, fused
into one pass each way. The matrix products are BLAS's, and the sigmoids and tanhs NumPy's,
whose SIMD versions of exp and tanh Numba cannot use without Intel's SVML. Gate order i, f,
g, o as in PyTorch. Small arrays, so one thread and no ``parallel``.
"""

from __future__ import annotations

from numba import njit


@njit(cache=True, fastmath=False)
def cell_state(act, c, c_new):
    """``c_new = f*c + i*g`` from the activations ``act`` (N, 4H) = i, f, g, o."""
    n, hidden = c.shape
    for r in range(n):
        for k in range(hidden):
            c_new[r, k] = act[r, hidden + k] * c[r, k] + act[r, k] * act[r, 2 * hidden + k]


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
