"""Optimisers: SGD (momentum, Nesterov, weight decay) and Adam, with PyTorch's update formulas.

Parameters are autograd ``Value``s: ``step()`` reads ``p.grad`` and assigns a new ``p.data``
(same dtype), so scalar and tensor parameters both work and a graph recorded before the step
keeps the data it was built from (pictures and replays stay consistent).

>>> from autograd import Value
>>> w = Value(2.0)
>>> opt = SGD([w], lr=0.1)
>>> (w * w).backward()      # dL/dw = 2w = 4
>>> opt.step(); opt.zero_grad()
>>> round(w.data, 10), w.grad
(1.6, 0.0)
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ["SGD", "Adam", "AdamW", "CosineAnnealingLR", "LRScheduler", "Optimizer", "StepLR"]


_FLAGS = ("nesterov", "amsgrad", "maximize")
"""Hyper-parameters that are on/off switches rather than numbers."""


def _is_number(x: Any) -> bool:
    """A real number that is not a bool (a hyper-parameter's kind).

    >>> _is_number(0.1), _is_number("0.1"), _is_number(True)
    (True, False, False)
    """
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _is_tensor(x: Any) -> bool:
    return isinstance(x, np.ndarray)


class Optimizer:
    """Base class: holds parameter groups and per-parameter state.

    ``params`` is an iterable of Values, or of dicts ``{"params": [...], "lr": ...}`` (parameter
    groups, each overriding the defaults). Subclasses implement ``_update(p, grad, group,
    state)`` returning the new data.

    >>> from autograd import Value
    >>> SGD([Value(1.0)], lr=0.5).param_groups[0]["lr"]
    0.5
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        name = type(self).__name__
        if hasattr(params, "parameters"):
            raise TypeError(f"{name}: pass model.parameters(), not the {type(params).__name__}")
        if isinstance(params, dict) or hasattr(params, "data"):
            raise TypeError(f"{name}: params must be an iterable of Values or of param-group "
                            f"dicts, got a single {type(params).__name__}")
        items = list(params)
        if not items:
            raise ValueError(f"{name}: got an empty parameter list")
        groups = items if isinstance(items[0], dict) else [{"params": items}]
        self.defaults = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[int, dict[str, Any]] = {}
        seen: set[int] = set()
        for group in groups:
            if not isinstance(group, dict):
                raise TypeError(f"{name}: mixed Values and param-group dicts in params")
            unknown = set(group) - set(defaults) - {"params"}
            if unknown:
                raise ValueError(f"{name}: unknown option(s) {sorted(unknown)} in a param group")
            group_params = list(group["params"])
            for p in group_params:
                if not hasattr(p, "data") or not hasattr(p, "grad"):
                    raise TypeError(f"{name}: parameters must be Values, got "
                                    f"{type(p).__name__}")
                if id(p) in seen:
                    raise ValueError(f"{name}: a parameter appears more than once")
                seen.add(id(p))
            self.param_groups.append({**defaults, **group, "params": group_params})
        for group in self.param_groups:
            self._check(group)

    def _check(self, group: dict[str, Any]) -> None:
        """Validate one group's hyper-parameters (subclasses extend): numbers (``betas`` a
        pair of them; the on/off flags aside), then their ranges."""
        for key in self.defaults:
            value = group[key]
            if key in _FLAGS:
                continue
            pair = key == "betas"
            if not (isinstance(value, (tuple, list)) and len(value) == 2
                    and all(map(_is_number, value))
                    if pair else _is_number(value)):
                kind = "a pair of numbers" if pair else "a number"
                raise ValueError(f"{type(self).__name__}: {key} must be {kind}, got {value!r}")
        if not group["lr"] >= 0:
            raise ValueError(f"{type(self).__name__}: lr must be >= 0, got {group['lr']}")
        if not group["weight_decay"] >= 0:
            raise ValueError(f"{type(self).__name__}: weight_decay must be >= 0, "
                             f"got {group['weight_decay']}")

    def zero_grad(self) -> None:
        """Reset every parameter's gradient to zero.

        >>> from autograd import Value
        >>> w = Value(3.0); (w * 2).backward(); SGD([w], lr=1).zero_grad(); w.grad
        0.0
        """
        for group in self.param_groups:
            for p in group["params"]:
                p.zero_grad()

    def step(self) -> None:
        """Update every parameter that has a gradient (``p.has_grad``) from its ``.grad``.

        A parameter that no backward reached since the last ``zero_grad()`` is left alone:
        weight decay and momentum do not move it, as in PyTorch.

        >>> from autograd import Value
        >>> used, unused = Value(1.0), Value(1.0)
        >>> opt = SGD([used, unused], lr=0.1, momentum=0.9, weight_decay=0.5)
        >>> (used * 2).backward(); opt.step()
        >>> round(used.data, 10), unused.data
        (0.75, 1.0)
        """
        for group in self.param_groups:
            for index, p in enumerate(group["params"]):
                if not getattr(p, "requires_grad", True) or not getattr(p, "has_grad", True):
                    continue  # no gradient reached p: no decay, no momentum (as in PyTorch)
                grad = p.grad
                if np.shape(grad) != np.shape(p.data):
                    raise ValueError(f"{type(self).__name__}.step: gradient of shape "
                                     f"{np.shape(grad)} for a parameter of shape "
                                     f"{np.shape(p.data)}")
                if not np.all(np.isfinite(grad)):
                    label = getattr(p, "label", None) or f"#{index}"
                    warnings.warn(f"{type(self).__name__}.step: parameter {label} has a "
                                  "non-finite gradient; its update will be NaN/inf",
                                  RuntimeWarning, stacklevel=2)
                state = self.state.setdefault(id(p), {})
                new = self._update(p.data, grad, group, state)
                if _is_tensor(p.data):
                    p.data = np.asarray(new, dtype=p.data.dtype)
                else:
                    p.data = float(new)

    def _update(self, data: Any, grad: Any, group: dict[str, Any],
                state: dict[str, Any]) -> Any:
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue training, in PyTorch's layout: ``{"state": {index:
        {name: value}}, "param_groups": [{option: value, ..., "params": [index, ...]}]}``,
        parameters numbered 0, 1, ... in group order; values are copies.

        >>> from autograd import Value
        >>> w = Value([1.0, 2.0]); opt = SGD([w], lr=0.1, momentum=0.9)
        >>> w.grad = [1.0, 1.0]; opt.step()
        >>> sd = opt.state_dict()
        >>> sd["state"][0]["momentum_buffer"].tolist(), sd["param_groups"][0]["params"]
        ([1.0, 1.0], [0])
        """
        groups, state = [], {}
        index = 0
        for group in self.param_groups:
            numbers = []
            for p in group["params"]:
                if id(p) in self.state:
                    state[index] = {k: _copy(v) for k, v in self.state[id(p)].items()}
                numbers.append(index)
                index += 1
            groups.append({**{k: v for k, v in group.items() if k != "params"},
                           "params": numbers})
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned, for an optimizer over the same
        parameters in the same order (checked: group sizes and state shapes).

        Tensor state takes its parameter's dtype; 0-d integers (a step count) become ints and
        a scalar parameter's state becomes floats, so state read back from a file works too.

        >>> from autograd import Value
        >>> w = Value([1.0]); a = Adam([w], lr=0.1); w.grad = [2.0]; a.step()
        >>> b = Adam([w], lr=0.5); b.load_state_dict(a.state_dict())
        >>> b.state[id(w)]["step"], b.param_groups[0]["lr"]
        (1, 0.1)
        """
        name = type(self).__name__
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{name}.load_state_dict: the state has {len(saved_groups)} "
                             f"parameter group(s), this optimizer {len(self.param_groups)}")
        params = []
        for k, (saved, group) in enumerate(zip(saved_groups, self.param_groups, strict=True)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"{name}.load_state_dict: group {k} of the state has "
                                 f"{len(saved['params'])} parameters, this optimizer's has "
                                 f"{len(group['params'])}")
            params.extend(group["params"])
        state: dict[int, dict[str, Any]] = {}
        for index, entries in state_dict["state"].items():
            index = int(index)
            if not 0 <= index < len(params):
                raise ValueError(f"{name}.load_state_dict: state for parameter {index}, but "
                                 f"this optimizer has {len(params)} parameters")
            p = params[index]
            state[id(p)] = {key: _restore(name, index, key, value, p)
                            for key, value in entries.items()}
        for saved, group in zip(saved_groups, self.param_groups, strict=True):
            for key, value in saved.items():
                if key != "params":
                    current = group.get(key)
                    group[key] = tuple(value) if isinstance(current, tuple) else value
        self.state = state


def _copy(value: Any) -> Any:
    return np.array(value, copy=True) if _is_tensor(value) else value


def _restore(optimizer: str, index: int, key: str, value: Any, p: Any) -> Any:
    """One saved state value made fit for parameter ``p`` (see ``load_state_dict``)."""
    arr = np.asarray(value)
    if arr.ndim == 0 and arr.dtype.kind in "iu":
        return int(arr)
    if not _is_tensor(p.data):
        return float(arr)
    if arr.shape != p.data.shape:
        raise ValueError(f"{optimizer}.load_state_dict: {key!r} of parameter {index} has shape "
                         f"{arr.shape}, the parameter has shape {p.data.shape}")
    return np.array(arr, dtype=p.data.dtype, copy=True)


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's formulas.

    ``g = grad + weight_decay * p``; with momentum ``buf = momentum * buf + (1 - dampening) * g``
    (``buf = g`` on the first step), ``g = buf`` (or ``g + momentum * buf`` with Nesterov); then
    ``p -= lr * g``.

    >>> from autograd import Value
    >>> w = Value(1.0); opt = SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     w.grad = 1.0; opt.step()
    >>> round(w.data, 10)    # 1 - 0.1*1 - 0.1*1.9
    0.71
    """

    def __init__(self, params: Iterable[Any], lr: float, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0,
                 nesterov: bool = False) -> None:
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov}
        super().__init__(params, defaults)

    def _check(self, group: dict[str, Any]) -> None:
        super()._check(group)
        if not group["momentum"] >= 0:
            raise ValueError(f"SGD: momentum must be >= 0, got {group['momentum']}")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and dampening = 0, got "
                             f"momentum={group['momentum']}, dampening={group['dampening']}")

    def _update(self, data: Any, grad: Any, group: dict[str, Any],
                state: dict[str, Any]) -> Any:
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * data
        momentum = group["momentum"]
        if momentum:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = np.copy(grad) if _is_tensor(grad) else grad
            else:
                buf = momentum * buf + (1 - group["dampening"]) * grad
            state["momentum_buffer"] = buf
            grad = grad + momentum * buf if group["nesterov"] else buf
        return data - group["lr"] * grad


class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias correction, PyTorch's formulas.

    ``g = grad + weight_decay * p``; ``m = b1*m + (1-b1)*g``; ``v = b2*v + (1-b2)*g²``;
    ``p -= lr / (1 - b1**t) * m / (sqrt(v) / sqrt(1 - b2**t) + eps)``.

    >>> from autograd import Value
    >>> w = Value(1.0); opt = Adam([w], lr=0.1)
    >>> w.grad = 3.0; opt.step()
    >>> round(w.data, 6)     # the first step moves by lr, whatever the gradient's size
    0.9
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay}
        super().__init__(params, defaults)

    def _check(self, group: dict[str, Any]) -> None:
        super()._check(group)
        betas = group["betas"]
        if len(betas) != 2 or not all(0.0 <= b < 1.0 for b in betas):
            raise ValueError(f"{type(self).__name__}: betas must be two numbers in [0, 1), "
                             f"got {betas}")
        if not group["eps"] >= 0:
            raise ValueError(f"{type(self).__name__}: eps must be >= 0, got {group['eps']}")

    def _update(self, data: Any, grad: Any, group: dict[str, Any],
                state: dict[str, Any]) -> Any:
        beta1, beta2 = group["betas"]
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * data
        step = state.get("step", 0) + 1
        m = beta1 * state.get("exp_avg", 0.0) + (1 - beta1) * grad
        v = beta2 * state.get("exp_avg_sq", 0.0) + (1 - beta2) * grad * grad
        state.update(step=step, exp_avg=m, exp_avg_sq=v)
        step_size = group["lr"] / (1 - beta1**step)
        denom = np.sqrt(v) / math.sqrt(1 - beta2**step) + group["eps"]
        return data - step_size * m / denom


class LRScheduler:
    """Base class of learning-rate schedules: ``step()`` once per epoch, after training.

    Construction sets each group's ``initial_lr`` and applies epoch 0; ``get_last_lr()`` lists
    the current rate of every group (PyTorch's habits).

    >>> from autograd import Value
    >>> opt = SGD([Value(1.0)], lr=1.0)
    >>> sched = StepLR(opt, step_size=2, gamma=0.5)
    >>> rates = []
    >>> for _ in range(5):
    ...     rates.append(sched.get_last_lr()[0]); sched.step()
    >>> rates
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected an Optimizer, "
                            f"got {type(optimizer).__name__}")
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = -1
        self.step()

    def lr_at(self, epoch: int, base_lr: float) -> float:
        """The learning rate of a group starting at ``base_lr`` after ``epoch`` steps."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance one epoch and write the new rates into the optimizer's groups."""
        self.last_epoch += 1
        for group, base_lr in zip(self.optimizer.param_groups, self.base_lrs, strict=True):
            group["lr"] = self.lr_at(self.last_epoch, base_lr)

    def get_last_lr(self) -> list[float]:
        """The learning rate of every parameter group, as last set."""
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """The schedule's position and settings (every attribute but the optimizer).

        >>> from autograd import Value
        >>> sched = StepLR(SGD([Value(1.0)], lr=1.0), step_size=2); sched.step()
        >>> sched.state_dict()["last_epoch"]
        1
        """
        return {k: list(v) if isinstance(v, list) else v
                for k, v in vars(self).items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Continue the schedule from :meth:`state_dict` (the optimizer's rates are restored
        with the optimizer's own state).

        >>> from autograd import Value
        >>> a = StepLR(SGD([Value(1.0)], lr=1.0), step_size=1, gamma=0.5); a.step()
        >>> b = StepLR(SGD([Value(1.0)], lr=1.0), step_size=1, gamma=0.5)
        >>> b.load_state_dict(a.state_dict()); b.step(); b.get_last_lr()
        [0.25]
        """
        self.__dict__.update(state_dict)


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs.

    ``lr = base_lr * gamma ** (epoch // step_size)``.

    >>> from autograd import Value
    >>> sched = StepLR(SGD([Value(1.0)], lr=0.1), step_size=1, gamma=0.1)
    >>> sched.step(); round(sched.get_last_lr()[0], 12)
    0.01
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive int, got {step_size!r}")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer)

    def lr_at(self, epoch: int, base_lr: float) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from the base rate down to ``eta_min`` over ``T_max`` epochs.

    ``lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2`` (past ``T_max``
    the cosine climbs back up, as in PyTorch).

    >>> from autograd import Value
    >>> sched = CosineAnnealingLR(SGD([Value(1.0)], lr=1.0), T_max=2)
    >>> sched.step(); round(sched.get_last_lr()[0], 12)
    0.5
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        if isinstance(T_max, bool) or not isinstance(T_max, int) or T_max < 1:
            raise ValueError(f"CosineAnnealingLR: T_max must be a positive int, got {T_max!r}")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer)

    def lr_at(self, epoch: int, base_lr: float) -> float:
        cosine = (1 + math.cos(math.pi * epoch / self.T_max)) / 2
        return self.eta_min + (base_lr - self.eta_min) * cosine


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), PyTorch's formulas:
    ``p *= 1 - lr * weight_decay``, then the Adam step with the plain gradient.

    >>> from autograd import Value
    >>> w = Value(1.0); opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> w.grad = 3.0; opt.step()
    >>> round(w.data, 6)     # 1 * (1 - 0.1*0.5) - 0.1
    0.85
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    def _update(self, data: Any, grad: Any, group: dict[str, Any],
                state: dict[str, Any]) -> Any:
        decayed = data * (1 - group["lr"] * group["weight_decay"])
        return super()._update(decayed, grad, {**group, "weight_decay": 0.0}, state)
