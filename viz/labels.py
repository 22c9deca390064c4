"""HTML-like Graphviz labels for value nodes, op nodes and collapsed modules.

Every piece of user text goes through :func:`viz.escape.dot_html`.  A value node's gradient
is always the *last* text of its label: the stepper's HTML player finds it there to update
it frame by frame.

>>> from viz.style import LIGHT
>>> "data 3.00" in scalar_value_label("x", "input", 3.0, "grad -6.00", LIGHT)
True
"""

from __future__ import annotations

from typing import Any

from .escape import dot_html
from .style import Theme
from .summary import fmt, fmt_shape, tensor_summary


def _cells(word: str, x: Any, scalar: bool) -> list[str]:
    """``word`` and the number for a scalar, ``[norm, mean |x|, max |x|]`` for a tensor;
    question marks while ``x`` is ``None``."""
    if scalar:
        return [f"{word} ?" if x is None else f"{word} {fmt(x)}"]
    if x is None:
        return ["?", "?", "?"]
    s = tensor_summary(x)
    return [fmt(s.norm), fmt(s.mean_abs), fmt(s.max_abs)]


def grad_cells(grad: Any, scalar: bool) -> list[str]:
    """The texts of a value's gradient cells: ``["grad -6.00"]`` for a scalar, ``[norm,
    mean |g|, max |g|]`` for a tensor; ``None`` (not known yet) gives question marks.

    >>> grad_cells(-6.0, True), grad_cells(None, True), grad_cells(None, False)
    (['grad -6.00'], ['grad ?'], ['?', '?', '?'])
    """
    return _cells("grad", grad, scalar)


def data_cells(data: Any, scalar: bool) -> list[str]:
    """The texts of a value's data cells: ``["data 3.00"]`` for a scalar, ``[norm, mean |x|,
    max |x|]`` for a tensor; ``None`` (not computed yet) gives question marks.

    >>> data_cells(3.0, True), data_cells(None, True), data_cells([3.0, -4.0], False)
    (['data 3.00'], ['data ?'], ['5.00', '3.50', '4.00'])
    """
    return _cells("data", data, scalar)


def _bad_counts(data: Any) -> str:
    s = tensor_summary(data)
    parts = [f"{s.n_nan} nan" if s.n_nan else "", f"{s.n_inf} inf" if s.n_inf else ""]
    return " ".join(p for p in parts if p)


def _header(name: str | None, tag: str | None, flag: tuple[str, str] | None,
            theme: Theme, color: str) -> str:
    parts = []
    if name is not None:
        parts.append(f'<FONT COLOR="{color}"><B>{dot_html(name)}</B></FONT>')
    if tag:
        parts.append(f'<FONT POINT-SIZE="8" COLOR="{theme.muted}">{dot_html(tag)}</FONT>')
    if flag is not None:
        text, color = flag
        parts.append(f'<FONT POINT-SIZE="9" COLOR="{color}">{dot_html(text)}</FONT>')
    return "<BR/>".join(parts)


def _table(body: str, fill: str, border: str, width: int) -> str:
    return (f'<<TABLE BORDER="{width}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" '
            f'COLOR="{border}" BGCOLOR="{fill}" STYLE="rounded">{body}</TABLE>>')


def scalar_value_label(name: str | None, tag: str | None, data: float,
                       grad: list[str] | None,
                       theme: Theme, *, fill: str | None = None, border: str | None = None,
                       flag: tuple[str, str] | None = None, font: str | None = None,
                       width: int = 1, data_text: list[str] | None = None) -> str:
    """One row: ``name/tag | data 3.00 | grad -6.00`` (grad cell only when ``grad`` given);
    ``data_text`` replaces the data cell's text (the training player sizes it).

    >>> from viz.style import LIGHT
    >>> "grad" in scalar_value_label(None, None, 1.0, None, LIGHT)
    False
    """
    kind_fill, kind_border = theme.kind(tag or "value")
    fill, border = fill or kind_fill, border or kind_border
    color = font or theme.font
    cells = []
    head = _header(name, tag, flag, theme, color)
    if head:
        cells.append(f"<TD>{head}</TD>")
    sep = f'<TD WIDTH="1" CELLPADDING="0" BGCOLOR="{border}"></TD>'
    text = data_text[0] if data_text else data_cells(data, True)[0]
    cells.append(f'<TD><FONT COLOR="{color}">{dot_html(text)}</FONT></TD>')
    if grad is not None:
        cells.append(f'<TD><FONT COLOR="{color}">{dot_html(grad[0])}</FONT></TD>')
    return _table("<TR>" + sep.join(cells) + "</TR>", fill, border, width)


def tensor_value_label(name: str | None, tag: str | None, data: Any,
                       grad: list[str] | None, theme: Theme, *, fill: str | None = None,
                       border: str | None = None, flag: tuple[str, str] | None = None,
                       font: str | None = None, width: int = 1,
                       data_text: list[str] | None = None) -> str:
    """A small table: name/tag, shape and dtype, then norm, mean |x| and max |x| of the
    data (or the cells ``data_text``) and (when ``grad`` cells are given) of the gradient,
    in aligned columns.

    >>> import numpy as np
    >>> from viz.style import LIGHT
    >>> "2×3" in tensor_value_label("w", "param", np.ones((2, 3)), None, LIGHT)
    True
    """
    kind_fill, kind_border = theme.kind(tag or "value")
    fill, border = fill or kind_fill, border or kind_border
    color = font or theme.font
    small = f'<FONT POINT-SIZE="8" COLOR="{theme.muted}">'
    rows = []
    head = _header(name, tag, flag, theme, color)
    if head:
        rows.append(f'<TR><TD COLSPAN="4">{head}</TD></TR>')
    rows.append(f'<TR><TD COLSPAN="4"><FONT COLOR="{color}">{fmt_shape(data.shape)} '
                f"{dot_html(data.dtype)}</FONT></TD></TR>")
    rows.append(f"<TR><TD></TD><TD>{small}‖·‖</FONT></TD><TD>{small}mean|x|</FONT></TD>"
                f"<TD>{small}max|x|</FONT></TD></TR>")
    bad = _bad_counts(data)
    rows.append(_stats_row("data" + (f" ({bad})" if bad else ""),
                           data_text or data_cells(data, False), small, color))
    if grad is not None:
        rows.append(_stats_row("grad", grad, small, color))
    return _table("".join(rows), fill, border, width)


def _stats_row(title: str, cells: list[str], small: str, color: str) -> str:
    body = "".join(f'<TD ALIGN="RIGHT"><FONT COLOR="{color}">{dot_html(c)}</FONT></TD>'
                   for c in cells)
    return f'<TR><TD ALIGN="RIGHT">{small}{dot_html(title)}</FONT></TD>{body}</TR>'


def gate_params_text(gate: Any) -> str:
    """The gate's parameters worth showing (``gate.params()``), e.g. ``stride 2 · padding 1``;
    unset ones (None, False) are left out.

    >>> from autograd import Value, conv2d
    >>> gate_params_text(conv2d(Value([[[[1.0]]]]), Value([[[[1.0]]]]), stride=2).gate)
    'stride (2, 2) · padding (0, 0)'
    """
    parts = []
    for key, value in gate.params().items():
        if value is None or value is False:
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = repr(value) if not isinstance(value, (int, float, tuple)) else str(value)
        if len(text) > 24:
            text = text[:21] + "…"
        parts.append(f"{key} {text}")
    return " · ".join(parts)


def op_label(gate: Any, theme: Theme, font: str | None = None) -> str:
    """Op name in bold, then the gate family and its rule, then parameters.

    >>> from viz.style import LIGHT
    >>> from autograd.ops.arith import MUL_GATE
    >>> "mul gate · swaps" in op_label(MUL_GATE, LIGHT)
    True
    """
    color = font or theme.font
    lines = [f'<FONT COLOR="{color}"><B>{dot_html(gate.name)}</B></FONT>',
             f'<FONT POINT-SIZE="8" COLOR="{color}">{dot_html(gate.family)} gate · '
             f"{dot_html(gate.rule_label)}</FONT>"]
    extra = gate_params_text(gate)
    if extra:
        lines.append(f'<FONT POINT-SIZE="8" COLOR="{color}">{dot_html(extra)}</FONT>')
    return "<" + "<BR/>".join(lines) + ">"


def box_label(path: str, n_values: int, ops: list[str], out_text: str | None,
              theme: Theme) -> str:
    """A collapsed module: its path, how many ops it holds (most common first), its output.

    >>> from viz.style import LIGHT
    >>> "3 ops" in box_label("net.0", 4, ["conv2d", "add", "relu"], None, LIGHT)
    True
    """
    counts: dict[str, int] = {}
    for op in ops:
        counts[op] = counts.get(op, 0) + 1
    common = sorted(counts, key=lambda k: (-counts[k], k))
    listed = ", ".join(f"{k}×{counts[k]}" if counts[k] > 1 else k for k in common[:4])
    listed += ", …" if len(common) > 4 else ""
    lines = [f"<B>{dot_html(path)}</B>",
             f'<FONT POINT-SIZE="9">{len(ops)} ops, {n_values} values: {dot_html(listed)}'
             "</FONT>"]
    if out_text:
        lines.append(f'<FONT POINT-SIZE="9">{dot_html(out_text)}</FONT>')
    return "<" + "<BR/>".join(lines) + ">"
