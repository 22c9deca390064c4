"""``gradgate`` without a subcommand: the main job, and its options on the top-level parser.

It traces the course's circuit and a small MLP, draws both graphs, writes the backward
stepper's HTML player and the training player (an MLP learning two moons, step by step),
trains the digits CNN and prints its test accuracy and every file.

>>> COURSE_CIRCUIT
'2*(x*y + max(z, w))'
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from .expr import build_expression
from .outputs import DEFAULT_OUT, Outputs, writable_folder
from .tasks import (
    _batch_pictures,
    _history_csv,
    _require_digits,
    build_model,
    load_dataset,
    train_model,
)
from .types import positive_float, positive_int

COURSE_CIRCUIT = "2*(x*y + max(z, w))"
COURSE_VALUES = {"x": 3.0, "y": -4.0, "z": 2.0, "w": -1.0}
TRAIN_STEPS = 20
"""Optimiser steps recorded in the main job's training player (``training.html``)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The main job's options, on the top-level ``gradgate`` parser."""
    parser.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                        help=f"folder for the files (default: ./{DEFAULT_OUT})")
    parser.add_argument("--epochs", type=positive_int, default=10,
                        help="epochs of CNN training (default: 10)")
    parser.add_argument("--lr", type=positive_float, default=0.05,
                        help="SGD learning rate, momentum 0.9 (default: 0.05)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(func=run_main)


def run_main(args: argparse.Namespace) -> int:
    """The main job: circuit, MLP, stepper and training players, digits CNN; prints accuracy
    and files."""
    import autograd
    import layers
    import viz

    _require_digits()  # fail before writing anything
    out = Outputs(writable_folder(Path(args.out), "--out"))
    t0 = time.perf_counter()
    autograd.manual_seed(args.seed)

    f, leaves = build_expression(COURSE_CIRCUIT, COURSE_VALUES)
    f.backward()
    grads = ", ".join(f"∂f/∂{n} = {leaves[n].grad:g}" for n in leaves)
    print(f"[1/4] traced f = {COURSE_CIRCUIT} = {f.data:g} at x=3, y=-4, z=2, w=-1; "
          f"backward: {grads}")
    out.graph(viz.draw(f, title=f"f = {COURSE_CIRCUIT}"), out.path("circuit.svg"),
              "the course's circuit with data and gradients")
    out.player(viz.step(f), out.path("circuit-backward.html"),
               "backward stepper: an HTML player, one step per node")

    x, y = layers.make_moons(16, noise=0.1, seed=args.seed)
    mlp = layers.MLP(2, [8, 8, 2]).float()
    print(f"[2/4] traced an MLP 2→8→8→2 ({mlp.num_parameters()} parameters) on 16 "
          "two-moons points")
    graph, _ = _batch_pictures(mlp, x.astype(np.float32), y, "MLP 2→8→8→2, cross-entropy, "
                               "gradient flow after backward")
    out.graph(graph, out.path("mlp.svg"), "the MLP's graph, modules boxed, edges by gradient size")
    moons_x, moons_y = layers.make_moons(64, noise=0.1, seed=args.seed)
    learner = layers.MLP(2, [8, 8, 2])
    training = viz.train_player(learner, autograd.cross_entropy, moons_x, moons_y,
                                layers.SGD(learner.parameters(), lr=0.5), steps=TRAIN_STEPS)
    print(f"      recorded {TRAIN_STEPS} SGD steps of a fresh MLP 2→8→8→2 on 64 two-moons "
          f"points (loss {training.losses[0]:.3f} → {training.losses[-1]:.3f})")
    out.player(training, out.path("training.html"), "training player: forward, backward and "
               f"update of {TRAIN_STEPS} steps, loss curve, decision boundary")

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
