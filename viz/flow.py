"""Per-layer gradient flow: mean and max |grad| of every parameter, in network order.

The chart people draw by hand after ``backward()`` (``plot_grad_flow``): one row per
parameter, a light bar for max |grad| and a dark bar for mean |grad| on a log scale, with
vanishing, exploding, non-finite and missing gradients flagged.  It is a Graphviz picture,
so it shows inline in Jupyter and renders to SVG/PNG/PDF; ``str()`` gives the same numbers as
a text table.

>>> from autograd import Value
>>> w = Value([[1.0, -2.0]], label="w"); b = Value([0.5], label="b")
>>> ((w * 3).sum() + b.sum()).backward()
>>> flow = grad_flow([("w", w), ("b", b)])
>>> [(r.name, r.mean_abs, r.max_abs) for r in flow.rows]
[('w', 3.0, 3.0), ('b', 1.0, 1.0)]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .digraph import Digraph
from .escape import dot_html
from .graphview import named_params
from .style import Theme, get_theme, tick_label
from .summary import fmt, fmt_shape, tensor_summary

TRACK = 320


@dataclass(frozen=True)
class LayerGrad:
    """Gradient statistics of one parameter; ``flag`` is None, 'zero', 'vanishing',
    'exploding' or 'non-finite'.

    >>> LayerGrad("fc.weight", (2, 3), 0.1, 0.5, 0.7, None).max_abs
    0.5
    """

    name: str
    shape: tuple[int, ...]
    mean_abs: float
    max_abs: float
    norm: float
    flag: str | None


def _flag(s: Any, vanish: float, explode: float) -> str | None:
    if not s.finite:
        return "non-finite"
    if s.max_abs == 0.0:
        return "zero"
    if s.max_abs > explode:
        return "exploding"
    if s.max_abs < vanish:
        return "vanishing"
    return None


class GradFlow:
    """The gradient-flow report: ``rows`` (one :class:`LayerGrad` per parameter),
    ``table()`` (text) and ``draw()`` (the chart, a ``graphviz.Digraph``).

    In Jupyter it displays as the chart; ``print()`` gives the table.

    >>> flow = GradFlow([LayerGrad("w", (2,), 0.0, 0.0, 0.0, "zero")], 1e-6, 1e4)
    >>> flow.rows[0].flag, "w" in flow.draw().source
    ('zero', True)
    """

    def __init__(self, rows: list[LayerGrad], vanish: float, explode: float,
                 theme: str | Theme = "light"):
        self.rows, self.vanish, self.explode, self.theme = rows, vanish, explode, theme

    def table(self) -> str:
        """The numbers as an aligned text table, in network order.

        >>> from autograd import Value
        >>> print(GradFlow([LayerGrad("w", (2,), 0.5, 1.0, 1.1, None)], 1e-6, 1e4).table())
        ... # doctest: +NORMALIZE_WHITESPACE
        parameter  shape  mean|grad|  max|grad|  ‖grad‖  flag
        w          2      0.500       1.00       1.10
        """
        head = ["parameter", "shape", "mean|grad|", "max|grad|", "‖grad‖", "flag"]
        body = [[r.name, fmt_shape(r.shape), fmt(r.mean_abs), fmt(r.max_abs), fmt(r.norm),
                 r.flag or ""] for r in self.rows]
        widths = [max(len(row[c]) for row in [head, *body]) for c in range(len(head))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
                 for row in [head, *body]]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        return f"<viz.GradFlow: {len(self.rows)} parameters>\n{self.table()}"

    def draw(self, theme: str | Theme | None = None) -> Digraph:
        """The chart: per parameter, max |grad| (light) and mean |grad| (dark) bars."""
        return _chart(self, get_theme(theme or self.theme))

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,
                          **kwargs: Any) -> dict[str, Any]:
        bundle = dict(self.draw()._repr_mimebundle_(include, exclude, **kwargs))
        bundle.setdefault("text/plain", self.table())
        return bundle


def grad_flow(params: Any, *, biases: bool = True, vanish: float = 1e-6,
              explode: float = 1e4, theme: str | Theme = "light") -> GradFlow:
    """Per-parameter gradient summary of a module (or ``named_parameters()`` pairs, a dict
    or a list of Values), in network order, after ``backward()``.

    ``biases=False`` leaves out parameters whose name ends in ``bias``.

    >>> from autograd import Value
    >>> w = Value([2.0, -4.0]); (w * 0.5).sum().backward()
    >>> grad_flow({"w": w}).rows[0].mean_abs
    0.5
    """
    pairs = named_params(params)
    if not pairs:
        raise ValueError("viz.grad_flow: no parameters given (expected a module, a dict, "
                         "(name, value) pairs or Values)")
    rows = []
    for name, p in pairs:
        if not getattr(p, "requires_grad", True):
            continue
        if not biases and name.split(".")[-1].startswith("bias"):
            continue
        s = tensor_summary(p.grad)
        rows.append(LayerGrad(name, tuple(np.shape(p.data)), s.mean_abs, s.max_abs, s.norm,
                              _flag(s, vanish, explode)))
    return GradFlow(rows, vanish, explode, theme)


def plot_grad_flow(named_parameters: Any, **kwargs: Any) -> Digraph:
    """The gradient-flow chart of ``named_parameters`` (the name PyTorch users know).

    Same keywords as :func:`grad_flow`; returns a ``graphviz.Digraph``.

    >>> from autograd import Value
    >>> w = Value([1.0]); (w * 3).sum().backward()
    >>> "Gradient flow" in plot_grad_flow([("w", w)]).source
    True
    """
    return grad_flow(named_parameters, **kwargs).draw()


def _scale(rows: list[LayerGrad], vanish: float) -> tuple[int, int]:
    good = [v for r in rows for v in (r.mean_abs, r.max_abs) if v > 0 and math.isfinite(v)]
    if not good:
        return (math.floor(math.log10(vanish)), 0)
    lo = math.floor(math.log10(min(good)) + 1e-9)
    hi = math.ceil(math.log10(max(good)) - 1e-9)
    return (lo, hi if hi > lo else lo + 1)


def _bar(value: float, lo: int, hi: int, color: str, track: int) -> str:
    """A one-row table: a coloured cell as long as ``value`` on the log scale."""
    if value > 0 and math.isfinite(value):
        t = (math.log10(value) - lo) / (hi - lo)
        width = max(2, min(track, round(track * t)))
    elif value > 0:
        width = track
    else:
        width = 0
    cells = []
    if width:
        cells.append(f'<TD WIDTH="{width}" HEIGHT="7" FIXEDSIZE="TRUE" BGCOLOR="{color}"></TD>')
    if track - width:
        cells.append(f'<TD WIDTH="{track - width}" HEIGHT="7" FIXEDSIZE="TRUE"></TD>')
    return f'<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>{"".join(cells)}</TR></TABLE>'


def _colors(flag: str | None, t: Theme) -> tuple[str, str]:
    if flag in ("exploding", "non-finite"):
        return ("#ffa8a8", t.warn)
    if flag == "vanishing":
        return ("#d0bfff", "#7048e8")
    return ("#a5d8ff", "#1971c2")


def _chart(flow: GradFlow, t: Theme) -> Digraph:
    lo, hi = _scale(flow.rows, flow.vanish)
    n_dec = hi - lo
    step = max(1, math.ceil(n_dec / 8))
    cell = TRACK // n_dec
    track = cell * n_dec
    small = f'<FONT POINT-SIZE="9" COLOR="{t.muted}">'
    rows = [
        f'<TR><TD COLSPAN="5" ALIGN="LEFT"><B>Gradient flow</B> {small}mean and max |grad| '
        f"per parameter, network order (top to bottom), log scale</FONT></TD></TR>",
        f'<TR><TD ALIGN="LEFT">{small}parameter</FONT></TD><TD>{small}shape</FONT></TD>'
        f'<TD ALIGN="LEFT"><FONT COLOR="#a5d8ff">■■</FONT>{small} max |grad|   </FONT>'
        f'<FONT COLOR="#1971c2">■■</FONT>{small} mean |grad|</FONT></TD>'
        f"<TD>{small}mean</FONT></TD><TD>{small}max</FONT></TD></TR>",
    ]
    for r in flow.rows:
        light, dark = _colors(r.flag, t)
        note = ""
        if r.flag:
            color = t.warn if r.flag in ("exploding", "non-finite") else t.vanish
            note = f'<BR/><FONT POINT-SIZE="8" COLOR="{color}">{dot_html(r.flag)}</FONT>'
        bars = (f'<TABLE BORDER="0" CELLSPACING="1" CELLPADDING="0">'
                f"<TR><TD>{_bar(r.max_abs, lo, hi, light, track)}</TD></TR>"
                f"<TR><TD>{_bar(r.mean_abs, lo, hi, dark, track)}</TD></TR></TABLE>")
        rows.append(
            f'<TR><TD ALIGN="LEFT">{dot_html(r.name)}{note}</TD>'
            f'<TD ALIGN="RIGHT">{small}{fmt_shape(r.shape)}</FONT></TD>'
            f'<TD ALIGN="LEFT" BGCOLOR="{t.cluster_fill}">{bars}</TD>'
            f'<TD ALIGN="RIGHT"><FONT POINT-SIZE="9">{fmt(r.mean_abs)}</FONT></TD>'
            f'<TD ALIGN="RIGHT"><FONT POINT-SIZE="9">{fmt(r.max_abs)}</FONT></TD></TR>')
    ticks = "".join(
        f'<TD WIDTH="{cell * min(step, hi - e)}" HEIGHT="14" FIXEDSIZE="TRUE" ALIGN="LEFT">'
        f"{small}{tick_label(10.0 ** e)}</FONT></TD>"
        for e in range(lo, hi, step))
    last = "" if (hi - lo) % step else (
        f'<TD ALIGN="LEFT">{small}{tick_label(10.0 ** hi)}</FONT></TD>')
    rows.append(f'<TR><TD></TD><TD></TD><TD ALIGN="LEFT"><TABLE BORDER="0" CELLSPACING="0" '
                f'CELLPADDING="0"><TR>{ticks}{last}</TR></TABLE></TD><TD></TD><TD></TD></TR>')
    rows.append(f'<TR><TD COLSPAN="5" ALIGN="LEFT">{small}flags: vanishing = max |grad| &lt; '
                f"{flow.vanish:g}; exploding = max |grad| &gt; {flow.explode:g}; zero = no "
                f"gradient reached it; non-finite = nan/inf</FONT></TD></TR>")
    g = Digraph(name="grad_flow")
    g.attr(bgcolor=t.background, fontname=t.fontname)
    g.node("chart", shape="plain", fontname=t.fontname, fontcolor=t.font, fontsize="11",
           label=(f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="2">'
                  f'{"".join(rows)}</TABLE>>'))
    return g
