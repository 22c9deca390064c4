"""`draw(value)`: the computational graph as a ``graphviz.Digraph``, gradients included.

Values are tables (label, data, grad — or shape, dtype and summaries for tensors); each op
is its own node showing the op and its gate family, styled per family; there is one edge per
use.  After ``backward()`` edges are coloured and sized by the gradient that flowed along
them (log scale, with a legend) and vanishing / exploding gradients are flagged on the node.

>>> from autograd import Value
>>> x, y = Value(3.0, label="x"), Value(-4.0, label="y")
>>> g = draw(x * y)
>>> g.source.count("->")
3
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from .aliases import aliased_uses
from .backward import backward_circuit
from .digraph import Digraph
from .escape import dot_html, dot_string
from .graphview import GraphView, scope_prefixes
from .labels import box_label, grad_cells, op_label, scalar_value_label, tensor_value_label
from .layout import LAYOUT_LIMITS, LIMITS_FROM, Plan, fallback_plan, plan
from .style import GradScale, Theme, get_theme, legend_label
from .summary import fmt, fmt_shape, magnitude, tensor_summary

BACKWARD_EDGE = "#d1242f"
"""The colour of edges into nodes a differentiable backward recorded: the course's red
arrows of the backward pass."""


@dataclass
class Overlay:
    """What a picture shows over the graph: per-value ``state`` ('pending', 'reached',
    'current', 'done'), the gradients known, and the per-use gradients sent.  A static
    drawing is the overlay where every node is done (:func:`finished`); a stepper frame has
    the states and gradients of its step.

    ``grad_text`` and ``data_text`` replace the texts of value gradient and data cells (the
    HTML players reserve the widest texts a cell will ever show).

    >>> Overlay(["current"], {0: 1.0}, {}).state
    ['current']
    """

    state: list[str]
    grads: dict[int, Any]
    sent: dict[tuple[int, int], Any]
    grad_text: dict[int, list[str]] | None = None
    data_text: dict[int, list[str]] | None = None


def edge_gradients(view: GraphView) -> dict[tuple[int, int], Any]:
    """The gradient that flowed along every use ``(child, position)`` after backward.

    The engine's backward walk (``autograd.graph.walk_backward``) replayed from the output's
    ``.grad``; where a tensor graph's saved intermediates were freed by that backward, each
    parent's total ``.grad`` stands in for what it received along each of its uses.

    >>> from autograd import Value
    >>> a = Value(3.0); b = a * a; b.backward()
    >>> edge_gradients(GraphView(b))
    {(1, 0): 3.0, (1, 1): 3.0}
    """
    from autograd import GraphFreedError
    from autograd.graph import walk_backward

    root = view.root
    if not root.requires_grad:
        return {}
    try:
        sent = {id(node): s for node, _, s in walk_backward(root, root.grad)}
    except GraphFreedError:
        sent = {id(v): tuple(p.grad if p.requires_grad else None for p in v.parents)
                for v in view.values}
    out: dict[tuple[int, int], Any] = {}
    for i, v in enumerate(view.values):
        for pos, g in enumerate(sent.get(id(v), ())):
            if g is not None:
                out[(i, pos)] = g
    return out


def finished(view: GraphView, grads: bool) -> Overlay:
    """The overlay of a static drawing: every node done; with ``grads``, each value's
    ``.grad`` and the gradient along every edge (:func:`edge_gradients`).

    >>> from autograd import Value
    >>> a = Value(3.0); b = a * a; b.backward()
    >>> o = finished(GraphView(b), grads=True)
    >>> o.state, o.grads, o.sent
    (['done', 'done'], {0: 6.0, 1: 1.0}, {(1, 0): 3.0, (1, 1): 3.0})
    """
    if not grads:
        return Overlay(["done"] * len(view), {}, {})
    known = {i: v.grad for i, v in enumerate(view.values) if v.requires_grad}
    return Overlay(["done"] * len(view), known, edge_gradients(view))


def _backward_ran(root: Any) -> bool:
    return root.requires_grad and magnitude(root.grad) != 0.0


def _flag(grad: Any, vanish: float, explode: float, theme: Theme) -> tuple[str, str] | None:
    m = magnitude(grad)
    if not math.isfinite(m):
        return ("▲ non-finite grad", theme.warn)
    if m > explode:
        return ("▲ exploding grad", theme.warn)
    if 0.0 < m < vanish:
        return ("▼ vanishing grad", theme.vanish)
    return None


class _Renderer:
    """Builds the Digraph of one picture: the graph with an :class:`Overlay` over it.

    ``grads`` shows gradient cells on values; ``flow`` colours and sizes the edges by the
    gradient that flowed along them (with a legend) and flags vanishing / exploding ones;
    ``numbered`` tags unnamed values ``#i`` (the stepper's words name them ``op #i``).
    """

    def __init__(self, view: GraphView, layout: Plan, theme: Theme, overlay: Overlay, *,
                 rankdir: str, grads: bool, flow: bool, edge_labels: bool, legend: bool,
                 vanish: float, explode: float, title: str | None, clusters: bool,
                 numbered: bool, aliases: dict[tuple[int, int], int] | None = None):
        self.m, self.plan, self.t = view, layout, theme
        self.aliases = aliases or {}
        self.n_aliases: dict[int, int] = defaultdict(int)
        for child, pos in self.aliases:
            self.n_aliases[view.parents(child)[pos]] += 1
        self.grads, self.flow, self.edge_labels = grads, flow, edge_labels
        self.legend, self.vanish, self.explode = legend, vanish, explode
        self.overlay, self.known, self.sent = overlay, overlay.grads, overlay.sent
        self.clusters, self.numbered = clusters, numbered
        self.scale: GradScale | None = None
        if flow:
            mags = [magnitude(g) for g in self.sent.values()]
            mags += [magnitude(g) for i, g in self.known.items() if view.values[i].gate]
            self.scale = GradScale.fit(mags)
        self.g = Digraph(name="gradgate")
        lines = [x for x in (title, layout.notice) if x]
        self.g.attr(rankdir=rankdir, bgcolor=theme.background, fontname=theme.fontname,
                    fontcolor=theme.font, nodesep="0.22", ranksep="0.32", newrank="true")
        if layout.count > LIMITS_FROM:
            self.g.attr(**LAYOUT_LIMITS)
        if lines:
            text = "".join(dot_html(x).replace("<BR/>", '<BR ALIGN="LEFT"/>')
                           + '<BR ALIGN="LEFT"/>' for x in lines)
            self.g.attr(label=f"<{text}>", labelloc="t", labeljust="l", fontsize="12")
        self.g.attr("node", fontname=theme.fontname, fontsize="11", fontcolor=theme.font,
                    margin="0.06,0.03")
        self.g.attr("edge", fontname=theme.fontname, fontsize="9", fontcolor=theme.muted,
                    color=theme.edge, arrowsize="0.6")
        self.body: dict[str | None, list[tuple[str, str, dict[str, str]]]] = defaultdict(list)
        self.n_clusters = 0
        self.cluster_paths: dict[str, str] = {}  # cluster name -> module path
        self.box_paths: dict[str, str] = {}  # collapsed box node -> module path
        self.backward = {i for i, v in enumerate(view.values)
                         if getattr(v, "origin", None) is not None}

    # ---------------------------------------------------------------- nodes
    def state(self, i: int) -> str:
        return self.overlay.state[i]

    def scope_of(self, i: int) -> str | None:
        return self.m.scopes[i] if self.clusters else None

    def value_node(self, i: int) -> None:
        v, t = self.m.values[i], self.t
        kind = self.m.kinds[i]
        state = self.state(i)
        tag = kind if kind != "value" else None
        if self.numbered and tag is None and self.m.name(i) is None:
            tag = f"#{i}"
        fill = border = font = None
        flag = None
        width = 2 if kind == "output" else 1
        text = None
        if self.grads and v.requires_grad and (i in self.known or i not in self.backward):
            if self.overlay.grad_text is not None:
                text = self.overlay.grad_text.get(i, grad_cells(None, v.is_scalar))
            else:
                text = grad_cells(self.known.get(i), v.is_scalar)
            if self.flow and i in self.known:
                flag = _flag(self.known[i], self.vanish, self.explode, t)
        if not (math.isfinite(magnitude(v.data))):
            flag = flag or ("▲ non-finite data", t.warn)
        if flag is not None:
            border, width = flag[1], 3
        if state == "pending":
            fill, border, font = t.pending_fill, t.muted, t.muted
        elif state == "current":
            border, width = t.highlight, 3
        data_text = (self.overlay.data_text or {}).get(i)
        if v.is_scalar and kind == "const":
            label = scalar_value_label(None, None, v.data, None, t, fill=fill, border=border,
                                       font=font or t.muted, width=width)
        elif v.is_scalar:
            label = scalar_value_label(self.m.name(i), tag, v.data, text, t, fill=fill,
                                       border=border, flag=flag, font=font, width=width,
                                       data_text=data_text)
        else:
            label = tensor_value_label(self.m.name(i), tag, v.data, text, t, fill=fill,
                                       border=border, flag=flag, font=font, width=width,
                                       data_text=data_text)
        attrs = {"label": label, "shape": "plain", "class": f"ggv_{i}",
                 "tooltip": dot_string(self.tooltip(i))}
        self.body[self.scope_of(i)].append(("node", f"v{i}", attrs))

    def tooltip(self, i: int) -> str:
        v = self.m.values[i]
        head = self.m.display_name(i)
        if v.is_scalar:
            grad = f", grad={self.known[i]!r}" if self.grads and i in self.known else ""
            text = f"{head}: data={v.data!r}{grad}"
        else:
            text = f"{head}: shape {v.shape} {v.dtype}; data {tensor_summary(v.data).text()}"
            if self.grads and i in self.known:
                text += f"; grad {tensor_summary(self.known[i]).text()}"
        if self.n_aliases.get(i):
            text += f"; drawn again as {self.n_aliases[i]} aliases beside its far uses"
        return text

    def op_node(self, i: int) -> None:
        v, t = self.m.values[i], self.t
        style = t.family(v.gate.family)
        state = self.state(i)
        attrs = {"label": op_label(v.gate, t), "shape": style.shape, "style": style.style,
                 "fillcolor": style.fill, "color": style.border, "class": f"ggo_{i}",
                 "tooltip": dot_string(str(v.gate))}
        if state in ("pending", "reached"):  # the gate has not run yet
            attrs.update(fillcolor=t.pending_fill, color=t.muted,
                         label=op_label(v.gate, t, font=t.muted))
        elif state == "current":
            attrs.update(color=t.highlight, penwidth="3")
        self.body[self.scope_of(i)].append(("node", f"o{i}", attrs))
        self.body[self.scope_of(i)].append(("edge", f"o{i}", {"head": f"v{i}",
                                             **self.arrival_attrs(i)}))

    def arrival_attrs(self, i: int) -> dict[str, str]:
        """The edge from op ``i`` to its value: what arrived as upstream gradient."""
        attrs = {"class": f"ggr_{i}"}
        if self.flow and i in self.known:
            attrs.update(self.flow_attrs(self.known[i]))
        else:
            attrs.update(self.step_edge_attrs(i))
            if i in self.backward:
                attrs.update(color=BACKWARD_EDGE, penwidth="1.5")
        return attrs

    def alias_node(self, parent: int, child: int, pos: int) -> str:
        """A small copy of leaf ``parent`` beside its use ``(child, pos)``; returns its name."""
        name, t = self.m.display_name(parent), self.t
        k, n = self.aliases[(child, pos)], len(self.m.uses[parent])
        fill, border = t.kind(self.m.kinds[parent])
        g = self.sent.get((child, pos))
        said = f"; this use's gradient {fmt(g)}" if self.grads and g is not None else ""
        total = self.known.get(parent) if self.grads else None
        whole = (f"; its total gradient {fmt(total)} is on the original"
                 if total is not None and self.m.values[parent].is_scalar else "")
        label = (f'<<B>{dot_html(name)}</B><BR/><FONT POINT-SIZE="8" COLOR="{t.muted}">'
                 f"alias {k} · {n} uses</FONT>>")
        attrs = {"label": label, "shape": "box", "style": "rounded,dashed,filled",
                 "fillcolor": fill, "color": border, "margin": "0.04,0.02",
                 "class": f"gga_{parent}",
                 "tooltip": dot_string(f"{name}: alias of {self.m.kinds[parent]} {name} for "
                                       f"one of its {n} uses{said}{whole}")}
        node = f"a{child}_{pos}"
        self.body[self.scope_of(child)].append(("node", node, attrs))
        return node

    # ---------------------------------------------------------------- edges
    def flow_attrs(self, grad: Any) -> dict[str, str]:
        t, mag = self.t, magnitude(grad)
        if not math.isfinite(mag):
            return {"color": t.warn, "penwidth": "3", "style": "dashed"}
        if mag == 0.0:
            return {"color": t.zero_edge, "style": "dotted", "penwidth": "1"}
        assert self.scale is not None
        return {"color": self.scale.color(mag, t), "penwidth": str(self.scale.width(mag))}

    def step_edge_attrs(self, child: int) -> dict[str, str]:
        """An edge into ``child``'s gate as the backward pass reaches it."""
        t = self.t
        state = self.state(child)
        if state == "current":
            return {"color": t.highlight, "penwidth": "3", "fontcolor": t.highlight}
        if state == "done":
            return {}  # the theme's edge colour, the graph's default
        return {"color": t.muted, "style": "dashed"}

    def use_edge(self, parent: int, child: int, pos: int, tail: str, head: str) -> None:
        attrs = {"class": f"gge_{child}_{pos}"}
        g = self.sent.get((child, pos))
        if self.flow and g is not None:
            attrs.update(self.flow_attrs(g))
        else:
            attrs.update(self.step_edge_attrs(child))
            if child in self.backward:
                attrs.update(color=BACKWARD_EDGE, penwidth="1.5")
        if self.edge_labels and g is not None and self.m.values[parent].is_scalar:
            if self.state(child) in ("current", "done"):
                attrs["label"] = f" {fmt(g)}"
        self.body[None].append(("edge", tail, {"head": head, **attrs}))

    # ---------------------------------------------------------------- boxes
    def box_nodes(self) -> dict[str, str]:
        ids: dict[str, str] = {}
        members: dict[str, list[int]] = defaultdict(list)
        for i, grp in enumerate(self.plan.group):
            if grp is not None and i not in self.plan.hidden:
                members[grp].append(i)
        t = self.t
        for k, (path, idx) in enumerate(sorted(members.items())):
            ids[path] = f"m{k}"
            self.box_paths[ids[path]] = path
            ops = [self.m.values[i].gate.name for i in idx if self.m.values[i].gate]
            outs = [i for i in idx if i == len(self.m) - 1
                    or any(self.plan.group[c] != path for c, _ in self.m.uses[i])]
            out_text = None
            if outs:
                v = self.m.values[outs[-1]]
                out_text = "out " + ("scalar" if v.is_scalar else fmt_shape(v.shape))
                if self.grads and outs[-1] in self.known:
                    g = self.known[outs[-1]]
                    out_text += (f" · grad {fmt(g)}" if v.is_scalar
                                 else f" · grad ‖·‖ {fmt(tensor_summary(g).norm)}")
            attrs = {"label": box_label(path, len(idx), ops, out_text, t), "shape": "box3d",
                     "style": "filled", "fillcolor": t.cluster_fill, "color": t.cluster_border,
                     "tooltip": dot_string(f"module {path} (collapsed)")}
            parent_scope = ".".join(path.split(".")[:-1]) or None
            self.body[parent_scope if self.clusters else None].append(("node", ids[path], attrs))
        return ids

    # ---------------------------------------------------------------- assemble
    def build(self) -> Digraph:
        m, p = self.m, self.plan
        boxes = self.box_nodes()
        unit = [boxes[g] if g is not None else None for g in p.group]
        hidden_used = False
        for i in range(len(m)):
            if i in p.hidden or unit[i] is not None:
                continue
            self.value_node(i)
            if m.values[i].gate is not None:
                self.op_node(i)
        merged: dict[tuple[str, str], list[tuple[int, int, int]]] = defaultdict(list)
        for child in range(len(m)):
            if child in p.hidden or m.values[child].gate is None:
                continue
            head = unit[child] or f"o{child}"
            for pos, parent in enumerate(m.parents(child)):
                if parent in p.hidden:
                    tail = "more"
                    hidden_used = True
                else:
                    tail = unit[parent] or f"v{parent}"
                if tail == head:
                    continue
                if unit[child] is None and tail != "more":
                    if (child, pos) in self.aliases:
                        tail = self.alias_node(parent, child, pos)
                    self.use_edge(parent, child, pos, tail, head)
                else:
                    merged[(tail, head)].append((parent, child, pos))
        for (tail, head), uses in merged.items():
            self.merged_edge(tail, head, uses)
        if hidden_used:
            self.body[None].append(("node", "more", {
                "label": f"… {len(p.hidden)} earlier values not drawn", "shape": "note",
                "style": "filled", "fillcolor": self.t.cluster_fill, "color": self.t.muted,
                "fontcolor": self.t.muted}))
        self.emit()
        if self.legend and self.scale is not None:
            self.g.node("legend", label=legend_label(self.scale, self.t, self.vanish,
                                                     self.explode), shape="plain")
        return self.g

    def merged_edge(self, tail: str, head: str, uses: list[tuple[int, int, int]]) -> None:
        attrs: dict[str, str] = {}
        if len(uses) > 1:
            attrs["label"] = f" ×{len(uses)}"
        grads = [self.sent.get((c, pos)) for _, c, pos in uses]
        if self.flow and all(g is not None for g in grads):
            attrs.update(self.flow_attrs(max(grads, key=magnitude)))
        self.body[None].append(("edge", tail, {"head": head, **attrs}))

    def emit(self) -> None:
        tree: dict[str | None, set[str]] = defaultdict(set)
        for scope in [s for s in self.body if s]:
            chain = [None, *scope_prefixes(scope)]
            for a, b in zip(chain, chain[1:], strict=False):
                tree[a].add(b)
        self._emit(self.g, None, tree)

    def _emit(self, g: Any, scope: str | None, tree: dict[str | None, set[str]]) -> None:
        for kind, name, attrs in self.body.get(scope, []):
            if kind == "node":
                g.node(name, **attrs)
            else:
                attrs = dict(attrs)
                g.edge(name, attrs.pop("head"), **attrs)
        for child in sorted(tree.get(scope, ())):
            self.n_clusters += 1
            self.cluster_paths[f"cluster_{self.n_clusters}"] = child
            with g.subgraph(name=f"cluster_{self.n_clusters}") as sub:
                sub.attr(label=f"<<B>{dot_html(child)}</B>>", style="rounded,filled",
                         fillcolor=self.t.cluster_fill, color=self.t.cluster_border,
                         fontcolor=self.t.muted, fontsize="11", labeljust="l",
                         tooltip=dot_string(f"module {child}"))
                self._emit(sub, child, tree)


def draw(value: Any, *, rankdir: str | None = None, forward_only: bool | None = None,
         theme: str | Theme = "light", params: Any = None, collapse: Any = None,
         max_nodes: int | None = 500, clusters: bool = True, flow: bool = True,
         edge_labels: bool | None = None, legend: bool = True, vanish: float = 1e-6,
         explode: float = 1e4, title: str | None = None, aliases: bool | int = True,
         budget: float | None = 20.0, backward: bool = False) -> Digraph:
    """Draw the graph that produced ``value`` (a ``graphviz.Digraph``, inline in Jupyter).

    - ``rankdir``: ``"LR"`` (left to right) or ``"TB"`` (top to bottom); by default LR for
      scalar graphs and TB for tensor graphs (whose nodes are wide tables).
    - ``forward_only``: hide gradients; by default they show once ``backward()`` has run.
    - ``theme``: ``"light"``, ``"dark"`` or a :class:`viz.style.Theme`.
    - ``params``: a module (or dict / ``(name, value)`` pairs) naming the parameters.
    - ``collapse``: True (every top-level module), a module path, or a list of them: each
      drawn as one box.  Past ``max_nodes`` nodes modules collapse automatically (None:
      never) and the picture says so.
    - ``clusters``: group nodes made inside a module call into a box named by its path.
    - ``flow``: colour and size edges by gradient magnitude (log scale, with a legend);
      gradients below ``vanish`` or above ``explode`` (or NaN/inf) are flagged.
    - ``edge_labels``: write each use's gradient on its edge (default: small scalar graphs).
    - ``aliases``: draw a leaf's far uses from small aliases of it (:mod:`viz.aliases`),
      each use keeping its edge and gradient; an int is the span in ranks past which a use
      is far (default :data:`viz.aliases.ALIAS_SPAN`); False draws every use from the leaf.
    - ``budget``: seconds Graphviz may spend laying the picture out when it is rendered;
      past it ``dot`` is stopped and a coarser view (modules collapsed, or only the part
      nearest the output) is drawn instead, its title saying so (None: wait for ``dot``).
      Big pictures also get Graphviz limits that bound the layout work
      (:data:`viz.layout.LAYOUT_LIMITS`).
    - ``backward``: draw the backward circuit too: the backward pass of ``value`` recorded
      as gates (as ``autograd.grad(..., create_graph=True)`` records it), with the forward
      graph; each forward value shows its gradient, each leaf's is named ``∂f/∂x``.

    Nodes recorded by a differentiable backward (any gradient Value drawn) are boxed by the
    forward gate whose backward made them (``backward of mul #3 · swaps``, #3 its step in
    backward order) and the edges into them are red.

    >>> from autograd import Value
    >>> a = Value(2.0, label="a")
    >>> (a * a).backward()
    >>> src = draw(a * a).source
    >>> src.count("v0 -> o1")  # one edge per use
    2
    """
    if not hasattr(value, "parents") or not hasattr(value, "data"):
        raise TypeError(f"viz.draw: expected an autograd Value, got {type(value).__name__}")
    t = get_theme(theme)
    circuit = backward_circuit(value) if backward else None
    view = GraphView(value, params, circuit.outputs if circuit else ())
    rankdir = check_rankdir(rankdir, view)
    layout = plan(view, collapse, max_nodes)
    grads = _backward_ran(value) if forward_only is None else not forward_only
    if edge_labels is None:
        edge_labels = view.is_scalar and layout.count <= 80
    if budget is not None and not budget > 0:
        raise ValueError(f"viz.draw: budget must be a number of seconds > 0 or None; "
                         f"got {budget!r}")
    overlay = finished(view, grads)
    if circuit:  # each forward value shows its gradient; the backward nodes are drawn
        grads, overlay = True, Overlay(["done"] * len(view), {
            i: circuit.grads[id(v)] for i, v in enumerate(view.values)
            if id(v) in circuit.grads}, {})

    def picture(layout: Plan) -> Digraph:
        r = _Renderer(view, layout, t, overlay, rankdir=rankdir, grads=grads,
                      flow=flow and grads and not backward, edge_labels=edge_labels,
                      legend=legend, vanish=vanish, explode=explode, title=title,
                      clusters=clusters, numbered=False,
                      aliases=_aliases(view, layout, aliases))
        if circuit and id(circuit.seed) in view.index:  # part of the backward circuit
            r.backward.add(view.index[id(circuit.seed)])
        return r.build()

    def coarser(spent: float) -> Digraph | None:
        smaller = fallback_plan(view, collapse, layout, spent)
        return None if smaller is None else picture(smaller)

    g = picture(layout)
    g.budget, g.coarser = budget, coarser
    return g


def _aliases(view: GraphView, layout: Plan, aliases: bool | int
             ) -> dict[tuple[int, int], int] | None:
    if aliases is False:
        return None
    if aliases is True:
        return aliased_uses(view, layout)
    if not isinstance(aliases, int) or aliases < 0:
        raise ValueError(f"viz.draw: aliases must be True, False or a span of ranks >= 0; "
                         f"got {aliases!r}")
    return aliased_uses(view, layout, aliases)


def check_rankdir(rankdir: str | None, view: GraphView) -> str:
    """Validate ``rankdir``; None picks LR for scalar graphs and TB for tensor graphs.

    >>> from autograd import Value
    >>> check_rankdir(None, GraphView(Value(1.0) * 2))
    'LR'
    """
    if rankdir is None:
        return "LR" if view.is_scalar else "TB"
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"viz: rankdir must be 'LR', 'TB', 'RL' or 'BT'; got {rankdir!r}")
    return rankdir


def draw_overlay(view: GraphView, overlay: Overlay, *, rankdir: str | None = None,
                 theme: str | Theme = "light", title: str | None = None,
                 edge_labels: bool = True, clusters: bool = True) -> Digraph:
    """Draw ``view`` with a stepper frame over it (used by :mod:`viz.step`); no collapsing.

    >>> from autograd import Value
    >>> m = GraphView(Value(1.0) * 2)
    >>> o = Overlay(["pending", "pending", "current"], {2: 1.0}, {})
    >>> "ggv_2" in draw_overlay(m, o).source
    True
    """
    layout = plan(view, None, None)
    r = _Renderer(view, layout, get_theme(theme), overlay,
                  rankdir=check_rankdir(rankdir, view), grads=True, flow=False,
                  edge_labels=edge_labels, legend=False, vanish=0.0, explode=math.inf,
                  title=title, clusters=clusters, numbered=True)
    return r.build()
