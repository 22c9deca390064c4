"""Layer shapes and errors, residual blocks, and the model builders' shapes and counts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from layers import (
    GRU,
    LSTM,
    MLP,
    RNN,
    BasicBlock,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    Dropout,
    Flatten,
    GRUCell,
    Linear,
    LSTMCell,
    MaxPool2d,
    Residual,
    ResNet,
    RNNCell,
    Softmax,
    alexnet_small,
    deep_mlp,
    lenet5,
    lenet_digits,
    resnet_small,
    vgg_small,
)
from layers.conv import Conv2d as ConvFromModule


def conv_count(c_in, c_out, k, bias=True):
    return c_out * c_in * k * k + (c_out if bias else 0)


def bn_count(c):
    return 2 * c


@settings(max_examples=20, deadline=None)
@given(
    n=st.integers(1, 3), c=st.integers(1, 3), f=st.integers(1, 3), size=st.integers(3, 7),
    k=st.integers(1, 3), stride=st.integers(1, 2), padding=st.integers(0, 1),
)
def test_conv2d_output_shape_formula(n, c, f, size, k, stride, padding):
    out = Conv2d(c, f, k, stride=stride, padding=padding)(np.zeros((n, c, size, size)))
    side = (size + 2 * padding - k) // stride + 1
    assert out.shape == (n, f, side, side)


@pytest.mark.parametrize(
    "layer, bad, message",
    [
        (Linear(3, 2), np.zeros((4, 5)), r"Linear\(3, 2\): expected input of shape \(\*, 3\), "
                                         r"got shape \(4, 5\)"),
        (Conv2d(3, 8, 3), np.zeros((2, 1, 8, 8)), r"Conv2d\(3, 8\): expected input of shape "
                                                  r"\(N, 3, H, W\), got shape \(2, 1, 8, 8\)"),
        (Conv2d(1, 8, 5), np.zeros((1, 1, 3, 3)), r"smaller than the kernel"),
        (Conv2d(1, 8, 3), np.zeros((1, 8, 8)), r"\(N, 1, H, W\)"),
        (MaxPool2d(2), np.zeros((4, 4)), r"MaxPool2d\(2\): expected input of shape \(N, C, H, W\)"),
        (BatchNorm1d(4), np.zeros((8, 3)), r"BatchNorm1d\(4\): expected input of shape "
                                           r"\(N, 4\) or \(N, 4, L\), got shape \(8, 3\)"),
        (BatchNorm2d(4), np.zeros((8, 4)), r"BatchNorm2d\(4\).*\(N, 4, H, W\)"),
        (BatchNorm1d(4), np.zeros((1, 4)), r"more than 1 value per channel"),
        (Flatten(start_dim=3), np.zeros((2, 3)), r"Flatten\(start_dim=3\)"),
        (Softmax(dim=2), np.zeros((2, 3)), r"Softmax\(dim=2\)"),
        (LSTM(3, 4), np.zeros((2, 5, 2)), r"LSTM\(input_size=3\): expected input of shape "
                                          r"\(N, T, 3\) or \(T, 3\) unbatched, got shape"),
        (RNN(3, 4, batch_first=False), np.zeros(3), r"RNN\(input_size=3\).*\(T, N, 3\)"),
        (LSTMCell(3, 4), np.zeros((2, 4)), r"LSTMCell\(input_size=3\).*\(N, 3\)"),
        (Residual(Linear(3, 2)), np.zeros((1, 3)), r"Residual: the body maps shape"),
    ],
)
def test_bad_input_shapes_name_the_layer_and_expected_shape(layer, bad, message):
    with pytest.raises(ValueError, match=message):
        layer(bad)


def test_bad_initial_states_are_named():
    with pytest.raises(ValueError, match=r"LSTM: expected h0 of shape \(2, 3, 4\), got shape"):
        LSTM(2, 4, num_layers=2)(np.zeros((3, 5, 2)), (np.zeros((1, 3, 4)), np.zeros((2, 3, 4))))
    with pytest.raises(ValueError, match=r"LSTM: hx must be a pair"):
        LSTM(2, 4)(np.zeros((3, 5, 2)), np.zeros((1, 3, 4)))
    with pytest.raises(ValueError, match=r"RNNCell: expected hx of shape \(3, 4\)"):
        RNNCell(2, 4)(np.zeros((3, 2)), np.zeros((2, 4)))


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="Dropout: p must be in"):
        Dropout(1.5)
    with pytest.raises(ValueError, match="nonlinearity must be 'tanh' or 'relu'"):
        RNN(2, 2, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="kernel_size must be an int or a pair"):
        Conv2d(1, 1, (1, 2, 3))
    with pytest.raises(ValueError, match="make_activation: expected one of"):
        MLP(2, [3, 1], activation="swish")


def test_recurrent_shapes_batched_time_major_and_unbatched():
    lstm = LSTM(3, 4, num_layers=2)
    out, (h, c) = lstm(np.zeros((5, 7, 3)))
    assert (out.shape, h.shape, c.shape) == ((5, 7, 4), (2, 5, 4), (2, 5, 4))
    out, (h, c) = LSTM(3, 4, batch_first=False)(np.zeros((7, 5, 3)))
    assert (out.shape, h.shape) == ((7, 5, 4), (1, 5, 4))
    out, h = RNN(3, 4, num_layers=3)(np.zeros((7, 3)))
    assert (out.shape, h.shape) == ((7, 4), (3, 4))
    h, c = LSTMCell(3, 4)(np.zeros(3))
    assert h.shape == c.shape == (4,)
    # the last output step is the last layer's final state
    out, (h, _) = lstm(np.random.default_rng(0).normal(size=(2, 4, 3)))
    np.testing.assert_array_equal(out.numpy()[:, -1], h.numpy()[-1])


def test_rnn_between_layer_dropout_only_in_training():
    rnn = RNN(2, 3, num_layers=2, dropout=0.5)
    x = np.random.default_rng(0).normal(size=(2, 4, 2))
    nodes = autograd.graph.topological_order(rnn(x)[0])
    assert any(n.gate is not None and n.gate.name == "dropout" for n in nodes)
    rnn.eval()
    nodes = autograd.graph.topological_order(rnn(x)[0])
    assert not any(n.gate is not None and n.gate.name == "dropout" for n in nodes)


def test_basic_block_identity_and_projection_shortcuts():
    same = BasicBlock(8, 8)
    assert same.shortcut is None
    assert same.num_parameters() == 2 * conv_count(8, 8, 3, bias=False) + 2 * bn_count(8)
    assert same(np.zeros((2, 8, 6, 6))).shape == (2, 8, 6, 6)
    down = BasicBlock(8, 16, stride=2)
    assert isinstance(down.shortcut[0], ConvFromModule) and down.shortcut[0].kernel_size == (1, 1)
    assert down.num_parameters() == (
        conv_count(8, 16, 3, bias=False) + conv_count(16, 16, 3, bias=False) + 2 * bn_count(16)
        + conv_count(8, 16, 1, bias=False) + bn_count(16)
    )
    assert down(np.zeros((2, 8, 6, 6))).shape == (2, 16, 3, 3)
    plain = BasicBlock(8, 16, stride=2, shortcut=False)
    assert plain.shortcut is None and plain(np.zeros((2, 8, 6, 6))).shape == (2, 16, 3, 3)


def test_identity_shortcut_adds_the_input():
    block = BasicBlock(2, 2).eval()
    for p in block.parameters():
        p.data[...] = 0.0                      # the residual branch now outputs 0
    x = np.abs(np.random.default_rng(0).normal(size=(1, 2, 4, 4)))
    np.testing.assert_allclose(block(x).numpy(), x)      # relu(0 + x) = x for x >= 0
    plain = BasicBlock(2, 2, shortcut=False).eval()
    for p in plain.parameters():
        p.data[...] = 0.0
    assert np.all(plain(x).numpy() == 0.0)


def test_gradient_reaches_the_input_through_the_shortcut_of_a_deep_net():
    rng = np.random.default_rng(0)
    x = autograd.Value(rng.normal(size=(4, 3)))
    grads = {}
    for shortcuts in (False, True):
        autograd.manual_seed(0)
        net = deep_mlp(3, 8, 30, 1, shortcuts=shortcuts, activation="sigmoid")
        x.zero_grad()
        net(x).sum().backward()
        grads[shortcuts] = np.abs(x.grad).mean()
    assert grads[True] > 100 * grads[False]       # the plain sigmoid net's gradient vanishes


def test_lenet_digits_shapes_and_count():
    net = lenet_digits()
    assert net(np.zeros((3, 1, 8, 8))).shape == (3, 10)
    assert net.num_parameters() == conv_count(1, 8, 3) + conv_count(8, 16, 3) + 64 * 10 + 10


def test_lenet5_shapes_and_count():
    net = lenet5()
    assert net(np.zeros((2, 3, 32, 32))).shape == (2, 10)
    assert net.num_parameters() == (
        conv_count(3, 6, 5) + conv_count(6, 16, 5) + 400 * 120 + 120 + 120 * 84 + 84 + 84 * 10 + 10
    )


def test_alexnet_small_shapes_count_and_dropout():
    net = alexnet_small(width=8, hidden=32)
    assert net(np.zeros((2, 3, 32, 32))).shape == (2, 10)
    w = 8
    convs = (conv_count(3, w, 5) + conv_count(w, 2 * w, 5) + conv_count(2 * w, 3 * w, 3)
             + conv_count(3 * w, 3 * w, 3) + conv_count(3 * w, 2 * w, 3))
    fcs = (8 * w) * 32 + 32 + 32 * 32 + 32 + 32 * 10 + 10
    assert net.num_parameters() == convs + fcs
    assert net.features[0].kernel_size == (5, 5) and net.features[0].padding == (0, 0)
    assert sum(isinstance(m, Dropout) for m in net.modules()) == 2


def test_vgg_small_doubles_channels_after_each_pool():
    net = vgg_small(width=4, stages=3, convs_per_stage=2, hidden=16)
    channels, pools = [], 0
    for m in net.features:
        if isinstance(m, Conv2d):
            assert m.kernel_size == (3, 3) and m.padding == (1, 1)
            channels.append((pools, m.out_channels))
        pools += isinstance(m, MaxPool2d)
    assert channels == [(0, 4), (0, 4), (1, 8), (1, 8), (2, 16), (2, 16)]
    assert net(np.zeros((2, 3, 32, 32))).shape == (2, 10)
    convs = (conv_count(3, 4, 3) + conv_count(4, 4, 3) + conv_count(4, 8, 3) + conv_count(8, 8, 3)
             + conv_count(8, 16, 3) + conv_count(16, 16, 3))
    assert net.num_parameters() == convs + 16 * 4 * 4 * 16 + 16 + 16 * 10 + 10
    bn = vgg_small(width=4, hidden=16, batch_norm=True)
    assert sum(isinstance(m, BatchNorm2d) for m in bn.modules()) == 6
    assert bn(np.zeros((2, 3, 32, 32))).shape == (2, 10)


def test_resnet_small_shapes_counts_and_plain_version():
    net = resnet_small(width=4, blocks=(2, 1, 1))
    assert isinstance(net, ResNet)
    assert net(np.zeros((2, 3, 32, 32))).shape == (2, 10)
    blocks = [m for m in net.modules() if isinstance(m, BasicBlock)]
    assert len(blocks) == 4
    assert [b.shortcut is None for b in blocks] == [True, True, False, False]
    expected = (
        conv_count(3, 4, 3, bias=False) + bn_count(4)
        + 2 * (2 * conv_count(4, 4, 3, bias=False) + 2 * bn_count(4))
        + conv_count(4, 8, 3, bias=False) + conv_count(8, 8, 3, bias=False) + 2 * bn_count(8)
        + conv_count(4, 8, 1, bias=False) + bn_count(8)
        + conv_count(8, 16, 3, bias=False) + conv_count(16, 16, 3, bias=False) + 2 * bn_count(16)
        + conv_count(8, 16, 1, bias=False) + bn_count(16)
        + 16 * 10 + 10
    )
    assert net.num_parameters() == expected
    plain = resnet_small(width=4, blocks=(2, 1, 1), shortcuts=False)
    plain_blocks = [m for m in plain.modules() if isinstance(m, BasicBlock)]
    assert len(plain_blocks) == 4 and not any(b.use_shortcut for b in plain_blocks)
    assert plain.num_parameters() == expected - (
        conv_count(4, 8, 1, bias=False) + bn_count(8) + conv_count(8, 16, 1, bias=False)
        + bn_count(16)
    )
    assert plain(np.zeros((2, 3, 32, 32))).shape == (2, 10)


def test_mlp_and_deep_mlp_builders():
    net = MLP(2, [16, 16, 1])
    assert net.num_parameters() == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1
    assert net(np.zeros((5, 2))).shape == (5, 1)
    net = MLP(4, [8, 3], activation="tanh", dropout=0.2, batch_norm=True)
    assert [type(m).__name__ for m in net] == ["Linear", "BatchNorm1d", "Tanh", "Dropout", "Linear"]
    deep = deep_mlp(2, 8, depth=5, out_features=3, shortcuts=True)
    assert sum(isinstance(m, Residual) for m in deep) == 5
    assert deep(np.zeros((4, 2))).shape == (4, 3)


@pytest.mark.parametrize(
    "build, shape",
    [
        (lambda: lenet_digits(), (2, 1, 8, 8)),
        (lambda: resnet_small(width=4, blocks=(1, 1)), (2, 3, 16, 16)),
        (lambda: MLP(2, [4, 2], batch_norm=True, dropout=0.1), (3, 2)),
        (lambda: LSTM(3, 4, num_layers=2), (2, 5, 3)),
    ],
)
def test_float32_models_stay_float32_forward_and_backward(build, shape):
    net = build().float()
    out = net(np.ones(shape, np.float32))
    out = out[0] if isinstance(out, tuple) else out
    assert out.dtype == np.float32
    out.sum().backward()
    assert {p.grad.dtype for p in net.parameters()} == {np.dtype(np.float32)}
    net.eval()
    out = net(np.ones(shape, np.float32))
    assert (out[0] if isinstance(out, tuple) else out).dtype == np.float32


def test_bidirectional_stacks_shapes_names_and_errors():
    gru = GRU(3, 4, num_layers=2, bidirectional=True)
    shapes = {name: p.shape for name, p in gru.named_parameters()}
    assert list(shapes)[:8] == [
        "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
        "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse",
        "bias_hh_l0_reverse",
    ]
    assert shapes["weight_ih_l1"] == shapes["weight_ih_l1_reverse"] == (12, 8)
    assert gru.num_directions == 2
    out, h_n = gru(np.zeros((7, 3)))                        # unbatched
    assert (out.shape, h_n.shape) == ((7, 8), (4, 4))
    out, (h, c) = LSTM(3, 4, bidirectional=True, batch_first=False)(np.zeros((7, 5, 3)))
    assert (out.shape, h.shape, c.shape) == ((7, 5, 8), (2, 5, 4), (2, 5, 4))
    with pytest.raises(ValueError, match=r"GRU: expected h0 of shape \(4, 5, 4\), got shape"):
        gru(np.zeros((5, 7, 3)), np.zeros((2, 5, 4)))
    assert "bidirectional=True" in repr(gru) and "num_layers=2" in repr(gru)
    assert "bidirectional" not in repr(GRU(3, 4))
    # the forward direction's last step and the reverse direction's first step are h_n
    x = np.random.default_rng(0).normal(size=(2, 5, 3))
    out, h_n = gru(x)
    np.testing.assert_array_equal(out.numpy()[:, -1, :4], h_n.numpy()[2])
    np.testing.assert_array_equal(out.numpy()[:, 0, 4:], h_n.numpy()[3])


def test_gru_cell_shapes_and_errors():
    cell = GRUCell(3, 4)
    assert cell(np.zeros(3)).shape == (4,)
    assert cell(np.zeros((2, 3)), np.zeros((2, 4))).shape == (2, 4)
    with pytest.raises(ValueError, match=r"GRUCell\(input_size=3\): expected input of shape"):
        cell(np.zeros((2, 5)))
    assert repr(cell) == "GRUCell(3, 4)"
    assert cell.num_parameters() == 3 * 4 * (3 + 4) + 2 * 3 * 4


def test_batchnorm_refuses_a_non_positive_eps() -> None:
    with pytest.raises(ValueError, match="BatchNorm2d: eps must be > 0, got -1"):
        BatchNorm2d(3, eps=-1)
