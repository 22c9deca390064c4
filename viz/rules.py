"""Gate rules in words and numbers, for the backward stepper.

For scalar nodes every input's *local derivative* is known (``local_backward(node, 1.0)``),
so a step reads like the course: ``mul gate swaps: x gets -4.00 (the other input) × upstream
2.00 = -8.00``.  Tensor nodes are described with shapes and norms.

>>> from autograd import Value
>>> from viz.model import GraphModel
>>> x, y = Value(3.0, label="x"), Value(-4.0, label="y")
>>> m = GraphModel(x * y)
>>> explain_sends(m, 2, 2.0, [-8.0, 6.0], [-4.0, 3.0])[1]
'x gets -4.00 (the other input, y) × upstream 2.00 = -8.00'
"""

from __future__ import annotations

import re
from typing import Any

from .model import GraphModel
from .summary import fmt, fmt_shape, tensor_summary

SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**", "matmul": "@"}

LOCAL_FORMULAS = {
    "exp": "exp(x)",
    "log": "1/x",
    "tanh": "1 - tanh²",
    "sigmoid": "σ·(1 - σ)",
    "neg": "-1",
}

FAMILY_TENSOR_RULES = {
    "add": "passes the upstream gradient to every input unchanged (only summed, reshaped or "
           "permuted back to the input's shape)",
    "mul": "swaps: each input gets the upstream gradient combined with the other input",
    "max": "routes the upstream gradient to the winning entries; the others get 0",
    "local": "multiplies the upstream gradient by its local derivative",
}


def expr_name(model: GraphModel, i: int, limit: int = 22) -> str:
    """A readable name: the label, else a short expression (``x*y``), else ``op #i``.

    Names are worked out once per model (in topological order) and cached on it.

    >>> from autograd import Value, maximum
    >>> z, w = Value(2.0, label="z"), Value(1.0, label="w")
    >>> m = GraphModel(maximum(z, w) * 2)
    >>> expr_name(m, 2), expr_name(m, 4)
    ('max(z, w)', 'max(z, w)*2')
    """
    cache = model.__dict__.setdefault("_expr_names", {})
    if limit not in cache:
        cache[limit] = _expr_names(model, limit)
    return cache[limit][i]


def _expr_names(model: GraphModel, limit: int) -> list[str]:
    names: list[str] = []
    for j, v in enumerate(model.values):
        name = model.name(j)
        if name is None and v.gate is None:
            name = f"{v.data:.3g}" if v.is_scalar else f"{model.kinds[j]} #{j}"
        elif name is None:
            args = [names[p] for p in model.parents(j)]
            op = v.gate.name
            if op in SYMBOLS and len(args) == 2:
                name = f"{_wrap(args[0])}{SYMBOLS[op]}{_wrap(args[1])}"
            elif op == "maximum":
                name = f"max({', '.join(args)})"
            elif op == "neg" and len(args) == 1:
                name = f"-{_wrap(args[0])}"
            elif op == "pow" and len(args) == 1:
                name = f"{_wrap(args[0])}**{getattr(v.gate, 'exponent', '?'):g}"
            else:
                name = f"{op}({', '.join(args)})"
            if len(name) > limit:
                name = f"{op} #{j}"
        names.append(name)
    return names


def _wrap(name: str) -> str:
    """Parenthesise a compound name unless it is a word, a number or one call ``f(...)``."""
    if "#" in name or re.fullmatch(r"-?[\w.]+", name):
        return name
    head = re.match(r"[\w.]+\(", name)
    if head and name.endswith(")"):
        depth = 0
        for k, c in enumerate(name[head.end() - 1:], head.end() - 1):
            depth += {"(": 1, ")": -1}.get(c, 0)
            if depth == 0:
                if k == len(name) - 1:
                    return name
                break
    return f"({name})"


def _formula(op: str, gate: Any, pos: int, n_inputs: int) -> str | None:
    if op == "pow" and n_inputs == 1:
        n = getattr(gate, "exponent", None)
        return None if n is None else f"{n:g}·x^{n - 1:g}"
    if op == "pow":
        return "b·a^(b-1)" if pos == 0 else "a^b·ln(a)"
    if op == "div":
        return "1/b" if pos == 0 else "-a/b²"
    return LOCAL_FORMULAS.get(op)


def explain_sends(model: GraphModel, i: int, up: float, sent: list[Any],
                  local: list[Any]) -> list[str]:
    """Scalar node ``i``: a headline with the gate rule, then one line per input.

    ``sent[j]`` is what input ``j`` received (None: it needs no gradient) and ``local[j]``
    its local derivative.

    >>> from autograd import Value
    >>> a = Value(2.0, label="a")
    >>> explain_sends(GraphModel(a + 1), 2, 1.0, [1.0, None], [1.0, 1.0])[1:]
    ['a gets upstream 1.00 unchanged', '1 needs no gradient (constant): nothing sent']
    """
    v = model.values[i]
    op, family = v.gate.name, getattr(v.gate, "family", "local")
    parents = model.parents(i)
    names = [expr_name(model, p) for p in parents]
    data = [model.values[p].data for p in parents]
    lines = [f"upstream gradient {fmt(up)} arrives; the {op} gate {_rule_word(family)}:"]
    if family == "max" and op == "maximum" and len(parents) == 2:
        win = 0 if local[0] else 1
        lines[0] = (f"upstream gradient {fmt(up)} arrives; the {op} gate routes it to the "
                    f"winner: {names[win]} ({fmt(data[win])}) beats {names[1 - win]} "
                    f"({fmt(data[1 - win])})")
    for j, (name, g, d) in enumerate(zip(names, sent, local, strict=True)):
        if g is None:
            lines.append(f"{name} needs no gradient (constant): nothing sent")
        elif family == "add" and d == 1.0:
            lines.append(f"{name} gets upstream {fmt(up)} unchanged")
        elif family == "add" and d == -1.0:
            lines.append(f"{name} gets -upstream = {fmt(g)}")
        elif family == "mul" and op == "mul" and len(parents) == 2:
            other = names[1 - j]
            lines.append(f"{name} gets {fmt(d)} (the other input, {other}) × upstream "
                         f"{fmt(up)} = {fmt(g)}")
        elif family == "max":
            if op == "relu":
                verdict = "> 0 so it passes" if d else "≤ 0 so it blocks"
                lines.append(f"{name} = {fmt(data[j])} {verdict}: gets {fmt(g)}")
            elif d:
                lines.append(f"{name} wins: gets all of upstream {fmt(up)}")
            else:
                lines.append(f"{name} loses: gets 0")
        else:
            formula = _formula(op, v.gate, j, len(parents))
            what = f"{formula} = {fmt(d)}" if formula else f"local derivative {fmt(d)}"
            lines.append(f"{name} gets {what} × upstream {fmt(up)} = {fmt(g)}")
    return lines


def explain_tensor(model: GraphModel, i: int, up: Any, sent: list[Any]) -> list[str]:
    """Tensor node ``i``: the gate rule in words, then each input's gradient as a summary.

    >>> import numpy as np
    >>> from autograd import Value
    >>> t = Value(np.ones(2), label="t")
    >>> explain_tensor(GraphModel(t.sum()), 1, np.float64(1.0), [np.ones(2)])[2]
    't gets 2: ‖·‖ 1.41 · mean|x| 1.00 · max|x| 1.00'
    """
    v = model.values[i]
    op, family = v.gate.name, getattr(v.gate, "family", "local")
    up_shape = () if isinstance(up, float) else getattr(up, "shape", ())
    lines = [f"upstream gradient {fmt_shape(up_shape)} arrives: {tensor_summary(up).text()}",
             f"the {op} gate {FAMILY_TENSOR_RULES.get(family, family)}:"]
    for p, g in zip(model.parents(i), sent, strict=True):
        name = expr_name(model, p)
        if g is None:
            lines.append(f"{name} needs no gradient: nothing sent")
        else:
            shape = fmt_shape(getattr(g, "shape", ()))
            lines.append(f"{name} gets {shape}: {tensor_summary(g).text()}")
    return lines


def _rule_word(family: str) -> str:
    return {"add": "distributes it", "mul": "swaps", "max": "routes it",
            "local": "multiplies it by its local derivative"}.get(family, family)


def fork_text(name: str, parts: list[Any], total: Any) -> str:
    """How a value's gradient was summed over its uses (a fork in the graph).

    >>> fork_text("a", [3.0, 3.0], 6.0)
    'a is used 2 times: its gradient sums them: 3.00 + 3.00 = 6.00'
    """
    if all(isinstance(p, float) for p in parts):
        terms = " + ".join(fmt(p) for p in parts)
        return f"{name} is used {len(parts)} times: its gradient sums them: {terms} = {fmt(total)}"
    return (f"{name} is used {len(parts)} times: its gradient is the sum of {len(parts)} "
            f"contributions: {tensor_summary(total).text()}")
