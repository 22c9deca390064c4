"""The update phase of a training step: what the optimiser did to every parameter, in numbers.

Each row is one parameter (or one entry of a tensor parameter): its value before the step,
its gradient, its value after, and the update rule with the numbers plugged in.  The rule is
read from the optimiser that ran (its hyper-parameters and the state it kept: a momentum
buffer, Adam's moment estimates); the new value is always the one the optimiser wrote.

>>> from autograd import Value
>>> from layers import SGD
>>> w = Value(2.0, label="w"); opt = SGD([w], lr=0.1)
>>> (w * w).backward(); before = snapshot(opt); opt.step()
>>> print(update_rows(opt, before, {})[0].formula)
2.00 − 0.100·4.00 = 1.60
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .summary import fmt


@dataclass
class ParamUpdate:
    """One parameter entry's update: ``name`` (``w`` or ``0.weight[1, 0]``), the numbers
    before and after, the gradient, and the rule with the numbers in it.

    >>> ParamUpdate("w", 2.0, 4.0, 1.6, "2.00 − 0.100·4.00 = 1.60").delta
    -0.3999999999999999
    """

    name: str
    old: float
    grad: float
    new: float
    formula: str

    @property
    def delta(self) -> float:
        """What the step added: ``new − old``."""
        return self.new - self.old


def optimizer_params(optimizer: Any) -> list[Any]:
    """Every parameter the optimiser updates, group by group.

    >>> from autograd import Value
    >>> from layers import SGD
    >>> len(optimizer_params(SGD([Value(1.0), Value(2.0)], lr=0.1)))
    2
    """
    return [p for group in optimizer.param_groups for p in group["params"]]


def snapshot(optimizer: Any) -> dict[int, tuple[Any, Any]]:
    """Each parameter's data and gradient just before ``optimizer.step()`` (copies).

    >>> from autograd import Value
    >>> from layers import SGD
    >>> w = Value(2.0); w.grad = 4.0
    >>> [tuple(map(float, pair)) for pair in snapshot(SGD([w], lr=0.1)).values()]
    [(2.0, 4.0)]
    """
    return {id(p): (np.array(p.data, copy=True), np.array(p.grad, copy=True))
            for p in optimizer_params(optimizer)}


def _term(x: float) -> str:
    """A number as a factor: negatives in parentheses.

    >>> _term(0.5), _term(-8.0)
    ('0.500', '(-8.00)')
    """
    return fmt(x) if not fmt(x).startswith("-") else f"({fmt(x)})"


def _rule(optimizer: Any, group: dict[str, Any], state: dict[str, Any], at: Any,
          old: float, grad: float, new: float) -> str:
    """The update of one number as the optimiser computed it (``at`` indexes the state)."""
    def entry(key: str) -> float:
        return float(np.asarray(state[key])[at])

    lr = group.get("lr")
    tail = f" = {fmt(new)}"
    if "exp_avg" in state and "exp_avg_sq" in state and "betas" in group:
        b1, b2 = group["betas"]
        t = state["step"]
        m_hat = entry("exp_avg") / (1 - b1**t)
        v_hat = entry("exp_avg_sq") / (1 - b2**t)
        start = fmt(old)
        if type(optimizer).__name__ == "AdamW" and group.get("weight_decay"):
            start = f"(1 − {fmt(lr)}·{fmt(group['weight_decay'])})·{fmt(old)}"
        step = lr * m_hat / (math.sqrt(v_hat) + group["eps"])
        return (f"Adam step {t}: m̂ = {fmt(m_hat)}, v̂ = {fmt(v_hat)}; {start} − "
                f"{fmt(lr)}·m̂/(√v̂ + ε) = {start} − {_term(step)}{tail}")
    g = grad
    decay = ""
    if group.get("weight_decay"):
        g = grad + group["weight_decay"] * old
        decay = f"g = grad + {fmt(group['weight_decay'])}·old = {fmt(g)}; "
    if "momentum_buffer" in state and lr is not None:
        v = entry("momentum_buffer")
        mu = group["momentum"]
        if group.get("nesterov"):
            return (f"{decay}velocity v = {fmt(v)}; {fmt(old)} − {fmt(lr)}·(g + {fmt(mu)}·v)"
                    f"{tail}")
        return (f"{decay}velocity v = {fmt(mu)}·v + g = {fmt(v)}; {fmt(old)} − {fmt(lr)}·"
                f"{_term(v)}{tail}")
    if lr is not None and not state and "momentum" in group:
        return f"{decay}{fmt(old)} − {fmt(lr)}·{_term(g)}{tail}"
    return f"{fmt(old)} + {_term(new - old)} (the optimiser's step){tail}"


def update_rows(optimizer: Any, before: dict[int, tuple[Any, Any]], names: dict[int, str],
                max_entries: int = 64) -> list[ParamUpdate]:
    """One :class:`ParamUpdate` per parameter entry (at most ``max_entries`` per tensor),
    from the data and gradients ``before`` the step (:func:`snapshot`) and what it wrote.

    ``names`` maps ``id(parameter)`` to its name; others use their label or ``param k``.

    >>> import numpy as np
    >>> from autograd import Value
    >>> from layers import SGD
    >>> w = Value(np.array([1.0, 2.0])); opt = SGD([w], lr=0.5)
    >>> w.grad = np.array([2.0, -2.0]); before = snapshot(opt); opt.step()
    >>> [(r.name, r.new) for r in update_rows(opt, before, {id(w): "w"})]
    [('w[0]', 0.0), ('w[1]', 3.0)]
    """
    rows: list[ParamUpdate] = []
    k = 0
    for group in optimizer.param_groups:
        for p in group["params"]:
            k += 1
            old_all, grad_all = before[id(p)]
            new_all = np.asarray(p.data)
            name = names.get(id(p)) or (str(p.label) if p.label else f"param {k}")
            state = optimizer.state.get(id(p), {})
            for at in list(np.ndindex(old_all.shape))[:max_entries]:
                old, grad, new = (float(old_all[at]), float(grad_all[at]),
                                  float(new_all[at]))
                label = f"{name}[{', '.join(map(str, at))}]" if at else name
                rows.append(ParamUpdate(label, old, grad, new,
                                        _rule(optimizer, group, state, at, old, grad, new)))
    return rows
