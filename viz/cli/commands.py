"""The ``gradgate`` commands: the main job, ``draw`` and ``train`` (``bench`` is in
:mod:`viz.cli.bench`).  Each takes the parsed arguments and returns the exit status.

>>> COURSE_CIRCUIT
'2*(x*y + max(z, w))'
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from .errors import PROG, UsageError
from .expr import _short, build_expression, parse_assignments
from .outputs import Outputs
from .tasks import (
    _EPOCHS,
    _batch_pictures,
    _history_csv,
    _require_digits,
    build_model,
    load_dataset,
    train_model,
)

COURSE_CIRCUIT = "2*(x*y + max(z, w))"
COURSE_VALUES = {"x": 3.0, "y": -4.0, "z": 2.0, "w": -1.0}


def run_main(args: argparse.Namespace) -> int:
    """The main job: circuit, MLP, stepper player, digits CNN; prints accuracy and files."""
    import autograd
    import layers
    import viz

    _require_digits()  # fail before writing anything
    out = Outputs(Path(args.out))
    t0 = time.perf_counter()
    autograd.manual_seed(args.seed)

    f, leaves = build_expression(COURSE_CIRCUIT, COURSE_VALUES)
    f.backward()
    grads = ", ".join(f"∂f/∂{n} = {leaves[n].grad:g}" for n in leaves)
    print(f"[1/4] traced f = {COURSE_CIRCUIT} = {f.data:g} at x=3, y=-4, z=2, w=-1; "
          f"backward: {grads}")
    out.graph(viz.draw(f, title=f"f = {COURSE_CIRCUIT}"), out.path("circuit.svg"),
              "the course's circuit with data and gradients")
    out.player(f, out.path("circuit-backward.html"),
               "backward stepper: an HTML player, one step per node")

    x, y = layers.make_moons(16, noise=0.1, seed=args.seed)
    mlp = layers.MLP(2, [8, 8, 2]).float()
    print(f"[2/4] traced an MLP 2→8→8→2 ({mlp.num_parameters()} parameters) on 16 "
          "two-moons points")
    graph, _ = _batch_pictures(mlp, x.astype(np.float32), y, "MLP 2→8→8→2, cross-entropy, "
                               "gradient flow after backward")
    out.graph(graph, out.path("mlp.svg"), "the MLP's graph, modules boxed, edges by gradient size")

    print(f"[3/4] training the digits CNN (LeNet-style) for {args.epochs} "
          f"epoch{'s' * (args.epochs != 1)}")
    data = load_dataset("digits", args.seed)
    cnn = build_model("lenet", "digits", data[0].shape[1:], 10, [])
    history, acc = train_model(cnn, data, args.epochs, args.lr, "sgd", 32, args.seed,
                               progress=not args.no_progress)
    out.save("digits-cnn.npz", "the trained CNN's weights (layers.load reads them)",
             lambda path: layers.save(cnn, path))
    out.save("digits-cnn-history.csv", "loss and accuracy per epoch",
             lambda path: _history_csv(history, path))
    graph, flow = _batch_pictures(cnn, data[2][:32], data[3][:32],
                                  "LeNet-style CNN on 32 test digits, after training")
    out.graph(graph, out.path("digits-cnn.svg"), "the CNN's graph on a batch of 32 digits")
    out.graph(flow, out.path("digits-cnn-gradflow.svg"),
              "mean and max |grad| per CNN parameter on that batch")

    print(f"[4/4] done in {time.perf_counter() - t0:.1f} s")
    print(f"test accuracy of the digits CNN: {acc:.1%} on {len(data[3])} held-out images "
          f"(train accuracy {history.train_acc[-1]:.1%}, final loss "
          f"{history.train_loss[-1]:.3f})")
    out.report()
    return 0


def run_draw(args: argparse.Namespace) -> int:
    """``gradgate draw EXPR --set x=3 ...``: trace, optionally backward, draw."""
    import viz

    values = parse_assignments(args.set)
    f, leaves = build_expression(args.expression, values)
    unused = [n for n in values if n not in leaves]
    if unused:
        print(f"{PROG} draw: note: --set {', '.join(unused)} not used in the expression",
              file=sys.stderr)
    print(f"f = {args.expression} = {_fmt(f.data)}")
    if args.backward or args.player:
        if not f.is_scalar and f.size != 1:
            raise UsageError(f"--backward needs a single-number result; {_short(args.expression)} "
                             f"has shape {f.shape} (wrap it in sum(...))")
        f.backward(retain_graph=True)
        for name, leaf in leaves.items():
            print(f"∂f/∂{name} = {_fmt(leaf.grad)}")
    out = Outputs(Path(args.out).parent)
    if args.format != "none":
        target = Path(args.out)
        if args.format:
            target = target.with_suffix("." + args.format)
        out.graph(viz.draw(f, rankdir=args.rankdir, forward_only=not args.backward,
                                title=f"f = {args.expression}"), target,
                  f"the graph of f = {args.expression}")
    if args.player:
        out.player(f, Path(args.player), "backward stepper (HTML player)")
    out.report()
    return 0


def _fmt(x: Any) -> str:
    from viz import fmt

    if np.size(x) == 1:
        return fmt(float(np.asarray(x).reshape(())))
    return np.array2string(np.asarray(x), precision=4, suppress_small=True)


def run_train(args: argparse.Namespace) -> int:
    """``gradgate train``: train a model on a data set, print accuracy, save weights."""
    import autograd
    import layers

    autograd.manual_seed(args.seed)
    data = load_dataset(args.dataset, args.seed, args.data, args.limit)
    net = build_model(args.model, args.dataset, data[0].shape[1:], data[4], args.hidden)
    epochs = args.epochs or _EPOCHS[args.dataset]
    lr = args.lr if args.lr is not None else (1e-3 if args.optimizer == "adam" else 0.05)
    print(f"training {args.model} ({net.num_parameters()} parameters) on {args.dataset} "
          f"({len(data[0])} train / {len(data[2])} test samples) for {epochs} "
          f"epoch{'s' * (epochs != 1)}, "
          f"{args.optimizer} lr={lr:g}")
    try:
        history, acc = train_model(net, data, epochs, lr, args.optimizer, args.batch_size,
                                   args.seed, progress=not args.no_progress)
    except FloatingPointError as err:
        print(f"{PROG} train: error: {err}", file=sys.stderr)
        return 1
    print(f"test accuracy: {acc:.1%} (train accuracy {history.train_acc[-1]:.1%}, "
          f"final loss {history.train_loss[-1]:.3f})")
    out = Outputs(Path(args.out))
    stem = f"{args.model}-{args.dataset}"
    out.save(stem + ".npz", "trained weights", lambda path: layers.save(net, path))
    out.save(stem + "-history.csv", "loss and accuracy per epoch",
             lambda path: _history_csv(history, path))
    out.report()
    return 0
