"""Differential fuzzing against PyTorch: hypothesis builds random expression DAGs from every
public op and runs each with gradgate and with PyTorch in float64, through the adapters of
``tests/parity.py``; every node's value and every leaf's gradient must agree.

A program mixes broadcasting across ranks and size-1 dims, fan-out (a node used several times,
even twice by one op), every operand kind on either side of an operator (Python numbers, NumPy
scalars and arrays, constant Values, 0-d and n-d Values, Python-float scalar Values) and
float32 or float64 data.  All-float64 programs must match at 1e-7; programs holding float32
must keep float32 (NumPy's rules, Python and NumPy scalars weak) and match at float32 accuracy.

Inputs that PyTorch itself cannot give a sensible reference for are avoided by construction:
``log``, roots and a Value exponent see ``x*x + 0.5``, and so do divisors that are nodes
(the program shows it).  A failing example prints as a gradgate script that replays it (and a
``@reproduce_failure`` blob); the runs are derandomized so CI is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from parity import Code, Ours, Torch

from autograd import Value

torch = pytest.importorskip("torch")

FUZZ = settings(max_examples=300, deadline=None, derandomize=True, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                       HealthCheck.data_too_large])
F64, F32 = np.dtype(np.float64), np.dtype(np.float32)
UNARY, REDUCTIONS = ["exp", "log", "tanh", "sigmoid", "relu"], ["sum", "mean", "max"]


# ---------------------------------------------------------------- programs
@dataclass(frozen=True)
class Leaf:
    """A Value the program starts from: a Python float (scalar Value) or an array."""

    data: Any
    requires_grad: bool


@dataclass(frozen=True)
class Const:
    """An operand that is not in the graph: number, NumPy scalar or array, constant Value."""

    value: Any


@dataclass(frozen=True)
class Node:
    """``op(*args, **params)``; an int arg is an earlier entry of the program."""

    op: str
    args: tuple[Any, ...]
    params: tuple[tuple[str, Any], ...] = ()


@dataclass
class Program:
    """Leaves and nodes in order, with what the drawing knew of each entry's result."""

    mode: str
    entries: list[Leaf | Node] = field(default_factory=list)
    shapes: list[tuple[int, ...]] = field(default_factory=list)
    scalar: list[bool] = field(default_factory=list)

    def add(self, entry: Leaf | Node, shape: tuple[int, ...], scalar: bool) -> int:
        self.entries.append(entry)
        self.shapes.append(tuple(shape))
        self.scalar.append(scalar)
        return len(self.entries) - 1

    def run(self, L: Any) -> list[Any]:
        """Every entry's result with library ``L`` (for ``Code``: each entry's source)."""
        out: list[Any] = []
        for i, e in enumerate(self.entries):
            if isinstance(e, Leaf):
                out.append(L.leaf(f"x{i}" if L is Code else e.data, e.requires_grad))
                continue
            args = [out[a] if isinstance(a, int) else L.const(a.value) for a in e.args]
            if L is Code:
                args = [f"x{a}" if isinstance(a, int) and isinstance(self.entries[a], Leaf)
                        else f"v{a}" if isinstance(a, int) else x for a, x in zip(e.args, args)]
            out.append(OPS[e.op](L, *args, **dict(e.params)))
        return out

    def __repr__(self) -> str:
        lines = ["", "import numpy as np", "from autograd import *", ""]
        code = self.run(Code)
        for i, (e, text) in enumerate(zip(self.entries, code)):
            if isinstance(e, Leaf):
                lines.append(f"x{i} = Value({Code.const(e.data)}, "
                             f"requires_grad={e.requires_grad})")
            else:
                lines.append(f"v{i} = {text}")
        lines.append(f"# mode {self.mode}; the reference is Program.run(Torch) in {__name__}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # hypothesis prints a failing program as this script


OPS = {
    "add": lambda L, a, b: L.add(a, b),
    "sub": lambda L, a, b: L.sub(a, b),
    "mul": lambda L, a, b: L.mul(a, b),
    "div": lambda L, a, b: L.div(a, b),
    "maximum": lambda L, a, b: L.maximum(a, b),
    "pow": lambda L, a, c: L.pow(a, c),
    "pow_value": lambda L, a, b: L.pow(a, b),
    "rpow": lambda L, c, a: L.pow(c, a),
    "neg": lambda L, a: L.neg(a),
    "positive": lambda L, a: L.add(L.mul(a, a), 0.5),
    "unary": lambda L, a, name: L.unary(a, name),
    "reduce": lambda L, a, name, axis, keepdims: L.reduce(a, name, axis, keepdims),
    "reshape": lambda L, a, shape: L.reshape(a, *shape),
    "permute": lambda L, a, perm: L.permute(a, perm),
    "getitem": lambda L, a, index: L.getitem(a, index),
    "matmul": lambda L, a, b: L.matmul(a, b),
    "cat": lambda L, *xs, axis: L.cat(list(xs), axis),
    "stack": lambda L, *xs, axis: L.stack(list(xs), axis),
    "softmax": lambda L, a, axis: L.softmax(a, axis),
    "log_softmax": lambda L, a, axis: L.log_softmax(a, axis),
    "cross_entropy": lambda L, a, rows, targets: L.cross_entropy(
        L.reshape(a, rows, -1), targets),
    "svm_loss": lambda L, a, rows, targets, delta: L.svm_loss(
        L.reshape(a, rows, -1), targets, delta),
    "conv2d": lambda L, a, w, *b, shape, stride, padding: L.conv2d(
        L.reshape(a, *shape), w, b[0] if b else None, stride, padding),
    "max_pool2d": lambda L, a, shape, kernel, stride: L.max_pool2d(
        L.reshape(a, *shape), kernel, stride),
    "dropout": lambda L, a, p, training: L.dropout(a, p, training),
}


# ---------------------------------------------------------------- drawing programs
def _broadcasts(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


class Builder:
    """Draws a program entry by entry, knowing each entry's shape as it goes."""

    def __init__(self, draw: Any, mode: str, rng: np.random.Generator):
        self.draw, self.rng = draw, rng
        self.p = Program(mode)

    def dtype(self) -> np.dtype:
        mode = self.p.mode
        return F64 if mode == "f64" else F32 if mode == "f32" else self.draw(
            st.sampled_from([F64, F32]))

    def array(self, shape: tuple[int, ...], lo: float = -2.0, hi: float = 2.0,
              signed: bool = False) -> np.ndarray:
        """Uniform in [lo, hi) (times a random sign when ``signed``), in a drawn dtype."""
        x = self.rng.uniform(lo, hi, size=shape)
        if signed:
            x = x * self.rng.choice([-1.0, 1.0], size=shape)
        return np.asarray(x).astype(self.dtype())

    def leaf(self, shape: tuple[int, ...], requires_grad: bool = True) -> int:
        if shape == () and self.p.mode != "f32" and self.draw(st.booleans()):
            return self.p.add(Leaf(float(self.array(())), requires_grad), (), True)
        return self.p.add(Leaf(self.array(shape), requires_grad), shape, False)

    def const(self, shape: tuple[int, ...], lo: float = -2.0, hi: float = 2.0,
              signed: bool = False) -> Const:
        """A constant broadcastable against ``shape``, of any kind; its entries lie in
        [lo, hi) (their magnitudes, when ``signed``)."""
        kind = self.draw(st.sampled_from(["float", "int", "npscalar", "array", "value"]))
        x = self.array((), lo, hi, signed)[()]  # a NumPy scalar
        if kind == "float":
            return Const(float(x))
        if kind == "int":
            ints = [n for n in (1, 2, 3, -1, -2) if lo <= (abs(n) if signed else n) <= hi]
            return Const(self.draw(st.sampled_from(ints)))
        if kind == "npscalar":
            return Const(x if self.draw(st.booleans()) else np.int64(max(1, int(hi))))
        other = self.draw(hnp.broadcastable_shapes(shape, max_dims=3, max_side=3))
        data = self.array(other, lo, hi, signed)
        return Const(Value(data, requires_grad=False) if kind == "value" else data)

    def partner(self, shape: tuple[int, ...], a: int, lo: float = -2.0,
                hi: float = 2.0) -> int | Const:
        """An operand of exactly ``shape``: ``a`` again, another entry, a new leaf or a
        constant."""
        same = [i for i, s in enumerate(self.p.shapes) if s == shape and not self.p.scalar[i]]
        kind = self.draw(st.sampled_from(["again", "other", "leaf", "const"]))
        if kind == "again" and not self.p.scalar[a] and self.p.shapes[a] == shape:
            return a
        if kind == "other" and same:
            return self.draw(st.sampled_from(same))
        if kind == "const":
            data = self.array(shape, lo, hi)
            return Const(Value(data, requires_grad=False) if self.draw(st.booleans()) else data)
        return self.leaf(shape) if shape else self.p.add(Leaf(self.array(()), True), (), False)

    def operand(self) -> int:
        """An earlier entry, the latest ones more often (deep graphs)."""
        n = len(self.p.entries)
        return self.draw(st.one_of(st.just(n - 1), st.integers(0, n - 1)))

    def fitting(self, shape: tuple[int, ...]) -> int:
        """An earlier entry whose shape broadcasts with ``shape``."""
        fits = [i for i, s in enumerate(self.p.shapes) if _broadcasts(s, shape)]
        return self.draw(st.sampled_from(fits[-4:]) | st.sampled_from(fits))

    # -- one node
    def node(self) -> None:
        a = self.operand()
        shape, scalar = self.p.shapes[a], self.p.scalar[a]
        ops = ["add", "sub", "mul", "div", "maximum", "pow", "pow_value", "rpow", "neg",
               "reshape", "dropout", *UNARY, *REDUCTIONS]
        if not scalar and shape:
            ops += ["permute", "getitem", "matmul", "cat", "stack", "softmax", "log_softmax",
                    "cross_entropy", "svm_loss", "conv2d", "max_pool2d"]
        op = self.draw(st.sampled_from(ops))
        if op in UNARY:
            self.draw_unary(a, shape, scalar, op)
        elif op in REDUCTIONS:
            self.draw_reduce(a, shape, scalar, op)
        else:
            getattr(self, "draw_" + op)(a, shape, scalar)

    def emit(self, op: str, args: tuple[Any, ...], shape: tuple[int, ...], scalar: bool, /,
             **params: Any) -> None:
        self.p.add(Node(op, args, tuple(params.items())), shape, scalar)

    def positive(self, a: int) -> int:
        """A new entry ``a*a + 0.5``: the input log, roots and divisions need."""
        return self.p.add(Node("positive", (a,)), self.p.shapes[a], self.p.scalar[a])

    def other(self, shape: tuple[int, ...], divisor: bool = False
              ) -> tuple[int | Const, tuple[int, ...], bool]:
        """A second operand for an element-wise op: an entry or a constant of any kind (a
        constant ``divisor`` keeps away from zero)."""
        if self.draw(st.booleans()):
            b = self.fitting(shape)
            return b, self.p.shapes[b], self.p.scalar[b]
        c = self.const(shape, 0.5, 2.0, signed=True) if divisor else self.const(shape)
        scalar = not isinstance(c.value, (np.ndarray, Value)) or (
            isinstance(c.value, Value) and c.value.is_scalar)
        return c, np.shape(c.value.data if isinstance(c.value, Value) else c.value), scalar

    def binary(self, op: str, a: int, shape: tuple[int, ...], scalar: bool) -> None:
        b, b_shape, b_scalar = self.other(shape)
        args = (b, a) if isinstance(b, Const) and self.draw(st.booleans()) else (a, b)
        self.emit(op, args, np.broadcast_shapes(shape, b_shape), scalar and b_scalar)

    def draw_add(self, a, shape, scalar):
        self.binary("add", a, shape, scalar)

    def draw_sub(self, a, shape, scalar):
        self.binary("sub", a, shape, scalar)

    def draw_mul(self, a, shape, scalar):
        self.binary("mul", a, shape, scalar)

    def draw_div(self, a, shape, scalar):
        b, b_shape, b_scalar = self.other(shape, divisor=True)
        if not isinstance(b, Const):
            args = (a, self.positive(b))
        elif self.draw(st.booleans()):
            args = (b, self.positive(a))
        else:
            args = (a, b)
        self.emit("div", args, np.broadcast_shapes(shape, b_shape), scalar and b_scalar)

    def draw_maximum(self, a, shape, scalar):
        self.binary("maximum", a, shape, scalar)

    def draw_pow(self, a, shape, scalar):
        kind = self.draw(st.sampled_from(["float", "int", "npscalar", "array", "value"]))
        c = self.draw(st.sampled_from([2.0, 3.0, -1.0, 0.5, 1.5]))
        positive = not (c.is_integer() and c > 0)
        value: Any = {"float": c, "int": int(c), "npscalar": np.float64(c)}.get(kind)
        out_shape, out_scalar = shape, scalar
        if kind in ("array", "value"):
            other = self.draw(hnp.broadcastable_shapes(shape, max_dims=3, max_side=3))
            arr = self.rng.choice([2.0, 3.0, 0.5, -1.0] if positive else [2.0, 3.0],
                                  size=other).astype(self.dtype())
            value = Value(arr, requires_grad=False) if kind == "value" else arr
            out_shape, out_scalar = np.broadcast_shapes(shape, other), False
        self.emit("pow", (self.positive(a) if positive else a, Const(value)), out_shape,
                  out_scalar)

    def draw_pow_value(self, a, shape, scalar):
        b = self.fitting(shape)
        self.emit("pow_value", (self.positive(a), b),
                  np.broadcast_shapes(shape, self.p.shapes[b]), scalar and self.p.scalar[b])

    def draw_rpow(self, a, shape, scalar):
        c = self.const(shape, 0.3, 2.0)
        c_shape = np.shape(c.value.data if isinstance(c.value, Value) else c.value)
        c_scalar = not isinstance(c.value, np.ndarray) and not (
            isinstance(c.value, Value) and not c.value.is_scalar)
        self.emit("rpow", (c, a), np.broadcast_shapes(shape, c_shape), scalar and c_scalar)

    def draw_neg(self, a, shape, scalar):
        self.emit("neg", (a,), shape, scalar)

    def draw_unary(self, a, shape, scalar, name):
        self.emit("unary", (self.positive(a) if name == "log" else a,), shape, scalar,
                  name=name)

    def draw_reduce(self, a, shape, scalar, name):
        ndim = len(shape)
        axis: Any = None
        if ndim and not scalar:
            axis = self.draw(st.one_of(
                st.none(), st.integers(-ndim, ndim - 1),
                st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim,
                         unique=True).map(tuple)))
        keepdims = self.draw(st.booleans())
        out = np.sum(np.zeros(shape), axis=axis, keepdims=keepdims).shape
        self.emit("reduce", (a,), out, scalar, name=name, axis=axis, keepdims=keepdims)

    def factors(self, size: int, k: int) -> tuple[int, ...]:
        """``k`` positive ints whose product is ``size``."""
        out = []
        for _ in range(k - 1):
            n = self.draw(st.sampled_from([d for d in range(1, size + 1) if size % d == 0]))
            out.append(n)
            size //= n
        return tuple(out) + (size,)

    def draw_reshape(self, a, shape, scalar):
        size = int(np.prod(shape))
        new = self.factors(size, self.draw(st.integers(1, 3)))
        if self.draw(st.booleans()):
            new = tuple(-1 if i == 0 else n for i, n in enumerate(new))
        self.emit("reshape", (a,), np.zeros(size).reshape(new).shape, False, shape=new)

    def draw_permute(self, a, shape, scalar):
        perm = self.draw(st.none() | st.permutations(range(len(shape))).map(tuple))
        out = shape[::-1] if perm is None else tuple(shape[i] for i in perm)
        self.emit("permute", (a,), out, False, perm=perm)

    def draw_getitem(self, a, shape, scalar):
        n = shape[0]
        ints = st.integers(-n, n - 1)
        kind = self.draw(st.sampled_from(["int", "slices", "array", "mixed", "ellipsis"]))
        if kind == "int":
            index: Any = self.draw(ints)
        elif kind == "slices":
            parts = []
            for side in shape[: self.draw(st.integers(1, len(shape)))]:
                start = self.draw(st.integers(0, side - 1))
                parts.append(slice(start, self.draw(st.integers(start + 1, side)),
                                   self.draw(st.sampled_from([None, 1, 2]))))
            index = tuple(parts)
        elif kind == "array":
            index = self.draw(st.lists(ints, min_size=1, max_size=4))
        elif kind == "mixed" and len(shape) >= 2:
            index = (slice(None), self.draw(st.lists(st.integers(0, shape[1] - 1), min_size=1,
                                                     max_size=3)))
        else:
            index = (Ellipsis, self.draw(st.integers(-shape[-1], shape[-1] - 1)))
        out = np.zeros(shape)[index].shape
        self.emit("getitem", (a,), out, False, index=index)

    def draw_matmul(self, a, shape, scalar):
        k = shape[-1] if len(shape) == 1 else shape[-2]
        if self.draw(st.booleans()):  # a @ b
            b_shape = self.draw(st.sampled_from([(shape[-1],), (shape[-1], 2),
                                                 (2, shape[-1], 1)]))
            if len(b_shape) == 3 and len(shape) == 3 and shape[0] not in (1, 2):
                b_shape = b_shape[1:]  # batch dims that would not broadcast
            left, right = np.zeros(shape), np.zeros(b_shape)
            b = self.partner(b_shape, a)
            args = (a, b)
        else:  # c @ a with c on the left
            b_shape = (2, k)
            left, right = np.zeros(b_shape), np.zeros(shape)
            args = (self.partner(b_shape, a), a)
        self.emit("matmul", args, np.matmul(left, right).shape, False)

    def draw_cat(self, a, shape, scalar):
        axis = self.draw(st.integers(0, len(shape) - 1))
        xs = [a] + [self.partner(shape, a) for _ in range(self.draw(st.integers(1, 2)))]
        out = np.concatenate([np.zeros(shape)] * len(xs), axis=axis).shape
        self.emit("cat", tuple(xs), out, False, axis=axis)

    def draw_stack(self, a, shape, scalar):
        axis = self.draw(st.integers(-len(shape) - 1, len(shape)))
        xs = [a] + [self.partner(shape, a) for _ in range(self.draw(st.integers(1, 2)))]
        out = np.stack([np.zeros(shape)] * len(xs), axis=axis).shape
        self.emit("stack", tuple(xs), out, False, axis=axis)

    def draw_softmax(self, a, shape, scalar):
        self.emit("softmax", (a,), shape, False, axis=self.draw(
            st.integers(-len(shape), len(shape) - 1)))

    def draw_log_softmax(self, a, shape, scalar):
        self.emit("log_softmax", (a,), shape, False, axis=self.draw(
            st.integers(-len(shape), len(shape) - 1)))

    def batch(self, shape: tuple[int, ...]) -> tuple[int, np.ndarray]:
        size = int(np.prod(shape))
        rows = self.draw(st.sampled_from([d for d in range(1, size + 1) if size % d == 0]))
        targets = self.rng.integers(0, size // rows, size=rows)
        return rows, targets

    def draw_cross_entropy(self, a, shape, scalar):
        rows, targets = self.batch(shape)
        self.emit("cross_entropy", (a,), (), False, rows=rows, targets=targets)

    def draw_svm_loss(self, a, shape, scalar):
        rows, targets = self.batch(shape)
        self.emit("svm_loss", (a,), (), False, rows=rows, targets=targets,
                  delta=self.draw(st.sampled_from([1.0, 0.5])))

    def draw_conv2d(self, a, shape, scalar):
        n, c, h, w = self.factors(int(np.prod(shape)), 4)
        padding = self.draw(st.integers(0, 1))
        kh, kw = (self.draw(st.integers(1, side + 2 * padding)) for side in (h, w))
        f = self.draw(st.integers(1, 2))
        stride = self.draw(st.integers(1, 2))
        args: tuple[Any, ...] = (a, self.partner((f, c, kh, kw), a))
        if self.draw(st.booleans()):
            args += (self.partner((f,), a),)
        out = (n, f, (h + 2 * padding - kh) // stride + 1, (w + 2 * padding - kw) // stride + 1)
        self.emit("conv2d", args, out, False, shape=(n, c, h, w), stride=stride,
                  padding=padding)

    def draw_max_pool2d(self, a, shape, scalar):
        n, c, h, w = self.factors(int(np.prod(shape)), 4)
        kernel = (self.draw(st.integers(1, h)), self.draw(st.integers(1, w)))
        stride = self.draw(st.sampled_from([None, 1, 2]))
        sh, sw = kernel if stride is None else (stride, stride)
        out = (n, c, (h - kernel[0]) // sh + 1, (w - kernel[1]) // sw + 1)
        self.emit("max_pool2d", (a,), out, False, shape=(n, c, h, w), kernel=kernel,
                  stride=stride)

    def draw_dropout(self, a, shape, scalar):
        p, training = self.draw(st.sampled_from([(0.0, True), (0.5, False), (1.0, True)]))
        self.emit("dropout", (a,), shape, scalar, p=p, training=training)


@st.composite
def programs(draw: Any, min_nodes: int = 2, max_nodes: int = 6) -> Program:
    """A random program: 1-3 leaves of mutually broadcastable shapes, then nodes."""
    mode = draw(st.sampled_from(["f64", "f64", "f32", "mixed"]))
    b = Builder(draw, mode, np.random.default_rng(draw(st.integers(0, 2**32 - 1))))
    shapes = draw(hnp.mutually_broadcastable_shapes(
        num_shapes=draw(st.integers(1, 3)), min_dims=0, max_dims=3, max_side=3)).input_shapes
    for i, shape in enumerate(shapes):
        b.leaf(shape, requires_grad=i == 0 or draw(st.booleans()))
    for _ in range(draw(st.integers(min_nodes, max_nodes))):
        b.node()
    return b.p


# ---------------------------------------------------------------- running and comparing
def weights(shape: tuple[int, ...], i: int) -> np.ndarray:
    """Fixed weights for node ``i``: every output element reaches the gradient differently."""
    rng = np.random.default_rng(1000 + i)
    return rng.uniform(0.5, 1.5, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def backward(L: Any, program: Program, values: list[Any]) -> bool:
    """Backpropagate sum(node * W) over every node that requires grad; False if none does."""
    terms = []
    for i, (e, v) in enumerate(zip(program.entries, values)):
        if isinstance(e, Node) and v.requires_grad:
            w = weights(tuple(L.data(v).shape), i)
            terms.append(L.reduce(L.mul(v, L.const(w)), "sum"))
    if not terms:
        return False
    total = terms[0]
    for t in terms[1:]:
        total = L.add(total, t)
    total.backward()
    return True


def close(ours: Any, ref: Any, tol: float, what: str) -> None:
    ours, ref = np.asarray(ours, np.float64), np.asarray(ref, np.float64)
    assert ours.shape == ref.shape, f"{what}: shape {ours.shape}, PyTorch {ref.shape}"
    scale = float(np.max(np.abs(ref), initial=0.0))
    np.testing.assert_allclose(ours, ref, rtol=tol, atol=tol * scale + 1e-300, err_msg=what)


def check(program: Program) -> None:
    for e in program.entries:  # pytest --hypothesis-show-statistics lists what ran
        if isinstance(e, Node):
            event(e.op if e.op not in ("unary", "reduce") else dict(e.params)["name"])
    ref = program.run(Torch)
    ref_data = [Torch.data(v) for v in ref]
    assume(all(np.isfinite(d).all() and np.max(np.abs(d), initial=0.0) < 1e6
               for d in ref_data))
    ours = program.run(Ours)
    tol = 1e-7 if program.mode == "f64" else 2e-3
    for i, (e, o, r, t) in enumerate(zip(program.entries, ours, ref_data, ref)):
        name = f"{'x' if isinstance(e, Leaf) else 'v'}{i}"
        close(Ours.data(o), r, tol, f"value of {name}")
        assert o.shape == program.shapes[i] and o.is_scalar == program.scalar[i], name
        assert o.requires_grad == t.requires_grad, f"requires_grad of {name}"
        if not o.is_scalar and program.mode != "mixed":
            assert o.dtype == (F64 if program.mode == "f64" else F32), f"dtype of {name}"
    if backward(Ours, program, ours):
        backward(Torch, program, ref)
        for i, (e, o, t) in enumerate(zip(program.entries, ours, ref)):
            if isinstance(e, Leaf) and e.requires_grad:
                want = np.zeros(o.shape) if t.grad is None else t.grad.numpy()
                close(o.grad, want, tol, f"gradient of x{i}")
                assert np.asarray(o.grad).dtype == o.dtype or o.is_scalar, f"grad dtype x{i}"
                assert (type(o.grad) is float) == o.is_scalar, f"grad type of x{i}"


@FUZZ
@given(program=programs())
def test_random_programs_match_torch(program: Program):
    check(program)


@settings(FUZZ, max_examples=100)
@given(program=programs(min_nodes=6, max_nodes=12))
def test_deep_random_programs_match_torch(program: Program):
    check(program)


def test_a_program_prints_as_a_script_that_replays_it():
    program = Program("f64")
    x = program.add(Leaf(np.array([1.0, -2.0]), True), (2,), False)
    y = program.add(Leaf(0.5, True), (), True)
    program.add(Node("maximum", (x, Const(np.float32(0.25)))), (2,), False)
    program.add(Node("positive", (x,)), (2,), False)
    program.add(Node("div", (y, 3)), (2,), False)
    script = repr(program)
    assert "v2 = maximum(x0, np.float32(0.25))" in script
    assert "v3 = ((x0 * x0) + 0.5)" in script and "v4 = (x1 / v3)" in script
    scope: dict[str, Any] = {}
    exec(script, scope)  # the point: the printed program runs as it is
    np.testing.assert_allclose(scope["v4"].data, 0.5 / np.array([1.5, 4.5]))
