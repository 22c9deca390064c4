"""ONNX for modules exported whole, from their parameters and settings: Linear (Gemm),
Conv2d, MaxPool2d, BatchNorm1d/2d (BatchNormalization, running statistics), Flatten and
GlobalAvgPool2d.  Whatever gates these modules record inside is never looked at.

>>> sorted(cls.__name__ for cls in MODULES)[:3]
['BatchNorm1d', 'BatchNorm2d', 'Conv2d']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd import Value

from ..conv import Conv2d, Flatten, GlobalAvgPool2d, MaxPool2d
from ..linear import Linear
from ..norm import BatchNorm1d, BatchNorm2d
from .builder import GraphBuilder
from .trace import Call


@dataclass
class Context:
    """What a module translation works with: the builder, the call, and the tensor names of
    the Values emitted so far."""

    b: GraphBuilder
    call: Call
    names: dict[int, str]

    @property
    def module(self) -> Any:
        """The module that was called."""
        return self.call.module

    @property
    def scope(self) -> str | None:
        """The module's dotted path (None for the model itself), naming the nodes."""
        return self.call.path or None

    def arg(self, name: str, position: int) -> Any:
        """The call's argument ``name`` (given by keyword or at ``position``), or None."""
        if name in self.call.kwargs:
            return self.call.kwargs[name]
        args = self.call.args
        return args[position] if position < len(args) else None

    def ref(self, value: Any) -> str:
        """The tensor name of an argument: an emitted Value's, or a new constant's."""
        if isinstance(value, Value) and id(value) in self.names:
            return self.names[id(value)]
        return self.b.const(getattr(value, "data", value))

    def param(self, attr: str) -> str:
        """The initializer of the module's parameter or buffer ``attr``, named as in
        ``state_dict()`` (its path from the model, then ``attr``)."""
        name = f"{self.call.path}.{attr}" if self.call.path else attr
        value = getattr(self.module, attr)
        return self.b.tensor(name, getattr(value, "data", value))

    def input_shape(self) -> tuple[int, ...]:
        """The shape of the call's first argument."""
        return np.shape(getattr(self.call.args[0], "data", self.call.args[0]))


ModuleTranslation = Callable[[Context], list[str]]


def _linear(c: Context) -> list[str]:
    x, weight = c.ref(c.call.args[0]), c.param("weight")
    bias = [c.param("bias")] if c.module.bias is not None else []
    if len(c.input_shape()) == 2:
        return [c.b.op("Gemm", [x, weight, *bias], c.scope, transB=1)]
    y = c.b.op("MatMul", [x, c.b.op("Transpose", [weight], c.scope, perm=[1, 0])], c.scope)
    return [c.b.op("Add", [y, *bias], c.scope) if bias else y]


def _conv2d(c: Context) -> list[str]:
    m = c.module
    inputs = [c.ref(c.call.args[0]), c.param("weight")]
    if m.bias is not None:
        inputs.append(c.param("bias"))
    (ph, pw) = m.padding
    return [c.b.op("Conv", inputs, c.scope, kernel_shape=list(m.kernel_size),
                   strides=list(m.stride), pads=[ph, pw, ph, pw], dilations=list(m.dilation))]


def _max_pool2d(c: Context) -> list[str]:
    m = c.module
    (ph, pw) = m.padding
    return [c.b.op("MaxPool", [c.ref(c.call.args[0])], c.scope,
                   kernel_shape=list(m.kernel_size), strides=list(m.stride),
                   pads=[ph, pw, ph, pw])]


def _batch_norm(c: Context) -> list[str]:
    m = c.module
    if m.affine:
        scale, shift = c.param("weight"), c.param("bias")
    else:
        scale, shift = c.b.const(np.ones(m.num_features)), c.b.const(np.zeros(m.num_features))
    inputs = [c.ref(c.call.args[0]), scale, shift, c.param("running_mean"),
              c.param("running_var")]
    return [c.b.op("BatchNormalization", inputs, c.scope, epsilon=float(m.eps))]


def _flatten(c: Context) -> list[str]:
    ndim = len(c.input_shape())
    start = c.module.start_dim % max(ndim, 1)
    x = c.ref(c.call.args[0])
    if start == 1:
        return [c.b.op("Flatten", [x], c.scope, axis=1)]
    return [c.b.op("Reshape", [x, c.b.ints([0] * start + [-1])], c.scope)]


def _global_avg_pool2d(c: Context) -> list[str]:
    pooled = c.b.op("GlobalAveragePool", [c.ref(c.call.args[0])], c.scope)
    return [c.b.op("Flatten", [pooled], c.scope, axis=1)]


MODULES: dict[type, ModuleTranslation] = {
    Linear: _linear,
    Conv2d: _conv2d,
    MaxPool2d: _max_pool2d,
    BatchNorm1d: _batch_norm,
    BatchNorm2d: _batch_norm,
    Flatten: _flatten,
    GlobalAvgPool2d: _global_avg_pool2d,
}
