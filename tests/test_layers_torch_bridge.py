"""to_torch / from_torch over every model builder and recurrent layer: the PyTorch twin
computes the same outputs and parameter gradients (train and eval mode), a randomly
initialised PyTorch model copied in gives equal outputs, and mismatches are refused."""

from __future__ import annotations

import sys
from collections import OrderedDict

import numpy as np
import pytest
from model_zoo import ZOO, flat_outputs, zoo_input, zoo_model

from autograd import Value, cat
from layers import (
    Dropout,
    Linear,
    Module,
    ReLU,
    Sequential,
    from_torch,
    lenet_digits,
    to_torch,
)

torch = pytest.importorskip("torch")
TOL = {"rtol": 1e-7, "atol": 1e-9}      # float64 on both sides (the issue asks for 1e-5)


def _joined(out, lib):
    parts = [t.reshape(-1) for t in flat_outputs(out)]
    return lib(parts, 0)


def _compare(model, twin, x):
    """Same input, same random projection of every output: outputs, input gradients,
    parameter gradients (by name) and buffers agree."""
    xv, xt = Value(x), torch.tensor(x, requires_grad=True)
    out, tout = _joined(model(xv), cat), _joined(twin(xt), torch.cat)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), **TOL)
    weights = np.random.default_rng(5).normal(size=out.shape)
    (out * weights).sum().backward()
    (tout * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(xv.grad, xt.grad.numpy(), **TOL)
    theirs = dict(twin.named_parameters())
    assert sorted(theirs) == sorted(name for name, _ in model.named_parameters())
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad, theirs[name].grad.numpy(), err_msg=name, **TOL)
    their_buffers = dict(twin.named_buffers())
    for name, buf in model.named_buffers():
        np.testing.assert_allclose(buf, their_buffers[name].numpy(), err_msg=name, **TOL)


@pytest.mark.parametrize("name", list(ZOO))
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_twin_matches_outputs_and_gradients(name, mode):
    model = zoo_model(name).train(mode == "train")
    for module in model.modules():                # dropout draws differ: compare without it
        if isinstance(module, Dropout):
            module.eval()
    twin = to_torch(model)
    assert twin.training == model.training
    assert list(twin.state_dict()) == list(model.state_dict())
    _compare(model, twin, zoo_input(name, batch=3))


@pytest.mark.parametrize("name", list(ZOO))
def test_from_torch_of_a_random_pytorch_twin_gives_equal_outputs(name):
    twin = to_torch(zoo_model(name)).eval()
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for tensor in list(twin.parameters()) + [b for n, b in twin.named_buffers()
                                                 if n.endswith(("running_mean", "running_var"))]:
            tensor.copy_(torch.rand(tensor.shape, generator=generator, dtype=tensor.dtype)
                         * 0.6 + 0.2)
    model = from_torch(zoo_model(name, seed=3), twin).eval()
    x = zoo_input(name, batch=4)
    for ours, theirs in zip(flat_outputs(model(x)), flat_outputs(twin(torch.tensor(x))),
                            strict=True):
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), **TOL)


def test_a_hand_written_pytorch_model_loads_by_its_natural_names():
    nn = torch.nn
    theirs = nn.Sequential(OrderedDict(
        features=nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                               nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)),
        classifier=nn.Sequential(nn.Flatten(), nn.Linear(64, 10)),
    ))
    theirs.float()
    ours = from_torch(lenet_digits(), theirs)
    assert ours.features[0].weight.dtype == np.float64          # the model keeps its dtype
    x = zoo_input("lenet_digits", batch=2, dtype=np.float32)
    np.testing.assert_allclose(ours(x.astype(np.float64)).numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), atol=1e-5)
    assert to_torch(lenet_digits().float()).features[0].weight.dtype == torch.float32


def test_from_torch_lists_every_mismatch_and_changes_nothing():
    ours = Sequential(Linear(3, 4), ReLU(), Linear(4, 2))
    before = ours.state_dict()
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(),
                                 torch.nn.Linear(5, 2, bias=False), torch.nn.Linear(2, 2))
    with pytest.raises(ValueError) as info:
        from_torch(ours, theirs)
    message = str(info.value)
    assert message.startswith("from_torch: the weights of the PyTorch Sequential do not fit "
                              "the Sequential:")
    for part in ("missing key(s): '2.bias'", "unexpected key(s): '3.weight', '3.bias'",
                 "size mismatch for '0.weight': the saved state has shape (5, 3), the model "
                 "has shape (4, 3)"):
        assert part in message
    for name, value in ours.state_dict().items():
        np.testing.assert_array_equal(value, before[name])
    with pytest.raises(TypeError, match="from_torch: expected a torch.nn.Module, got dict"):
        from_torch(ours, {"0.weight": np.zeros((4, 3))})


def test_modules_without_a_twin_are_named():
    class Doubler(Module):
        def forward(self, x):
            return x * 2

    class Shifted(Linear):                 # a known class with its own forward: no twin
        def forward(self, x):
            return super().forward(x) + 1

    with pytest.raises(TypeError, match=r"to_torch: no PyTorch equivalent for '1' \(Doubler\); "
                                        r"supported modules: .*BasicBlock"):
        to_torch(Sequential(Linear(2, 2), Doubler()))
    with pytest.raises(TypeError, match=r"for 'head.0' \(Shifted\)"):
        to_torch(Sequential(OrderedDict(head=Sequential(Shifted(2, 2)))))
    with pytest.raises(TypeError, match=r"for the model \(Doubler\)"):
        to_torch(Doubler())


def test_without_torch_the_error_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match=r"to_torch needs the 'torch' package: "
                                          r"pip install gradgate\[torch\]"):
        to_torch(Linear(2, 2))
