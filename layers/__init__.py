"""gradgate's layers: PyTorch-shaped modules, optimisers and training tools on the engine.

>>> import numpy as np
>>> from layers import MLP, SGD, CrossEntropyLoss
>>> net = MLP(2, [8, 2])
>>> opt = SGD(net.parameters(), lr=0.1)
>>> loss = CrossEntropyLoss()(net(np.zeros((4, 2))), [0, 1, 0, 1])
>>> loss.backward(); opt.step(); opt.zero_grad()
"""

from autograd.utils import StateDictError

from . import init, models
from .activation import ReLU, Sigmoid, Softmax, Tanh
from .checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from .container import ModuleList, Sequential
from .conv import Conv2d, Flatten, GlobalAvgPool2d, MaxPool2d
from .data import DataLoader, split
from .datasets import (
    CIFAR10_CLASSES,
    load_cifar10,
    load_digits,
    make_cifar10,
    make_moons,
    make_spirals,
)
from .dropout import Dropout
from .gru import GRU, GRUCell
from .init import (
    calculate_gain,
    fan_in_and_fan_out,
    kaiming_normal_,
    kaiming_uniform_,
    normal_,
    ones_,
    small_randn_,
    uniform_,
    xavier_normal_,
    xavier_uniform_,
    zeros_,
)
from .knn import KNearestNeighbor, cross_validate_k
from .linear import Linear
from .loss import CrossEntropyLoss, MSELoss, MultiMarginLoss, SVMLoss, l2_penalty
from .models import (
    MLP,
    ResNet,
    alexnet_small,
    deep_mlp,
    lenet5,
    lenet_digits,
    resnet_small,
    vgg_small,
)
from .module import IncompatibleKeys, Module, Parameter
from .norm import BatchNorm1d, BatchNorm2d
from .onnx_export import export_onnx
from .optim import SGD, Adam, AdamW, CosineAnnealingLR, LRScheduler, Optimizer, StepLR
from .preprocess import Standardizer
from .recurrent import LSTM, RNN, LSTMCell, RNNCell
from .residual import BasicBlock, Residual
from .serialize import CheckpointError, load, save
from .torch_bridge import from_torch, to_torch
from .trainer import History, accuracy, evaluate, fit

__all__ = [
    "CIFAR10_CLASSES",
    "GRU",
    "LSTM",
    "MLP",
    "RNN",
    "SGD",
    "Adam",
    "AdamW",
    "BasicBlock",
    "BatchNorm1d",
    "BatchNorm2d",
    "Checkpoint",
    "CheckpointError",
    "Conv2d",
    "CosineAnnealingLR",
    "CrossEntropyLoss",
    "DataLoader",
    "Dropout",
    "Flatten",
    "GRUCell",
    "GlobalAvgPool2d",
    "History",
    "IncompatibleKeys",
    "KNearestNeighbor",
    "LRScheduler",
    "LSTMCell",
    "Linear",
    "MSELoss",
    "MaxPool2d",
    "Module",
    "ModuleList",
    "MultiMarginLoss",
    "Optimizer",
    "Parameter",
    "RNNCell",
    "ReLU",
    "ResNet",
    "Residual",
    "SVMLoss",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Standardizer",
    "StateDictError",
    "StepLR",
    "Tanh",
    "accuracy",
    "alexnet_small",
    "calculate_gain",
    "cross_validate_k",
    "deep_mlp",
    "evaluate",
    "export_onnx",
    "fan_in_and_fan_out",
    "fit",
    "from_torch",
    "init",
    "kaiming_normal_",
    "kaiming_uniform_",
    "l2_penalty",
    "lenet5",
    "lenet_digits",
    "load",
    "load_checkpoint",
    "load_cifar10",
    "load_digits",
    "make_cifar10",
    "make_moons",
    "make_spirals",
    "models",
    "normal_",
    "ones_",
    "resnet_small",
    "save",
    "save_checkpoint",
    "small_randn_",
    "split",
    "to_torch",
    "uniform_",
    "vgg_small",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]
