"""Shared helpers for the engine tests: hypothesis strategies, value generators, grad checks.

Shapes come from hypothesis (so failures shrink to small shapes); the numbers inside come from
a NumPy generator seeded by a hypothesis-drawn seed, shaped so that finite differences never
straddle a kink (values of max/relu/maximum/hinge inputs keep a clear gap).

>>> gapped(np.random.default_rng(0), (2, 2)).shape
(2, 2)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import strategies as st

import autograd
from autograd import Value, maximum

seeds = st.integers(0, 2**32 - 1)


def shapes(min_dims: int = 0, max_dims: int = 3, max_side: int = 4) -> st.SearchStrategy:
    """Array shapes with sides 1..max_side (0-d included when min_dims == 0).

    >>> isinstance(shapes(), st.SearchStrategy)
    True
    """
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1,
                            max_side=max_side)


def broadcast_pairs(max_dims: int = 3, max_side: int = 3) -> st.SearchStrategy:
    """Pairs of shapes NumPy broadcasts together (size-1 dims, missing dims, 0-d included).

    >>> isinstance(broadcast_pairs(), st.SearchStrategy)
    True
    """
    return hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=0, max_dims=max_dims, min_side=1, max_side=max_side
    ).map(lambda b: b.input_shapes)


def uniform(rng: np.random.Generator, shape: tuple[int, ...], lo: float = -2.0,
            hi: float = 2.0) -> np.ndarray:
    """Uniform float64 values in [lo, hi).

    >>> uniform(np.random.default_rng(0), (3,)).dtype
    dtype('float64')
    """
    return np.asarray(rng.uniform(lo, hi, size=shape))


def away_from_zero(rng: np.random.Generator, shape: tuple[int, ...], lo: float = 0.3,
                   hi: float = 2.0) -> np.ndarray:
    """Values with |v| in [lo, hi) and a random sign: safe denominators and relu inputs.

    >>> bool((abs(away_from_zero(np.random.default_rng(0), (50,))) >= 0.3).all())
    True
    """
    return np.asarray(rng.choice([-1.0, 1.0], size=shape) * rng.uniform(lo, hi, size=shape))


def gapped(rng: np.random.Generator, shape: tuple[int, ...], gap: float = 0.1) -> np.ndarray:
    """Pairwise distinct values at least ``gap`` apart, in random order (no ties for max).

    >>> v = np.sort(gapped(np.random.default_rng(0), (5,)))
    >>> bool((np.diff(v) > 0.099).all())
    True
    """
    size = int(np.prod(shape, dtype=int))
    start = rng.uniform(-1.0, 1.0) - gap * size / 2
    return (start + gap * rng.permutation(size)).reshape(shape)


def lattice(rng: np.random.Generator, shape: tuple[int, ...], offset: float) -> np.ndarray:
    """Multiples of 0.25 shifted by ``offset``: two lattices with offsets 0 and 0.5 stay at
    least 0.125 apart element by element, so maximum(a, b) never ties under any broadcast.

    >>> lattice(np.random.default_rng(0), (2,), 0.5) % 0.25
    array([0.125, 0.125])
    """
    return np.asarray((rng.integers(-6, 7, size=shape) + offset) * 0.25)


def projected(fn: Callable[..., Value], seed: int = 1234) -> Callable[..., Value]:
    """Wrap ``fn`` so it returns a scalar: sum(fn(...) * W) with fixed random weights W.

    Every output element then reaches the gradient with a different weight, so a wrong
    gradient in any element (or a transposed one) shows up in a finite-difference check.

    >>> g = projected(lambda v: v * 2.0)
    >>> float(g(Value([1.0, 2.0])).data) != 0.0
    True
    """
    weights: dict[tuple[int, ...], Any] = {}

    def scalar_fn(*inputs: Value) -> Value:
        out = fn(*inputs)
        if out.is_scalar:
            return out * 0.7
        key = out.shape
        if key not in weights:
            rng = np.random.default_rng(seed)
            weights[key] = rng.uniform(0.5, 1.5, size=key) * rng.choice([-1.0, 1.0], size=key)
        return (out * weights[key]).sum()

    return scalar_fn


def check_grad(fn: Callable[..., Value], *data: Any, **tolerances: float) -> None:
    """Assert that ``autograd.gradcheck`` accepts ``fn`` (projected to a scalar) at ``data``.

    >>> check_grad(lambda a, b: a * b, np.ones(2), 3.0)
    """
    inputs = [Value(d) for d in data]
    assert autograd.gradcheck(projected(fn), inputs, **tolerances) is True


def course_circuit() -> tuple[Value, dict[str, Value]]:
    """The course's circuit f = 2 * (x*y + max(z, w)) at x=3, y=-4, z=2, w=-1, and its inputs.

    >>> f, v = course_circuit(); f.data
    -20.0
    """
    x, y, z, w = (Value(v, label=n) for v, n in [(3.0, "x"), (-4.0, "y"), (2.0, "z"),
                                                  (-1.0, "w")])
    f = 2 * (x * y + maximum(z, w))
    f.label = "f"
    return f, {"x": x, "y": y, "z": z, "w": w}
