"""Parameter initialisers, in place, shaped like PyTorch's ``torch.nn.init``.

Each function fills a ``Value`` (or ``Parameter``) or a plain NumPy array in place and returns
it. Random ones take an optional ``rng`` (``np.random.Generator``); without one they draw from
the engine's generator, which ``autograd.manual_seed`` reseeds for reproducible models.

>>> import numpy as np
>>> w = np.empty((64, 32))
>>> _ = kaiming_normal_(w, nonlinearity="relu", rng=np.random.default_rng(0))
>>> round(float(w.std()), 2)   # sqrt(2 / fan_in) = sqrt(2 / 32) = 0.25
0.25
"""

from __future__ import annotations

import math
from typing import Any, TypeVar

import numpy as np

from autograd.random import generator

__all__ = [
    "calculate_gain",
    "fan_in_and_fan_out",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "small_randn_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]

T = TypeVar("T")


def _rng(rng: np.random.Generator | None) -> np.random.Generator:
    """``rng``, or the engine's generator (``autograd.manual_seed`` reseeds it)."""
    if rng is None:
        return generator()
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"init: rng must be a numpy.random.Generator, got {type(rng).__name__}")
    return rng


def _raw(tensor: Any) -> Any:
    """The array or float a Value/Parameter holds, or the array itself."""
    if isinstance(tensor, np.ndarray):
        return tensor
    if hasattr(tensor, "data"):
        return tensor.data
    raise TypeError(
        f"init: expected a Value, Parameter or numpy array, got {type(tensor).__name__}"
    )


def _fill(tensor: T, values: np.ndarray | float, fn: str) -> T:
    """Write ``values`` into ``tensor`` keeping its shape and dtype."""
    raw = _raw(tensor)
    if isinstance(raw, np.ndarray):
        if not np.issubdtype(raw.dtype, np.floating):
            raise TypeError(f"{fn}: expected floating-point data, got dtype {raw.dtype}")
        if raw.flags.writeable:
            raw[...] = values
        else:
            tensor.data = np.asarray(values, dtype=raw.dtype).reshape(raw.shape).copy()
    else:
        tensor.data = float(np.asarray(values).reshape(()))
    return tensor


def _shape(tensor: Any) -> tuple[int, ...]:
    return tuple(np.shape(_raw(tensor)))


def fan_in_and_fan_out(tensor: Any) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight, computed like PyTorch.

    A 2-D weight is ``(out_features, in_features)``; a conv weight ``(F, C, KH, KW)`` has
    ``fan_in = C*KH*KW`` and ``fan_out = F*KH*KW``.

    >>> fan_in_and_fan_out(np.empty((16, 3, 5, 5)))
    (75, 400)
    """
    shape = _shape(tensor)
    if len(shape) < 2:
        raise ValueError(
            f"fan_in_and_fan_out: needs a weight with at least 2 dimensions, got shape {shape}"
        )
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """Recommended gain for a nonlinearity (PyTorch's values).

    >>> calculate_gain("relu") == math.sqrt(2)
    True
    """
    linear = {"linear", "identity", "sigmoid", "conv1d", "conv2d", "conv3d",
              "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"}
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, int | float):
            raise ValueError(f"calculate_gain: negative_slope {slope!r} is not a number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4.0
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _fan(tensor: Any, mode: str, fn: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{fn}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    if fan == 0:
        raise ValueError(f"{fn}: cannot initialise a weight with zero elements, "
                         f"shape {_shape(tensor)}")
    return fan


def _normal(tensor: T, mean: float, std: float, rng: Any, fn: str) -> T:
    if std < 0:
        raise ValueError(f"{fn}: std must be >= 0, got {std}")
    return _fill(tensor, _rng(rng).normal(mean, std, size=_shape(tensor)), fn)


def _uniform(tensor: T, low: float, high: float, rng: Any, fn: str) -> T:
    if high < low:
        raise ValueError(f"{fn}: lower bound {low} exceeds upper bound {high}")
    return _fill(tensor, _rng(rng).uniform(low, high, size=_shape(tensor)), fn)


def small_randn_(tensor: T, std: float = 0.01, rng: np.random.Generator | None = None) -> T:
    """The course's ``0.01 * randn`` initialisation.

    >>> w = small_randn_(np.empty((100, 100)), rng=np.random.default_rng(0))
    >>> round(float(w.std()), 3)
    0.01
    """
    return _normal(tensor, 0.0, std, rng, "small_randn_")


def normal_(tensor: T, mean: float = 0.0, std: float = 1.0,
            rng: np.random.Generator | None = None) -> T:
    """Fill with samples of N(mean, std²).

    >>> normal_(np.empty((2, 3)), std=0.0).tolist()
    [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    return _normal(tensor, mean, std, rng, "normal_")


def uniform_(tensor: T, a: float = 0.0, b: float = 1.0,
             rng: np.random.Generator | None = None) -> T:
    """Fill with samples of U(a, b).

    >>> w = uniform_(np.empty(1000), -1, 1, rng=np.random.default_rng(0))
    >>> bool(w.min() >= -1 and w.max() < 1)
    True
    """
    return _uniform(tensor, a, b, rng, "uniform_")


def zeros_(tensor: T) -> T:
    """Fill with zeros.

    >>> zeros_(np.ones(2)).tolist()
    [0.0, 0.0]
    """
    return _fill(tensor, 0.0, "zeros_")


def ones_(tensor: T) -> T:
    """Fill with ones.

    >>> ones_(np.zeros(2)).tolist()
    [1.0, 1.0]
    """
    return _fill(tensor, 1.0, "ones_")


def xavier_uniform_(tensor: T, gain: float = 1.0, rng: np.random.Generator | None = None) -> T:
    """Glorot uniform: U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))``.

    >>> w = xavier_uniform_(np.empty((20, 30)), rng=np.random.default_rng(0))
    >>> bool(abs(w).max() <= math.sqrt(6 / 50))
    True
    """
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return _uniform(tensor, -bound, bound, rng, "xavier_uniform_")


def xavier_normal_(tensor: T, gain: float = 1.0, rng: np.random.Generator | None = None) -> T:
    """Glorot normal: N(0, std²) with ``std = gain * sqrt(2 / (fan_in + fan_out))``.

    >>> w = xavier_normal_(np.empty((200, 300)), rng=np.random.default_rng(0))
    >>> round(float(w.std()), 3)   # sqrt(2 / 500)
    0.063
    """
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return _normal(tensor, 0.0, std, rng, "xavier_normal_")


def kaiming_uniform_(tensor: T, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu",
                     rng: np.random.Generator | None = None) -> T:
    """He uniform: U(-b, b) with ``b = gain * sqrt(3 / fan)``; ``a`` is leaky-ReLU's slope.

    >>> w = kaiming_uniform_(np.empty((10, 50)), nonlinearity="relu", rng=np.random.default_rng(0))
    >>> bool(abs(w).max() <= math.sqrt(2) * math.sqrt(3 / 50))
    True
    """
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode, "kaiming_uniform_"))
    bound = math.sqrt(3.0) * std
    return _uniform(tensor, -bound, bound, rng, "kaiming_uniform_")


def kaiming_normal_(tensor: T, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu",
                    rng: np.random.Generator | None = None) -> T:
    """He normal: N(0, std²) with ``std = gain / sqrt(fan)``; ``a`` is leaky-ReLU's slope.

    >>> w = kaiming_normal_(np.empty((400, 50)), nonlinearity="relu", rng=np.random.default_rng(0))
    >>> round(float(w.std()), 2)   # sqrt(2 / 50)
    0.2
    """
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode, "kaiming_normal_"))
    return _normal(tensor, 0.0, std, rng, "kaiming_normal_")
