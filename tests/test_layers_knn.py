"""k-nearest neighbours: distances against brute force, batching, voting, digits accuracy and
cross-validation of k."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layers import knn as knn_module
from layers.datasets import load_digits
from layers.knn import KNearestNeighbor, cross_validate_k


def _brute(a: np.ndarray, b: np.ndarray, distance: str) -> np.ndarray:
    a, b = a.reshape(len(a), -1), b.reshape(len(b), -1)
    out = np.empty((len(a), len(b)))
    for i in range(len(a)):
        for j in range(len(b)):
            diff = a[i] - b[j]
            out[i, j] = np.abs(diff).sum() if distance == "l1" else np.sqrt((diff**2).sum())
    return out


@settings(max_examples=25, deadline=None)
@given(n_train=st.integers(1, 12), n_test=st.integers(1, 9), dims=st.integers(1, 5),
       batch_size=st.integers(1, 10), distance=st.sampled_from(["l1", "l2"]),
       seed=st.integers(0, 1000))
def test_distances_match_brute_force(n_train, n_test, dims, batch_size, distance, seed):
    rng = np.random.default_rng(seed)
    x_train = rng.normal(size=(n_train, dims, 2))
    x_test = rng.normal(size=(n_test, dims, 2))
    knn = KNearestNeighbor(distance=distance).fit(x_train, np.zeros(n_train, dtype=int))
    got = knn.distances(x_test, batch_size=batch_size)
    np.testing.assert_allclose(got, _brute(x_test, x_train, distance), rtol=1e-9, atol=1e-9)


def test_l1_chunking_bounds_the_temporary(monkeypatch):
    monkeypatch.setattr(knn_module, "_L1_CHUNK_BYTES", 8 * 7 * 3)   # 1 query row per chunk
    rng = np.random.default_rng(0)
    x_train, x_test = rng.normal(size=(7, 3)), rng.normal(size=(5, 3))
    knn = KNearestNeighbor(distance="l1").fit(x_train, np.arange(7))
    np.testing.assert_allclose(knn.distances(x_test), _brute(x_test, x_train, "l1"))


def test_l2_of_identical_points_is_exactly_zero():
    x = np.random.default_rng(1).normal(size=(6, 4)) * 1e3
    d = KNearestNeighbor().fit(x, np.arange(6)).distances(x)
    assert (d >= 0).all()
    assert np.diag(d).max() < 1e-4


def test_vote_majority_and_ties_to_smallest_label():
    x_train = np.array([[0.0], [1.0], [2.0], [10.0], [11.0]])
    y_train = np.array([5, 3, 3, 5, 5])
    knn = KNearestNeighbor(k=3).fit(x_train, y_train)
    assert knn.predict(np.array([[0.2]])).tolist() == [3]             # 5, 3, 3 -> 3
    assert knn.predict(np.array([[0.2]]), k=1).tolist() == [5]
    assert knn.predict(np.array([[0.2]]), k=2).tolist() == [3]        # tie 5/3 -> smaller
    assert knn.predict(np.array([[10.4]]), k=5).tolist() == [5]
    words = KNearestNeighbor(k=1).fit(x_train, np.array(["b", "a", "a", "c", "c"]))
    assert words.predict(np.array([[10.9], [1.2]])).tolist() == ["c", "a"]


def test_predict_is_independent_of_batch_size():
    rng = np.random.default_rng(2)
    x_train, y_train = rng.normal(size=(40, 5)), rng.integers(0, 3, size=40)
    x_test = rng.normal(size=(23, 5))
    for distance in ("l1", "l2"):
        knn = KNearestNeighbor(k=4, distance=distance).fit(x_train, y_train)
        full = knn.predict(x_test, batch_size=1000)
        np.testing.assert_array_equal(knn.predict(x_test, batch_size=3), full)
        nearest = knn.neighbours(x_test, 4)
        d = knn.distances(x_test)
        assert (np.diff(np.take_along_axis(d, nearest, axis=1), axis=1) >= 0).all()


def test_knn_l1_on_digits_beats_chance_by_far():
    pytest.importorskip("sklearn")
    x, y = load_digits()
    order = np.random.default_rng(0).permutation(len(x))
    train, test = order[:1000], order[1000:1300]
    knn = KNearestNeighbor(k=1, distance="l1").fit(x[train], y[train])
    acc = np.mean(knn.predict(x[test]) == y[test])
    assert acc > 0.9        # chance is 0.1; measured 0.983


def test_cross_validate_k_matches_manual_folds():
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.normal(0, 1.5, (30, 2)), rng.normal(2, 1.5, (30, 2))])
    y = np.repeat([0, 1], 30)
    ks = [1, 3, 7]
    result = cross_validate_k(x, y, ks, folds=4, distance="l1", seed=5)
    assert sorted(result) == ks and all(len(v) == 4 for v in result.values())
    parts = np.array_split(np.random.default_rng(5).permutation(60), 4)
    for i, val in enumerate(parts):
        train = np.concatenate(parts[:i] + parts[i + 1:])
        knn = KNearestNeighbor(distance="l1").fit(x[train], y[train])
        for k in ks:
            expected = np.mean(knn.predict(x[val], k=k) == y[val])
            assert result[k][i] == pytest.approx(expected)
    assert 0.5 < np.mean(result[7]) <= 1.0


def test_cross_validation_on_digits_picks_a_good_k():
    pytest.importorskip("sklearn")
    x, y = load_digits()
    subset = np.random.default_rng(1).permutation(len(x))[:500]
    result = cross_validate_k(x[subset], y[subset], ks=[1, 3, 5, 10], folds=5, seed=0)
    means = {k: np.mean(v) for k, v in result.items()}
    assert min(means.values()) > 0.85
    assert all(0.0 <= a <= 1.0 for v in result.values() for a in v)


def test_knn_errors():
    with pytest.raises(ValueError, match="distance must be 'l1' or 'l2', got 'cosine'"):
        KNearestNeighbor(distance="cosine")
    with pytest.raises(ValueError, match="k must be a positive int"):
        KNearestNeighbor(k=0)
    with pytest.raises(RuntimeError, match=r"KNearestNeighbor.predict: call fit"):
        KNearestNeighbor().predict(np.zeros((1, 2)))
    knn = KNearestNeighbor().fit(np.zeros((3, 2, 2)), np.arange(3))
    with pytest.raises(ValueError, match=r"fitted on samples of shape \(2, 2\), got data of "
                                         r"shape \(1, 3\)"):
        knn.predict(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="k=5 exceeds the 3 training samples"):
        knn.predict(np.zeros((1, 2, 2)), k=5)
    with pytest.raises(ValueError, match=r"y must have shape \(3,\)"):
        KNearestNeighbor().fit(np.zeros((3, 2)), np.arange(4))
    with pytest.raises(ValueError, match=r"folds must be an int in \[2, 4\]"):
        cross_validate_k(np.zeros((4, 2)), np.arange(4), ks=[1], folds=1)
