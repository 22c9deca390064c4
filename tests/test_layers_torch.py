"""PyTorch parity: the same weights (copied through state dicts) give the same outputs,
gradients and running statistics."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Value, cat
from layers import (
    GRU,
    LSTM,
    RNN,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    CrossEntropyLoss,
    GRUCell,
    Linear,
    LSTMCell,
    MaxPool2d,
    MultiMarginLoss,
    RNNCell,
)

torch = pytest.importorskip("torch")
torch.set_default_dtype(torch.float64)


def from_torch(ours, theirs) -> None:
    """Copy a torch module's weights and buffers into ours (names must agree exactly)."""
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def compare(ours, theirs, *arrays, pick=lambda out: out, atol=1e-10):
    """Run both on the same inputs, backprop the same random projection, compare outputs,
    input gradients and parameter gradients (by name)."""
    xs = [Value(a) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, tout = pick(ours(*xs)), pick(theirs(*ts))
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), atol=atol, rtol=1e-9)
    weights = np.random.default_rng(7).normal(size=out.shape)
    (out * weights).sum().backward()
    (tout * torch.tensor(weights)).sum().backward()
    for x, t in zip(xs, ts, strict=True):
        np.testing.assert_allclose(x.grad, t.grad.numpy(), atol=atol, rtol=1e-9)
    theirs_grads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(
            p.grad, theirs_grads[name].grad.numpy(), atol=atol, rtol=1e-9, err_msg=name
        )


def rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


class Called:
    """A module called through ``fn(module, *inputs)`` (for ``compare``)."""

    def __init__(self, module, fn):
        self.module, self.fn = module, fn

    def __call__(self, *xs):
        return self.fn(self.module, *xs)

    def named_parameters(self):
        return self.module.named_parameters()


def with_state(module, x, h, c):
    return module(x, (h, c))


def test_state_dict_keys_match_torch():
    pairs = [
        (Linear(3, 2), torch.nn.Linear(3, 2)),
        (Conv2d(3, 4, 3, bias=False), torch.nn.Conv2d(3, 4, 3, bias=False)),
        (BatchNorm2d(4), torch.nn.BatchNorm2d(4)),
        (LSTM(3, 5, num_layers=2), torch.nn.LSTM(3, 5, num_layers=2, batch_first=True)),
        (RNN(3, 5), torch.nn.RNN(3, 5, batch_first=True)),
        (LSTMCell(3, 5), torch.nn.LSTMCell(3, 5)),
    ]
    for ours, theirs in pairs:
        ours_shapes = {k: v.shape for k, v in ours.state_dict().items()}
        theirs_shapes = {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
        assert ours_shapes == theirs_shapes
        assert list(ours_shapes) == list(theirs_shapes)


def test_default_init_has_torch_bounds():
    fc = Linear(50, 40)
    bound = 1 / np.sqrt(50)
    assert np.abs(fc.weight.data).max() <= bound and np.abs(fc.weight.data).max() > 0.9 * bound
    assert np.abs(fc.bias.data).max() <= bound
    lstm = LSTM(3, 25)
    assert np.abs(lstm.weight_hh_l0.data).max() <= 1 / 5


def test_linear_parity():
    ours, theirs = Linear(4, 3), torch.nn.Linear(4, 3)
    from_torch(ours, theirs)
    compare(ours, theirs, rand(5, 4))


def test_conv2d_and_pool_parity():
    ours, theirs = Conv2d(2, 3, 3, stride=2, padding=1), torch.nn.Conv2d(2, 3, 3, 2, 1)
    from_torch(ours, theirs)
    compare(ours, theirs, rand(2, 2, 7, 7))
    compare(MaxPool2d(3, stride=2), torch.nn.MaxPool2d(3, 2), rand(2, 3, 7, 7))
    ours = Conv2d(2, 3, (3, 2), stride=(2, 1), padding=(1, 0))
    theirs = torch.nn.Conv2d(2, 3, (3, 2), stride=(2, 1), padding=(1, 0))
    from_torch(ours, theirs)
    compare(ours, theirs, rand(2, 2, 6, 5))
    compare(MaxPool2d((2, 3), stride=(2, 1)), torch.nn.MaxPool2d((2, 3), (2, 1)), rand(1, 2, 6, 5))


@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm2d_parity_training_then_eval(momentum):
    ours, theirs = BatchNorm2d(3, momentum=momentum), torch.nn.BatchNorm2d(3, momentum=momentum)
    with torch.no_grad():
        theirs.weight.uniform_(0.5, 1.5)
        theirs.bias.uniform_(-0.5, 0.5)
    from_torch(ours, theirs)
    for seed in range(3):                       # several batches move the running stats
        ours.zero_grad(), theirs.zero_grad()
        compare(ours, theirs, rand(4, 3, 3, 2, seed=seed) * 2 + 1)
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_allclose(getattr(ours, name), getattr(theirs, name).numpy(),
                                   rtol=1e-12, err_msg=name)
    ours.eval(), theirs.eval()
    ours.zero_grad(), theirs.zero_grad()
    compare(ours, theirs, rand(2, 3, 3, 2, seed=9))


def test_batchnorm1d_parity_2d_and_3d_input():
    ours, theirs = BatchNorm1d(4), torch.nn.BatchNorm1d(4)
    compare(ours, theirs, rand(6, 4))
    compare(ours, theirs, rand(3, 4, 5, seed=1))
    np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=1e-12)


@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("batch_first", [True, False])
def test_lstm_parity_outputs_states_and_grads(num_layers, batch_first):
    ours = LSTM(3, 4, num_layers=num_layers, batch_first=batch_first)
    theirs = torch.nn.LSTM(3, 4, num_layers=num_layers, batch_first=batch_first)
    from_torch(ours, theirs)
    x = rand(2, 5, 3) if batch_first else rand(5, 2, 3)
    h0, c0 = rand(num_layers, 2, 4, seed=1), rand(num_layers, 2, 4, seed=2)

    def flat(out):
        output, (h_n, c_n) = out
        return output.reshape(-1, 4).sum(0) + h_n.sum(0) * 2 + c_n.sum(0) * 3

    compare(Called(ours, with_state), Called(theirs, with_state), x, h0, c0, pick=flat)
    # without an initial state (zeros) the outputs agree too
    out, (h_n, c_n) = ours(x)
    tout, (th, tc) = theirs(torch.tensor(x))
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(c_n.numpy(), tc.detach().numpy(), atol=1e-12)


def test_lstm_unbatched_parity():
    ours, theirs = LSTM(3, 4), torch.nn.LSTM(3, 4, batch_first=True)
    from_torch(ours, theirs)
    out, (h_n, _) = ours(rand(6, 3))
    tout, (th, _) = theirs(torch.tensor(rand(6, 3)))
    assert out.shape == (6, 4) and h_n.shape == (1, 4)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(h_n.numpy(), th.detach().numpy(), atol=1e-12)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_parity(nonlinearity):
    ours = RNN(3, 4, num_layers=2, nonlinearity=nonlinearity)
    theirs = torch.nn.RNN(3, 4, num_layers=2, nonlinearity=nonlinearity, batch_first=True)
    from_torch(ours, theirs)
    compare(ours, theirs, rand(2, 5, 3), rand(2, 2, 4, seed=1), pick=lambda out: out[0])
    ours.zero_grad(), theirs.zero_grad()
    compare(ours, theirs, rand(2, 5, 3), pick=lambda out: out[1])


def test_cells_parity():
    ours, theirs = RNNCell(3, 4), torch.nn.RNNCell(3, 4)
    from_torch(ours, theirs)
    compare(ours, theirs, rand(2, 3), rand(2, 4, seed=1))
    ours, theirs = LSTMCell(3, 4), torch.nn.LSTMCell(3, 4)
    from_torch(ours, theirs)

    def product(module, x, h, c):
        h2, c2 = module(x, (h, c))
        return h2 * c2

    inputs = rand(2, 3), rand(2, 4, seed=1), rand(2, 4, seed=2)
    compare(Called(ours, product), Called(theirs, product), *inputs)


def test_losses_parity():
    scores, targets = rand(5, 4), np.array([0, 3, 1, 1, 2])
    ours = CrossEntropyLoss()(scores, targets).item()
    theirs = torch.nn.CrossEntropyLoss()(torch.tensor(scores), torch.tensor(targets)).item()
    assert ours == pytest.approx(theirs, rel=1e-12)
    ours = MultiMarginLoss(margin=0.7)(scores, targets).item()
    theirs = torch.nn.MultiMarginLoss(margin=0.7)(torch.tensor(scores), torch.tensor(targets))
    assert ours == pytest.approx(theirs.item(), rel=1e-12)


def test_weights_copy_back_to_torch():
    ours = LSTM(2, 3)
    theirs = torch.nn.LSTM(2, 3, batch_first=True)
    theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})
    x = rand(1, 4, 2)
    np.testing.assert_allclose(ours(x)[0].numpy(), theirs(torch.tensor(x))[0].detach().numpy(),
                               atol=1e-12)


RECURRENT_TWINS = {"RNN": (RNN, torch.nn.RNN), "LSTM": (LSTM, torch.nn.LSTM),
                   "GRU": (GRU, torch.nn.GRU)}


def _recurrent_twins(kind, **options):
    ours_cls, theirs_cls = RECURRENT_TWINS[kind]
    ours = ours_cls(3, 4, **options)
    theirs = theirs_cls(3, 4, **{"batch_first": True, **options})
    assert list(ours.state_dict()) == list(theirs.state_dict())
    from_torch(ours, theirs)
    return ours, theirs


def _all_outputs(out):
    """Output and every final state of an RNN/GRU ``(out, h)`` or LSTM ``(out, (h, c))``,
    joined into one tensor, so one backward reaches every piece."""
    output, state = out
    states = state if isinstance(state, tuple) else (state,)
    parts = [output.reshape(-1)] + [s.reshape(-1) for s in states]
    return (torch.cat if isinstance(output, torch.Tensor) else cat)(parts, 0)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("num_layers,bidirectional", [(1, True), (2, False), (3, True)])
@pytest.mark.parametrize("bias", [True, False])
def test_recurrent_stacks_and_directions_match_torch(kind, num_layers, bidirectional, bias):
    ours, theirs = _recurrent_twins(kind, num_layers=num_layers, bidirectional=bidirectional,
                                    bias=bias)
    compare(ours, theirs, rand(2, 5, 3), pick=_all_outputs)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_bidirectional_initial_state_time_major_and_unbatched(kind):
    ours, theirs = _recurrent_twins(kind, num_layers=2, bidirectional=True, batch_first=False)
    x, h0, c0 = rand(5, 2, 3), rand(4, 2, 4, seed=1), rand(4, 2, 4, seed=2)
    state = (h0, c0) if kind == "LSTM" else (h0,)

    def with_initial(module, x, *state):
        return module(x, tuple(state) if len(state) == 2 else state[0])

    compare(Called(ours, with_initial), Called(theirs, with_initial), x, *state,
            pick=_all_outputs)
    out, _ = ours(rand(6, 3))
    tout, _ = theirs(torch.tensor(rand(6, 3)))
    assert out.shape == (6, 8)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), atol=1e-12)


def test_gru_cell_matches_torch():
    ours, theirs = GRUCell(3, 4), torch.nn.GRUCell(3, 4)
    from_torch(ours, theirs)
    compare(ours, theirs, rand(2, 3), rand(2, 4, seed=1))
    ours.zero_grad(), theirs.zero_grad()
    compare(ours, theirs, rand(2, 3))
    ours, theirs = GRUCell(3, 4, bias=False), torch.nn.GRUCell(3, 4, bias=False)
    from_torch(ours, theirs)
    compare(ours, theirs, rand(2, 3), rand(2, 4, seed=1))
