"""save/load as .npz without pickle: exact round trips, all-or-nothing loading, and errors that
list every bad key or say why a file is not a checkpoint."""

from __future__ import annotations

import io
import pickle
import warnings
import zipfile

import numpy as np
import pytest

from autograd import NonFiniteWarning
from layers import BatchNorm1d, CheckpointError, Linear, ReLU, Sequential, load, save
from layers.models import lenet_digits


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


def test_round_trip_is_exact_with_buffers(tmp_path):
    a, b = _net(0), _net(1)
    path = tmp_path / "net.npz"
    save(a, path)
    load(b, path)
    _same_state(a, b)
    x = np.random.default_rng(2).normal(size=(5, 3))
    a.eval(), b.eval()
    np.testing.assert_array_equal(a(x).data, b(x).data)
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == sorted(a.state_dict())


def test_round_trip_float32_cnn_and_exact_file_name(tmp_path):
    a, b = lenet_digits().float(), lenet_digits().float()
    path = tmp_path / "digits.weights"       # no .npz suffix: written under exactly this name
    save(a, path)
    assert path.exists() and not (tmp_path / "digits.weights.npz").exists()
    load(b, str(path))
    _same_state(a, b)
    assert b.features[0].weight.dtype == np.float32


def test_mismatched_file_lists_every_bad_key_and_loads_nothing(tmp_path):
    path = tmp_path / "other.npz"
    state = _net(0).state_dict()
    del state["0.bias"]
    del state["1.running_var"]
    state["3.weight"] = np.zeros((5, 4))
    state["extra.weight"] = np.zeros(2)
    np.savez(path, **state)
    target = _net(1)
    before = target.state_dict()
    with pytest.raises(CheckpointError) as info:
        load(target, path)
    err = info.value
    assert err.missing_keys == ["0.bias", "1.running_var"]
    assert err.unexpected_keys == ["extra.weight"]
    assert err.mismatched_keys == ["3.weight"]
    message = str(err)
    for key in ("'0.bias'", "'1.running_var'", "'extra.weight'", "'3.weight'", "(5, 4)",
                "(2, 4)", "other.npz"):
        assert key in message
    after = target.state_dict()
    for name in before:
        np.testing.assert_array_equal(before[name], after[name])


def test_pickled_file_is_refused(tmp_path):
    path = tmp_path / "evil.npz"
    with open(path, "wb") as f:
        pickle.dump({"0.weight": np.zeros((4, 3))}, f)
    with pytest.raises(CheckpointError, match="holds pickled data, which is never loaded"):
        load(_net(0), path)


def test_object_array_inside_npz_is_refused(tmp_path):
    path = tmp_path / "objects.npz"
    state = _net(0).state_dict()
    state["0.weight"] = np.array([{"a": 1}, None], dtype=object)
    np.savez(path, **state)          # numpy pickles the object array inside the archive
    with pytest.raises(CheckpointError, match=r"array '0.weight' holds pickled objects"):
        load(_net(0), path)


def test_non_npz_files_give_clear_errors(tmp_path):
    text = tmp_path / "notes.npz"
    text.write_text("hello, these are not weights")
    with pytest.raises(CheckpointError, match="is not a .npz archive"):
        load(_net(0), text)
    single = tmp_path / "single.npy"
    np.save(single, np.zeros(3))
    with pytest.raises(CheckpointError, match="is a single .npy array"):
        load(_net(0), single)
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    with pytest.raises(CheckpointError, match="is not a .npz archive"):
        load(_net(0), empty)
    with pytest.raises(FileNotFoundError, match="no checkpoint file at"):
        load(_net(0), tmp_path / "missing.npz")


def test_corrupt_archive_gives_clear_error(tmp_path):
    good = tmp_path / "good.npz"
    save(_net(0), good)
    raw = good.read_bytes()
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(CheckpointError, match="truncated.npz"):
        load(_net(0), truncated)
    # a zip whose member is not an .npy array
    bad_member = tmp_path / "bad_member.npz"
    with zipfile.ZipFile(bad_member, "w") as z:
        z.writestr("0.weight.npy", b"garbage bytes")
    with pytest.raises(CheckpointError, match=r"entry '0.weight' is not a NumPy array"):
        load(_net(0), bad_member)
    # a valid .npy header promising more data than the member holds (the rest intact: keys
    # and shapes, checked from the headers first, all match)
    short = tmp_path / "short.npz"
    with zipfile.ZipFile(short, "w") as z:
        for name, arr in _net(0).state_dict().items():
            data = _npy_bytes(np.asarray(arr))
            z.writestr(f"{name}.npy", data[:-40] if name == "0.weight" else data)
    with pytest.raises(CheckpointError, match=r"array '0.weight' is corrupt"):
        load(_net(0), short)


def _claimed(shape: tuple[int, ...]) -> bytes:
    """A .npy header claiming a float64 array of ``shape``, followed by 16 bytes of data."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": "<f8", "fortran_order": False, "shape": shape})
    return buffer.getvalue() + bytes(16)


@pytest.mark.parametrize("name", ["0.weight", "huge.extra"])
def test_header_claiming_a_huge_array_is_refused_before_reading(tmp_path, name):
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as z:
        for key, arr in _net(0).state_dict().items():
            if key != name:
                z.writestr(f"{key}.npy", _npy_bytes(np.asarray(arr)))
        z.writestr(f"{name}.npy", _claimed((10**7, 10**7)))  # 800 TB if it were read
    target = _net(1)
    before = target.state_dict()
    with pytest.raises(CheckpointError) as info:
        load(target, path)
    if name == "0.weight":
        assert info.value.mismatched_keys == [name]
        assert ("the saved state has shape (10000000, 10000000), the model has shape (4, 3)"
            in str(info.value))
    else:
        assert info.value.unexpected_keys == [name]
    for key, arr in target.state_dict().items():
        np.testing.assert_array_equal(arr, before[key])


def test_weights_holding_nan_or_inf_load_with_a_warning_naming_them(tmp_path):
    source = _net(0)
    source[0].weight.data[0, 0] = np.nan
    source[0].weight.data[1, :2] = np.inf
    source[3].bias.data[0] = -np.inf
    path = tmp_path / "bad_values.npz"
    save(source, path)
    target = _net(1)
    with pytest.warns(NonFiniteWarning) as caught:
        load(target, path)
    message = str(caught[0].message)
    assert len(caught) == 1, [str(w.message) for w in caught]
    for text in ("bad_values.npz", "'0.weight' (1 NaN, 2 inf of 12)", "'3.bias' (1 inf of 2)"):
        assert text in message, message
    assert "'0.bias'" not in message
    _same_state(source, target)  # loaded anyway, as PyTorch does


def test_finite_weights_load_silently(tmp_path):
    path = tmp_path / "fine.npz"
    save(_net(0), path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load(_net(1), path)


def _npy_bytes(arr: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, arr)
    return buffer.getvalue()


def test_save_rejects_non_modules(tmp_path):
    with pytest.raises(TypeError, match="save: expected a Module"):
        save({"w": np.zeros(2)}, tmp_path / "x.npz")


def test_failed_save_leaves_the_old_checkpoint_intact(tmp_path):
    from layers import Linear, save

    path = tmp_path / "model.npz"
    save(Linear(2, 1), path)
    before = path.read_bytes()

    class Broken(Linear):
        def state_dict(self):
            state = super().state_dict()
            state["weight"] = _Unsavable()
            return state

    class _Unsavable:
        def __array__(self, *args, **kwargs):
            raise RuntimeError("disk full")

    with pytest.raises(Exception):  # noqa: B017 - any failure while writing will do
        save(Broken(2, 1), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]


def test_file_and_state_dict_mismatches_are_reported_alike(tmp_path):
    from autograd.utils import StateDictError

    path = tmp_path / "wide.npz"
    save(Sequential(Linear(4, 5)), path)
    narrow = Sequential(Linear(4, 2))
    with pytest.raises(StateDictError) as from_file:
        load(narrow, path)
    with pytest.raises(StateDictError) as from_dict:
        narrow.load_state_dict(dict(np.load(path)))
    assert isinstance(from_file.value, CheckpointError)
    line = "size mismatch for '0.weight': the saved state has shape (5, 4), the model has " \
           "shape (2, 4)"
    assert line in str(from_file.value) and line in str(from_dict.value)
    assert from_file.value.mismatched_keys == from_dict.value.mismatched_keys == [
        "0.weight", "0.bias"]


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
def test_save_keeps_the_mode_writes_through_symlinks_and_names_the_users_path(
        tmp_path, suffix) -> None:
    import stat

    if suffix == ".safetensors":
        pytest.importorskip("safetensors")
    real = tmp_path / f"real{suffix}"
    save(Linear(2, 1), real)
    real.chmod(0o664)
    link = tmp_path / f"link{suffix}"
    link.symlink_to(real)
    save(Linear(2, 1), link)
    assert link.is_symlink() and stat.S_IMODE(real.stat().st_mode) == 0o664
    missing = tmp_path / "missing" / f"w{suffix}"
    with pytest.raises(OSError) as err:
        save(Linear(2, 1), missing)
    assert err.value.filename == str(missing)
