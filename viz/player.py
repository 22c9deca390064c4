"""The stepper's HTML player: one Graphviz SVG, every frame inline, plain JavaScript.

The graph is laid out once (so nodes never jump between frames) with each gradient cell
sized for the widest text it will show; a frame is a string of node states (pending,
reached, current, done) plus the gradient texts that change at that step.  Buttons
(first / previous / play / next / last), a slider and the arrow keys move between frames.
No kernel, no ipywidgets and no network: the file works in a notebook, in an HTML export of
the notebook, or opened on its own.  The stylesheet and the script are the package files
``viz/assets/player.css`` and ``viz/assets/player.js`` (after ``common.js``, the helpers it shares
with the training player), inlined into every player.

>>> from autograd import Value
>>> from viz.step import step
>>> html = player_html(step(Value(2.0, label="x") * 3))
>>> html.count('class="gg-next"'), "<script" in html
(1, True)
"""

from __future__ import annotations

import json
import re
import uuid
from importlib import resources
from typing import Any

from .draw import draw_overlay
from .escape import html_text
from .labels import grad_cells
from .page import whole_page
from .style import get_theme

STATE_CODES = {"pending": "p", "reached": "r", "current": "c", "done": "d"}

ASSETS = resources.files("viz") / "assets"
"""The player's stylesheet and script: plain ``.css`` and ``.js`` files, linted in CI."""


def asset(name: str) -> str:
    """The text of one of the player's files (``player.css``, ``player.js``).

    >>> "function" in asset("player.js") and ".gg-player" in asset("player.css")
    True
    """
    return (ASSETS / name).read_text(encoding="utf-8")


def player_script(name: str, pid: str) -> str:
    """The ``<script>`` of the player with id ``pid``: the shared helpers (``common.js``),
    then the player's own file ``name`` with its id in place of ``__PLAYER_ID__``.

    >>> tag = player_script("player.js", "gg-player-1")
    >>> tag.index("var ggPlayerKit") < tag.index('ggPlayerKit.start("gg-player-1"')
    True
    """
    return f"<script>{asset('common.js')}\n{asset(name).replace('__PLAYER_ID__', pid)}</script>"


def step_caption(stepper: Any, k: int, total: int) -> str:
    """Step ``k``'s title and explanation as HTML (a note at the player's last frame when
    the stepper has more steps than it holds).

    >>> from autograd import Value
    >>> from viz.step import step
    >>> step_caption(step(Value(2.0, label="x") * 3), 1, 2)[:50]
    '<b>Step 2: x — leaf</b><ul><li>x is a leaf: backwa'
    """
    st = stepper[k]
    lines = "".join(f"<li>{html_text(line)}</li>" for line in st.lines)
    more = ""
    if total > len(stepper.steps[: stepper.max_frames]) and k == stepper.max_frames - 1:
        more = (f"<li><i>the player holds the first {stepper.max_frames} of {total} steps; "
                "use stepper.draw(i) or stepper[i] for the rest</i></li>")
    return f"<b>{html_text(st.title)}</b><ul>{lines}{more}</ul>"


def svg_body(svg: str) -> str:
    """The ``<svg>`` element of a Graphviz SVG document (prologue and comments dropped)."""
    start = svg.find("<svg")
    body = svg[start:] if start >= 0 else svg
    return re.sub(r"<!--.*?-->", "", body, flags=re.S)


def frames_data(stepper: Any) -> dict[str, Any]:
    """Per-frame node states, gradient-text changes and captions (what the JS reads).

    >>> from autograd import Value
    >>> from viz.step import step
    >>> frames_data(step(Value(2.0) * 3))["states"]  # 2.0 reached, then current; 3 is constant
    ['rdc', 'cdd']
    """
    m = stepper.view
    n = min(len(stepper), stepper.max_frames)
    deltas = stepper.grad_texts()[:n]
    order_index = {s.value_index for s in stepper.steps}
    init = {i: grad_cells(None, m.values[i].is_scalar) for i in order_index}
    states = ["".join(STATE_CODES[s] for s in frame) for frame in stepper.states(n)]
    return {
        "states": states,
        "init": {str(i): t for i, t in init.items()},
        "deltas": [{str(i): t for i, t in d.items()} for d in deltas],
        "captions": [step_caption(stepper, k, len(stepper)) for k in range(n)],
        "current": [stepper[k].value_index for k in range(n)],
        "interval": 900,
    }


def _base_svg(stepper: Any, data: dict[str, Any]) -> str:
    """Lay the graph out once, each gradient cell as wide as its widest text."""
    longest: dict[int, list[str]] = {int(i): list(t) for i, t in data["init"].items()}
    for delta in data["deltas"]:
        for i, texts in delta.items():
            widest = longest[int(i)]
            for j, t in enumerate(texts):
                if len(t) > len(widest[j]):
                    widest[j] = t
    last = stepper.overlay(len(data["states"]) - 1)
    last.state = ["done"] * len(last.state)
    last.grad_text = longest
    last.grads = {}  # the cells' texts come from grad_text; tooltips give nothing away
    last.sent = stepper.overlay(len(stepper) - 1).sent
    g = draw_overlay(stepper.view, last, rankdir=stepper.rankdir, theme=stepper.theme)
    return svg_body(g.svg())


def player_html(stepper: Any, full_page: bool = False) -> str:
    """The player as an HTML fragment (or a whole page): see the module docstring.

    >>> from autograd import Value
    >>> from viz.step import step
    >>> player_html(step(Value(1.0) + 1), full_page=True).startswith("<!DOCTYPE html>")
    True
    """
    pid = "gg-player-" + uuid.uuid4().hex[:10]
    t = get_theme(stepper.theme)
    data = frames_data(stepper)
    svg = _base_svg(stepper, data)
    colours = (f"--gg-font: {t.font}; --gg-bg: {t.background}; --gg-muted: {t.muted}; "
               f"--gg-hl: {t.highlight}")
    payload = json.dumps(data, ensure_ascii=True).replace("</", "<\\/")
    n = len(data["states"])
    fragment = f"""<div class="gg-player" id="{pid}" tabindex="0" data-step="0"
 style="{colours}">
<style>{asset("player.css")}</style>
<div class="gg-controls">
<button class="gg-first" title="first step">|&#x25C0;</button>
<button class="gg-prev" title="previous step (←)">&#x25C0; prev</button>
<button class="gg-play" title="play / pause">&#x25B6; play</button>
<button class="gg-next" title="next step (→)">next &#x25B6;</button>
<button class="gg-last" title="last step">&#x25B6;|</button>
<button class="gg-zoom" title="fit the width / natural size">fit</button>
<input class="gg-slider" type="range" min="0" max="{n - 1}" value="0" step="1"
 aria-label="backward step">
<span class="gg-counter">step 1 / {n}</span>
</div>
<div class="gg-caption">{data["captions"][0]}</div>
<div class="gg-svg">{svg}</div>
<div class="gg-nojs">The step controls need JavaScript (trust the notebook, or open the saved
HTML file in a browser).</div>
<script type="application/json" class="gg-data">{payload}</script>
{player_script("player.js", pid)}
</div>"""
    if not full_page:
        return fragment
    return whole_page(fragment, f"gradgate backward stepper: {stepper[0].name}", t.background)
