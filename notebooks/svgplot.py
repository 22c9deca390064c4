"""Tiny SVG charts for the course notebooks (matplotlib is not a gradgate dependency).

Every function returns a :class:`Figure`, which Jupyter shows inline (``_repr_svg_``) and
``save("name.svg")`` writes to disk.  Images (digits, filters, decision regions) are embedded
as small PNGs encoded here with ``zlib``, drawn with sharp pixels.

>>> fig = line_chart({"train": [3, 2, 1.5], "val": [3.1, 2.4, 2.2]}, title="loss")
>>> fig.svg.startswith("<svg")
True
"""

from __future__ import annotations

import base64
import html
import math
import struct
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

PALETTE = ("#1f6fb4", "#e8710a", "#2a9d3a", "#c9302c", "#7b4fb0", "#8c564b", "#d4589c",
           "#6b6b6b", "#a3a300", "#13a3b8")
FONT = "font-family='DejaVu Sans, Helvetica, Arial, sans-serif'"


class Figure:
    """An SVG picture: shown inline by Jupyter, saved with :meth:`save`."""

    def __init__(self, svg: str):
        self.svg = svg

    def _repr_svg_(self) -> str:
        return self.svg

    def save(self, path: str) -> str:
        """Write the SVG to ``path``; returns ``path``."""
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(self.svg)
        return path


class Row:
    """Figures side by side (HTML), e.g. ``Row(fig_a, fig_b)``."""

    def __init__(self, *figures: Figure):
        self.figures = figures

    def _repr_html_(self) -> str:
        cells = "".join(f"<div style='margin-right:12px'>{f.svg}</div>" for f in self.figures)
        return f"<div style='display:flex;flex-wrap:wrap;align-items:flex-start'>{cells}</div>"


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _svg(width: int, height: int, body: str) -> Figure:
    return Figure(f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
                  f"viewBox='0 0 {width} {height}' {FONT} font-size='11'>"
                  f"<rect width='100%' height='100%' fill='white'/>{body}</svg>")


def _fmt(v: float) -> str:
    if v == 0:
        return "0"
    if abs(v) >= 1e4 or abs(v) < 1e-2:
        return f"{v:.0e}".replace("e-0", "e-").replace("e+0", "e")
    return f"{v:g}"


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    step = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * step:
            step *= m
            break
    start = math.ceil(lo / step) * step
    return [start + i * step for i in range(int((hi - start) / step + 1e-9) + 1)]


# ------------------------------------------------------------------ PNG images
def png(pixels: np.ndarray) -> bytes:
    """Encode ``(H, W)`` grey or ``(H, W, 3)`` RGB uint8 pixels as PNG bytes."""
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    rgb = pixels.ndim == 3
    h, w = pixels.shape[:2]
    rows = pixels.reshape(h, -1)
    raw = b"".join(b"\x00" + rows[i].tobytes() for i in range(h))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", w, h, 8, 2 if rgb else 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def _image(pixels: np.ndarray, x: float, y: float, w: float, h: float) -> str:
    data = base64.b64encode(png(pixels)).decode("ascii")
    return (f"<image x='{x:.1f}' y='{y:.1f}' width='{w:.1f}' height='{h:.1f}' "
            f"preserveAspectRatio='none' style='image-rendering:pixelated' "
            f"href='data:image/png;base64,{data}'/>")


def to_pixels(a: np.ndarray, diverging: bool = False) -> np.ndarray:
    """Scale an array to uint8 pixels: grey from min to max, or blue-white-red around 0."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 3 and a.shape[0] == 3:  # (3, H, W) colour image
        lo, hi = a.min(), a.max()
        return (255 * (a - lo) / (hi - lo or 1)).transpose(1, 2, 0).astype(np.uint8)
    if not diverging:
        lo, hi = a.min(), a.max()
        return (255 * (a - lo) / (hi - lo or 1)).astype(np.uint8)
    t = a / (np.abs(a).max() or 1.0)
    pos, neg = np.clip(t, 0, 1), np.clip(-t, 0, 1)
    r = 255 * (1 - neg * 0.85)
    g = 255 * (1 - 0.85 * np.maximum(pos, neg))
    b = 255 * (1 - pos * 0.85)
    return np.stack([r, g, b], axis=-1).astype(np.uint8)


def image_grid(images: Sequence[np.ndarray], titles: Sequence[str] | None = None,
               cols: int = 8, cell: int = 56, diverging: bool = False,
               title: str | None = None) -> Figure:
    """Show 2-D arrays (or ``(3, H, W)`` colour images) in a grid, each scaled on its own.

    Each image is ``cell`` pixels wide (height by its aspect ratio, from the first image).
    ``diverging=True`` draws negative values blue and positive red (filters, gradients).
    """
    n = len(images)
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    h0, w0 = np.shape(images[0])[-2:]
    cell_h = max(4, round(cell * h0 / w0))
    top = 22 if title else 4
    label_h = 14 if titles else 0
    width = max(cols * (cell + 6) + 6, 7 * len(title or "") + 12)
    height = top + rows * (cell_h + 6 + label_h) + 4
    body = [f"<text x='6' y='15' font-size='13' font-weight='bold'>{_esc(title)}</text>"
            if title else ""]
    for i, img in enumerate(images):
        r, c = divmod(i, cols)
        x, y = 6 + c * (cell + 6), top + r * (cell_h + 6 + label_h)
        body.append(_image(to_pixels(img, diverging), x, y, cell, cell_h))
        body.append(f"<rect x='{x}' y='{y}' width='{cell}' height='{cell_h}' fill='none' "
                    "stroke='#bbb'/>")
        if titles:
            body.append(f"<text x='{x + cell / 2}' y='{y + cell_h + 12}' text-anchor='middle' "
                        f"font-size='10'>{_esc(titles[i])}</text>")
    return _svg(width, height, "".join(body))


# ------------------------------------------------------------------ axes
class _Axes:
    """A plot area with linear x and linear or log y; maps data to pixels."""

    def __init__(self, xlim: tuple[float, float], ylim: tuple[float, float], logy: bool,
                 width: int, height: int, left: int = 58, top: int = 40):
        self.logy = logy
        self.x0, self.x1 = xlim
        self.y0, self.y1 = (math.log10(ylim[0]), math.log10(ylim[1])) if logy else ylim
        if self.x1 == self.x0:
            self.x0, self.x1 = self.x0 - 1, self.x1 + 1
        if self.y1 == self.y0:
            self.y0, self.y1 = self.y0 - 1, self.y1 + 1
        self.left, self.top = left, top
        self.w, self.h = width - left - 16, height - top - 42

    def px(self, x: float) -> float:
        return self.left + (x - self.x0) / (self.x1 - self.x0) * self.w

    def py(self, y: float) -> float:
        v = math.log10(y) if self.logy else y
        return self.top + (1 - (v - self.y0) / (self.y1 - self.y0)) * self.h

    def frame(self, title: str | None, xlabel: str | None, ylabel: str | None,
              xticks: bool = True) -> str:
        out = [f"<rect x='{self.left}' y='{self.top}' width='{self.w}' height='{self.h}' "
               "fill='#fbfbfb' stroke='#999'/>"]
        if title:
            out.append(f"<text x='{self.left}' y='17' font-size='13' font-weight='bold'>"
                       f"{_esc(title)}</text>")
        if xticks:
            for t in _ticks(self.x0, self.x1):
                x = self.px(t)
                out.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{self.top + self.h}' "
                           f"y2='{self.top + self.h + 4}' stroke='#999'/>"
                           f"<text x='{x:.1f}' y='{self.top + self.h + 16}' "
                           f"text-anchor='middle'>{_fmt(t)}</text>")
        if self.logy:
            yt = [10.0**k for k in range(math.ceil(self.y0 - 1e-9), math.floor(self.y1) + 1)]
            if len(yt) > 7:
                yt = yt[:: math.ceil(len(yt) / 7)]
        else:
            yt = _ticks(self.y0, self.y1)
        for t in yt:
            y = self.py(t)
            out.append(f"<line x1='{self.left}' x2='{self.left + self.w}' y1='{y:.1f}' "
                       f"y2='{y:.1f}' stroke='#e4e4e4'/>"
                       f"<text x='{self.left - 5}' y='{y + 4:.1f}' text-anchor='end'>"
                       f"{_fmt(t)}</text>")
        if xlabel:
            out.append(f"<text x='{self.left + self.w / 2}' y='{self.top + self.h + 32}' "
                       f"text-anchor='middle'>{_esc(xlabel)}</text>")
        if ylabel:
            cy = self.top + self.h / 2
            out.append(f"<text x='13' y='{cy}' text-anchor='middle' "
                       f"transform='rotate(-90 13 {cy})'>{_esc(ylabel)}</text>")
        return "".join(out)


def _legend(names: Sequence[str], x: float, y: float) -> str:
    """A one-line legend (colour swatch and name per series) starting at ``(x, y)``."""
    if len(names) < 2:
        return ""
    out = []
    for i, name in enumerate(names):
        color = PALETTE[i % len(PALETTE)]
        out.append(f"<rect x='{x:.1f}' y='{y - 9}' width='10' height='10' fill='{color}'/>"
                   f"<text x='{x + 14:.1f}' y='{y}'>{_esc(name)}</text>")
        x += 24 + 6.5 * len(str(name))
    return "".join(out)


def _series(data: Mapping[str, Any]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    out = {}
    for name, value in data.items():
        if isinstance(value, tuple) and len(value) == 2:
            xs, ys = np.asarray(value[0], float), np.asarray(value[1], float)
        else:
            ys = np.asarray(value, float)
            xs = np.arange(1, len(ys) + 1, dtype=float)
        out[name] = (xs, ys)
    return out


def line_chart(data: Mapping[str, Any], title: str | None = None, xlabel: str | None = None,
               ylabel: str | None = None, logy: bool = False, width: int = 460,
               height: int = 280, markers: bool = False,
               ylim: tuple[float, float] | None = None) -> Figure:
    """Lines, one per entry of ``data``: a list of y values (x = 1, 2, ...) or ``(xs, ys)``.

    ``logy`` uses a log scale (non-positive values are dropped).
    """
    series = _series(data)
    xs_all = np.concatenate([s[0] for s in series.values()])
    ys_all = np.concatenate([s[1] for s in series.values()])
    ys_all = ys_all[np.isfinite(ys_all)]
    if logy:
        ys_all = ys_all[ys_all > 0]
    lo, hi = (float(ys_all.min()), float(ys_all.max())) if ylim is None else ylim
    if logy:
        lo, hi = 10 ** math.floor(math.log10(lo)), 10 ** math.ceil(math.log10(hi))
    else:
        pad = (hi - lo) * 0.05 or 0.5
        lo, hi = (lo - pad, hi + pad) if ylim is None else (lo, hi)
    ax = _Axes((float(xs_all.min()), float(xs_all.max())), (lo, hi), logy, width, height)
    body = [ax.frame(title, xlabel, ylabel)]
    for i, (xs, ys) in enumerate(series.values()):
        color = PALETTE[i % len(PALETTE)]
        keep = np.isfinite(ys) & ((ys > 0) if logy else True)
        pts = [(ax.px(x), ax.py(y)) for x, y in zip(xs[keep], ys[keep])]
        if len(pts) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            body.append(f"<polyline points='{path}' fill='none' stroke='{color}' "
                        "stroke-width='2'/>")
        if markers or len(pts) == 1:
            body += [f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3' fill='{color}'/>"
                     for x, y in pts]
    body.append(_legend(list(series), ax.left, 33))
    return _svg(width, height, "".join(body))


def bar_chart(data: Mapping[str, Sequence[float]], labels: Sequence[str],
              title: str | None = None, ylabel: str | None = None, logy: bool = False,
              width: int = 460, height: int = 280) -> Figure:
    """Grouped bars: for each label, one bar per series in ``data``."""
    names = list(data)
    values = np.array([list(map(float, data[n])) for n in names])
    positive = values[values > 0]
    if logy:
        lo = 10 ** math.floor(math.log10(positive.min()))
        hi = 10 ** math.ceil(math.log10(positive.max()))
    else:
        lo, hi = min(0.0, float(values.min())), float(values.max()) * 1.08 or 1.0
    ax = _Axes((0, len(labels)), (lo, hi), logy, width, height)
    body = [ax.frame(title, None, ylabel, xticks=False)]
    group = ax.w / len(labels)
    bar = group * 0.8 / len(names)
    base = ax.py(lo if logy else 0.0)
    for j, label in enumerate(labels):
        gx = ax.left + j * group + group * 0.1
        for i in range(len(names)):
            v = values[i, j]
            if logy and v <= 0:
                continue
            y = ax.py(v)
            body.append(f"<rect x='{gx + i * bar:.1f}' y='{min(y, base):.1f}' "
                        f"width='{bar * 0.92:.1f}' height='{abs(base - y):.1f}' "
                        f"fill='{PALETTE[i % len(PALETTE)]}'/>")
        body.append(f"<text x='{gx + group * 0.4:.1f}' y='{ax.top + ax.h + 15}' "
                    f"text-anchor='middle' font-size='10'>{_esc(label)}</text>")
    if len(names) > 1:
        body.append(_legend(names, ax.left, 33))
    return _svg(width, height, "".join(body))


def _light(color: str, t: float = 0.72) -> tuple[int, int, int]:
    r, g, b = (int(color[k:k + 2], 16) for k in (1, 3, 5))
    return tuple(int(c + (255 - c) * t) for c in (r, g, b))


def decision_boundary(predict: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                      y: np.ndarray, title: str | None = None, resolution: int = 80,
                      size: int = 300) -> Figure:
    """Points coloured by class over the regions ``predict`` (points → class ids) assigns."""
    x = np.asarray(x, float)
    pad = 0.3
    (x0, y0), (x1, y1) = x.min(0) - pad, x.max(0) + pad
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y1, y0, resolution))
    grid = np.stack([gx.ravel(), gy.ravel()], 1)
    cls = np.asarray(predict(grid)).reshape(resolution, resolution).astype(int)
    colors = np.array([_light(c) for c in PALETTE], dtype=np.uint8)
    top, left = 26 if title else 6, 6
    body = [f"<text x='6' y='17' font-size='13' font-weight='bold'>{_esc(title)}</text>"
            if title else "", _image(colors[cls % len(PALETTE)], left, top, size, size)]
    for (px, py), label in zip(x, np.asarray(y).astype(int)):
        cx = left + (px - x0) / (x1 - x0) * size
        cy = top + (y1 - py) / (y1 - y0) * size
        body.append(f"<circle cx='{cx:.1f}' cy='{cy:.1f}' r='3.2' "
                    f"fill='{PALETTE[label % len(PALETTE)]}' stroke='white' "
                    "stroke-width='0.8'/>")
    return _svg(size + 12, size + top + 6, "".join(body))


def table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> Any:
    """A small HTML table (an ``IPython.display.HTML``)."""
    from IPython.display import HTML

    head = "".join(f"<th style='text-align:left;padding:2px 10px'>{_esc(h)}</th>"
                   for h in header)
    body = "".join("<tr>" + "".join(f"<td style='padding:2px 10px'>{_esc(c)}</td>"
                                    for c in row) + "</tr>" for row in rows)
    return HTML(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def scatter(x: np.ndarray, y: np.ndarray, title: str | None = None, width: int = 300,
            height: int = 280, equal: bool = False) -> Figure:
    """2-D points coloured by integer class, on axes with ticks (to see the data's scale).

    ``equal=True`` uses the same scale on both axes.
    """
    x = np.asarray(x, float)
    (x0, y0), (x1, y1) = x.min(0), x.max(0)
    if equal:
        half = max(x1 - x0, y1 - y0) / 2
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        x0, x1, y0, y1 = cx - half, cx + half, cy - half, cy + half
    padx, pady = (x1 - x0) * 0.06 or 1.0, (y1 - y0) * 0.06 or 1.0
    ax = _Axes((x0 - padx, x1 + padx), (y0 - pady, y1 + pady), False, width, height)
    body = [ax.frame(title, None, None)]
    for (px, py), label in zip(x, np.asarray(y).astype(int)):
        body.append(f"<circle cx='{ax.px(px):.1f}' cy='{ax.py(py):.1f}' r='2.6' "
                    f"fill='{PALETTE[label % len(PALETTE)]}'/>")
    return _svg(width, height, "".join(body))
