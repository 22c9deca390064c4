"""``gradgate export``: a trained model's weights as an ONNX file (checked by ``onnx``).

The model is rebuilt as ``gradgate train`` built it (``--model``, ``--dataset``, ``--hidden``),
the weights that ``train`` saved (``.npz`` or ``.safetensors``) are loaded into it, and
:func:`layers.export_onnx` writes it with a dynamic batch dimension.

>>> from gradgate.parser import build_parser
>>> build_parser().parse_args(["export", "--model", "mlp", "--weights", "w.npz",
...                            "--onnx", "m.onnx"]).dataset
'digits'
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .errors import MissingDependencyError, UsageError
from .outputs import writable_file
from .tasks import DATASETS, MODELS, SAMPLES, build_model
from .types import positive_int, sizes


def add_parser(commands: Any) -> None:
    """Register ``export`` and its options on the subcommand table ``commands``."""
    export = commands.add_parser(
        "export", help="write trained weights as an ONNX model",
        description="Rebuild a model as `gradgate train` built it, load the weights it saved "
                    "and write an ONNX model (batch dimension dynamic), e.g.\n"
                    "  gradgate train --model lenet --dataset digits\n"
                    "  gradgate export --model lenet --weights gradgate-out/lenet-digits.npz "
                    "--onnx lenet.onnx")
    export.add_argument("--model", choices=MODELS, required=True)
    export.add_argument("--dataset", choices=DATASETS, default="digits",
                        help="the data set the weights were trained on: it fixes the input "
                             "shape and the classes (default: digits)")
    export.add_argument("--hidden", type=sizes, default=[32, 32], metavar="SIZES",
                        help="hidden layer sizes of the mlp, as trained (default: 32,32)")
    export.add_argument("--weights", required=True, metavar="FILE",
                        help="the .npz or .safetensors file `gradgate train` wrote")
    export.add_argument("--onnx", required=True, metavar="OUT", help="the ONNX file to write")
    export.add_argument("--opset", type=positive_int, default=17,
                        help="ONNX opset version (default: 17)")
    export.set_defaults(func=run_export)


def run_export(args: argparse.Namespace) -> int:
    """``gradgate export``: load the weights, write the ONNX model, say what was written."""
    import numpy as np

    import layers

    writable_file(Path(args.onnx), "--onnx")
    shape, classes = SAMPLES[args.dataset]
    net = build_model(args.model, args.dataset, shape, classes, args.hidden)
    try:
        layers.load(net, args.weights)
    except (OSError, layers.CheckpointError) as err:  # one line: the entries joined by ';'
        lines = "; ".join(map(str.strip, str(err).splitlines()))
        raise UsageError(f"--weights: {lines}") from None
    except ImportError as err:
        raise MissingDependencyError("safetensors", str(err)) from None
    try:
        layers.export_onnx(net, np.zeros((1, *shape), np.float32), args.onnx, opset=args.opset)
    except ImportError as err:
        raise MissingDependencyError("onnx", str(err)) from None
    print(f"wrote {args.onnx}: {args.model} for {args.dataset} ({net.num_parameters()} "
          f"parameters), input 'input' of shape (batch, {', '.join(map(str, shape))}), "
          f"output 'output' of {classes} scores, opset {args.opset}")
    return 0
