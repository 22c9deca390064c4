"""float32 models stay float32 end to end: every node's data and gradient, and the parameters
after optimiser steps (no silent float64 temporaries on the way)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import layers
from autograd.graph import topological_order

MODELS = {
    "vgg": lambda: layers.vgg_small(width=4, batch_norm=True, hidden=8),
    "resnet": lambda: layers.resnet_small(width=4, blocks=(1, 1)),
    "alexnet": lambda: layers.alexnet_small(width=4, hidden=8),
    "lstm": lambda: layers.LSTM(3, 4),
}


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_every_node_and_parameter_stays_float32(name: str, optimizer: str) -> None:
    net = MODELS[name]().to(np.float32)
    rng = np.random.default_rng(0)
    if name == "lstm":
        out, _ = net(rng.normal(size=(2, 5, 3)).astype(np.float32))
        loss = (out * out).mean()
    else:
        images = rng.normal(size=(4, 3, 32, 32)).astype(np.float32)
        loss = autograd.cross_entropy(net(images), np.array([1, 2, 3, 4]))
    nodes = topological_order(loss)
    loss.backward()
    wrong = [(n.gate.name if n.gate else "leaf", n.dtype, n.grad.dtype) for n in nodes
             if n.dtype != np.float32 or (n.requires_grad and n.grad.dtype != np.float32)]
    assert wrong == []
    params = list(net.parameters())
    opt = (layers.SGD(params, lr=0.1, momentum=0.9) if optimizer == "sgd"
           else layers.Adam(params, lr=0.01))
    opt.step()
    opt.step()
    assert {p.data.dtype for p in params} == {np.dtype(np.float32)}
    assert all(b.dtype in (np.float32, np.int64) for _, b in net.named_buffers())
