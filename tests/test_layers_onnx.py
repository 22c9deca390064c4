"""export_onnx verified numerically: for every model builder and recurrent layer the ONNX
checker passes and onnxruntime's outputs equal gradgate's within 1e-5 (float32) at two batch
sizes; the gate-level translations on functional models; module-level export that ignores
what a module records inside; initializer names; and clear errors."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from model_zoo import ZOO, flat_outputs, zoo_input, zoo_model

import autograd
from autograd import Gate, GradgateError, Value, cat, stack
from autograd.value import apply
from layers import (
    GRU,
    LSTM,
    RNN,
    BatchNorm1d,
    Conv2d,
    GRUCell,
    Linear,
    LSTMCell,
    Module,
    Parameter,
    ReLU,
    RNNCell,
    Sequential,
    export_onnx,
)

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
TOL = {"rtol": 1e-5, "atol": 1e-5}


def _run_onnx(path, x):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: np.asarray(x, np.float32)})


def _check_against_runtime(model, path, inputs):
    """ONNX runtime == gradgate (eval mode) on each input."""
    was = model.training
    model.eval()
    try:
        for x in inputs:
            ours = [o.numpy() for o in flat_outputs(model(x))]
            theirs = _run_onnx(path, x)
            assert len(ours) == len(theirs)
            for a, b in zip(ours, theirs, strict=True):
                assert a.shape == b.shape
                np.testing.assert_allclose(b, a, **TOL)
    finally:
        model.train(was)


@pytest.mark.parametrize("name", list(ZOO))
def test_every_builder_and_recurrent_layer_matches_onnxruntime(name, tmp_path):
    model = zoo_model(name)
    path = tmp_path / f"{name}.onnx"
    proto = export_onnx(model, zoo_input(name, batch=3), path, batch_axis=ZOO[name].batch_axis)
    assert model.training                             # the model's mode is restored
    loaded = onnx.load(str(path))
    onnx.checker.check_model(loaded, full_check=True)
    assert loaded == proto
    # initializers: every parameter and buffer under its state_dict name, as float32
    inits = {i.name: onnx.numpy_helper.to_array(i) for i in loaded.graph.initializer}
    for key, value in model.state_dict().items():
        if key.endswith("num_batches_tracked"):
            continue
        np.testing.assert_array_equal(inits[key], value.astype(np.float32), err_msg=key)
    # a dynamic batch dimension on the input and on every output axis that follows it
    graph_input = loaded.graph.input[0]
    dims = [d.dim_param or d.dim_value for d in graph_input.type.tensor_type.shape.dim]
    assert graph_input.name == "input" and dims[ZOO[name].batch_axis] == "batch"
    for out in loaded.graph.output:
        assert "batch" in [d.dim_param for d in out.type.tensor_type.shape.dim]
    _check_against_runtime(model, path, [zoo_input(name, batch=2, seed=5),
                                         zoo_input(name, batch=7, seed=6)])


def test_nodes_are_named_after_their_modules(tmp_path):
    model = zoo_model("lenet_digits")
    proto = export_onnx(model, zoo_input("lenet_digits", 2), tmp_path / "m.onnx")
    names = [node.name for node in proto.graph.node]
    assert names[:3] == ["features.0/Conv", "features.1/Relu", "features.2/MaxPool"]
    assert [o.name for o in proto.graph.output] == ["output"]
    lstm = LSTM(3, 4)
    proto = export_onnx(lstm, np.zeros((2, 5, 3)), tmp_path / "lstm.onnx",
                        input_name="tokens", output_names=["seq", "h_n", "c_n"])
    assert [o.name for o in proto.graph.output] == ["seq", "h_n", "c_n"]
    assert proto.graph.input[0].name == "tokens"
    assert "LSTM" in [node.op_type for node in proto.graph.node]


@pytest.mark.parametrize("opset", [13, 18, 21])
def test_opsets(opset, tmp_path):
    for name in ("resnet_small", "gru_2_layers_bidirectional"):
        model = zoo_model(name)
        path = tmp_path / f"{name}.onnx"
        proto = export_onnx(model, zoo_input(name, 2), path, opset=opset)
        assert proto.opset_import[0].version == opset
        _check_against_runtime(model, path, [zoo_input(name, 4, seed=2)])


# ------------------------------------------------------------------ functional models


class Functional(Module):
    """A module whose forward is plain engine code: exported gate by gate."""

    def __init__(self, fn, *shapes):
        super().__init__()
        rng = np.random.default_rng(0)
        self.params = [Parameter(rng.normal(size=s)) for s in shapes]
        self.fn = fn

    def forward(self, x):
        return self.fn(x, *self.params)


def _elementwise(x, w, b):
    h = (x @ w + b) * 0.5 - x.mean(axis=1, keepdims=True) / 3.0
    h = autograd.maximum(h, -h * 0.1) + (-h).sigmoid() ** 2 + h.tanh()
    return (h.exp() + 1.0).log() + (h * h + 1.0) ** 0.5 + h.relu()


def _reductions_and_shapes(x, w):
    h = x @ w                                                     # (N, 12)
    grid = h.reshape(h.shape[0], 3, 4)
    parts = [grid.sum(axis=1), grid.max(axis=2, keepdims=True).reshape(grid.shape[0], 3),
             grid.mean(axis=(1, 2), keepdims=True)[:, 0], grid.transpose(0, 2, 1)[:, :, 0],
             grid.sum(axis=-1) - grid.sum()]
    joined = cat([p.reshape(p.shape[0], -1) for p in parts], axis=1)
    return autograd.log_softmax(joined, axis=1) + autograd.softmax(joined, axis=-1)


def _indexing(x, w):
    h = (x @ w).reshape(x.shape[0], 2, 6)
    picks = [h[:, 1], h[:, :, 1:5:2], h[..., ::-1], h[:, -1, -3:], h[:, 0, None, 2:4],
             h[:, :, [0, 5, 5, 2]], h[:, ::-2, 3]]
    flat = [p.reshape(p.shape[0], -1) for p in picks]
    return cat(flat, axis=1) + 0.0 * stack([h.sum(axis=(1, 2))] * sum(f.shape[1] for f in flat),
                                           axis=1)


def _conv_pool(x, w, b):
    y = autograd.conv2d(x, w, b, stride=(1, 2), padding=1)
    return autograd.max_pool2d(y, 2, stride=1).relu()


FUNCTIONAL = {
    "elementwise": (_elementwise, [(5, 6), (6,)], (5,)),
    "reductions_and_shapes": (_reductions_and_shapes, [(5, 12)], (5,)),
    "indexing": (_indexing, [(5, 12)], (5,)),
    "conv_pool": (_conv_pool, [(4, 2, 3, 3), (4,)], (2, 6, 7)),
}


@pytest.mark.parametrize("name", list(FUNCTIONAL))
def test_functional_models_gate_by_gate(name, tmp_path):
    fn, shapes, sample = FUNCTIONAL[name]
    model = Functional(fn, *shapes)
    rng = np.random.default_rng(1)
    path = tmp_path / "f.onnx"
    proto = export_onnx(model, rng.uniform(0.1, 1.0, size=(3, *sample)), path)
    assert {i.name for i in proto.graph.initializer} >= {f"params.{i}" for i in
                                                        range(len(shapes))}
    _check_against_runtime(model, path, [rng.uniform(0.1, 1.0, size=(n, *sample))
                                         for n in (2, 6)])


def test_a_shared_layer_and_initial_states_from_the_graph(tmp_path):
    class Encoder(Module):
        """Initial states computed from the input; one Linear used twice."""

        def __init__(self, kind):
            super().__init__()
            self.start = Linear(3, 4)
            self.rnn = kind(3, 4, num_layers=2, bidirectional=True)
            self.cell = {LSTM: LSTMCell, GRU: GRUCell, RNN: RNNCell}[kind](8, 4)

        def forward(self, x):
            h = self.start(x[:, 0]).tanh()
            h0 = stack([h, self.start(x[:, -1]).tanh(), h, h], axis=0)
            state = (h0, h0 * 0.5) if isinstance(self.rnn, LSTM) else h0
            out, _ = self.rnn(x, state)
            last = self.cell(out[:, -1], (h, h) if isinstance(self.rnn, LSTM) else h)
            return last[0] if isinstance(last, tuple) else last

    for kind in (LSTM, GRU, RNN):
        model = Encoder(kind)
        path = tmp_path / f"{kind.__name__}.onnx"
        proto = export_onnx(model, np.random.default_rng(0).normal(size=(2, 5, 3)), path)
        assert sum(i.name == "start.weight" for i in proto.graph.initializer) == 1
        _check_against_runtime(model, path, [np.random.default_rng(s).normal(size=(n, 5, 3))
                                             for s, n in ((1, 3), (2, 6))])


class _Fused(Gate):
    """Stands for the fused gates the engine will record inside BatchNorm and the LSTM cell:
    gates no ONNX translation knows, so export must not walk into those modules."""

    def __init__(self, name, fn):
        self.name, self.fn = name, fn

    def forward(self, *datas):
        return self.fn(*datas), None


def test_modules_export_whole_whatever_they_record_inside(tmp_path, monkeypatch):
    import layers.norm
    import layers.recurrent

    original_step, original_bn = layers.recurrent.lstm_step, layers.norm._BatchNorm.forward

    def fused_step(x, state, w_ih, w_hh, b):
        def compute(*datas):
            with autograd.no_grad():
                values = [Value(d) for d in datas]
                h, c = original_step(values[0], None if state is None else tuple(values[1:3]),
                                     *values[-3:])
            return np.concatenate([h.data, c.data], axis=1)

        inputs = [x, *(state or ()), w_ih, w_hh, b]
        both = apply(_Fused("lstm_cell", compute), *inputs)
        hidden = w_hh.shape[1]
        return both[:, :hidden], both[:, hidden:]

    def fused_bn(self, x):
        out = original_bn(self, x)
        return apply(_Fused("batch_norm", lambda *d: out.data), Value(out.data), self.weight)

    monkeypatch.setattr(layers.recurrent, "lstm_step", fused_step)
    monkeypatch.setattr(layers.norm._BatchNorm, "forward", fused_bn)
    for model, x in ((LSTM(3, 4, num_layers=2, bidirectional=True), np.ones((2, 5, 3))),
                     (Sequential(Linear(3, 4), BatchNorm1d(4), ReLU()), np.ones((2, 3)))):
        nodes = autograd.graph.topological_order(flat_outputs(model(x))[0])
        assert {"lstm_cell", "batch_norm"} & {n.gate.name for n in nodes if n.gate}
        path = tmp_path / "fused.onnx"
        export_onnx(model, x, path)
        _check_against_runtime(model, path, [np.random.default_rng(3).normal(size=x.shape)])


# ------------------------------------------------------------------ errors


def test_an_op_without_translation_is_named(tmp_path):
    class WithLoss(Module):
        def __init__(self):
            super().__init__()
            self.head = Sequential(Linear(3, 4))

        def forward(self, x):
            return autograd.dropout(self.head(x), 0.5, training=True) * 2

    with pytest.raises(GradgateError, match=r"export_onnx: cannot export op 'dropout' "
                                            r"\(output shape \(2, 4\)\): ONNX translations "
                                            r"exist for the ops add, cat, conv2d"):
        export_onnx(WithLoss(), np.zeros((2, 3)), tmp_path / "x.onnx")
    inner = Sequential(Functional(lambda x, w: autograd.svm_loss(x @ w, [0, 1]).reshape(1),
                                  (3, 2)))
    with pytest.raises(GradgateError, match=r"cannot export op 'svm_loss' in module '0'"):
        export_onnx(inner, np.zeros((2, 3)), tmp_path / "x.onnx")
    assert not list(tmp_path.iterdir())                       # nothing written


def test_bad_arguments_and_inputs_are_refused(tmp_path):
    path = tmp_path / "x.onnx"
    with pytest.raises(GradgateError, match=r"LSTM at 'the top' was called with input of shape "
                                            r"\(5, 3\); export needs batched input"):
        export_onnx(LSTM(3, 4), np.zeros((5, 3)), path)
    with pytest.raises(ValueError, match="opset must be an int from 13 to"):
        export_onnx(Linear(2, 2), np.zeros((1, 2)), path, opset=11)
    with pytest.raises(ValueError, match=r"batch_axis 2 is not an axis of the example input"):
        export_onnx(Linear(2, 2), np.zeros((1, 2)), path, batch_axis=2)
    with pytest.raises(ValueError, match=r"the model returns 3 tensor\(s\); got the output"):
        export_onnx(LSTM(3, 4), np.zeros((1, 5, 3)), path, output_names=["a", "b"])
    with pytest.raises(GradgateError, match="must return tensor Values .*got a scalar Value"):
        export_onnx(Functional(lambda x, w: Value(1.0) * 2, (2, 2)), np.zeros((1, 2)), path)
    with pytest.raises(GradgateError, match="must return tensor Values .*got a float"):
        export_onnx(Functional(lambda x, w: (x @ w).sum().item(), (2, 2)), np.zeros((1, 2)),
                    path)
    with pytest.raises(ValueError, match="example_input must be an array of numbers"):
        export_onnx(Linear(2, 2), np.array(["a", "b"]), path)
    assert not path.exists()


def test_static_shapes_and_a_model_that_returns_its_input(tmp_path):
    path = tmp_path / "static.onnx"
    proto = export_onnx(Conv2d(1, 2, 3), np.zeros((2, 1, 5, 5)), path, batch_axis=None)
    dims = [d.dim_value for d in proto.graph.output[0].type.tensor_type.shape.dim]
    assert dims == [2, 2, 3, 3]
    twice = Functional(lambda x, w: (x, x @ w, x), (2, 2))
    proto = export_onnx(twice, np.ones((1, 2)), tmp_path / "identity.onnx")
    assert [o.name for o in proto.graph.output] == ["output_0", "output_1", "output_2"]
    out = _run_onnx(tmp_path / "identity.onnx", np.full((3, 2), 2.0))
    np.testing.assert_array_equal(out[0], np.full((3, 2), 2.0))
    np.testing.assert_array_equal(out[2], out[0])


def test_without_onnx_the_error_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r"export_onnx needs the 'onnx' package: "
                                          r"pip install gradgate\[onnx\]"):
        export_onnx(Linear(2, 2), np.zeros((1, 2)), tmp_path / "x.onnx")
