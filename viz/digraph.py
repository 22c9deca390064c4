"""`Digraph`: a ``graphviz.Digraph`` whose rendering failures say how to install Graphviz.

Everything viz draws is one of these.  It renders inline in Jupyter (SVG) and with
``.render(format="png")`` like any ``graphviz.Digraph``; when the ``dot`` program is missing,
``pipe``/``render`` raise :class:`~viz.errors.GraphvizNotFoundError` (install instructions)
and a notebook shows the instructions and the DOT source instead of a traceback.

>>> g = Digraph()
>>> g.node("a", "hello")
>>> "hello" in g.source
True
"""

from __future__ import annotations

from typing import Any

import graphviz

from .errors import GraphvizNotFoundError
from .escape import html_text


class Digraph(graphviz.Digraph):
    """``graphviz.Digraph`` with clear errors when Graphviz's ``dot`` is not installed.

    >>> isinstance(Digraph(), graphviz.Digraph)
    True
    """

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        """Render and return the output (bytes, or str with ``encoding``); see graphviz."""
        try:
            return super().pipe(*args, **kwargs)
        except GraphvizNotFoundError:
            raise
        except graphviz.ExecutableNotFound as err:
            raise GraphvizNotFoundError(str(err)) from None

    def render(self, *args: Any, **kwargs: Any) -> str:
        """Save the DOT source and render it to a file; returns the rendered file's path."""
        try:
            return super().render(*args, **kwargs)
        except GraphvizNotFoundError:
            raise
        except graphviz.ExecutableNotFound as err:
            raise GraphvizNotFoundError(str(err)) from None

    def svg(self) -> str:
        """The picture as an SVG document (a string).

        >>> Digraph().svg().lstrip().startswith("<?xml")  # doctest: +SKIP
        True
        """
        return self.pipe(format="svg", encoding="utf-8")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,
                          **kwargs: Any) -> dict[str, Any]:
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except GraphvizNotFoundError as err:
            message = str(err)
            return {
                "text/plain": message + "\n\n" + self.source,
                "text/html": f"<pre>{html_text(message)}</pre><details><summary>DOT "
                             f"source</summary><pre>{html_text(self.source)}</pre></details>",
            }
