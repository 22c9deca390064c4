"""The ``gradgate`` argument parser: the main job's options, then one subcommand per module.

Each subcommand lives in its own module with an ``add_parser(commands)`` function that
registers its options and its ``run_<name>`` function; adding a command is adding a module
and one entry to :data:`COMMANDS`.  Errors in the arguments are reported in one line on
stderr with exit status 2.

>>> build_parser().parse_args(["draw", "x*y", "--set", "x=3", "y=2"]).set
['x=3', 'y=2']
"""

from __future__ import annotations

import argparse
from typing import NoReturn

from . import bench, draw, export, main_job, train
from .errors import PROG

COMMANDS = (draw, train, export, bench)
"""The subcommand modules, in the order ``gradgate --help`` lists them."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors in one line: ``gradgate draw: error: ... (see --help)``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``gradgate`` argument parser (subcommands draw, train, export, bench).

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
               "  gradgate export --model mlp --dataset spirals --hidden 32,32 \\\n"
               "      --weights gradgate-out/mlp-spirals.npz --onnx mlp.onnx\n"
               "  gradgate bench --quick\n"
               "Run `gradgate COMMAND --help` for a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    main_job.add_arguments(parser)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        command.add_parser(commands)
    return parser
