"""The layers really learn: hand-written training loops on small problems (seconds each).

(The trainer's own tests, layers.fit on moons and digits, live in test_layers_train.py.)
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import no_grad
from layers import (
    LSTM,
    MLP,
    RNN,
    SGD,
    Adam,
    CrossEntropyLoss,
    Linear,
    Module,
    MSELoss,
    SVMLoss,
    l2_penalty,
    lenet_digits,
    make_moons,
    resnet_small,
)


def accuracy_of(net: Module, x: np.ndarray, y: np.ndarray) -> float:
    net.eval()
    with no_grad():
        predictions = net(x).numpy().argmax(axis=1)
    net.train()
    return float((predictions == y).mean())


def train(net: Module, opt, loss_fn, x, y, steps: int, lam: float = 0.0) -> float:
    """Full-batch gradient steps; returns the last loss."""
    for _ in range(steps):
        loss = loss_fn(net(x), y)
        if lam:
            loss = loss + l2_penalty(net, lam)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return loss.item()


def test_mlp_separates_two_moons_with_softmax_loss():
    autograd.manual_seed(0)
    x, y = make_moons(200, noise=0.1, seed=0)
    net = MLP(2, [16, 16, 2])
    loss = train(net, Adam(net.parameters(), lr=0.02), CrossEntropyLoss(), x, y, 300, lam=1e-5)
    assert accuracy_of(net, x, y) >= 0.97
    assert loss < 0.1


def test_mlp_separates_two_moons_with_the_course_svm_loss_and_sgd():
    autograd.manual_seed(1)
    x, y = make_moons(200, noise=0.1, seed=1)
    net = MLP(2, [16, 16, 2])
    opt = SGD(net.parameters(), lr=0.1, momentum=0.9)
    train(net, opt, SVMLoss(delta=1.0), x, y, 300, lam=1e-4)
    assert accuracy_of(net, x, y) >= 0.97


class LastStateRegressor(Module):
    """A recurrent layer read out from its last layer's final hidden state."""

    def __init__(self, recurrent: Module, hidden: int) -> None:
        super().__init__()
        self.recurrent = recurrent
        self.head = Linear(hidden, 1)

    def forward(self, x):
        _, state = self.recurrent(x)
        h_n = state[0] if isinstance(state, tuple) else state
        return self.head(h_n[-1])


def fit_sequences(net: Module, target, steps: int, length: int, lr: float) -> tuple[float, float]:
    """Train on fresh random sequences each step; return (first losses' mean, test loss)."""
    rng = np.random.default_rng(0)
    opt = Adam(net.parameters(), lr=lr)
    loss_fn = MSELoss()
    losses = []
    for _ in range(steps):
        x = rng.uniform(-1.0, 1.0, size=(32, length, 1))
        loss = loss_fn(net(x), target(x))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    x = rng.uniform(-1.0, 1.0, size=(256, length, 1))
    with no_grad():
        return float(np.mean(losses[:10])), loss_fn(net(x), target(x)).item()


def test_lstm_remembers_the_first_input_of_a_sequence():
    autograd.manual_seed(0)
    net = LastStateRegressor(LSTM(1, 16), 16)
    start, test_loss = fit_sequences(net, lambda x: x[:, 0, :], steps=600, length=8, lr=0.01)
    # always answering 0 scores 1/3 (the variance of U(-1, 1)): recall must beat it by far
    assert start > 0.25
    assert test_loss < 0.01


def test_two_layer_lstm_and_rnn_learn_to_sum_a_short_sequence():
    autograd.manual_seed(0)
    net = LastStateRegressor(LSTM(1, 16, num_layers=2), 16)
    start, test_loss = fit_sequences(net, lambda x: x.sum(axis=1), steps=300, length=5, lr=0.01)
    assert start > 1.0                    # the sum of 5 U(-1, 1) has variance 5/3
    assert test_loss < 0.05
    autograd.manual_seed(0)
    net = LastStateRegressor(RNN(1, 16), 16)
    start, test_loss = fit_sequences(net, lambda x: x.sum(axis=1), steps=300, length=5, lr=0.01)
    assert test_loss < 0.05


def test_lenet_digits_learns_in_a_few_epochs():
    pytest.importorskip("sklearn")
    from layers import load_digits

    autograd.manual_seed(0)
    images, labels = load_digits()
    x, y = images[:1500], labels[:1500]
    net = lenet_digits()
    opt = Adam(net.parameters(), lr=0.01)
    loss_fn = CrossEntropyLoss()
    for epoch in range(4):
        order = np.random.default_rng(epoch).permutation(len(x))
        for start in range(0, len(x), 32):
            batch = order[start : start + 32]
            train(net, opt, loss_fn, x[batch], y[batch], 1)
    # held-out digits (the last 297, the hardest): 0.88-0.91 over seeds 0-4
    assert accuracy_of(net, images[1500:], labels[1500:]) >= 0.85


def test_small_resnet_with_batchnorm_fits_a_tiny_batch():
    autograd.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 3, 8, 8))
    y = np.arange(8) % 4
    net = resnet_small(num_classes=4, width=4, blocks=(1, 1))
    loss_fn = CrossEntropyLoss()
    with no_grad():
        first = loss_fn(net(x), y).item()
    last = train(net, Adam(net.parameters(), lr=0.05), loss_fn, x, y, 40)
    assert last < 0.1 * first
    assert np.any(net.stem[1].running_mean != 0.0)
    assert accuracy_of(net, x, y) == 1.0
