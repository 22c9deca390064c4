"""The stepper's HTML player: one Graphviz SVG, every frame inline, plain JavaScript.

The graph is laid out once (so nodes never jump between frames) with each gradient cell
sized for the widest text it will show; a frame is a string of node states (pending,
reached, current, done) plus the gradient texts that change at that step.  Buttons
(first / previous / play / next / last), a slider and the arrow keys move between frames.
No kernel, no ipywidgets and no network: the file works in a notebook, in an HTML export of
the notebook, or opened on its own.

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
from typing import Any

from .draw import draw_overlay
from .escape import html_text
from .labels import grad_cells
from .style import get_theme

STATE_CODES = {"pending": "p", "reached": "r", "current": "c", "done": "d"}

_CSS = """
#{id} {{ font-family: Helvetica, Arial, sans-serif; color: {font}; background: {bg};
  border: 1px solid {muted}; border-radius: 8px; padding: 10px; margin: 6px 0;
  outline: none; }}
#{id} .gg-controls {{ display: flex; align-items: center; gap: 6px; flex-wrap: wrap; }}
#{id} .gg-controls button {{ font-size: 13px; padding: 3px 10px; border-radius: 5px;
  border: 1px solid {muted}; background: {bg}; color: {font}; cursor: pointer; }}
#{id} .gg-controls button:hover {{ border-color: {hl}; }}
#{id} .gg-slider {{ flex: 1; min-width: 120px; accent-color: {hl}; }}
#{id} .gg-counter {{ font-variant-numeric: tabular-nums; min-width: 7em; }}
#{id} .gg-caption {{ margin: 8px 2px; font-size: 14px; line-height: 1.45;
  min-height: 5.5em; }}
#{id} .gg-caption b {{ color: {hl}; }}
#{id} .gg-caption ul {{ margin: 2px 0 0 0; padding-left: 1.3em; }}
#{id} .gg-svg {{ overflow: auto; max-height: 80vh; }}
#{id}.gg-fit .gg-svg svg {{ max-width: 100%; height: auto; }}
#{id} .gg-nojs {{ font-size: 12px; color: {muted}; }}
#{id} .gg-pend {{ opacity: 0.22; }}
#{id} g.edge.gg-pend text {{ visibility: hidden; }}
#{id} g.node.gg-cur polygon, #{id} g.node.gg-cur ellipse, #{id} g.node.gg-cur path
  {{ stroke: {hl}; stroke-width: 3px; }}
#{id} g.edge.gg-cur path {{ stroke: {hl}; stroke-width: 3.5px; }}
#{id} g.edge.gg-cur polygon {{ stroke: {hl}; fill: {hl}; }}
#{id} g.edge.gg-cur text {{ fill: {hl}; font-weight: bold; }}
"""

_JS = """
(function () {
  var ID = "__PLAYER_ID__";
  var me = document.currentScript;
  var root = me ? me.closest(".gg-player") : null;
  var tries = 0;
  function boot() {
    root = root || document.getElementById(ID);
    if (!root) { if (tries++ < 100) { setTimeout(boot, 50); } return; }
    var data = JSON.parse(root.querySelector("script.gg-data").textContent);
    var n = data.states.length;
    var values = {}, uses = {}, arrivals = {}, ops = {}, gradText = {};
    root.querySelectorAll("g.node, g.edge").forEach(function (g) {
      g.classList.forEach(function (c) {
        var m = /^gg([vore])_(\\d+)(?:_(\\d+))?$/.exec(c);
        if (!m) { return; }
        var i = +m[2];
        if (m[1] === "v") {
          values[i] = g;
          var texts = g.querySelectorAll("text");
          var k = (data.init[i] || []).length;
          if (k && texts.length >= k) {
            var cells = Array.prototype.slice.call(texts, texts.length - k);
            cells.forEach(function (t) { anchor(t); });
            gradText[i] = cells;
          }
        } else if (m[1] === "o") { ops[i] = g; }
        else if (m[1] === "r") { arrivals[i] = g; }
        else { (uses[i] = uses[i] || []).push(g); }
      });
    });
    function anchor(t) {
      /* keep each cell's text in place whatever its length: right-align tensor numbers,
         centre scalar "grad" cells */
      try {
        var bb = t.getBBox();
        if (bb.width <= 0) { return; }
        var mid = t.textContent.indexOf("grad") === 0;
        t.setAttribute("x", mid ? bb.x + bb.width / 2 : bb.x + bb.width);
        t.setAttribute("text-anchor", mid ? "middle" : "end");
      } catch (e) { /* not rendered yet: keep Graphviz's anchor */ }
    }
    var box = root.querySelector(".gg-svg");
    var svgEl = box.querySelector("svg");
    var zoom = root.querySelector(".gg-zoom");
    function setFit(fit) {
      root.classList.toggle("gg-fit", fit);
      zoom.textContent = fit ? "100%" : "fit";
    }
    setFit(svgEl && svgEl.getBoundingClientRect().width <= 1.6 * box.clientWidth);
    zoom.onclick = function () { setFit(!root.classList.contains("gg-fit")); follow(); };
    function follow() {
      /* scroll the picture (inside its box) so that the current node is in view */
      var g = values[data.current[current]];
      if (!g) { return; }
      var r = g.getBoundingClientRect(), c = box.getBoundingClientRect();
      box.scrollLeft += (r.left + r.width / 2) - (c.left + c.width / 2);
      box.scrollTop += (r.top + r.height / 2) - (c.top + c.height / 2);
    }
    var slider = root.querySelector(".gg-slider");
    var counter = root.querySelector(".gg-counter");
    var caption = root.querySelector(".gg-caption");
    var play = root.querySelector(".gg-play");
    var timer = null, current = -1;
    var CLASSES = {p: "gg-pend", r: "gg-reach", c: "gg-cur", d: "gg-done"};
    var EDGE = {p: "gg-pend", r: "gg-pend", c: "gg-cur", d: "gg-done"};
    function mark(g, cls) {
      if (!g) { return; }
      g.classList.remove("gg-pend", "gg-reach", "gg-cur", "gg-done");
      g.classList.add(cls);
    }
    function show(k) {
      k = Math.max(0, Math.min(n - 1, k));
      var states = data.states[k];
      for (var i = 0; i < states.length; i++) {
        var s = states.charAt(i);
        mark(values[i], CLASSES[s]);
        mark(ops[i], EDGE[s]);
        mark(arrivals[i], EDGE[s]);
        (uses[i] || []).forEach(function (g) { mark(g, EDGE[s]); });
      }
      var texts = Object.assign({}, data.init);
      for (var j = 0; j <= k; j++) { Object.assign(texts, data.deltas[j]); }
      Object.keys(gradText).forEach(function (key) {
        gradText[key].forEach(function (t, j) { t.textContent = texts[key][j]; });
      });
      caption.innerHTML = data.captions[k];
      slider.value = k;
      counter.textContent = "step " + (k + 1) + " / " + n;
      root.setAttribute("data-step", k);
      current = k;
      follow();
    }
    function stop() {
      if (timer) { clearInterval(timer); timer = null; }
      play.textContent = "\u25B6 play";
    }
    root.querySelector(".gg-first").onclick = function () { stop(); show(0); };
    root.querySelector(".gg-prev").onclick = function () { stop(); show(current - 1); };
    root.querySelector(".gg-next").onclick = function () { stop(); show(current + 1); };
    root.querySelector(".gg-last").onclick = function () { stop(); show(n - 1); };
    slider.oninput = function () { stop(); show(+slider.value); };
    play.onclick = function () {
      if (timer) { stop(); return; }
      if (current >= n - 1) { show(0); }
      play.textContent = "\u275A\u275A pause";
      timer = setInterval(function () {
        if (current >= n - 1) { stop(); } else { show(current + 1); }
      }, data.interval);
    };
    root.addEventListener("keydown", function (e) {
      if (e.key === "ArrowRight") { stop(); show(current + 1); e.preventDefault(); }
      if (e.key === "ArrowLeft") { stop(); show(current - 1); e.preventDefault(); }
    });
    root.querySelector(".gg-nojs").style.display = "none";
    show(0);
  }
  boot();
})();
"""


def _caption(stepper: Any, k: int, total: int) -> str:
    st = stepper[k]
    lines = "".join(f"<li>{html_text(line)}</li>" for line in st.lines)
    more = ""
    if total > len(stepper.steps[: stepper.max_frames]) and k == stepper.max_frames - 1:
        more = (f"<li><i>the player holds the first {stepper.max_frames} of {total} steps; "
                "use stepper.draw(i) or stepper[i] for the rest</i></li>")
    return f"<b>{html_text(st.title)}</b><ul>{lines}{more}</ul>"


def _svg_body(svg: str) -> str:
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
    m = stepper.model
    n = min(len(stepper), stepper.max_frames)
    deltas = stepper.grad_texts()[:n]
    order_index = {s.value_index for s in stepper.steps}
    init = {i: grad_cells(None, m.values[i].is_scalar) for i in order_index}
    states = ["".join(STATE_CODES[s] for s in frame) for frame in stepper.states(n)]
    return {
        "states": states,
        "init": {str(i): t for i, t in init.items()},
        "deltas": [{str(i): t for i, t in d.items()} for d in deltas],
        "captions": [_caption(stepper, k, len(stepper)) for k in range(n)],
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
    full = stepper.overlay(len(stepper) - 1).sent
    last.sent = full
    g = draw_overlay(stepper.model, last, rankdir=stepper.rankdir, theme=stepper.theme)
    return _svg_body(g.svg())


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
    css = _CSS.format(id=pid, font=t.font, bg=t.background, muted=t.muted, hl=t.highlight)
    payload = json.dumps(data, ensure_ascii=True).replace("</", "<\\/")
    n = len(data["states"])
    fragment = f"""<div class="gg-player" id="{pid}" tabindex="0" data-step="0">
<style>{css}</style>
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
<script>{_JS.replace("__PLAYER_ID__", pid)}</script>
</div>"""
    if not full_page:
        return fragment
    title = html_text(f"gradgate backward stepper: {stepper[0].name}")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{title}</title></head>\n<body style=\"background:{t.background}\">"
            f"\n{fragment}\n</body></html>\n")
