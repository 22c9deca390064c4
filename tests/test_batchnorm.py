"""The fused batch-norm gate: gradients by finite differences, values and running statistics
against PyTorch, the layers built on it, and its errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import layers
from autograd import Value, batch_norm
from autograd.graph import topological_order

SHAPES = [(5, 3), (4, 2, 3), (3, 2, 4, 5), (2, 1, 1, 7)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [(True, True), (False, False), (True, False), (False, True)])
def test_gradcheck(shape, training, affine) -> None:
    rng = np.random.default_rng(len(shape))
    c = shape[1]
    x = Value(rng.normal(1.0, 2.0, size=shape))
    weight = Value(rng.uniform(0.5, 1.5, c)) if affine[0] else None
    bias = Value(rng.normal(size=c)) if affine[1] else None
    rm, rv = rng.normal(size=c), rng.uniform(0.5, 2.0, c)
    inputs = [v for v in (x, weight, bias) if v is not None]

    def fn(*args):
        rest = iter(args[1:])
        w = next(rest) if weight is not None else None
        b = next(rest) if bias is not None else None
        return batch_norm(args[0], rm.copy(), rv.copy(), w, b, training=training)

    assert autograd.gradcheck(fn, inputs)


@settings(max_examples=40, deadline=None)
@given(shape=st.sampled_from(SHAPES + [(7, 4, 3, 3), (2, 5, 1)]),
       dtype=st.sampled_from([np.float32, np.float64]), training=st.booleans(),
       momentum=st.sampled_from([0.1, 0.5, 1.0]), seed=st.integers(0, 2**31))
def test_matches_pytorch(shape, dtype, training, momentum, seed) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    c = shape[1]
    x = rng.normal(3.0, 2.0, size=shape).astype(dtype)
    w, b = rng.uniform(0.5, 1.5, c).astype(dtype), rng.normal(size=c).astype(dtype)
    up = rng.normal(size=shape).astype(dtype)
    rm, rv = rng.normal(size=c).astype(dtype), rng.uniform(0.5, 2, c).astype(dtype)

    ours = [Value(a) for a in (x, w, b)]
    our_rm, our_rv = rm.copy(), rv.copy()
    y = batch_norm(ours[0], our_rm, our_rv, ours[1], ours[2], training, momentum, 1e-5)
    y.backward(up)

    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    t_rm, t_rv = torch.tensor(rm), torch.tensor(rv)
    ty = torch.nn.functional.batch_norm(theirs[0], t_rm, t_rv, theirs[1], theirs[2], training,
                                        momentum, 1e-5)
    ty.backward(torch.tensor(up))
    tol = 1e-4 if dtype == np.float32 else 1e-10
    assert y.dtype == dtype and all(v.grad.dtype == dtype for v in ours)
    pairs = [(y.data, ty), (our_rm, t_rm), (our_rv, t_rv)]
    pairs += [(v.grad, t.grad) for v, t in zip(ours, theirs)]
    for got, want in pairs:
        want = want.detach().numpy()
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol * max(1, np.abs(want).max()))


def test_batchnorm_layer_records_one_gate() -> None:
    bn = layers.BatchNorm2d(3)
    x = Value(np.random.default_rng(0).normal(size=(4, 3, 2, 2)))
    y = bn(x)
    gates = [n.gate.name for n in topological_order(y) if n.gate is not None]
    assert gates == ["batch_norm"]
    assert y.gate.family == "local" and "eps" in y.gate.params()
    assert int(bn.num_batches_tracked) == 1


def test_cumulative_average_without_momentum() -> None:
    bn = layers.BatchNorm1d(2, momentum=None)
    rng = np.random.default_rng(1)
    batches = [rng.normal(size=(6, 2)) for _ in range(3)]
    for batch in batches:
        bn(batch)
    np.testing.assert_allclose(bn.running_mean, np.mean([b.mean(0) for b in batches], axis=0))
    np.testing.assert_allclose(bn.running_var,
                               np.mean([b.var(0, ddof=1) for b in batches], axis=0))


def test_first_layer_input_gradient_is_skipped() -> None:
    x = Value(np.random.default_rng(2).normal(size=(4, 3)), requires_grad=False)
    w = Value(np.ones(3))
    y = batch_norm(x, None, None, w, None, training=True)
    assert y.gate._needs_dx is False
    (y * y).sum().backward()
    assert np.isfinite(w.grad).all()


@pytest.mark.parametrize("call, message", [
    (lambda: batch_norm(Value(np.ones(3)), None, None, training=True),
     r"batch_norm: input must have shape \(N, C, \.\.\.\); got \(3,\)"),
    (lambda: batch_norm(Value(np.ones((1, 3))), None, None, training=True),
     r"batch_norm: training needs more than 1 value per channel; got input of shape \(1, 3\)"),
    (lambda: batch_norm(Value(np.ones((2, 3))), np.zeros(2), np.ones(3)),
     r"batch_norm: running_mean must have shape \(3,\) for input of shape \(2, 3\) \(3 "
     r"channels\); got \(2,\)"),
    (lambda: batch_norm(Value(np.ones((2, 3))), None, None, Value(np.ones(4)), training=True),
     r"batch_norm: weight must have shape \(3,\)"),
    (lambda: batch_norm(Value(np.ones((2, 3))), None, None),
     r"batch_norm: evaluation \(training=False\) needs running_mean and running_var"),
])
def test_bad_input(call, message) -> None:
    with pytest.raises(autograd.GradgateError, match=message):
        call()
