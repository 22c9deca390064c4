"""Parameters from birth to update: initialisers (statistics, bounds, fans, gains), SGD and
Adam against hand-computed values and PyTorch, and learning-rate schedules."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
from autograd import Value
from layers import init
from layers.linear import Linear
from layers.optim import SGD, Adam, CosineAnnealingLR, StepLR

# ---------------------------------------------------------------- initialisers


def test_small_randn_has_course_scale():
    w = init.small_randn_(np.empty((300, 300)), rng=np.random.default_rng(0))
    assert abs(w.mean()) < 1e-3
    assert w.std() == pytest.approx(0.01, rel=0.02)
    w2 = init.small_randn_(np.empty((300, 300)), std=0.5, rng=np.random.default_rng(0))
    np.testing.assert_allclose(w2, 50 * w)


def test_normal_and_uniform_statistics():
    rng = np.random.default_rng(1)
    w = init.normal_(np.empty(50_000), mean=3.0, std=2.0, rng=rng)
    assert w.mean() == pytest.approx(3.0, abs=0.05)
    assert w.std() == pytest.approx(2.0, rel=0.02)
    u = init.uniform_(np.empty(50_000), -2.0, 4.0, rng=rng)
    assert u.min() >= -2.0 and u.max() < 4.0
    assert u.min() < -1.99 and u.max() > 3.99
    assert u.std() == pytest.approx(6 / math.sqrt(12), rel=0.02)
    np.testing.assert_array_equal(init.zeros_(np.ones((2, 2))), 0.0)
    np.testing.assert_array_equal(init.ones_(np.zeros((2, 2))), 1.0)


@pytest.mark.parametrize(("shape", "fans"), [
    ((20, 30), (30, 20)),                 # Linear weight (out, in)
    ((16, 3, 5, 5), (75, 400)),           # Conv2d weight (F, C, KH, KW)
    ((8, 4, 3), (12, 24)),
])
def test_fans_like_pytorch(shape, fans):
    assert init.fan_in_and_fan_out(np.empty(shape)) == fans


def test_fans_need_two_dimensions():
    with pytest.raises(ValueError, match=r"at least 2 dimensions, got shape \(5,\)"):
        init.xavier_uniform_(np.empty(5))
    with pytest.raises(ValueError, match="kaiming_normal_: mode must be 'fan_in' or 'fan_out'"):
        init.kaiming_normal_(np.empty((3, 3)), mode="fan_avg")


def test_xavier_bounds_and_std():
    shape = (64, 32, 3, 3)
    fan_in, fan_out = 32 * 9, 64 * 9
    bound = math.sqrt(6 / (fan_in + fan_out))
    w = init.xavier_uniform_(np.empty(shape), rng=np.random.default_rng(2))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)
    g = init.xavier_normal_(np.empty(shape), gain=2.0, rng=np.random.default_rng(2))
    assert g.std() == pytest.approx(2.0 * math.sqrt(2 / (fan_in + fan_out)), rel=0.02)


@pytest.mark.parametrize(("nonlinearity", "a", "gain"), [
    ("relu", 0.0, math.sqrt(2)),
    ("leaky_relu", 0.2, math.sqrt(2 / 1.04)),
    ("tanh", 0.0, 5 / 3),
    ("linear", 0.0, 1.0),
])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_kaiming_std_and_bound(nonlinearity, a, gain, mode):
    shape = (128, 64, 3, 3)
    fan = 64 * 9 if mode == "fan_in" else 128 * 9
    std = gain / math.sqrt(fan)
    w = init.kaiming_normal_(np.empty(shape), a=a, mode=mode, nonlinearity=nonlinearity,
                             rng=np.random.default_rng(3))
    assert w.std() == pytest.approx(std, rel=0.02)
    u = init.kaiming_uniform_(np.empty(shape), a=a, mode=mode, nonlinearity=nonlinearity,
                              rng=np.random.default_rng(3))
    assert np.abs(u).max() <= math.sqrt(3) * std
    assert u.std() == pytest.approx(std, rel=0.02)


def test_gains_match_pytorch():
    torch = pytest.importorskip("torch")
    for name, param in [("relu", None), ("tanh", None), ("sigmoid", None), ("selu", None),
                        ("leaky_relu", None), ("leaky_relu", 0.3), ("conv2d", None)]:
        assert init.calculate_gain(name, param) == pytest.approx(
            torch.nn.init.calculate_gain(name, param), rel=1e-12)
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")


def test_init_fills_values_in_place_keeping_dtype():
    v = Value(np.zeros((4, 5), dtype=np.float32))
    before = v.data
    out = init.kaiming_uniform_(v, nonlinearity="relu", rng=np.random.default_rng(0))
    assert out is v and v.data is before and v.dtype == np.float32
    assert np.abs(v.data).max() > 0
    s = Value(0.0)
    init.normal_(s, mean=5.0, std=0.0)
    assert s.is_scalar and s.data == 5.0
    init.ones_(s)
    assert s.data == 1.0


def test_init_is_reproducible_from_rng_and_engine_seed():
    a = init.xavier_normal_(np.empty((5, 5)), rng=np.random.default_rng(9))
    b = init.xavier_normal_(np.empty((5, 5)), rng=np.random.default_rng(9))
    np.testing.assert_array_equal(a, b)
    autograd.manual_seed(4)
    c = init.normal_(np.empty(6))
    autograd.manual_seed(4)
    np.testing.assert_array_equal(init.normal_(np.empty(6)), c)


def test_init_bad_inputs():
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        init.normal_(np.empty(3), rng=42)
    with pytest.raises(TypeError, match="expected floating-point data, got dtype int64"):
        init.zeros_(np.ones(3, dtype=np.int64))
    with pytest.raises(TypeError, match="expected a Value, Parameter or numpy array"):
        init.zeros_([1.0, 2.0])


# ---------------------------------------------------------------- SGD by hand


def test_sgd_plain_scalar_and_tensor():
    w = Value(2.0)
    t = Value(np.array([1.0, -2.0]))
    opt = SGD([w, t], lr=0.1)
    loss = w * w + (t * t).sum()
    loss.backward()
    opt.step()
    assert w.data == pytest.approx(2.0 - 0.1 * 4.0, abs=1e-15)
    np.testing.assert_allclose(t.data, [1.0 - 0.2, -2.0 + 0.4], atol=1e-15)
    opt.zero_grad()
    assert w.grad == 0.0
    np.testing.assert_array_equal(t.grad, [0.0, 0.0])


def test_sgd_momentum_weight_decay_and_nesterov_by_hand():
    grads = [1.0, 2.0, -1.0]
    lr, mu, wd = 0.1, 0.9, 0.01
    for nesterov in (False, True):
        p = Value(1.0)
        opt = SGD([p], lr=lr, momentum=mu, weight_decay=wd, nesterov=nesterov)
        x, buf = 1.0, None
        for g in grads:
            d = g + wd * x
            buf = d if buf is None else mu * buf + d
            x -= lr * (d + mu * buf if nesterov else buf)
            p.grad = g
            opt.step()
            assert p.data == pytest.approx(x, abs=1e-15)
    # the classic two steps: 1 - 0.1 - 0.1 * 1.9
    p = Value(1.0)
    opt = SGD([p], lr=0.1, momentum=0.9)
    for _ in range(2):
        p.grad = 1.0
        opt.step()
    assert p.data == pytest.approx(0.71, abs=1e-15)


def test_adam_by_hand():
    p = Value(np.array([1.0, -1.0]))
    opt = Adam([p], lr=0.1, betas=(0.8, 0.9), eps=1e-8)
    g1 = np.array([3.0, -0.5])
    p.grad = g1
    opt.step()
    # first step: m = 0.2 g, v = 0.1 g², corrected m̂ = g, v̂ = g² -> moves lr * sign(g)
    first = np.array([1.0, -1.0]) - 0.1 * g1 / (np.abs(g1) + 1e-8)
    np.testing.assert_allclose(p.data, first, rtol=1e-14)
    np.testing.assert_allclose(p.data, [0.9, -0.9], rtol=1e-7)
    p.grad = np.array([1.0, 1.0])
    opt.step()
    m = 0.8 * 0.2 * np.array([3.0, -0.5]) + 0.2 * 1.0
    v = 0.9 * 0.1 * np.array([9.0, 0.25]) + 0.1 * 1.0
    step = 0.1 / (1 - 0.8**2) * m / (np.sqrt(v) / math.sqrt(1 - 0.9**2) + 1e-8)
    np.testing.assert_allclose(p.data, first - step, rtol=1e-13)


def test_optimizer_keeps_dtype_leaves_old_graph_data_and_skips_frozen():
    p = Value(np.ones(3, dtype=np.float32))
    frozen = Value(np.ones(3), requires_grad=False)
    old = p.data
    opt = Adam([p, frozen], lr=0.5)
    p.grad = np.ones(3, dtype=np.float32)
    frozen.grad = np.ones(3)
    opt.step()
    assert p.dtype == np.float32 and p.shape == (3,)
    np.testing.assert_allclose(p.data, 0.5, rtol=1e-6)
    np.testing.assert_array_equal(old, 1.0)     # a graph recorded before the step is intact
    np.testing.assert_array_equal(frozen.data, 1.0)


def test_param_groups_have_their_own_lr():
    a, b = Value(1.0), Value(1.0)
    opt = SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    a.grad = b.grad = 1.0
    opt.step()
    assert (a.data, b.data) == (pytest.approx(0.9), pytest.approx(0.0))


def test_optimizer_warns_on_non_finite_gradient():
    p = Value(np.ones(2))
    p.label = "fc.weight"
    p.grad = np.array([np.nan, 1.0])
    with pytest.warns(RuntimeWarning, match="parameter fc.weight has a non-finite gradient"):
        SGD([p], lr=0.1).step()


def test_optimizer_argument_errors():
    with pytest.raises(ValueError, match="SGD: got an empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Values"):
        SGD(Value(1.0), lr=0.1)
    with pytest.raises(TypeError, match=r"pass model.parameters\(\), not the Linear"):
        SGD(Linear(2, 2), lr=0.1)
    with pytest.raises(TypeError, match="parameters must be Values, got float"):
        SGD([1.0], lr=0.1)
    with pytest.raises(ValueError, match="lr must be >= 0"):
        SGD([Value(1.0)], lr=-1)
    with pytest.raises(ValueError, match="Nesterov momentum needs momentum > 0"):
        SGD([Value(1.0)], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match=r"betas must be two numbers in \[0, 1\)"):
        Adam([Value(1.0)], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="appears more than once"):
        v = Value(1.0)
        Adam([v, v])
    with pytest.raises(ValueError, match="unknown option"):
        SGD([{"params": [Value(1.0)], "betas": (0.9, 0.9)}], lr=0.1)


@pytest.mark.parametrize("make", [
    lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.5),
    lambda ps: Adam(ps, lr=0.1, weight_decay=0.5),
], ids=["sgd", "adam"])
def test_parameters_backward_never_reached_are_not_moved(make):
    used, unused_scalar, unused_tensor = Value(1.0), Value(2.0), Value(np.full(2, 3.0))
    opt = make([used, unused_scalar, unused_tensor])
    for step in range(2):
        opt.zero_grad()
        loss = used * used if step == 0 else used * used + unused_scalar * unused_tensor.sum()
        loss.backward()
        before = (used.data, unused_scalar.data)
        opt.step()
        assert used.data != before[0]
        if step == 0:  # neither decay nor a zero-gradient step may touch the unused ones
            assert unused_scalar.data == 2.0 and unused_tensor.data.tolist() == [3.0, 3.0]
    assert unused_scalar.data != 2.0  # reached in the second step: updated then


def test_momentum_does_not_move_a_parameter_the_last_backward_missed():
    a, b = Value(1.0), Value(1.0)
    opt = SGD([a, b], lr=0.1, momentum=0.9)
    (a * b).backward()
    opt.step()
    b_after_first = b.data
    opt.zero_grad()
    (a * 2.0).backward()
    opt.step()
    assert b.data == b_after_first  # its momentum buffer waits, as in PyTorch


def test_a_zero_gradient_still_counts_as_a_gradient():
    p = Value(np.ones(2))
    opt = SGD([p], lr=0.1, weight_decay=1.0)
    p.grad = 0.0
    opt.step()
    np.testing.assert_allclose(p.data, 0.9)


# ---------------------------------------------------------------- against PyTorch


def _run_both(torch, make_ours, make_theirs, steps=6, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4,), ()]
    init_data = [rng.normal(size=s) for s in shapes]
    ours = [Value(d.copy()) if d.ndim else Value(float(d)) for d in init_data]
    theirs = [torch.tensor(d, dtype=torch.float64, requires_grad=True) for d in init_data]
    opt, topt = make_ours(ours), make_theirs(theirs)
    for _ in range(steps):
        for p, tp, s in zip(ours, theirs, shapes, strict=True):
            g = rng.normal(size=s)
            p.grad = g if s else float(g)
            tp.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        topt.step()
        for p, tp in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("kwargs", [
    {"lr": 0.1},
    {"lr": 0.05, "momentum": 0.9},
    {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01},
    {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.1},
])
def test_sgd_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    _run_both(torch, lambda ps: SGD(ps, **kwargs), lambda ps: torch.optim.SGD(ps, **kwargs))


@pytest.mark.parametrize("kwargs", [
    {},
    {"lr": 0.01, "betas": (0.5, 0.99), "eps": 1e-6},
    {"lr": 0.02, "weight_decay": 0.1},
])
def test_adam_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    _run_both(torch, lambda ps: Adam(ps, **kwargs), lambda ps: torch.optim.Adam(ps, **kwargs))


@pytest.mark.parametrize("name,kwargs", [
    ("SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.02, "weight_decay": 0.1}),
])
def test_unreached_parameters_match_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    init_data = [rng.normal(size=(3,)), rng.normal(size=(3,))]
    ours = [Value(d.copy()) for d in init_data]
    theirs = [torch.tensor(d, requires_grad=True) for d in init_data]
    opt = {"SGD": SGD, "Adam": Adam}[name](ours, **kwargs)
    topt = getattr(torch.optim, name)(theirs, **kwargs)
    for step in range(6):
        opt.zero_grad()
        topt.zero_grad()
        uses = [0] if step % 3 else [0, 1]  # the second parameter is missed in most steps
        sum(((ours[i] * ours[i]).sum() for i in uses), Value(0.0)).backward()
        sum((theirs[i] * theirs[i]).sum() for i in uses).backward()
        opt.step()
        topt.step()
        for p, tp in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------- schedules


def test_step_lr_sequence():
    opt = SGD([Value(1.0)], lr=1.0)
    sched = StepLR(opt, step_size=3, gamma=0.5)
    rates = []
    for _ in range(8):
        rates.append(sched.get_last_lr()[0])
        sched.step()
    assert rates == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25]
    assert opt.param_groups[0]["lr"] == 0.25 and sched.last_epoch == 8


def test_cosine_sequence_reaches_eta_min():
    opt = SGD([Value(1.0)], lr=0.1)
    sched = CosineAnnealingLR(opt, T_max=4, eta_min=0.01)
    rates = []
    for _ in range(5):
        rates.append(sched.get_last_lr()[0])
        sched.step()
    expected = [0.01 + 0.09 * (1 + math.cos(math.pi * t / 4)) / 2 for t in range(5)]
    assert rates == pytest.approx(expected, rel=1e-12)
    assert rates[2] == pytest.approx(0.055) and rates[4] == pytest.approx(0.01)


def test_scheduler_changes_the_step_the_optimizer_takes():
    p = Value(0.0)
    opt = SGD([p], lr=1.0)
    sched = StepLR(opt, step_size=1, gamma=0.1)
    for _ in range(3):
        p.grad = -1.0
        opt.step()
        sched.step()
    assert p.data == pytest.approx(1.0 + 0.1 + 0.01)


@pytest.mark.parametrize("make", [
    lambda lib, opt: lib.StepLR(opt, step_size=2, gamma=0.3),
    lambda lib, opt: lib.CosineAnnealingLR(opt, T_max=5),
    lambda lib, opt: lib.CosineAnnealingLR(opt, T_max=3, eta_min=0.002),
])
def test_schedules_match_torch(make):
    torch = pytest.importorskip("torch")
    import layers.optim as ours_lib

    tparam = torch.zeros(1, requires_grad=True)
    topt = torch.optim.SGD([tparam], lr=0.05)
    tsched = make(torch.optim.lr_scheduler, topt)
    sched = make(ours_lib, SGD([Value(0.0)], lr=0.05))
    for _ in range(14):       # past T_max the cosine climbs back, in both
        assert sched.get_last_lr()[0] == pytest.approx(tsched.get_last_lr()[0], rel=1e-9,
                                                        abs=1e-15)
        topt.step()
        tsched.step()
        sched.step()


def test_schedule_argument_errors():
    opt = SGD([Value(1.0)], lr=0.1)
    with pytest.raises(ValueError, match="StepLR: step_size must be a positive int"):
        StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match="CosineAnnealingLR: T_max must be a positive int"):
        CosineAnnealingLR(opt, T_max=0)
    with pytest.raises(TypeError, match="expected an Optimizer"):
        StepLR("sgd", step_size=1)


@pytest.mark.parametrize("make, message", [
    (lambda p: SGD(p, lr="a"), "SGD: lr must be a number, got 'a'"),
    (lambda p: SGD(p, lr=0.1, momentum=None), "SGD: momentum must be a number, got None"),
    (lambda p: Adam(p, betas="ab"), "Adam: betas must be a pair of numbers, got 'ab'"),
    (lambda p: Adam(p, betas=(0.9, "x")), r"Adam: betas must be a pair of numbers"),
])
def test_hyper_parameters_of_the_wrong_kind_are_refused(make, message) -> None:
    with pytest.raises(ValueError, match=message):
        make([Value(1.0)])
