"""Compiled batch-norm kernels (no graph logic): statistics, normalise, and the backward.

Arrays are C-contiguous (N, C, L): one task per channel, so tasks never share an output.
Sums run in float64 with eight partial sums per loop, which breaks the add chain so LLVM can
vectorise it without ``fastmath``; the order is fixed, so results do not depend on threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

LANES = 8
"""Partial sums per reduction loop."""


@njit(cache=True, fastmath=False)
def lane_sum(a, start, count, shift):
    """sum(a[start:start+count] - shift) in float64, over ``LANES`` partial sums."""
    acc = np.zeros(LANES)
    full = count - count % LANES
    for k in range(0, full, LANES):
        for lane in range(LANES):
            acc[lane] += a[start + k + lane] - shift
    total = 0.0
    for k in range(full, count):
        total += a[start + k] - shift
    return total + acc.sum()


@njit(cache=True, fastmath=False)
def lane_sum_sq(a, start, count, shift):
    """sum((a[start:start+count] - shift)**2) in float64, over ``LANES`` partial sums."""
    acc = np.zeros(LANES)
    full = count - count % LANES
    for k in range(0, full, LANES):
        for lane in range(LANES):
            d = a[start + k + lane] - shift
            acc[lane] += d * d
    total = 0.0
    for k in range(full, count):
        d = a[start + k] - shift
        total += d * d
    return total + acc.sum()


@njit(cache=True, fastmath=False)
def lane_dot(a, b, start, count, shift):
    """sum(a[i] * (b[i] - shift)) over ``start .. start+count`` in float64."""
    acc = np.zeros(LANES)
    full = count - count % LANES
    for k in range(0, full, LANES):
        for lane in range(LANES):
            acc[lane] += a[start + k + lane] * (b[start + k + lane] - shift)
    total = 0.0
    for k in range(full, count):
        total += a[start + k] * (b[start + k] - shift)
    return total + acc.sum()


@njit(cache=True, parallel=True, fastmath=False)
def batch_stats(x, mean, var):
    """mean[c], var[c] = the mean and biased variance of channel c of x (N, C, L)."""
    n_img, n_chan, size = x.shape
    flat = x.reshape(x.size)
    count = n_img * size
    for c in prange(n_chan):
        s = 0.0
        for n in range(n_img):
            s += lane_sum(flat, (n * n_chan + c) * size, size, 0.0)
        mu = s / count
        q = 0.0
        for n in range(n_img):
            q += lane_sum_sq(flat, (n * n_chan + c) * size, size, mu)
        mean[c] = mu
        var[c] = q / count


@njit(cache=True, parallel=True, fastmath=False)
def normalize(x, mean, scale, shift, out):
    """out[n, c] = (x[n, c] - mean[c]) * scale[c] + shift[c]."""
    n_img, n_chan, size = x.shape
    for task in prange(n_img * n_chan):
        c = task % n_chan
        n = task // n_chan
        mu, a, b = mean[c], scale[c], shift[c]
        src, dst = x[n, c], out[n, c]
        for k in range(size):
            dst[k] = (src[k] - mu) * a + b


@njit(cache=True, parallel=True, fastmath=False)
def grad_sums(up, x, mean, sum_up, sum_up_xc):
    """sum_up[c] = sum of up over channel c; sum_up_xc[c] = sum of up * (x - mean[c])."""
    n_img, n_chan, size = x.shape
    uf, xf = up.reshape(up.size), x.reshape(x.size)
    for c in prange(n_chan):
        s = 0.0
        d = 0.0
        for n in range(n_img):
            start = (n * n_chan + c) * size
            s += lane_sum(uf, start, size, 0.0)
            d += lane_dot(uf, xf, start, size, mean[c])
        sum_up[c] = s
        sum_up_xc[c] = d


@njit(cache=True, parallel=True, fastmath=False)
def input_grad(up, x, mean, a, b, k, dx):
    """dx[n, c] = a[c] * up[n, c] - b[c] - k[c] * (x[n, c] - mean[c])."""
    n_img, n_chan, size = x.shape
    for task in prange(n_img * n_chan):
        c = task % n_chan
        n = task // n_chan
        ac, bc, kc, mu = a[c], b[c], k[c], mean[c]
        u, src, dst = up[n, c], x[n, c], dx[n, c]
        for i in range(size):
            dst[i] = ac * u[i] - bc - kc * (src[i] - mu)
