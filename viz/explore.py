"""`explore(value)`: a self-contained HTML page to find your way around a big graph.

Pan (drag) and zoom (wheel, buttons), search a node by label or op (the result is shown in
the view that draws it, centred and outlined), click a module box to expand it and a module
frame to collapse it, hover any node for its data and gradient summary; the gradient-flow
colouring of :func:`viz.draw` is kept.  No network, no kernel: one HTML file (or a notebook
cell) holding every view, the stylesheet ``viz/assets/explorer.css`` and the script
``viz/assets/explorer.js``.

How: one picture per module, laid out by Graphviz's ``dot`` when the page is made — the view
of module ``M`` expands ``M`` and its ancestors and draws every other module as a box —
plus the top view (every top-level module a box).  Chosen by measurement over laying out
in the browser with Graphviz compiled to WebAssembly (Viz.js 3.31.0, Graphviz 16.1, MIT,
1.33 MB to add to every page), timed under Node 20 on the same DOT sources: resnet_small's
picture 1.35 s (native ``dot`` 0.25 s) — a wait on every click, where switching between
pre-rendered views is instant; the scalar MLP 2→16→16→1 3.7 s (native 1.2 s); the 1,002-op
chain 5.6 s (native 2.9 s); and a 3,000-op chain overflowed its stack.  resnet_small's page,
all 35 module views, is made in seconds and weighs 1.05 MB (``python bench/bench_draw.py``).
Each view is drawn with :func:`viz.draw`'s aliases and layout limits, within its ``budget``.

>>> from autograd import Value, name_scope
>>> x = Value(2.0, label="x")
>>> with name_scope("block"):
...     y = (x * 3).tanh()
>>> e = explore(y + 1)
>>> [name for name, _ in e.views]
['(top)', 'block']
"""

from __future__ import annotations

import json
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .digraph import Digraph
from .draw import Overlay, _aliases, _backward_ran, _Renderer, check_rankdir, finished
from .graphview import GraphView, scope_prefixes
from .layout import Plan, _cost, _grouping, fallback_plan
from .page import HtmlPage, whole_page
from .player import asset, svg_body
from .style import get_theme
from .summary import summaries_once

TOP = "(top)"


def _parent(path: str) -> str | None:
    return ".".join(path.split(".")[:-1]) or None


class Explorer(HtmlPage):
    """The pictures of one graph, one per module view, and the page that moves between them.

    ``views`` lists ``(module path, Digraph)``, the top view first; ``to_html()`` renders them
    (with ``dot``) into the page.

    >>> from autograd import Value
    >>> len(explore(Value(1.0, label="a") * 2).views)
    1
    """

    def __init__(self, view: GraphView, *, rankdir: str, theme: Any, grads: bool,
                 budget: float | None, max_views: int):
        self.view, self.theme, self.budget = view, get_theme(theme), budget
        modules = sorted({p for s in view.scopes for p in scope_prefixes(s)},
                         key=lambda p: (p.count("."), p))
        self.modules = modules[: max(0, max_views - 1)]
        self.overlay: Overlay = finished(view, grads)
        self.views: list[tuple[str, Digraph]] = []
        self.renderers: list[_Renderer] = []
        self.rankdir, self.grads = rankdir, grads
        for k, path in enumerate([TOP, *self.modules]):
            open_ = set() if path == TOP else set(scope_prefixes(path))
            boxes = {p for s in view.scopes for p in scope_prefixes(s)
                     if p not in open_ and (_parent(p) is None or _parent(p) in open_)}
            group = _grouping(view, boxes)
            r = self._renderer(path, Plan(group, count=_cost(view, group)))
            self.renderers.append(r)
            g = r.build()
            g.budget, g.coarser = budget, self._coarser(k, path, r.plan)
            self.views.append((path, g))

    def _renderer(self, path: str, layout: Plan) -> _Renderer:
        """The picture of ``path``'s view: it and its ancestors open, other modules boxes."""
        title = "whole graph" if path == TOP else f"module {path}"
        return _Renderer(self.view, layout, self.theme, self.overlay, rankdir=self.rankdir,
                         grads=self.grads, flow=self.grads, edge_labels=False,
                         legend=self.grads, vanish=1e-6, explode=1e4, title=title,
                         clusters=True, numbered=False,
                         aliases=_aliases(self.view, layout, True))

    def _coarser(self, k: int, path: str, layout: Plan) -> Any:
        """View ``k``'s fallback past its time budget (its boxes and frames replace the
        view's own in :meth:`data`)."""
        def build(spent: float) -> Digraph | None:
            smaller = fallback_plan(self.view, None, layout, spent)
            if smaller is None:
                return None
            self.renderers[k] = self._renderer(path, smaller)
            return self.renderers[k].build()
        return build

    def data(self) -> dict[str, Any]:
        """What the page's script reads: per view, its boxes (node → view that expands it)
        and frames (cluster → view that collapses it), and the search index.

        >>> from autograd import Value, name_scope
        >>> with name_scope("m"):
        ...     y = Value(1.0, label="a") * 2
        >>> d = explore(y).data()
        >>> d["views"][0]["boxes"], d["views"][1]["frames"]
        ({'m0': 1}, {'cluster_1': 0})
        """
        number = {path: k for k, (path, _) in enumerate(self.views)}
        views = []
        for (path, _), r in zip(self.views, self.renderers, strict=True):
            views.append({
                "name": path,
                "boxes": {n: number[p] for n, p in r.box_paths.items() if p in number},
                "frames": {c: number.get(_parent(p) or TOP, 0)
                           for c, p in r.cluster_paths.items()},
            })
        index = []
        for i, v in enumerate(self.view.values):
            scope = self.view.scopes[i]
            home = next((number[p] for p in reversed(scope_prefixes(scope)) if p in number), 0)
            what = v.gate.name if v.gate is not None else self.view.kinds[i]
            index.append({"t": f"{self.view.display_name(i)} · {what}", "v": home,
                          "n": f"v{i}"})
        return {"views": views, "index": index}

    def to_html(self, full_page: bool = False) -> str:
        """The explorer as an HTML fragment (or a whole page); runs ``dot`` once per view.

        >>> from autograd import Value
        >>> explore(Value(1.0) * 2).to_html().count('class="gg-view"')  # doctest: +SKIP
        1
        """
        pid = "gg-explorer-" + uuid.uuid4().hex[:10]
        t = self.theme
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # dot per view
            pictures = list(pool.map(lambda g: svg_body(g.svg()), [g for _, g in self.views]))
        svgs = "".join(f'<div class="gg-view" data-view="{k}" hidden>{svg}</div>'
                       for k, svg in enumerate(pictures))
        payload = json.dumps(self.data(), ensure_ascii=True).replace("<", "\\u003c")
        colours = (f"--gg-font: {t.font}; --gg-bg: {t.background}; --gg-muted: {t.muted}; "
                   f"--gg-hl: {t.highlight}")
        fragment = f"""<div class="gg-explorer" id="{pid}" tabindex="0" data-view="0"
 style="{colours}">
<style>{asset("explorer.css")}</style>
<div class="gg-bar">
<button class="gg-top" title="back to the whole graph">top</button>
<button class="gg-fit" title="fit the view">fit</button>
<button class="gg-in" title="zoom in">+</button>
<button class="gg-out" title="zoom out">&#x2212;</button>
<input class="gg-search" type="search" placeholder="search a label or op"
 aria-label="search a node by label or op">
<span class="gg-where"></span>
</div>
<ul class="gg-results"></ul>
<div class="gg-stage"><div class="gg-canvas">{svgs}</div></div>
<div class="gg-info">Drag to pan, wheel to zoom; click a module box to expand it, its frame
to collapse it; hover a node for its summary.</div>
<div class="gg-nojs">The explorer needs JavaScript (trust the notebook, or open the saved
HTML file in a browser).</div>
<script type="application/json" class="gg-data">{payload}</script>
<script>{asset("explorer.js").replace("__EXPLORER_ID__", pid)}</script>
</div>"""
        if not full_page:
            return fragment
        return whole_page(fragment, "gradgate explorer: "
                          + self.view.display_name(len(self.view) - 1), t.background)


def explore(value: Any, *, params: Any = None, rankdir: str | None = None,
            theme: Any = "light", forward_only: bool | None = None,
            budget: float | None = 20.0, max_views: int = 64) -> Explorer:
    """An :class:`Explorer` of the graph that produced ``value`` (``.save_html(path)``, or
    shown inline in Jupyter); see the module docstring.

    ``params`` names parameters as in :func:`viz.draw`; ``budget`` bounds each view's layout
    (a view past it is drawn coarser and says so); ``max_views`` bounds the pictures made
    (modules past it, the deepest, stay boxes).

    >>> from autograd import Value
    >>> explore(Value(1.0) * 2).views[0][0]
    '(top)'
    """
    if not hasattr(value, "parents") or not hasattr(value, "data"):
        raise TypeError(f"viz.explore: expected an autograd Value, got {type(value).__name__}")
    if max_views < 1:
        raise ValueError(f"viz.explore: max_views must be at least 1, got {max_views}")
    view = GraphView(value, params)
    grads = _backward_ran(value) if forward_only is None else not forward_only
    with summaries_once():  # every view shows the same tensors
        return Explorer(view, rankdir=check_rankdir(rankdir, view), theme=theme, grads=grads,
                        budget=budget, max_views=max_views)
