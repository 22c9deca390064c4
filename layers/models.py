"""Model builders: the networks of the course, small enough to train on a CPU.

- :class:`MLP` — fully connected net (micrograd's ``MLP(nin, nouts)`` shape);
- :func:`lenet_digits` — a LeNet-style CNN for the 8x8 digits (conv 1→8, conv 8→16, fc 64→10);
- :func:`lenet5` — LeNet-5 for 32x32 images;
- :func:`alexnet_small` — AlexNet's ideas at 32x32: a big first filter without padding,
  overlapping 3x3/2 max-pools, five convs, dropout in a three-layer classifier;
- :func:`vgg_small` — VGG's idea: stacks of 3x3 convs, channels doubling after each pool;
- :class:`ResNet` / :func:`resnet_small` — basic blocks with identity shortcuts (projection
  where the shape changes); ``shortcuts=False`` builds the same depth as a "plain" net;
- :func:`deep_mlp` — a deep fully connected net, plain or with residual shortcuts.

>>> import numpy as np
>>> lenet_digits()(np.zeros((2, 1, 8, 8))).shape
(2, 10)
>>> lenet_digits().num_parameters()
1898
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from autograd import Value

from .activation import ReLU, Sigmoid, Tanh
from .container import ModuleList, Sequential
from .conv import Conv2d, Flatten, GlobalAvgPool2d, MaxPool2d
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .norm import BatchNorm1d, BatchNorm2d
from .residual import BasicBlock, Residual

_ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid}


def make_activation(name: str) -> Module:
    """A fresh activation module by name: 'relu', 'tanh' or 'sigmoid'.

    >>> make_activation("tanh")
    Tanh()
    """
    if name not in _ACTIVATIONS:
        raise ValueError(f"make_activation: expected one of {sorted(_ACTIVATIONS)}, got {name!r}")
    return _ACTIVATIONS[name]()


class MLP(Sequential):
    """Fully connected net: ``Linear`` layers of sizes ``layer_sizes`` with an activation
    (optionally batch norm before it, dropout after it) between them, none after the last.

    >>> net = MLP(2, [16, 16, 1])          # micrograd's demo network
    >>> net.num_parameters()
    337
    >>> [type(m).__name__ for m in net]
    ['Linear', 'ReLU', 'Linear', 'ReLU', 'Linear']
    """

    def __init__(
        self,
        in_features: int,
        layer_sizes: Sequence[int],
        activation: str = "relu",
        dropout: float = 0.0,
        batch_norm: bool = False,
    ) -> None:
        if not layer_sizes:
            raise ValueError("MLP: layer_sizes must name at least the output size")
        modules: list[Module] = []
        sizes = [in_features, *layer_sizes]
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            modules.append(Linear(fan_in, fan_out))
            if i < len(layer_sizes) - 1:
                if batch_norm:
                    modules.append(BatchNorm1d(fan_out))
                modules.append(make_activation(activation))
                if dropout:
                    modules.append(Dropout(dropout))
        super().__init__(*modules)


def lenet_digits(num_classes: int = 10) -> Sequential:
    """LeNet-style CNN for ``(N, 1, 8, 8)`` digits: conv 1→8, pool, conv 8→16, pool, fc 64→10.

    >>> lenet_digits().features[0]
    Conv2d(1, 8, kernel_size=3, stride=1, padding=1)
    """
    features = Sequential(
        Conv2d(1, 8, 3, padding=1), ReLU(), MaxPool2d(2),      # 8x8 -> 4x4
        Conv2d(8, 16, 3, padding=1), ReLU(), MaxPool2d(2),     # 4x4 -> 2x2
    )
    classifier = Sequential(Flatten(), Linear(16 * 2 * 2, num_classes))
    return Sequential(OrderedDict(features=features, classifier=classifier))


def lenet5(in_channels: int = 3, num_classes: int = 10) -> Sequential:
    """LeNet-5 for ``(N, C, 32, 32)`` images (ReLU and max-pool instead of the original's
    squashing and average pooling): conv 5x5 ×6, pool, conv 5x5 ×16, pool, fc 120, 84, classes.

    >>> lenet5().num_parameters()
    62006
    """
    features = Sequential(
        Conv2d(in_channels, 6, 5), ReLU(), MaxPool2d(2),        # 32 -> 28 -> 14
        Conv2d(6, 16, 5), ReLU(), MaxPool2d(2),                 # 14 -> 10 -> 5
    )
    classifier = Sequential(
        Flatten(), Linear(16 * 5 * 5, 120), ReLU(), Linear(120, 84), ReLU(),
        Linear(84, num_classes),
    )
    return Sequential(OrderedDict(features=features, classifier=classifier))


def alexnet_small(
    num_classes: int = 10, width: int = 32, hidden: int = 256, dropout: float = 0.5
) -> Sequential:
    """AlexNet's shape for ``(N, 3, 32, 32)`` images: a large 5x5 first filter with no
    padding, overlapping 3x3 stride-2 max-pools, five convolutions (channels ``width`` ×
    1, 2, 3, 3, 2), and a dropout-regularised three-layer classifier of ``hidden`` units.

    >>> import numpy as np
    >>> alexnet_small(width=8, hidden=32)(np.zeros((1, 3, 32, 32))).shape
    (1, 10)
    """
    w = width
    features = Sequential(
        Conv2d(3, w, 5), ReLU(), MaxPool2d(3, stride=2),                     # 32 -> 28 -> 13
        Conv2d(w, 2 * w, 5, padding=2), ReLU(), MaxPool2d(3, stride=2),      # 13 -> 6
        Conv2d(2 * w, 3 * w, 3, padding=1), ReLU(),
        Conv2d(3 * w, 3 * w, 3, padding=1), ReLU(),
        Conv2d(3 * w, 2 * w, 3, padding=1), ReLU(), MaxPool2d(3, stride=2),  # 6 -> 2
    )
    classifier = Sequential(
        Flatten(),
        Dropout(dropout), Linear(2 * w * 2 * 2, hidden), ReLU(),
        Dropout(dropout), Linear(hidden, hidden), ReLU(),
        Linear(hidden, num_classes),
    )
    return Sequential(OrderedDict(features=features, classifier=classifier))


def vgg_small(
    num_classes: int = 10,
    width: int = 16,
    stages: int = 3,
    convs_per_stage: int = 2,
    batch_norm: bool = False,
    hidden: int = 128,
    input_size: int = 32,
) -> Sequential:
    """VGG's recipe: in each stage ``convs_per_stage`` 3x3 convolutions (padding 1 keeps
    the size), then a 2x2 max-pool halves it and the next stage doubles the channels
    (``width``, 2·width, 4·width, ...); a small classifier on top.

    >>> import numpy as np
    >>> net = vgg_small(width=4, hidden=16)
    >>> [m.out_channels for m in net.features if isinstance(m, Conv2d)]
    [4, 4, 8, 8, 16, 16]
    >>> net(np.zeros((1, 3, 32, 32))).shape
    (1, 10)
    """
    if input_size % 2**stages:
        raise ValueError(f"vgg_small: input_size {input_size} is not divisible by 2**{stages}")
    layers: list[Module] = []
    channels_in = 3
    for stage in range(stages):
        channels = width * 2**stage
        for _ in range(convs_per_stage):
            layers.append(Conv2d(channels_in, channels, 3, padding=1, bias=not batch_norm))
            if batch_norm:
                layers.append(BatchNorm2d(channels))
            layers.append(ReLU())
            channels_in = channels
        layers.append(MaxPool2d(2))
    side = input_size // 2**stages
    classifier = Sequential(
        Flatten(), Linear(channels_in * side * side, hidden), ReLU(), Dropout(0.5),
        Linear(hidden, num_classes),
    )
    return Sequential(OrderedDict(features=Sequential(*layers), classifier=classifier))


class ResNet(Module):
    """ResNet for small images: a 3x3 stem, stages of :class:`BasicBlock` (the first block
    of every stage after the first halves the size and doubles the channels, through a
    projection shortcut), global average pooling and a linear classifier.

    ``shortcuts=False`` removes every shortcut: the "plain" net of the same depth.

    >>> import numpy as np
    >>> net = ResNet(blocks=(1, 1), width=4)
    >>> net(np.zeros((2, 3, 16, 16))).shape
    (2, 10)
    """

    def __init__(
        self,
        blocks: Sequence[int] = (1, 1, 1),
        width: int = 16,
        num_classes: int = 10,
        in_channels: int = 3,
        shortcuts: bool = True,
    ) -> None:
        super().__init__()
        self.stem = Sequential(
            Conv2d(in_channels, width, 3, padding=1, bias=False), BatchNorm2d(width), ReLU()
        )
        stages = []
        channels_in = width
        for stage, count in enumerate(blocks):
            channels = width * 2**stage
            stage_blocks = []
            for i in range(count):
                stride = 2 if stage > 0 and i == 0 else 1
                stage_blocks.append(BasicBlock(channels_in, channels, stride, shortcut=shortcuts))
                channels_in = channels
            stages.append(Sequential(*stage_blocks))
        self.stages = ModuleList(stages)
        self.pool = GlobalAvgPool2d()
        self.fc = Linear(channels_in, num_classes)

    def forward(self, x: Any) -> Value:
        out = self.stem(x)
        for stage in self.stages:
            out = stage(out)
        return self.fc(self.pool(out))


def resnet_small(
    num_classes: int = 10, width: int = 16, blocks: Sequence[int] = (1, 1, 1),
    shortcuts: bool = True,
) -> ResNet:
    """A small ResNet for ``(N, 3, 32, 32)`` images (see :class:`ResNet`);
    ``shortcuts=False`` gives the plain net of the same depth.

    >>> resnet_small().num_parameters() > resnet_small(shortcuts=False).num_parameters()
    True
    """
    return ResNet(blocks, width, num_classes, shortcuts=shortcuts)


def deep_mlp(
    in_features: int,
    width: int,
    depth: int,
    out_features: int,
    shortcuts: bool = False,
    activation: str = "relu",
) -> Sequential:
    """A deep fully connected net: an input layer, ``depth`` hidden ``Linear + activation``
    blocks of ``width`` units (each wrapped in :class:`Residual` when ``shortcuts``), and an
    output layer.  Plain and residual versions have the same parameters, so comparing their
    gradient flow isolates the effect of the shortcut.

    >>> plain, residual = deep_mlp(2, 8, 10, 1), deep_mlp(2, 8, 10, 1, shortcuts=True)
    >>> plain.num_parameters() == residual.num_parameters()
    True
    """
    modules: list[Module] = [Linear(in_features, width), make_activation(activation)]
    for _ in range(depth):
        block = Sequential(Linear(width, width), make_activation(activation))
        modules.append(Residual(block) if shortcuts else block)
    modules.append(Linear(width, out_features))
    return Sequential(*modules)
