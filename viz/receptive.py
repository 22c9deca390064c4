"""Receptive fields of a stack of conv / pool layers, and which input pixels reach a unit.

For each layer: the receptive field (how many input pixels one unit sees), the jump (how
far apart in the input two neighbouring units' fields are: the product of the strides), the
cumulative padding (how far the first unit's field reaches past the input's edge), and the
output size when the input size is known.  Layers come as specs — ``(kernel, stride,
padding)`` tuples, dicts, :class:`LayerSpec` — or as a ``layers.Sequential``, read by duck
typing (``kernel_size``, ``stride``, ``padding``, ``dilation`` attributes; a layer whose
``pointwise`` is true, such as ReLU or BatchNorm2d, passes through).

>>> rf = receptive_fields([(3, 1, 1), (2, 2, 0), (3, 1, 1), (2, 2, 0)], input_size=8)
>>> [(r.size[0], r.jump[0], r.out_size[0]) for r in rf]
[(3, 1, 8), (4, 2, 4), (8, 2, 4), (10, 4, 2)]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd.utils import pair

from .digraph import Digraph
from .escape import dot_html
from .style import Theme, get_theme

Pair = tuple[int, int]


def _pair(value: Any, what: str) -> Pair:
    return pair("viz.receptive_fields", what, value)


@dataclass(frozen=True)
class LayerSpec:
    """One spatial layer: kernel, stride, padding and dilation per axis (rows, columns).

    >>> LayerSpec.of(3, padding=1)
    LayerSpec(kernel=(3, 3), stride=(1, 1), padding=(1, 1), dilation=(1, 1), name='layer')
    """

    kernel: Pair
    stride: Pair = (1, 1)
    padding: Pair = (0, 0)
    dilation: Pair = (1, 1)
    name: str = "layer"

    @classmethod
    def of(cls, kernel: Any, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
           name: str = "layer") -> LayerSpec:
        """Build a spec from ints or pairs, checking the values make sense."""
        spec = cls(_pair(kernel, "kernel"), _pair(stride, "stride"), _pair(padding, "padding"),
                   _pair(dilation, "dilation"), str(name))
        if min(spec.kernel + spec.stride + spec.dilation) < 1 or min(spec.padding) < 0:
            raise ValueError(f"viz.receptive_fields: layer {name!r} needs kernel, stride and "
                             f"dilation >= 1 and padding >= 0, got {spec}")
        return spec


@dataclass(frozen=True)
class ReceptiveField:
    """Receptive field after one layer, per axis (rows, columns).

    ``size``: input pixels one unit sees; ``jump``: input distance between neighbouring
    units; ``start``: centre of unit 0's field in input pixel coordinates; ``padding``: how
    far unit 0's field reaches before the input's first pixel; ``out_size``: the layer's
    output size (None when the input size is unknown).

    >>> rf = receptive_fields([(5, 2, 2)])[0]
    >>> rf.size, rf.jump, rf.start, rf.padding, rf.out_size
    ((5, 5), (2, 2), (0.0, 0.0), (2, 2), None)
    """

    name: str
    size: Pair
    jump: Pair
    start: tuple[float, float]
    padding: Pair
    out_size: Pair | None


def _spec_from_module(name: str, m: Any) -> LayerSpec:
    k = m.kernel_size
    stride = getattr(m, "stride", None)
    return LayerSpec.of(k, k if stride is None else stride, getattr(m, "padding", 0) or 0,
                        getattr(m, "dilation", 1) or 1, name or type(m).__name__)


def _children(m: Any) -> list[tuple[str, Any]]:
    if hasattr(m, "named_children"):
        return list(m.named_children())
    return []


def _walk_module(m: Any, prefix: str, out: list[LayerSpec]) -> bool:
    """Append the spatial layers of ``m``; False once a non-spatial layer ends the stack."""
    if hasattr(m, "kernel_size"):
        out.append(_spec_from_module(prefix, m))
        return True
    kids = _children(m)
    if kids:
        for name, child in kids:
            if not _walk_module(child, f"{prefix}.{name}" if prefix else name, out):
                return False
        return True
    return bool(getattr(m, "pointwise", False))


def layer_specs(layers: Any) -> list[LayerSpec]:
    """Normalise ``layers``: a module (walked in order, stopping at the first non-spatial
    layer such as Flatten or Linear) or a list of specs, tuples, dicts or modules.

    >>> [s.kernel for s in layer_specs([(5, 1, 2), {"kernel": 2, "stride": 2}])]
    [(5, 5), (2, 2)]
    """
    if hasattr(layers, "named_children") or hasattr(layers, "kernel_size"):
        out: list[LayerSpec] = []
        _walk_module(layers, "", out)
        if not out:
            raise ValueError(f"viz.receptive_fields: {type(layers).__name__} has no layer "
                             "with a kernel_size before its first non-spatial layer")
        return out
    specs = []
    for i, item in enumerate(layers):
        name = f"layer{i + 1}"
        if isinstance(item, LayerSpec):
            specs.append(item)
        elif isinstance(item, dict):
            specs.append(LayerSpec.of(item["kernel"], item.get("stride", 1),
                                      item.get("padding", 0), item.get("dilation", 1),
                                      item.get("name", name)))
        elif isinstance(item, (tuple, list)):
            specs.append(LayerSpec.of(*item[:4], name=name))
        elif hasattr(item, "kernel_size"):
            specs.append(_spec_from_module(name, item))
        else:
            raise TypeError(f"viz.receptive_fields: layer {i} is {item!r}; expected "
                            "(kernel, stride, padding), a dict, a LayerSpec or a conv/pool module")
    if not specs:
        raise ValueError("viz.receptive_fields: no layers given")
    return specs


def receptive_fields(layers: Any, input_size: Any = None) -> list[ReceptiveField]:
    """The receptive field, jump, start and padding after each layer; see the module doc.

    >>> receptive_fields([(3, 2, 1)], 7)[0].padding
    (1, 1)
    """
    specs = layer_specs(layers)
    size = None if input_size is None else _pair(input_size, "input_size")
    r, j, start = [1, 1], [1, 1], [0.0, 0.0]
    out = []
    for spec in specs:
        for a in range(2):
            k_eff = spec.dilation[a] * (spec.kernel[a] - 1) + 1
            r[a] += (k_eff - 1) * j[a]
            start[a] += ((k_eff - 1) / 2 - spec.padding[a]) * j[a]
            j[a] *= spec.stride[a]
        if size is not None:
            new = []
            for a in range(2):
                k_eff = spec.dilation[a] * (spec.kernel[a] - 1) + 1
                n = (size[a] + 2 * spec.padding[a] - k_eff) // spec.stride[a] + 1
                if n < 1:
                    raise ValueError(f"viz.receptive_fields: layer {spec.name!r} ({spec}) "
                                     f"does not fit an input of size {size}")
                new.append(n)
            size = (new[0], new[1])
        pad = tuple(max(0, int(round((r[a] - 1) / 2 - start[a]))) for a in range(2))
        out.append(ReceptiveField(spec.name, (r[0], r[1]), (j[0], j[1]),
                                  (start[0], start[1]), (pad[0], pad[1]), size))
    return out


def receptive_field_table(layers: Any, input_size: Any = None) -> str:
    """The receptive fields as an aligned text table.

    >>> print(receptive_field_table([(3, 1, 1)], 8))  # doctest: +NORMALIZE_WHITESPACE
    layer   kernel  stride  padding  field  jump  start  edge padding  output
    layer1  3×3     1×1     1×1      3×3    1×1   0,0    1×1           8×8
    """
    specs = layer_specs(layers)
    rfs = receptive_fields(specs, input_size)
    head = ["layer", "kernel", "stride", "padding", "field", "jump", "start", "edge padding",
            "output"]

    def p(x: Any) -> str:
        return "?" if x is None else f"{x[0]}×{x[1]}"

    body = [[s.name, p(s.kernel), p(s.stride), p(s.padding), p(r.size), p(r.jump),
             f"{r.start[0]:g},{r.start[1]:g}", p(r.padding), p(r.out_size)]
            for s, r in zip(specs, rfs, strict=True)]
    widths = [max(len(row[c]) for row in [head, *body]) for c in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
                     for row in [head, *body])


def _axis_counts(specs: list[LayerSpec], sizes: list[int], unit: int, axis: int) -> list[
        np.ndarray]:
    """Per layer (input first), how many paths lead from each position to ``unit``."""
    counts = np.zeros(sizes[-1], dtype=np.int64)
    counts[unit] = 1
    out = [counts]
    for spec, n_in in zip(reversed(specs), reversed(sizes[:-1]), strict=True):
        below = np.zeros(n_in, dtype=np.int64)
        k, s, p, d = (spec.kernel[axis], spec.stride[axis], spec.padding[axis],
                      spec.dilation[axis])
        for i in np.nonzero(counts)[0]:
            for t in range(k):
                pos = i * s - p + t * d
                if 0 <= pos < n_in:
                    below[pos] += counts[i]
        counts = below
        out.append(counts)
    return out[::-1]


def input_region(layers: Any, input_size: Any, unit: Any = None, layer: int = -1) -> list[
        np.ndarray]:
    """Which positions reach output ``unit`` (row, col) of ``layer``, at every level.

    Returns one ``(H, W)`` integer array per level, the input first: the number of paths
    from each position to the unit (0: not in its receptive field).  ``unit`` defaults to
    the centre unit.

    >>> maps = input_region([(3, 1, 0)], 5, unit=(0, 0))
    >>> maps[0].astype(bool).sum(), maps[1][0, 0]
    (np.int64(9), np.int64(1))
    """
    specs = layer_specs(layers)
    n_layers = len(specs)
    last = layer % n_layers
    specs = specs[: last + 1]
    rfs = receptive_fields(specs, input_size)
    sizes = [_pair(input_size, "input_size")] + [r.out_size for r in rfs]
    top = sizes[-1]
    if unit is None:
        unit = (top[0] // 2, top[1] // 2)
    unit = _pair(unit, "unit")
    if not (0 <= unit[0] < top[0] and 0 <= unit[1] < top[1]):
        raise ValueError(f"viz.input_region: unit {unit} is outside layer {specs[-1].name!r} "
                         f"of size {top}")
    rows = _axis_counts(specs, [s[0] for s in sizes], unit[0], 0)
    cols = _axis_counts(specs, [s[1] for s in sizes], unit[1], 1)
    return [np.outer(r, c) for r, c in zip(rows, cols, strict=True)]


def _grid(counts: np.ndarray, t: Theme, cell: int, top: bool) -> str:
    peak = counts.max() or 1
    rows = []
    for r in range(counts.shape[0]):
        cells = []
        for c in range(counts.shape[1]):
            v = counts[r, c]
            if top and v:
                color = t.highlight
            elif v:
                color = _shade(v / peak)
            else:
                color = t.background if t.name != "light" else "#ffffff"
            cells.append(f'<TD WIDTH="{cell}" HEIGHT="{cell}" FIXEDSIZE="TRUE" '
                         f'BGCOLOR="{color}"></TD>')
        rows.append("<TR>" + "".join(cells) + "</TR>")
    return (f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1" CELLPADDING="0" '
            f'BGCOLOR="{t.muted}">' + "".join(rows) + "</TABLE>")


def _shade(t: float) -> str:
    """Light to deep blue as more paths lead through a pixel."""
    lo, hi = (0xd0, 0xeb, 0xff), (0x18, 0x64, 0xab)
    return "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in zip(lo, hi, strict=True))


def draw_receptive_field(layers: Any, input_size: Any, unit: Any = None, layer: int = -1,
                         theme: str | Theme = "light", max_side: int = 64) -> Digraph:
    """Picture of which input pixels reach ``unit`` of ``layer``: one grid per level.

    The chosen unit is highlighted; below it, every position in its receptive field is
    shaded by how many paths lead from it to the unit (the centre counts most).  Levels
    larger than ``max_side`` per side are summarised instead of drawn cell by cell.

    >>> g = draw_receptive_field([(3, 1, 1), (2, 2, 0)], 6, unit=(0, 0))
    >>> g.source.count("level0 -> level1"), "field 4×4" in g.source
    (1, True)
    """
    t = get_theme(theme)
    specs = layer_specs(layers)
    maps = input_region(specs, input_size, unit, layer)
    rfs = receptive_fields(specs[: len(maps) - 1], input_size)
    names = ["input", *(s.name for s in specs[: len(maps) - 1])]
    g = Digraph(name="receptive_field")
    g.attr(rankdir="LR", bgcolor=t.background, fontname=t.fontname, nodesep="0.3")
    g.attr("node", shape="plain", fontname=t.fontname, fontsize="10", fontcolor=t.font)
    g.attr("edge", color=t.muted, arrowsize="0.7")
    for k, counts in enumerate(maps):
        h, w = counts.shape
        rows, cols = np.nonzero(counts)
        top = k == len(maps) - 1
        if k == 0:
            info = (f"{h}×{w} input: field {rows.max() - rows.min() + 1}×"
                    f"{cols.max() - cols.min() + 1} pixels")
        else:
            rf = rfs[k - 1]
            info = f"{h}×{w}: field {rf.size[0]}×{rf.size[1]}, jump {rf.jump[0]}"
        info += (f"\nunit ({rows[0]}, {cols[0]})" if top else
                 f"\nrows {rows.min()}–{rows.max()}, cols {cols.min()}–{cols.max()}")
        if max(h, w) <= max_side:
            cell = max(5, min(18, 200 // max(h, w)))
            size = (f'WIDTH="{w * cell + w + 1}" HEIGHT="{h * cell + h + 1}" '
                    'FIXEDSIZE="TRUE" CELLPADDING="0"')
            body = f"<TD {size}>{_grid(counts, t, cell, top)}</TD>"
        else:
            body = f"<TD>{h}×{w}: too large to draw cell by cell</TD>"
        label = (f'<<TABLE BORDER="0" CELLSPACING="2"><TR><TD><B>{dot_html(names[k])}</B>'
                 f'</TD></TR><TR>{body}</TR><TR><TD><FONT POINT-SIZE="9" '
                 f'COLOR="{t.muted}">{dot_html(info)}</FONT></TD></TR></TABLE>>')
        g.node(f"level{k}", label=label)
        if k:
            g.edge(f"level{k - 1}", f"level{k}")
    return g
