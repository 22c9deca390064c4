"""``export_onnx``: a trained model as an ONNX file any ONNX runtime (or Netron) opens.

The model runs once in eval mode on the example input; the recorded graph is walked from the
outputs back, each gate becoming its ONNX op and each call of a module exported whole
(Linear, Conv2d, BatchNorm, the recurrent layers, ...) one ONNX op from its parameters.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

import autograd
from autograd import GradgateError, Value
from autograd.utils import write_atomic

from ..dispatch import lookup
from ..module import Module
from ..optional import require
from .builder import GraphBuilder
from .gates import translate_gate
from .modules import MODULES, Context
from .recurrent import RECURRENT
from .trace import Call, emission_order, flatten, trace

MIN_OPSET = 13
WHOLE = {**MODULES, **RECURRENT}


def export_onnx(model: Module, example_input: Any, path: str | os.PathLike, opset: int = 17,
                input_name: str = "input", output_names: Sequence[str] | None = None,
                batch_axis: int | None = 0) -> Any:
    """Write ``model`` as an ONNX model (float32) to ``path``; returns the ``ModelProto``.

    ``example_input`` is one batch the model accepts; the graph is traced from
    ``model(example_input)`` in eval mode (the model's modes are restored afterwards).  The
    input is called ``input_name``, the outputs ``output_names`` (default ``output``, or
    ``output_0``, ``output_1``, ... for a model returning several tensors, like an LSTM's
    ``(output, (h_n, c_n))``).  Axis ``batch_axis`` of the input, and every output axis that
    follows it, is a dynamic dimension named ``batch`` (``None``: all sizes fixed).
    Parameters and buffers become initializers named as in ``state_dict()``.

    Needs the ``onnx`` package (``pip install gradgate[onnx]``). An op without an ONNX
    translation raises a GradgateError naming it.

    >>> import pytest; _ = pytest.importorskip("onnx")
    >>> import os, tempfile
    >>> from layers import Linear, ReLU, Sequential
    >>> net = Sequential(Linear(3, 4), ReLU(), Linear(4, 2))
    >>> proto = export_onnx(net, np.zeros((1, 3)), os.path.join(tempfile.mkdtemp(), "m.onnx"))
    >>> [node.op_type for node in proto.graph.node]
    ['Gemm', 'Relu', 'Gemm']
    >>> sorted(init.name for init in proto.graph.initializer)
    ['0.bias', '0.weight', '2.bias', '2.weight']
    """
    onnx = require("onnx", "export_onnx", "onnx")
    if isinstance(opset, bool) or not isinstance(opset, int) \
            or not MIN_OPSET <= opset <= onnx.defs.onnx_opset_version():
        raise ValueError(f"export_onnx: opset must be an int from {MIN_OPSET} to "
                         f"{onnx.defs.onnx_opset_version()}, got {opset!r}")
    x = _example(example_input, model, batch_axis)
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        with autograd.enable_grad():
            traced = Value(x)
            out, calls = trace(model, traced, WHOLE)
        outputs = _outputs(out)
        names = _output_names(output_names, len(outputs))
        b = GraphBuilder(onnx, opset)
        b.reserve([input_name, *names])
        emitted = _emit(b, model, traced, input_name, outputs, calls)
        for value, name in zip(outputs, names, strict=True):
            _name_output(b, emitted, value, name, input_name)
        shapes = _batch_shapes(model, x, batch_axis, outputs)
    finally:
        for module, training in modes:
            module.training = training
    helper, float32 = onnx.helper, onnx.TensorProto.FLOAT
    in_dims = ["batch" if i == batch_axis else n for i, n in enumerate(x.shape)]
    graph = helper.make_graph(
        b.nodes, type(model).__name__,
        [helper.make_tensor_value_info(input_name, float32, in_dims)],
        [helper.make_tensor_value_info(name, float32, dims)
         for name, dims in zip(names, shapes, strict=True)],
        list(b.initializers.values()),
    )
    opsets = [helper.make_opsetid("", opset)]
    proto = helper.make_model(graph, opset_imports=opsets, producer_name="gradgate")
    proto.ir_version = helper.find_min_ir_version_for(opsets)
    onnx.checker.check_model(proto, full_check=True)
    write_atomic(path, proto.SerializeToString())
    return proto


def _example(example_input: Any, model: Module, batch_axis: int | None) -> np.ndarray:
    """The example input as an array of the model's float dtype, checked."""
    x = np.asarray(getattr(example_input, "data", example_input))
    if x.dtype.kind not in "biuf" or x.ndim == 0:
        raise ValueError(f"export_onnx: example_input must be an array of numbers with a "
                         f"batch axis, got {x.dtype} of shape {x.shape}")
    if batch_axis is not None and not 0 <= batch_axis < x.ndim:
        raise ValueError(f"export_onnx: batch_axis {batch_axis} is not an axis of the example "
                         f"input of shape {x.shape}")
    dtypes = {p.dtype for p in model.parameters()}
    return x.astype(np.float32 if dtypes == {np.dtype(np.float32)} else np.float64)


def _outputs(out: Any) -> list[Value]:
    outputs = flatten(out)
    for item in outputs:
        if not isinstance(item, Value) or item.is_scalar:
            what = "a scalar Value" if isinstance(item, Value) else f"a {type(item).__name__}"
            raise GradgateError(f"export_onnx: the model must return tensor Values (or tuples "
                                f"of them), got {what}")
    return outputs


def _batch_shapes(model: Module, x: np.ndarray, batch_axis: int | None,
                  outputs: list[Value]) -> list[list[Any]]:
    """Output dims, the batch-sized ones named ``batch``: those that change when the
    model runs on one sample more."""
    if batch_axis is None:
        return [list(v.shape) for v in outputs]
    bigger = np.concatenate([x, x.take([0], axis=batch_axis)], axis=batch_axis)
    with autograd.no_grad():
        others = flatten(model(bigger))
    return [["batch" if n != m else n for n, m in zip(v.shape, other.shape, strict=True)]
            for v, other in zip(outputs, others, strict=True)]


def _output_names(output_names: Sequence[str] | None, count: int) -> list[str]:
    if output_names is None:
        return ["output"] if count == 1 else [f"output_{i}" for i in range(count)]
    names = list(output_names)
    if len(names) != count or len(set(names)) != count:
        raise ValueError(f"export_onnx: the model returns {count} tensor(s); got the output "
                         f"names {names} (one distinct name each)")
    return names


def _emit(b: GraphBuilder, model: Module, traced: Value, input_name: str,
          outputs: list[Value], calls: list[Call]) -> dict[int, str]:
    """Emit every gate, call and leaf the outputs depend on; returns Value id -> name."""
    names = {id(traced): input_name}
    parameters = {id(p): name for name, p in model.named_parameters()}
    for item in emission_order(outputs, calls):
        if isinstance(item, Call):
            made = lookup(item.module, WHOLE)(Context(b, item, names))
            for value, name in zip(item.outputs, made, strict=True):
                names.setdefault(id(value), name)
        elif id(item) in names:
            continue
        elif item.gate is None:
            names[id(item)] = (b.tensor(parameters[id(item)], item.data)
                               if id(item) in parameters else b.const(item.data))
        else:
            names[id(item)] = translate_gate(b, item, [names[id(p)] for p in item.parents])
    return names


def _name_output(b: GraphBuilder, names: dict[int, str], value: Value, name: str,
                 input_name: str) -> None:
    """Give the graph output ``name`` to ``value``'s tensor (an Identity when that tensor is
    the input, an initializer or another output already)."""
    current = names[id(value)]
    if current == input_name or current in b.initializers or current in b.outputs:
        b.node("Identity", [current], 1, None)
        b.rename(b.nodes[-1].output[0], name)
    else:
        b.rename(current, name)
        names[id(value)] = name
    b.outputs.add(name)
