"""AdamW against PyTorch, and optimiser / scheduler state dicts: PyTorch's layout, exact
continuation after a round trip (also through 0-d arrays, as read back from a file), and
clear errors for a state that belongs to other parameters."""

from __future__ import annotations

import numpy as np
import pytest
from test_layers_optim import _run_both

from autograd import Value
from layers import SGD, Adam, AdamW, CosineAnnealingLR, StepLR


@pytest.mark.parametrize("kwargs", [
    {},
    {"lr": 0.01, "betas": (0.5, 0.99), "eps": 1e-6, "weight_decay": 0.1},
    {"lr": 0.05, "weight_decay": 0.0},
])
def test_adamw_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    _run_both(torch, lambda ps: AdamW(ps, **kwargs), lambda ps: torch.optim.AdamW(ps, **kwargs))


def test_adamw_decay_is_decoupled_from_the_gradient():
    # zero gradient: Adam with weight decay moves by ~lr (the decay is normalised away),
    # AdamW shrinks the weight by exactly lr * weight_decay of itself
    a, b = Value([2.0]), Value([2.0])
    adam, adamw = Adam([a], lr=0.1, weight_decay=0.5), AdamW([b], lr=0.1, weight_decay=0.5)
    a.grad, b.grad = [0.0], [0.0]
    adam.step(), adamw.step()
    assert a.data[0] == pytest.approx(2.0 - 0.1, abs=1e-6)
    assert b.data[0] == 2.0 * (1 - 0.1 * 0.5)
    with pytest.raises(ValueError, match=r"AdamW: betas must be two numbers in \[0, 1\)"):
        AdamW([b], betas=(0.9, 1.5))


def _params(seed: int = 0) -> list[Value]:
    rng = np.random.default_rng(seed)
    return [Value(rng.normal(size=(3, 2))), Value(rng.normal(size=4).astype(np.float32)),
            Value(float(rng.normal()))]


def _steps(opt, params, count, seed):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        for p in params:
            g = rng.normal(size=p.shape)
            p.grad = g if p.shape else float(g)
        opt.step()


def _as_arrays(state_dict):
    """The state as a checkpoint file gives it back: every value a (0-d) NumPy array."""
    return {"state": {str(i): {k: np.asarray(v) for k, v in s.items()}
                      for i, s in state_dict["state"].items()},
            "param_groups": [{k: list(v) if isinstance(v, tuple) else v for k, v in g.items()}
                             for g in state_dict["param_groups"]]}


@pytest.mark.parametrize("make", [
    lambda ps: SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    lambda ps: Adam(ps, lr=0.05, betas=(0.8, 0.9)),
    lambda ps: AdamW(ps, lr=0.05),
])
@pytest.mark.parametrize("through_file", [False, True])
def test_round_trip_continues_bit_for_bit(make, through_file):
    ref = _params()
    opt = make(ref)
    _steps(opt, ref, 3, seed=1)
    copy = [Value(p.data.copy()) if p.shape else Value(p.data) for p in ref]
    saved = opt.state_dict()
    restored = make(copy)
    restored.load_state_dict(_as_arrays(saved) if through_file else saved)
    _steps(opt, ref, 4, seed=2)
    _steps(restored, copy, 4, seed=2)
    for p, q in zip(ref, copy, strict=True):
        np.testing.assert_array_equal(p.data, q.data)
        assert type(p.data) is type(q.data) and np.asarray(p.data).dtype == np.asarray(q.data).dtype
    assert restored.param_groups[0].keys() == opt.param_groups[0].keys()


def test_state_dict_layout_is_pytorchs_and_holds_copies():
    params = _params()
    opt = Adam([{"params": params[:2]}, {"params": params[2:], "lr": 0.5}], lr=0.1)
    _steps(opt, params, 2, seed=0)
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert [g["lr"] for g in sd["param_groups"]] == [0.1, 0.5]
    assert sorted(sd["state"]) == [0, 1, 2]
    assert sd["state"][0]["step"] == 2 and sorted(sd["state"][0]) == ["exp_avg", "exp_avg_sq",
                                                                       "step"]
    sd["state"][0]["exp_avg"][...] = 99.0                   # a copy: the optimizer is unchanged
    assert not (opt.state[id(params[0])]["exp_avg"] == 99.0).any()


def test_state_dict_keys_are_torchs():
    torch = pytest.importorskip("torch")
    params = _params()
    ours = Adam([{"params": params[:2]}, {"params": params[2:], "lr": 0.5}], lr=0.1)
    _steps(ours, params, 1, seed=0)
    tparams = [torch.zeros(p.shape, requires_grad=True) for p in params]
    theirs = torch.optim.Adam([{"params": tparams[:2]}, {"params": tparams[2:], "lr": 0.5}],
                              lr=0.1)
    for p in tparams:
        p.grad = torch.ones(p.shape)
    theirs.step()
    ours_sd, theirs_sd = ours.state_dict(), theirs.state_dict()
    assert [g["params"] for g in ours_sd["param_groups"]] == \
        [g["params"] for g in theirs_sd["param_groups"]]
    assert sorted(ours_sd["state"]) == sorted(theirs_sd["state"])
    assert sorted(ours_sd["state"][0]) == sorted(theirs_sd["state"][0])
    assert set(ours_sd["param_groups"][0]) <= set(theirs_sd["param_groups"][0])


def test_state_for_other_parameters_is_refused():
    params = _params()
    opt = SGD(params, lr=0.1, momentum=0.9)
    _steps(opt, params, 1, seed=0)
    sd = opt.state_dict()
    with pytest.raises(ValueError, match=r"group 0 of the state has 3 parameters, this "
                                         r"optimizer's has 2"):
        SGD(params[:2], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match=r"the state has 1 parameter group\(s\), this "
                                         r"optimizer 2"):
        SGD([{"params": params[:1]}, {"params": params[1:]}], lr=0.1).load_state_dict(sd)
    other = [Value(np.zeros((2, 3))), params[1], params[2]]
    with pytest.raises(ValueError, match=r"'momentum_buffer' of parameter 0 has shape \(3, 2\), "
                                         r"the parameter has shape \(2, 3\)"):
        SGD(other, lr=0.1).load_state_dict(sd)


@pytest.mark.parametrize("make", [lambda o: StepLR(o, step_size=2, gamma=0.5),
                                  lambda o: CosineAnnealingLR(o, T_max=5)])
def test_scheduler_state_continues_the_schedule(make):
    a_opt = SGD([Value(1.0)], lr=1.0)
    a = make(a_opt)
    for _ in range(3):
        a.step()
    b_opt = SGD([Value(1.0)], lr=1.0)
    b = make(b_opt)
    b.load_state_dict(a.state_dict())
    b_opt.load_state_dict(a_opt.state_dict())
    for _ in range(4):
        a.step(), b.step()
        assert b.get_last_lr() == a.get_last_lr()
    assert "optimizer" not in a.state_dict()
