"""Helpers shared by the engine and by the packages on top of it (``layers``, ``viz``,
``gradgate``), each in one place: atomic file writing, int-or-pair arguments, the dtype
rules and the state-dict mismatch check.

>>> from autograd.utils import pair
>>> pair("conv2d", "stride", 2, minimum=1)
(2, 2)
"""

from .atomic import atomic_path, write_atomic
from .dtypes import DEFAULT_DTYPE, FLOAT_DTYPES, common_float_dtype, float_dtype
from .pairs import pair
from .state import StateDictError, check_state

__all__ = [
    "DEFAULT_DTYPE",
    "FLOAT_DTYPES",
    "StateDictError",
    "atomic_path",
    "check_state",
    "common_float_dtype",
    "float_dtype",
    "pair",
    "write_atomic",
]
