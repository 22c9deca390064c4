"""Finished graphs are really freed: flat memory over many training steps, and no reference
cycle keeps a graph alive (checked with the cyclic garbage collector switched off)."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import pytest

from autograd import (
    Value,
    conv2d,
    cross_entropy,
    dropout,
    log_softmax,
    max_pool2d,
    maximum,
    softmax,
    svm_loss,
)


@contextmanager
def gc_disabled() -> Iterator[None]:
    """Switch the cyclic garbage collector off for the block."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def fill_free_lists() -> None:
    """Fill CPython's free lists (tuples of each small size, lists, floats) before tracing.

    Freed small tuples go to a per-size free list (up to 2000 each) instead of back to the
    allocator, so with empty free lists tracemalloc sees ~50 bytes of "growth" per step until
    they fill up: an artefact, not a leak. Filling them first leaves only real growth.
    """
    junk = [tuple(range(i % 10)) + (object(),) for i in range(50_000)]
    junk += [[i] for i in range(1000)] + [i + 0.5 for i in range(1000)]
    del junk


def train_steps(steps: int, checkpoints: tuple[int, ...]) -> dict[int, int]:
    """SGD on a tiny tensor MLP; traced memory (bytes) after each checkpoint step."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 4))
    targets = rng.integers(0, 3, size=8)
    w1, b1 = Value(rng.standard_normal((4, 16)) * 0.5), Value(np.zeros(16))
    w2, b2 = Value(rng.standard_normal((16, 3)) * 0.5), Value(np.zeros(3))
    params = [w1, b1, w2, b2]
    memory = {}
    for step in range(1, steps + 1):
        hidden = (x @ w1 + b1).relu()
        loss = cross_entropy(hidden @ w2 + b2, targets) + 1e-4 * (w1 * w1).sum()
        for p in params:
            p.zero_grad()
        loss.backward()
        for p in params:
            p.data = p.data - 0.05 * p.grad
        del hidden, loss
        if step in checkpoints:
            memory[step] = tracemalloc.get_traced_memory()[0]
    return memory


def scalar_steps(steps: int, checkpoints: tuple[int, ...]) -> dict[int, int]:
    """SGD on one scalar neuron (micrograd style); traced memory after each checkpoint."""
    w = [Value(0.3), Value(-0.2), Value(0.1)]
    data = [((1.0, 2.0), 1.0), ((-1.0, 0.5), -1.0), ((0.5, -1.5), 1.0)]
    memory = {}
    for step in range(1, steps + 1):
        loss = Value(0.0)
        for (a, b), y in data:
            score = (w[0] * a + w[1] * b + w[2]).tanh()
            loss = loss + (1 - score * y).relu()
        for p in w:
            p.grad = 0.0
        loss.backward()
        for p in w:
            p.data -= 0.01 * p.grad
        del loss, score
        if step in checkpoints:
            memory[step] = tracemalloc.get_traced_memory()[0]
    return memory


@pytest.mark.parametrize("steps_fn", [train_steps, scalar_steps], ids=["tensor", "scalar"])
@pytest.mark.parametrize("collector", ["gc_enabled", "gc_disabled"])
def test_memory_stays_flat_over_1000_steps(steps_fn, collector):
    gc.collect()
    fill_free_lists()
    tracemalloc.start()
    try:
        if collector == "gc_disabled":
            with gc_disabled():
                memory = steps_fn(1000, (100, 1000))
        else:
            memory = steps_fn(1000, (100, 1000))
    finally:
        tracemalloc.stop()
    growth = memory[1000] - memory[100]
    assert growth < 16 * 1024, f"traced memory grew by {growth} bytes from step 100 to 1000"


def live_values() -> int:
    """How many Value objects exist, garbage in unreachable cycles included (with the
    collector off, the cyclic GC still lists every tracked object it has not collected)."""
    return sum(issubclass(type(o), Value) for o in gc.get_objects())


def _dead_after_drop(build: Callable[[], tuple[Value, Value]], do_backward: bool,
                     retain: bool = False) -> None:
    """Build a graph (and maybe backward through it), drop it, and assert that no Value
    of it survives with the cyclic collector off."""
    with gc_disabled():
        before = live_values()
        out, inner = build()
        assert live_values() > before
        if do_backward:
            (out if out.size == 1 else out.sum()).backward(retain_graph=retain)
        del out, inner
        assert live_values() == before, "a reference cycle keeps the finished graph alive"


def _x(shape=(2, 3)):
    """A fresh positive tensor leaf."""
    return Value(np.linspace(0.5, 1.5, int(np.prod(shape))).reshape(shape))


def _img():
    """A fresh (2, 2, 4, 4) image batch leaf."""
    return Value(np.linspace(-1, 1, 2 * 2 * 4 * 4).reshape(2, 2, 4, 4))


BUILDERS = {
    "tensor_ops": lambda x: (x.exp() - x.log() + x.sigmoid()).relu().mean(axis=0),
    "maximum": lambda x: maximum(x, 1.0) * x,
    "reductions": lambda x: x.max(axis=1) + x.sum(axis=0, keepdims=True).T,
    "shape_ops": lambda x: x.reshape(3, 2).T[::-1, [0, 0, 1]],
    "matmul": lambda x: x @ x.T,
    "pow": lambda x: x ** Value(2.0) + x**0.5,
    "softmax": lambda x: softmax(x) * log_softmax(x, axis=0),
    "losses": lambda x: cross_entropy(x, np.array([0, 2])) + svm_loss(x, np.array([1, 1])),
    "dropout": lambda x: dropout(x * 1.0, 0.5),
    "conv_pool": lambda x: max_pool2d(
        conv2d(_img(), Value(np.ones((3, 2, 3, 3))), Value(np.zeros(3)), padding=1), 2
    ) * x.sum(),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
@pytest.mark.parametrize("mode", ["forward_only", "after_backward", "after_retain_graph"])
def test_no_reference_cycle_keeps_a_graph_alive(name, mode):
    def build():
        x = _x()
        inner = x * 1.0
        return BUILDERS[name](inner), inner

    _dead_after_drop(build, mode != "forward_only", retain=mode == "after_retain_graph")


@pytest.mark.parametrize("mode", ["forward_only", "after_backward", "after_retain_graph"])
def test_no_reference_cycle_in_scalar_graphs(mode):
    def build():
        a, b = Value(0.7), Value(-1.3)
        inner = a * b + a
        out = (maximum(inner, b) - (inner * inner + 1).log() / b).tanh() ** 2 + inner.relu()
        return out + a ** Value(1.5), inner

    _dead_after_drop(build, mode != "forward_only", retain=mode == "after_retain_graph")


def test_leaf_grads_survive_but_the_graph_does_not():
    with gc_disabled():
        w = Value(np.ones(3))
        before = live_values()
        hidden = (w * 2.0).tanh()
        loss = hidden.sum()
        loss.backward()
        del hidden, loss
        assert live_values() == before
        assert w.grad.shape == (3,) and w.grad.any()


def test_deep_chain_is_freed_without_recursion_error():
    with gc_disabled():
        before = live_values()
        x = Value(np.ones(2))
        y = x
        for _ in range(200_000):
            y = y * 1.0
        y.sum().backward()
        del x, y
        assert live_values() == before
