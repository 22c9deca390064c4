"""Shared leaves drawn per use: which uses of an input, parameter or constant get an alias.

A leaf reused all along a long computation (a weight in an unrolled recurrence, an input
cycled through a chain) is one node with edges reaching across hundreds of ranks; Graphviz
lays each such edge out through one virtual node per rank it crosses, and its layout time
explodes (a 1,000-op chain cycling 10 inputs: 35–41 s capped at 500 nodes, more than five
minutes whole).  So a use far from the leaf's first use is drawn from a small *alias* of the
leaf placed beside it — the use keeps its own edge and gradient, the original keeps its
total gradient — as TensorBoard draws high-degree nodes.

"Far" is counted in ranks: an op node sits two ranks after the op that made its farthest
non-leaf input (op, then its value).  A use more than :data:`ALIAS_SPAN` ranks after the
leaf's first use gets an alias.

>>> from autograd import Value
>>> from viz.graphview import GraphView
>>> from viz.layout import plan
>>> x = Value(0.5, label="x")
>>> h = x
>>> for _ in range(12):
...     h = (h * x).tanh()
>>> view = GraphView(h)
>>> sorted(aliased_uses(view, plan(view, None, None), span=8).values())
[1, 2, 3, 4, 5, 6, 7, 8, 9]
"""

from __future__ import annotations

from .graphview import GraphView
from .layout import Plan

ALIAS_SPAN = 48
"""Ranks past a leaf's first use beyond which a use is drawn from an alias.  Measured with
``python bench/bench_draw.py --alias-crossover`` (``dot -Tsvg`` of the whole chain cycling 10
inputs, Graphviz 2.42): spans 4, 12 and 48 all lay out the 1,002-op chain in 1.1 s; from 192
ranks ``dot`` slows (9 s), at 768 it takes 48 s or crashes, and without aliases it runs past a
minute (the 360-op chain crashes it).  48 is the largest span measured as fast: nearby uses,
such as the two factors of ``x * x`` or a neuron's weights, keep their real edges."""


def op_ranks(view: GraphView) -> list[int]:
    """The rank of every value's op node: two ranks (op, value) past its deepest non-leaf
    input; values made from leaves only sit at rank 0; leaves get -1.

    >>> from autograd import Value
    >>> x = Value(1.0)
    >>> op_ranks(GraphView((x * 2).tanh()))
    [-1, -1, 0, 2]
    """
    ranks = [-1] * len(view)
    for i, v in enumerate(view.values):
        if v.gate is not None:
            inner = [ranks[p] for p in view.parents(i) if view.values[p].gate is not None]
            ranks[i] = max(inner) + 2 if inner else 0
    return ranks


def aliased_uses(view: GraphView, layout: Plan, span: int = ALIAS_SPAN
                 ) -> dict[tuple[int, int], int]:
    """The uses ``(child, position)`` drawn from an alias, numbered 1, 2, … per leaf.

    Only leaves and uses drawn as themselves count (not inside a collapsed box, not left
    out); a use more than ``span`` ranks after the leaf's first drawn use gets an alias.

    >>> from autograd import Value
    >>> from viz.layout import plan
    >>> a = Value(2.0); b = a * a
    >>> aliased_uses(GraphView(b), plan(GraphView(b)))
    {}
    """
    ranks = op_ranks(view)
    drawn = [i not in layout.hidden and layout.group[i] is None for i in range(len(view))]
    out: dict[tuple[int, int], int] = {}
    for i, v in enumerate(view.values):
        if v.gate is not None or not drawn[i] or len(view.uses[i]) < 2:
            continue
        uses = sorted((ranks[c], c, pos) for c, pos in view.uses[i] if drawn[c])
        if not uses:
            continue
        first = uses[0][0]
        far = [(c, pos) for r, c, pos in uses if r - first > span]
        for k, use in enumerate(sorted(far), start=1):
            out[use] = k
    return out
