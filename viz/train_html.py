"""The training player's HTML: one Graphviz SVG restyled frame by frame, plain JavaScript.

The graph is laid out once, every data and gradient cell as wide as the widest text it will
show, so nodes never jump.  The frames (:mod:`viz.frames`) travel as JSON differences; the
script (``viz/assets/train_player.js``) rebuilds each frame's picture from them, moves the
phase indicator and the timeline, grows the loss curve and redraws the decision boundary.
The stepper's stylesheet (``player.css``) styles the graph; ``train_player.css`` the rest.
No kernel, no network: the page works inline in a notebook or saved on its own.

>>> from autograd import Value
>>> from layers import SGD
>>> from viz.train_player import train_player
>>> w = Value(0.5, label="w")
>>> p = train_player(lambda xs: [w * a for a in xs], lambda out, ys: (out[0] - ys[0]) ** 2,
...                  [2.0], [3.0], SGD([w], lr=0.1), steps=2)
>>> html = train_player_html(p)
>>> html.count('class="gg-next-phase"'), '<canvas class="gg-boundary"' in html
(1, False)
>>> [(f["p"], f["i"]) for f in frames_json(p.writer)][:4], sorted(frames_json(p.writer)[0])
([(0, 0), (0, 0), (0, 0), (1, 0)], ['c', 'cur', 'd', 'e', 'g', 'i', 'p', 's'])
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from .draw import Overlay, draw_overlay
from .frames import PHASES, FrameWriter, pick_detail, write_pass
from .page import whole_page
from .player import asset, player_script, svg_body
from .style import get_theme


def _cells(view: Any) -> dict[str, list[int]]:
    """Per drawn value, how its label's last texts are laid out: ``[data cells, gradient
    cells, texts after the data cells]`` (a tensor's gradient row has its own title)."""
    out: dict[str, list[int]] = {}
    for i, v in enumerate(view.values):
        if view.kinds[i] == "const":
            continue
        nd = 1 if v.is_scalar else 3
        ng = (1 if v.is_scalar else 3) if v.requires_grad else 0
        out[str(i)] = [nd, ng, ng + (1 if ng and not v.is_scalar else 0)]
    return out


def frames_json(writer: Any) -> list[dict[str, Any]]:
    """The frames as the script reads them (keys kept short: the file holds many frames);
    node states are a string of index-letter pairs (``"0d2c"``).

    >>> from viz.frames import FrameWriter
    >>> w = FrameWriter(2); w.state[1] = "c"; w.emit(0, "<b>hi</b>", [1])
    >>> frames_json(w)
    [{'p': 0, 'i': 0, 'c': '<b>hi</b>', 'cur': [1], 's': '0d1c', 'd': {}, 'g': {}, 'e': {}}]
    """
    out = []
    for f in writer.frames:
        out.append({"p": f.phase, "i": f.iteration, "c": f.caption, "cur": f.current,
                    "s": "".join(f"{i}{s}" for i, s in f.states.items()),
                    "d": {str(i): t for i, t in f.data.items()},
                    "g": {str(i): t for i, t in f.grads.items()},
                    "e": {f"{c}_{pos}": t[0] for (c, pos), t in f.edges.items()}})
    return out


def _boundary(player: Any) -> dict[str, Any] | None:
    if player.boundaries is None or player.grid is None:
        return None
    return {"size": player.grid.size, "extent": list(player.grid.extent),
            "classes": ["".join(str(int(c) % 10) for c in b) for b in player.boundaries],
            "points": [[round(float(a), 5), round(float(b), 5)] for a, b in player.points],
            "labels": [int(v) for v in player.labels],
            "sample": player.sample or []}


def _base_svg(view: Any, writer: Any, theme: Any, rankdir: str | None) -> str:
    """The graph laid out once, each cell and edge label holding the widest text it will
    ever show (an edge label is written from its number, which its text gives back)."""
    sent = {key: float(t[0]) for key, t in writer.widest_edges.items() if t[0]}
    overlay = Overlay(["done"] * len(view), {}, sent, grad_text=writer.widest_grads,
                      data_text=writer.widest_data)
    g = draw_overlay(view, overlay, rankdir=rankdir, theme=theme)
    return svg_body(g.svg())


def _side(steps: int, boundary: bool) -> str:
    if not steps:
        return ""
    side = ('<div class="gg-side"><div class="gg-side-title">loss per step</div>'
            '<svg class="gg-loss" viewBox="0 0 260 150" width="260" height="150"></svg>')
    if boundary:
        side += ('<div class="gg-side-title">decision boundary</div>'
                 '<canvas class="gg-boundary" width="260" height="260"></canvas>')
    return side + "</div>"


def page_html(view: Any, writer: Any, *, theme: Any, rankdir: str | None, title: str,
              losses: list[float], boundary: dict[str, Any] | None, full_page: bool) -> str:
    """A player over ``writer``'s frames of ``view``: with ``losses``, a training player
    (timeline, loss curve, update phase, and the ``boundary`` data when given); without, one
    pass (forward and backward).

    >>> from autograd import Value
    >>> from viz.step import Stepper
    >>> s = Stepper(Value(2.0, label="x") * 3)
    >>> w = FrameWriter(len(s.view)); write_pass(w, s, "node")
    >>> html = page_html(s.view, w, theme="light", rankdir=None, title="x*3", losses=[],
    ...                  boundary=None, full_page=True)
    >>> html.startswith("<!DOCTYPE html>"), 'class="gg-next-iter"' in html
    (True, False)
    """
    pid = "gg-train-" + uuid.uuid4().hex[:10]
    t = get_theme(theme)
    svg = _base_svg(view, writer, theme, rankdir)
    phase_names = list(PHASES if losses else PHASES[:2])
    frames = frames_json(writer)
    data = {"frames": frames, "cells": _cells(view), "losses": losses, "phases": phase_names,
            "boundary": boundary, "interval": 700}
    payload = json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("</", "<\\/")
    colours = (f"--gg-font: {t.font}; --gg-bg: {t.background}; --gg-muted: {t.muted}; "
               f"--gg-hl: {t.highlight}")
    steps = len(losses)
    ticks = "".join(f'<button class="gg-tick" data-it="{k}" title="iteration {k + 1}">'
                    f"{k + 1}</button>" for k in range(steps))
    phases = " → ".join(f'<span class="gg-ph" data-phase="{k}">{k + 1} · {name}</span>'
                        for k, name in enumerate(phase_names))
    back = forth = ""
    if steps:
        back = ('<button class="gg-prev-iter" title="previous iteration (PageUp)">&#xAB; '
                "iteration</button>")
        forth = ('<button class="gg-next-iter" title="next iteration (PageDown)">iteration '
                 "&#xBB;</button>")
    fragment = f"""<div class="gg-player gg-train" id="{pid}" tabindex="0" data-frame="0"
 data-iteration="0" data-phase="forward" style="{colours}">
<style>{asset("player.css")}{asset("train_player.css")}</style>
<div class="gg-controls">{back}
<button class="gg-prev-phase" title="previous phase (↑)">&#x25C0;&#x25C0; phase</button>
<button class="gg-prev" title="previous step (←)">&#x25C0; step</button>
<button class="gg-play" title="play / pause (space)">&#x25B6; play</button>
<button class="gg-next" title="next step (→)">step &#x25B6;</button>
<button class="gg-next-phase" title="next phase (↓)">phase &#x25B6;&#x25B6;</button>
{forth}
<button class="gg-zoom" title="fit the width / natural size">fit</button>
<span class="gg-counter">frame 1 / {len(frames)}</span>
</div>
<div class="gg-phases">{phases}<span class="gg-iter-label"></span>
<span class="gg-loss-label"></span></div>
<div class="gg-timeline" aria-label="iterations">{ticks}</div>
<div class="gg-main"><div class="gg-left"><div class="gg-caption"></div>
<div class="gg-svg">{svg}</div></div>{_side(steps, boundary is not None)}</div>
<div class="gg-help">keys: ← → step · ↑ ↓ phase{' · PageUp / PageDown iteration' if steps else ''}
 · space play</div>
<div class="gg-nojs">The controls need JavaScript (trust the notebook, or open the saved HTML
file in a browser).</div>
<script type="application/json" class="gg-data">{payload}</script>
{player_script("train_player.js", pid)}
</div>"""
    if not full_page:
        return fragment
    return whole_page(fragment, title, t.background)


def train_player_html(player: Any, full_page: bool = False) -> str:
    """The training player as an HTML fragment (or a whole page): see the module docstring."""
    return page_html(player.view, player.writer, theme=player.theme, rankdir=player.rankdir,
                     title=f"gradgate training player: {len(player.losses)} steps",
                     losses=player.losses, boundary=_boundary(player), full_page=full_page)


def pass_player_html(stepper: Any, full_page: bool = False) -> str:
    """One forward and backward pass of ``stepper``'s graph as a player (``viz.step(f,
    forward=True)``).

    >>> from autograd import Value
    >>> from viz.step import step
    >>> "1 · forward" in pass_player_html(step(Value(2.0) * 3, forward=True))
    True
    """
    writer = FrameWriter(len(stepper.view))
    write_pass(writer, stepper, pick_detail("auto", stepper.view))
    return page_html(stepper.view, writer, theme=stepper.theme, rankdir=stepper.rankdir,
                     title=f"gradgate forward and backward: {stepper[0].name}", losses=[],
                     boundary=None, full_page=full_page)
