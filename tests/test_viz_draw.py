"""viz.draw: structure of the DOT source — nodes, edges per use, labels, styles, clusters,
collapsing, gradient flow and flags.  (Rendering with the real `dot` is in test_viz_render.)"""

from __future__ import annotations

import re
import warnings

import graphviz
import numpy as np
import pytest
from conftest import course_circuit

import viz
from autograd import Value, cross_entropy, maximum, name_scope


def nodes(src: str) -> dict[str, str]:
    """Node name -> its attribute text, for node statements in the DOT source."""
    out = {}
    for line in src.splitlines():
        m = re.match(r"\s*([vom]\d+|more|legend) \[(.*)\]\s*$", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def edges(src: str) -> list[tuple[str, str, str]]:
    """(tail, head, attributes) for every edge statement."""
    out = []
    for line in src.splitlines():
        m = re.match(r"\s*(\w+) -> (\w+)(?: \[(.*)\])?\s*$", line)
        if m:
            out.append((m.group(1), m.group(2), m.group(3) or ""))
    return out


def attr(text: str, name: str) -> str | None:
    m = re.search(rf'\b{name}=("([^"]*)"|[^\s\]]+)', text)
    if not m:
        return None
    return m.group(2) if m.group(2) is not None else m.group(1)


def test_course_circuit_counts_and_labels_forward():
    f, v = course_circuit()
    g = viz.draw(f)
    assert isinstance(g, graphviz.Digraph)
    src = g.source
    ns = nodes(src)
    values = [n for n in ns if n.startswith("v")]
    ops = [n for n in ns if n.startswith("o")]
    # values: 2, x, y, x*y, z, w, max, +, f; ops: mul, maximum, add, mul
    assert (len(values), len(ops)) == (9, 4)
    assert "legend" not in ns  # forward view: no gradients yet
    es = edges(src)
    assert len(es) == 8 + 4  # one per use (4 binary ops) + op -> value
    for name in "xyzw":
        assert f"<B>{name}</B>" in src
    assert "data 3.00" in src and "data -4.00" in src and "data -20.00" in src
    assert "grad" not in src.replace("gradgate", "")


def test_course_circuit_after_backward_shows_grads_and_flow():
    f, v = course_circuit()
    f.backward()
    src = viz.draw(f).source
    for text in ("grad -8.00", "grad 6.00", "grad 2.00", "grad 1.00"):
        assert text in src
    ns = nodes(src)
    assert "legend" in ns and "gradient flowing back" in ns["legend"]
    es = edges(src)
    x_edge = [a for t, h, a in es if t == f"v{_index(f, v['x'])}"][0]
    w_edge = [a for t, h, a in es if t == f"v{_index(f, v['w'])}"][0]
    z_edge = [a for t, h, a in es if t == f"v{_index(f, v['z'])}"][0]
    # |8| flows along x's edge, 2 along z's, nothing along w's (the max gate routes to z)
    assert float(attr(x_edge, "penwidth")) > float(attr(z_edge, "penwidth"))
    assert attr(w_edge, "style") == "dotted"
    assert attr(x_edge, "label").strip() == "-8.00"
    assert attr(w_edge, "label").strip() == "0.00"


def _index(root: Value, value: Value) -> int:
    from viz.graphview import GraphView

    return GraphView(root).index[id(value)]


def test_one_edge_per_use():
    a = Value(3.0, label="a")
    b = a * a
    src = viz.draw(b).source
    assert sum(1 for t, h, _ in edges(src) if (t, h) == ("v0", "o1")) == 2
    c = a * a + a  # a used three times
    src = viz.draw(c).source
    assert sum(1 for t, _, _ in edges(src) if t == "v0") == 3


def test_family_styles_are_distinct_and_named():
    x = Value(0.5, label="x")
    y = maximum(x * 2 + 1, x).tanh()
    src = viz.draw(y).source
    ops = {n: a for n, a in nodes(src).items() if n.startswith("o")}
    styles = {}
    for a in ops.values():
        op = re.search(r"<B>(\w+)</B>", a).group(1)
        styles[op] = (attr(a, "shape"), attr(a, "fillcolor"))
    assert set(styles) == {"mul", "add", "maximum", "tanh"}
    assert len(set(styles.values())) == 4  # one look per family
    assert "mul gate · swaps" in src and "add gate · distributes" in src
    assert "max gate · routes" in src and "local gate · local derivative" in src


def test_inputs_constants_params_and_output_told_apart():
    w = Value(0.5, label="w")
    x = Value(2.0, label="x", requires_grad=False)
    out = w * x + 1
    src = viz.draw(out, params={"w": w}).source
    assert ">param<" in src and ">input<" in src and ">output<" in src
    fills = {attr(a, "class"): re.search(r'BGCOLOR="([^"]+)"', a).group(1)
             for n, a in nodes(src).items() if n.startswith("v")}
    assert len(set(fills.values())) == 4  # param, input, const, output


def test_tensor_nodes_show_shape_dtype_and_summaries():
    t = Value(np.array([[3.0, -4.0, 0.0], [0.0, 0.0, 0.0]], dtype=np.float32), label="T")
    out = (t * 2).sum()
    src = viz.draw(out).source
    assert "2×3 float32" in src
    assert ">5.00<" in src  # norm of T
    assert ">1.17<" in src and ">4.00<" in src  # mean |T| = 7/6, max |T| = 4
    out.backward()
    src = viz.draw(out).source
    assert "‖·‖" in src and "mean|x|" in src and "max|x|" in src
    assert re.search(r"grad</FONT></TD>.*?>4.90<", src)  # ‖2·ones(2,3)‖ = √24


def test_rankdir_theme_and_defaults():
    f, _ = course_circuit()
    assert "rankdir=LR" in viz.draw(f).source
    assert "rankdir=TB" in viz.draw(f, rankdir="TB").source
    assert "rankdir=TB" in viz.draw(Value(np.ones(2)).sum()).source  # tensor default
    assert "bgcolor=\"#1e1f24\"" in viz.draw(f, theme="dark").source
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw(f, rankdir="sideways")
    with pytest.raises(ValueError, match="unknown theme"):
        viz.draw(f, theme="neon")
    with pytest.raises(TypeError, match="expected an autograd Value"):
        viz.draw(3.0)


def test_forward_only_hides_grads_after_backward():
    f, _ = course_circuit()
    f.backward()
    src = viz.draw(f, forward_only=True).source
    assert "grad -8.00" not in src and "legend" not in nodes(src)
    src = viz.draw(f, forward_only=False).source
    assert "grad -8.00" in src


def test_draw_changes_no_grad():
    f, v = course_circuit()
    f.backward()
    before = {k: x.grad for k, x in v.items()}
    viz.draw(f)
    assert {k: x.grad for k, x in v.items()} == before


def test_clusters_by_name_scope():
    x = Value(1.0, label="x")
    with name_scope("encoder"):
        with name_scope("fc1"):
            h = (x * 2).tanh()
        with name_scope("fc2"):
            y = h * 3
    src = viz.draw(y).source
    assert src.count("subgraph cluster_") == 3
    assert "<B>encoder</B>" in src and "<B>encoder.fc1</B>" in src
    assert "<B>encoder.fc2</B>" in src
    # x (made outside any scope) is drawn outside the clusters: before the first subgraph
    assert src.index("v0 [") < src.index("subgraph")
    no_clusters = viz.draw(y, clusters=False).source
    assert "subgraph" not in no_clusters


def test_collapse_draws_module_as_one_box():
    x = Value(1.0, label="x")
    with name_scope("block"):
        y = ((x * 2).tanh() + 1) * x
    z = y * 5
    src = viz.draw(z, collapse="block").source
    ns = nodes(src)
    assert "m0" in ns and "<B>block</B>" in ns["m0"]
    assert "4 ops, 6 values" in ns["m0"]  # the constants made inside count as its values
    assert set(ns) == {"v0", "m0", "v7", "o8", "v8"}  # x, the box, const 5, mul, output
    es = edges(src)
    # x feeds the box twice (mul by 2 and the final mul): one edge marked ×2
    into_box = [(t, a) for t, h, a in es if h == "m0"]
    assert len(into_box) == 1 and "×2" in into_box[0][1]
    with pytest.raises(ValueError, match="names no module"):
        viz.draw(z, collapse="nope")


def test_auto_collapse_past_node_budget_says_so():
    x = Value(0.1, label="x")
    h = x
    for k in range(6):
        with name_scope(f"layer{k}"):
            for _ in range(5):
                h = (h * 1.1).tanh()
    src = viz.draw(h, max_nodes=30).source
    assert "collapsed automatically" in src and "max_nodes=30" in src
    assert len(nodes(src)) <= 30
    assert "<B>layer0</B>" in src
    assert "collapsed automatically" not in viz.draw(h, max_nodes=None).source


def test_truncates_unscoped_graph_past_budget_and_says_so():
    x = Value(0.5, label="x")
    h = x
    for _ in range(200):
        h = h * 0.99 + 0.01
    src = viz.draw(h, max_nodes=40).source
    ns = nodes(src)
    assert len(ns) <= 40
    assert "more" in ns and "earlier values not drawn" in ns["more"]
    assert "too big to draw whole" in src


def test_deep_graph_draws_without_recursion():
    h = Value(1.0, label="x")
    for _ in range(3000):
        h = h + 1.0
    g = viz.draw(h, max_nodes=None)
    assert len(nodes(g.source)) == 3001 + 3000 + 3000


def test_nan_and_inf_render_as_such():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = Value(float("inf"), label="a")
        b = Value(float("nan"), label="b")
        t = Value(np.array([1.0, np.nan, np.inf]), label="t")
        out = (a * b) + (t * 2).sum()
    src = viz.draw(out).source
    assert "data inf" in src and "data nan" in src
    assert "1 nan 1 inf" in src
    assert "non-finite data" in src


def test_vanishing_and_exploding_flags():
    a = Value(1e-9, label="tiny")
    b = Value(1e6, label="huge")
    out = a * 1e-3 + b * b
    out.backward()
    src = viz.draw(out).source
    ns = nodes(src)
    # d/d tiny = 1e-3 (fine), d/d huge = 2e6 (exploding); the constant 1e-3 needs no grad
    huge = [a for n, a in ns.items() if "<B>huge</B>" in a][0]
    assert "exploding grad" in huge
    c = Value(2.0, label="c")
    small = c * 1e-8
    small.backward()
    src = viz.draw(small).source
    assert "vanishing grad" in src
    assert "vanishing" not in viz.draw(small, vanish=1e-9).source.split("legend")[0]


def test_tensor_graph_draws_after_saved_tensors_freed():
    rng = np.random.default_rng(0)
    w = Value(rng.standard_normal((3, 4)), label="W")
    x = Value(rng.standard_normal((2, 3)), label="x", requires_grad=False)
    loss = cross_entropy(x @ w, np.array([0, 3]))
    loss.backward()  # frees the saved intermediates
    src = viz.draw(loss).source
    assert "W" in src and "legend" in nodes(src)


def test_small_cnn_forward_draws_with_one_cluster_per_layer():
    layers = pytest.importorskip("layers")
    net = layers.lenet_digits()
    x = Value(np.random.default_rng(0).standard_normal((2, 1, 8, 8)), requires_grad=False)
    loss = cross_entropy(net(x), np.array([1, 7]))
    src = viz.draw(loss).source
    for path in ("features", "features.0", "features.3", "classifier", "classifier.1"):
        assert f"<B>{path}</B>" in src
    assert "<B>features.0.weight</B>" in src and ">param<" in src
    assert src.count("<B>conv2d</B>") == 2 and src.count("<B>max_pool2d</B>") == 2
    assert "collapsed automatically" not in src
    boxed = viz.draw(loss, collapse=True).source
    assert len(nodes(boxed)) <= 8


def test_params_module_names_unlabelled_parameters():
    layers = pytest.importorskip("layers")
    lin = layers.Linear(3, 2)
    for p in lin.parameters():
        p.label = None
    out = lin.forward(Value(np.ones((1, 3)), requires_grad=False)).sum()
    src = viz.draw(out, params=lin).source
    assert "<B>weight</B>" in src and "<B>bias</B>" in src
