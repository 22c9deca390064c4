"""Size and build time of the training player for an MLP 2→8→8→2 (and 2→8→8→1) over 20 steps.

Two versions of the network learn two moons with SGD: ``layers.MLP(2, [8, 8, 2])`` with
tensors (cross-entropy, the whole batch's graph drawn gate by gate), and a micrograd-style
network of scalar Values, 2→8→8→1 with the hinge loss (datapoint 0 drawn, a layer at a time).
Run: ``python bench/bench_train_player.py`` (``--points N``, ``--steps N``).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's packages

import layers  # noqa: E402
import viz  # noqa: E402
from autograd import Value, cross_entropy, manual_seed  # noqa: E402


class ScalarMLP:
    """An MLP of scalar Values (ReLU hidden layers) scoring each point of a batch."""

    def __init__(self, sizes: list[int], seed: int = 0):
        rnd = random.Random(seed)
        self.layers = [[([Value(rnd.uniform(-1, 1), label=f"w{k}.{j}.{i}") for i in range(a)],
                         Value(0.0, label=f"b{k}.{j}")) for j in range(b)]
                       for k, (a, b) in enumerate(zip(sizes, sizes[1:], strict=False))]

    def __call__(self, batch):
        scores = []
        for point in batch:
            h = [Value(float(c), requires_grad=False) for c in point]
            for k, layer in enumerate(self.layers):
                h = [sum((w * a for w, a in zip(ws, h)), b) for ws, b in layer]
                h = [a.relu() for a in h] if k < len(self.layers) - 1 else h
            scores.append(h[0])
        return scores

    def parameters(self):
        return [p for layer in self.layers for ws, b in layer for p in [*ws, b]]


def hinge(scores, signs):
    """Mean hinge loss over scores and ±1 labels."""
    return sum((1 + -s * v).relu() for v, s in zip(scores, signs)) * (1.0 / len(signs))


def report(name: str, make) -> None:
    t0 = time.perf_counter()
    player = make()
    record = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "training.html"
        t1 = time.perf_counter()
        player.save_html(path)
        html = time.perf_counter() - t1
        size = path.stat().st_size
    print(f"{name}: {len(player.frames)} frames ({player.detail} at a time), "
          f"train + record {record:.1f} s, layout + page {html:.2f} s, {size / 1e6:.2f} MB "
          f"(loss {player.losses[0]:.3f} → {player.losses[-1]:.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=64)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    x, y = layers.make_moons(args.points, noise=0.1, seed=0)

    def tensor_player():
        manual_seed(0)
        net = layers.MLP(2, [8, 8, 2])
        return viz.train_player(net, cross_entropy, x, y,
                                layers.SGD(net.parameters(), lr=0.5), steps=args.steps)

    def scalar_player():
        net = ScalarMLP([2, 8, 8, 1])
        signs = [1.0 if v else -1.0 for v in y]
        return viz.train_player(net, hinge, x.tolist(), signs,
                                layers.SGD(net.parameters(), lr=0.1), steps=args.steps,
                                sample=0)

    print(f"{args.points} two-moons points, {args.steps} SGD steps")
    report("tensor MLP 2→8→8→2 (layers.MLP)", tensor_player)
    report("scalar MLP 2→8→8→1 (Values)", scalar_player)


if __name__ == "__main__":
    main()
