"""One epoch of a small CNN on the 8x8 digits (1797 images), batch 32, plain SGD, float32.

conv 1->8 (3x3, pad 1) -> relu -> 2x2 max-pool -> conv 8->16 (3x3, pad 1) -> relu -> 2x2
max-pool -> flatten (64) -> linear 64->10 -> cross-entropy. gradgate uses only its public
functional API (``Value``, ``conv2d``, ``max_pool2d``, ``relu``, ``@``, ``cross_entropy``,
``p.data -= lr * p.grad``); PyTorch (skipped when not installed) runs the same network from
the same initial weights. A second gradgate row runs the same network as modules
(``layers.lenet_digits`` + ``layers.SGD``). All limited to ``--threads``. This mostly
measures per-op overhead (the arrays are tiny). Target: gradgate <= 2x PyTorch. Needs
scikit-learn for the data.

    python bench/bench_cnn_epoch.py [--threads 2] [--repeat 5]
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import _common  # before NumPy: sets OMP_WAIT_POLICY and the thread limits
import numpy as np

import autograd
import layers
from autograd import Value

BATCH, LR = 32, 0.05


def initial_weights(seed: int = 0) -> dict[str, np.ndarray]:
    """He-style random weights for both implementations."""
    rng = np.random.default_rng(seed)

    def he(shape: tuple[int, ...], fan_in: int) -> np.ndarray:
        return (rng.normal(size=shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)

    return {"w1": he((8, 1, 3, 3), 9), "b1": np.zeros(8, np.float32),
            "w2": he((16, 8, 3, 3), 72), "b2": np.zeros(16, np.float32),
            "w3": he((64, 10), 64), "b3": np.zeros(10, np.float32)}


def gradgate_epoch(params: dict[str, Value], images: np.ndarray, labels: np.ndarray) -> float:
    """One SGD epoch with gradgate; returns the mean batch loss."""
    losses = []
    for start in range(0, len(images), BATCH):
        x = Value(images[start:start + BATCH], requires_grad=False)
        h = autograd.conv2d(x, params["w1"], params["b1"], padding=1).relu()
        h = autograd.max_pool2d(h, 2)
        h = autograd.conv2d(h, params["w2"], params["b2"], padding=1).relu()
        h = autograd.max_pool2d(h, 2)
        logits = h.reshape(h.shape[0], 64) @ params["w3"] + params["b3"]
        loss = autograd.cross_entropy(logits, labels[start:start + BATCH])
        loss.backward()
        for p in params.values():
            p.data -= LR * p.grad
            p.zero_grad()
        losses.append(float(loss.data))
    return float(np.mean(losses))


def layers_epoch(net: Any, optimizer: Any, images: np.ndarray, labels: np.ndarray) -> float:
    """The same epoch written with gradgate's modules (``layers.lenet_digits`` + ``SGD``)."""
    losses = []
    for start in range(0, len(images), BATCH):
        x = Value(images[start:start + BATCH], requires_grad=False)
        loss = autograd.cross_entropy(net(x), labels[start:start + BATCH])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.data))
    return float(np.mean(losses))


def lenet_with(weights: dict[str, np.ndarray]) -> Any:
    """``layers.lenet_digits`` in float32 holding ``weights`` (the Linear stores W transposed)."""
    net = layers.lenet_digits().to(np.float32)
    conv1, conv2, fc = net.features[0], net.features[3], net.classifier[1]
    for module, w, b in ((conv1, "w1", "b1"), (conv2, "w2", "b2"), (fc, "w3", "b3")):
        module.weight.data = (weights[w].T if module is fc else weights[w]).copy()
        module.bias.data = weights[b].copy()
    return net


def torch_epoch(torch: ModuleType, params: dict, images, labels) -> float:
    """The same epoch with PyTorch tensors; returns the mean batch loss."""
    fn = torch.nn.functional
    losses = []
    for start in range(0, len(images), BATCH):
        x = images[start:start + BATCH]
        h = fn.max_pool2d(fn.relu(fn.conv2d(x, params["w1"], params["b1"], padding=1)), 2)
        h = fn.max_pool2d(fn.relu(fn.conv2d(h, params["w2"], params["b2"], padding=1)), 2)
        logits = h.reshape(h.shape[0], 64) @ params["w3"] + params["b3"]
        loss = fn.cross_entropy(logits, labels[start:start + BATCH])
        loss.backward()
        with torch.no_grad():
            for p in params.values():
                p -= LR * p.grad
                p.grad = None
        losses.append(loss.item())
    return float(np.mean(losses))


def main() -> None:
    args = _common.arguments(__doc__.splitlines()[0], repeat=5)
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        print("scikit-learn is not installed (pip install scikit-learn): skipping, the digits "
              "data set comes from sklearn.datasets.load_digits.")
        return
    torch = _common.load_torch()
    _common.limit_threads(torch)
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]  # (1797, 1, 8, 8)
    labels = digits.target.astype(np.int64)
    weights = initial_weights()

    ours = {k: Value(v.copy()) for k, v in weights.items()}
    net = lenet_with(weights)
    sgd = layers.SGD(list(net.parameters()), lr=LR)
    first = {"gradgate": gradgate_epoch(ours, images, labels),
             "gradgate layers": layers_epoch(net, sgd, images, labels)}
    candidates = {"gradgate": lambda: gradgate_epoch(ours, images, labels),
                  "gradgate layers": lambda: layers_epoch(net, sgd, images, labels)}
    if torch is not None:
        theirs = {k: torch.tensor(v, requires_grad=True) for k, v in weights.items()}
        images_t, labels_t = torch.tensor(images), torch.tensor(labels)
        first["pytorch"] = torch_epoch(torch, theirs, images_t, labels_t)
        candidates[f"pytorch {torch.__version__}"] = lambda: torch_epoch(torch, theirs, images_t,
                                                                         labels_t)
    same = " (same start, should agree)" if len(first) > 1 else ""
    print(f"mean loss of the first epoch{same}: "
          + ", ".join(f"{k} {v:.4f}" for k, v in first.items()) + "\n")
    ms = _common.compare(candidates, args.repeat, warmup=1)
    torch_ms = next((t for name, t in ms.items() if name.startswith("pytorch")), None)
    rows = [(name, t, None if torch_ms is None else t / torch_ms) for name, t in ms.items()]
    batches = -(-len(images) // BATCH)
    _common.table(f"one epoch, small CNN on 8x8 digits ({len(images)} images, {batches} batches "
                  f"of {BATCH}), float32", ("candidate", "ms/epoch", "ours/torch"), rows)
    if torch_ms is not None:
        for name in ("gradgate", "gradgate layers"):
            ratio = ms[name] / torch_ms
            print(f"{name} / pytorch = {ratio:.2f} (target <= 2): "
                  f"{'met' if ratio <= 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
