"""autograd.utils: the helpers every package shares (int-or-pair arguments, dtype rules,
the state-dict check); atomic writing has its own file."""

from __future__ import annotations

import numpy as np
import pytest

import layers
import viz
from autograd import GradgateError, conv2d, max_pool2d
from autograd.utils import StateDictError, check_state, common_float_dtype, float_dtype, pair


@pytest.mark.parametrize("value, minimum, want", [(3, 0, (3, 3)), ((1, 2), 1, (1, 2)),
                                                 ([0, 4], 0, (0, 4)),
                                                 (np.int64(2), 1, (2, 2))])
def test_pair_accepts_ints_and_pairs(value, minimum, want):
    got = pair("op", "stride", value, minimum)
    assert got == want and all(type(n) is int for n in got)


@pytest.mark.parametrize("value", [0, (1, 0), (1, 2, 3), 1.5, True, "2", None, (1.0, 2)])
def test_pair_refuses_everything_else_naming_op_and_argument(value):
    with pytest.raises(GradgateError, match=r"^conv2d: stride must be an int or a pair of ints "
                                            r">= 1; got "):
        pair("conv2d", "stride", value, minimum=1)


def test_every_package_reports_a_bad_pair_the_same_way():
    x = np.ones((1, 1, 4, 4))
    words = "kernel_size must be an int or a pair of ints >= 1; got 0"
    for call in (lambda: max_pool2d(x, 0), lambda: layers.MaxPool2d(0),
                 lambda: layers.Conv2d(1, 1, 0)):
        with pytest.raises(ValueError, match=words):
            call()
    with pytest.raises(ValueError, match="stride must be an int or a pair of ints >= 1"):
        conv2d(x, np.ones((1, 1, 2, 2)), stride=(1, -1))
    with pytest.raises(ValueError, match="viz.receptive_fields: input_size must be an int"):
        viz.receptive_fields([(3, 1, 1)], input_size=(4, 4, 4))


def test_dtype_rules():
    f32, f64 = np.dtype(np.float32), np.dtype(np.float64)
    assert float_dtype() == f64 and float_dtype(like=np.ones(1, np.float32)) == f32
    assert float_dtype(np.float32, like=np.ones(1)) == f32
    with pytest.raises(TypeError, match="float32 or float64, got dtype float16"):
        float_dtype(np.float16)
    assert common_float_dtype("op", np.ones(1, np.float32), None) == f32
    assert common_float_dtype("op", np.ones(1, np.float32), np.ones(1, np.int8)) == f64
    with pytest.raises(GradgateError, match="matmul: expected real numbers, got an array of "
                                            "dtype complex128"):
        common_float_dtype("matmul", np.ones(1, complex))


def test_check_state_strict_and_not():
    expected = {"w": (2, 3), "b": (2,)}
    assert check_state("M", expected, {"w": (2, 3), "b": (2,)}) == ([], [])
    assert check_state("M", expected, {"w": (2, 3), "x": ()}, strict=False) == (["b"], ["x"])
    with pytest.raises(StateDictError) as err:
        check_state("M", expected, {"w": (2, 3), "x": ()})
    assert err.value.missing_keys == ["b"] and err.value.unexpected_keys == ["x"]
    assert str(err.value) == ("Error(s) in loading state_dict for M:\n  missing key(s): 'b'\n"
                              "  unexpected key(s): 'x'")
    with pytest.raises(StateDictError, match="size mismatch for 'w'"):
        check_state("M", expected, {"w": (3, 2)}, strict=False)
