"""Float64 finite-difference gradient checks of every layer, parameters included."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, cat, gradcheck
from layers import (
    GRU,
    LSTM,
    MLP,
    RNN,
    BasicBlock,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    CrossEntropyLoss,
    Dropout,
    Flatten,
    GlobalAvgPool2d,
    GRUCell,
    Linear,
    LSTMCell,
    MaxPool2d,
    Module,
    MSELoss,
    MultiMarginLoss,
    ReLU,
    Residual,
    RNNCell,
    Sequential,
    Sigmoid,
    Softmax,
    SVMLoss,
    Tanh,
    l2_penalty,
)
from layers.recurrent import stack


def _owner(module: Module, dotted: str) -> tuple[Module, str]:
    *path, attr = dotted.split(".")
    for part in path:
        module = getattr(module, part)
    return module, attr


def module_gradcheck(
    module: Module, *inputs: np.ndarray, output=lambda out: out, call=lambda m, *xs: m(*xs)
) -> bool:
    """gradcheck ``output(call(module, *inputs))`` with respect to the inputs and every
    parameter of the module, and check that every parameter really received a gradient.

    gradcheck works on float64 copies of what it is given, so the call swaps the copies
    into the module in place of the parameters for the duration of each evaluation.
    """
    named = list(module.named_parameters())
    xs = [Value(np.asarray(x, np.float64)) for x in inputs]
    calls = []

    def fn(*values):
        params = values[len(xs):]
        calls.append(params)
        saved = []
        for (name, _), value in zip(named, params, strict=True):
            owner, attr = _owner(module, name)
            saved.append((owner, attr, getattr(owner, attr)))
            setattr(owner, attr, value)
        try:
            return output(call(module, *values[: len(xs)]))
        finally:
            for owner, attr, original in saved:
                setattr(owner, attr, original)

    assert gradcheck(fn, xs + [p for _, p in named])
    # the copies gradcheck made really were used: each received a gradient
    for (name, _), copy in zip(named, calls[0], strict=True):
        assert np.abs(copy.grad).sum() > 0, f"{name} got no gradient"
    return True


def rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def test_linear():
    assert module_gradcheck(Linear(3, 2), rand(4, 3))
    assert module_gradcheck(Linear(3, 2, bias=False), rand(2, 5, 3))


def test_conv2d_with_stride_and_padding():
    assert module_gradcheck(Conv2d(2, 3, 3, stride=2, padding=1), rand(2, 2, 5, 5))
    assert module_gradcheck(Conv2d(1, 2, (2, 3), bias=False), rand(1, 1, 4, 4))


def test_pooling_flatten_and_activations():
    x = rand(2, 2, 4, 4)
    assert module_gradcheck(MaxPool2d(2), x)
    assert module_gradcheck(MaxPool2d(3, stride=1), x)
    assert module_gradcheck(GlobalAvgPool2d(), x)
    assert module_gradcheck(Flatten(), x)
    for layer in (ReLU(), Sigmoid(), Tanh(), Softmax(dim=1)):
        assert module_gradcheck(layer, rand(3, 4))


def test_dropout_in_training_mode_with_a_fixed_mask():
    import autograd

    drop = Dropout(0.3)

    def seeded(x):
        autograd.manual_seed(0)
        return drop(x)

    x = Value(rand(5, 4))
    assert gradcheck(seeded, [x])
    assert gradcheck(Dropout(0.3).eval(), [x])


@pytest.mark.parametrize("affine", [True, False])
def test_batchnorm1d_training_and_eval(affine):
    bn = BatchNorm1d(3, affine=affine)
    assert module_gradcheck(bn, rand(5, 3))
    assert module_gradcheck(bn, rand(4, 3, 2))
    bn.eval()
    assert module_gradcheck(bn, rand(5, 3))


def test_batchnorm2d_training_and_eval():
    bn = BatchNorm2d(2)
    assert module_gradcheck(bn, rand(3, 2, 2, 2))
    bn.eval()
    assert module_gradcheck(bn, rand(3, 2, 2, 2))


def test_residual_blocks():
    assert module_gradcheck(BasicBlock(2, 2), rand(2, 2, 4, 4))
    assert module_gradcheck(BasicBlock(2, 3, stride=2), rand(2, 2, 4, 4))
    assert module_gradcheck(Residual(Sequential(Linear(3, 3), Tanh())), rand(4, 3))


def test_rnn_and_rnn_cell():
    x = rand(2, 3, 2)
    assert module_gradcheck(RNN(2, 3, num_layers=2), x, output=lambda out: out[0])
    assert module_gradcheck(RNN(2, 3), x, output=lambda out: out[1])
    assert module_gradcheck(RNN(2, 3, nonlinearity="relu"), x, output=lambda out: out[0])
    assert module_gradcheck(RNNCell(2, 3), rand(4, 2), rand(4, 3))


def test_lstm_outputs_and_final_states_with_initial_state():
    def combine(out):
        output, (h_n, c_n) = out
        return output.sum(axis=1) + h_n.sum(axis=0) + c_n[1]

    x, h0, c0 = rand(2, 3, 2, seed=1), rand(2, 2, 3, seed=2), rand(2, 2, 3, seed=3)
    assert module_gradcheck(
        LSTM(2, 3, num_layers=2), x, h0, c0,
        call=lambda m, x, h, c: m(x, (h, c)), output=combine,
    )


def test_lstm_cell_and_time_major_lstm():
    assert module_gradcheck(
        LSTMCell(2, 3), rand(4, 2), rand(4, 3, seed=1), rand(4, 3, seed=2),
        call=lambda m, x, h, c: m(x, (h, c)), output=lambda out: out[0] * out[1],
    )
    lstm = LSTM(2, 2, batch_first=False)
    assert module_gradcheck(lstm, rand(3, 2, 2), output=lambda out: out[0])


def test_losses_and_l2_penalty():
    targets = np.array([0, 2, 1, 2])
    scores = Value(rand(4, 3))
    for loss in (CrossEntropyLoss(), SVMLoss(delta=0.5), MultiMarginLoss(margin=2.0)):
        assert gradcheck(lambda s, loss=loss: loss(s, targets), [scores])
    assert gradcheck(lambda p, t: MSELoss()(p, t), [Value(rand(3, 2)), Value(rand(3, 2, seed=1))])
    assert gradcheck(lambda a, b: l2_penalty([a, b], 0.1), [Value(rand(2, 2)), Value(1.5)])


def test_mlp_end_to_end():
    assert module_gradcheck(MLP(2, [4, 4, 3], activation="tanh"), rand(5, 2),
                            output=lambda s: CrossEntropyLoss()(s, [0, 1, 2, 0, 1]))


@settings(max_examples=15, deadline=None)
@given(
    count=st.integers(1, 4),
    shape=st.lists(st.integers(1, 3), min_size=1, max_size=3),
    data=st.data(),
)
def test_stack_matches_numpy_and_routes_each_slice(count, shape, data):
    axis = data.draw(st.integers(0, len(shape)))
    arrays = [rand(*shape, seed=i) for i in range(count)]
    out = stack([Value(a) for a in arrays], axis=axis)
    np.testing.assert_array_equal(out.numpy(), np.stack(arrays, axis=axis))
    assert gradcheck(lambda *vs: stack(list(vs), axis=axis), [Value(a) for a in arrays])


@pytest.mark.parametrize("bias", [True, False])
def test_gru_stack_with_initial_state(bias):
    def combine(out):
        output, h_n = out
        return output.sum(axis=1) + h_n.sum(axis=0)

    gru = GRU(2, 3, num_layers=2, bias=bias)
    assert module_gradcheck(gru, rand(2, 3, 2), rand(2, 2, 3, seed=1),
                            call=lambda m, x, h: m(x, h), output=combine)
    assert module_gradcheck(GRU(2, 2, batch_first=False), rand(3, 2, 2), output=lambda o: o[0])


def test_gru_cell_with_and_without_state():
    assert module_gradcheck(GRUCell(2, 3), rand(4, 2), rand(4, 3, seed=1))
    cell = GRUCell(2, 3)              # without a state weight_hh gets no gradient: input only
    assert gradcheck(lambda x: cell(x).sum(), [Value(rand(4, 2))])


@pytest.mark.parametrize("kind", [RNN, LSTM, GRU])
def test_bidirectional_stacks(kind):
    def combine(out):
        output, state = out
        states = state if isinstance(state, tuple) else (state,)
        return cat([output.reshape(-1)] + [s.reshape(-1) for s in states])

    layer = kind(2, 2, num_layers=2, bidirectional=True)
    assert module_gradcheck(layer, rand(2, 3, 2), output=combine)


@settings(max_examples=10, deadline=None)
@given(n=st.integers(1, 3), t=st.integers(1, 4), i=st.integers(1, 3), h=st.integers(1, 3),
       kind=st.sampled_from([RNN, LSTM, GRU]))
def test_reverse_direction_reads_the_sequence_backwards(n, t, i, h, kind):
    both = kind(i, h, bidirectional=True)
    forward_only = kind(i, h)
    forward_only.load_state_dict({k.replace("_reverse", ""): v
                                  for k, v in both.state_dict().items() if "_reverse" in k})
    x = rand(n, t, i)
    out, _ = both(x)
    assert out.shape == (n, t, 2 * h)
    backwards, _ = forward_only(x[:, ::-1])
    np.testing.assert_allclose(out.numpy()[:, :, h:], backwards.numpy()[:, ::-1], atol=1e-14)
