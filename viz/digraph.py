"""`Digraph`: a ``graphviz.Digraph`` whose rendering failures say what to do.

Everything viz draws is one of these.  It renders inline in Jupyter (SVG) and with
``.render(format="png")`` like any ``graphviz.Digraph``; when the ``dot`` program is missing,
``pipe``/``render`` raise :class:`~viz.errors.GraphvizNotFoundError` (install instructions)
and a notebook shows the instructions and the DOT source instead of a traceback; when ``dot``
runs but fails, they raise :class:`~viz.errors.GraphvizRenderError` with ``dot``'s own words.

>>> g = Digraph()
>>> g.node("a", "hello")
>>> "hello" in g.source
True
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import graphviz

from .errors import GraphvizNotFoundError, GraphvizRenderError
from .escape import html_text


class Digraph(graphviz.Digraph):
    """``graphviz.Digraph`` with clear errors when Graphviz's ``dot`` is not installed or fails.

    >>> isinstance(Digraph(), graphviz.Digraph)
    True
    """

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        """Render and return the output (bytes, or str with ``encoding``); see graphviz."""
        with _dot_errors(kwargs.get("format") or (args[0] if args else None) or self.format):
            return super().pipe(*args, **kwargs)

    def render(self, *args: Any, **kwargs: Any) -> str:
        """Save the DOT source and render it to a file; returns the rendered file's path."""
        with _dot_errors(kwargs.get("format") or self.format):
            return super().render(*args, **kwargs)

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
        except (GraphvizNotFoundError, GraphvizRenderError) as err:
            message = str(err)
            return {
                "text/plain": message + "\n\n" + self.source,
                "text/html": f"<pre>{html_text(message)}</pre><details><summary>DOT "
                             f"source</summary><pre>{html_text(self.source)}</pre></details>",
            }


@contextmanager
def _dot_errors(fmt: str) -> Iterator[None]:
    """Turn the ways running ``dot`` fails into :mod:`viz.errors` errors that say what to do."""
    try:
        yield
    except GraphvizNotFoundError:
        raise
    except graphviz.ExecutableNotFound as err:
        raise GraphvizNotFoundError(str(err)) from None
    except subprocess.CalledProcessError as err:
        said = err.stderr or b""
        said = said if isinstance(said, str) else said.decode(errors="replace")
        raise GraphvizRenderError(fmt, err.returncode, said) from None
    except BrokenPipeError:  # dot quit before reading all its input: it refused the source
        raise GraphvizRenderError(fmt, None, "") from None
