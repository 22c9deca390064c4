"""Drawing big graphs: the scale targets of ``viz.draw`` (Digraph built, then SVG by ``dot``).

Targets (each time is ``viz.draw`` plus rendering the SVG, best and median of ``--repeat``):

- chain: 1,002 scalar ops ``acc = tanh(acc * x_i + 0.1)``, 334 steps cycling 10 inputs —
  ≤ 3 s with the default cap of 500 nodes, ≤ 15 s whole (``max_nodes=None``);
- scalar MLP 2→16→16→1 (micrograd-sized, one point, squared error), whole: ≤ 5 s;
- ``layers.resnet_small`` on a 2×3×32×32 batch, cross-entropy, tensor graph: ≤ 3 s;
- ``viz.explore`` pages of resnet_small (one view per module) and of the whole chain;
- the stepper on a 1,000-node scalar MLP (4→8→8→1, two points): replay and HTML player.

``--alias-crossover`` times the whole chain for several alias spans (what chose
``viz.aliases.ALIAS_SPAN``); ``--limits`` times pictures with and without
``viz.layout.LAYOUT_LIMITS`` (what chose ``LIMITS_FROM``).  Every ``dot`` run is stopped
after ``--timeout`` seconds (reported as "> N s").  Run: ``python bench/bench_draw.py``.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import _common  # before NumPy: sets OMP_WAIT_POLICY and the thread limits
import numpy as np

import viz
from autograd import Value, cross_entropy
from viz.digraph import run_dot
from viz.graphview import GraphView
from viz.layout import LAYOUT_LIMITS, plan


def chain(steps: int = 334, inputs: int = 10) -> Value:
    """``acc = tanh(acc * x_i + 0.1)`` for ``steps`` steps, cycling ``inputs`` labelled
    inputs (3 ops per step), after backward."""
    xs = [Value(0.1 * (i + 1), label=f"x{i}") for i in range(inputs)]
    acc = Value(0.5, label="acc0")
    for i in range(steps):
        acc = (acc * xs[i % inputs] + 0.1).tanh()
    acc.label = "out"
    acc.backward()
    return acc


def scalar_mlp_loss(sizes: list[int], points: int, seed: int = 0) -> Value:
    """Squared-error loss of a scalar MLP built from Values (tanh hidden layers)."""
    rnd = random.Random(seed)
    layers = [[([Value(rnd.uniform(-1, 1), label=f"w{k}.{j}.{i}") for i in range(n_in)],
                Value(0.0, label=f"b{k}.{j}")) for j in range(n_out)]
              for k, (n_in, n_out) in enumerate(zip(sizes, sizes[1:], strict=False))]
    loss = Value(0.0, label="zero")
    for _ in range(points):
        h = [Value(rnd.uniform(-1, 1), requires_grad=False) for _ in range(sizes[0])]
        for k, layer in enumerate(layers):
            outs = []
            for ws, b in layer:
                act = b
                for w, x in zip(ws, h, strict=True):
                    act = act + w * x
                outs.append(act.tanh() if k < len(layers) - 1 else act)
            h = outs
        loss = loss + (h[0] - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    return loss


def resnet_loss() -> tuple[Value, object]:
    """``layers.resnet_small`` on a 2×3×32×32 batch, cross-entropy, after backward."""
    from layers import resnet_small

    net = resnet_small()
    x = Value(np.random.default_rng(0).standard_normal((2, 3, 32, 32)), requires_grad=False)
    loss = cross_entropy(net(x), np.array([1, 7]))
    loss.backward()
    return loss, net


def timings(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best and median wall time in seconds of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def dot_seconds(source: str, timeout: float) -> float:
    """Seconds ``dot -Tsvg`` takes on ``source``; inf when stopped at ``timeout``, NaN when
    ``dot`` crashed (Graphviz 2.42 segfaults on a 360-op chain drawn without aliases)."""
    start = time.perf_counter()
    try:
        run_dot(source, "svg", timeout=timeout)
    except subprocess.TimeoutExpired:
        return float("inf")
    except viz.GraphvizRenderError:
        return float("nan")
    return time.perf_counter() - start


def seconds(t: float, timeout: float) -> str:
    if t != t:
        return "dot crashed"
    return f"> {timeout:g} s" if t == float("inf") else f"{t:.2f} s"


def scale_targets(repeat: int) -> None:
    loss, net = resnet_loss()
    cases = [("chain 1,002 ops, default cap", chain(), {}, 3.0),
             ("chain 1,002 ops, whole", chain(), {"max_nodes": None}, 15.0),
             ("scalar MLP 2→16→16→1, whole", scalar_mlp_loss([2, 16, 16, 1], 1),
              {"max_nodes": None}, 5.0),
             ("resnet_small tensor graph", loss, {"params": net}, 3.0)]
    rows = []
    for name, value, kwargs, target in cases:
        drawn = viz.draw(value, **kwargs)
        nodes = plan(GraphView(value, kwargs.get("params")), None,
                     kwargs.get("max_nodes", 500)).count
        svg = drawn.svg()
        best, median = timings(lambda v=value, k=kwargs: viz.draw(v, **k).svg(), repeat)
        notice = "coarser!" if "time budget" in drawn.source else ""
        rows.append([name, nodes, drawn.source.count("alias "), f"{best:.2f} s",
                     f"{median:.2f} s", f"≤ {target:g} s",
                     "yes" if median <= target else "NO", f"{len(svg) / 1e6:.2f} MB", notice])
    _common.table("viz.draw(...).svg(): Digraph built and rendered by dot",
          ["graph", "nodes", "aliases", "best", "median", "target", "met", "SVG", ""], rows,
          note=f"best and median of {repeat}")


SPANS = (4, 12, 48, 192, 768, False)


def alias_crossover(timeout: float) -> None:
    rows = []
    for steps in (40, 120, 334):
        value = chain(steps)
        row: list[object] = [f"chain {3 * steps} ops"]
        for span in SPANS:
            source = viz.draw(value, max_nodes=None, aliases=span, budget=None).source
            row.append(seconds(dot_seconds(source, timeout), timeout))
        rows.append(row)
    _common.table("dot -Tsvg of the whole chain by alias span (ranks)",
                  ["graph", *(str(s) for s in SPANS[:-1]), "no aliases"], rows,
                  note="one run each")


def limits(timeout: float) -> None:
    rows = []
    graphs = [("chain 120 ops", chain(40)), ("chain 1,002 ops", chain()),
              ("MLP 2→16→16→1, 1 point", scalar_mlp_loss([2, 16, 16, 1], 1)),
              ("MLP 2→16→16→1, 2 points", scalar_mlp_loss([2, 16, 16, 1], 2))]
    for name, value in graphs:
        source = viz.draw(value, max_nodes=None, budget=None).source
        plain = source
        for key, val in LAYOUT_LIMITS.items():
            plain = plain.replace(f" {key}={val}", "")
        limited = plain.replace("newrank=true", "newrank=true " + " ".join(
            f"{k}={v}" for k, v in LAYOUT_LIMITS.items()))
        count = plan(GraphView(value), None, None).count
        rows.append([name, count, seconds(dot_seconds(plain, timeout), timeout),
                     seconds(dot_seconds(limited, timeout), timeout)])
    _common.table("dot -Tsvg with and without viz.layout.LAYOUT_LIMITS",
          ["graph", "nodes", "unbounded", "limited"], rows, note="one run each")


def explorer_pages(repeat: int) -> None:
    loss, net = resnet_loss()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "explore.html"
        for name, value, params in [("resnet_small tensor graph", loss, net),
                                    ("chain 1,002 ops", chain(), None)]:
            best, median = timings(lambda v=value, p=params: viz.explore(v, params=p)
                                   .save_html(path), repeat)
            rows.append([name, len(viz.explore(value, params=params).views), f"{best:.2f} s",
                         f"{median:.2f} s", f"{path.stat().st_size / 1e6:.2f} MB"])
    _common.table("viz.explore(...).save_html(): every module view rendered by dot",
                  ["graph", "views", "best", "median", "page"], rows,
                  note=f"best and median of {repeat}")


def stepper_player(repeat: int) -> None:
    loss = scalar_mlp_loss([4, 8, 8, 1], points=2)
    stepper = viz.step(loss)
    replay, _ = timings(lambda: viz.step(loss), repeat)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "player.html"
        html, _ = timings(lambda: stepper.save_html(path), 1)
        size = path.stat().st_size / 1e6
    frames = min(len(stepper), stepper.max_frames)
    print(f"stepper on the 4→8→8→1 MLP ({len(stepper)} steps): replay {replay * 1e3:.0f} ms, "
          f"save_html (one dot layout + {frames} frames) {html:.2f} s, {size:.2f} MB\n")


def main() -> None:
    args = _common.arguments(__doc__.splitlines()[0], repeat=3,
                     alias_crossover={"action": "store_true",
                                      "help": "time the whole chain by alias span"},
                     limits={"action": "store_true",
                             "help": "time pictures with and without the layout limits"},
                     timeout={"type": float, "default": 60.0,
                              "help": "seconds before a dot run is stopped (default 60)"})
    if args.alias_crossover:
        alias_crossover(args.timeout)
    if args.limits:
        limits(args.timeout)
    if not (args.alias_crossover or args.limits):
        scale_targets(args.repeat)
        explorer_pages(args.repeat)
        stepper_player(args.repeat)


if __name__ == "__main__":
    main()
