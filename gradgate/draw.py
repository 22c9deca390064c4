"""``gradgate draw EXPR --set x=3 ...``: trace an expression, optionally run backward, draw it.

>>> from gradgate import main
>>> main(["draw", "x*y", "--set", "x=3", "y=-4", "--format", "none"])
f = x*y = -12.00
0
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .errors import PROG, UsageError
from .expr import FUNCTIONS, _short, build_expression, parse_assignments
from .outputs import DEFAULT_OUT, Outputs, writable_file


def add_parser(commands: Any) -> None:
    """Register ``draw`` and its options on the subcommand table ``commands``."""
    draw = commands.add_parser(
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


def run_draw(args: argparse.Namespace) -> int:
    """``gradgate draw EXPR --set x=3 ...``: trace, optionally backward, draw."""
    import viz

    if args.format != "none":
        writable_file(Path(args.out), "--out")
    if args.player:
        writable_file(Path(args.player), "--player")
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
        out.player(viz.step(f), Path(args.player), "backward stepper (HTML player)")
    out.report()
    return 0


def _fmt(x: Any) -> str:
    from viz import fmt

    if np.size(x) == 1:
        return fmt(float(np.asarray(x).reshape(())))
    return np.array2string(np.asarray(x), precision=4, suppress_small=True)
