"""Array kernels for the engine (TEMPORARY plain-NumPy versions; Numba kernels coming)."""

from __future__ import annotations

import numpy as np


def _out(size, k, s, p):
    return (size + 2 * p - k) // s + 1


def _im2col(x, kh, kw, stride, padding):
    n, c, h, w = x.shape
    (sh, sw), (ph, pw) = stride, padding
    oh, ow = _out(h, kh, sh, ph), _out(w, kw, sw, pw)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = xp[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
    return cols.reshape(n, c * kh * kw, oh * ow), oh, ow


def conv2d_forward(x, w, b, stride, padding):
    f, c, kh, kw = w.shape
    cols, oh, ow = _im2col(x, kh, kw, stride, padding)
    out = np.matmul(w.reshape(f, -1), cols)
    if b is not None:
        out += b.reshape(1, f, 1)
    return out.reshape(x.shape[0], f, oh, ow)


def conv2d_backward(up, x, w, stride, padding):
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    (sh, sw), (ph, pw) = stride, padding
    cols, oh, ow = _im2col(x, kh, kw, stride, padding)
    upm = up.reshape(n, f, -1)
    dw = np.einsum("nfp,nkp->fk", upm, cols).reshape(w.shape).astype(w.dtype)
    db = up.sum(axis=(0, 2, 3)).astype(w.dtype)
    dcols = np.matmul(w.reshape(f, -1).T, upm).reshape(n, c, kh, kw, oh, ow)
    xp = np.zeros((n, c, h + 2 * ph, wd + 2 * pw), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            xp[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw] += dcols[:, :, i, j]
    return np.ascontiguousarray(xp[:, :, ph:ph + h, pw:pw + wd]), dw, db


def max_pool2d_forward(x, kernel_size, stride):
    n, c, h, w = x.shape
    (kh, kw), (sh, sw) = kernel_size, stride
    oh, ow = _out(h, kh, sh, 0), _out(w, kw, sw, 0)
    win = np.empty((n, c, oh, ow, kh * kw), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            win[..., i * kw + j] = x[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
    arg = np.argmax(win, axis=-1)
    return np.take_along_axis(win, arg[..., None], axis=-1)[..., 0], arg.astype(np.int64)


def max_pool2d_backward(up, argmax, x_shape, kernel_size, stride):
    n, c, oh, ow = up.shape
    kw = kernel_size[1]
    rows = np.arange(oh).reshape(1, 1, oh, 1) * stride[0] + argmax // kw
    cols = np.arange(ow).reshape(1, 1, 1, ow) * stride[1] + argmax % kw
    nn = np.broadcast_to(np.arange(n).reshape(n, 1, 1, 1), up.shape)
    cc = np.broadcast_to(np.arange(c).reshape(1, c, 1, 1), up.shape)
    dx = np.zeros(x_shape, dtype=up.dtype)
    np.add.at(dx, (nn, cc, rows, cols), up)
    return dx


def matmul(a, b):
    return np.matmul(a, b)


__all__ = ["conv2d_backward", "conv2d_forward", "matmul", "max_pool2d_backward",
           "max_pool2d_forward"]
