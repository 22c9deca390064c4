"""One spelling of every public op for three libraries, so the same expression runs literally
the same code with gradgate (``Ours``), with PyTorch in float64 (``Torch``, the reference) and
as Python source (``Code``, so a failing random program prints as a script that replays it).

Constants go through ``L.const``: gradgate receives them unchanged (Python numbers, NumPy
scalars and arrays, constant Values); PyTorch receives float64 tensors or Python floats.

>>> Ours.maximum(Ours.leaf(np.array([1.0, 3.0])), 2.0).data.tolist()
[2.0, 3.0]
>>> Code.maximum(Code.leaf("x"), Code.const(np.float32(2.0)))
'maximum(x, np.float32(2.0))'
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Value

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # the tests that use Torch skip themselves first
    torch = F = None


def _all_dims(ndim: int, axis: Any) -> tuple[int, ...]:
    """PyTorch's spelling of ``axis=None``: every dim."""
    return tuple(range(ndim)) if axis is None else (axis if isinstance(axis, tuple) else (axis,))


class Ours:
    """gradgate."""

    @staticmethod
    def leaf(data: Any, requires_grad: bool = True) -> Value:
        return Value(data, requires_grad=requires_grad)

    @staticmethod
    def const(c: Any) -> Any:
        return c

    add = staticmethod(lambda a, b: a + b)
    sub = staticmethod(lambda a, b: a - b)
    mul = staticmethod(lambda a, b: a * b)
    div = staticmethod(lambda a, b: a / b)
    pow = staticmethod(lambda a, b: a**b)
    matmul = staticmethod(lambda a, b: a @ b)
    neg = staticmethod(lambda a: -a)
    maximum = staticmethod(autograd.maximum)
    cat = staticmethod(autograd.cat)
    stack = staticmethod(autograd.stack)
    softmax = staticmethod(autograd.softmax)
    log_softmax = staticmethod(autograd.log_softmax)
    cross_entropy = staticmethod(autograd.cross_entropy)
    svm_loss = staticmethod(autograd.svm_loss)
    conv2d = staticmethod(autograd.conv2d)
    max_pool2d = staticmethod(autograd.max_pool2d)
    dropout = staticmethod(autograd.dropout)

    @staticmethod
    def unary(x: Value, name: str) -> Value:
        return getattr(x, name)()

    @staticmethod
    def reduce(x: Value, name: str, axis: Any = None, keepdims: bool = False) -> Value:
        return getattr(x, name)(axis=axis, keepdims=keepdims)

    @staticmethod
    def reshape(x: Value, *shape: int) -> Value:
        return x.reshape(*shape)

    @staticmethod
    def permute(x: Value, perm: tuple[int, ...] | None) -> Value:
        return x.T if perm is None else x.transpose(*perm)

    @staticmethod
    def getitem(x: Value, index: Any) -> Value:
        return x[index]

    @staticmethod
    def data(x: Any) -> np.ndarray:
        return np.asarray(x.data)


class Torch:
    """PyTorch in float64: the reference."""

    @staticmethod
    def leaf(data: Any, requires_grad: bool = True) -> Any:
        return torch.tensor(np.asarray(data, np.float64), requires_grad=requires_grad)

    @staticmethod
    def const(c: Any) -> Any:
        if isinstance(c, Value):
            return torch.tensor(np.asarray(c.data, np.float64))
        if isinstance(c, np.ndarray):
            return torch.tensor(c.astype(np.float64))
        return float(c)

    add, sub, mul, div, pow, matmul, neg = (Ours.add, Ours.sub, Ours.mul, Ours.div, Ours.pow,
                                            Ours.matmul, Ours.neg)

    @staticmethod
    def maximum(a: Any, b: Any) -> Any:
        return torch.maximum(*(x if torch.is_tensor(x) else torch.tensor(float(x))
                               for x in (a, b)))

    @staticmethod
    def unary(x: Any, name: str) -> Any:
        return getattr(x, name)()

    @staticmethod
    def reduce(x: Any, name: str, axis: Any = None, keepdims: bool = False) -> Any:
        fn = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax}[name]
        return fn(x, dim=_all_dims(x.ndim, axis), keepdim=keepdims)

    @staticmethod
    def reshape(x: Any, *shape: int) -> Any:
        return x.reshape(*shape)

    @staticmethod
    def permute(x: Any, perm: tuple[int, ...] | None) -> Any:
        return x.permute(*(range(x.ndim)[::-1] if perm is None else perm))

    @staticmethod
    def getitem(x: Any, index: Any) -> Any:
        parts = index if isinstance(index, tuple) else (index,)
        parts = tuple(torch.as_tensor(p) if isinstance(p, (list, np.ndarray)) else p
                      for p in parts)
        return x[parts if isinstance(index, tuple) else parts[0]]

    @staticmethod
    def cat(xs: list[Any], axis: int = 0) -> Any:
        return torch.cat(xs, dim=axis)

    @staticmethod
    def stack(xs: list[Any], axis: int = 0) -> Any:
        return torch.stack(xs, dim=axis)

    @staticmethod
    def softmax(x: Any, axis: int = -1) -> Any:
        return torch.softmax(x, dim=axis)

    @staticmethod
    def log_softmax(x: Any, axis: int = -1) -> Any:
        return torch.log_softmax(x, dim=axis)

    @staticmethod
    def cross_entropy(x: Any, targets: Any) -> Any:
        return F.cross_entropy(x, torch.as_tensor(np.asarray(targets)))

    @staticmethod
    def svm_loss(x: Any, targets: Any, delta: float = 1.0) -> Any:
        """``F.multi_margin_loss`` (p=1) times C: the same sums in the same order."""
        t = torch.as_tensor(np.asarray(targets))
        rows = torch.arange(len(t))
        z = (delta - x[rows, t][:, None]) + x
        margins = torch.where(z > 0, z, torch.zeros_like(z))
        mask = torch.ones_like(margins)
        mask[rows, t] = 0.0
        return (margins * mask).sum(dim=1).mean()

    @staticmethod
    def conv2d(x: Any, w: Any, b: Any = None, stride: Any = 1, padding: Any = 0) -> Any:
        return F.conv2d(x, w, b, stride=stride, padding=padding)

    @staticmethod
    def max_pool2d(x: Any, kernel_size: Any, stride: Any = None) -> Any:
        return F.max_pool2d(x, kernel_size, stride)

    @staticmethod
    def dropout(x: Any, p: float = 0.5, training: bool = True) -> Any:
        return F.dropout(x, p, training)

    @staticmethod
    def data(x: Any) -> np.ndarray:
        return x.detach().numpy() if torch.is_tensor(x) else np.asarray(x)


def _code(value: Any) -> str:
    """Source text that rebuilds a constant or argument exactly."""
    if isinstance(value, Value):
        return f"Value({_code(value.data)}, requires_grad=False)"
    if isinstance(value, np.ndarray):
        return f"np.array({value.tolist()!r}, dtype=np.{value.dtype})"
    if isinstance(value, np.generic):
        return f"np.{value.dtype}({value.item()!r})"
    if isinstance(value, list):
        return "[" + ", ".join(_code(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(_code(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, slice):
        return ":".join("" if p is None else repr(p) for p in (value.start, value.stop,
                                                              value.step)).rstrip(":") or ":"
    if value is Ellipsis:
        return "..."
    return repr(value)


def _index_code(index: Any) -> str:
    parts = index if isinstance(index, tuple) else (index,)
    return ", ".join(_code(p) for p in parts) or "()"


class Code:
    """Python source for gradgate: every op returns the text of its expression."""

    @staticmethod
    def leaf(name: str, requires_grad: bool = True) -> str:
        return name

    const = staticmethod(_code)
    add = staticmethod(lambda a, b: f"({a} + {b})")
    sub = staticmethod(lambda a, b: f"({a} - {b})")
    mul = staticmethod(lambda a, b: f"({a} * {b})")
    div = staticmethod(lambda a, b: f"({a} / {b})")
    pow = staticmethod(lambda a, b: f"({a} ** {b})")
    matmul = staticmethod(lambda a, b: f"({a} @ {b})")
    neg = staticmethod(lambda a: f"(-{a})")
    maximum = staticmethod(lambda a, b: f"maximum({a}, {b})")

    @staticmethod
    def unary(x: str, name: str) -> str:
        return f"{x}.{name}()"

    @staticmethod
    def reduce(x: str, name: str, axis: Any = None, keepdims: bool = False) -> str:
        return f"{x}.{name}(axis={axis!r}, keepdims={keepdims})"

    @staticmethod
    def reshape(x: str, *shape: int) -> str:
        return f"{x}.reshape{shape!r}"

    @staticmethod
    def permute(x: str, perm: tuple[int, ...] | None) -> str:
        return f"{x}.T" if perm is None else f"{x}.transpose{perm!r}"

    @staticmethod
    def getitem(x: str, index: Any) -> str:
        return f"{x}[{_index_code(index)}]"

    @staticmethod
    def cat(xs: list[str], axis: int = 0) -> str:
        return f"cat([{', '.join(xs)}], axis={axis})"

    @staticmethod
    def stack(xs: list[str], axis: int = 0) -> str:
        return f"stack([{', '.join(xs)}], axis={axis})"

    @staticmethod
    def softmax(x: str, axis: int = -1) -> str:
        return f"softmax({x}, axis={axis})"

    @staticmethod
    def log_softmax(x: str, axis: int = -1) -> str:
        return f"log_softmax({x}, axis={axis})"

    @staticmethod
    def cross_entropy(x: str, targets: Any) -> str:
        return f"cross_entropy({x}, {_code(targets)})"

    @staticmethod
    def svm_loss(x: str, targets: Any, delta: float = 1.0) -> str:
        return f"svm_loss({x}, {_code(targets)}, delta={delta!r})"

    @staticmethod
    def conv2d(x: str, w: str, b: str | None = None, stride: Any = 1, padding: Any = 0) -> str:
        return f"conv2d({x}, {w}, {b}, stride={stride!r}, padding={padding!r})"

    @staticmethod
    def max_pool2d(x: str, kernel_size: Any, stride: Any = None) -> str:
        return f"max_pool2d({x}, {kernel_size!r}, {stride!r})"

    @staticmethod
    def dropout(x: str, p: float = 0.5, training: bool = True) -> str:
        return f"dropout({x}, {p!r}, training={training})"
