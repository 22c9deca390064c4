"""Resumable training: a run interrupted after some epochs and resumed from its checkpoint
gives the same losses, weights and optimiser state, bit for bit, as the run that was never
interrupted (SGD with momentum and Adam, dropout, batch norm, shuffling, a schedule and
early stopping included); checkpoints are written atomically and checked when read."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from layers import (
    SGD,
    Adam,
    BatchNorm1d,
    CheckpointError,
    CrossEntropyLoss,
    DataLoader,
    Dropout,
    Linear,
    ReLU,
    Sequential,
    StepLR,
    fit,
    load_checkpoint,
    make_moons,
    save,
    save_checkpoint,
)

X, Y = make_moons(96, noise=0.2, seed=0)
X_VAL, Y_VAL = make_moons(40, noise=0.2, seed=1)
CALLS_PER_EPOCH = 6 + 3          # loss calls: 96 / 16 training batches, 40 / 16 validation


def _model(seed: int) -> Sequential:
    autograd.manual_seed(seed)
    return Sequential(Linear(2, 16), BatchNorm1d(16), ReLU(), Dropout(0.3), Linear(16, 2))


class _Interrupt(Exception):
    """Stands for a kill in the middle of an epoch."""


class _Loss:
    """Cross-entropy that raises _Interrupt at its ``stop_at``-th call."""

    def __init__(self, stop_at: int | None = None) -> None:
        self.calls, self.stop_at = 0, stop_at
        self.loss = CrossEntropyLoss()

    def __call__(self, output, target):
        self.calls += 1
        if self.calls == self.stop_at:
            raise _Interrupt
        return self.loss(output, target)


OPTIMIZERS = {
    "sgd_momentum": lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=1e-3),
    "adam": lambda ps: Adam(ps, lr=0.01),
}


def _session(kind: str, seed: int, loader_seed: int, early_stopping=None):
    """A fresh training setup; a resumed one gets other seeds, all overwritten on resume."""
    model = _model(seed)
    optimizer = OPTIMIZERS[kind](model.parameters())
    scheduler = StepLR(optimizer, step_size=2, gamma=0.5)
    train = DataLoader(X, Y, batch_size=16, shuffle=True, seed=loader_seed)
    val = DataLoader(X_VAL, Y_VAL, batch_size=16, shuffle=True, seed=loader_seed + 1)
    options = {"val_loader": val, "scheduler": scheduler, "progress": False,
               "early_stopping": early_stopping}
    return model, optimizer, train, options


def _run(kind, path, epochs, *, seed=0, loader_seed=0, loss=None, resume=False,
         early_stopping=None):
    model, optimizer, train, options = _session(kind, seed, loader_seed, early_stopping)
    if resume:
        autograd.manual_seed(seed + 100)          # the engine's RNG is restored too
    history = fit(model, loss or _Loss(), optimizer, train, epochs, checkpoint=path,
                  resume=resume, **options)
    return model, optimizer, history


def _assert_same_run(a, b):
    (model_a, opt_a, hist_a), (model_b, opt_b, hist_b) = a, b
    assert hist_a == hist_b                               # every loss, accuracy and rate
    for (name, x), (_, y) in zip(model_a.state_dict().items(), model_b.state_dict().items(),
                                 strict=True):
        np.testing.assert_array_equal(x, y, err_msg=name)
    state_a, state_b = opt_a.state_dict(), opt_b.state_dict()
    assert state_a["param_groups"] == state_b["param_groups"]
    for index, entries in state_a["state"].items():
        for key, value in entries.items():
            np.testing.assert_array_equal(value, state_b["state"][index][key])


@pytest.mark.parametrize("kind", ["sgd_momentum", "adam"])
def test_interrupted_and_resumed_run_equals_the_uninterrupted_one(kind, tmp_path):
    whole = _run(kind, tmp_path / "whole.ckpt", epochs=5)
    path = tmp_path / "interrupted.ckpt"
    with pytest.raises(_Interrupt):                      # killed in epoch 3, batch 4
        _run(kind, path, epochs=5, loss=_Loss(stop_at=2 * CALLS_PER_EPOCH + 4))
    assert load_checkpoint(path, _model(0)).epoch == 2
    resumed = _run(kind, path, epochs=5, seed=7, loader_seed=9, resume=True)
    assert resumed[2].epochs == 5 and len(set(resumed[2].train_loss)) == 5
    _assert_same_run(whole, resumed)
    # the learning rate followed the schedule across the interruption
    assert resumed[2].lr == [whole[2].lr[0]] * 2 + [whole[2].lr[0] / 2] * 2 + \
        [whole[2].lr[0] / 4]


def test_resume_after_early_stopping_keeps_the_best_weights(tmp_path):
    whole = _run("adam", tmp_path / "whole.ckpt", epochs=40, early_stopping=2)
    assert whole[2].stopped_epoch is not None and whole[2].stopped_epoch < 39
    stop = whole[2].best_epoch + 1                       # interrupt after the best epoch
    path = tmp_path / "part.ckpt"
    with pytest.raises(_Interrupt):
        _run("adam", path, epochs=40, early_stopping=2,
             loss=_Loss(stop_at=stop * CALLS_PER_EPOCH + 1))
    resumed = _run("adam", path, epochs=40, early_stopping=2, seed=3, loader_seed=4,
                   resume=True)
    _assert_same_run(whole, resumed)
    # resuming a finished run trains no further and restores the same best weights
    again = _run("adam", path, epochs=40, early_stopping=2, seed=5, resume=True)
    _assert_same_run(whole, again)


def test_checkpoint_holds_every_piece(tmp_path):
    path = tmp_path / "run.ckpt"
    model, optimizer, history = _run("sgd_momentum", path, epochs=2)
    with np.load(path, allow_pickle=False) as archive:
        names = set(archive.files)
    assert {f"model/{name}" for name in model.state_dict()} < names
    assert "model/1.running_mean" in names and "meta.json" in names
    assert sum(n.startswith("optimizer/") and n.endswith("/momentum_buffer")
               for n in names) == 6
    fresh, fresh_opt, _, options = _session("sgd_momentum", 1, 1)
    gens = {"autograd": autograd.random.generator(),
            "train_loader": DataLoader(X, Y, 4, shuffle=True, seed=3).generator,
            "val_loader": options["val_loader"].generator}
    ckpt = load_checkpoint(path, fresh, fresh_opt, scheduler=options["scheduler"],
                           generators=gens)
    assert ckpt.epoch == 2 and ckpt.meta["history"]["train_loss"] == history.train_loss
    assert options["scheduler"].last_epoch == 2
    np.testing.assert_array_equal(fresh[0].weight.data, model[0].weight.data)


def test_bad_checkpoints_and_arguments_are_refused(tmp_path):
    model, optimizer, train, options = _session("adam", 0, 0)
    with pytest.raises(ValueError, match="resume=True continues from a checkpoint; pass"):
        fit(model, _Loss(), optimizer, train, 2, resume=True, **options)
    with pytest.raises(FileNotFoundError, match="resume=True but there is no checkpoint at"):
        fit(model, _Loss(), optimizer, train, 2, checkpoint=tmp_path / "none.ckpt",
            resume=True, **options)
    with pytest.raises(TypeError, match="checkpoint= saves the model's and the optimizer's"):
        fit(lambda x: model(x), _Loss(), optimizer, train, 1, checkpoint=tmp_path / "c",
            **options)
    weights = tmp_path / "weights.npz"
    save(model, weights)
    with pytest.raises(CheckpointError, match="is not a training checkpoint"):
        fit(model, _Loss(), optimizer, train, 2, checkpoint=weights, resume=True, **options)
    path = tmp_path / "run.ckpt"
    _run("adam", path, epochs=1)
    other = Sequential(Linear(2, 8), ReLU(), Linear(8, 2))
    before = other.state_dict()
    with pytest.raises(CheckpointError, match=r"(?s)does not fit: .*missing key\(s\)"):
        load_checkpoint(path, other)
    for name, value in other.state_dict().items():
        np.testing.assert_array_equal(value, before[name])
    # a run whose model fits but whose optimizer covers other parameters: nothing changes
    fresh = _model(1)
    before = fresh.state_dict()
    with pytest.raises(CheckpointError,
                       match="group 0 of the state has 6 parameters, this optimizer's has 2"):
        load_checkpoint(path, fresh, Adam(list(fresh.parameters())[:2]))
    np.testing.assert_array_equal(fresh[0].weight.data, before["0.weight"])
    with pytest.raises(CheckpointError, match=r"random generators \['autograd', "
                                              r"'train_loader', 'val_loader'\], expected"):
        load_checkpoint(path, _model(0), generators={"autograd": autograd.random.generator()})


def test_a_failed_write_leaves_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "run.ckpt"
    model, optimizer, _ = _run("sgd_momentum", path, epochs=1)
    before = path.read_bytes()

    def broken_savez(file, **arrays):
        file.write(b"PK partial")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(path, model, optimizer, epoch=2)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["run.ckpt"]
