"""PyTorch both ways: ``to_torch(model)`` builds the equivalent ``torch.nn.Module`` with the
same weights, ``from_torch(model, torch_module)`` copies a PyTorch module's weights in.

Every layer of :mod:`layers` has a PyTorch twin with the same parameter names and layout
(``nn.Linear``, ``nn.Conv2d``, ``nn.BatchNorm2d``, ``nn.LSTM``, ...); the residual blocks and
:class:`~layers.models.ResNet` get small ``torch.nn.Module`` classes built here.  PyTorch is
an optional dependency (``pip install gradgate[torch]``), imported on first use.

>>> import pytest; torch = pytest.importorskip("torch")    # the examples need PyTorch
>>> import numpy as np
>>> from layers import Linear, ReLU, Sequential
>>> net = Sequential(Linear(3, 4), ReLU(), Linear(4, 2))
>>> twin = to_torch(net)
>>> twin
Sequential(
  (0): Linear(in_features=3, out_features=4, bias=True)
  (1): ReLU()
  (2): Linear(in_features=4, out_features=2, bias=True)
)
>>> x = np.ones((1, 3))
>>> bool(np.allclose(twin(torch.tensor(x)).detach().numpy(), net(x).numpy()))
True
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np

from autograd.utils import StateDictError

from .activation import ReLU, Sigmoid, Softmax, Tanh
from .container import ModuleList, Sequential
from .conv import Conv2d, Flatten, GlobalAvgPool2d, MaxPool2d
from .dispatch import lookup, names
from .dropout import Dropout
from .gru import GRU, GRUCell
from .linear import Linear
from .models import ResNet
from .module import Module
from .norm import BatchNorm1d, BatchNorm2d
from .optional import require
from .recurrent import LSTM, RNN, LSTMCell, RNNCell
from .residual import BasicBlock, Residual

__all__ = ["from_torch", "to_torch"]


def _torch(fn: str) -> Any:
    return require("torch", fn, "torch")


@functools.cache
def _classes() -> SimpleNamespace:
    """The torch twins of the modules PyTorch has no class for (made once torch is there)."""
    nn = _torch("to_torch").nn

    class Residual(nn.Module):
        """``x + body(x)``."""

        def __init__(self, body: Any) -> None:
            super().__init__()
            self.body = body

        def forward(self, x: Any) -> Any:
            return x + self.body(x)

    class BasicBlock(nn.Module):
        """ResNet's basic block, attribute for attribute like :class:`layers.BasicBlock`."""

        def __init__(self, ours: Any, twin: Callable[[Module], Any]) -> None:
            super().__init__()
            for name in ("conv1", "bn1", "conv2", "bn2", "relu"):
                setattr(self, name, twin(getattr(ours, name)))
            self.shortcut = None if ours.shortcut is None else twin(ours.shortcut)
            self.use_shortcut = ours.use_shortcut

        def forward(self, x: Any) -> Any:
            out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
            if self.use_shortcut:
                out = out + (x if self.shortcut is None else self.shortcut(x))
            return self.relu(out)

    class ResNet(nn.Module):
        """Stem, stages of basic blocks, global average pooling and the classifier."""

        def __init__(self, ours: Any, twin: Callable[[Module], Any]) -> None:
            super().__init__()
            self.stem = twin(ours.stem)
            self.stages = twin(ours.stages)
            self.pool = twin(ours.pool)
            self.fc = twin(ours.fc)

        def forward(self, x: Any) -> Any:
            out = self.stem(x)
            for stage in self.stages:
                out = stage(out)
            return self.fc(self.pool(out))

    return SimpleNamespace(Residual=Residual, BasicBlock=BasicBlock, ResNet=ResNet)


def _recurrent(nn: Any, m: Any, twin: Callable[[Module], Any]) -> Any:
    cls = {RNN: nn.RNN, LSTM: nn.LSTM, GRU: nn.GRU}[type(m)]
    extra = {"nonlinearity": m.nonlinearity} if isinstance(m, RNN) else {}
    return cls(m.input_size, m.hidden_size, num_layers=m.num_layers, bias=m.bias,
               batch_first=m.batch_first, dropout=m.dropout, bidirectional=m.bidirectional,
               **extra)


def _cell(nn: Any, m: Any, twin: Callable[[Module], Any]) -> Any:
    cls = {RNNCell: nn.RNNCell, LSTMCell: nn.LSTMCell, GRUCell: nn.GRUCell}[type(m)]
    extra = {"nonlinearity": m.nonlinearity} if isinstance(m, RNNCell) else {}
    return cls(m.input_size, m.hidden_size, bias=m.bias_ih is not None, **extra)


# Our class -> how to build its twin from (torch.nn, our module, twin-of-a-child function).
_BUILDERS: dict[type, Callable[[Any, Any, Callable[[Module], Any]], Any]] = {
    Sequential: lambda nn, m, twin: nn.Sequential(
        OrderedDict((name, twin(child)) for name, child in m.named_children())),
    ModuleList: lambda nn, m, twin: nn.ModuleList([twin(child) for child in m]),
    Linear: lambda nn, m, twin: nn.Linear(m.in_features, m.out_features,
                                          bias=m.bias is not None),
    Conv2d: lambda nn, m, twin: nn.Conv2d(m.in_channels, m.out_channels, m.kernel_size,
                                          stride=m.stride, padding=m.padding,
                                          dilation=m.dilation, bias=m.bias is not None),
    MaxPool2d: lambda nn, m, twin: nn.MaxPool2d(m.kernel_size, stride=m.stride,
                                                padding=m.padding),
    GlobalAvgPool2d: lambda nn, m, twin: nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()),
    Flatten: lambda nn, m, twin: nn.Flatten(m.start_dim),
    ReLU: lambda nn, m, twin: nn.ReLU(),
    Tanh: lambda nn, m, twin: nn.Tanh(),
    Sigmoid: lambda nn, m, twin: nn.Sigmoid(),
    Softmax: lambda nn, m, twin: nn.Softmax(dim=m.dim),
    Dropout: lambda nn, m, twin: nn.Dropout(m.p),
    BatchNorm1d: lambda nn, m, twin: nn.BatchNorm1d(m.num_features, eps=m.eps,
                                                    momentum=m.momentum, affine=m.affine),
    BatchNorm2d: lambda nn, m, twin: nn.BatchNorm2d(m.num_features, eps=m.eps,
                                                    momentum=m.momentum, affine=m.affine),
    RNN: _recurrent,
    LSTM: _recurrent,
    GRU: _recurrent,
    RNNCell: _cell,
    LSTMCell: _cell,
    GRUCell: _cell,
    Residual: lambda nn, m, twin: _classes().Residual(twin(m.body)),
    BasicBlock: lambda nn, m, twin: _classes().BasicBlock(m, twin),
    ResNet: lambda nn, m, twin: _classes().ResNet(m, twin),
}


def _builder(module: Module, path: str) -> Callable[[Any, Any, Callable[[Module], Any]], Any]:
    build = lookup(module, _BUILDERS)
    if build is None:
        where = f"{path!r}" if path else "the model"
        raise TypeError(f"to_torch: no PyTorch equivalent for {where} "
                        f"({type(module).__name__}); supported modules: {names(_BUILDERS)}")
    return build


def to_torch(model: Module) -> Any:
    """A ``torch.nn.Module`` computing what ``model`` computes, with a copy of its weights
    and buffers under the same names, the same dtype and the same train/eval modes.

    Raises TypeError naming the first module that has no PyTorch twin.

    >>> import pytest; torch = pytest.importorskip("torch")
    >>> from layers import LSTM
    >>> to_torch(LSTM(3, 4, num_layers=2))
    LSTM(3, 4, num_layers=2, batch_first=True)
    """
    torch = _torch("to_torch")
    nn = torch.nn

    def twin(module: Module, path: str = "") -> Any:
        build = _builder(module, path)
        names = {id(child): name for name, child in module.named_children()}
        made = build(nn, module, lambda child: twin(child, _join(path, names[id(child)])))
        made.training = module.training
        return made

    result = twin(model)
    dtypes = {p.dtype for p in model.parameters()}
    dtype = torch.float32 if dtypes == {np.dtype(np.float32)} else torch.float64
    result.to(dtype)
    state = {name: torch.from_numpy(np.array(value)) for name, value in
             model.state_dict().items()}
    result.load_state_dict(state)
    return result


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _numpy(tensor: Any) -> np.ndarray:
    tensor = tensor.detach().cpu()
    try:
        return tensor.numpy()
    except TypeError:  # dtypes NumPy lacks (bfloat16): go through float32
        return tensor.float().numpy()


def from_torch(model: Module, torch_module: Any) -> Module:
    """Copy every parameter and buffer of ``torch_module`` into ``model`` (matched by name,
    cast to the model's dtypes); returns ``model``.

    All or nothing: missing, unexpected or mis-shaped entries raise a ValueError listing
    every one of them and leave ``model`` unchanged.

    >>> import pytest; torch = pytest.importorskip("torch")
    >>> from layers import Linear
    >>> ours = from_torch(Linear(3, 2), torch.nn.Linear(3, 2))
    >>> ours.weight.dtype
    dtype('float64')
    """
    torch = _torch("from_torch")
    if not isinstance(torch_module, torch.nn.Module):
        raise TypeError(f"from_torch: expected a torch.nn.Module, got "
                        f"{type(torch_module).__name__}")
    state = {name: _numpy(value) for name, value in torch_module.state_dict().items()}
    try:
        model.load_state_dict(state)
    except StateDictError as err:
        raise ValueError(f"from_torch: the weights of the PyTorch {type(torch_module).__name__} "
                         f"do not fit the {type(model).__name__}:\n{err}") from err
    return model
