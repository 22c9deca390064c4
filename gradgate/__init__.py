"""The ``gradgate`` command: trace, draw, step through and train, from a terminal.

``gradgate`` alone runs the main job into ``./gradgate-out/``: it traces the course's circuit
``2*(x*y + max(z, w))`` and a small MLP, draws both graphs with their gradients, writes the
backward stepper's HTML player, trains the LeNet-style CNN on the 8×8 digits with a progress
bar, and prints the test accuracy and every file it wrote.  Subcommands do the pieces::

    gradgate draw "2*(x*y + max(z, w))" --set x=3 y=-4 z=2 w=-1 --backward
    gradgate train --model mlp --dataset moons --epochs 50
    gradgate bench --quick

Expressions are parsed with :mod:`ast` and a whitelist (numbers, names, ``+ - * / ** @``,
unary minus and a few functions); nothing is ever passed to ``eval``.  Bad arguments print
one line on stderr and exit with status 2.

This is the application on top of the libraries: the only package that imports both
``layers`` and ``viz`` (which import only ``autograd``).  One module per command —
:mod:`~gradgate.main_job`, :mod:`~gradgate.draw`, :mod:`~gradgate.train`,
:mod:`~gradgate.bench` — each registering its options in :mod:`~gradgate.parser`; then
:mod:`~gradgate.expr` (the safe expression language), :mod:`~gradgate.tasks` (data sets,
models, training), :mod:`~gradgate.outputs` (the files written), :mod:`~gradgate.types`
(argument types) and :mod:`~gradgate.errors` (exit statuses).

>>> main(["draw", "x*y", "--set", "x=3", "y=-4", "--format", "none"])
f = x*y = -12.00
0
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from .bench import micro_benchmarks, run_bench
from .draw import run_draw
from .errors import PROG, MissingDependencyError, UsageError
from .expr import (
    FUNCTIONS,
    MAX_EXPRESSION,
    ExpressionError,
    build_expression,
    expression_names,
    parse_assignments,
    parse_expression,
    parse_number,
)
from .main_job import COURSE_CIRCUIT, COURSE_VALUES, run_main
from .outputs import DEFAULT_OUT, NO_DOT, Outputs
from .parser import build_parser
from .tasks import DATASETS, DIGITS_FIX, MODELS, build_model, load_dataset, train_model
from .train import run_train

__all__ = [
    "COURSE_CIRCUIT",
    "COURSE_VALUES",
    "DATASETS",
    "DEFAULT_OUT",
    "DIGITS_FIX",
    "FUNCTIONS",
    "MAX_EXPRESSION",
    "MODELS",
    "NO_DOT",
    "PROG",
    "ExpressionError",
    "MissingDependencyError",
    "Outputs",
    "UsageError",
    "build_expression",
    "build_model",
    "build_parser",
    "expression_names",
    "load_dataset",
    "main",
    "micro_benchmarks",
    "parse_assignments",
    "parse_expression",
    "parse_number",
    "run_bench",
    "run_draw",
    "run_main",
    "run_train",
    "train_model",
]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``gradgate`` with ``argv`` (default: the command line); returns the exit status.

    >>> main(["train", "--epochs", "0"])  # the one-line error goes to stderr
    2
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    command = args.func.__name__.removeprefix("run_")
    prog = PROG if command == "main" else f"{PROG} {command}"
    try:
        return args.func(args)
    except UsageError as err:
        print(f"{prog}: error: {err} (see {prog} --help)", file=sys.stderr)
        return 2
    except MissingDependencyError as err:
        print(f"{prog}: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
