"""save/load as .safetensors (by suffix): exact round trips, files that cross to PyTorch
and back under the same names, and every damaged or foreign file refused like .npz ones."""

from __future__ import annotations

import json
import pickle
import struct
import sys

import numpy as np
import pytest

from layers import BatchNorm1d, CheckpointError, Linear, ReLU, Sequential, load, save
from layers.models import lenet_digits

safetensors_numpy = pytest.importorskip("safetensors.numpy")


def _net(seed: int) -> Sequential:
    rng = np.random.default_rng(seed)
    net = Sequential(Linear(3, 4), BatchNorm1d(4), ReLU(), Linear(4, 2))
    for p in net.parameters():
        p.data = rng.normal(size=p.shape)
    net[1].running_mean = rng.normal(size=4)
    net[1].num_batches_tracked = np.array(7)
    return net


def _same_state(a, b) -> None:
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    for name in sa:
        np.testing.assert_array_equal(sa[name], sb[name], err_msg=name)
        assert sa[name].dtype == sb[name].dtype, name


def test_round_trip_is_exact_with_buffers_and_float32(tmp_path):
    a, b = _net(0), _net(1)
    path = tmp_path / "net.safetensors"
    save(a, path)
    stored = safetensors_numpy.load_file(str(path))
    assert sorted(stored) == sorted(a.state_dict())
    assert stored["1.num_batches_tracked"].dtype == np.int64
    assert stored["1.num_batches_tracked"].shape == ()
    load(b, path)
    _same_state(a, b)
    c, d = lenet_digits().float(), lenet_digits().float()
    save(c, tmp_path / "digits.SafeTensors")             # the suffix in any case
    load(d, tmp_path / "digits.SafeTensors")
    _same_state(c, d)
    assert d.features[0].weight.dtype == np.float32


def test_files_cross_to_pytorch_and_back(tmp_path):
    torch = pytest.importorskip("torch")
    safetensors_torch = pytest.importorskip("safetensors.torch")
    ours = _net(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4),
                                 torch.nn.ReLU(), torch.nn.Linear(4, 2)).double()
    path = tmp_path / "to_torch.safetensors"
    save(ours, path)
    theirs.load_state_dict(safetensors_torch.load_file(str(path)))      # strict: same names
    ours.eval(), theirs.eval()
    x = np.random.default_rng(3).normal(size=(5, 3))
    expected = ours(x).numpy()
    np.testing.assert_allclose(theirs(torch.tensor(x)).detach().numpy(), expected, atol=1e-12)
    with torch.no_grad():                                   # change them in PyTorch ...
        for p in theirs.parameters():
            p.mul_(-0.5)
    back = tmp_path / "from_torch.safetensors"
    safetensors_torch.save_file(theirs.state_dict(), str(back))
    load(ours, back)                                        # ... and bring them back
    np.testing.assert_allclose(ours(x).numpy(), theirs(torch.tensor(x)).detach().numpy(),
                               atol=1e-12)
    assert int(ours[1].num_batches_tracked) == 7


def test_mismatched_file_lists_every_bad_key_and_loads_nothing(tmp_path):
    state = _net(0).state_dict()
    del state["0.bias"]
    state["3.weight"] = np.zeros((5, 4))
    state["extra.weight"] = np.zeros(2)
    path = tmp_path / "other.safetensors"
    safetensors_numpy.save_file(state, str(path))
    target = _net(1)
    before = target.state_dict()
    with pytest.raises(CheckpointError) as info:
        load(target, path)
    err = info.value
    assert (err.missing_keys, err.unexpected_keys, err.mismatched_keys) == (
        ["0.bias"], ["extra.weight"], ["3.weight"])
    assert "(5, 4)" in str(err) and "other.safetensors" in str(err)
    _same_state(target, _restored(before))


def _restored(state):
    net = _net(5)
    net.load_state_dict(state)
    return net


def _header_file(path, header: dict, payload: bytes = b"") -> None:
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + payload)


def test_damaged_and_foreign_files_are_refused(tmp_path):
    good = tmp_path / "good.safetensors"
    save(_net(0), good)
    raw = good.read_bytes()
    cases = {
        "truncated": (raw[: len(raw) - 9], "is not a readable .safetensors file"),
        "empty": (b"", "is not a readable .safetensors file"),
        "text": (b"hello, these are not weights", "is not a readable .safetensors file"),
        "pickled": (pickle.dumps({"0.weight": np.zeros((4, 3))}),
                    "holds pickled data, which is never loaded"),
        "npy": (b"\x93NUMPY\x01\x00", "is a .npy array"),
        "zip": (b"PK\x03\x04rest", "is a zip archive"),
    }
    for name, (data, message) in cases.items():
        path = tmp_path / f"{name}.safetensors"
        path.write_bytes(data)
        with pytest.raises(CheckpointError, match=message):
            load(_net(0), path)
    # a header whose offsets run past the end of the data
    overrun = tmp_path / "overrun.safetensors"
    _header_file(overrun, {"0.weight": {"dtype": "F64", "shape": [4, 3],
                                        "data_offsets": [0, 96]}}, b"\0" * 8)
    with pytest.raises(CheckpointError, match="overrun.safetensors' is not a readable"):
        load(_net(0), overrun)
    # a dtype NumPy cannot hold (bfloat16)
    bf16 = tmp_path / "bf16.safetensors"
    _header_file(bf16, {"w": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}},
                 b"\0" * 4)
    with pytest.raises(CheckpointError, match="holds a tensor of dtype BF16, which NumPy"):
        load(Linear(1, 1), bf16)
    with pytest.raises(FileNotFoundError, match="no checkpoint file at"):
        load(_net(0), tmp_path / "missing.safetensors")


def test_without_the_package_the_error_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    with pytest.raises(ImportError, match=r"save: a .safetensors file needs the 'safetensors' "
                                          r"package: pip install gradgate\[safetensors\]"):
        save(Linear(2, 1), tmp_path / "x.safetensors")
    assert not list(tmp_path.iterdir())


def test_a_resnet_file_loads_into_its_pytorch_twin(tmp_path):
    torch = pytest.importorskip("torch")
    safetensors_torch = pytest.importorskip("safetensors.torch")
    from layers import resnet_small, to_torch

    ours = resnet_small(width=4)
    x = np.random.default_rng(0).normal(size=(2, 3, 32, 32))
    ours(x)                                          # training: running statistics move
    path = tmp_path / "resnet.safetensors"
    save(ours, path)
    twin = to_torch(resnet_small(width=4))           # other weights, then the file's
    twin.load_state_dict(safetensors_torch.load_file(str(path)))
    ours.eval(), twin.eval()
    np.testing.assert_allclose(twin(torch.tensor(x)).detach().numpy(), ours(x).numpy(),
                               atol=1e-10)
    assert int(twin.stem[1].num_batches_tracked) == 1
