"""Drawing time of a 1,000-node graph: building the Digraph, and rendering SVG with `dot`.

The graph is a micrograd-style scalar MLP (4 → 8 → 8 → 1, tanh) on two points with a
squared-error loss, after backward, so every node shows data and grad and every edge its
gradient.  Run: ``python bench/bench_draw.py`` (prints medians; ``--repeat N`` to change).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's packages

import viz  # noqa: E402
from autograd import Value  # noqa: E402
from viz.graphview import GraphView  # noqa: E402
from viz.layout import plan  # noqa: E402


def scalar_mlp_loss(sizes: list[int], points: int, seed: int = 0) -> Value:
    """Loss of a scalar MLP built from Values (a graph of a few thousand values)."""
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
    return loss


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    loss = scalar_mlp_loss([4, 8, 8, 1], points=2)
    loss.backward()
    model = GraphView(loss)
    drawn = plan(model, None, None).count
    print(f"graph: {len(model)} values, {drawn} drawn nodes (values + op nodes)")
    build = timed(lambda: viz.draw(loss, max_nodes=None), args.repeat)
    g = viz.draw(loss, max_nodes=None)
    edges = g.source.count("->")
    print(f"viz.draw (Digraph built, gradients per edge): {build * 1e3:.1f} ms "
          f"({edges} edges)")
    svg = timed(lambda: g.pipe(format="svg"), max(1, args.repeat // 2))
    print(f"dot -Tsvg render: {svg:.2f} s")
    stepper_time = timed(lambda: viz.step(loss), max(1, args.repeat // 2))
    print(f"viz.step (replay {len(viz.step(loss))} backward steps): {stepper_time * 1e3:.1f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "player.html"
        stepper = viz.step(loss)
        html = timed(lambda: stepper.save_html(path), 1)
        frames = min(len(stepper), stepper.max_frames)
        print(f"stepper.save_html (one dot layout + {frames} frames): {html:.2f} s, "
              f"{path.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
