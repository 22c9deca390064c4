"""Data side of layers: DataLoader, split, Standardizer and the data sets (CIFAR-10 binary
reader on synthetic files in the exact format, digits, moons, spirals)."""

from __future__ import annotations

import builtins
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import layers
from layers.data import DataLoader, split
from layers.datasets import (
    CIFAR10_CLASSES,
    load_cifar10,
    load_digits,
    make_moons,
    make_spirals,
)
from layers.preprocess import Standardizer

# ---------------------------------------------------------------- DataLoader


def _collect(loader: DataLoader) -> tuple[np.ndarray, np.ndarray, list[int]]:
    xs, ys, sizes = [], [], []
    for xb, yb in loader:
        xs.append(xb)
        ys.append(yb)
        sizes.append(len(xb))
    return np.concatenate(xs), np.concatenate(ys), sizes


def test_loader_batches_in_order_with_short_last_batch():
    x = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    loader = DataLoader(x, y, batch_size=4)
    assert len(loader) == 3
    xs, ys, sizes = _collect(loader)
    assert sizes == [4, 4, 2]
    np.testing.assert_array_equal(xs, x)
    np.testing.assert_array_equal(ys, y)


def test_loader_drop_last_skips_incomplete_batch():
    loader = DataLoader(np.zeros((10, 3)), np.zeros(10), batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert [len(xb) for xb, _ in loader] == [4, 4]
    exact = DataLoader(np.zeros((8, 3)), np.zeros(8), batch_size=4, drop_last=True)
    assert len(exact) == 2


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 30), batch_size=st.integers(1, 12), shuffle=st.booleans(),
       drop_last=st.booleans(), seed=st.integers(0, 100))
def test_loader_covers_every_sample_once(n, batch_size, shuffle, drop_last, seed):
    x = np.arange(n * 2).reshape(n, 2)
    y = np.arange(n)
    loader = DataLoader(x, y, batch_size, shuffle=shuffle, seed=seed, drop_last=drop_last)
    batches = list(loader)
    assert len(batches) == len(loader)
    if not batches:
        assert drop_last and n < batch_size
        return
    xs, ys, sizes = _collect(loader)
    assert all(s == batch_size for s in sizes[:-1])
    # pairs stay aligned and no sample repeats
    np.testing.assert_array_equal(xs[:, 0] // 2, ys)
    assert len(set(ys.tolist())) == len(ys)
    expected = n - n % batch_size if drop_last else n
    assert len(ys) == expected


def test_loader_reshuffles_each_epoch_reproducibly_from_seed():
    x, y = np.arange(50), np.arange(50)
    a = DataLoader(x, y, 50, shuffle=True, seed=7)
    b = DataLoader(x, y, 50, shuffle=True, seed=7)
    a_epochs = [next(iter(a))[1] for _ in range(3)]
    b_epochs = [next(iter(b))[1] for _ in range(3)]
    for ea, eb in zip(a_epochs, b_epochs, strict=True):
        np.testing.assert_array_equal(ea, eb)
    assert not np.array_equal(a_epochs[0], a_epochs[1])
    assert not np.array_equal(a_epochs[0], np.arange(50))
    other = next(iter(DataLoader(x, y, 50, shuffle=True, seed=8)))[1]
    assert not np.array_equal(other, a_epochs[0])


def test_loader_rejects_bad_input():
    with pytest.raises(ValueError, match="x has 3 samples but y has 2"):
        DataLoader(np.zeros((3, 2)), np.zeros(2), batch_size=1)
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        DataLoader(np.zeros(3), np.zeros(3), batch_size=0)
    with pytest.raises(ValueError, match="leading sample axis"):
        DataLoader(np.float64(1.0), np.zeros(3), batch_size=1)


# ---------------------------------------------------------------- split


def test_split_sizes_disjoint_and_reproducible():
    x = np.arange(40).reshape(20, 2)
    y = np.arange(20)
    xtr, xte, ytr, yte = split(x, y, fraction=0.25, seed=3)
    assert (len(xtr), len(xte)) == (15, 5)
    np.testing.assert_array_equal(xtr[:, 0] // 2, ytr)
    np.testing.assert_array_equal(xte[:, 0] // 2, yte)
    assert sorted(np.concatenate([ytr, yte]).tolist()) == list(range(20))
    again = split(x, y, fraction=0.25, seed=3)
    np.testing.assert_array_equal(again[3], yte)
    assert not np.array_equal(split(x, y, fraction=0.25, seed=4)[3], yte)
    tail = split(x, y, fraction=0.25, shuffle=False)
    np.testing.assert_array_equal(tail[3], np.arange(15, 20))


def test_split_rejects_bad_fraction():
    with pytest.raises(ValueError, match=r"fraction must be in \(0, 1\)"):
        split(np.zeros(5), np.zeros(5), fraction=1.0)
    with pytest.raises(ValueError, match="leaves none to train on"):
        split(np.zeros(1), np.zeros(1), fraction=0.5)


# ---------------------------------------------------------------- Standardizer


def test_standardizer_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    train = rng.normal([1.0, -5.0, 10.0], [2.0, 0.5, 3.0], size=(200, 3))
    test = rng.normal(4.0, 1.0, size=(50, 3))
    s = Standardizer().fit(train)
    out_train = s.transform(train)
    np.testing.assert_allclose(out_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out_train.std(axis=0), 1.0, atol=1e-12)
    out_test = s.transform(test)
    np.testing.assert_allclose(out_test, (test - train.mean(0)) / train.std(0), rtol=1e-12)
    # the test set is *not* centred with its own mean
    assert np.abs(out_test.mean(axis=0)).min() > 0.5
    np.testing.assert_allclose(s.inverse_transform(out_test), test, rtol=1e-12)


def test_standardizer_center_only_keeps_scale():
    train = np.array([[0.0, 10.0], [4.0, 30.0]])
    s = Standardizer(center_only=True)
    np.testing.assert_array_equal(s.fit_transform(train), [[-2.0, -10.0], [2.0, 10.0]])
    np.testing.assert_array_equal(s.transform([[2.0, 0.0]]), [[0.0, -20.0]])


def test_standardizer_mean_image_and_per_channel():
    rng = np.random.default_rng(1)
    images = rng.uniform(0, 255, size=(30, 3, 4, 4)).astype(np.uint8)
    per_pixel = Standardizer(center_only=True).fit(images)
    assert per_pixel.mean_.shape == (3, 4, 4)
    np.testing.assert_allclose(per_pixel.mean_, images.mean(axis=0))
    per_channel = Standardizer(per_channel=True).fit(images)
    assert per_channel.mean_.shape == (3,)
    np.testing.assert_allclose(per_channel.mean_, images.mean(axis=(0, 2, 3)))
    out = per_channel.transform(images)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=(0, 2, 3)), 1.0, atol=1e-12)
    # per-channel statistics accept another image size
    assert per_channel.transform(images[:, :, :2, :3]).shape == (30, 3, 2, 3)
    assert Standardizer().fit_transform(images.astype(np.float32)).dtype == np.float32


def test_standardizer_constant_feature_gives_no_nan():
    x = np.array([[1.0, 5.0], [3.0, 5.0]])
    out = Standardizer().fit_transform(x)
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(out[:, 1], [0.0, 0.0])


def test_standardizer_errors():
    with pytest.raises(RuntimeError, match=r"Standardizer.transform: not fitted yet"):
        Standardizer().transform(np.zeros((2, 3)))
    s = Standardizer().fit(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"fitted on feature shape \(3,\), got data of shape "
                                         r"\(2, 4\)"):
        s.transform(np.zeros((2, 4)))
    c = Standardizer(per_channel=True).fit(np.zeros((2, 3, 4, 4)))
    with pytest.raises(ValueError, match=r"fitted on channels \(3,\)"):
        c.transform(np.zeros((2, 1, 4, 4)))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        Standardizer().fit(np.zeros(5))


# ---------------------------------------------------------------- CIFAR-10 binary files


def _write_cifar_file(path: str, labels: np.ndarray, images: np.ndarray) -> None:
    """The official layout: per record 1 label byte, then 1024 R, 1024 G, 1024 B bytes,
    each channel row-major 32x32."""
    with open(path, "wb") as f:
        for label, image in zip(labels, images, strict=True):
            f.write(bytes([int(label)]))
            for c in range(3):
                f.write(image[c].astype(np.uint8).tobytes(order="C"))


@pytest.fixture
def cifar_folder(tmp_path):
    rng = np.random.default_rng(0)
    truth = {}
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
    for i, name in enumerate(names):
        n = 2 + i % 2
        labels = rng.integers(0, 10, size=n)
        images = rng.integers(0, 256, size=(n, 3, 32, 32))
        _write_cifar_file(os.path.join(tmp_path, name), labels, images)
        truth[name] = (labels, images)
    return tmp_path, truth, names


def test_cifar10_reads_the_binary_format(cifar_folder):
    folder, truth, names = cifar_folder
    x_train, y_train, x_test, y_test = load_cifar10(folder)
    assert x_train.shape == (12, 3, 32, 32) and x_train.dtype == np.uint8
    assert y_train.dtype == np.int64 and y_train.shape == (12,)
    np.testing.assert_array_equal(x_train, np.concatenate([truth[n][1] for n in names[:5]]))
    np.testing.assert_array_equal(y_train, np.concatenate([truth[n][0] for n in names[:5]]))
    np.testing.assert_array_equal(x_test, truth["test_batch.bin"][1])
    np.testing.assert_array_equal(y_test, truth["test_batch.bin"][0])
    assert len(CIFAR10_CLASSES) == 10 and CIFAR10_CLASSES[3] == "cat"


def test_cifar10_pixel_layout_is_channel_then_row(tmp_path):
    image = np.zeros((3, 32, 32), dtype=np.uint8)
    image[1, 2, 5] = 200       # green, row 2, column 5 -> byte 1 + 1024 + 2*32 + 5
    raw = bytearray(3073)
    raw[0] = 7
    raw[1 + 1024 + 2 * 32 + 5] = 200
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
    for name in names:
        (tmp_path / name).write_bytes(bytes(raw))
    x_train, y_train, x_test, _ = load_cifar10(tmp_path)
    np.testing.assert_array_equal(x_test[0], image)
    assert y_train.tolist() == [7] * 5
    xf = load_cifar10(tmp_path, as_float=True)[0]
    assert xf.dtype == np.float32
    assert xf[0, 1, 2, 5] == pytest.approx(200 / 255) and xf.max() <= 1.0


def test_cifar10_accepts_the_extracted_parent_folder(cifar_folder, tmp_path_factory):
    folder, _, names = cifar_folder
    parent = tmp_path_factory.mktemp("parent")
    nested = parent / "cifar-10-batches-bin"
    nested.mkdir()
    for name in names:
        (nested / name).write_bytes((folder / name).read_bytes())
    assert load_cifar10(parent)[0].shape == (12, 3, 32, 32)


def test_cifar10_missing_file_is_named(cifar_folder):
    folder, _, _ = cifar_folder
    os.remove(folder / "data_batch_4.bin")
    with pytest.raises(FileNotFoundError, match=r"missing .*data_batch_4\.bin"):
        load_cifar10(folder)


def test_cifar10_truncated_or_wrong_file(cifar_folder):
    folder, _, _ = cifar_folder
    path = folder / "test_batch.bin"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError, match=r"test_batch\.bin.*not a whole number of 3073-byte"):
        load_cifar10(folder)
    record = bytearray(3073)
    record[0] = 42
    path.write_bytes(bytes(record))
    with pytest.raises(ValueError, match="record 0 has label 42, expected 0..9"):
        load_cifar10(folder)


# ---------------------------------------------------------------- digits, moons, spirals


def test_load_digits_shape_and_range():
    pytest.importorskip("sklearn")
    x, y = load_digits()
    assert x.shape == (1797, 1, 8, 8) and x.dtype == np.float64
    assert x.min() == 0.0 and x.max() == 1.0
    assert y.dtype == np.int64 and sorted(set(y.tolist())) == list(range(10))
    assert load_digits(dtype=np.float32)[0].dtype == np.float32


def test_load_digits_without_sklearn_says_how_to_install(monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "sklearn" or name.startswith("sklearn."):
            raise ImportError("No module named 'sklearn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match=r"pip install gradgate\[digits\]"):
        load_digits()


def test_make_moons_geometry():
    x, y = make_moons(200, noise=0.0, seed=0)
    assert x.shape == (200, 2) and y.shape == (200,) and y.sum() == 100
    upper, lower = x[y == 0], x[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert (upper[:, 1] >= 0).all() and (lower[:, 1] <= 0.5).all()
    noisy, labels = make_moons(200, noise=0.1, seed=0)
    np.testing.assert_array_equal(labels, y)      # same seed, same order
    assert 0.05 < np.abs(noisy - x).std() < 0.15
    np.testing.assert_array_equal(make_moons(200, 0.1, seed=0)[0], noisy)
    assert make_moons(7, 0.0, seed=0)[1].sum() == 4


def test_make_spirals_geometry():
    x, y = make_spirals(100, 3, noise=0.0, seed=0)
    assert x.shape == (300, 2)
    np.testing.assert_array_equal(y, np.repeat([0, 1, 2], 100))
    radius = np.hypot(x[:, 0], x[:, 1])
    np.testing.assert_allclose(radius[:100], np.linspace(0, 1, 100), atol=1e-12)
    # last point of arm j sits at angle 4(j+1): (sin, cos) of it
    np.testing.assert_allclose(x[199], [np.sin(8.0), np.cos(8.0)], atol=1e-12)
    assert not np.array_equal(make_spirals(100, 3, noise=0.2, seed=0)[0], x)
    with pytest.raises(ValueError, match="n_classes must be an int >= 1"):
        make_spirals(10, 0)


def test_make_cifar10_writes_the_binary_format(tmp_path) -> None:
    folder = layers.make_cifar10(tmp_path, n_train=12, n_test=3, seed=1)
    sizes = {p.name: p.stat().st_size for p in Path(folder).iterdir()}
    assert sizes == {**{f"data_batch_{i}.bin": (3 if i <= 2 else 2) * 3073 for i in range(1, 6)},
                     "test_batch.bin": 3 * 3073}
    x, y, xt, yt = layers.load_cifar10(tmp_path)
    again = layers.load_cifar10(layers.make_cifar10(tmp_path / "again", 12, 3, seed=1))
    for a, b in zip((x, y, xt, yt), again):
        np.testing.assert_array_equal(a, b)
    assert x.shape == (12, 3, 32, 32) and y.min() >= 0 and y.max() <= 9


def test_make_cifar10_classes_are_learnable(tmp_path) -> None:
    x, y, xt, yt = layers.load_cifar10(layers.make_cifar10(tmp_path, 2000, 200, seed=0),
                                       as_float=True)
    train, test = x.reshape(len(x), -1), xt.reshape(len(xt), -1)
    d = (test**2).sum(1)[:, None] - 2 * test @ train.T + (train**2).sum(1)[None]
    accuracy = (y[d.argmin(1)] == yt).mean()
    assert accuracy > 0.3  # chance is 0.1
