"""Big graphs in viz.draw: shared leaves drawn per use as aliases, the layout limits and the
time budget with its coarser fallback (rendering with the real ``dot`` where it is needed)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from test_viz_draw import attr, edges, nodes

import viz
from autograd import Value, name_scope
from viz.aliases import ALIAS_SPAN
from viz.digraph import run_dot
from viz.graphview import GraphView
from viz.layout import FALLBACK_NODES, LAYOUT_LIMITS, LIMITS_FROM


def chain(steps: int, inputs: int = 3) -> tuple[Value, list[Value]]:
    """``acc = tanh(acc * x_i + 0.1)`` cycling ``inputs`` labelled inputs, after backward."""
    xs = [Value(0.1 * (i + 2), label=f"x{i}") for i in range(inputs)]
    acc = Value(0.5, label="acc0")
    for i in range(steps):
        acc = (acc * xs[i % inputs] + 0.1).tanh()
    acc.backward()
    return acc, xs


def alias_nodes(src: str) -> dict[str, str]:
    out = {}
    for line in src.splitlines():
        m = re.match(r"\s*(a\d+_\d+) \[(.*)\]\s*$", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def require_dot() -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not available")


def test_far_uses_of_a_shared_leaf_are_aliases_that_keep_every_edge_and_gradient():
    out, xs = chain(30)
    view = GraphView(out)
    src = viz.draw(out, max_nodes=None, edge_labels=True).source
    es = edges(src)
    aliases = alias_nodes(src)
    assert aliases  # x0..x2 are each used 10 times, up to ~170 ranks apart
    for x in xs:
        i = view.index[id(x)]
        uses = view.uses[i]
        drawn_from = {}
        for tail, head, a in es:
            m = re.search(r'class="?gge_(\d+)_(\d+)', a)
            if m and view.parents(int(m.group(1)))[int(m.group(2))] == i:
                use = (int(m.group(1)), int(m.group(2)))
                assert use not in drawn_from, "one edge per use"
                assert head == f"o{use[0]}"
                drawn_from[use] = (tail, a)
        assert sorted(drawn_from) == sorted(uses)  # every use keeps its edge
        direct = [u for u, (t, _) in drawn_from.items() if t == f"v{i}"]
        aliased = [u for u, (t, _) in drawn_from.items() if t.startswith("a")]
        assert direct and aliased and len(direct) + len(aliased) == len(uses)
        for (child, pos), (tail, a) in drawn_from.items():
            # the edge carries that use's gradient: d(x*acc)/dx times upstream
            parent_acc = view.values[view.parents(child)[1 - pos]]
            sent = view.values[child].grad * parent_acc.data
            assert attr(a, "label").strip() == viz.fmt(sent)
            if tail.startswith("a"):
                tip = attr(aliases[tail], "tooltip")
                assert f"alias of input {x.label} for one of its {len(uses)} uses" in tip
                assert f"this use's gradient {viz.fmt(sent)}" in tip
                assert f"total gradient {viz.fmt(x.grad)} is on the original" in tip
                assert f"<B>{x.label}</B>" in attr(aliases[tail], "label")
        original = nodes(src)[f"v{i}"]
        assert f"grad {viz.fmt(x.grad)}" in original  # the total stays on the original
        assert f"drawn again as {len(aliased)} aliases" in attr(original, "tooltip")


def test_aliases_only_past_the_span_and_switched_off():
    out, _ = chain(30)
    src = viz.draw(out, max_nodes=None).source
    n_default = len(alias_nodes(src))
    assert 0 < n_default < 30
    assert 0 < len(alias_nodes(viz.draw(out, max_nodes=None, aliases=100).source)) < n_default
    off = viz.draw(out, max_nodes=None, aliases=False).source
    assert alias_nodes(off) == {} and "alias" not in off
    assert len(edges(off)) == len(edges(src))  # the same edges, drawn from the leaves
    short, _ = chain(ALIAS_SPAN // 6)  # uses 18 ranks apart, all within the span
    assert alias_nodes(viz.draw(short).source) == {}
    with pytest.raises(ValueError, match="aliases must be True, False or a span"):
        viz.draw(out, aliases=-1)


def test_layout_limits_only_for_big_pictures():
    small, _ = chain(10)
    assert "nslimit" not in viz.draw(small).source
    big, _ = chain(LIMITS_FROM // 4)
    src = viz.draw(big, max_nodes=None).source
    for key, value in LAYOUT_LIMITS.items():
        assert f"{key}={value}" in src


def test_budget_must_be_positive():
    with pytest.raises(ValueError, match="budget must be a number of seconds > 0"):
        viz.draw(Value(1.0) * 2, budget=0)


def test_a_tiny_budget_falls_back_to_a_coarser_picture_and_says_so(tmp_path):
    require_dot()
    out, _ = chain(120)
    g = viz.draw(out, max_nodes=None, budget=0.001)
    assert "time budget" not in g.source
    svg = g.svg()
    assert "layout stopped after 0.001 s (the time budget): a coarser view" in svg
    assert re.search(r"a coarser view of the \d+ nodes, the \d+ nodes nearest the output, "
                     r"\d+ earlier values left out. budget=None waits for the whole picture",
                     g.source)  # the Digraph became the coarser picture
    assert len(nodes(g.source)) + len(alias_nodes(g.source)) <= FALLBACK_NODES + 30
    path = g.render(tmp_path / "chain", format="svg")
    assert path == str(tmp_path / "chain.svg")
    assert "a coarser view" in open(path, encoding="utf-8").read()
    assert (tmp_path / "chain").read_text(encoding="utf-8") == g.source  # what was drawn
    inline = viz.draw(out, max_nodes=None, budget=0.001)._repr_mimebundle_()  # Jupyter
    assert "a coarser view" in inline["image/svg+xml"]


def test_a_tiny_budget_collapses_modules_first():
    require_dot()
    h = Value(0.3, label="x")
    for b in range(8):
        with name_scope(f"block{b}"):
            for _ in range(12):
                h = (h * 1.01 + 0.1).tanh()
    h.backward()
    g = viz.draw(h, max_nodes=None, budget=0.001)
    svg = g.svg()
    assert "a coarser view of the" in svg and "modules drawn as boxes: block0, block1" in svg
    assert len(nodes(g.source)) <= 20  # eight boxes, the input, the output and their ops


def test_nothing_coarser_past_the_budget_is_a_clear_error():
    require_dot()
    g = viz.draw(Value(1.0, label="lonely"), budget=1e-6)
    with pytest.raises(viz.LayoutBudgetError, match=r"within the 1e-06 s budget.*budget=None"):
        g.svg()


def test_without_budget_dot_runs_as_long_as_it_takes():
    require_dot()
    out, _ = chain(5)
    g = viz.draw(out, budget=None)
    assert g.budget is None and "<svg" in g.svg()


def dot_children() -> list[int]:
    """Process ids of this process's ``dot`` children (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, rest = stat.read_text().split(" (", 1)
        except OSError:
            continue
        name, fields = rest.rsplit(") ", 1)
        if name == "dot" and int(fields.split()[1]) == os.getpid():
            found.append(int(pid))
    return found


def test_a_layout_past_its_budget_stops_dot():
    require_dot()
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs Linux /proc to see child processes")
    out, _ = chain(40)  # 120 ops cycling 3 inputs, no aliases: seconds of layout in dot
    source = viz.draw(out, max_nodes=None, aliases=False, budget=None).source
    start = time.perf_counter()
    with pytest.raises(subprocess.TimeoutExpired):
        run_dot(source, "svg", timeout=0.3)
    assert time.perf_counter() - start < 3
    assert dot_children() == []  # killed and reaped, not left running
