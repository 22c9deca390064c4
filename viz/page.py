"""What every player shares as a Python object: ``save_html`` and Jupyter's ``_repr_html_``.

A player class supplies ``to_html(full_page)``; :class:`HtmlPage` writes that page to a file
atomically and shows it inline, with Graphviz's error (and the fix) in its place when ``dot``
cannot draw.
"""

from __future__ import annotations

import os

from autograd.utils import write_atomic

from .errors import GraphvizNotFoundError, GraphvizRenderError
from .escape import html_text


def whole_page(fragment: str, title: str, background: str) -> str:
    """``fragment`` as a standalone HTML page titled ``title`` (escaped here).

    >>> whole_page("<p>hi</p>", "a < b", "#fff").splitlines()[1]
    '<html lang="en"><head><meta charset="utf-8"><title>a &lt; b</title></head>'
    """
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html_text(title)}</title></head>\n<body style=\"background:{background}\">"
            f"\n{fragment}\n</body></html>\n")


class HtmlPage:
    """Mixin for objects that render themselves as an HTML player with ``to_html``.

    >>> class Hello(HtmlPage):
    ...     def to_html(self, full_page: bool = False) -> str:
    ...         return "<p>hello</p>"
    >>> Hello()._repr_html_()
    '<p>hello</p>'
    """

    def to_html(self, full_page: bool = False) -> str:
        """The HTML player (a fragment, or a whole page with ``full_page=True``)."""
        raise NotImplementedError(f"{type(self).__name__} must define to_html")

    def save_html(self, path: str | os.PathLike[str]) -> str:
        """Write the self-contained HTML player to ``path``; returns ``path``.

        The page is rendered before anything is written, and written through a temporary
        file, so a failure (Graphviz's ``dot`` missing, a full disk) leaves no empty or
        half-written file behind and an existing ``path`` as it was.

        >>> import os, tempfile
        >>> class Hello(HtmlPage):
        ...     def to_html(self, full_page: bool = False) -> str:
        ...         return "<html>hello</html>" if full_page else "hello"
        >>> path = os.path.join(tempfile.mkdtemp(), "player.html")
        >>> Hello().save_html(path) == path, open(path).read()
        (True, '<html>hello</html>')
        """
        write_atomic(path, self.to_html(full_page=True))
        return str(path)

    def _repr_html_(self) -> str:
        try:
            return self.to_html()
        except (GraphvizNotFoundError, GraphvizRenderError) as err:
            return f"<pre>{html_text(err)}</pre>{self._without_graphviz()}"

    def _without_graphviz(self) -> str:
        """HTML shown under Graphviz's error in place of the player (nothing by default)."""
        return ""
