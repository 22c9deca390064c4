"""An ONNX graph under construction: float32 initializers, named nodes, constants.

Nodes and their output tensors are named after the module scope and op they come from
(``features.0/Conv``), so Netron shows where each one was made; parameters keep their
``named_parameters()`` names.  Needs the ``onnx`` package (passed in, imported by the caller).

>>> import pytest; onnx = pytest.importorskip("onnx")
>>> b = GraphBuilder(onnx, opset=17)
>>> b.op("Relu", ["input"], scope="0")
'0/Relu'
>>> b.op("Relu", ["0/Relu"], scope="0")
'0/Relu_1'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


class GraphBuilder:
    """Collects the nodes and initializers of one ONNX graph (all float tensors float32).

    >>> import pytest; onnx = pytest.importorskip("onnx")
    >>> b = GraphBuilder(onnx, opset=17)
    >>> b.tensor("fc.weight", np.ones((2, 3))), b.ints([0, -1])
    ('fc.weight', 'const')
    >>> len(b.initializers), b.initializers["fc.weight"].data_type == onnx.TensorProto.FLOAT
    (2, True)
    """

    def __init__(self, onnx: Any, opset: int) -> None:
        self.onnx = onnx
        self.opset = opset
        self.nodes: list[Any] = []
        self.initializers: dict[str, Any] = {}
        self.outputs: set[str] = set()
        self._used: set[str] = set()

    def reserve(self, names: Sequence[str]) -> None:
        """Keep ``names`` (the graph's input and outputs) from being given to anything else."""
        self._used.update(names)

    def unique(self, base: str) -> str:
        """``base``, or ``base_1``, ``base_2``, ... when it was taken already."""
        name, count = base, 0
        while name in self._used:
            count += 1
            name = f"{base}_{count}"
        self._used.add(name)
        return name

    def node(self, op: str, inputs: Sequence[str], outputs: int = 1, scope: str | None = None,
             **attrs: Any) -> list[str]:
        """Append an ``op`` node (empty input names skip optional inputs); returns its output
        names."""
        name = self.unique(f"{scope}/{op}" if scope else op)
        outs = [name] if outputs == 1 else [f"{name}:{i}" for i in range(outputs)]
        self.nodes.append(self.onnx.helper.make_node(op, list(inputs), outs, name=name,
                                                     **attrs))
        return outs

    def op(self, op: str, inputs: Sequence[str], scope: str | None = None, **attrs: Any) -> str:
        """Append a one-output ``op`` node; returns the output name."""
        return self.node(op, inputs, 1, scope, **attrs)[0]

    def tensor(self, name: str, array: Any) -> str:
        """A float32 initializer called exactly ``name`` (added once); returns ``name``."""
        if name not in self.initializers:
            data = np.asarray(array, dtype=np.float32)
            self.initializers[name] = self.onnx.numpy_helper.from_array(data, name)
            self._used.add(name)
        return name

    def const(self, array: Any, dtype: Any = np.float32, hint: str = "const") -> str:
        """A constant initializer with a fresh name; returns that name."""
        name = self.unique(hint)
        data = np.asarray(array, dtype=dtype)
        self.initializers[name] = self.onnx.numpy_helper.from_array(data, name)
        return name

    def ints(self, values: Sequence[int]) -> str:
        """A 1-D int64 constant (shapes, axes, indices)."""
        return self.const(np.asarray(values, dtype=np.int64), dtype=np.int64)

    def rename(self, old: str, new: str) -> None:
        """Rename tensor ``old`` to ``new`` in every node (graph outputs get their names)."""
        for node in self.nodes:
            for names in (node.input, node.output):
                for i, name in enumerate(names):
                    if name == old:
                        names[i] = new
