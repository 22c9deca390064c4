"""The decision boundary of a model over 2-D inputs: its predicted class on a grid.

The grid spans the data (with a margin); the model sees the grid in the form it sees its
training inputs (a numpy array, a non-grad ``Value`` or a list of points), in eval mode and
without recording a graph (:func:`viz.isolate.untouched`).  One output per point is read by
its sign, several by their argmax.

>>> import numpy as np
>>> g = BoundaryGrid.around(np.array([[0.0, 0.0], [1.0, 2.0]]), size=3)
>>> g.points.shape, g.extent
((9, 2), (-0.3, 1.3, -0.6, 2.6))
>>> predict_classes(lambda p: p[:, 0] - 0.5, g.points, np.zeros((1, 2))).tolist()
[0, 0, 1, 0, 0, 1, 0, 0, 1]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .isolate import untouched


def points_2d(x: Any) -> np.ndarray | None:
    """``x`` as an ``(N, 2)`` float array (numpy, a ``Value`` or a list of pairs of numbers
    or Values), or None when the inputs are not 2-D points.

    >>> points_2d([[1, 2], [3, 4]]).tolist(), points_2d(np.zeros((3, 4)))
    ([[1.0, 2.0], [3.0, 4.0]], None)
    """
    if not isinstance(x, (list, tuple, np.ndarray)):
        x = getattr(x, "data", x)
    try:
        arr = (x.astype(np.float64) if isinstance(x, np.ndarray) else
               np.array([[float(getattr(c, "data", c)) for c in row] for row in x]))
    except (TypeError, ValueError):
        return None
    return arr if arr.ndim == 2 and arr.shape[1] == 2 and len(arr) else None


@dataclass
class BoundaryGrid:
    """A ``size`` × ``size`` grid of points over the data; row by row from the bottom left.

    ``extent`` is ``(x_min, x_max, y_min, y_max)``.

    >>> BoundaryGrid.around(np.array([[0.0, 0.0], [1.0, 1.0]]), size=2).points.tolist()
    [[-0.3, -0.3], [1.3, -0.3], [-0.3, 1.3], [1.3, 1.3]]
    """

    points: np.ndarray
    size: int
    extent: tuple[float, float, float, float]

    @classmethod
    def around(cls, pts: np.ndarray, size: int = 40, margin: float = 0.3) -> BoundaryGrid:
        """The grid over ``pts`` widened by ``margin`` of each side's span (at least 0.1).

        >>> BoundaryGrid.around(np.zeros((1, 2)), size=2).extent
        (-0.1, 0.1, -0.1, 0.1)
        """
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        pad = np.maximum((hi - lo) * margin, 0.1)
        lo, hi = lo - pad, hi + pad
        gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], size), np.linspace(lo[1], hi[1], size))
        extent = (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))
        return cls(np.column_stack([gx.ravel(), gy.ravel()]), size,
                   tuple(round(e, 12) for e in extent))  # type: ignore[arg-type]


def class_labels(y: Any) -> np.ndarray:
    """Targets as class numbers for colouring points: integer classes as they are, ±1 (or
    0/1) signs as 0 and 1, one-hot or score rows by their argmax.

    >>> class_labels([-1.0, 1.0, 1.0]).tolist(), class_labels(np.eye(3)[[2, 0]]).tolist()
    ([0, 1, 1], [2, 0])
    """
    if isinstance(y, (list, tuple)):
        y = [getattr(v, "data", v) for v in y]
    arr = np.asarray(getattr(y, "data", y) if not isinstance(y, np.ndarray) else y)
    if arr.ndim == 2:
        return arr.argmax(axis=1)
    arr = arr.reshape(-1)
    if arr.size and arr.min() < 0:
        return (arr > 0).astype(np.int64)
    return arr.astype(np.int64)


def _as_like(points: np.ndarray, like: Any) -> Any:
    """The grid in the form of the training inputs ``like``."""
    if isinstance(like, np.ndarray):
        return points.astype(like.dtype) if like.dtype.kind == "f" else points
    if hasattr(like, "data") and hasattr(like, "requires_grad"):
        from autograd import Value

        return Value(points.astype(np.asarray(like.data).dtype), requires_grad=False)
    return [[float(a), float(b)] for a, b in points]


def _numbers(out: Any) -> np.ndarray:
    if isinstance(out, (list, tuple)):
        return np.array([_numbers(o) for o in out], dtype=np.float64)
    return np.asarray(getattr(out, "data", out), dtype=np.float64)


def predict_classes(model: Any, points: np.ndarray, like: Any) -> np.ndarray | None:
    """The class ``model`` predicts at each of ``points`` (given like the inputs ``like``),
    or None when its output does not hold one score (or one row of scores) per point.

    >>> predict_classes(lambda p: [[a, -a] for a, _ in p], np.array([[1.0, 0.0]]), [[0, 0]])
    array([0])
    >>> predict_classes(lambda p: 1.0, np.zeros((3, 2)), np.zeros((1, 2))) is None
    True
    """
    with untouched(model, evaluate=True):
        out = _numbers(model(_as_like(points, like)))
    n = len(points)
    if out.size == n:
        return (out.reshape(n) > 0).astype(np.int64)
    if out.ndim >= 2 and out.shape[0] == n:
        return out.reshape(n, -1).argmax(axis=1)
    return None
