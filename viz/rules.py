"""Gate rules in words and numbers, for the backward stepper.

The words come from the gates themselves (``gate.rule_action``, ``gate.tensor_rule``,
``gate.local_formula``, ``gate.expression``): there is no table of ops here.

For scalar nodes every input's *local derivative* is known (``local_backward(node, 1.0)``),
so a step reads like the course: ``mul gate swaps: x gets -4.00 (the other input) × upstream
2.00 = -8.00``.  Tensor nodes are described with shapes and norms.

>>> from autograd import Value
>>> from viz.graphview import GraphView
>>> x, y = Value(3.0, label="x"), Value(-4.0, label="y")
>>> m = GraphView(x * y)
>>> explain_sends(m, 2, 2.0, [-8.0, 6.0], [-4.0, 3.0])[1]
'x gets -4.00 (the other input, y) × upstream 2.00 = -8.00'
"""

from __future__ import annotations

from typing import Any

from autograd.gate import ADD, MAX, MUL

from .graphview import GraphView
from .summary import fmt, fmt_shape, tensor_summary


def expr_name(view: GraphView, i: int, limit: int = 22) -> str:
    """A readable name: the label, else a short expression (``x*y``), else ``op #i``.

    Names are worked out once per view (in topological order) and cached on it.

    >>> from autograd import Value, maximum
    >>> z, w = Value(2.0, label="z"), Value(1.0, label="w")
    >>> m = GraphView(maximum(z, w) * 2)
    >>> expr_name(m, 2), expr_name(m, 4)
    ('max(z, w)', 'max(z, w)*2')
    """
    cache = view.__dict__.setdefault("_expr_names", {})
    if limit not in cache:
        cache[limit] = _expr_names(view, limit)
    return cache[limit][i]


def _expr_names(view: GraphView, limit: int) -> list[str]:
    names: list[str] = []
    for j, v in enumerate(view.values):
        name = view.name(j)
        if name is None and v.gate is None:
            name = f"{v.data:.3g}" if v.is_scalar else f"{view.kinds[j]} #{j}"
        elif name is None:
            name = v.gate.expression([names[p] for p in view.parents(j)])
            if len(name) > limit:
                name = f"{v.gate.name} #{j}"
        names.append(name)
    return names


def explain_sends(view: GraphView, i: int, up: float, sent: list[Any],
                  local: list[Any]) -> list[str]:
    """Scalar node ``i``: a headline with the gate rule, then one line per input.

    ``sent[j]`` is what input ``j`` received (None: it needs no gradient) and ``local[j]``
    its local derivative.

    >>> from autograd import Value
    >>> a = Value(2.0, label="a")
    >>> explain_sends(GraphView(a + 1), 2, 1.0, [1.0, None], [1.0, 1.0])[1:]
    ['a gets upstream 1.00 unchanged', '1 needs no gradient (constant): nothing sent']
    """
    gate = view.values[i].gate
    op, family = gate.name, gate.family
    parents = view.parents(i)
    names = [expr_name(view, p) for p in parents]
    data = [view.values[p].data for p in parents]
    lines = [f"upstream gradient {fmt(up)} arrives; the {op} gate {gate.rule_action}:"]
    if family == MAX and len(parents) == 2:
        win = 0 if local[0] else 1
        lines[0] = (f"upstream gradient {fmt(up)} arrives; the {op} gate routes it to the "
                    f"winner: {names[win]} ({fmt(data[win])}) beats {names[1 - win]} "
                    f"({fmt(data[1 - win])})")
    for j, (name, g, d) in enumerate(zip(names, sent, local, strict=True)):
        if g is None:
            lines.append(f"{name} needs no gradient (constant): nothing sent")
        elif family == ADD and d == 1.0:
            lines.append(f"{name} gets upstream {fmt(up)} unchanged")
        elif family == ADD and d == -1.0:
            lines.append(f"{name} gets -upstream = {fmt(g)}")
        elif family == MUL and len(parents) == 2:
            other = names[1 - j]
            lines.append(f"{name} gets {fmt(d)} (the other input, {other}) × upstream "
                         f"{fmt(up)} = {fmt(g)}")
        elif family == MAX:
            if gate.routes is not None:
                verdict = gate.routes[0] if d else gate.routes[1]
                lines.append(f"{name} = {fmt(data[j])} {verdict}: gets {fmt(g)}")
            elif d:
                lines.append(f"{name} wins: gets all of upstream {fmt(up)}")
            else:
                lines.append(f"{name} loses: gets 0")
        else:
            formula = gate.local_formula(j)
            what = f"{formula} = {fmt(d)}" if formula else f"local derivative {fmt(d)}"
            lines.append(f"{name} gets {what} × upstream {fmt(up)} = {fmt(g)}")
    return lines


def explain_tensor(view: GraphView, i: int, up: Any, sent: list[Any]) -> list[str]:
    """Tensor node ``i``: the gate rule in words, then each input's gradient as a summary.

    >>> import numpy as np
    >>> from autograd import Value
    >>> t = Value(np.ones(2), label="t")
    >>> explain_tensor(GraphView(t.sum()), 1, np.float64(1.0), [np.ones(2)])[2]
    't gets 2: ‖·‖ 1.41 · mean|x| 1.00 · max|x| 1.00'
    """
    gate = view.values[i].gate
    up_shape = () if isinstance(up, float) else getattr(up, "shape", ())
    lines = [f"upstream gradient {fmt_shape(up_shape)} arrives: {tensor_summary(up).text()}",
             f"the {gate.name} gate {gate.tensor_rule}:"]
    for p, g in zip(view.parents(i), sent, strict=True):
        name = expr_name(view, p)
        if g is None:
            lines.append(f"{name} needs no gradient: nothing sent")
        else:
            shape = fmt_shape(getattr(g, "shape", ()))
            lines.append(f"{name} gets {shape}: {tensor_summary(g).text()}")
    return lines


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
