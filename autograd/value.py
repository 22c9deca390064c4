"""`Value`: one type for scalars and tensors, recording gate nodes into a DAG.

A Value made from a Python number is a *scalar*: ``data`` and ``grad`` are Python floats.
A Value made from a list or array is a *tensor*: ``data`` is an ``np.ndarray`` (float64 by
default, float32 kept) and ``grad`` an array of the same shape.  Every op on Values records
a node with its :class:`~autograd.gate.Gate`, its parents (one entry per use) and what its
backward needs; ``backward()`` walks that graph (see :mod:`autograd.graph`).

>>> x, y = Value(3.0, label="x"), Value(-4.0, label="y")
>>> f = x * y + 1
>>> f.backward()
>>> f.data, x.grad, y.grad
(-11.0, -4.0, 3.0)
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import graph
from .errors import (
    GradgateError,
    NonFiniteWarning,
    describe,
    is_finite,
    looks_finite,
    warn_if_new_nonfinite,
)
from .gate import Gate
from .grad_mode import STATE
from .ops import arith, reduce, unary
from .ops.axes import shape_arg
from .ops.broadcast import BroadcastTo, SumTo
from .ops.matmul import MATMUL_GATE
from .ops.shape import GetItem, Reshape, Transpose
from .origin import ORIGINS
from .utils.dtypes import as_float_array

Number = (numbers.Real, np.integer, np.floating)


def as_data(data: Any, where: str = "Value") -> float | np.ndarray:
    """Validate and convert user data: a Python float or a float32/float64 array.

    Ints and bools are promoted to float64; float16 to float32; complex, object and ragged
    input are refused.

    >>> as_data([1, 2]).dtype
    dtype('float64')
    """
    if type(data) is float or type(data) is int:
        out: float | np.ndarray = float(data)
        if out - out == 0.0:  # finite: the common case, checked cheaply
            return out
    elif isinstance(data, Number) and not isinstance(data, np.ndarray):
        out = float(data)
    elif isinstance(data, Value):
        raise TypeError(f"{where}: data is already a Value; use .detach() or .data")
    else:
        try:
            out = np.asarray(data)
        except ValueError as err:
            raise GradgateError(
                f"{where}: data must be a number or a rectangular array of numbers ({err})"
            ) from None
        out = as_float_array(out, where)
    if isinstance(out, float):
        if not is_finite(out):
            warnings.warn(f"{where}: data is {out!r}", NonFiniteWarning, stacklevel=3)
    elif not is_finite(out):
        warnings.warn(f"{where}: data of shape {out.shape} holds NaN or infinity",
                      NonFiniteWarning, stacklevel=3)
    return out


class Value:
    """A scalar or tensor in the computational graph.

    ``Value(data, label=None, requires_grad=True)``.

    >>> a = Value(2.0, label="a")
    >>> b = a * a
    >>> b.backward()
    >>> a.grad, len(b.parents)
    (4.0, 2)
    """

    __slots__ = ("_data", "_grad", "_up", "_parents", "_gate", "_saved", "label",
                 "requires_grad", "scope", "__weakref__")
    __array_ufunc__ = None  # numpy defers to our reflected operators: np.ones(3) * v is a Value
    is_parameter = False
    """True for trainable parameters (``layers.Parameter`` sets it), so pictures mark them."""

    def __init__(self, data: Any, label: str | None = None, requires_grad: bool = True):
        self._data = as_data(data)
        self._grad: Any = None  # None: no gradient has reached this Value yet
        self._up: Any = None
        self._parents: tuple[Value, ...] = ()
        self._gate: Gate | None = None
        self._saved: Any = None
        self.label = label
        self.requires_grad = bool(requires_grad)
        self.scope = STATE.scope

    # ------------------------------------------------------------------ storage
    @property
    def data(self) -> Any:
        """The value: a Python float (scalar) or an ``np.ndarray`` (tensor); assignable."""
        return self._data

    @data.setter
    def data(self, new: Any) -> None:
        if type(new) is np.ndarray and new.dtype in (np.float32, np.float64):
            self._data = new
        else:
            self._data = as_data(new, "Value.data")

    @property
    def grad(self) -> Any:
        """d(output)/d(self), accumulated over backward calls; assignable.

        Zero before any gradient has reached this Value (see :attr:`has_grad`): ``0.0`` for a
        scalar, a read-only array of zeros for a tensor (write a gradient by assigning it).
        """
        g = self._grad
        if g is None:
            if type(self._data) is float:
                return 0.0
            g = np.zeros(self._data.shape, self._data.dtype)
            g.flags.writeable = False
        return g

    @grad.setter
    def grad(self, new: Any) -> None:
        if new is None:
            self._grad = None
        elif type(self._data) is float:
            self._grad = float(new)
        else:
            arr = np.asarray(new, dtype=self._data.dtype)
            try:
                self._grad = np.array(np.broadcast_to(arr, self._data.shape))
            except ValueError:
                raise GradgateError(
                    f"Value.grad: a gradient of shape {arr.shape} does not fit data of "
                    f"shape {self._data.shape}") from None

    @property
    def has_grad(self) -> bool:
        """True once a gradient has reached this Value (by backward or by assigning ``grad``);
        False before that and after :meth:`zero_grad` (PyTorch's ``p.grad is None``).

        Optimisers skip parameters without a gradient, as PyTorch's do.

        >>> w, unused = Value(2.0), Value(5.0)
        >>> (w * 3).backward()
        >>> w.has_grad, unused.has_grad, unused.grad
        (True, False, 0.0)
        """
        return self._grad is not None

    def zero_grad(self) -> None:
        """Forget the gradient: ``grad`` reads zero and :attr:`has_grad` is False again.

        >>> v = Value(1.0); v.grad = 5.0; v.zero_grad(); v.grad, v.has_grad
        (0.0, False)
        """
        self._grad = None

    @property
    def is_scalar(self) -> bool:
        """True for a scalar Value (its data is a Python float)."""
        return type(self._data) is float

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the data; ``()`` for scalars."""
        return () if type(self._data) is float else self._data.shape

    @property
    def ndim(self) -> int:
        """Number of dimensions; 0 for scalars."""
        return 0 if type(self._data) is float else self._data.ndim

    @property
    def size(self) -> int:
        """Number of elements; 1 for scalars."""
        return 1 if type(self._data) is float else self._data.size

    @property
    def dtype(self) -> np.dtype:
        """Element type: float64 for scalars, the array's dtype for tensors."""
        return np.dtype(np.float64) if type(self._data) is float else self._data.dtype

    def numpy(self) -> np.ndarray:
        """The data as a numpy array (a 0-d array for scalars).

        >>> Value([1, 2]).numpy()
        array([1., 2.])
        """
        return np.asarray(self._data)

    def item(self) -> float:
        """The value of a scalar or one-element tensor as a Python float."""
        if type(self._data) is float:
            return self._data
        if self._data.size != 1:
            raise GradgateError(f"item: only one-element Values convert; shape is {self.shape}")
        return float(self._data.reshape(()))

    def __float__(self) -> float:
        return self.item()

    def detach(self) -> Value:
        """A new leaf sharing this data that requires no grad.

        >>> Value(2.0).detach().requires_grad
        False
        """
        return Value(self._data, label=self.label, requires_grad=False)

    # ------------------------------------------------------------------ graph
    @property
    def parents(self) -> tuple[Value, ...]:
        """The node's inputs, one entry per use in argument order; ``()`` for leaves."""
        return self._parents

    @property
    def gate(self) -> Gate | None:
        """The gate that made this node (op name and family), or None for a leaf."""
        return self._gate

    @property
    def is_leaf(self) -> bool:
        """True for Values made by the user rather than by an op."""
        return self._gate is None

    @property
    def origin(self) -> Any:
        """For a node recorded by a differentiable backward (``create_graph=True``), the
        :class:`~autograd.origin.Origin` saying which forward node's backward made
        it and by which rule; None for every other node.

        >>> from autograd import grad
        >>> x = Value(3.0, label="x")
        >>> (g,) = grad(x.tanh(), x, create_graph=True)
        >>> g.origin.label, g.origin.node.gate.name, Value(1.0).origin
        ('backward of tanh #1 · local derivative', 'tanh', None)
        """
        return ORIGINS.get(self)

    def backward(self, grad: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False) -> None:
        """Accumulate d(self)/d(node) into ``.grad`` of every node that requires grad.

        ``grad`` defaults to 1 for a scalar or one-element output.  Saved intermediates
        are freed afterwards unless ``retain_graph`` (which defaults to ``create_graph``).
        With ``create_graph=True`` the backward pass is itself recorded as gates (see
        :func:`autograd.grad`, which returns those gradients as Values to differentiate
        again) and the graph is kept; each leaf's ``.grad`` accumulates the numbers.

        >>> x = Value(3.0); (x * x).backward(); x.grad
        6.0
        """
        if create_graph:
            from .differentiable import backward_graph

            backward_graph(self, grad)
        else:
            graph.backward(self, grad, bool(retain_graph))

    # ------------------------------------------------------------------ operators
    def __add__(self, other: Any) -> Value:
        return apply2(arith.ADD_GATE, self, other if type(other) is Value else lift(other))

    def __radd__(self, other: Any) -> Value:
        return apply2(arith.ADD_GATE, lift(other), self)

    def __sub__(self, other: Any) -> Value:
        return apply2(arith.SUB_GATE, self, other if type(other) is Value else lift(other))

    def __rsub__(self, other: Any) -> Value:
        return apply2(arith.SUB_GATE, lift(other), self)

    def __mul__(self, other: Any) -> Value:
        return apply2(arith.MUL_GATE, self, other if type(other) is Value else lift(other))

    def __rmul__(self, other: Any) -> Value:
        return apply2(arith.MUL_GATE, lift(other), self)

    def __truediv__(self, other: Any) -> Value:
        return apply2(arith.DIV_GATE, self, other if type(other) is Value else lift(other))

    def __rtruediv__(self, other: Any) -> Value:
        return apply2(arith.DIV_GATE, lift(other), self)

    def __neg__(self) -> Value:
        return apply(arith.NEG_GATE, self)

    def __pow__(self, exponent: Any) -> Value:
        if isinstance(exponent, Value):
            if not exponent.requires_grad and type(exponent._data) is float:
                return apply(arith.Pow(exponent._data), self)
            return power(self, exponent)
        if isinstance(exponent, Number):
            return apply(arith.Pow(float(exponent)), self)
        return power(self, lift(exponent))

    def __rpow__(self, base: Any) -> Value:
        return power(lift(base), self)

    def __matmul__(self, other: Any) -> Value:
        return apply2(MATMUL_GATE, self, lift(other))

    def __rmatmul__(self, other: Any) -> Value:
        return apply2(MATMUL_GATE, lift(other), self)

    # ------------------------------------------------------------------ methods
    def exp(self) -> Value:
        """e**x element-wise (local gate: d/dx = e**x)."""
        return apply(unary.EXP_GATE, self)

    def log(self) -> Value:
        """Natural log element-wise; the input must be positive (local gate: d/dx = 1/x)."""
        return apply(unary.LOG_GATE, self)

    def tanh(self) -> Value:
        """tanh element-wise (local gate: d/dx = 1 - tanh²)."""
        return apply(unary.TANH_GATE, self)

    def sigmoid(self) -> Value:
        """1 / (1 + e**-x) element-wise (local gate: d/dx = s(1 - s))."""
        return apply(unary.SIGMOID_GATE, self)

    def relu(self) -> Value:
        """max(x, 0) element-wise (max gate: routes the gradient where x > 0)."""
        return apply(unary.RELU_GATE, self)

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Value:
        """Sum over ``axis`` (all by default); add gate: the gradient is distributed."""
        return apply(reduce.Sum(axis, keepdims, self.ndim), self)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Value:
        """Mean over ``axis`` (all by default); each input gets upstream / N."""
        return apply(reduce.Mean(axis, keepdims, self.ndim), self)

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Value:
        """Maximum over ``axis``; max gate: the gradient goes to the (first) largest input."""
        return apply(reduce.Max(axis, keepdims, self.ndim), self)

    def reshape(self, *shape: Any) -> Value:
        """The same elements in a new shape: ``v.reshape(2, 3)`` or ``v.reshape((2, 3))``."""
        shape = _unpacked(shape)
        return apply(Reshape(shape), self)

    def transpose(self, *axes: Any) -> Value:
        """Permute axes (reverse them by default), like ``np.transpose``."""
        axes = _unpacked(axes)
        return apply(Transpose(axes or None, self.ndim), self)

    @property
    def T(self) -> Value:
        """The transpose (axes reversed)."""
        return self.transpose()

    def broadcast_to(self, *shape: Any) -> Value:
        """The Value copied over ``shape`` by NumPy's broadcasting (add gate: the gradient
        is summed back).

        >>> Value([1.0, 2.0]).broadcast_to(2, 2).data.tolist()
        [[1.0, 2.0], [1.0, 2.0]]
        """
        shape = _unpacked(shape)
        return apply(BroadcastTo(shape_arg("broadcast_to", shape)), self)

    def sum_to_size(self, *shape: Any) -> Value:
        """The sum down to ``shape``, over the axes broadcasting to this Value's shape would
        add or stretch (PyTorch's ``sum_to_size``; add gate).

        >>> Value([[1.0, 2.0], [3.0, 4.0]]).sum_to_size(1, 2).data.tolist()
        [[4.0, 6.0]]
        """
        shape = _unpacked(shape)
        return apply(SumTo(shape_arg("sum_to_size", shape)), self)

    def __getitem__(self, index: Any) -> Value:
        return apply(GetItem(index), self)

    def __len__(self) -> int:
        if type(self._data) is float or self._data.ndim == 0:
            raise TypeError("len() of a scalar Value")
        return len(self._data)

    def __iter__(self) -> Iterator[Value]:
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label is not None else ""
        op = f", gate={self._gate.name}" if self._gate is not None else ""
        if type(self._data) is float:
            return f"Value(data={self._data:.6g}, grad={self.grad:.6g}{label}{op})"
        return f"Value(shape={self.shape}, dtype={self.dtype}{label}{op})"


def lift(x: Any) -> Value:
    """Wrap a number or array as a constant Value; Values pass through.

    >>> lift(2).requires_grad
    False
    """
    if isinstance(x, Value):
        return x
    if isinstance(x, (Number, np.ndarray, list, tuple)):
        return Value(x, requires_grad=False)
    raise TypeError(f"cannot combine a Value with {type(x).__name__!r}; "
                    "expected a Value, a number or a numpy array")


def apply(gate: Gate, *inputs: Value) -> Value:
    """Run ``gate`` forward on the inputs' data and record the node.

    The node keeps its parents, gate and saved state only when grad mode is on and some
    input requires grad.

    >>> from autograd.ops.arith import ADD_GATE
    >>> apply(ADD_GATE, Value(1.0), Value(2.0)).data
    3.0
    """
    out, saved = _forward(gate, [x._data for x in inputs])
    return _record(out, gate, inputs, saved, any(x.requires_grad for x in inputs))


def apply2(gate: Gate, a: Value, b: Value) -> Value:
    """:func:`apply` for the binary operators, the scalar engine's hot path."""
    if type(a._data) is float and type(b._data) is float:
        out, saved = gate.forward(a._data, b._data)
        if out - out != 0.0:  # NaN or inf: the one forward check, inlined for scalars
            warn_if_new_nonfinite(gate.name, out, (a._data, b._data))
    else:
        out, saved = _forward(gate, [a._data, b._data])
    return _record(out, gate, (a, b), saved, a.requires_grad or b.requires_grad)


def _forward(gate: Gate, datas: list[Any]) -> tuple[Any, Any]:
    """``gate.forward``, then the one non-finite check every gate's output gets.

    NumPy's own floating-point warnings are silenced while the gate runs: the check after it
    warns once, naming the op, whatever produced the NaN or inf (NumPy, BLAS, Numba, math).
    A ValueError from NumPy (shapes that do not broadcast) becomes a GradgateError naming
    the op and the shapes.
    """
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            out, saved = gate.forward(*datas)
            bad = out - out != 0.0 if type(out) is float else not looks_finite(out)
    except GradgateError:
        raise
    except ValueError as err:
        shapes = ", ".join(describe(d) for d in datas)
        raise GradgateError(f"{gate.name}: inputs of {shapes} do not fit together: {err}") from None
    if bad:  # the exact test follows, which also clears an overflow of x·x
        warn_if_new_nonfinite(gate.name, out, datas)
    return out, saved


def _unpacked(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Sizes or axes given as ``f(2, 3)`` or as ``f((2, 3))``, as one tuple.

    >>> _unpacked((2, 3)), _unpacked(([2, 3],)), _unpacked(())
    ((2, 3), (2, 3), ())
    """
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return args


def _record(out: Any, gate: Gate, parents: tuple[Value, ...], saved: Any,
            requires_grad: bool) -> Value:
    """A new node holding ``out``; linked to its parents when it requires grad."""
    node = _new_value(Value)
    if type(out) is not float and type(out) is not np.ndarray:
        out = np.asarray(out)  # numpy scalars from reductions become 0-d tensors
    node._data = out
    node._grad = None
    node._up = None
    node.label = None
    node.scope = STATE.scope
    if requires_grad and STATE.grad_enabled:
        node._parents = parents
        node._gate = gate
        node._saved = saved
        node.requires_grad = True
    else:
        node._parents = ()
        node._gate = None
        node._saved = None
        node.requires_grad = False
    return node


_new_value = object.__new__


def power(base: Value, exponent: Value) -> Value:
    """``base ** exponent`` with a Value exponent: d/db = a**b · ln a needs a positive base."""
    if exponent.requires_grad and np.any(np.asarray(base._data) <= 0):
        raise GradgateError(
            f"pow: a Value exponent needs a positive base, since d(a**b)/db = a**b * ln(a); "
            f"got base {describe(base._data)} with non-positive entries"
        )
    gate = arith.POW_VALUE_GATE if exponent.requires_grad else arith.POW_ARRAY_GATE
    return apply2(gate, base, exponent)


def maximum(a: Any, b: Any) -> Value:
    """Element-wise max gate: the gradient is routed to the larger input (ties: to ``a``).

    >>> z, w = Value(2.0), Value(-1.0)
    >>> m = maximum(z, w); m.backward(); (m.data, z.grad, w.grad)
    (2.0, 1.0, 0.0)
    """
    return apply2(arith.MAXIMUM_GATE, lift(a), lift(b))
