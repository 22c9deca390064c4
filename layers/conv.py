"""Convolution and pooling layers: Conv2d, MaxPool2d, GlobalAvgPool2d and Flatten.

Images are ``(N, C, H, W)`` like PyTorch.

>>> import numpy as np
>>> conv = Conv2d(1, 8, 3, padding=1)
>>> conv(np.zeros((2, 1, 8, 8))).shape
(2, 8, 8, 8)
>>> MaxPool2d(2)(np.zeros((2, 8, 8, 8))).shape
(2, 8, 4, 4)
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Value
from autograd.utils import pair

from .linear import reset_weight_and_bias
from .module import Module, Parameter, as_input, float_dtype


def _single(pair: tuple[int, int]) -> int | tuple[int, int]:
    return pair[0] if pair[0] == pair[1] else pair


def check_images(layer: str, x: Value, channels: int | None = None) -> None:
    """Raise a ValueError naming ``layer`` unless ``x`` is ``(N, C, H, W)`` (C = channels).

    >>> check_images("Conv2d(3, 8)", Value(np.zeros((2, 1, 5, 5))), channels=3)
    Traceback (most recent call last):
    ValueError: Conv2d(3, 8): expected input of shape (N, 3, H, W), got shape (2, 1, 5, 5)
    """
    if x.ndim != 4 or (channels is not None and x.shape[1] != channels):
        c = "C" if channels is None else str(channels)
        raise ValueError(f"{layer}: expected input of shape (N, {c}, H, W), got shape {x.shape}")


class Conv2d(Module):
    """2-D convolution (cross-correlation, like PyTorch) over ``(N, C, H, W)`` images.

    ``weight`` is ``(out_channels, in_channels, KH, KW)``, ``bias`` ``(out_channels,)``;
    output size per side is ``(H + 2*padding - K) // stride + 1``.

    >>> Conv2d(3, 16, 3).num_parameters()   # 16*3*3*3 + 16
    448
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int = 1,
        padding: int = 0,
        bias: bool = True,
        dtype: Any = None,
        dilation: int | tuple[int, int] = 1,
    ) -> None:
        super().__init__()
        name = f"Conv2d({in_channels}, {out_channels})"
        if in_channels <= 0 or out_channels <= 0:
            raise ValueError(f"{name}: channel counts must be positive")
        kh, kw = pair(name, "kernel_size", kernel_size, minimum=1)
        strides = pair(name, "stride", stride, minimum=1)
        pads = pair(name, "padding", padding)
        dilations = pair(name, "dilation", dilation, minimum=1)
        dt = float_dtype(dtype)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = (kh, kw)
        self.stride = strides
        self.padding = pads
        self.dilation = dilations
        self.weight = Parameter(np.zeros((out_channels, in_channels, kh, kw)), dtype=dt)
        self.bias = Parameter(np.zeros(out_channels), dtype=dt) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: U(±1/sqrt(fan_in)) with fan_in = in_channels*KH*KW."""
        kh, kw = self.kernel_size
        reset_weight_and_bias(self.weight, self.bias, self.in_channels * kh * kw)

    def forward(self, x: Any) -> Value:
        x = as_input(x, self.weight.dtype)
        name = f"Conv2d({self.in_channels}, {self.out_channels})"
        check_images(name, x, self.in_channels)
        (kh, kw), (dh, dw) = self.kernel_size, self.dilation
        h, w = x.shape[2] + 2 * self.padding[0], x.shape[3] + 2 * self.padding[1]
        if h < dh * (kh - 1) + 1 or w < dw * (kw - 1) + 1:
            raise ValueError(
                f"{name}: input of shape {x.shape} with padding {_single(self.padding)} is "
                f"smaller than the kernel {self.kernel_size}"
                + (f" dilated by {_single(self.dilation)}" if self.dilation != (1, 1) else "")
            )
        return autograd.conv2d(x, self.weight, self.bias, stride=self.stride, padding=self.padding,
                               dilation=self.dilation)

    def extra_repr(self) -> str:
        bias = "" if self.bias is not None else ", bias=False"
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={_single(self.kernel_size)}, "
            f"stride={_single(self.stride)}, padding={_single(self.padding)}"
            + (f", dilation={_single(self.dilation)}" if self.dilation != (1, 1) else "") + bias
        )


class MaxPool2d(Module):
    """Max pooling over ``k x k`` windows (stride defaults to ``k``); a max gate: the
    gradient is routed to each window's largest input.

    >>> import numpy as np
    >>> MaxPool2d(3, stride=2)(np.zeros((1, 1, 7, 7))).shape
    (1, 1, 3, 3)
    """

    def __init__(
        self, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
    ) -> None:
        super().__init__()
        kernel = pair("MaxPool2d", "kernel_size", kernel_size, minimum=1)
        strides = kernel if stride is None else pair("MaxPool2d", "stride", stride, minimum=1)
        pads = pair("MaxPool2d", "padding", padding)
        if 2 * pads[0] > kernel[0] or 2 * pads[1] > kernel[1]:
            raise ValueError(f"MaxPool2d: padding {_single(pads)} must be at most half the "
                             f"kernel size {_single(kernel)}")
        self.kernel_size = kernel
        self.stride = strides
        self.padding = pads

    def forward(self, x: Any) -> Value:
        name = f"MaxPool2d({_single(self.kernel_size)})"
        x = as_input(x)
        check_images(name, x)
        (kh, kw), (ph, pw) = self.kernel_size, self.padding
        if x.shape[2] + 2 * ph < kh or x.shape[3] + 2 * pw < kw:
            raise ValueError(
                f"{name}: input of shape {x.shape} is smaller than the {kh}x{kw} window"
            )
        return autograd.max_pool2d(x, self.kernel_size, stride=self.stride, padding=self.padding)

    def extra_repr(self) -> str:
        padding = f", padding={_single(self.padding)}" if self.padding != (0, 0) else ""
        return f"kernel_size={_single(self.kernel_size)}, stride={_single(self.stride)}{padding}"


class GlobalAvgPool2d(Module):
    """Average each channel over its whole ``H x W`` map: ``(N, C, H, W) -> (N, C)``
    (ResNet's head; PyTorch's ``AdaptiveAvgPool2d(1)`` followed by flatten).

    >>> import numpy as np
    >>> GlobalAvgPool2d()(np.ones((2, 3, 4, 4))).shape
    (2, 3)
    """

    def forward(self, x: Any) -> Value:
        x = as_input(x)
        check_images("GlobalAvgPool2d", x)
        return x.mean(axis=(2, 3))


class Flatten(Module):
    """Merge dimensions ``start_dim..end`` into one: ``(N, C, H, W) -> (N, C*H*W)``.

    >>> import numpy as np
    >>> Flatten()(np.zeros((2, 16, 2, 2))).shape
    (2, 64)
    """

    def __init__(self, start_dim: int = 1) -> None:
        super().__init__()
        self.start_dim = start_dim

    def forward(self, x: Any) -> Value:
        x = as_input(x)
        start = self.start_dim if self.start_dim >= 0 else x.ndim + self.start_dim
        if not 0 <= start < max(x.ndim, 1):
            raise ValueError(
                f"Flatten(start_dim={self.start_dim}): input of shape {x.shape} has no "
                f"dimension {self.start_dim}"
            )
        kept = x.shape[:start]
        return x.reshape(*kept, int(np.prod(x.shape[start:], dtype=np.int64)))

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}"
