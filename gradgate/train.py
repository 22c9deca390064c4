"""``gradgate train``: train a model on a data set, print the test accuracy, save the weights.

>>> from gradgate import main
>>> main(["train", "--epochs", "0"])  # the one-line error goes to stderr
2
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .errors import PROG, UsageError
from .outputs import DEFAULT_OUT, Outputs, writable_folder
from .tasks import _EPOCHS, DATASETS, MODELS, _history_csv, build_model, load_dataset, train_model
from .types import positive_float, positive_int, sizes


def add_parser(commands: Any) -> None:
    """Register ``train`` and its options on the subcommand table ``commands``."""
    train = commands.add_parser(
        "train", help="train a model on a data set",
        description="Train a model with cross-entropy and a progress bar; print the test "
                    "accuracy; save the weights (.npz) and the history (.csv).")
    train.add_argument("--model", choices=MODELS, default="mlp")
    train.add_argument("--dataset", choices=DATASETS, default="digits")
    train.add_argument("--epochs", type=positive_int,
                       help="default: " + ", ".join(f"{k} {v}" for k, v in _EPOCHS.items()))
    train.add_argument("--lr", type=positive_float,
                       help="learning rate (default: 0.05 for sgd, 0.001 for adam)")
    train.add_argument("--optimizer", choices=("sgd", "adam"), default="sgd",
                       help="sgd (momentum 0.9) or adam (default: sgd)")
    train.add_argument("--batch-size", type=positive_int, default=32)
    train.add_argument("--hidden", type=sizes, default=[32, 32], metavar="SIZES",
                       help="hidden layer sizes of the mlp (default: 32,32)")
    train.add_argument("--data", metavar="DIR", help="CIFAR-10 binary folder (cifar10 only)")
    train.add_argument("--make-data", action="store_true",
                       help="first write a synthetic data set in the CIFAR-10 binary format "
                            "into --data DIR (50,000 + 10,000 images, read back by the same "
                            "reader as the real files; for where those cannot be downloaded)")
    train.add_argument("--limit", type=positive_int, metavar="N",
                       help="use at most N training samples")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                       help=f"folder for weights and history (default: ./{DEFAULT_OUT})")
    train.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    train.set_defaults(func=run_train)


def run_train(args: argparse.Namespace) -> int:
    """``gradgate train``: train a model on a data set, print accuracy, save weights."""
    import autograd
    import layers

    out = Outputs(writable_folder(Path(args.out), "--out"))  # before any work
    autograd.manual_seed(args.seed)
    if args.make_data:
        if args.dataset != "cifar10" or not args.data:
            raise UsageError("--make-data writes CIFAR-10-format files: it needs --dataset "
                             "cifar10 and --data DIR")
        print(f"writing a synthetic CIFAR-10-format data set into {args.data} ...")
        try:
            layers.make_cifar10(args.data, seed=args.seed)
        except OSError as err:
            raise UsageError(f"--data {args.data}: cannot write there ({err.strerror})") from None
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
    stem = f"{args.model}-{args.dataset}"
    out.save(stem + ".npz", "trained weights", lambda path: layers.save(net, path))
    out.save(stem + "-history.csv", "loss and accuracy per epoch",
             lambda path: _history_csv(history, path))
    out.report()
    return 0
