"""`Digraph`: a ``graphviz.Digraph`` whose rendering failures say what to do.

Everything viz draws is one of these.  It renders inline in Jupyter (SVG) and with
``.render(format="png")`` like any ``graphviz.Digraph``; when the ``dot`` program is missing,
``pipe``/``render`` raise :class:`~viz.errors.GraphvizNotFoundError` (install instructions)
and a notebook shows the instructions and the DOT source instead of a traceback; when ``dot``
runs but fails, they raise :class:`~viz.errors.GraphvizRenderError` with ``dot``'s own words.

A picture with a time ``budget`` (what :func:`viz.draw` returns) never hangs: ``dot`` runs
under that limit and is killed past it, and the picture falls back to its ``coarser`` view
(built on demand), which it then becomes — source and title included — so later renders
are quick and the title says what happened.

>>> g = Digraph()
>>> g.node("a", "hello")
>>> "hello" in g.source
True
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import graphviz

from .errors import GraphvizNotFoundError, GraphvizRenderError, LayoutBudgetError
from .escape import html_text


class Digraph(graphviz.Digraph):
    """``graphviz.Digraph`` with clear errors when Graphviz's ``dot`` is not installed or fails,
    and an optional layout time ``budget`` (seconds) with a ``coarser`` view to fall back to.

    >>> isinstance(Digraph(), graphviz.Digraph)
    True
    """

    budget: float | None = None
    """Seconds ``dot`` may take before it is stopped and the coarser view drawn (None: any)."""
    coarser: Callable[[float], Digraph | None] | None = None
    """Builds the fallback picture, given the budget that was passed (None: none coarser)."""

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        """Render and return the output (bytes, or str with ``encoding``); see graphviz."""
        fmt = kwargs.get("format") or (args[0] if args else None) or self.format
        if self.budget is not None and not set(kwargs) - {"format", "encoding"} \
                and len(args) <= 1:
            data = self.settle(fmt)
            encoding = kwargs.get("encoding")
            return data.decode(encoding) if encoding else data
        with _dot_errors(fmt):
            return super().pipe(*args, **kwargs)

    def render(self, filename: Any = None, directory: Any = None, view: bool = False,
               cleanup: bool = False, format: str | None = None, **kwargs: Any) -> str:
        """Save the DOT source and render it to a file; returns the rendered file's path."""
        fmt = format or self.format
        if self.budget is not None and not view and not kwargs:
            data = self.settle(fmt)  # within budget, or now the coarser picture
            source = self.save(filename, directory=directory)
            rendered = f"{source}.{fmt}"
            with open(rendered, "wb") as out:
                out.write(data)
            if cleanup:
                os.remove(source)
            return rendered
        if self.budget is not None:
            self.settle(fmt)
        with _dot_errors(fmt):
            return super().render(filename, directory=directory, view=view, cleanup=cleanup,
                                  format=format, **kwargs)

    def settle(self, fmt: str = "svg") -> bytes:
        """Lay out and render within :attr:`budget`; past it, stop ``dot``, become the
        :attr:`coarser` picture and render that.  Returns the rendered bytes.

        >>> g = Digraph(); g.budget = 10.0
        >>> g.settle("svg").startswith(b"<?xml")  # doctest: +SKIP
        True
        """
        budget = self.budget if self.budget is not None else float("inf")
        try:
            return run_dot(self.source, fmt, self.engine, budget)
        except subprocess.TimeoutExpired:
            fallback = self.coarser(budget) if self.coarser is not None else None
            if fallback is None:
                raise LayoutBudgetError(budget, _node_count(self.source)) from None
        budget = max(budget, FALLBACK_SECONDS)
        try:
            data = run_dot(fallback.source, fmt, fallback.engine, budget)
        except subprocess.TimeoutExpired:
            raise LayoutBudgetError(budget, _node_count(fallback.source)) from None
        self.body[:] = fallback.body
        for mine, theirs in ((self.graph_attr, fallback.graph_attr),
                             (self.node_attr, fallback.node_attr),
                             (self.edge_attr, fallback.edge_attr)):
            mine.clear()
            mine.update(theirs)
        self.coarser, self.budget = None, budget
        return data

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


FALLBACK_SECONDS = 10.0
"""The least time the coarser picture gets (it is small: a few hundred nodes at most)."""


def run_dot(source: str, fmt: str, engine: str = "dot", timeout: float = float("inf")) -> bytes:
    """Run Graphviz on ``source`` and return the ``fmt`` output; past ``timeout`` seconds the
    process is killed and ``subprocess.TimeoutExpired`` raised.

    >>> run_dot("digraph { a -> b }", "svg", timeout=30).startswith(b"<?xml")  # doctest: +SKIP
    True
    """
    with _dot_errors(fmt):
        try:
            done = subprocess.run([engine, f"-T{fmt}"], input=source.encode(),
                                  capture_output=True, check=True,
                                  timeout=None if timeout == float("inf") else timeout)
        except FileNotFoundError as err:
            raise GraphvizNotFoundError(f"failed to execute {[engine, f'-T{fmt}']!r}") from err
        return done.stdout


def _node_count(source: str) -> int:
    names = (re.match(r"\s*(\w+) \[", line) for line in source.splitlines())
    return sum(1 for m in names if m and m.group(1) not in ("graph", "node", "edge"))


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
