"""The bad-input table: every public function of the engine (and the layers' entry points)
given a wrong shape, a wrong type or dtype, or an out-of-range value raises its documented
exception type with a message that names the op — never a Numba error, a MemoryError or a
traceback from NumPy's internals — and does so at once.

Documented types: :class:`autograd.GradgateError` (a ``ValueError``) for a bad input to an op,
``IndexError`` for an index, ``TypeError`` for an operand that is not numbers,
``ValueError`` for the layers' arguments, :class:`layers.StateDictError` for a state dict.
"""

from __future__ import annotations

import re
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd
import layers
from autograd import (
    GradgateError,
    NonFiniteWarning,
    Value,
    batch_norm,
    cat,
    conv2d,
    cross_entropy,
    dropout,
    grad,
    gradcheck,
    gradgradcheck,
    log_softmax,
    lstm_cell,
    manual_seed,
    max_pool2d,
    maximum,
    name_scope,
    softmax,
    stack,
    svm_loss,
)

V = Value
M = np.ones((2, 3))
IMG, KER = np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2))


def row(id: str, call: Callable[[], Any], kind: type[BaseException], op: str, *words: str,
        marks: Any = ()) -> Any:
    """One case: ``call()`` raises ``kind``; the message names ``op`` and holds ``words``."""
    return pytest.param(call, kind, op, words, id=id, marks=marks)


def _setattr(obj: Any, name: str, value: Any) -> None:
    setattr(obj, name, value)


ENGINE = [
    # ---- Value: data
    row("Value-ragged", lambda: V([[1.0, 2.0], [3.0]]), GradgateError, "Value", "rectangular"),
    row("Value-str", lambda: V("abc"), GradgateError, "Value", "<U3"),
    row("Value-complex", lambda: V(np.ones(2, complex)), GradgateError, "Value", "complex128"),
    row("Value-object", lambda: V([object()]), GradgateError, "Value", "object"),
    row("Value-None", lambda: V(None), GradgateError, "Value", "object"),
    row("Value-of-Value", lambda: V(V(1.0)), TypeError, "Value", "detach"),
    row("Value.data-str", lambda: _setattr(V(M), "data", "abc"), GradgateError, "Value.data"),
    row("Value.grad-shape", lambda: _setattr(V(M), "grad", np.ones(4)), GradgateError,
        "Value.grad", "(4,)", "(2, 3)"),
    row("item-of-many", lambda: V(M).item(), GradgateError, "item", "(2, 3)"),
    # ---- operators
    row("add-shapes", lambda: V(M) + np.ones(4), GradgateError, "add", "(2, 3)", "(4,)"),
    row("sub-shapes", lambda: np.ones((3, 2)) - V(M), GradgateError, "sub", "(3, 2)"),
    row("mul-shapes", lambda: V(M) * V(np.ones((4, 1, 2))), GradgateError, "mul", "(4, 1, 2)"),
    row("div-shapes", lambda: V(M) / np.ones(2), GradgateError, "div", "(2,)"),
    row("add-str", lambda: V(M) + "a", TypeError, "Value", "'str'"),
    row("mul-ragged-list", lambda: V(M) * [[1.0], [2.0, 3.0]], GradgateError, "Value"),
    row("mul-str-array", lambda: V(M) * np.array(["a", "b", "c"]), GradgateError, "Value",
        "<U1"),
    row("pow-negative-root", lambda: V(-1.0) ** 0.5, GradgateError, "pow", "non-integer"),
    row("pow-tensor-negative-root", lambda: V(np.array([1.0, -8.0])) ** (1 / 3), GradgateError,
        "pow", "negative base"),
    row("pow-Value-exponent-negative-base", lambda: V(-2.0) ** V(2.0), GradgateError, "pow",
        "positive base"),
    row("pow-str", lambda: V(M) ** "a", TypeError, "Value", "'str'"),
    row("matmul-inner", lambda: V(M) @ np.ones((2, 2)), GradgateError, "matmul", "(2, 3)",
        "(2, 2)"),
    row("matmul-batch", lambda: V(np.ones((2, 2, 3))) @ V(np.ones((3, 3, 1))), GradgateError,
        "matmul", "batch"),
    row("matmul-scalar", lambda: V(1.0) @ V(2.0), GradgateError, "matmul", "scalar"),
    row("maximum-shapes", lambda: maximum(V(M), np.ones(4)), GradgateError, "maximum", "(4,)"),
    row("maximum-str", lambda: maximum(V(M), "a"), TypeError, "Value", "'str'"),
    # ---- unary
    row("log-negative", lambda: V(-1.0).log(), GradgateError, "log", "positive"),
    row("log-zero-tensor", lambda: V(np.array([1.0, 0.0])).log(), GradgateError, "log",
        "(1,)"),
    # ---- reductions
    row("sum-axis-out-of-range", lambda: V(M).sum(axis=2), GradgateError, "sum", "axis 2"),
    row("sum-axis-float", lambda: V(M).sum(axis=1.0), GradgateError, "sum", "1.0", "int"),
    row("sum-axis-bool", lambda: V(M).sum(axis=True), GradgateError, "sum", "bool"),
    row("sum-axis-str", lambda: V(M).sum(axis="a"), GradgateError, "sum", "'a'"),
    row("sum-axis-on-scalar", lambda: V(2.0).sum(axis=0), GradgateError, "sum", "0-d"),
    row("mean-axis-repeated", lambda: V(M).mean(axis=(0, -2)), GradgateError, "mean",
        "repeated"),
    row("mean-axis-out-of-range", lambda: V(M).mean(axis=-3), GradgateError, "mean", "-3"),
    row("max-empty", lambda: V(np.ones((0, 3))).max(), GradgateError, "max", "empty"),
    row("max-axis-tuple-float", lambda: V(M).max(axis=(0, 1.5)), GradgateError, "max", "1.5"),
    # ---- shapes
    row("reshape-size", lambda: V(M).reshape(4, 2), GradgateError, "reshape", "(2, 3)",
        "(4, 2)"),
    row("reshape-float", lambda: V(np.ones(2)).reshape(2.7), GradgateError, "reshape", "2.7"),
    row("reshape-str", lambda: V(np.ones(2)).reshape("a"), GradgateError, "reshape", "'a'"),
    row("reshape-None", lambda: V(M).reshape(None), GradgateError, "reshape", "None"),
    row("reshape-two-inferred", lambda: V(M).reshape(-1, -1), GradgateError, "reshape", "-1"),
    row("transpose-axis-past-end", lambda: V(M).transpose(1, 2), GradgateError, "transpose",
        "axis 2"),
    row("transpose-axis-far", lambda: V(M).transpose(0, 5), GradgateError, "transpose",
        "axis 5"),
    row("transpose-repeated", lambda: V(M).transpose(0, 0), GradgateError, "transpose",
        "permutation"),
    row("transpose-too-few", lambda: V(np.ones((2, 3, 4))).transpose(0, 1), GradgateError,
        "transpose", "permutation"),
    row("transpose-float", lambda: V(M).transpose(0.0, 1), GradgateError, "transpose", "0.0"),
    row("transpose-scalar", lambda: V(1.0).T, GradgateError, "transpose", "scalar"),
    row("getitem-out-of-range", lambda: V(M)[5], IndexError, "getitem", "5", "(2, 3)"),
    row("getitem-array-out-of-range", lambda: V(M)[[0, 2]], IndexError, "getitem", "2"),
    row("getitem-float", lambda: V(M)[1.5], IndexError, "getitem", "(2, 3)"),
    row("getitem-too-many", lambda: V(M)[0, 0, 0], IndexError, "getitem", "too many"),
    row("getitem-scalar", lambda: V(1.0)[0], GradgateError, "getitem", "scalar"),
    # ---- joins
    row("cat-empty", lambda: cat([]), GradgateError, "cat", "non-empty"),
    row("cat-not-a-list", lambda: cat(V(M)), GradgateError, "cat", "list"),
    row("cat-shapes", lambda: cat([V(M), V(np.ones((3, 3)))], axis=1), GradgateError, "cat",
        "(3, 3)"),
    row("cat-axis", lambda: cat([V(M), V(M)], axis=2), GradgateError, "cat", "axis 2"),
    row("cat-axis-float", lambda: cat([V(M), V(M)], axis=0.5), GradgateError, "cat", "0.5"),
    row("cat-scalar", lambda: cat([V(1.0)]), GradgateError, "cat", "scalar"),
    row("stack-shapes", lambda: stack([V(M), V(np.ones(3))]), GradgateError, "stack", "(3,)"),
    row("stack-axis", lambda: stack([V(M)], axis=5), GradgateError, "stack", "axis 5"),
    # ---- neural-network functions
    row("softmax-scalar", lambda: softmax(V(1.0)), GradgateError, "softmax", "scalar"),
    row("softmax-axis", lambda: softmax(V(M), axis=2), GradgateError, "softmax", "axis 2"),
    row("softmax-axis-None", lambda: softmax(V(M), axis=None), GradgateError, "softmax",
        "None"),
    row("log_softmax-axis", lambda: log_softmax(V(M), axis=-3), GradgateError, "log_softmax",
        "-3"),
    row("cross_entropy-1d", lambda: cross_entropy(V(np.ones(3)), [0]), GradgateError,
        "cross_entropy", "(3,)"),
    row("cross_entropy-target-range", lambda: cross_entropy(V(M), [0, 3]), GradgateError,
        "cross_entropy", "[0, 3)"),
    row("cross_entropy-target-float", lambda: cross_entropy(V(M), [0.5, 1.0]), GradgateError,
        "cross_entropy", "integer"),
    row("cross_entropy-target-str", lambda: cross_entropy(V(M), ["a", "b"]), GradgateError,
        "cross_entropy", "<U1"),
    row("cross_entropy-target-count", lambda: cross_entropy(V(M), [0]), GradgateError,
        "cross_entropy", "expected 2 targets"),
    row("svm_loss-target-negative", lambda: svm_loss(V(M), [-1, 0]), GradgateError,
        "svm_loss", "[0, 3)"),
    row("svm_loss-delta-negative", lambda: svm_loss(V(M), [0, 1], delta=-1.0), GradgateError,
        "svm_loss", "delta"),
    row("svm_loss-delta-str", lambda: svm_loss(V(M), [0, 1], delta="a"), GradgateError,
        "svm_loss", "'a'"),
    row("svm_loss-delta-nan", lambda: svm_loss(V(M), [0, 1], delta=float("nan")),
        GradgateError, "svm_loss", "nan"),
    row("dropout-p", lambda: dropout(V(M), 1.5), GradgateError, "dropout", "1.5"),
    row("dropout-p-str", lambda: dropout(V(M), "a"), GradgateError, "dropout", "'a'"),
    row("conv2d-channels", lambda: conv2d(V(np.ones((1, 2, 4, 4))), V(KER)), GradgateError,
        "conv2d", "2 channels"),
    row("conv2d-rank", lambda: conv2d(V(np.ones((1, 4, 4))), V(KER)), GradgateError, "conv2d",
        "(1, 4, 4)"),
    row("conv2d-weight-rank", lambda: conv2d(V(IMG), V(np.ones((1, 2, 2)))), GradgateError,
        "conv2d", "(1, 2, 2)"),
    row("conv2d-stride-0", lambda: conv2d(V(IMG), V(KER), stride=0), GradgateError, "conv2d",
        "stride"),
    row("conv2d-stride-float", lambda: conv2d(V(IMG), V(KER), stride=1.5), GradgateError,
        "conv2d", "stride"),
    row("conv2d-padding-negative", lambda: conv2d(V(IMG), V(KER), padding=-1), GradgateError,
        "conv2d", "padding"),
    row("conv2d-bias", lambda: conv2d(V(IMG), V(KER), V(np.ones(2))), GradgateError, "conv2d",
        "bias"),
    row("conv2d-kernel-too-big", lambda: conv2d(V(IMG), V(np.ones((1, 1, 5, 5)))),
        GradgateError, "conv2d", "5x5"),
    row("conv2d-empty", lambda: conv2d(V(np.ones((0, 1, 4, 4))), V(KER)), GradgateError,
        "conv2d", "empty"),
    row("conv2d-dilation-0", lambda: conv2d(V(IMG), V(KER), dilation=0), GradgateError,
        "conv2d", "dilation"),
    row("max_pool2d-padding-over-half", lambda: max_pool2d(V(IMG), 2, padding=2),
        GradgateError, "max_pool2d", "padding", "half"),
    row("batch_norm-rank", lambda: batch_norm(V(np.ones(3)), None, None, training=True),
        GradgateError, "batch_norm", "(3,)"),
    row("batch_norm-one-value", lambda: batch_norm(V(M[:1]), None, None, training=True),
        GradgateError, "batch_norm", "more than 1 value"),
    row("batch_norm-running-shape", lambda: batch_norm(V(M), np.zeros(2), np.ones(3)),
        GradgateError, "batch_norm", "running_mean", "(3,)", "(2,)"),
    row("batch_norm-eval-without-stats", lambda: batch_norm(V(M), None, None),
        GradgateError, "batch_norm", "running_mean"),
    row("lstm_cell-weights", lambda: lstm_cell(M, np.ones((2, 4)), np.ones((2, 4)),
                                                np.ones((15, 3)), np.ones((16, 4))),
        GradgateError, "lstm_cell", "(15, 3)"),
    row("lstm_cell-state", lambda: lstm_cell(M, np.ones((2, 5)), np.ones((2, 4)),
                                              np.ones((16, 3)), np.ones((16, 4))),
        GradgateError, "lstm_cell", "h must have shape (2, 4)", "(2, 5)"),
    row("max_pool2d-kernel-too-big", lambda: max_pool2d(V(IMG), 5), GradgateError,
        "max_pool2d", "5x5"),
    row("max_pool2d-kernel-0", lambda: max_pool2d(V(IMG), 0), GradgateError, "max_pool2d",
        "kernel_size"),
    row("max_pool2d-stride-str", lambda: max_pool2d(V(IMG), 2, "a"), GradgateError,
        "max_pool2d", "stride"),
    row("max_pool2d-rank", lambda: max_pool2d(V(np.ones((4, 4))), 2), GradgateError,
        "max_pool2d", "(4, 4)"),
    # ---- backward, gradcheck and the rest
    row("backward-no-grad-for-matrix", lambda: (V(M) * 2).backward(), ValueError, "backward",
        "(2, 3)"),
    row("backward-grad-shape", lambda: (V(M) * 2).backward(np.ones(3)), GradgateError,
        "backward", "(3,)", "(2, 3)"),
    row("backward-constant", lambda: V(1.0, requires_grad=False).backward(), GradgateError,
        "backward", "require grad"),
    row("gradcheck-eps-0", lambda: gradcheck(lambda a: a * a, [V(1.0)], eps=0.0), ValueError,
        "gradcheck", "eps"),
    row("gradcheck-rtol-negative", lambda: gradcheck(lambda a: a, [V(1.0)], rtol=-1.0),
        ValueError, "gradcheck", "rtol"),
    row("gradcheck-not-a-Value", lambda: gradcheck(lambda a: 3.0, [V(1.0)]), TypeError,
        "gradcheck", "float"),
    row("gradgradcheck-atol-nan", lambda: gradgradcheck(lambda a: a, [V(1.0)], atol=np.nan),
        ValueError, "gradgradcheck", "atol"),
    row("grad-unused-input", lambda: grad(V(1.0) * 2, [V(2.0, label="u")]), GradgateError,
        "grad", "'u'", "allow_unused=True"),
    row("grad-outputs-count", lambda: grad([V(1.0) * 2, V(1.0) * 3], V(1.0), [1.0]),
        GradgateError, "grad", "2 outputs", "1 grad_outputs"),
    row("grad-outputs-shape", lambda: grad((V(M) * 2), V(M), V(np.ones(3)), create_graph=True),
        GradgateError, "grad", "(3,)", "(2, 3)"),
    row("grad-input-not-a-Value", lambda: grad(V(1.0) * 2, [np.ones(2)]), TypeError, "grad",
        "ndarray"),
    row("Value.broadcast_to-shape", lambda: V(M).broadcast_to(3, 2), GradgateError,
        "broadcast_to", "(2, 3)", "(3, 2)"),
    row("Value.sum_to_size-shape", lambda: V(M).sum_to_size(4), GradgateError, "sum_to_size",
        "(2, 3)", "(4,)"),
    row("manual_seed-str", lambda: manual_seed("a"), ValueError, "manual_seed", "'a'"),
    row("manual_seed-negative", lambda: manual_seed(-1), ValueError, "manual_seed", "-1"),
    row("name_scope-int", lambda: name_scope(3).__enter__(), ValueError, "name_scope", "3"),
]

LAYERS = [
    row("Linear-input", lambda: layers.Linear(3, 2)(np.ones((4, 2))), ValueError,
        "Linear(3, 2)", "(4, 2)"),
    row("Linear-size-str", lambda: layers.Linear("a", 2), ValueError, "Linear", "'a'"),
    row("Linear-size-float", lambda: layers.Linear(2.5, 2), ValueError, "Linear", "2.5"),
    row("Linear-size-0", lambda: layers.Linear(0, 2), ValueError, "Linear", "0"),
    row("module-input-str", lambda: layers.Linear(2, 2)(np.array(["a", "b"])), TypeError,
        "module input", "<U1"),
    row("Conv2d-input", lambda: layers.Conv2d(3, 2, 3)(np.ones((1, 2, 5, 5))), ValueError,
        "Conv2d(3, 2)", "(1, 2, 5, 5)"),
    row("Conv2d-kernel-0", lambda: layers.Conv2d(1, 2, 0), ValueError, "Conv2d(1, 2)",
        "kernel_size"),
    row("MaxPool2d-window", lambda: layers.MaxPool2d(9)(IMG), ValueError, "MaxPool2d(9)",
        "9x9"),
    row("BatchNorm1d-input", lambda: layers.BatchNorm1d(3)(np.ones((4, 2))), ValueError,
        "BatchNorm1d(3)", "(4, 2)"),
    row("BatchNorm2d-input", lambda: layers.BatchNorm2d(3)(np.ones((4, 2, 2, 2))), ValueError,
        "BatchNorm2d(3)", "(4, 2, 2, 2)"),
    row("RNN-input", lambda: layers.RNN(3, 4)(np.ones((5, 2, 2))), ValueError, "RNN",
        "(5, 2, 2)"),
    row("LSTM-input", lambda: layers.LSTM(3, 4)(np.ones((5, 2, 2))), ValueError, "LSTM",
        "(5, 2, 2)"),
    row("Dropout-p", lambda: layers.Dropout(1.5), ValueError, "Dropout", "1.5"),
    row("Flatten-scalar", lambda: layers.Flatten()(V(1.0)), ValueError, "Flatten", "()"),
    row("Sequential-not-a-module", lambda: layers.Sequential(3), TypeError, "Sequential",
        "int"),
    row("Sequential-index", lambda: layers.Sequential(layers.Linear(1, 1))[5], IndexError,
        "Sequential", "5"),
    row("SGD-lr-negative", lambda: layers.SGD([V(1.0)], lr=-1), ValueError, "SGD", "lr"),
    row("Adam-betas", lambda: layers.Adam([V(1.0)], betas=(2, 0.9)), ValueError, "Adam",
        "betas"),
    row("StepLR-step_size", lambda: layers.StepLR(layers.SGD([V(1.0)], lr=1), step_size=0),
        ValueError, "StepLR", "step_size"),
    row("CrossEntropyLoss-targets", lambda: layers.CrossEntropyLoss()(M, [5, 0]),
        GradgateError, "cross_entropy", "[0, 3)"),
    row("MSELoss-shapes", lambda: layers.MSELoss()(np.ones(3), np.ones(2)), ValueError,
        "MSELoss", "(3,)", "(2,)"),
    row("l2_penalty-lam", lambda: layers.l2_penalty(layers.Linear(1, 1), "a"), ValueError,
        "l2_penalty", "'a'"),
    row("load_state_dict-shape", lambda: layers.Linear(2, 2).load_state_dict(
        {"weight": np.ones((3, 3)), "bias": np.ones(2)}), layers.StateDictError, "Linear",
        "(3, 3)"),
    row("DataLoader-batch_size", lambda: layers.DataLoader(M, np.ones(2), batch_size=0),
        ValueError, "DataLoader", "batch_size"),
    row("split-fraction", lambda: layers.split(M, np.ones(2), 1.5), ValueError, "split",
        "1.5"),
    row("make_moons-n", lambda: layers.make_moons(-5), ValueError, "make_moons", "-5"),
    row("KNearestNeighbor-k", lambda: layers.KNearestNeighbor(k=0), ValueError,
        "KNearestNeighbor", "k"),
    row("Standardizer-features", lambda: layers.Standardizer().fit(np.ones((3, 2))).transform(
        np.ones((2, 3))), ValueError, "Standardizer.transform", "(2, 3)"),
    row("xavier_uniform_-1d", lambda: layers.xavier_uniform_(np.empty(3)), ValueError,
        "fan_in_and_fan_out", "(3,)"),
    row("calculate_gain-unknown", lambda: layers.calculate_gain("foo"), ValueError,
        "calculate_gain", "'foo'"),
    row("MLP-sizes", lambda: layers.MLP(2, []), ValueError, "MLP", "layer_sizes"),
    row("save-not-a-module", lambda: layers.save(3, "x.npz"), TypeError, "save", "int"),
    row("load-missing", lambda: layers.load(layers.Linear(1, 1), "/nonexistent/x.npz"),
        FileNotFoundError, "load", "/nonexistent/x.npz"),
    row("load-folder", lambda: layers.load(layers.Linear(1, 1), "/tmp"), IsADirectoryError,
        "load", "folder"),
]


@pytest.mark.parametrize("call,kind,op,words", ENGINE + LAYERS)
def test_bad_input_raises_the_documented_error_naming_the_op(
        call: Callable[[], Any], kind: type[BaseException], op: str, words: tuple[str, ...]):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonFiniteWarning)
        with pytest.raises(Exception) as info:
            call()
    err = info.value
    assert type(err).__module__.split(".")[0] not in ("numba", "numpy"), repr(err)
    assert not isinstance(err, (MemoryError, RecursionError)), repr(err)
    assert isinstance(err, kind), f"expected {kind.__name__}, got {err!r}"
    message = str(err)
    assert re.search(rf"(^|\W){re.escape(op)}(\W|$)", message), f"{op!r} not named: {message}"
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert time.perf_counter() - start < 5.0


def test_every_public_engine_function_has_a_row():
    covered = " ".join(p.id for p in ENGINE)
    public = set(autograd.__all__) - {
        "Gate", "GradgateError", "GraphFreedError", "NonFiniteWarning", "graph",
        "enable_grad", "no_grad", "is_grad_enabled"}  # classes, a module and argument-free
    missing = [name for name in sorted(public)
               if not re.search(rf"(^|[\s-]){re.escape(name)}\b", covered)]
    assert not missing, f"no bad-input row for {missing}"


def test_conv2d_stride_beyond_the_input_gives_one_output_like_pytorch():
    y = conv2d(V(np.ones((1, 1, 5, 5))), V(np.ones((1, 1, 3, 3))), stride=100000)
    assert y.shape == (1, 1, 1, 1) and y.data.item() == 9.0
