"""Receptive fields: formulas on known stacks, module duck typing, and the exact input region
checked against real gradients of an all-ones conv stack."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import viz
from autograd import Value, conv2d


def test_known_stack():
    rf = viz.receptive_fields([(3, 1, 1), (2, 2, 0), (3, 1, 1), (2, 2, 0)], input_size=8)
    assert [r.size for r in rf] == [(3, 3), (4, 4), (8, 8), (10, 10)]
    assert [r.jump for r in rf] == [(1, 1), (2, 2), (2, 2), (4, 4)]
    assert [r.out_size for r in rf] == [(8, 8), (4, 4), (4, 4), (2, 2)]
    assert [r.padding for r in rf] == [(1, 1), (1, 1), (3, 3), (3, 3)]
    assert rf[-1].start == (1.5, 1.5)


def test_per_axis_dilation_and_specs():
    rf = viz.receptive_fields([viz.LayerSpec.of((3, 1), stride=(2, 1)),
                               {"kernel": 3, "dilation": 2}], input_size=(13, 7))
    assert (rf[0].size, rf[0].jump, rf[0].out_size) == ((3, 1), (2, 1), (6, 7))
    # the dilated 3-kernel spans 5 units: 4 more jumps of (2, 1) input pixels
    assert (rf[1].size, rf[1].jump, rf[1].out_size) == ((11, 5), (2, 1), (2, 3))
    with pytest.raises(ValueError, match="does not fit"):
        viz.receptive_fields([(5, 1, 0)], input_size=3)
    with pytest.raises(TypeError, match="expected"):
        viz.receptive_fields(["conv"])
    with pytest.raises(ValueError, match="kernel, stride"):
        viz.receptive_fields([(0, 1, 0)])


def test_sequential_duck_typed_stops_at_flatten():
    layers = pytest.importorskip("layers")
    net = layers.lenet_digits()
    specs = viz.receptive_fields(net, 8)
    assert [r.name for r in specs] == ["features.0", "features.2", "features.3", "features.5"]
    assert specs[-1].size == (10, 10)
    table = viz.receptive_field_table(net, 8)
    assert "features.5" in table and "10×10" in table

    class Pool:  # any object with kernel_size / stride / padding will do
        kernel_size, stride, padding = 2, None, 0

    assert viz.receptive_fields([Pool()], 4)[0].jump == (2, 2)


def ones_stack(specs, x):
    """Apply an all-ones conv for every spec: d(unit)/d(input) counts the paths."""
    for k, s, p in specs:
        w = Value(np.ones((1, 1, k, k)), requires_grad=False)
        x = conv2d(x, w, stride=s, padding=p)
    return x


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 3), st.integers(1, 2), st.integers(0, 1)),
                min_size=1, max_size=3), st.integers(0, 10 ** 6))
def test_region_matches_real_gradients(specs, seed):
    specs = [(k, s, min(p, k - 1)) for k, s, p in specs]
    size = 9
    try:
        sizes = viz.receptive_fields(specs, size)
    except ValueError:
        return
    top = sizes[-1].out_size
    rng = np.random.default_rng(seed)
    unit = (int(rng.integers(top[0])), int(rng.integers(top[1])))
    x = Value(np.zeros((1, 1, size, size)))
    out = ones_stack(specs, x)
    out[0, 0, unit[0], unit[1]].backward()
    maps = viz.input_region(specs, size, unit)
    np.testing.assert_array_equal(maps[0], x.grad[0, 0])
    assert maps[-1][unit] == 1 and maps[-1].sum() == 1
    rows = np.nonzero(maps[0].sum(axis=1))[0]
    assert rows.max() - rows.min() + 1 <= sizes[-1].size[0]


def test_region_errors_and_picture():
    with pytest.raises(ValueError, match="outside"):
        viz.input_region([(3, 1, 1)], 5, unit=(7, 0))
    g = viz.draw_receptive_field([(3, 1, 1), (2, 2, 0)], 6, unit=(1, 1))
    src = g.source
    theme = viz.THEMES["light"]
    assert src.count(f'BGCOLOR="{theme.highlight}"') == 1  # the chosen unit
    assert "unit (1, 1)" in src and "field 4×4" in src
    assert src.count("level") >= 3
    big = viz.draw_receptive_field([(3, 1, 1)], 100, max_side=64).source
    assert "too large to draw cell by cell" in big


def test_dilated_conv_and_padded_pool_modules_are_read_with_their_dilation_and_padding() -> None:
    from layers import Conv2d, MaxPool2d, Sequential

    net = Sequential(Conv2d(1, 1, 3, padding=2, dilation=2), MaxPool2d(3, stride=2, padding=1))
    fields = viz.receptive_fields(net, 16)
    assert fields[0].size == (5, 5) and fields[0].out_size == (16, 16)
    assert fields[1].size == (7, 7) and fields[1].jump == (2, 2) and fields[1].out_size == (8, 8)


def test_pictures_show_dilation_and_pool_padding() -> None:
    import numpy as np

    from autograd import Value, conv2d, max_pool2d

    x = Value(np.ones((1, 1, 8, 8)), label="x")
    y = max_pool2d(conv2d(x, Value(np.ones((1, 1, 3, 3))), padding=2, dilation=2), 3, 2, 1)
    source = viz.draw(y).source
    assert "dilation" in source and "padding" in source


def test_pointwise_layers_pass_by_their_flag_not_their_class_name() -> None:
    from layers import BatchNorm2d, Conv2d, Dropout, Module, ReLU, Sequential, Tanh

    assert all(m.pointwise for m in (ReLU(), Tanh(), Dropout(), BatchNorm2d(2)))

    class Swish(Module):  # a user's own activation: pointwise because it says so
        pointwise = True

        def forward(self, x):
            return x * x.sigmoid()

    class Mixer(Module):  # not pointwise: the walk stops here
        def forward(self, x):
            return x

    net = Sequential(Conv2d(1, 2, 3), BatchNorm2d(2), Swish(), Dropout(), Conv2d(2, 2, 3),
                     Mixer(), Conv2d(2, 2, 3))
    assert [r.name for r in viz.receptive_fields(net, 9)] == ["0", "4"]
    assert viz.receptive_fields(net, 9)[-1].size == (5, 5)
