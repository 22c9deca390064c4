"""Run a model on the side — a drawn sample, a decision-boundary grid — without changing the
training it is part of: the engine's random generator and the model's buffers (batch-norm
running statistics) are put back afterwards, so the training stays bit for bit the same.

>>> import autograd
>>> from autograd.random import generator
>>> _ = autograd.manual_seed(0)
>>> with untouched(None):
...     _ = generator().random()
>>> after = generator().random(); _ = autograd.manual_seed(0)
>>> after == generator().random()
True
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np


def _buffers(model: Any) -> dict[str, np.ndarray]:
    named = getattr(model, "named_buffers", None)
    return {name: np.array(b, copy=True) for name, b in named()} if callable(named) else {}


@contextmanager
def untouched(model: Any, *, evaluate: bool = False) -> Iterator[None]:
    """Inside: anything may draw random numbers or update buffers; on leaving, the engine's
    generator and ``model``'s buffers are as they were.  With ``evaluate`` the model (a
    ``layers`` module) runs in eval mode, inside ``no_grad()``.

    >>> from autograd import Value
    >>> with untouched(None, evaluate=True):
    ...     (Value(1.0) * 2).requires_grad
    False
    """
    from autograd import no_grad
    from autograd.random import generator

    rng = generator()
    state = rng.bit_generator.state
    buffers = _buffers(model)
    modes = ([(m, m.training) for m in model.modules()]
             if evaluate and callable(getattr(model, "modules", None)) else [])
    try:
        if evaluate:
            for m, _ in modes:
                m.training = False
            with no_grad():
                yield
        else:
            yield
    finally:
        for m, mode in modes:
            m.training = mode
        rng.bit_generator.state = state
        if buffers:
            model.load_state_dict(buffers, strict=False)
