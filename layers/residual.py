"""Residual blocks: ResNet's basic block, and a generic ``x + f(x)`` wrapper.

A shortcut adds the block's input to its output, so the gradient has a path that skips the
block (an add gate distributes the upstream gradient unchanged to both branches).  When the
block changes the shape (stride or channels), the shortcut is a 1x1 convolution + batch norm
("projection"); otherwise it is the identity.

>>> import numpy as np
>>> block = BasicBlock(8, 16, stride=2)
>>> block(np.zeros((2, 8, 8, 8))).shape
(2, 16, 4, 4)
>>> block.shortcut is not None
True
"""

from __future__ import annotations

from typing import Any

from autograd import Value

from .activation import ReLU
from .container import Sequential
from .conv import Conv2d
from .module import Module, as_input
from .norm import BatchNorm2d


class BasicBlock(Module):
    """ResNet basic block: ``relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))``.

    Both convolutions are 3x3 (the first with ``stride``).  ``shortcut=True`` (default) adds
    the identity, or a 1x1-conv projection when the shape changes; ``shortcut=False`` gives
    the same block without it (a "plain" block, for comparing deep nets).
    ``self.shortcut`` is the projection module, or None for the identity / no shortcut.

    >>> BasicBlock(16, 16).shortcut is None
    True
    >>> BasicBlock(16, 16).num_parameters()   # 2 * (16*16*9) + 2 BN * 32
    4672
    """

    expansion = 1

    def __init__(
        self, in_channels: int, out_channels: int, stride: int = 1, shortcut: bool = True
    ) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.stride = stride
        self.use_shortcut = shortcut
        self.conv1 = Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = BatchNorm2d(out_channels)
        self.conv2 = Conv2d(out_channels, out_channels, 3, stride=1, padding=1, bias=False)
        self.bn2 = BatchNorm2d(out_channels)
        self.relu = ReLU()
        needs_projection = stride != 1 or in_channels != out_channels
        self.shortcut = (
            Sequential(
                Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                BatchNorm2d(out_channels),
            )
            if shortcut and needs_projection
            else None
        )

    def forward(self, x: Any) -> Value:
        x = as_input(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.use_shortcut:
            out = out + (self.shortcut(x) if self.shortcut is not None else x)
        return self.relu(out)

    def extra_repr(self) -> str:
        kind = "none" if not self.use_shortcut else (
            "projection" if self.shortcut is not None else "identity"
        )
        return (
            f"{self.in_channels}, {self.out_channels}, stride={self.stride}, shortcut={kind}"
        )


class Residual(Module):
    """``x + body(x)`` for any shape-preserving ``body`` (e.g. an MLP block).

    >>> import numpy as np
    >>> from layers import Linear
    >>> Residual(Linear(4, 4))(np.zeros((2, 4))).shape
    (2, 4)
    """

    def __init__(self, body: Module) -> None:
        super().__init__()
        self.body = body

    def forward(self, x: Any) -> Value:
        x = as_input(x)
        out = self.body(x)
        if out.shape != x.shape:
            raise ValueError(
                f"Residual: the body maps shape {x.shape} to {out.shape}; an identity "
                "shortcut needs the same shape"
            )
        return x + out
