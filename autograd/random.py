"""The engine's random generator (dropout, initialisers), seedable like ``torch.manual_seed``.

>>> _ = manual_seed(0); a = generator().random()
>>> _ = manual_seed(0); a == generator().random()
True
"""

from __future__ import annotations

import numpy as np

_GENERATOR = [np.random.default_rng()]


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the engine's generator with an int >= 0; returns it.

    >>> manual_seed(-1)
    Traceback (most recent call last):
    ...
    ValueError: manual_seed: seed must be an int >= 0, got -1
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"manual_seed: seed must be an int >= 0, got {seed!r}")
    _GENERATOR[0] = np.random.default_rng(seed)
    return _GENERATOR[0]


def generator() -> np.random.Generator:
    """The engine's current ``np.random.Generator``."""
    return _GENERATOR[0]
