"""Every model builder of ``layers`` and every recurrent layer, small, with random weights and
non-trivial batch-norm statistics: the models that the PyTorch and ONNX round trips verify.

>>> model = zoo_model("lenet_digits")
>>> model(zoo_input("lenet_digits", batch=2)).shape
(2, 10)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

import autograd
from layers import (
    GRU,
    LSTM,
    MLP,
    RNN,
    Conv2d,
    Flatten,
    GRUCell,
    LSTMCell,
    MaxPool2d,
    Module,
    ReLU,
    RNNCell,
    Sequential,
    alexnet_small,
    deep_mlp,
    lenet5,
    lenet_digits,
    resnet_small,
    vgg_small,
)
from layers.norm import _BatchNorm


class Entry(NamedTuple):
    """A model factory, the shape of one sample, and which input axis is the batch."""

    make: Callable[[], Module]
    sample: tuple[int, ...]
    batch_axis: int = 0


IMAGE = (3, 32, 32)
ZOO: dict[str, Entry] = {
    "mlp": Entry(lambda: MLP(4, [8, 8, 3]), (4,)),
    "mlp_bn_dropout": Entry(lambda: MLP(4, [8, 3], activation="tanh", batch_norm=True,
                                        dropout=0.2), (4,)),
    "lenet_digits": Entry(lenet_digits, (1, 8, 8)),
    "lenet5": Entry(lenet5, IMAGE),
    "alexnet_small": Entry(lambda: alexnet_small(width=8, hidden=32), IMAGE),
    "vgg_small": Entry(lambda: vgg_small(width=4, hidden=16), IMAGE),
    "vgg_small_bn": Entry(lambda: vgg_small(width=4, hidden=16, batch_norm=True), IMAGE),
    "resnet_small": Entry(lambda: resnet_small(width=4), IMAGE),
    "resnet_small_plain": Entry(lambda: resnet_small(width=4, shortcuts=False), IMAGE),
    "dilated_cnn_padded_pool": Entry(lambda: Sequential(
        Conv2d(3, 6, 3, padding=2, dilation=2), ReLU(), MaxPool2d(3, stride=2, padding=1),
        Conv2d(6, 4, (3, 2), stride=2, dilation=(1, 2)), ReLU(), Flatten()), (3, 9, 10)),
    "deep_mlp": Entry(lambda: deep_mlp(4, 8, 3, 2, activation="sigmoid"), (4,)),
    "deep_mlp_residual": Entry(lambda: deep_mlp(4, 8, 3, 2, shortcuts=True), (4,)),
    "rnn_relu_2_layers": Entry(lambda: RNN(3, 5, num_layers=2, nonlinearity="relu"), (6, 3)),
    "rnn_bidirectional": Entry(lambda: RNN(3, 5, bidirectional=True), (6, 3)),
    "lstm_2_layers_bidirectional": Entry(
        lambda: LSTM(3, 5, num_layers=2, bidirectional=True), (6, 3)),
    "lstm_time_major": Entry(lambda: LSTM(3, 5, batch_first=False), (6, 3), batch_axis=1),
    "gru_2_layers_bidirectional": Entry(
        lambda: GRU(3, 5, num_layers=2, bidirectional=True), (6, 3)),
    "gru_no_bias_time_major": Entry(lambda: GRU(3, 5, bias=False, batch_first=False), (6, 3),
                                    batch_axis=1),
    "rnn_cell": Entry(lambda: RNNCell(3, 5, nonlinearity="relu"), (3,)),
    "lstm_cell": Entry(lambda: LSTMCell(3, 5), (3,)),
    "gru_cell": Entry(lambda: GRUCell(3, 5), (3,)),
}


def zoo_model(name: str, seed: int = 0) -> Module:
    """The model ``name`` with weights drawn from ``seed`` and batch-norm layers given random
    affine parameters and running statistics (so eval mode is not the identity).

    >>> zoo_model("mlp").num_parameters()
    139
    """
    autograd.manual_seed(seed)
    model = ZOO[name].make()
    rng = np.random.default_rng(seed)
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.weight.data = rng.uniform(0.5, 1.5, module.num_features)
            module.bias.data = rng.normal(0.0, 0.2, module.num_features)
            module.running_mean[...] = rng.normal(0.0, 0.2, module.num_features)
            module.running_var[...] = rng.uniform(0.5, 1.5, module.num_features)
    return model


def zoo_input(name: str, batch: int, seed: int = 1, dtype: Any = np.float64) -> np.ndarray:
    """A random input of ``batch`` samples for model ``name`` (batch on its batch axis).

    >>> zoo_input("lstm_time_major", batch=2).shape
    (6, 2, 3)
    """
    entry = ZOO[name]
    shape = list(entry.sample)
    shape.insert(entry.batch_axis, batch)
    return np.random.default_rng(seed).normal(size=shape).astype(dtype)


def flat_outputs(out: Any) -> list[Any]:
    """The tensors of a model's output, nested tuples (an LSTM's ``(out, (h, c))``) flattened.

    >>> flat_outputs((1, (2, 3)))
    [1, 2, 3]
    """
    if isinstance(out, (tuple, list)):
        return [t for item in out for t in flat_outputs(item)]
    return [out]
