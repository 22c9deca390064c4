"""Themes, the look of each gate family and value kind, and the gradient colour scale.

>>> THEMES["light"].family("mul").shape
'box'
>>> scale = GradScale(-3, 1)
>>> scale.position(1e-3), scale.position(10.0), scale.position(0.1)
(0.0, 1.0, 0.5)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FamilyStyle:
    """How op nodes of one gate family look: shape, fill, border and the Graphviz style.

    >>> FamilyStyle("ellipse", "#d0ebff", "#1c7ed6").style
    'filled'
    """

    shape: str
    fill: str
    border: str
    style: str = "filled"


@dataclass(frozen=True)
class Theme:
    """Colours and fonts of a picture.

    >>> THEMES["dark"].background
    '#1e1f24'
    """

    name: str
    background: str
    font: str
    muted: str
    fontname: str
    edge: str
    highlight: str
    warn: str
    vanish: str
    cluster_fill: str
    cluster_border: str
    kinds: dict[str, tuple[str, str]]
    families: dict[str, FamilyStyle]
    palette: tuple[str, ...]
    pending_fill: str
    zero_edge: str = field(default="#9a9a9a")

    def family(self, name: str | None) -> FamilyStyle:
        """The style of a gate family (``local`` for unknown families)."""
        return self.families.get(name or "local", self.families["local"])

    def kind(self, name: str) -> tuple[str, str]:
        """``(fill, border)`` of a value kind: output, param, input, const or value."""
        return self.kinds.get(name, self.kinds["value"])


LIGHT = Theme(
    name="light",
    background="white",
    font="#1f2328",
    muted="#8c959f",
    fontname="Helvetica",
    edge="#57606a",
    highlight="#e8590c",
    warn="#cf222e",
    vanish="#0969da",
    cluster_fill="#f6f8fa",
    cluster_border="#afb8c1",
    kinds={
        "output": ("#ffe8cc", "#d9480f"),
        "param": ("#fff3bf", "#b08800"),
        "input": ("#d3f9d8", "#2b8a3e"),
        "const": ("#f1f3f5", "#adb5bd"),
        "value": ("#ffffff", "#6e7781"),
    },
    families={
        "add": FamilyStyle("ellipse", "#d0ebff", "#1c7ed6"),
        "mul": FamilyStyle("box", "#ffe3e3", "#e03131", "filled,rounded"),
        "max": FamilyStyle("invhouse", "#d3f9d8", "#2f9e44"),
        "local": FamilyStyle("octagon", "#e5dbff", "#7048e8"),
    },
    palette=("#fec44f", "#fe9929", "#f46d43", "#e31a1c", "#bd0026", "#800026"),
    pending_fill="#f3f4f6",
)

DARK = Theme(
    name="dark",
    background="#1e1f24",
    font="#e6edf3",
    muted="#6e7681",
    fontname="Helvetica",
    edge="#9da7b3",
    highlight="#ffa94d",
    warn="#ff6b6b",
    vanish="#74c0fc",
    cluster_fill="#262830",
    cluster_border="#4b5263",
    kinds={
        "output": ("#5c3a1e", "#ffa94d"),
        "param": ("#4d4420", "#ffd43b"),
        "input": ("#1f4529", "#69db7c"),
        "const": ("#2d3036", "#6e7681"),
        "value": ("#2b2e36", "#9da7b3"),
    },
    families={
        "add": FamilyStyle("ellipse", "#1c3d5a", "#74c0fc"),
        "mul": FamilyStyle("box", "#5a1f24", "#ff8787", "filled,rounded"),
        "max": FamilyStyle("invhouse", "#1f4529", "#8ce99a"),
        "local": FamilyStyle("octagon", "#3b2f66", "#b197fc"),
    },
    palette=("#3b3b6d", "#5a4e9a", "#8a5ab8", "#c061a8", "#ef6f7c", "#ff9a56", "#ffd166"),
    pending_fill="#25272d",
    zero_edge="#5c636e",
)

THEMES: dict[str, Theme] = {"light": LIGHT, "dark": DARK}


def get_theme(theme: str | Theme) -> Theme:
    """A theme by name (``"light"``, ``"dark"``) or a :class:`Theme` passed through.

    >>> get_theme("light").name
    'light'
    """
    if isinstance(theme, Theme):
        return theme
    try:
        return THEMES[theme]
    except (KeyError, TypeError):
        raise ValueError(
            f"viz: unknown theme {theme!r}; expected one of {sorted(THEMES)} or a viz.Theme"
        ) from None


def _mix(a: str, b: str, t: float) -> str:
    """Blend two ``#rrggbb`` colours: ``t=0`` gives ``a``, ``t=1`` gives ``b``."""
    ca = [int(a[i:i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb, strict=True))


@dataclass(frozen=True)
class GradScale:
    """Log-scale map from gradient magnitude to edge colour and width.

    ``lo`` and ``hi`` are powers of ten: magnitudes at or below ``10**lo`` get the palette's
    first colour and the thinnest line, those at or above ``10**hi`` the last colour and the
    thickest line.

    >>> s = GradScale(-2, 0)
    >>> s.width(1.0), s.width(0.01)
    (4.5, 0.8)
    """

    lo: int
    hi: int
    min_width: float = 0.8
    max_width: float = 4.5

    @classmethod
    def fit(cls, magnitudes: Iterable[float]) -> GradScale:
        """The decades spanned by the finite, non-zero magnitudes (at least one decade).

        >>> GradScale.fit([0.02, 3.0, 0.0, float("nan")])
        GradScale(lo=-2, hi=1, min_width=0.8, max_width=4.5)
        """
        good = [m for m in magnitudes if m > 0 and math.isfinite(m)]
        if not good:
            return cls(-1, 0)
        lo = math.floor(math.log10(min(good)) + 1e-9)
        hi = math.ceil(math.log10(max(good)) - 1e-9)
        lo = max(lo, hi - 12)
        return cls(lo, hi if hi > lo else lo + 1)

    def position(self, magnitude: float) -> float:
        """Where a magnitude sits on the scale, from 0 to 1."""
        if not magnitude > 0:
            return 0.0
        if math.isinf(magnitude):
            return 1.0
        t = (math.log10(magnitude) - self.lo) / (self.hi - self.lo)
        return min(1.0, max(0.0, t))

    def color(self, magnitude: float, theme: Theme) -> str:
        """The edge colour of a magnitude (palette interpolated on the log scale)."""
        pal = theme.palette
        x = self.position(magnitude) * (len(pal) - 1)
        i = min(int(x), len(pal) - 2)
        return _mix(pal[i], pal[i + 1], x - i)

    def width(self, magnitude: float) -> float:
        """The edge pen width of a magnitude."""
        t = self.position(magnitude)
        return round(self.min_width + (self.max_width - self.min_width) * t, 2)

    def ticks(self) -> list[float]:
        """Magnitudes for the legend: powers of ten over wide scales (at most seven), five
        evenly spaced (log) values over scales of three decades or less.

        >>> GradScale(-4, 0).ticks()
        [0.0001, 0.001, 0.01, 0.1, 1.0]
        >>> [round(t, 3) for t in GradScale(0, 1).ticks()]
        [1.0, 1.778, 3.162, 5.623, 10.0]
        """
        span = self.hi - self.lo
        if span > 3:
            step = max(1, math.ceil(span / 6))
            return [10.0 ** e for e in range(self.lo, self.hi + 1, step)]
        return [10.0 ** (self.lo + span * k / 4) for k in range(5)]


def tick_label(x: float) -> str:
    """Compact label: ``1e-3``, ``1``, ``10``, ``1e+2`` for powers of ten, else 2 digits.

    >>> tick_label(0.001), tick_label(1.0), tick_label(100.0), tick_label(3.162)
    ('1e-3', '1', '1e+2', '3.2')
    """
    e = math.log10(x)
    if abs(e - round(e)) > 1e-9:
        return f"{x:.2g}"
    e = round(e)
    if e == 0:
        return "1"
    if e == 1:
        return "10"
    return f"1e{e:+d}" if e > 0 else f"1e{e}"


def legend_label(scale: GradScale, theme: Theme, vanish: float, explode: float) -> str:
    """HTML-like label of the gradient legend: colour swatches on the log scale and flags.

    >>> "vanishing" in legend_label(GradScale(-2, 0), LIGHT, 1e-6, 1e4)
    True
    """
    cells = []
    for t in scale.ticks():
        height = round(scale.width(t) * 3 + 4)
        cells.append(f'<TD BGCOLOR="{scale.color(t, theme)}" WIDTH="34" HEIGHT="{height}"></TD>')
    labels = "".join(f'<TD><FONT POINT-SIZE="9">{tick_label(t)}</FONT></TD>'
                     for t in scale.ticks())
    n = len(cells)
    return (
        f'<<TABLE BORDER="1" COLOR="{theme.muted}" CELLBORDER="0" CELLSPACING="2" '
        f'CELLPADDING="2" BGCOLOR="{theme.background}">'
        f'<TR><TD COLSPAN="{n}"><B>gradient flowing back</B> '
        f'<FONT POINT-SIZE="9">|∂out/∂·|, log scale</FONT></TD></TR>'
        f'<TR>{"".join(cells)}</TR><TR>{labels}</TR>'
        f'<TR><TD COLSPAN="{n}" ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="{theme.vanish}">'
        f"▼ vanishing: |grad| &lt; {vanish:g}</FONT>   "
        f'<FONT POINT-SIZE="9" COLOR="{theme.warn}">▲ exploding: &gt; {explode:g}'
        f" or nan/inf</FONT></TD></TR>"
        f'<TR><TD COLSPAN="{n}" ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="{theme.muted}">'
        f"dotted edge: no gradient (0)</FONT></TD></TR>"
        "</TABLE>>"
    )
