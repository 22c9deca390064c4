"""ONNX for single gates: what the graph records outside the modules exported whole
(activations, residual additions, pooling means, reshapes, functional code).

Each translation takes the builder, the recorded node and its inputs' tensor names and
returns the output's name.

>>> import pytest; onnx = pytest.importorskip("onnx")
>>> from autograd import Value
>>> from .builder import GraphBuilder
>>> b = GraphBuilder(onnx, opset=17)
>>> node = Value([[1.0, -1.0]]).relu()
>>> translate_gate(b, node, ["x"]), b.nodes[0].op_type
('Relu', 'Relu')
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from autograd import GradgateError, Value
from autograd.ops.reduce import normalize_axes

from .builder import GraphBuilder

Translation = Callable[[GraphBuilder, Value, list[str]], str]

INT64_MAX = np.iinfo(np.int64).max
INT64_MIN = np.iinfo(np.int64).min

_SAME_OP = {"add": "Add", "sub": "Sub", "mul": "Mul", "div": "Div", "neg": "Neg",
            "exp": "Exp", "log": "Log", "tanh": "Tanh", "sigmoid": "Sigmoid", "relu": "Relu",
            "maximum": "Max", "matmul": "MatMul"}


def _same(op: str) -> Translation:
    return lambda b, node, ins: b.op(op, ins, node.scope)


def _pow(b: GraphBuilder, node: Value, ins: list[str]) -> str:
    if len(ins) == 1:                                   # a constant exponent
        ins = [ins[0], b.const(node.gate.exponent)]
    return b.op("Pow", ins, node.scope)


def _reduce(op: str) -> Translation:
    def translate(b: GraphBuilder, node: Value, ins: list[str]) -> str:
        source = node.parents[0]
        if source.is_scalar:                            # a scalar's reduction is itself
            return ins[0]
        axes = list(normalize_axes(op, node.gate.axis, source.ndim))
        keep = int(node.gate.keepdims)
        onnx_op = {"sum": "ReduceSum", "mean": "ReduceMean", "max": "ReduceMax"}[op]
        if op == "sum" or b.opset >= 18:                # axes became an input
            return b.op(onnx_op, [ins[0], b.ints(axes)], node.scope, keepdims=keep)
        return b.op(onnx_op, ins, node.scope, axes=axes, keepdims=keep)

    return translate


def reshape_target(before: tuple[int, ...], after: tuple[int, ...]) -> list[int]:
    """ONNX Reshape dims for ``before -> after`` that also fit other batch sizes: the
    leading dims kept from the input become 0 ("copy"), the first other one -1 ("infer").

    >>> reshape_target((8, 16, 2, 2), (8, 64)), reshape_target((4, 7, 5), (28, 5))
    ([0, -1], [-1, 5])
    """
    dims = list(after)
    kept = 0
    while kept < min(len(before), len(after)) and before[kept] == after[kept]:
        kept += 1
    if kept < len(dims):
        dims[kept] = -1
    return [0] * kept + dims[kept:]


def _reshape(b: GraphBuilder, node: Value, ins: list[str]) -> str:
    dims = reshape_target(node.parents[0].shape, node.shape)
    return b.op("Reshape", [ins[0], b.ints(dims)], node.scope)


def _transpose(b: GraphBuilder, node: Value, ins: list[str]) -> str:
    axes = node.gate.axes
    perm = list(range(node.ndim))[::-1] if axes is None else list(axes)
    return b.op("Transpose", ins, node.scope, perm=perm)


def _getitem(b: GraphBuilder, node: Value, ins: list[str]) -> str:
    """Basic indexing (ints, slices, ``...``, None) as Slice / Squeeze / Unsqueeze, one
    integer array on one axis as Gather."""
    index = node.gate.index
    parts = list(index) if isinstance(index, tuple) else [index]
    ndim = node.parents[0].ndim
    if any(p is Ellipsis for p in parts):
        at = parts.index(Ellipsis)
        fill = ndim - sum(p is not None for p in parts if p is not Ellipsis)
        parts[at:at + 1] = [slice(None)] * fill
    arrays = [i for i, p in enumerate(parts) if isinstance(p, np.ndarray)]
    if arrays:
        rest = [p for i, p in enumerate(parts) if i not in arrays]
        if len(arrays) > 1 or any(p is None or p != slice(None) for p in rest):
            raise GradgateError(f"export_onnx: cannot export op 'getitem' with index {index!r}"
                                " (one integer array on one axis, other axes ':', exports)")
        indices = b.const(parts[arrays[0]], dtype=np.int64, hint="indices")
        return b.op("Gather", [ins[0], indices], node.scope, axis=arrays[0])
    starts, ends, axes, steps, squeeze, unsqueeze = [], [], [], [], [], []
    axis = 0           # the input axis the current part indexes
    kept = 0           # how many output axes the parts so far produced
    for p in parts:
        if p is None:                                               # a new axis of size 1
            unsqueeze.append(kept)
            kept += 1
            continue
        if isinstance(p, slice):
            if p != slice(None):
                step = 1 if p.step is None else p.step
                default_start, default_end = (0, INT64_MAX) if step > 0 else (-1, INT64_MIN)
                starts.append(default_start if p.start is None else p.start)
                ends.append(default_end if p.stop is None else p.stop)
                axes.append(axis)
                steps.append(step)
            kept += 1
        else:                                                       # an int: slice, squeeze
            i = int(p)
            starts.append(i)
            ends.append(INT64_MAX if i == -1 else i + 1)
            axes.append(axis)
            steps.append(1)
            squeeze.append(axis)
        axis += 1
    out = ins[0]
    if axes:
        out = b.op("Slice", [out, b.ints(starts), b.ints(ends), b.ints(axes), b.ints(steps)],
                   node.scope)
    if squeeze:
        out = b.op("Squeeze", [out, b.ints(squeeze)], node.scope)
    if unsqueeze:
        out = b.op("Unsqueeze", [out, b.ints(unsqueeze)], node.scope)
    return out if out != ins[0] else b.op("Identity", ins, node.scope)


def _cat(b: GraphBuilder, node: Value, ins: list[str]) -> str:
    return b.op("Concat", ins, node.scope, axis=node.gate.axis)


def _stack(b: GraphBuilder, node: Value, ins: list[str]) -> str:
    axes = b.ints([node.gate.axis])
    pieces = [b.op("Unsqueeze", [name, axes], node.scope) for name in ins]
    return b.op("Concat", pieces, node.scope, axis=node.gate.axis)


def _softmax(op: str) -> Translation:
    return lambda b, node, ins: b.op(op, ins, node.scope, axis=node.gate.axis)


def _conv2d(b: GraphBuilder, node: Value, ins: list[str]) -> str:
    (ph, pw), kernel = node.gate.padding, list(node.parents[1].shape[2:])
    return b.op("Conv", ins, node.scope, kernel_shape=kernel, strides=list(node.gate.stride),
                pads=[ph, pw, ph, pw])


def _max_pool2d(b: GraphBuilder, node: Value, ins: list[str]) -> str:
    return b.op("MaxPool", ins, node.scope, kernel_shape=list(node.gate.kernel_size),
                strides=list(node.gate.stride))


GATES: dict[str, Translation] = {
    **{name: _same(op) for name, op in _SAME_OP.items()},
    "pow": _pow,
    "sum": _reduce("sum"),
    "mean": _reduce("mean"),
    "max": _reduce("max"),
    "reshape": _reshape,
    "transpose": _transpose,
    "getitem": _getitem,
    "cat": _cat,
    "stack": _stack,
    "softmax": _softmax("Softmax"),
    "log_softmax": _softmax("LogSoftmax"),
    "conv2d": _conv2d,
    "max_pool2d": _max_pool2d,
}


def translate_gate(b: GraphBuilder, node: Value, ins: list[str]) -> str:
    """Emit the ONNX for ``node``'s gate; a gate without a translation raises a
    GradgateError naming it.
    """
    translation = GATES.get(node.gate.name)
    if translation is None:
        where = f" in module {node.scope!r}" if node.scope else ""
        raise GradgateError(
            f"export_onnx: cannot export op {node.gate.name!r}{where} (output shape "
            f"{node.shape}): ONNX translations exist for the ops {', '.join(sorted(GATES))}"
        )
    return translation(b, node, ins)
