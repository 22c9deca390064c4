"""Compiled patch packing for the GEMM convolution with stride > 1: im2col and its adjoint
col2im (stride 1 needs no packing: see :mod:`autograd.kernels.conv_gemm`).

No graph logic; :mod:`autograd.kernels.conv_gemm` prepares every argument.

Layout of the patch matrix for images ``n0 .. n0+m`` of a batch: row ``(c*KH + i)*KW + j``
(one per input channel and kernel tap), column ``(n - n0)*OH*OW + oy*OW + ox`` (one per output
pixel). Entry = padded input pixel ``(oy*sh + i*dh - ph, ox*sw + j*dw - pw)`` of channel c,
zero outside the image. A convolution is then one matrix product with the weights seen as an
``(F, C*KH*KW)`` matrix.

Each task of ``im2col`` writes whole rows of one (tap, image) pair; each task of ``col2im``
owns one (image, channel) plane of the gradient, so neither has races and the summation
order of ``col2im`` is fixed (taps in order), whatever the thread count.
"""

from __future__ import annotations

from numba import njit, prange


@njit(cache=True, fastmath=False)
def valid_span(size, out, stride, offset):
    """The output positions ``[lo, hi)`` whose input ``o*stride + offset`` lies in [0, size)."""
    lo = 0 if offset >= 0 else (-offset + stride - 1) // stride
    hi = 0 if size - 1 - offset < 0 else (size - 1 - offset) // stride + 1
    lo, hi = min(lo, out), min(hi, out)
    return lo, max(lo, hi)


@njit(cache=True, parallel=True, fastmath=False)
def im2col(x, n0, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cols):
    """Fill ``cols`` (C*KH*KW, m*OH*OW) with the patches of images ``n0 .. n0+m`` of x.

    One task per (image, channel) plane, which stays in L1 while its KH*KW rows are written.
    Works on flat views with explicit offsets: rows are short (32 pixels on CIFAR), and
    slicing a view per row cost three times the copy itself.
    """
    n_chan, h, w = x.shape[1], x.shape[2], x.shape[3]
    taps = kh * kw
    width = cols.shape[1]
    m = width // (oh * ow)
    xf = x.reshape(x.size)
    cf = cols.reshape(cols.size)
    for task in prange(m * n_chan):
        img = task // n_chan
        c = task - img * n_chan
        plane = ((n0 + img) * n_chan + c) * h * w
        for i in range(kh):
            for j in range(kw):
                row = c * taps + i * kw + j
                col_lo, col_hi = valid_span(w, ow, sw, j * dw - pw)
                x0 = col_lo * sw + j * dw - pw
                for oy in range(oh):
                    d = row * width + (img * oh + oy) * ow
                    y = oy * sh + i * dh - ph
                    if y < 0 or y >= h:
                        for k in range(ow):
                            cf[d + k] = 0
                        continue
                    for k in range(col_lo):
                        cf[d + k] = 0
                    src = plane + y * w + x0
                    if sw == 1:
                        for k in range(col_hi - col_lo):
                            cf[d + col_lo + k] = xf[src + k]
                    else:
                        for k in range(col_hi - col_lo):
                            cf[d + col_lo + k] = xf[src + k * sw]
                    for k in range(col_hi, ow):
                        cf[d + k] = 0


@njit(cache=True, parallel=True, fastmath=False)
def col2im(cols, n0, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, dx):
    """dx[n0 .. n0+m] = the sum, over taps, of ``cols`` scattered back to input pixels."""
    n_chan, h, w = dx.shape[1], dx.shape[2], dx.shape[3]
    taps = kh * kw
    width = cols.shape[1]
    m = width // (oh * ow)
    cf = cols.reshape(cols.size)
    df = dx.reshape(dx.size)
    for task in prange(m * n_chan):
        img = task // n_chan
        c = task - img * n_chan
        plane = ((n0 + img) * n_chan + c) * h * w
        for k in range(h * w):
            df[plane + k] = 0
        for i in range(kh):
            for j in range(kw):
                row = c * taps + i * kw + j
                col_lo, col_hi = valid_span(w, ow, sw, j * dw - pw)
                x0 = col_lo * sw + j * dw - pw
                for oy in range(oh):
                    y = oy * sh + i * dh - ph
                    if y < 0 or y >= h:
                        continue
                    src = row * width + (img * oh + oy) * ow + col_lo
                    dst = plane + y * w + x0
                    if sw == 1:
                        for k in range(col_hi - col_lo):
                            df[dst + k] += cf[src + k]
                    else:
                        for k in range(col_hi - col_lo):
                            df[dst + k * sw] += cf[src + k]
