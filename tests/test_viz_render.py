"""Rendering with the real Graphviz `dot` (skipped without it, unless CI is set), hostile
labels escaped for DOT and HTML, and a clear message when `dot` is missing."""

from __future__ import annotations

import html
import os
import re
import shutil
import warnings
from pathlib import Path

import graphviz
import numpy as np
import pytest
from conftest import course_circuit

import viz
from autograd import Value, name_scope
from viz.escape import LABEL_CHARS, clean, dot_html, dot_string, html_text

HOSTILE = ['quote " and \' ', "{braces} | <angle> & amp;", "new\nline\r\nCR", "tab\there",
           "back\\slash\\", "ünïcødé ∂L/∂x λ→ 日本", "</script><script>alert(1)</script>",
           "ctrl\x00\x07\x1b", "<<B>html</B>>", "\\N \\G \\E \\l"]


def require_dot() -> None:
    if shutil.which("dot") is None:
        if os.environ.get("CI"):
            pytest.fail("Graphviz's dot is required in CI (.ci/install installs it)")
        pytest.skip("Graphviz's dot is not installed")


def test_svg_png_pdf_render(tmp_path: Path):
    require_dot()
    f = course_circuit()[0]
    f.backward()
    g = viz.draw(f)
    svg = g.pipe(format="svg", encoding="utf-8")
    assert "<svg" in svg and "grad &#45;8.00" in svg and "gradient flowing back" in svg
    assert g.pipe(format="png")[:8] == b"\x89PNG\r\n\x1a\n"
    out = g.render(tmp_path / "circuit", format="pdf", cleanup=True)
    assert Path(out).read_bytes()[:5] == b"%PDF-"
    bundle = g._repr_mimebundle_()
    assert "image/svg+xml" in bundle


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_labels_render(label: str):
    require_dot()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a backslash-ended label may make graphviz warn
        a = Value(1.5, label=label)
        with name_scope(label.replace(".", "_").replace("\n", " ") or "s"):
            out = a * a
        out.label = label
        out.backward()
        g = viz.draw(out, title=label)
    svg = g.svg()  # dot accepts the source: no syntax error
    assert "<svg" in svg
    visible = clean(label).split("\n")[0].strip().split()[0]
    visible = visible.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert visible in svg


def test_escape_functions():
    assert dot_html('<b>"x" & {y}</b>') == "&lt;b&gt;&quot;x&quot; &amp; {y}&lt;/b&gt;"
    assert dot_html("a\nb") == "a<BR/>b"
    assert dot_html("a\x00b") == "a\ufffdb"
    assert str(dot_string("x\\y\n")) == "x\\\\y\\n"
    assert isinstance(dot_string("<lambda>"), type(dot_string("")))
    assert html_text("<script>") == "&lt;script&gt;"
    assert html_text("é∂") == "é∂"


def test_hostile_op_scope_and_label_never_reach_dot_raw():
    a = Value(2.0, label='<TABLE> "x" & {y}')
    with name_scope('scope<"&>'):
        b = a.tanh()
    src = viz.draw(b).source
    assert "<TABLE> \"x\"" not in src
    assert "&lt;TABLE&gt; &quot;x&quot; &amp; {y}" in src
    assert "scope&lt;&quot;&amp;&gt;" in src


def test_missing_dot_gives_install_message_and_keeps_source(monkeypatch, tmp_path):
    f = course_circuit()[0]
    g = viz.draw(f)
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot there
    with pytest.raises(viz.GraphvizNotFoundError) as err:
        g.pipe(format="svg")
    message = str(err.value)
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    assert ".source" in message
    with pytest.raises(viz.GraphvizNotFoundError):
        g.render(tmp_path / "out", format="png")
    assert "digraph" in g.source  # the DOT source is still there
    bundle = g._repr_mimebundle_()
    assert "apt-get install graphviz" in bundle["text/plain"]
    assert "digraph" in bundle["text/plain"] and "<details>" in bundle["text/html"]
    with pytest.raises(viz.GraphvizNotFoundError):
        viz.step(f).save_html(tmp_path / "player.html")
    shown = viz.step(f)._repr_html_()  # a notebook cell shows the fix, not a traceback
    assert "apt-get install graphviz" in shown and "x gets -4.00" in shown


@pytest.mark.parametrize("n", [10_000, 17_000, 2_000_000])
@pytest.mark.parametrize("kind", ["scalar", "tensor", "module"])
def test_very_long_labels_are_shortened_for_display(kind: str, n: int):
    require_dot()
    label = "<&" + "x" * n  # escaped, '<&' alone is 9 bytes
    if kind == "module":
        layers = pytest.importorskip("layers")
        name = label.replace("<&", "m")  # a long attribute name: a long module path

        class Net(layers.Module):
            def __init__(self) -> None:
                super().__init__()
                setattr(self, name, layers.Linear(2, 1))

            def forward(self, x: Value) -> Value:
                return getattr(self, name)(x)

        out = Net()(np.ones((1, 2))).sum()
    else:
        a = Value(1.5 if kind == "scalar" else np.ones(2), label=label)
        out = (a * a).sum() if kind == "tensor" else a * a
    out.backward()
    svg = viz.draw(out, title=label).svg()  # no syntax error, no BrokenPipeError
    assert ("&lt;&amp;" if kind != "module" else "m") + "x" * 200 in svg
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert max(len(html.unescape(t)) for t in texts) == LABEL_CHARS  # shortened for display
    if n <= 15_000 and kind != "module":
        assert 'xlink:title="&lt;&amp;' + "x" * n in svg  # the tooltip has it in full


def test_tooltip_keeps_what_fits_and_says_what_was_left_out():
    require_dot()
    a = Value(2.0, label="\\" + '"' * 9000 + "é" * 9000)
    svg = viz.draw(a * a).svg()
    assert "more characters)" in svg


def test_a_tooltip_of_a_label_that_fits_is_complete():
    text = "λ" * 5000
    assert str(dot_string(text)) == text


def test_dot_failure_is_a_clear_error(tmp_path: Path):
    require_dot()
    g = viz.Digraph()
    g.body.append("bad syntax {{{")  # raw DOT, as only a bug could produce
    with pytest.raises(viz.GraphvizRenderError) as err:
        g.pipe(format="svg")
    message = str(err.value)
    assert message.startswith("viz: Graphviz's `dot` failed (exit status 1)")
    assert "syntax error" in message and ".source" in message
    with pytest.raises(viz.GraphvizRenderError, match="as png"):
        g.render(tmp_path / "bad", format="png")
    bundle = g._repr_mimebundle_()  # a notebook shows the error and the source
    assert "syntax error" in bundle["text/plain"] and "bad syntax" in bundle["text/plain"]


def test_dot_quitting_before_reading_its_input_is_a_clear_error():
    require_dot()
    g = viz.Digraph()
    g.node("a", graphviz.nohtml("x" * 3_000_000))  # over Graphviz's limit, unshortened
    with pytest.raises(viz.GraphvizRenderError) as err:  # not BrokenPipeError
        g.pipe(format="svg")
    assert str(err.value).startswith("viz: Graphviz's `dot`")


def test_small_cnn_and_mlp_render():
    require_dot()
    layers = pytest.importorskip("layers")
    from autograd import cross_entropy

    net = layers.lenet_digits()
    x = Value(np.random.default_rng(0).standard_normal((2, 1, 8, 8)), requires_grad=False)
    loss = cross_entropy(net(x), np.array([3, 5]))
    svg = viz.draw(loss).svg()
    assert svg.count('class="cluster"') >= 8
    loss.backward()
    assert "gradient flowing back" in viz.draw(loss).svg()
    mlp = layers.MLP(2, [4, 1])
    out = mlp(np.ones((3, 2))).sum()
    out.backward()
    assert "<svg" in viz.draw(out, collapse=True).svg()
