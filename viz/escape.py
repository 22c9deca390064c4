"""Escaping of user text (labels, op names, module paths) before it reaches DOT or HTML.

Graphviz reads three kinds of strings and each has its own dangers:

- HTML-like labels (``label=<...>``): ``<``, ``>``, ``&`` and quotes must become entities and
  a newline must become ``<BR/>``; this is what every label in a gradgate picture uses.
- quoted attribute strings (tooltips, ids): a backslash starts an escape (``\\N`` is the node
  name, ``\\l`` a line break) and an odd final backslash breaks the quoting.
- HTML pages (the stepper's player): the usual ``html.escape``.

Control characters other than newline and tab are replaced by ``U+FFFD`` everywhere: Graphviz
and XML both reject them.  Non-ASCII text (``∂L/∂x``, ``λ``) passes through as UTF-8.

Graphviz refuses any string, quoted or HTML-like, longer than 16384 bytes.  So a piece of text
in a label is shortened for display to :data:`LABEL_CHARS` characters (a label holds a few such
texts, each character at most 6 bytes escaped), and a tooltip keeps as much of its text as fits in
:data:`STRING_BYTES`, which is the whole of any label short enough to matter.

>>> dot_html("a<b & \\"c\\"")
'a&lt;b &amp; &quot;c&quot;'
>>> dot_html("two\\nlines")
'two<BR/>lines'
"""

from __future__ import annotations

import html
import re

import graphviz

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

LABEL_CHARS = 300
STRING_BYTES = 16000


def shorten(text: str, limit: int = LABEL_CHARS) -> str:
    """``text`` cut to ``limit`` characters, the cut marked with an ellipsis.

    >>> shorten("x" * 400, 10)
    'xxxxxxxxx…'
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clean(text: object) -> str:
    """``str(text)`` with control characters (bar newline and tab) replaced by U+FFFD.

    >>> clean("a\\x00b")
    'a\\ufffdb'
    """
    return _CONTROL.sub("\ufffd", str(text)).replace("\r\n", "\n").replace("\r", "\n")


def dot_html(text: object) -> str:
    """Escape text for the inside of a Graphviz HTML-like label; newlines become ``<BR/>``.

    Text over :data:`LABEL_CHARS` characters is shortened for display (see :func:`shorten`).

    >>> dot_html("{x}|<y>")
    '{x}|&lt;y&gt;'
    """
    escaped = html.escape(shorten(clean(text)), quote=True).replace("\t", " ")
    return escaped.replace("\n", "<BR/>")


def dot_string(text: object) -> graphviz.quoting.NoHtml:
    """Make a plain DOT attribute string (tooltip, comment) that Graphviz shows verbatim.

    Backslashes are doubled and newlines become ``\\n``; the result is wrapped in
    ``graphviz.nohtml`` so that text like ``<lambda>`` is not mistaken for an HTML label.

    Text whose escaped form would pass :data:`STRING_BYTES` keeps as much as fits, then says
    how many characters were left out.

    >>> str(dot_string("C:\\\\temp\\nnext"))
    'C:\\\\\\\\temp\\\\nnext'
    >>> len(str(dot_string("y" * 100_000)).encode()) <= STRING_BYTES
    True
    """
    text = clean(text)
    escaped = _dot_escape(text)
    keep = len(text)
    while _dot_bytes(escaped) > STRING_BYTES:  # each character costs at least one byte
        keep -= _dot_bytes(escaped) - STRING_BYTES
        escaped = _dot_escape(f"{text[:keep]}… ({len(text) - keep} more characters)")
    return graphviz.nohtml(escaped)


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", " ")


def _dot_bytes(escaped: str) -> int:
    """Bytes of ``escaped`` in the DOT source, where graphviz writes each ``"`` as ``\\"``."""
    return len(escaped.encode()) + escaped.count('"')


def html_text(text: object) -> str:
    """Escape text for an HTML page (element content or a quoted attribute value).

    >>> html_text("<script>alert('x')</script>")
    '&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;'
    """
    return html.escape(clean(text), quote=True)
