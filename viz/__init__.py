"""viz: see the graph, the gate at every node, and the gradient flowing back.

- :func:`draw` — the computational graph as a ``graphviz.Digraph`` (inline in Jupyter,
  ``.render()`` to SVG/PNG/PDF): values with data and grad, op nodes styled by gate family,
  one edge per use, gradient flow on the edges after ``backward()``, modules as clusters.
- :func:`step` — the backward stepper: one step per node in backward order, the gate rule
  in words and numbers, ``draw(i)`` per step, and a self-contained HTML player
  (``forward=True``: the forward pass first, gate by gate).
- :func:`train_player` — trains for a few steps exactly as the hand-written loop does and
  plays forward, backward and update of each, with the loss curve and decision boundary.
- :func:`explore` — big graphs in one self-contained page: pan, zoom, search, click a
  module box to expand it; shared leaves drawn per use as aliases, layouts within a budget.
- :func:`grad_flow` / :func:`plot_grad_flow` — mean and max |grad| per parameter.
- :func:`receptive_fields`, :func:`receptive_field_table`, :func:`draw_receptive_field`,
  :func:`input_region` — receptive fields of conv / pool stacks.

>>> import viz
>>> from autograd import Value, maximum
>>> x, y, z, w = Value(3.0, label="x"), Value(-4.0, label="y"), Value(2.0, label="z"), \\
...     Value(-1.0, label="w")
>>> f = 2 * (x * y + maximum(z, w))
>>> g = viz.draw(f)                      # forward view (before backward)
>>> stepper = viz.step(f)                # replays backward without touching .grad
>>> print(stepper[2].lines[1])
x gets -4.00 (the other input, y) × upstream 2.00 = -8.00
"""

from .digraph import Digraph
from .draw import draw
from .errors import (
    GraphvizNotFoundError,
    GraphvizRenderError,
    LayoutBudgetError,
    StepperGraphFreedError,
)
from .explore import Explorer, explore
from .flow import GradFlow, LayerGrad, grad_flow, plot_grad_flow
from .receptive import (
    LayerSpec,
    ReceptiveField,
    draw_receptive_field,
    input_region,
    receptive_field_table,
    receptive_fields,
)
from .step import BackwardStep, Stepper, step
from .style import THEMES, GradScale, Theme
from .summary import fmt, tensor_summary
from .train_player import TrainPlayer, train_player

__all__ = [
    "THEMES",
    "BackwardStep",
    "Digraph",
    "Explorer",
    "GradFlow",
    "GradScale",
    "GraphvizNotFoundError",
    "GraphvizRenderError",
    "LayerGrad",
    "LayoutBudgetError",
    "LayerSpec",
    "ReceptiveField",
    "Stepper",
    "StepperGraphFreedError",
    "Theme",
    "TrainPlayer",
    "draw",
    "draw_receptive_field",
    "explore",
    "fmt",
    "grad_flow",
    "input_region",
    "plot_grad_flow",
    "receptive_field_table",
    "receptive_fields",
    "step",
    "tensor_summary",
    "train_player",
]
