"""`train_player(...)`: train for a few steps and record forward, backward and update of each.

The player really trains: each step is ``optimizer.zero_grad()``, ``loss = loss_fn(model(x),
y)``, ``loss.backward()``, ``optimizer.step()`` — the loop a learner writes by hand, so the
model and the optimiser end exactly as that loop leaves them.  Around it the player records:

- **forward**: the values appearing gate by gate (layer by layer for big graphs), with the
  number each gate computed (:mod:`viz.forward`);
- **backward**: the stepper's explanation of each node (upstream × local = sent, gradients
  summed at forks), replayed by the engine's pure walk before the real backward runs;
- **update**: every parameter's ``old − lr·grad = new`` (or the optimiser's own rule:
  momentum, Adam) with the values the optimiser wrote (:mod:`viz.train_update`);
- the loss of every step and, for 2-D inputs, the decision boundary after every update.

The drawn graph is the training graph itself when it is small enough; otherwise (or when
``sample`` names datapoints) it is the same model and loss on those datapoints only, run on
the side with the same parameters (:mod:`viz.isolate`), while the update uses the batch.

>>> import numpy as np
>>> from layers import MLP, SGD
>>> from autograd import cross_entropy
>>> net = MLP(2, [4, 2]); x = np.array([[0.0, 1.0], [1.0, 0.0]]); y = np.array([0, 1])
>>> p = train_player(net, cross_entropy, x, y, SGD(net.parameters(), lr=0.5), steps=3)
>>> len(p.losses), [f.phase for f in p.frames].count(2)
(3, 3)
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from .boundary import BoundaryGrid, class_labels, points_2d, predict_classes
from .escape import html_text
from .frames import FrameWriter, pick_detail, write_pass
from .isolate import untouched
from .labels import data_cells, grad_cells
from .page import HtmlPage
from .step import Stepper
from .summary import fmt
from .train_update import ParamUpdate, optimizer_params, snapshot, update_rows

MAX_DRAWN_VALUES = 600
"""A training graph with more values than this is drawn for one datapoint (``sample=0``)."""


def take(data: Any, index: list[int]) -> Any:
    """The datapoints ``index`` of a batch: a numpy array, a non-grad ``Value`` or a list.

    >>> take(np.arange(6).reshape(3, 2), [2]).tolist(), take([[1, 2], [3, 4]], [0])
    ([[4, 5]], [[1, 2]])
    """
    if isinstance(data, np.ndarray):
        return data[index]
    if hasattr(data, "requires_grad") and hasattr(data, "data"):
        from autograd import Value

        return Value(np.asarray(data.data)[index], label=data.label, requires_grad=False)
    return type(data)(data[i] for i in index) if isinstance(data, (list, tuple)) else data


def _sample_indices(sample: Any, n: int) -> list[int]:
    items = [sample] if isinstance(sample, (int, np.integer)) else list(sample)
    if not items or not all(isinstance(i, (int, np.integer)) and -n <= i < n for i in items):
        raise ValueError(f"viz.train_player: sample must be an index or a list of indices "
                         f"into the {n} datapoints, got {sample!r}")
    return [int(i) % n for i in items]


def _loss_value(loss: Any) -> Any:
    if not hasattr(loss, "backward") or not hasattr(loss, "data"):
        raise TypeError(f"viz.train_player: loss_fn must return a Value, got "
                        f"{type(loss).__name__}")
    if np.size(loss.data) != 1:
        raise ValueError(f"viz.train_player: loss_fn must return a single number, got shape "
                         f"{np.shape(loss.data)}")
    return loss


def _grid_size(out: Any) -> int:
    """The boundary grid's side: 40 for a tensor model, 20 for one built from scalar Values
    (whose every grid point is a graph of its own).

    >>> from autograd import Value
    >>> _grid_size(Value(np.zeros((4, 2)))), _grid_size([Value(1.0)])
    (40, 20)
    """
    return 40 if hasattr(out, "data") and np.ndim(out.data) >= 1 else 20


def _signature(view: Any) -> list[tuple[Any, ...]]:
    return [(v.gate.name if v.gate else view.kinds[i], tuple(view.parents(i)), v.shape)
            for i, v in enumerate(view.values)]


def _param_names(model: Any, optimizer: Any) -> dict[int, str]:
    named = getattr(model, "named_parameters", None)
    names = {id(p): n for n, p in named()} if callable(named) else {}
    for k, p in enumerate(optimizer_params(optimizer)):
        names.setdefault(id(p), str(p.label) if p.label else f"param {k + 1}")
    return names


def _update_caption(optimizer: Any, rows: list[ParamUpdate], loss: float, it: int,
                    sampled: bool) -> str:
    lrs = sorted({g.get("lr") for g in optimizer.param_groups if g.get("lr") is not None})
    lr = f", lr {', '.join(fmt(v) for v in lrs)}" if lrs else ""
    head = (f"<b>Update {it + 1}: {html_text(type(optimizer).__name__)}{lr} moves every "
            f"parameter against its gradient</b> (the batch's loss was {fmt(loss)})")
    if sampled:
        head += ("<br>The parameters in the picture now show the batch's gradient, the one "
                 "the step used.")
    body = "".join(
        f'<tr data-param="{html_text(r.name)}"><td>{html_text(r.name)}</td>'
        f"<td>{fmt(r.old)}</td><td>{fmt(r.grad)}</td><td>{fmt(r.new)}</td>"
        f"<td>{html_text(r.formula)}</td></tr>" for r in rows)
    return (f'{head}<div class="gg-upd"><table><tr><th>parameter</th><th>before</th>'
            f"<th>grad</th><th>after</th><th>rule</th></tr>{body}</table></div>")


def _write_update(writer: FrameWriter, view: Any, optimizer: Any,
                  before: dict[int, tuple[Any, Any]], caption: str) -> None:
    """The update frame: each drawn parameter highlighted with the gradient the step used
    (the batch's) and the data the optimiser wrote."""
    writer.state = ["d"] * len(view)
    current = []
    for p in optimizer_params(optimizer):
        i = view.index.get(id(p))
        if i is None:
            continue
        grad = before[id(p)][1]
        writer.state[i] = "c"
        writer.data[i] = data_cells(p.data, p.is_scalar)
        writer.grads[i] = grad_cells(float(grad) if p.is_scalar else grad, p.is_scalar)
        current.append(i)
    writer.emit(2, caption, current)


class TrainPlayer(HtmlPage):
    """A recorded training run; see :func:`train_player`.

    ``losses`` holds each step's batch loss, ``updates`` each step's
    :class:`~viz.train_update.ParamUpdate` rows, ``frames`` every frame, ``boundaries`` the
    predicted class per grid point before training and after each update (or None),
    ``build_seconds`` how long training and recording took.

    >>> from autograd import Value
    >>> from layers import SGD
    >>> w = Value(1.0, label="w")
    >>> p = TrainPlayer(lambda xs: [w * a for a in xs], lambda o, ys: (o[0] - ys[0]) ** 2,
    ...                 [1.0], [0.0], SGD([w], lr=0.25), steps=2)
    >>> p.losses, w.data
    ([1.0, 0.25], 0.25)
    """

    def __init__(self, model: Any, loss_fn: Any, x: Any, y: Any, optimizer: Any,
                 steps: int = 10, sample: Any = None, *, detail: str = "auto",
                 boundary: bool | None = None, grid: int | None = None, theme: Any = "light",
                 rankdir: str | None = None):
        if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool) or steps < 1:
            raise ValueError(f"viz.train_player: steps must be an int >= 1, got {steps!r}")
        if grid is not None and (not isinstance(grid, (int, np.integer)) or grid < 2):
            raise ValueError(f"viz.train_player: grid must be an int >= 2, got {grid!r}")
        t0 = time.perf_counter()
        self.theme, self.rankdir = theme, rankdir
        self.losses: list[float] = []
        self.updates: list[list[ParamUpdate]] = []
        names = _param_names(model, optimizer)
        named = [(names[id(p)], p) for p in optimizer_params(optimizer)]
        n = len(x.data) if hasattr(x, "requires_grad") else len(x)
        index = None if sample is None else _sample_indices(sample, n)
        pts = points_2d(x) if boundary is not False else None
        if boundary and pts is None:
            raise ValueError("viz.train_player: boundary=True needs 2-D inputs (N, 2)")
        self.grid: BoundaryGrid | None = None
        self.points = pts
        self.labels = class_labels(y) if pts is not None else None
        self.boundaries: list[np.ndarray] | None = None
        writer: FrameWriter | None = None
        signature = None
        for it in range(steps):
            optimizer.zero_grad()
            out = model(x)
            loss = _loss_value(loss_fn(out, y))
            if it == 0 and pts is not None:  # the boundary before any update
                self.grid = BoundaryGrid.around(pts, grid or _grid_size(out))
                first = predict_classes(model, self.grid.points, x)
                if first is None and boundary:
                    raise ValueError("viz.train_player: for the decision boundary the model "
                                     "should give one score or one row of class scores per "
                                     "input point; pass boundary=False to leave it out")
                self.boundaries = None if first is None else [first]
            if index is None:
                from autograd.graph import topological_order

                if len(topological_order(loss)) > MAX_DRAWN_VALUES:
                    index = [0]
            drawn = loss
            if index is not None:
                with untouched(model):
                    drawn = _loss_value(loss_fn(model(take(x, index)), take(y, index)))
            stepper = Stepper(drawn, rankdir=rankdir, theme=theme, params=named)
            view = stepper.view
            if writer is None:
                self.view, self.sample = view, index
                self.detail = pick_detail(detail, view)
                writer = FrameWriter(len(view))
                signature = _signature(view)
            elif _signature(view) != signature:
                raise ValueError(f"viz.train_player: the drawn graph changed shape at step "
                                 f"{it + 1} ({len(view)} values, was {len(signature or [])}); "
                                 "the player lays the graph out once, so the model must build "
                                 "the same graph every step")
            writer.iteration = it
            write_pass(writer, stepper, self.detail, self._intro(it, float(loss.data)))
            loss.backward()
            before = snapshot(optimizer)
            optimizer.step()
            rows = update_rows(optimizer, before, names)
            self.losses.append(float(loss.data))
            self.updates.append(rows)
            if self.boundaries is not None and self.grid is not None:
                classes = predict_classes(model, self.grid.points, x)
                assert classes is not None  # the same model gave classes before
                self.boundaries.append(classes)
            _write_update(writer, view, optimizer, before,
                          _update_caption(optimizer, rows, self.losses[-1], it,
                                          self.sample is not None))
        assert writer is not None
        self.writer = writer
        self.frames = writer.frames
        self.build_seconds = time.perf_counter() - t0

    def _intro(self, it: int, loss: float) -> str:
        if self.sample is None:
            return (f"<p class=\"gg-note\">Step {it + 1}: forward through the training "
                    f"batch; its loss is {fmt(loss)}.</p>")
        which = ", ".join(f"#{i}" for i in self.sample)
        return (f"<p class=\"gg-note\">Step {it + 1}: the graph drawn is datapoint {which} "
                f"on its own (same parameters); the update uses the whole batch, whose loss "
                f"is {fmt(loss)}.</p>")

    def __len__(self) -> int:
        return len(self.losses)

    def __repr__(self) -> str:
        return (f"<viz.TrainPlayer: {len(self)} steps, {len(self.frames)} frames, loss "
                f"{fmt(self.losses[0])} → {fmt(self.losses[-1])}>")

    # ------------------------------------------------------------------ html
    def to_html(self, full_page: bool = False) -> str:
        """The HTML player (a fragment, or a whole page with ``full_page=True``)."""
        from .train_html import train_player_html

        return train_player_html(self, full_page=full_page)


def train_player(model: Any, loss_fn: Any, x: Any, y: Any, optimizer: Any, steps: int = 10,
                 sample: Any = None, *, detail: str = "auto", boundary: bool | None = None,
                 grid: int | None = None, theme: Any = "light", rankdir: str | None = None
                 ) -> TrainPlayer:
    """Train ``model`` for ``steps`` optimiser steps of ``loss_fn(model(x), y)`` and record
    forward, backward and update of each as a player (inline in Jupyter, ``save_html``).

    - ``model``: a ``layers`` module or any callable building a graph from Values (a
      micrograd-style function over scalar Values works);
    - ``sample``: the datapoint index (or indices) to draw; by default the whole batch's
      graph, or datapoint 0 when that graph has more than 600 values;
    - ``detail``: ``"node"`` (one frame per gate), ``"layer"`` or ``"auto"`` (layers above
      60 gates);
    - ``boundary``: draw the decision boundary (default: when ``x`` is ``(N, 2)``), on a
      ``grid`` × ``grid`` grid (default 40, or 20 for a model over scalar Values).

    >>> from autograd import Value
    >>> from layers import SGD
    >>> w = Value(0.5, label="w")
    >>> p = train_player(lambda xs: [w * a for a in xs], lambda out, ys: (out[0] - ys[0]) ** 2,
    ...                  [2.0], [3.0], SGD([w], lr=0.1), steps=2)
    >>> p.updates[0][0].formula
    '0.500 − 0.100·(-8.00) = 1.30'
    """
    return TrainPlayer(model, loss_fn, x, y, optimizer, steps, sample, detail=detail,
                       boundary=boundary, grid=grid, theme=theme, rankdir=rankdir)
