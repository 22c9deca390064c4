"""Frames of a pass through a graph — forward, backward, update — recorded as differences.

A :class:`FrameWriter` holds the picture as it stands (a state per value: pending, reached,
current, done; the texts of every data and gradient cell); each :meth:`FrameWriter.emit`
stores only what changed since the frame before, with its caption.  :func:`write_pass` adds
the forward frames (values appear gate by gate, or layer by layer for big graphs) and the
backward frames of one graph (the stepper's per-node gate rules, or a layer at a time).

>>> from autograd import Value
>>> from viz.step import Stepper
>>> x = Value(3.0, label="x")
>>> s = Stepper(x * 2)
>>> w = FrameWriter(len(s.view))
>>> write_pass(w, s, "node")
>>> [(f.phase, f.current) for f in w.frames]
[(0, [2]), (1, [2]), (1, [0])]
>>> w.frames[0].data
{0: ['data 3.00'], 2: ['data 6.00']}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .escape import html_text
from .forward import ForwardStep, forward_steps
from .labels import data_cells, grad_cells
from .player import STATE_CODES, step_caption
from .summary import fmt

PHASES = ("forward", "backward", "update")
"""The phases of a training step, in order; a frame's ``phase`` indexes this."""

NODE_DETAIL_LIMIT = 60
"""Above this many gates a graph's passes are shown a layer at a time."""

CAPTION_ITEMS = 6
"""How many nodes a layer-at-a-time caption explains before it says how many more."""


@dataclass
class Frame:
    """One frame: its phase (index into :data:`PHASES`), iteration, caption (HTML), the
    values highlighted, and what changed: node states (letters), data and gradient cells,
    and the gradient written on each edge ``(child, position)`` (scalar graphs).

    >>> Frame(0, 0, "<b>x</b>", [1]).states
    {}
    """

    phase: int
    iteration: int
    caption: str
    current: list[int]
    states: dict[int, str] = field(default_factory=dict)
    data: dict[int, list[str]] = field(default_factory=dict)
    grads: dict[int, list[str]] = field(default_factory=dict)
    edges: dict[tuple[int, int], list[str]] = field(default_factory=dict)


class FrameWriter:
    """The picture over ``n`` values as it stands, and the frames recorded so far.

    Set :attr:`state`, :attr:`data`, :attr:`grads` and :attr:`edges`, then :meth:`emit`;
    the writer also keeps the widest text each cell and edge label ever shows (the layout
    reserves that much room).

    >>> w = FrameWriter(1); w.data[0] = ["data 1.00"]; w.emit(0, "one", [0])
    >>> w.data[0] = ["data 10.00"]; w.emit(0, "two", [0]); w.frames[1].data, w.widest_data
    ({0: ['data 10.00']}, {0: ['data 10.00']})
    """

    def __init__(self, n: int):
        self.n = n
        self.state = ["d"] * n
        self.data: dict[int, list[str]] = {}
        self.grads: dict[int, list[str]] = {}
        self.edges: dict[tuple[int, int], list[str]] = {}
        self.iteration = 0
        self.frames: list[Frame] = []
        self.widest_data: dict[int, list[str]] = {}
        self.widest_grads: dict[int, list[str]] = {}
        self.widest_edges: dict[tuple[int, int], list[str]] = {}
        self._state: list[str] = []
        self._data: dict[int, list[str]] = {}
        self._grads: dict[int, list[str]] = {}
        self._edges: dict[tuple[int, int], list[str]] = {}

    @staticmethod
    def _changes(now: dict[Any, list[str]], before: dict[Any, list[str]],
                 widest: dict[Any, list[str]]) -> dict[Any, list[str]]:
        out = {}
        for i, texts in now.items():
            if before.get(i) != texts:
                out[i] = list(texts)
                best = widest.setdefault(i, list(texts))
                for j, t in enumerate(texts):
                    if len(t) > len(best[j]):
                        best[j] = t
        return out

    def emit(self, phase: int, caption: str, current: list[int]) -> None:
        """Record a frame of ``phase`` with ``caption`` (HTML) highlighting ``current``."""
        states = {i: s for i, s in enumerate(self.state)
                  if not self._state or self._state[i] != s}
        frame = Frame(phase, self.iteration, caption, list(current), states,
                      self._changes(self.data, self._data, self.widest_data),
                      self._changes(self.grads, self._grads, self.widest_grads),
                      self._changes(self.edges, self._edges, self.widest_edges))
        self.frames.append(frame)
        self._state = list(self.state)
        self._data = {i: list(t) for i, t in self.data.items()}
        self._grads = {i: list(t) for i, t in self.grads.items()}
        self._edges = {k: list(t) for k, t in self.edges.items()}


def levels(view: Any) -> list[int]:
    """Each value's layer: a gate one past its deepest input; a leaf just before its first
    use (so that a pass a layer at a time meets it where it is needed).

    >>> from autograd import Value
    >>> from viz.graphview import GraphView
    >>> a, b = Value(1.0, label="a"), Value(2.0, label="b")
    >>> levels(GraphView((a * a + 1) * b))
    [0, 1, 1, 2, 2, 3]
    """
    out = [0] * len(view)
    for i, v in enumerate(view.values):
        if v.gate is not None:
            out[i] = 1 + max((out[p] for p in view.parents(i)), default=0)
    for i, v in enumerate(view.values):
        if v.gate is None and view.uses[i]:
            out[i] = max(0, min(out[c] for c, _ in view.uses[i]) - 1)
    return out


def _items(lines: list[str]) -> str:
    shown = "".join(f"<li>{line}</li>" for line in lines[:CAPTION_ITEMS])
    more = len(lines) - CAPTION_ITEMS
    if more > 0:
        shown += f"<li><i>… and {more} more in this layer</i></li>"
    return f"<ul>{shown}</ul>"


def _caption(title: str, lines: list[str]) -> str:
    return f"<b>{html_text(title)}</b>" + _items([html_text(x) for x in lines])


def _start_forward(writer: FrameWriter, view: Any) -> None:
    """Reset the picture for a new forward pass: leaves show their data, gates ``?``, and no
    gradient is known yet (no edge carries one)."""
    writer.grads = {}
    for c, v in enumerate(view.values):
        for pos, p in enumerate(view.parents(c) if v.gate is not None else ()):
            parent = view.values[p]
            if parent.is_scalar and parent.requires_grad:
                writer.edges[(c, pos)] = [""]
    for i, v in enumerate(view.values):
        if view.kinds[i] == "const":
            writer.state[i] = "d"
            continue
        known = v.gate is None
        writer.state[i] = "d" if known else "p"
        writer.data[i] = data_cells(v.data if known else None, v.is_scalar)
        if v.requires_grad:
            writer.grads[i] = grad_cells(None, v.is_scalar)


def _write_forward(writer: FrameWriter, view: Any, steps: list[ForwardStep], detail: str,
                  intro: str = "") -> None:
    """Forward frames: one per gate (``detail="node"``) or one per layer (``"layer"``)."""
    groups: list[list[ForwardStep]]
    if detail == "node":
        groups = [[s] for s in steps]
    else:
        lv = levels(view)
        by: dict[int, list[ForwardStep]] = {}
        for s in steps:
            by.setdefault(lv[s.value_index], []).append(s)
        groups = [by[k] for k in sorted(by)]
    previous: list[int] = []
    for k, group in enumerate(groups):
        for i in previous:
            writer.state[i] = "d"
        current = [s.value_index for s in group]
        for i in current:
            v = view.values[i]
            writer.state[i] = "c"
            writer.data[i] = data_cells(v.data, v.is_scalar)
        if detail == "node":
            caption = _caption(group[0].title, [group[0].line])
        else:
            caption = _caption(f"Forward, layer {k + 1} of {len(groups)}: {len(group)} gate"
                               f"{'s' * (len(group) > 1)} compute", [s.line for s in group])
        writer.emit(0, (intro if k == 0 else "") + caption, current)
        previous = current


def _sent_on_edges(writer: FrameWriter, st: Any) -> None:
    """Write on each labelled edge into ``st``'s gate the gradient it sent back."""
    for pos, g in enumerate(st.per_use):
        key = (st.value_index, pos)
        if g is not None and key in writer.edges:
            writer.edges[key] = [fmt(g)]


def _write_backward(writer: FrameWriter, stepper: Any, detail: str) -> None:
    """Backward frames: the stepper's steps one node at a time, or a layer at a time (each
    value's gradient complete when its layer is shown)."""
    view = stepper.view
    if detail == "node":
        texts = stepper.grad_texts()
        for k, states in enumerate(stepper.states()):
            writer.state = [STATE_CODES[s] for s in states]
            for i, cells in texts[k].items():
                writer.grads[i] = cells
            _sent_on_edges(writer, stepper[k])
            # every step is a frame here: no "the player holds the first n steps" note
            held = min(len(stepper), stepper.max_frames)
            writer.emit(1, step_caption(stepper, k, held), [stepper[k].value_index])
        return
    lv = levels(view)
    by: dict[int, list[Any]] = {}
    for st in stepper:
        by.setdefault(lv[st.value_index], []).append(st)
    visited = {st.value_index for st in stepper}
    writer.state = ["p" if i in visited else "d" for i in range(len(view))]
    previous: list[int] = []
    order = sorted(by, reverse=True)
    for k, level in enumerate(order):
        for i in previous:
            writer.state[i] = "d"
        group = by[level]
        current = [st.value_index for st in group]
        for st in group:
            _sent_on_edges(writer, st)
            writer.state[st.value_index] = "c"
            writer.grads[st.value_index] = grad_cells(stepper.grad(st.node),
                                                      st.node.is_scalar)
        lines = [f"<b>{html_text(st.title)}</b>: " + html_text("; ".join(st.lines))
                 for st in group]
        caption = (f"<b>Backward, layer {k + 1} of {len(order)}: {len(group)} node"
                   f"{'s' * (len(group) > 1)} get their gradient</b>" + _items(lines))
        writer.emit(1, caption, current)
        previous = current


def write_pass(writer: FrameWriter, stepper: Any, detail: str, intro: str = "") -> None:
    """The forward and backward frames of ``stepper``'s graph (``intro`` opens the first)."""
    _start_forward(writer, stepper.view)
    _write_forward(writer, stepper.view, forward_steps(stepper.view), detail, intro)
    _write_backward(writer, stepper, detail)


def pick_detail(detail: str, view: Any) -> str:
    """``"node"`` or ``"layer"``: ``"auto"`` picks by the number of gates.

    >>> from autograd import Value
    >>> from viz.graphview import GraphView
    >>> pick_detail("auto", GraphView(Value(1.0) * 2)), pick_detail("layer", None)
    ('node', 'layer')
    """
    if detail not in ("auto", "node", "layer"):
        raise ValueError(f"viz: detail must be 'auto', 'node' or 'layer'; got {detail!r}")
    if detail != "auto":
        return detail
    gates = sum(v.gate is not None for v in view.values)
    return "node" if gates <= NODE_DETAIL_LIMIT else "layer"
