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

>>> main(["draw", "x*y", "--set", "x=3", "y=-4", "--format", "none"])
f = x*y = -12.00
0
"""

from __future__ import annotations

import argparse
import ast
import math
import os
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

PROG = "gradgate"
DEFAULT_OUT = "gradgate-out"
MAX_EXPRESSION = 2000
NO_DOT = ("note: Graphviz's `dot` program is not installed, so only the .gv sources were "
          "written (no SVGs, no HTML player); install Graphviz (e.g. `sudo apt-get install "
          "graphviz` or `brew install graphviz`) to get the pictures")


class UsageError(Exception):
    """Bad command-line input: reported as ``gradgate <cmd>: error: ...`` with exit status 2.

    >>> str(UsageError("no value for 'z'"))
    "no value for 'z'"
    """


class MissingDependencyError(Exception):
    """An optional package the command needs is not installed: exit status 1.

    >>> "pip install" in str(MissingDependencyError("x", "pip install y"))
    True
    """

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(f"{what} is not installed; {fix}")


DIGITS_FIX = ("the 8×8 digits ship with it (no download): pip install 'gradgate[digits]' "
              "(or: pip install scikit-learn)")


def _require_digits() -> None:
    import importlib.util

    if importlib.util.find_spec("sklearn") is None:
        raise MissingDependencyError("scikit-learn", DIGITS_FIX)


class ExpressionError(UsageError, ValueError):
    """An expression ``gradgate draw`` refuses to parse or evaluate.

    >>> parse_expression("x.y")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ExpressionError: attribute access (a.b) is not allowed ...
    """


# ------------------------------------------------------------------ safe expressions
def _maximum(a: Any, b: Any) -> Any:
    from autograd import maximum

    return maximum(_as_value(a), b)


def _method(name: str) -> Callable[[Any], Any]:
    def call(a: Any) -> Any:
        return getattr(_as_value(a), name)()

    return call


FUNCTIONS: dict[str, tuple[int, Callable[..., Any]]] = {
    "max": (2, _maximum),
    "maximum": (2, _maximum),
    "relu": (1, _method("relu")),
    "tanh": (1, _method("tanh")),
    "sigmoid": (1, _method("sigmoid")),
    "exp": (1, _method("exp")),
    "log": (1, _method("log")),
    "sum": (1, _method("sum")),
    "mean": (1, _method("mean")),
}

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
    ast.MatMult: lambda a, b: a @ b,
}

_REFUSED = {
    "Attribute": "attribute access (a.b)",
    "Subscript": "indexing (a[i])",
    "Compare": "comparisons",
    "BoolOp": "'and' / 'or'",
    "Lambda": "lambda",
    "IfExp": "'x if c else y'",
    "NamedExpr": "assignment (:=)",
    "Starred": "*args",
    "JoinedStr": "f-strings",
    "List": "lists (give tensors with --set NAME=[...])",
    "Tuple": "tuples",
    "Dict": "dicts",
    "Set": "sets",
    "ListComp": "comprehensions",
    "GeneratorExp": "comprehensions",
}

_ALLOWED_WORDS = (f"allowed: numbers, names, + - * / ** @, unary -, and calls to "
                  f"{', '.join(FUNCTIONS)}")


def _as_value(x: Any) -> Any:
    from autograd import Value

    return x if isinstance(x, Value) else Value(x, requires_grad=False)


def _refuse(node: ast.AST, what: str) -> NoReturn:
    where = f" (column {node.col_offset + 1})" if hasattr(node, "col_offset") else ""
    raise ExpressionError(f"{what} is not allowed{where}; {_ALLOWED_WORDS}")


def _short(text: str, limit: int = 60) -> str:
    """``repr(text)``, cut to about ``limit`` characters for error messages."""
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _check_node(node: ast.AST) -> None:
    """Refuse every node outside the whitelist (called on each node of the tree)."""
    if isinstance(node, (ast.Expression, ast.Load, ast.UnaryOp, ast.USub, ast.UAdd)):
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            _refuse(node, f"the operator {type(node.op).__name__}")
        return
    if isinstance(node, tuple(_BINARY)):
        return
    if isinstance(node, ast.unaryop):
        _refuse(node, f"the operator {type(node).__name__}")
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            _refuse(node, f"the constant {node.value!r}")
        return
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            _refuse(node, f"the name {node.id!r}")
        return
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            _refuse(node, f"calling {name!r}" if name else "calling anything but a named function")
        if node.keywords:
            _refuse(node, f"keyword arguments to {name}")
        arity = FUNCTIONS[name][0]
        if len(node.args) != arity:
            raise ExpressionError(f"{name} takes {arity} argument{'s' * (arity > 1)}, "
                                  f"got {len(node.args)} (column {node.col_offset + 1})")
        return
    _refuse(node, _REFUSED.get(type(node).__name__, f"{type(node).__name__} syntax"))


def parse_expression(text: str) -> ast.Expression:
    """Parse ``text`` into a checked expression tree, refusing anything outside the whitelist.

    >>> parse_expression("2*(x*y + max(z, w))").body.op.__class__.__name__
    'Mult'
    >>> parse_expression("__import__('os')")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ExpressionError: calling '__import__' is not allowed ...
    """
    if not text.strip():
        raise ExpressionError("the expression is empty")
    if len(text) > MAX_EXPRESSION:
        raise ExpressionError(f"the expression has {len(text)} characters; the limit is "
                              f"{MAX_EXPRESSION}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        raise ExpressionError(f"cannot parse {_short(text)}: {err.msg}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("the expression is nested too deeply") from None
    for node in ast.walk(tree):
        _check_node(node)
    for name in expression_names(tree):
        if name in FUNCTIONS:
            raise ExpressionError(f"{name!r} is a function: call it, like "
                                  f"{name}({', '.join('ab'[:FUNCTIONS[name][0]])})")
    return tree


def expression_names(tree: ast.Expression) -> list[str]:
    """The variable names an expression uses, in order of first appearance.

    >>> expression_names(parse_expression("max(z, w) + z*x"))
    ['z', 'w', 'x']
    """
    functions = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    names = sorted((n for n in ast.walk(tree)
                    if isinstance(n, ast.Name) and id(n) not in functions),
                   key=lambda n: (n.lineno, n.col_offset))
    return list(dict.fromkeys(n.id for n in names))


def _evaluate(node: ast.AST, env: dict[str, Any]) -> Any:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, env)
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, env)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, env), _evaluate(node.right, env)
        return _BINARY[type(node.op)](left, right)
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    return FUNCTIONS[node.func.id][1](*(_evaluate(a, env) for a in node.args))


def parse_number(text: str, name: str = "value") -> float | np.ndarray:
    """A number or a nested list of numbers (a tensor), parsed without ``eval``.

    >>> parse_number("-4"), parse_number("[[1, 2], [3, -4.5]]").shape
    (-4.0, (2, 2))
    """
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, RecursionError, MemoryError):
        tree = None

    def literal(node: ast.AST) -> Any:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool):
            return float(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = literal(node.operand)
            return -inner if isinstance(node.op, ast.USub) else inner
        if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
            return [literal(e) for e in node.elts]
        raise ValueError

    try:
        value = literal(tree.body) if tree is not None else None
        if value is None:
            raise ValueError
        result = value if isinstance(value, float) else np.array(value, dtype=np.float64)
    except ValueError:
        raise UsageError(f"--set {name}: expected a number or a list like [1, 2], "
                         f"got {text!r}") from None
    if not np.all(np.isfinite(result)):
        raise UsageError(f"--set {name}: values must be finite, got {text!r}")
    return result


def parse_assignments(items: Sequence[str]) -> dict[str, float | np.ndarray]:
    """``["x=3", "y=-4"]`` → ``{"x": 3.0, "y": -4.0}`` (values as for :func:`parse_number`).

    >>> parse_assignments(["x=3", "w=[1, 2]"])["w"].tolist()
    [1.0, 2.0]
    """
    values: dict[str, float | np.ndarray] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier() or name.startswith("_"):
            raise UsageError(f"--set expects NAME=NUMBER (like x=3), got {item!r}")
        if name in FUNCTIONS:
            raise UsageError(f"--set {name}: {name!r} is a function name, not a variable")
        values[name] = parse_number(text, name)
    return values


def build_expression(text: str, values: dict[str, Any], label: str = "f") -> tuple[Any, dict]:
    """Trace ``text`` with the engine: returns the output Value and the leaf Values by name.

    >>> f, leaves = build_expression("2*(x*y + max(z, w))",
    ...                              dict(x=3.0, y=-4.0, z=2.0, w=-1.0))
    >>> f.backward(); f.data, leaves["x"].grad, leaves["w"].grad
    (-20.0, -8.0, 0.0)
    """
    from autograd import Value

    tree = parse_expression(text)
    names = expression_names(tree)
    missing = [n for n in names if n not in values]
    if missing:
        raise UsageError(f"no value for {', '.join(map(repr, missing))}; give "
                         f"{'each' if len(missing) > 1 else 'it'} with --set "
                         f"{missing[0]}=NUMBER")
    leaves = {n: Value(values[n], label=n) for n in names}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            root = _evaluate(tree, leaves)
    except OverflowError:
        raise ExpressionError(f"cannot evaluate {_short(text)}: the result overflows") from None
    except (ArithmeticError, ValueError, TypeError, Warning) as err:
        raise ExpressionError(f"cannot evaluate {_short(text)}: {err}") from None
    if not hasattr(root, "backward"):
        raise ExpressionError(f"{_short(text)} is a constant ({root}); use a variable")
    root.label = label
    return root, leaves


# ------------------------------------------------------------------ output files
class Outputs:
    """Files written by one command, with what each holds; renders graphs with ``dot``.

    When ``dot`` is missing only the ``.gv`` sources are written and one note says how to
    install Graphviz.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.files: list[tuple[Path, str]] = []
        self.missing_dot = False

    def path(self, name: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / name

    def add(self, path: Path, what: str) -> Path:
        self.files.append((path, what))
        return path

    def graph(self, graph: Any, target: Path, what: str) -> list[Path]:
        """Write ``graph``'s DOT source next to ``target`` and render ``target`` (its suffix
        names the format: .svg, .png, .pdf; .gv/.dot write the source only)."""
        import graphviz

        target.parent.mkdir(parents=True, exist_ok=True)
        fmt = target.suffix.lower().lstrip(".")
        source = target if fmt in ("gv", "dot") else target.with_suffix(".gv")
        source.write_text(graph.source, encoding="utf-8")
        written = [self.add(source, f"DOT source: {what}")]
        if fmt in ("gv", "dot"):
            return written
        try:
            data = graph.pipe(format=fmt)
        except graphviz.ExecutableNotFound:
            self.missing_dot = True
            return written
        target.write_bytes(data)
        written.append(self.add(target, what))
        return written

    def player(self, value: Any, target: Path, what: str) -> list[Path]:
        """Write the backward stepper's HTML player for ``value`` (needs ``dot`` for its
        frames; skipped with the install note when it is missing)."""
        import graphviz

        import viz

        target.parent.mkdir(parents=True, exist_ok=True)
        try:  # render first: Stepper.save_html would leave an empty file behind
            page = viz.step(value).to_html(full_page=True)
        except graphviz.ExecutableNotFound:
            self.missing_dot = True
            return []
        target.write_text(page, encoding="utf-8")
        return [self.add(target, what)]

    def report(self) -> None:
        if self.missing_dot:
            print(NO_DOT)
        if not self.files:
            return
        print(f"files written ({len(self.files)}) under {self.folder.resolve()}:")
        width = max(len(str(p)) for p, _ in self.files)
        for p, what in self.files:
            print(f"  {str(p):<{width}}  {_size(p):>8}  {what}")


def _size(path: Path) -> str:
    n = path.stat().st_size if path.exists() else 0
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} kB" if n < 1024**2 else \
        f"{n / 1024**2:.1f} MB"


# ------------------------------------------------------------------ data and models
DATASETS = ("moons", "spirals", "digits", "cifar10")
MODELS = ("linear", "mlp", "lenet", "alexnet", "vgg", "resnet")
_IMAGE_MODELS = ("lenet", "alexnet", "vgg", "resnet")
_EPOCHS = {"moons": 100, "spirals": 200, "digits": 10, "cifar10": 2}


def load_dataset(name: str, seed: int, data_dir: str | None = None, limit: int | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """``x_train, y_train, x_test, y_test, classes`` of a named data set (float32 inputs).

    >>> xtr, ytr, xte, yte, k = load_dataset("moons", seed=0)
    >>> xtr.shape, xte.shape, k
    ((400, 2), (100, 2), 2)
    """
    import layers

    if name == "cifar10":
        if not data_dir:
            raise UsageError("--dataset cifar10 needs --data DIR: the folder of the binary "
                             "CIFAR-10 files (https://www.cs.toronto.edu/~kriz/cifar.html)")
        try:
            xtr, ytr, xte, yte = layers.load_cifar10(data_dir, as_float=True)
        except (FileNotFoundError, ValueError) as err:
            raise UsageError(str(err)) from None
        if limit:
            xtr, ytr, xte, yte = xtr[:limit], ytr[:limit], xte[:limit], yte[:limit]
        return xtr, ytr, xte, yte, 10
    if name == "digits":
        _require_digits()
        x, y = layers.load_digits(np.float32)
        classes = 10
    elif name == "moons":
        x, y = layers.make_moons(500, noise=0.15, seed=seed)
        classes = 2
    else:
        x, y = layers.make_spirals(150, 3, noise=0.2, seed=seed)
        classes = 3
    xtr, xte, ytr, yte = layers.split(x.astype(np.float32), y, fraction=0.2, seed=seed)
    if limit:
        xtr, ytr = xtr[:limit], ytr[:limit]
    return xtr, ytr, xte, yte, classes


def build_model(model: str, dataset: str, sample_shape: tuple[int, ...], classes: int,
                hidden: Sequence[int]) -> Any:
    """A fresh float32 model of the named kind for samples of ``sample_shape``.

    >>> build_model("mlp", "moons", (2,), 2, [16, 16]).num_parameters()
    354
    """
    import layers

    features = int(np.prod(sample_shape))
    if model == "linear":
        net = layers.Sequential(layers.Flatten(), layers.Linear(features, classes))
    elif model == "mlp":
        net = layers.Sequential(layers.Flatten(), layers.MLP(features, [*hidden, classes]))
    elif len(sample_shape) != 3:
        raise UsageError(f"--model {model} is a CNN and needs images; --dataset {dataset} "
                         f"has points of shape {sample_shape} (use --model mlp or linear)")
    elif model == "lenet":
        net = (layers.lenet_digits(classes) if sample_shape[1:] == (8, 8)
               else layers.lenet5(sample_shape[0], classes))
    elif sample_shape != (3, 32, 32):
        raise UsageError(f"--model {model} expects 32×32 colour images (--dataset cifar10); "
                         f"--dataset {dataset} has images of shape {sample_shape}")
    elif model == "alexnet":
        net = layers.alexnet_small(classes)
    elif model == "vgg":
        net = layers.vgg_small(classes)
    else:
        net = layers.resnet_small(classes)
    return net.float()


def train_model(net: Any, data: tuple, epochs: int, lr: float, optimizer: str,
                batch_size: int, seed: int, progress: bool) -> tuple[Any, float]:
    """Train ``net`` with cross-entropy; returns the ``History`` and the test accuracy.

    >>> data = load_dataset("moons", seed=0)
    >>> net = build_model("linear", "moons", (2,), 2, [])
    >>> _, acc = train_model(net, data, 3, 0.1, "sgd", 32, 0, progress=False)
    >>> 0.5 < acc <= 1.0
    True
    """
    import autograd
    import layers

    xtr, ytr, xte, yte, _ = data
    params = list(net.parameters())
    opt = (layers.Adam(params, lr=lr) if optimizer == "adam"
           else layers.SGD(params, lr=lr, momentum=0.9))
    loader = layers.DataLoader(xtr, ytr, batch_size=batch_size, shuffle=True, seed=seed)
    history = layers.fit(net, autograd.cross_entropy, opt, loader, epochs=epochs,
                         progress=progress)
    _, acc = layers.evaluate(net, layers.DataLoader(xte, yte, batch_size=256),
                             autograd.cross_entropy)
    return history, float(acc)


def _history_csv(history: Any, path: Path) -> None:
    rows = ["epoch,train_loss,train_acc,lr"]
    for e, (loss, acc, lr) in enumerate(zip(history.train_loss, history.train_acc, history.lr)):
        rows.append(f"{e + 1},{loss:.6f},{'' if acc is None else f'{acc:.6f}'},{lr:g}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def _batch_pictures(net: Any, x: np.ndarray, y: np.ndarray, title: str) -> tuple[Any, Any]:
    """The graph of one small batch's loss after backward (modules as clusters) and the
    per-parameter gradient-flow chart of that backward."""
    import autograd
    import viz

    net.zero_grad()
    loss = autograd.cross_entropy(net(x), y)
    loss.label = "loss"
    loss.backward()
    graph = viz.draw(loss, params=net, title=title)
    flow = viz.grad_flow(net).draw()
    net.zero_grad()
    return graph, flow


# ------------------------------------------------------------------ commands
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
    layers.save(cnn, out.path("digits-cnn.npz"))
    out.add(out.path("digits-cnn.npz"), "the trained CNN's weights (layers.load reads them)")
    _history_csv(history, out.path("digits-cnn-history.csv"))
    out.add(out.path("digits-cnn-history.csv"), "loss and accuracy per epoch")
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
    layers.save(net, out.path(stem + ".npz"))
    out.add(out.path(stem + ".npz"), "trained weights")
    _history_csv(history, out.path(stem + "-history.csv"))
    out.add(out.path(stem + "-history.csv"), "loss and accuracy per epoch")
    out.report()
    return 0


def _bench_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "bench"


def _median_time(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm-up (compilation, caches)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def micro_benchmarks(repeats: int = 5) -> list[tuple[str, float]]:
    """A few seconds of built-in timings: ``(workload, median seconds)`` pairs.

    >>> [name for name, _ in micro_benchmarks(1)][0]
    'scalar MLP 2→16→16→1, 20 points, fwd+bwd'
    """
    import autograd
    import layers
    from autograd import Value

    rng = np.random.default_rng(0)
    x, y = layers.make_moons(20, seed=0)
    weights = [(rng.standard_normal((16, 2)), np.zeros(16)),
               (rng.standard_normal((16, 16)) / 4, np.zeros(16)),
               (rng.standard_normal((1, 16)) / 4, np.zeros(1))]

    def scalar_mlp() -> None:
        ws = [([[Value(float(v)) for v in row] for row in w], [Value(float(v)) for v in b])
              for w, b in weights]
        total = Value(0.0)
        for point, label in zip(x, y):
            acts: list[Any] = [float(v) for v in point]
            for k, (w, b) in enumerate(ws):
                acts = [sum((wi * a for wi, a in zip(row, acts)), bi) for row, bi in zip(w, b)]
                acts = acts if k == len(ws) - 1 else [a.relu() for a in acts]
            total = total + (1 - (2 * label - 1) * acts[0]).relu()
        total.backward()

    a = Value(rng.standard_normal((256, 256)).astype(np.float32))
    b = Value(rng.standard_normal((256, 256)).astype(np.float32))

    def matmul() -> None:
        (a @ b).sum().backward()

    imgs = Value(rng.standard_normal((32, 3, 32, 32)).astype(np.float32))
    filt = Value(rng.standard_normal((16, 3, 3, 3)).astype(np.float32) * 0.1)

    def conv() -> None:
        autograd.max_pool2d(autograd.conv2d(imgs, filt, padding=1), 2).sum().backward()

    results = [("scalar MLP 2→16→16→1, 20 points, fwd+bwd", _median_time(scalar_mlp, repeats)),
               ("matmul 256×256 float32, fwd+bwd", _median_time(matmul, repeats)),
               ("conv2d 32×3×32×32, 16 3×3 filters, pad 1, max-pool 2; fwd+bwd",
                _median_time(conv, repeats))]
    try:
        xd, yd = layers.load_digits(np.float32)
    except ImportError:
        return results
    cnn = layers.lenet_digits().float()
    opt = layers.SGD(cnn.parameters(), lr=0.05)
    loader = layers.DataLoader(xd, yd, batch_size=32)

    def epoch() -> None:
        layers.fit(cnn, autograd.cross_entropy, opt, loader, epochs=1, progress=False)

    results.append(("one epoch, digits CNN (1797 images, batch 32)",
                    _median_time(epoch, max(1, repeats // 2))))
    return results


def run_bench(args: argparse.Namespace) -> int:
    """``gradgate bench``: the checkout's bench/ scripts, or the built-in micro-benchmark."""
    scripts = sorted(_bench_dir().glob("bench_*.py")) if not args.quick else []
    if args.only:
        scripts = [s for s in scripts if any(o in s.stem for o in args.only)]
        if not scripts:
            raise UsageError(f"no bench script matches {', '.join(args.only)} in "
                             f"{_bench_dir()}")
    if not scripts:
        if not args.quick:
            print(f"no bench/ scripts here ({_bench_dir()} is missing); running the quick "
                  "built-in micro-benchmark")
        print(f"{'workload':<64} {'median':>10}")
        for name, seconds in micro_benchmarks(args.repeats):
            print(f"{name:<64} {_duration(seconds):>10}")
        return 0
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
    failed = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        rc = subprocess.call([sys.executable, str(script)], env=env)
        if rc != 0:
            failed.append(f"{script.name} (exit {rc})")
    if failed:
        print(f"{PROG} bench: failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _duration(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1e3:.2f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:.1f} µs"


# ------------------------------------------------------------------ argument parsing
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


if __name__ == "__main__":
    sys.exit(main())
