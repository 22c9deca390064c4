"""`step(value)`: replay backward one node at a time, from zero gradients, and show it.

The stepper keeps its own record of gradients and never changes any ``.grad``: the steps
are the engine's pure backward walk (``autograd.graph.walk_backward``).  Iterating gives one
:class:`BackwardStep` per node in the order backward visits them; ``draw(i)`` pictures step
``i``; in a notebook the stepper shows as a self-contained HTML player.

>>> from autograd import Value, maximum
>>> x, y, z, w = (Value(v, label=n) for v, n in [(3.0, "x"), (-4.0, "y"), (2.0, "z"),
...                                               (-1.0, "w")])
>>> s = step(2 * (x * y + maximum(z, w)))
>>> [st.name for st in s][:3]
['2*((x*y)+max(z, w))', '(x*y)+max(z, w)', 'x*y']
>>> s.grad(x), x.grad
(-8.0, 0.0)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .digraph import Digraph
from .draw import Overlay, draw_overlay
from .errors import StepperGraphFreedError
from .escape import html_text
from .forward import ForwardStep, forward_steps
from .graphview import GraphView
from .labels import grad_cells
from .page import HtmlPage
from .rules import explain_sends, explain_tensor, expr_name, fork_text
from .summary import fmt, tensor_summary


@dataclass
class Sent:
    """What one input received at a step: its index, name, gradient, local derivative
    (scalars) and its running total after this step.

    >>> Sent(0, "x", -8.0, -4.0, -8.0).grad
    -8.0
    """

    parent: int
    name: str
    grad: Any
    local: float | None
    total: Any


@dataclass
class BackwardStep:
    """One node of the backward pass: its upstream gradient (and the uses it summed), the
    gate rule, and what it sent to each input.

    ``str(step)`` is the explanation in words and numbers.

    >>> from autograd import Value
    >>> print(Stepper(Value(3.0, label="x") * 2)[0].title)
    Step 1: x*2 — mul (mul gate: swaps)
    """

    index: int
    value_index: int
    node: Any
    name: str
    op: str | None
    family: str | None
    upstream: Any
    parts: list[Any]
    sent: list[Sent] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    per_use: list[Any] = field(default_factory=list)

    @property
    def title(self) -> str:
        """``Step 3: x*y — mul (mul gate: swaps)``."""
        if self.op is None:
            return f"Step {self.index + 1}: {self.name} — leaf"
        rule = self.node.gate.rule_label
        return f"Step {self.index + 1}: {self.name} — {self.op} ({self.family} gate: {rule})"

    def __str__(self) -> str:
        return "\n".join([self.title, *("  " + line for line in self.lines)])


class Stepper(HtmlPage):
    """The backward pass of ``value``, step by step; see :func:`step`.  ``params`` (a module,
    dict or pairs) names and marks the parameters, as for :func:`viz.draw`.

    >>> from autograd import Value
    >>> a = Value(3.0, label="a")
    >>> s = Stepper(a * a)
    >>> len(s), s[0].sent[0].grad, s.grad(a)
    (2, 3.0, 6.0)
    """

    def __init__(self, value: Any, grad: Any = None, *, rankdir: str | None = None,
                 theme: Any = "light", max_frames: int = 400, forward: bool = False,
                 params: Any = None):
        from autograd import GraphFreedError
        from autograd.graph import local_backward, walk_backward

        if not getattr(value, "requires_grad", False):
            raise ValueError("viz.step: this Value does not require grad, so backward has "
                             "nothing to do (made from constants or inside no_grad())")
        self.root = value
        self.view = GraphView(value, params)
        self.forward_steps: list[ForwardStep] = forward_steps(self.view) if forward else []
        self.rankdir, self.theme, self.max_frames = rankdir, theme, max_frames
        m = self.view
        record: dict[int, Any] = {}
        parts: dict[int, list[Any]] = {len(m) - 1: []}
        self.steps: list[BackwardStep] = []
        self._updates: list[dict[int, Any]] = []
        try:
            walk = list(walk_backward(value, grad))
        except GraphFreedError as err:
            raise StepperGraphFreedError(err.op) from None
        for k, (node, up, sent_tuple) in enumerate(walk):
            i = m.index[id(node)]
            record[i] = up
            gate = node.gate
            st = BackwardStep(k, i, node, expr_name(m, i), gate and gate.name,
                              gate and gate.family, up, parts.get(i, []))
            updates: dict[int, Any] = {i: up} if k == 0 else {}
            if gate is not None:
                sent = list(sent_tuple)
                st.per_use = sent
                scalar = node.is_scalar and all(p.is_scalar for p in node.parents)
                local = list(local_backward(node, 1.0)) if scalar else [None] * len(sent)
                for pos, (p, g) in enumerate(zip(m.parents(i), sent, strict=True)):
                    if g is None:
                        continue
                    record[p] = g if p not in record else record[p] + g
                    parts.setdefault(p, []).append(g)
                    updates[p] = record[p]
                    st.sent.append(Sent(p, expr_name(m, p), g, local[pos], record[p]))
                st.lines = (explain_sends(m, i, up, sent, local) if scalar
                            else explain_tensor(m, i, up, sent))
            else:
                total = fmt(up) if node.is_scalar else tensor_summary(up).text()
                st.lines = [f"{st.name} is a leaf: backward stops here; its gradient is "
                            f"complete: {total}"]
            if len(st.parts) > 1:
                st.lines.insert(0, fork_text(st.name, st.parts, up))
            self.steps.append(st)
            self._updates.append(updates)
        self._record = record

    # ------------------------------------------------------------------ sequence
    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[BackwardStep]:
        return iter(self.steps)

    def __getitem__(self, i: int) -> BackwardStep:
        return self.steps[i]

    def __repr__(self) -> str:
        return f"<viz.Stepper: {len(self)} backward steps from {self.steps[0].name!r}>"

    def grad(self, value: Any) -> Any:
        """The gradient the replay gave ``value`` (its ``.grad`` is never touched)."""
        i = self.view.index.get(id(value))
        if i is None:
            raise KeyError("viz.Stepper.grad: this Value is not part of the graph")
        g = self._record.get(i)
        if g is None:
            return 0.0 if value.is_scalar else np.zeros(value.shape, value.dtype)
        return g

    def text(self) -> str:
        """Every step's explanation, one after another (the forward steps first, if any)."""
        return "\n".join(str(s) for s in [*self.forward_steps, *self.steps])

    # ------------------------------------------------------------------ frames
    def overlay(self, k: int) -> Overlay:
        """The picture state after step ``k``: states, gradients known, gradients sent."""
        if not -len(self) <= k < len(self):
            raise IndexError(f"viz.Stepper: step {k} out of range for {len(self)} steps")
        k %= len(self)
        grads: dict[int, Any] = {}
        for upd in self._updates[: k + 1]:
            grads.update(upd)
        sent: dict[tuple[int, int], Any] = {}
        for s in self.steps[: k + 1]:
            for pos, g in enumerate(s.per_use):
                if g is not None:
                    sent[(s.value_index, pos)] = g
        return Overlay(self.states(k + 1)[k], grads, sent)

    def states(self, n: int | None = None) -> list[list[str]]:
        """Node states ('pending', 'reached', 'current', 'done') for the first ``n`` steps.

        Values that backward never visits (constants, inputs without grad) count as done.
        """
        n = len(self) if n is None else n
        visited = {s.value_index for s in self.steps}
        state = ["done" if i not in visited else "pending" for i in range(len(self.view))]
        out = []
        for k in range(n):
            if k:
                state[self.steps[k - 1].value_index] = "done"
            for i in self._updates[k]:
                if state[i] == "pending":
                    state[i] = "reached"
            state[self.steps[k].value_index] = "current"
            out.append(list(state))
        return out

    def draw(self, k: int) -> Digraph:
        """Step ``k`` as a picture: current node highlighted, unreached nodes greyed, the
        gradients known so far in the value boxes and on the edges."""
        st = self.steps[k % len(self)]
        title = f"{st.title} — step {st.index + 1} of {len(self)}\n" + "\n".join(st.lines)
        return draw_overlay(self.view, self.overlay(k), rankdir=self.rankdir,
                            theme=self.theme, title=title)

    def grad_texts(self) -> list[dict[int, list[str]]]:
        """Per frame, the gradient-cell texts that change at that frame."""
        out = []
        for upd in self._updates:
            out.append({i: grad_cells(g, self.view.values[i].is_scalar)
                        for i, g in upd.items()})
        return out

    # ------------------------------------------------------------------ player
    def to_html(self, full_page: bool = False) -> str:
        """The HTML player (a fragment, or a whole page with ``full_page=True``); with forward
        steps, the player of both passes (:func:`viz.train_html.pass_player_html`)."""
        if self.forward_steps:
            from .train_html import pass_player_html

            return pass_player_html(self, full_page=full_page)
        from .player import player_html

        return player_html(self, full_page=full_page)

    def _without_graphviz(self) -> str:
        return (f"<details><summary>the {len(self)} backward steps in words</summary>"
                f"<pre>{html_text(self.text())}</pre></details>")


def step(value: Any, grad: Any = None, *, rankdir: str | None = None, theme: Any = "light",
         max_frames: int = 400, forward: bool = False) -> Stepper:
    """A backward stepper for ``value`` (works before or after ``value.backward()``).

    ``grad`` seeds the output's gradient (default 1 for a scalar / one-element output).
    The HTML player holds at most ``max_frames`` steps.  With ``forward=True`` the stepper
    first shows the forward pass, gate by gate (``stepper.forward_steps``), and its player
    has both phases.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> print(step(x.tanh())[0])  # doctest: +NORMALIZE_WHITESPACE
    Step 1: tanh(x) — tanh (local gate: local derivative)
      upstream gradient 1.00 arrives; the tanh gate multiplies it by its local derivative:
      x gets 1 - tanh² = 0.0707 × upstream 1.00 = 0.0707
    """
    return Stepper(value, grad, rankdir=rankdir, theme=theme, max_frames=max_frames,
                   forward=forward)
