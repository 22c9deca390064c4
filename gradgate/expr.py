"""The safe expression language of ``gradgate draw``: parse, check, trace with the engine.

Expressions are parsed with :mod:`ast` and checked against a whitelist (numbers, names,
``+ - * / ** @``, unary minus and the functions in :data:`FUNCTIONS`); nothing is ever passed
to ``eval``.  ``--set`` values are parsed the same way, as numbers or nested lists.

>>> f, leaves = build_expression("x*y + 1", parse_assignments(["x=3", "y=-4"]))
>>> f.data
-11.0
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import numpy as np

from .errors import UsageError

MAX_EXPRESSION = 2000


class ExpressionError(UsageError, ValueError):
    """An expression ``gradgate draw`` refuses to parse or evaluate.

    >>> parse_expression("x.y")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ExpressionError: attribute access (a.b) is not allowed ...
    """


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


def _operands(node: ast.AST) -> list[ast.AST]:
    """The sub-expressions a checked node is computed from."""
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.Call):
        return list(node.args)
    return []


def _evaluate(tree: ast.Expression, env: dict[str, Any]) -> Any:
    """Evaluate a checked tree bottom-up with an explicit stack: the 2,000 characters an
    expression may have can nest about 1,000 deep (``x+x+...+x``), past Python's recursion
    limit.

    >>> _evaluate(parse_expression("+".join(["x"] * 999)), {"x": 1.0})
    999.0
    """
    done: dict[int, Any] = {}
    stack: list[tuple[ast.AST, bool]] = [(tree.body, False)]
    while stack:
        node, ready = stack.pop()
        operands = _operands(node)
        if not ready:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(operands))
            continue
        args = [done.pop(id(child)) for child in operands]
        if isinstance(node, ast.Constant):
            done[id(node)] = float(node.value)
        elif isinstance(node, ast.Name):
            done[id(node)] = env[node.id]
        elif isinstance(node, ast.UnaryOp):
            done[id(node)] = -args[0] if isinstance(node.op, ast.USub) else args[0]
        elif isinstance(node, ast.BinOp):
            done[id(node)] = _BINARY[type(node.op)](*args)
        else:
            done[id(node)] = FUNCTIONS[node.func.id][1](*args)
    return done[id(tree.body)]


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
    except OverflowError:  # an integer literal beyond float range
        raise UsageError(f"--set {name}: values must be finite, got {_short(text)}") from None
    except (ValueError, RecursionError):
        raise UsageError(f"--set {name}: expected a number or a list like [1, 2], "
                         f"got {_short(text)}") from None
    if not np.all(np.isfinite(result)):
        raise UsageError(f"--set {name}: values must be finite, got {_short(text)}")
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
