"""Module and Parameter: the PyTorch-shaped base every layer is built on.

A :class:`Module` finds its parameters and submodules from its attributes (also inside
plain lists and tuples), so a layer is just a class that sets ``self.weight = Parameter(...)``
and writes ``forward``.  Calling a module runs ``forward`` inside ``autograd.name_scope`` with
the module's dotted path, so every graph node remembers which layer made it.

>>> import numpy as np
>>> class Scale(Module):
...     def __init__(self):
...         super().__init__()
...         self.factor = Parameter(np.ones(3))
...     def forward(self, x):
...         return x * self.factor
>>> m = Scale()
>>> [name for name, _ in m.named_parameters()]
['factor']
>>> m(np.arange(3.0)).numpy().tolist()
[0.0, 1.0, 2.0]
"""

from __future__ import annotations

import numbers
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

import autograd
from autograd import Value
from autograd.utils import FLOAT_DTYPES, check_state, float_dtype

# Modules whose forward is running, outermost first: a call looks its own name up in the
# caller's children to open the right name scope.
_CALL_STACK: list[Module] = []


class Parameter(Value):
    """A trainable leaf :class:`~autograd.Value` that modules register.

    Array data is copied and stored as float64 unless ``dtype`` (or float32 data) says
    float32.  A single number gives a scalar parameter (a Python float, like any scalar
    Value), for micrograd-style neurons built from scalars.

    >>> p = Parameter([[1.0, 2.0]])
    >>> p.shape, p.dtype, p.requires_grad
    ((1, 2), dtype('float64'), True)
    >>> Parameter(0.5).is_scalar
    True
    """

    __slots__ = ()
    is_parameter = True

    def __init__(self, data: Any, requires_grad: bool = True, dtype: Any = None) -> None:
        if isinstance(data, Value):
            data = data.data
        if isinstance(data, numbers.Real) and not isinstance(data, np.ndarray):
            if dtype is not None and float_dtype(dtype) != np.float64:
                raise TypeError("Parameter: a scalar parameter is a Python float (float64)")
            super().__init__(float(data), requires_grad=requires_grad)
            return
        dt = float_dtype(dtype, like=data)
        super().__init__(np.array(data, dtype=dt, copy=True), requires_grad=requires_grad)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Parameter(shape={self.shape}, dtype={self.dtype}{label})"


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` could not match."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def as_input(x: Any, dtype: Any = None) -> Value:
    """``x`` as a Value: Values pass through; arrays and lists become constant leaves
    (``requires_grad=False``) of ``dtype`` (default: float64, or float32 for float32 data).

    >>> as_input([[1, 2]]).dtype
    dtype('float64')
    """
    if isinstance(x, Value):
        return x
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"module input: expected numbers, got data of dtype {arr.dtype} "
                        f"(shape {arr.shape})")
    dt = np.dtype(dtype) if dtype is not None else float_dtype(like=arr)
    return Value(arr.astype(dt, copy=False), requires_grad=False)


class _StateEntry(NamedTuple):
    """One state_dict entry: a parameter (``param`` set) or a buffer (``owner.attr``)."""

    name: str
    param: Parameter | None
    owner: Module
    attr: str

    def current(self) -> Any:
        return self.param.data if self.param is not None else getattr(self.owner, self.attr)

    def assign(self, arr: np.ndarray) -> None:
        """Store a copy of ``arr`` with the current dtype (scalar parameters stay floats)."""
        if self.param is None:
            current = getattr(self.owner, self.attr)
            setattr(self.owner, self.attr, np.array(arr, dtype=current.dtype, copy=True))
        elif self.param.is_scalar:
            self.param.data = float(arr)
        else:
            self.param.data = np.array(arr, dtype=self.param.dtype, copy=True)


class RemovableHandle:
    """Returned by :meth:`Module.register_forward_hook`; ``remove()`` unregisters the hook
    (calling it twice is harmless).

    >>> hooks = {0: "hook"}; RemovableHandle(hooks, 0).remove(); hooks
    {}
    """

    def __init__(self, hooks: dict[int, Any], key: int) -> None:
        self._hooks = hooks
        self._key = key

    def remove(self) -> None:
        """Unregister the hook."""
        self._hooks.pop(self._key, None)


class Module:
    """Base class of layers and models (PyTorch's ``nn.Module`` habits).

    Subclasses set parameters, submodules and lists of them as attributes in ``__init__``
    (after ``super().__init__()``) and implement ``forward``.  Buffers (state that is saved
    but not trained, like BatchNorm's running statistics) are numpy arrays registered with
    :meth:`register_buffer`.

    >>> from layers import Linear, ReLU, Sequential
    >>> net = Sequential(Linear(2, 4), ReLU(), Linear(4, 1))
    >>> [n for n, _ in net.named_parameters()]
    ['0.weight', '0.bias', '2.weight', '2.bias']
    >>> net.num_parameters()
    17
    """

    training: bool = True
    pointwise: bool = False
    """True for layers that act on each position alone (activations, dropout, batch norm):
    they keep the spatial size and widen no receptive field (``viz.receptive_fields`` reads it)."""

    def __init__(self) -> None:
        self.training = True
        self._buffer_names: list[str] = []

    # ------------------------------------------------------------------ structure
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; subclasses override it.  Call the module, not ``forward``."""
        raise NotImplementedError(f"{type(self).__name__} has no forward()")

    def register_buffer(self, name: str, value: np.ndarray) -> None:
        """Store ``value`` (a numpy array) as attribute ``name`` and in ``state_dict``.

        >>> m = Module(); m.register_buffer("count", np.zeros(()))
        >>> list(m.state_dict())
        ['count']
        """
        if not isinstance(value, np.ndarray):
            raise TypeError(f"register_buffer({name!r}): expected a numpy array, got {type(value)}")
        names = self.__dict__.setdefault("_buffer_names", [])
        if name not in names:
            names.append(name)
        setattr(self, name, value)

    def _own_parameters(self) -> Iterator[tuple[str, Parameter]]:
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, Parameter):
                        yield f"{name}.{i}", item

    def _own_children(self) -> Iterator[tuple[str, Module]]:
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield f"{name}.{i}", item

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        """``(dotted name, array)`` for every buffer of this module and its submodules."""
        for mod_name, module in self.named_modules(prefix):
            for name in module.__dict__.get("_buffer_names", ()):
                yield _join(mod_name, name), getattr(module, name)

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """``(name, module)`` for the direct submodules, in attribute order."""
        seen: set[int] = set()
        for name, child in self._own_children():
            if id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self) -> Iterator[Module]:
        """The direct submodules, in attribute order."""
        for _, child in self.named_children():
            yield child

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """``(dotted name, module)`` for this module (name ``prefix``, '' by default) and
        every submodule, depth first, each shared module once.

        >>> from layers import Linear, Sequential
        >>> [n for n, _ in Sequential(Linear(1, 1), Sequential(Linear(1, 1))).named_modules()]
        ['', '0', '1', '1.0']
        """
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            kids = [(_join(name, n), c) for n, c in module._own_children()]
            stack.extend(reversed(kids))

    def modules(self) -> Iterator[Module]:
        """This module and every submodule, depth first."""
        for _, module in self.named_modules():
            yield module

    def named_parameters(
        self, prefix: str = "", recurse: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, Parameter)`` pairs: a module's own parameters first, then its
        submodules' in attribute order (PyTorch's order); shared parameters once."""
        seen: set[int] = set()
        modules = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        for mod_name, module in modules:
            for name, p in module._own_parameters():
                if id(p) not in seen:
                    seen.add(id(p))
                    yield _join(mod_name, name), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every Parameter (see :meth:`named_parameters` for the order)."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def num_parameters(self, trainable_only: bool = False) -> int:
        """Total number of scalars in the parameters.

        >>> from layers import Linear
        >>> Linear(3, 2).num_parameters()
        8
        """
        return sum(p.size for p in self.parameters() if p.requires_grad or not trainable_only)

    # ------------------------------------------------------------------ modes and grads
    def train(self, mode: bool = True) -> Module:
        """Set training mode on this module and every submodule; returns ``self``."""
        for module in self.modules():
            module.training = bool(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode (dropout off, BatchNorm uses running statistics); returns ``self``."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Reset the gradient of every parameter to zero."""
        for p in self.parameters():
            p.zero_grad()

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (False) or unfreeze every parameter; returns ``self``."""
        for p in self.parameters():
            p.requires_grad = requires_grad
        return self

    def apply(self, fn: Any) -> Module:
        """Call ``fn(module)`` on every submodule and then on ``self``; returns ``self``.

        >>> from layers import Linear
        >>> Linear(2, 2).apply(lambda m: None).__class__.__name__
        'Linear'
        """
        for module in reversed(list(self.modules())):
            fn(module)
        return self

    # ------------------------------------------------------------------ dtype
    def to(self, dtype: Any) -> Module:
        """Convert tensor parameters (and float buffers) to float32 or float64; returns ``self``.

        >>> from layers import Linear
        >>> Linear(2, 2).to(np.float32).weight.dtype
        dtype('float32')
        """
        dt = float_dtype(dtype)
        for p in self.parameters():
            if not p.is_scalar:  # scalar parameters are Python floats and stay so
                p.data = p.data.astype(dt)
                p.zero_grad()
        for module in self.modules():
            for name in module.__dict__.get("_buffer_names", ()):
                buf = getattr(module, name)
                if buf.dtype in FLOAT_DTYPES:
                    setattr(module, name, buf.astype(dt))
        return self

    def float(self) -> Module:
        """Same as ``to(np.float32)``."""
        return self.to(np.float32)

    def double(self) -> Module:
        """Same as ``to(np.float64)``."""
        return self.to(np.float64)

    # ------------------------------------------------------------------ state
    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """Dotted name → numpy copy, for every parameter and buffer.

        >>> from layers import Linear
        >>> {k: v.shape for k, v in Linear(3, 2).state_dict().items()}
        {'weight': (2, 3), 'bias': (2,)}
        """
        out: OrderedDict[str, np.ndarray] = OrderedDict()
        for entry in self._state_entries():
            out[entry.name] = np.array(entry.current(), copy=True)
        return out

    def _state_entries(self) -> Iterator[_StateEntry]:
        seen: set[int] = set()
        for mod_name, module in self.named_modules():
            for name, p in module._own_parameters():
                if id(p) not in seen:
                    seen.add(id(p))
                    yield _StateEntry(_join(mod_name, name), p, module, name)
            for name in module.__dict__.get("_buffer_names", ()):
                yield _StateEntry(_join(mod_name, name), None, module, name)

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy arrays from ``state`` into the parameters and buffers (cast to their dtype).

        With ``strict`` every key must match; a shape mismatch is always an error.  Errors
        raise :class:`~autograd.utils.StateDictError` listing every bad key;
        nothing is changed then.

        >>> from layers import Linear
        >>> a, b = Linear(2, 2), Linear(2, 2)
        >>> b.load_state_dict(a.state_dict())
        IncompatibleKeys(missing_keys=[], unexpected_keys=[])
        >>> bool((a.weight.data == b.weight.data).all())
        True
        """
        entries = {entry.name: entry for entry in self._state_entries()}
        arrays = {name: np.asarray(arr) for name, arr in state.items()}
        missing, unexpected = check_state(
            type(self).__name__, {name: np.shape(e.current()) for name, e in entries.items()},
            {name: arr.shape for name, arr in arrays.items()}, strict)
        for name, entry in entries.items():
            if name in arrays:
                entry.assign(arrays[name])
        return IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ calling
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if _CALL_STACK:
            scope = _CALL_STACK[-1]._child_name(self)
        else:
            self._label_parameters()
            scope = None
        _CALL_STACK.append(self)
        try:
            if scope is None:
                out = self.forward(*args, **kwargs)
            else:
                with autograd.name_scope(scope):
                    out = self.forward(*args, **kwargs)
        finally:
            _CALL_STACK.pop()
        hooks = self.__dict__.get("_forward_hooks")
        for hook, with_kwargs in list(hooks.values()) if hooks else ():
            result = hook(self, args, kwargs, out) if with_kwargs else hook(self, args, out)
            if result is not None:
                out = result
        return out

    def register_forward_hook(self, hook: Any, with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after every forward of this module (with
        ``with_kwargs``: ``hook(module, args, kwargs, output)``); a hook that returns
        something other than None replaces the output.  PyTorch's habits; the returned
        handle's ``remove()`` unregisters the hook.

        >>> from layers import Linear
        >>> fc, seen = Linear(2, 3), []
        >>> handle = fc.register_forward_hook(lambda m, args, out: seen.append(out.shape))
        >>> _ = fc(np.zeros((4, 2))); handle.remove(); _ = fc(np.zeros((1, 2)))
        >>> seen
        [(4, 3)]
        """
        hooks = self.__dict__.setdefault("_forward_hooks", {})
        key = max(hooks, default=-1) + 1
        hooks[key] = (hook, with_kwargs)
        return RemovableHandle(hooks, key)

    def _child_name(self, child: Module) -> str | None:
        """Dotted path of ``child`` below ``self`` (None when it is not a submodule)."""
        for name, module in self._own_children():
            if module is child:
                return name
        for name, module in self.named_modules():
            if module is child and name:
                return name
        return None

    def _label_parameters(self) -> None:
        """Give unlabelled parameters their dotted name, so pictures can show it."""
        for name, p in self.named_parameters():
            if p.label is None:
                p.label = name

    # ------------------------------------------------------------------ printing
    def extra_repr(self) -> str:
        """The arguments shown inside the parentheses of this module's repr line."""
        return ""

    def _repr_lines(self) -> list[str]:
        head = f"{type(self).__name__}({self.extra_repr()}"
        kids = list(self.named_children())
        count = self.num_parameters()
        note = f"  # {count:,} parameters" if count else ""
        if not kids:
            return [head + ")" + note]
        lines = [head]
        for name, child in kids:
            child_lines = child._repr_lines()
            lines.append(f"  ({name}): {child_lines[0]}")
            lines.extend("  " + line for line in child_lines[1:])
        lines.append(")" + note)
        return lines

    def __repr__(self) -> str:
        lines = self._repr_lines()
        if len(lines) == 1:
            return f"{type(self).__name__}({self.extra_repr()})"
        total = self.num_parameters()
        trainable = self.num_parameters(trainable_only=True)
        lines.append(f"Total parameters: {total:,} (trainable: {trainable:,})")
        return "\n".join(lines)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def collect_parameters(source: Module | Iterable[Value]) -> list[Value]:
    """The parameters of a module, or the Values of an iterable, as a list.

    >>> from layers import Linear
    >>> len(collect_parameters(Linear(2, 2)))
    2
    """
    if isinstance(source, Module):
        return list(source.parameters())
    params = list(source)
    for p in params:
        if not isinstance(p, Value):
            raise TypeError(f"expected a Module or Values, got an item of type {type(p).__name__}")
    return params
