"""Plain-NumPy reference implementations of the neural-network kernels (the test oracle).

Written for clarity, not speed: convolution goes through im2col + a matrix product, max-pool
stacks every window along a new axis. Every function mirrors one name in ``autograd.kernels`` and
takes the same arguments, so tests compare the two directly.

>>> import numpy as np
>>> x = np.arange(16.0).reshape(1, 1, 4, 4)
>>> out, arg = max_pool2d_forward(x, (2, 2), (2, 2))
>>> out[0, 0].tolist(), arg[0, 0].tolist()
([[5.0, 7.0], [13.0, 15.0]], [[3, 3], [3, 3]])
"""

from __future__ import annotations

import numpy as np


def conv_output_size(size: int, kernel: int, stride: int, pad: int) -> int:
    """Output length of a convolution/pooling along one axis.

    >>> conv_output_size(32, 3, 1, 1)
    32
    """
    return (size + 2 * pad - kernel) // stride + 1


def im2col(x: np.ndarray, kh: int, kw: int, stride: tuple[int, int],
           padding: tuple[int, int]) -> np.ndarray:
    """Unfold zero-padded windows of ``x`` (N,C,H,W) into columns (N, C*KH*KW, OH*OW).

    Row ``c*KH*KW + i*KW + j`` holds input pixel (i, j) of every window of channel c.

    >>> im2col(np.ones((1, 2, 3, 3)), 2, 2, (1, 1), (0, 0)).shape
    (1, 8, 4)
    """
    n, c, h, w = x.shape
    sh, sw = stride
    ph, pw = padding
    oh = conv_output_size(h, kh, sh, ph)
    ow = conv_output_size(w, kw, sw, pw)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = xp[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
    return cols.reshape(n, c * kh * kw, oh * ow)


def col2im(cols: np.ndarray, x_shape: tuple[int, ...], kh: int, kw: int,
           stride: tuple[int, int], padding: tuple[int, int]) -> np.ndarray:
    """Adjoint of :func:`im2col`: add every column entry back onto the pixel it came from.

    >>> col2im(np.ones((1, 4, 4)), (1, 1, 3, 3), 2, 2, (1, 1), (0, 0))[0, 0].tolist()
    [[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]
    """
    n, c, h, w = x_shape
    sh, sw = stride
    ph, pw = padding
    oh = conv_output_size(h, kh, sh, ph)
    ow = conv_output_size(w, kw, sw, pw)
    cols = cols.reshape(n, c, kh, kw, oh, ow)
    xp = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            xp[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw] += cols[:, :, i, j]
    return xp[:, :, ph:ph + h, pw:pw + w]


def conv2d_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None,
                   stride: tuple[int, int], padding: tuple[int, int]) -> np.ndarray:
    """Cross-correlation of x (N,C,H,W) with w (F,C,KH,KW) plus bias b (F,): (N,F,OH,OW).

    >>> conv2d_forward(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), None, (1, 1), (0, 0))
    array([[[[4., 4.],
             [4., 4.]]]])
    """
    n, _, h, wd = x.shape
    f, c, kh, kw = w.shape
    oh = conv_output_size(h, kh, stride[0], padding[0])
    ow = conv_output_size(wd, kw, stride[1], padding[1])
    cols = im2col(x, kh, kw, stride, padding)
    out = np.matmul(w.reshape(f, c * kh * kw), cols)
    if b is not None:
        out = out + b.reshape(1, f, 1)
    return out.reshape(n, f, oh, ow).astype(x.dtype, copy=False)


def conv2d_backward(up: np.ndarray, x: np.ndarray, w: np.ndarray, stride: tuple[int, int],
                    padding: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients (dx, dw, db) of :func:`conv2d_forward` for the upstream gradient ``up``.

    >>> dx, dw, db = conv2d_backward(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3)),
    ...                              np.ones((1, 1, 2, 2)), (1, 1), (0, 0))
    >>> dx[0, 0, 1].tolist(), dw[0, 0].tolist(), db.tolist()
    ([2.0, 4.0, 2.0], [[4.0, 4.0], [4.0, 4.0]], [4.0])
    """
    n = x.shape[0]
    f, c, kh, kw = w.shape
    up_mat = up.reshape(n, f, -1)
    cols = im2col(x, kh, kw, stride, padding)
    dw = np.einsum("nfp,nkp->fk", up_mat, cols).reshape(w.shape)
    db = up.sum(axis=(0, 2, 3))
    dcols = np.matmul(w.reshape(f, c * kh * kw).T, up_mat)
    dx = col2im(dcols, x.shape, kh, kw, stride, padding)
    return dx.astype(x.dtype), dw.astype(w.dtype), db.astype(w.dtype)


def _pool_windows(x: np.ndarray, kernel_size: tuple[int, int],
                  stride: tuple[int, int]) -> np.ndarray:
    """All pooling windows of x stacked on a last axis of length KH*KW (row-major in the window)."""
    n, c, h, w = x.shape
    kh, kw = kernel_size
    sh, sw = stride
    oh = conv_output_size(h, kh, sh, 0)
    ow = conv_output_size(w, kw, sw, 0)
    win = np.empty((n, c, oh, ow, kh * kw), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            win[..., i * kw + j] = x[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
    return win


def max_pool2d_forward(x: np.ndarray, kernel_size: tuple[int, int],
                       stride: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Max over each window and the flat in-window index (kh*KW + kw) of the first maximum.

    A NaN in a window wins it (the last NaN, as in PyTorch).

    >>> out, arg = max_pool2d_forward(np.array([[[[1.0, 1.0], [0.0, 1.0]]]]), (2, 2), (2, 2))
    >>> out.item(), arg.item()
    (1.0, 0)
    """
    win = _pool_windows(x, kernel_size, stride)
    nan = np.isnan(win)
    last_nan = win.shape[-1] - 1 - np.argmax(nan[..., ::-1], axis=-1)
    arg = np.where(nan.any(axis=-1), last_nan, np.argmax(win, axis=-1))
    out = np.take_along_axis(win, arg[..., None], axis=-1)[..., 0]
    return out, arg.astype(np.int64)


def max_pool2d_backward(up: np.ndarray, argmax: np.ndarray, x_shape: tuple[int, ...],
                        kernel_size: tuple[int, int], stride: tuple[int, int]) -> np.ndarray:
    """Route each upstream entry to the winning input of its window (summing where windows overlap).

    >>> up = np.ones((1, 1, 1, 1)); arg = np.array([[[[3]]]])
    >>> max_pool2d_backward(up, arg, (1, 1, 2, 2), (2, 2), (2, 2))[0, 0].tolist()
    [[0.0, 0.0], [0.0, 1.0]]
    """
    n, c, oh, ow = up.shape
    kw = kernel_size[1]
    sh, sw = stride
    rows = np.arange(oh).reshape(1, 1, oh, 1) * sh + argmax // kw
    cols = np.arange(ow).reshape(1, 1, 1, ow) * sw + argmax % kw
    nn = np.arange(n).reshape(n, 1, 1, 1)
    cc = np.arange(c).reshape(1, c, 1, 1)
    dx = np.zeros(x_shape, dtype=up.dtype)
    np.add.at(dx, (np.broadcast_to(nn, up.shape), np.broadcast_to(cc, up.shape), rows, cols), up)
    return dx


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """NumPy's matmul written as an einsum over the broadcast batch dimensions (ndim >= 2).

    >>> matmul(np.eye(2), np.ones((3, 2, 2))).shape
    (3, 2, 2)
    """
    return np.einsum("...ij,...jk->...ik", a, b).astype(np.result_type(a, b), copy=False)
