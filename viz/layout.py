"""Keeping big graphs readable: which modules to draw as one box, and what to leave out.

A drawn value costs one node, plus one op node when it was made by a gate; a collapsed
module costs one box.  :func:`plan` honours ``collapse=`` and, past ``max_nodes``, collapses
modules automatically — the finest module depth that fits — and, when even whole top-level
modules are too many, keeps the part of the graph nearest the output and says so.

>>> from autograd import Value, name_scope
>>> x = Value(1.0, label="x")
>>> with name_scope("block"):
...     y = (x * 2).tanh() + 1
>>> p = plan(GraphView(y), collapse=["block"], max_nodes=None)
>>> p.groups, p.count
(['block'], 2)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .graphview import GraphView, matching_group, scope_prefixes

LAYOUT_LIMITS = {"nslimit": "0.1", "mclimit": "0.2", "remincross": "false"}
"""Graphviz attributes that bound ``dot``'s work on big pictures: network-simplex
iterations for node positions at 0.1 per node, crossing minimisation at a fifth of its
passes and no final re-run.  Measured (``python bench/bench_draw.py --limits``, one run each
on a shared machine): a scalar MLP 2→16→16→1 on two points (2,916 nodes) 4.6 s → 2.4 s (another
run 22 s → 2.9 s), on one point (1,627 nodes) 1.1 s → 0.5 s; the 1,002-op chain (2,349 nodes,
aliased) 1.1 s either way."""

LIMITS_FROM = 800
"""Pictures of more nodes than this get :data:`LAYOUT_LIMITS` (a 291-node picture takes
0.1 s with or without them, so small pictures keep ``dot``'s best layout)."""


FALLBACK_NODES = 150
"""The node budget of the coarser view drawn when a layout runs past its time budget."""


@dataclass
class Plan:
    """What to draw: ``group[i]`` is the box holding value ``i`` (None: drawn itself);
    ``hidden`` holds values left out; ``notice`` says why, when something was changed.

    >>> Plan([None, "block"], count=2).groups
    ['block']
    """

    group: list[str | None]
    hidden: set[int] = field(default_factory=set)
    notice: str | None = None
    count: int = 0

    @property
    def groups(self) -> list[str]:
        """The collapsed modules, sorted."""
        return sorted({g for g in self.group if g is not None})


def _cost(view: GraphView, group: list[str | None]) -> int:
    boxes = {g for g in group if g is not None}
    singles = sum(1 + (view.values[i].gate is not None)
                  for i, g in enumerate(group) if g is None)
    return singles + len(boxes)


def _grouping(view: GraphView, groups: Iterable[str]) -> list[str | None]:
    groups = list(groups)
    return [matching_group(s, groups) for s in view.scopes]


def _normalise(collapse: Any, view: GraphView) -> list[str]:
    if collapse is None or collapse is False:
        return []
    if collapse is True:
        return sorted({scope_prefixes(s)[0] for s in view.scopes if s})
    if isinstance(collapse, str):
        return [collapse]
    try:
        names = [str(c) for c in collapse]
    except TypeError:
        raise TypeError(
            f"viz.draw: collapse must be True, a module path or a list of paths; got "
            f"{type(collapse).__name__}") from None
    return names


def plan(view: GraphView, collapse: Any = None, max_nodes: int | None = 500) -> Plan:
    """Decide the boxes and hidden values for ``view``; see the module docstring.

    ``collapse``: True (every top-level module), a dotted module path or a list of them;
    ``max_nodes``: the node budget (None: no automatic collapsing).

    >>> from autograd import Value
    >>> h = Value(1.0)
    >>> for _ in range(50):
    ...     h = h * 1.01
    >>> p = plan(GraphView(h), max_nodes=20)
    >>> p.count <= 20, "too big" in p.notice
    (True, True)
    """
    wanted = _normalise(collapse, view)
    known = {p for s in view.scopes for p in scope_prefixes(s)}
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise ValueError(
            f"viz.draw: collapse={unknown!r} names no module in this graph; modules seen: "
            f"{sorted(known)[:20] or 'none (nodes carry no scope)'}"
        )
    group = _grouping(view, wanted)
    count = _cost(view, group)
    if max_nodes is None or count <= max_nodes or collapse is False:
        return Plan(group, count=count)
    if max_nodes < 2:
        raise ValueError(f"viz.draw: max_nodes must be at least 2, got {max_nodes}")
    total = count
    depth = max((len(scope_prefixes(s)) for s in view.scopes), default=0)
    for d in range(depth, 0, -1):
        auto = {scope_prefixes(s)[d - 1] for s in view.scopes if len(scope_prefixes(s)) >= d}
        trial = _grouping(view, set(wanted) | auto)
        count = _cost(view, trial)
        if count <= max_nodes:
            shown = _listed(sorted({g for g in trial if g is not None}))
            notice = (f"collapsed automatically: {total} nodes > max_nodes={max_nodes}; "
                      f"modules drawn as boxes: {shown}. Pass max_nodes=None to draw all.")
            return Plan(trial, notice=notice, count=count)
        group = trial
    return _truncate(view, group, max_nodes, total)


def _truncate(view: GraphView, group: list[str | None], max_nodes: int, total: int) -> Plan:
    """Keep the units (values or boxes) nearest the output within budget (one for '…')."""
    unit = [g if g is not None else i for i, g in enumerate(group)]
    cost_of = {}
    for i, u in enumerate(unit):
        cost_of[u] = 1 if group[i] is not None else 1 + (view.values[i].gate is not None)
    kept: set[Any] = set()
    spent = 0
    root = len(view) - 1
    queue = deque([root])
    seen = {root}
    while queue:
        i = queue.popleft()
        u = unit[i]
        if u not in kept:
            if spent + cost_of[u] > max_nodes - 1:
                continue
            kept.add(u)
            spent += cost_of[u]
        for p in view.parents(i):
            if p not in seen:
                seen.add(p)
                queue.append(p)
    hidden = {i for i, u in enumerate(unit) if u not in kept}
    notice = (f"too big to draw whole: {total} nodes > max_nodes={max_nodes}; showing the "
              f"{spent} nodes nearest the output, {len(hidden)} earlier values left out. "
              "Pass max_nodes=None to draw all, or group layers with name scopes.")
    return Plan(group, hidden=hidden, notice=notice, count=spent + 1)


def fallback_plan(view: GraphView, collapse: Any, layout: Plan, spent: float) -> Plan | None:
    """The coarser plan drawn when ``layout`` took longer than ``spent`` seconds: at most
    :data:`FALLBACK_NODES` nodes (half of ``layout``'s when that is fewer), its notice saying
    why; None when ``layout`` is already that small.

    >>> from autograd import Value
    >>> h = Value(1.0)
    >>> for _ in range(200):
    ...     h = h * 1.01
    >>> view = GraphView(h)
    >>> p = fallback_plan(view, None, plan(view, None, None), 20.0)
    >>> p.count <= FALLBACK_NODES, p.notice.startswith("layout stopped after 20 s")
    (True, True)
    """
    target = min(FALLBACK_NODES, layout.count // 2)
    if target < 2:
        return None
    smaller = plan(view, None if collapse is False else collapse, target)
    if smaller.count >= layout.count:
        return None
    how = (f"the {smaller.count - 1} nodes nearest the output, {len(smaller.hidden)} earlier "
           "values left out" if smaller.hidden
           else f"modules drawn as boxes: {_listed(smaller.groups)}")
    smaller.notice = (f"layout stopped after {spent:g} s (the time budget): a coarser view of "
                      f"the {layout.count} nodes, {how}. budget=None waits for the whole "
                      "picture.")
    return smaller


def _listed(boxes: list[str]) -> str:
    """The first eight module paths, then an ellipsis."""
    return ", ".join(boxes[:8]) + (", …" if len(boxes) > 8 else "")
