"""Module behaviour: discovery, names, modes, state dicts, dtype, repr and name scopes."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Value
from layers import (
    BatchNorm1d,
    Conv2d,
    Dropout,
    Flatten,
    IncompatibleKeys,
    Linear,
    MaxPool2d,
    Module,
    ModuleList,
    Parameter,
    ReLU,
    Sequential,
    StateDictError,
    Tanh,
)


class Net(Module):
    """A module mixing every way of holding parameters and submodules."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = Parameter(np.ones(2))
        self.features = Sequential(Linear(3, 4), ReLU(), Linear(4, 2))
        self.heads = [Linear(2, 1), Linear(2, 1)]
        self.extra = ModuleList([Linear(2, 2)])
        self.norm = BatchNorm1d(2)
        self.drop = Dropout(0.5)
        self.not_a_module = "just a string"

    def forward(self, x):
        h = self.norm(self.extra[0](self.features(x) * self.scale))
        h = self.drop(h)
        return self.heads[0](h) + self.heads[1](h)


def test_parameter_is_a_float64_leaf_value_without_instance_dict():
    p = Parameter([[1, 2], [3, 4]])
    assert isinstance(p, Value)
    assert p.dtype == np.float64 and p.is_leaf and p.requires_grad
    assert not hasattr(p, "__dict__")
    assert Parameter(np.zeros(2, np.float32)).dtype == np.float32
    assert Parameter(np.zeros(2), dtype=np.float32).dtype == np.float32
    with pytest.raises(TypeError, match="float32 or float64"):
        Parameter(np.zeros(2), dtype=np.int32)


def test_parameter_copies_its_data():
    arr = np.ones(3)
    p = Parameter(arr)
    arr[0] = 5.0
    assert p.data[0] == 1.0


def test_named_parameters_order_and_dotted_names():
    names = [name for name, _ in Net().named_parameters()]
    assert names == [
        "scale",
        "features.0.weight", "features.0.bias", "features.2.weight", "features.2.bias",
        "heads.0.weight", "heads.0.bias", "heads.1.weight", "heads.1.bias",
        "extra.0.weight", "extra.0.bias",
        "norm.weight", "norm.bias",
    ]
    net = Net()
    assert [p for p in net.parameters()] == [p for _, p in net.named_parameters()]


def test_shared_parameters_and_modules_are_listed_once():
    fc = Linear(2, 2)
    net = Sequential(fc, ReLU(), fc)
    assert [n for n, _ in net.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(net.children())) == 2
    assert net(np.ones((1, 2))).shape == (1, 2)      # but it is applied twice
    assert len(net) == 3


def test_children_and_named_modules():
    net = Net()
    assert [name for name, _ in net.named_children()] == [
        "features", "heads.0", "heads.1", "extra", "norm", "drop"
    ]
    names = [name for name, _ in net.named_modules()]
    assert names == [
        "", "features", "features.0", "features.1", "features.2", "heads.0", "heads.1",
        "extra", "extra.0", "norm", "drop",
    ]
    assert list(net.modules())[0] is net


def test_train_and_eval_reach_every_submodule():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net.features.eval()
    assert not net.features[0].training and net.training


def test_zero_grad_resets_every_parameter():
    net = Net()
    net(np.random.default_rng(0).normal(size=(4, 3))).sum().backward()
    assert any(np.abs(p.grad).sum() > 0 for p in net.parameters())
    net.zero_grad()
    assert all(np.abs(p.grad).sum() == 0 for p in net.parameters())


def test_state_dict_has_parameters_and_buffers_as_copies():
    net = Net()
    state = net.state_dict()
    assert list(state)[-5:] == [
        "norm.weight", "norm.bias", "norm.running_mean", "norm.running_var",
        "norm.num_batches_tracked",
    ]
    assert all(isinstance(v, np.ndarray) for v in state.values())
    state["scale"][:] = 7.0
    assert np.all(net.scale.data == 1.0)


def test_state_dict_round_trip_restores_outputs_and_running_stats():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(8, 3))
    a, b = Net(), Net()
    a(x)                                   # moves a's running statistics
    b.load_state_dict(a.state_dict())
    a.eval(), b.eval()
    np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())
    np.testing.assert_array_equal(b.norm.running_mean, a.norm.running_mean)
    assert int(b.norm.num_batches_tracked) == 1


def test_load_state_dict_strict_errors_list_every_bad_key():
    net = Sequential(Linear(3, 2), Linear(2, 1))
    state = net.state_dict()
    del state["1.bias"]
    state["2.weight"] = np.zeros((1, 1))
    state["0.weight"] = np.zeros((5, 3))
    before = net[0].weight.data.copy()
    with pytest.raises(StateDictError) as err:
        net.load_state_dict(state)
    message = str(err.value)
    assert "'1.bias'" in message and "missing" in message
    assert "'2.weight'" in message and "unexpected" in message
    assert "'0.weight'" in message and "(5, 3)" in message and "(2, 3)" in message
    assert err.value.missing_keys == ["1.bias"]
    assert err.value.unexpected_keys == ["2.weight"]
    assert err.value.mismatched_keys == ["0.weight"]
    np.testing.assert_array_equal(net[0].weight.data, before)   # nothing loaded


def test_load_state_dict_non_strict_reports_but_still_refuses_bad_shapes():
    net = Sequential(Linear(3, 2))
    result = net.load_state_dict({"0.weight": np.ones((2, 3)), "junk": np.ones(1)}, strict=False)
    assert result == IncompatibleKeys(missing_keys=["0.bias"], unexpected_keys=["junk"])
    assert np.all(net[0].weight.data == 1.0)
    with pytest.raises(StateDictError, match="size mismatch"):
        net.load_state_dict({"0.weight": np.ones((3, 3))}, strict=False)


def test_load_state_dict_keeps_the_parameter_dtype():
    net = Linear(2, 2).float()
    net.load_state_dict({"weight": np.ones((2, 2)), "bias": np.zeros(2)})
    assert net.weight.dtype == np.float32


def test_to_float32_and_back_converts_parameters_and_float_buffers():
    net = Sequential(Linear(2, 3), BatchNorm1d(3))
    net.to(np.float32)
    assert all(p.dtype == np.float32 for p in net.parameters())
    assert net[1].running_mean.dtype == np.float32
    assert net[1].num_batches_tracked.dtype == np.int64
    out = net(np.ones((4, 2)))
    assert out.dtype == np.float32
    net.double()
    assert all(p.dtype == np.float64 for p in net.parameters())
    assert Linear(2, 2, dtype=np.float32).weight.dtype == np.float32


def test_repr_is_nested_with_parameter_counts_and_total():
    net = Sequential(Linear(2, 16), ReLU(), Sequential(Linear(16, 1), Tanh()))
    text = repr(net)
    lines = text.splitlines()
    assert lines[0] == "Sequential("
    assert lines[1] == "  (0): Linear(in_features=2, out_features=16, bias=True)  # 48 parameters"
    assert lines[2] == "  (1): ReLU()"
    assert lines[3] == "  (2): Sequential("
    assert "Linear(in_features=16, out_features=1, bias=True)  # 17 parameters" in lines[4]
    assert lines[6] == "  )  # 17 parameters"
    assert lines[7] == ")  # 65 parameters"
    assert lines[-1] == "Total parameters: 65 (trainable: 65)"
    assert repr(Linear(2, 3)) == "Linear(in_features=2, out_features=3, bias=True)"
    assert repr(ReLU()) == "ReLU()"


def test_sequential_indexing_slicing_append_and_mapping():
    net = Sequential(Linear(2, 3), ReLU())
    assert isinstance(net[0], Linear) and isinstance(net[-1], ReLU)
    head = net[:1]
    assert isinstance(head, Sequential) and len(head) == 1 and head[0] is net[0]
    net.append(Linear(3, 1))
    assert len(net) == 3 and net(np.ones((5, 2))).shape == (5, 1)
    assert [type(m) for m in net] == [Linear, ReLU, Linear]
    named = Sequential({"fc": Linear(2, 2), "act": ReLU()})
    assert [n for n, _ in named.named_parameters()] == ["fc.weight", "fc.bias"]
    with pytest.raises(TypeError, match="expected a Module"):
        Sequential(Linear(2, 2), "relu")


def test_module_list_insert_renumbers():
    blocks = ModuleList([Linear(1, 1), Linear(1, 1)])
    first = blocks[0]
    blocks.insert(0, Linear(1, 1))
    assert len(blocks) == 3 and blocks[1] is first
    assert [n for n, _ in blocks.named_parameters()][-2:] == ["2.weight", "2.bias"]


def test_requires_grad_and_num_parameters():
    net = Sequential(Linear(3, 4), Linear(4, 2))
    assert net.num_parameters() == 3 * 4 + 4 + 4 * 2 + 2
    net[0].requires_grad_(False)
    assert net.num_parameters(trainable_only=True) == 4 * 2 + 2


def test_calling_a_module_labels_its_parameters_with_their_names():
    net = Sequential(Linear(2, 2))
    net(np.ones((1, 2)))
    assert net[0].weight.label == "0.weight"


def _scopes_by_gate(root: Value) -> dict[str, set]:
    out: dict[str, set] = {}
    for node in autograd.graph.topological_order(root):
        if node.gate is not None:
            out.setdefault(node.gate.name, set()).add(node.scope)
    return out


def test_calls_record_the_module_path_as_name_scope():
    net = Net()
    out = net(np.ones((4, 3)))
    scopes = {n.scope for n in autograd.graph.topological_order(out) if n.gate is not None}
    assert {"features.0", "features.1", "features.2", "heads.0", "heads.1", "extra.0",
            "norm"} <= scopes
    assert out.scope is None                        # the root opens no scope
    relu = [n for n in autograd.graph.topological_order(out) if n.gate and n.gate.name == "relu"]
    assert {n.scope for n in relu} == {"features.1"}


def test_nested_scopes_for_a_cnn_and_a_grandchild_call():
    class Outer(Module):
        def __init__(self):
            super().__init__()
            self.body = Sequential(Conv2d(1, 2, 3), MaxPool2d(2), Flatten())

        def forward(self, x):
            return self.body[0](x)                   # skips a level: a grandchild

    conv = Sequential(Conv2d(1, 2, 3), MaxPool2d(2), Flatten())
    scopes = _scopes_by_gate(conv(np.ones((1, 1, 6, 6))))
    assert scopes["conv2d"] == {"0"} and scopes["max_pool2d"] == {"1"}
    assert scopes["reshape"] == {"2"}
    assert _scopes_by_gate(Outer()(np.ones((1, 1, 6, 6))))["conv2d"] == {"body.0"}


def test_scopes_nest_under_a_user_scope_and_the_stack_unwinds_on_error():
    net = Sequential(Linear(2, 2))
    with autograd.name_scope("model"):
        out = net(np.ones((1, 2)))
    assert {n.scope for n in autograd.graph.topological_order(out) if n.gate} == {"model.0"}
    with pytest.raises(ValueError):
        net(np.ones((1, 5)))
    out = net[0](np.ones((1, 2)))                   # called alone it is a root again
    assert {n.scope for n in autograd.graph.topological_order(out) if n.gate} == {None}


def test_forward_must_be_written():
    with pytest.raises(NotImplementedError, match="Module has no forward"):
        Module()(1)


class Neuron(Module):
    """micrograd's neuron, made of scalar parameters held in a list."""

    def __init__(self, nin: int) -> None:
        super().__init__()
        rng = np.random.default_rng(0)
        self.w = [Parameter(float(rng.uniform(-1, 1))) for _ in range(nin)]
        self.b = Parameter(0.0)

    def forward(self, xs):
        return sum((wi * xi for wi, xi in zip(self.w, xs, strict=True)), self.b).tanh()


def test_scalar_parameters_in_a_list_micrograd_style():
    neuron = Neuron(3)
    assert [n for n, _ in neuron.named_parameters()] == ["w.0", "w.1", "w.2", "b"]
    assert all(p.is_scalar for p in neuron.parameters())
    out = neuron([Value(1.0), Value(-2.0), Value(0.5)])
    out.backward()
    assert isinstance(neuron.w[1].grad, float) and neuron.w[1].grad != 0.0
    state = neuron.state_dict()
    assert state["w.0"].shape == ()
    other = Neuron(3)
    other.w[0].data = 9.0
    other.load_state_dict(state)
    assert other.w[0].is_scalar and other.w[0].data == neuron.w[0].data
    neuron.to(np.float32)                      # scalars stay Python floats
    assert neuron.b.is_scalar
    with pytest.raises(TypeError, match="scalar parameter"):
        Parameter(1.0, dtype=np.float32)


def test_every_public_name_of_the_submodules_is_exported_from_layers():
    import importlib

    import layers

    for name in ("init", "optim", "serialize", "data", "datasets", "preprocess", "knn",
                 "trainer"):
        submodule = importlib.import_module(f"layers.{name}")
        for public in submodule.__all__:
            assert getattr(layers, public) is getattr(submodule, public), public
            assert public in layers.__all__, public
    from layers import SGD, Conv2d, Sequential, load, save  # noqa: F401  (API.md's promise)


def test_forward_hooks_see_args_and_output_and_can_replace_it():
    from layers import LSTM, Linear, ReLU, Sequential

    net = Sequential(Linear(2, 3), ReLU())
    calls = []
    first = net[0].register_forward_hook(
        lambda m, args, out: calls.append((type(m).__name__, args[0].shape, out.shape)))
    net[1].register_forward_hook(lambda m, args, out: None)      # None keeps the output
    y = net(np.zeros((4, 2)))
    assert calls == [("Linear", (4, 2), (4, 3))] and y.shape == (4, 3)
    doubled = net[1].register_forward_hook(lambda m, args, out: out * 2)
    np.testing.assert_allclose(net(np.ones((1, 2))).numpy(),
                               2 * np.maximum(net[0](np.ones((1, 2))).numpy(), 0))
    assert len(calls) == 3            # net(...) and net[0](...) above
    doubled.remove(), doubled.remove(), first.remove()
    net(np.zeros((1, 2)))
    assert len(calls) == 3
    lstm, seen = LSTM(2, 3), []
    lstm.register_forward_hook(lambda m, args, kwargs, out: seen.append(sorted(kwargs)),
                               with_kwargs=True)
    lstm(np.zeros((1, 4, 2)), hx=(np.zeros((1, 1, 3)), np.zeros((1, 1, 3))))
    assert seen == [["hx"]]
