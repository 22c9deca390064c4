"""The ``gradgate`` argument parser: options of the main job and of draw, train and bench.

Errors in the arguments are reported in one line on stderr with exit status 2.

>>> build_parser().parse_args(["draw", "x*y", "--set", "x=3", "y=2"]).set
['x=3', 'y=2']
"""

from __future__ import annotations

import argparse
import math
import os
from typing import NoReturn

from .bench import run_bench
from .commands import run_draw, run_main, run_train
from .errors import PROG
from .expr import FUNCTIONS
from .tasks import _EPOCHS, DATASETS, MODELS

DEFAULT_OUT = "gradgate-out"


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors in one line: ``gradgate draw: error: ... (see --help)``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        sizes = []
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected sizes like 32,32, got {text!r}")
    return sizes


def build_parser() -> argparse.ArgumentParser:
    """The ``gradgate`` argument parser (subcommands draw, train, bench).

    >>> build_parser().parse_args(["train", "--model", "lenet"]).dataset
    'digits'
    """
    parser = _Parser(
        prog=PROG,
        description="gradgate: an autograd engine whose computational graph you can see.\n\n"
                    "Without a command, run the main job: trace the course's circuit and a\n"
                    "small MLP, draw their graphs, write the backward stepper's HTML player,\n"
                    "train the digits CNN, and print its test accuracy and every file written.",
        epilog="examples:\n"
               "  gradgate                                  # the main job, into ./gradgate-out\n"
               "  gradgate draw \"2*(x*y + max(z, w))\" --set x=3 y=-4 z=2 w=-1 --backward\n"
               "  gradgate train --model mlp --dataset spirals --epochs 200\n"
               "  gradgate bench --quick\n"
               "Run `gradgate COMMAND --help` for a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                        help=f"folder for the files (default: ./{DEFAULT_OUT})")
    parser.add_argument("--epochs", type=_positive_int, default=10,
                        help="epochs of CNN training (default: 10)")
    parser.add_argument("--lr", type=_positive_float, default=0.05,
                        help="SGD learning rate, momentum 0.9 (default: 0.05)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(func=run_main)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)

    draw = sub.add_parser(
        "draw", help="draw the graph of an expression",
        description="Trace an expression with the engine and draw its graph (SVG with "
                    "Graphviz). Allowed: numbers, names, + - * / ** @, unary -, and "
                    f"{', '.join(FUNCTIONS)}(...). Nothing is passed to eval.",
        epilog="example: gradgate draw \"2*(x*y + max(z, w))\" --set x=3 y=-4 z=2 w=-1 "
               "--backward --out circuit.svg")
    draw.add_argument("expression", help="e.g. \"2*(x*y + max(z, w))\"")
    draw.add_argument("--set", nargs="+", action="extend", default=[], metavar="NAME=VALUE",
                      help="values of the variables: numbers (x=3) or lists (w=[1,2])")
    draw.add_argument("--backward", action="store_true",
                      help="run backward and show the gradients")
    draw.add_argument("--out", default=os.path.join(DEFAULT_OUT, "expression.svg"),
                      metavar="FILE", help="picture to write; the suffix picks the format "
                      "(.svg .png .pdf, or .gv for the DOT source only); default: "
                      f"{DEFAULT_OUT}/expression.svg")
    draw.add_argument("--format", choices=("svg", "png", "pdf", "gv", "none"),
                      help="override the format (none: print values only)")
    draw.add_argument("--rankdir", choices=("LR", "TB"), default="LR",
                      help="layout direction (default: LR, left to right)")
    draw.add_argument("--player", metavar="FILE.html",
                      help="also write the backward stepper's HTML player")
    draw.set_defaults(func=run_draw)

    train = sub.add_parser(
        "train", help="train a model on a data set",
        description="Train a model with cross-entropy and a progress bar; print the test "
                    "accuracy; save the weights (.npz) and the history (.csv).")
    train.add_argument("--model", choices=MODELS, default="mlp")
    train.add_argument("--dataset", choices=DATASETS, default="digits")
    train.add_argument("--epochs", type=_positive_int,
                       help="default: " + ", ".join(f"{k} {v}" for k, v in _EPOCHS.items()))
    train.add_argument("--lr", type=_positive_float,
                       help="learning rate (default: 0.05 for sgd, 0.001 for adam)")
    train.add_argument("--optimizer", choices=("sgd", "adam"), default="sgd",
                       help="sgd (momentum 0.9) or adam (default: sgd)")
    train.add_argument("--batch-size", type=_positive_int, default=32)
    train.add_argument("--hidden", type=_sizes, default=[32, 32], metavar="SIZES",
                       help="hidden layer sizes of the mlp (default: 32,32)")
    train.add_argument("--data", metavar="DIR", help="CIFAR-10 binary folder (cifar10 only)")
    train.add_argument("--limit", type=_positive_int, metavar="N",
                       help="use at most N training samples")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                       help=f"folder for weights and history (default: ./{DEFAULT_OUT})")
    train.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    train.set_defaults(func=run_train)

    bench = sub.add_parser(
        "bench", help="run the benchmarks",
        description="Run the checkout's bench/bench_*.py scripts one after another, or "
                    "(--quick, or without a bench/ folder) a built-in micro-benchmark of a "
                    "few seconds.")
    bench.add_argument("--quick", action="store_true", help="only the built-in micro-benchmark")
    bench.add_argument("--only", nargs="+", metavar="NAME",
                       help="run only the scripts whose name contains NAME")
    bench.add_argument("--repeats", type=_positive_int, default=5,
                       help="timed repeats per micro-benchmark (default: 5)")
    bench.set_defaults(func=run_bench)
    return parser

