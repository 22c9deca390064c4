"""viz.train_player: it trains exactly as the hand-written loop does, records forward,
backward and update of every step, and its HTML player is driven in headless Chromium
(screenshots of each phase go to tests/artifacts/)."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from browser import ARTIFACTS, browser_page, require_dot

import autograd
import layers
import viz
from autograd import Value, cross_entropy
from viz.summary import fmt

# ---------------------------------------------------------------- models


class ScalarNet:
    """A micrograd-style MLP over scalar Values: ReLU hidden layers, a linear output."""

    def __init__(self, sizes: list[int], seed: int = 0):
        rng = np.random.default_rng(seed)
        self.layers = []
        for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            self.layers.append([([Value(float(rng.uniform(-1, 1)), label=f"h{k}.{j}.w{i}")
                                  for i in range(n_in)], Value(0.0, label=f"h{k}.{j}.b"))
                                for j in range(n_out)])

    def __call__(self, batch):
        outs = []
        for point in batch:
            h = [Value(float(c)) for c in point]
            for depth, layer in enumerate(self.layers):
                h = [sum((w * a for w, a in zip(ws, h)), b) for ws, b in layer]
                if depth < len(self.layers) - 1:
                    h = [a.relu() for a in h]
            outs.append(h[0])
        return outs

    def parameters(self):
        return [p for layer in self.layers for ws, b in layer for p in [*ws, b]]


def hinge(scores, ys):
    """Mean SVM loss over scores with labels ±1."""
    return sum((1 + -y * s).relu() for s, y in zip(scores, ys)) * (1.0 / len(ys))


POINTS = [[0.5, -1.0], [-1.5, 0.3], [1.0, 1.0], [-0.2, -0.7]]
SIGNS = [1.0, -1.0, 1.0, -1.0]


def hand_loop(model, loss_fn, x, y, optimizer, steps):
    """The loop a learner writes."""
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(float(loss.data))
    return losses


def moons_mlp(seed: int = 0, **kw):
    autograd.manual_seed(seed)
    return layers.MLP(2, [8, 8, 2], **kw)


# ---------------------------------------------------------------- training is untouched


@pytest.mark.parametrize("make_opt", [
    lambda ps: layers.SGD(ps, lr=0.3),
    lambda ps: layers.SGD(ps, lr=0.1, momentum=0.9, weight_decay=1e-3, nesterov=True),
    lambda ps: layers.Adam(ps, lr=0.02),
    lambda ps: layers.AdamW(ps, lr=0.02),
], ids=["sgd", "nesterov", "adam", "adamw"])
@pytest.mark.parametrize("sample", [None, [0, 3]])
def test_tensor_model_ends_bit_for_bit_as_the_hand_written_loop(make_opt, sample):
    x, y = layers.make_moons(24, noise=0.1, seed=1)
    # dropout draws random numbers and batch norm updates buffers: side runs must not show
    ref = moons_mlp(dropout=0.2, batch_norm=True)
    ref_opt = make_opt(list(ref.parameters()))
    autograd.manual_seed(7)
    losses = hand_loop(ref, cross_entropy, x, y, ref_opt, 4)
    net = moons_mlp(dropout=0.2, batch_norm=True)
    opt = make_opt(list(net.parameters()))
    autograd.manual_seed(7)
    p = viz.train_player(net, cross_entropy, x, y, opt, steps=4, sample=sample)
    assert p.losses == losses
    a, b = ref.state_dict(), net.state_dict()
    assert list(a) == list(b) and all(np.array_equal(a[k], b[k]) for k in a)
    sa, sb = ref_opt.state_dict(), opt.state_dict()
    assert sa["param_groups"] == sb["param_groups"]
    for k, st in sa["state"].items():
        assert all(np.array_equal(st[key], sb["state"][k][key]) for key in st)
    assert autograd.random.generator().random() == ref_rng_after(make_opt)


def ref_rng_after(make_opt) -> float:
    """The engine generator's next number after the hand-written loop of the test above."""
    x, y = layers.make_moons(24, noise=0.1, seed=1)
    ref = moons_mlp(dropout=0.2, batch_norm=True)
    autograd.manual_seed(7)
    hand_loop(ref, cross_entropy, x, y, make_opt(list(ref.parameters())), 4)
    return autograd.random.generator().random()


def test_scalar_model_ends_bit_for_bit_as_the_hand_written_loop():
    ref, net = ScalarNet([2, 3, 1]), ScalarNet([2, 3, 1])
    losses = hand_loop(ref, hinge, POINTS, SIGNS, layers.SGD(ref.parameters(), lr=0.2), 5)
    p = viz.train_player(net, hinge, POINTS, SIGNS, layers.SGD(net.parameters(), lr=0.2),
                         steps=5)
    assert p.losses == losses
    assert [w.data for w in net.parameters()] == [w.data for w in ref.parameters()]
    assert len(p.updates) == 5 and len(p.updates[0]) == len(net.parameters())


# ---------------------------------------------------------------- what is recorded


def test_every_step_has_forward_backward_and_update_in_order():
    net = ScalarNet([2, 3, 1])
    p = viz.train_player(net, hinge, POINTS, SIGNS, layers.SGD(net.parameters(), lr=0.2),
                         steps=3, sample=1)
    runs = [(f.iteration, f.phase) for k, f in enumerate(p.frames)
            if k == 0 or (f.iteration, f.phase) != (p.frames[k - 1].iteration,
                                                   p.frames[k - 1].phase)]
    assert runs == [(i, ph) for i in range(3) for ph in range(3)]
    assert p.sample == [1] and p.detail == "node"
    # the drawn graph is datapoint 1 on its own: its forward frames, one per gate
    gates = sum(v.gate is not None for v in p.view.values)
    assert sum(f.phase == 0 and f.iteration == 0 for f in p.frames) == gates
    assert "datapoint #1 on its own" in p.frames[0].caption


def test_forward_frames_show_each_gates_numbers():
    w = Value(0.5, label="w")
    p = viz.train_player(lambda xs: [w * a for a in xs], lambda out, ys: (out[0] - ys[0]) ** 2,
                         [2.0], [3.0], layers.SGD([w], lr=0.1), steps=2)
    forward = [f for f in p.frames if f.phase == 0 and f.iteration == 1]
    # after one step w = 0.5 - 0.1 * 2 * (1 - 3) * 2 = 1.3
    assert "w*2 = 1.30*2.00 = 2.60" in forward[0].caption
    wi = p.view.index[id(w)]
    first_update = next(f for f in p.frames if f.phase == 2)
    assert first_update.data[wi] == ["data 1.30"] and wi not in forward[0].data  # differences
    assert forward[0].grads[wi] == ["grad ?"]  # zeroed for the new step
    backward = [f for f in p.frames if f.phase == 1 and f.iteration == 1]
    assert any("w gets 2.00 (the other input, 2) × upstream -0.800 = -1.60" in f.caption
               for f in backward)
    mul = p.view.index[id(p.view.values[-1].parents[0].parents[0])]  # w*2
    assert forward[0].edges[(mul, 0)] == [""]  # a new forward: no gradient on any edge
    assert any(f.edges.get((mul, 0)) == ["-1.60"] for f in backward)
    update = [f for f in p.frames if f.phase == 2 and f.iteration == 1][0]
    assert "1.30 − 0.100·(-1.60) = 1.46" in update.caption
    assert update.data[wi] == ["data 1.46"]


def test_update_rows_follow_the_optimisers_rule():
    x, y = layers.make_moons(16, noise=0.1, seed=2)
    net = moons_mlp()
    opt = layers.SGD(net.parameters(), lr=0.1, momentum=0.9)
    p = viz.train_player(net, cross_entropy, x, y, opt, steps=2)
    row = next(r for r in p.updates[1] if r.name == "0.weight[3, 1]")
    buf = opt.state[id(net[0].weight)]["momentum_buffer"][3, 1]
    assert row.new == net[0].weight.data[3, 1]
    assert row.new == row.old - 0.1 * buf
    assert f"velocity v = 0.900·v + g = {fmt(buf)}" in row.formula
    net = moons_mlp()
    opt = layers.Adam(net.parameters(), lr=0.05)
    p = viz.train_player(net, cross_entropy, x, y, opt, steps=1)
    row = next(r for r in p.updates[0] if r.name == "4.bias[1]")
    assert row.formula.startswith("Adam step 1: m̂ = ")
    assert abs(row.delta) == pytest.approx(0.05, rel=1e-6)  # Adam's first step moves by lr


def test_layer_at_a_time_for_big_graphs_and_auto_sample(monkeypatch):
    net = ScalarNet([2, 4, 4, 1])
    monkeypatch.setattr(sys.modules["viz.train_player"], "MAX_DRAWN_VALUES", 50)
    p = viz.train_player(net, hinge, POINTS, SIGNS, layers.SGD(net.parameters(), lr=0.1),
                         steps=2, detail="layer")
    assert p.sample == [0]  # the batch graph was too big: datapoint 0 is drawn
    first = [f for f in p.frames if f.iteration == 0 and f.phase == 0]
    assert len(first) < sum(v.gate is not None for v in p.view.values)
    assert first[0].caption.count("<li>") <= 7 and "Forward, layer 1 of" in first[0].caption
    back = [f for f in p.frames if f.iteration == 0 and f.phase == 1]
    assert "get their gradient" in back[0].caption or "gets their gradient" in back[0].caption


def test_bad_arguments_are_named():
    net = ScalarNet([2, 3, 1])
    opt = layers.SGD(net.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="sample must be an index or a list of indices into "
                                         "the 4 datapoints, got 9"):
        viz.train_player(net, hinge, POINTS, SIGNS, opt, steps=1, sample=9)
    with pytest.raises(ValueError, match="steps must be an int >= 1, got 0"):
        viz.train_player(net, hinge, POINTS, SIGNS, opt, steps=0)
    with pytest.raises(TypeError, match="loss_fn must return a Value, got list"):
        viz.train_player(net, lambda s, y: s, POINTS, SIGNS, opt, steps=1)
    with pytest.raises(ValueError, match="grid must be an int >= 2, got 1"):
        viz.train_player(net, hinge, POINTS, SIGNS, opt, steps=1, grid=1)
    with pytest.raises(ValueError, match="detail must be 'auto', 'node' or 'layer'"):
        viz.train_player(net, hinge, POINTS, SIGNS, opt, steps=1, detail="gate")

    calls = []

    def growing(batch):  # builds a longer chain each call
        calls.append(1)
        out = net(batch)
        return [o * 1.0 for o in out] if len(calls) > 1 else out

    with pytest.raises(ValueError, match="the drawn graph changed shape at step 2"):
        viz.train_player(growing, hinge, POINTS, SIGNS, opt, steps=2, boundary=False)


def test_boundary_only_for_models_scoring_each_point():
    w = Value(0.5, label="w")

    def total(batch):  # one score for the whole batch: no boundary to draw
        return w * float(np.sum(batch))

    def loss(score, ys):
        return (score - 1.0) ** 2

    p = viz.train_player(total, loss, POINTS, SIGNS, layers.SGD([w], lr=0.01), steps=2)
    assert p.boundaries is None
    with pytest.raises(ValueError, match="one score or one row of class scores per input "
                                         "point; pass boundary=False"):
        viz.train_player(total, loss, POINTS, SIGNS, layers.SGD([w], lr=0.01), steps=1,
                         boundary=True)
    net = ScalarNet([2, 3, 1])
    p = viz.train_player(net, hinge, POINTS, SIGNS, layers.SGD(net.parameters(), lr=0.1),
                         steps=2)
    assert p.grid.size == 20 and [b.shape for b in p.boundaries] == [(400,)] * 3


def test_step_forward_shows_the_forward_pass_first():
    from conftest import course_circuit

    f = course_circuit()[0]
    s = viz.step(f, forward=True)
    assert [st.line for st in s.forward_steps] == [
        "x*y = 3.00*(−4.00) = −12.00", "max(z, w) = max(2.00, −1.00) = 2.00",
        "(x*y)+max(z, w) = (−12.00)+2.00 = −10.00",
        "f = 2*((x*y)+max(z, w)) = 2.00*(−10.00) = −20.00"]
    assert s.text().startswith("Forward 1: x*y — mul gate (mul family)")
    assert len(s) == 8 and viz.step(f).forward_steps == []


# ---------------------------------------------------------------- the page


def payload(html: str) -> dict:
    import json

    m = re.search(r'<script type="application/json" class="gg-data">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


def test_mlp_player_size_and_build_time(tmp_path):
    require_dot()
    x, y = layers.make_moons(32, noise=0.1, seed=0)
    net = moons_mlp()
    t0 = time.perf_counter()
    p = viz.train_player(net, cross_entropy, x, y, layers.SGD(net.parameters(), lr=0.5),
                         steps=20)
    path = Path(p.save_html(tmp_path / "training.html"))
    seconds = time.perf_counter() - t0
    size = path.stat().st_size
    html = path.read_text(encoding="utf-8")
    data = payload(html)
    assert len(data["losses"]) == 20 and len(data["boundary"]["classes"]) == 21
    assert size < 3_000_000, size  # frames are differences, not whole pictures
    assert html.count("<svg") == 2  # the graph once (and the empty loss curve)
    assert not re.search(r'(src|href)="(https?:)?//', html)
    print(f"MLP 2→8→8→2, 20 steps: {size / 1e6:.2f} MB, built in {seconds:.1f} s")


def test_hostile_labels_are_escaped():
    require_dot()
    w = Value(0.5, label="</script><script>alert('w')</script>")
    p = viz.train_player(lambda xs: [w * a for a in xs], lambda out, ys: (out[0] - ys[0]) ** 2,
                         [2.0], [3.0], layers.SGD([w], lr=0.1), steps=1)
    html = p.to_html(full_page=True)
    assert "<script>alert" not in html
    assert html.count("</script>") == 2  # the JSON payload and the player's own code
    assert "&lt;/script&gt;&lt;script&gt;alert" in payload(html)["frames"][-1]["c"]


def test_save_html_without_dot_leaves_no_file(tmp_path, monkeypatch):
    w = Value(0.5, label="w")
    p = viz.train_player(lambda xs: [w * a for a in xs], lambda out, ys: (out[0] - ys[0]) ** 2,
                         [2.0], [3.0], layers.SGD([w], lr=0.1), steps=1)
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(viz.GraphvizNotFoundError):
        p.save_html(tmp_path / "t.html")
    assert sorted(x.name for x in tmp_path.iterdir()) == ["bin"]
    assert "apt-get install graphviz" in p._repr_html_()


@pytest.fixture(scope="module")
def page():
    yield from browser_page(1400, 900)


def state(page) -> tuple[int, str, int]:
    root = page.locator(".gg-train")
    return (int(root.get_attribute("data-iteration")), root.get_attribute("data-phase"),
            int(root.get_attribute("data-frame")))


def cell_texts(page, i: int) -> list[str]:
    return page.eval_on_selector_all(f"g.node.ggv_{i} text", "els => els.map(e => e.textContent)")


def loss_points(page) -> int:
    return page.locator("circle.gg-loss-point").count()


def test_browser_reaches_every_phase_and_shows_the_optimisers_numbers(page, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    steps = 3
    ref, net = ScalarNet([2, 3, 1]), ScalarNet([2, 3, 1])
    ref_opt = layers.SGD(ref.parameters(), lr=0.2, momentum=0.5)
    chosen = 1  # h0.0.w1
    history = [ref.parameters()[chosen].data]
    for _ in range(steps):
        hand_loop(ref, hinge, POINTS, SIGNS, ref_opt, 1)
        history.append(ref.parameters()[chosen].data)
    p = viz.train_player(net, hinge, POINTS, SIGNS,
                         layers.SGD(net.parameters(), lr=0.2, momentum=0.5), steps=steps,
                         sample=2)
    weight = net.parameters()[chosen]
    wi = p.view.index[id(weight)]
    page.goto(Path(p.save_html(tmp_path / "training.html")).as_uri())
    assert not page.is_visible(".gg-nojs")
    assert state(page) == (0, "forward", 0) and loss_points(page) == 0
    page.screenshot(path=str(ARTIFACTS / "viz_train_forward.png"))
    # keyboard: ↓ walks every phase of every iteration, ↑ walks back
    page.focus(".gg-train")
    seen = [state(page)[:2]]
    for _ in range(3 * steps - 1):
        page.keyboard.press("ArrowDown")
        it, phase, _ = state(page)
        seen.append((it, phase))
        assert loss_points(page) == it + (phase != "forward")
        assert page.get_attribute("canvas.gg-boundary", "data-boundary") == str(
            it + (phase == "update"))
        shown = cell_texts(page, wi)
        new = history[it + (phase == "update")]
        assert f"data {fmt(new)}" in shown
        if (it, phase) == (0, "backward"):
            page.keyboard.press("ArrowRight")
            page.screenshot(path=str(ARTIFACTS / "viz_train_backward.png"))
            page.keyboard.press("ArrowLeft")
        if phase == "update":
            row = page.locator(f'tr[data-param="{weight.label}"] td').all_inner_texts()
            assert row[1:4] == [fmt(history[it]), row[2], fmt(history[it + 1])]
            if it == 0:
                page.screenshot(path=str(ARTIFACTS / "viz_train_update.png"))
    assert seen == [(i, ph) for i in range(steps) for ph in ("forward", "backward", "update")]
    page.keyboard.press("ArrowDown")  # the last phase stays
    assert state(page)[:2] == (steps - 1, "update")
    for _ in range(3 * steps - 1):
        page.keyboard.press("ArrowUp")
    assert state(page) == (0, "forward", 0)
    # every frame, one at a time
    n = len(p.frames)
    for k in range(1, n):
        page.keyboard.press("ArrowRight")
        assert state(page)[2] == k
    page.keyboard.press("PageUp")
    assert state(page)[:2] == (steps - 2, "forward")
    page.keyboard.press("PageDown")
    assert state(page)[:2] == (steps - 1, "forward")
    # buttons
    page.click(".gg-tick[data-it='0']")
    assert state(page) == (0, "forward", 0)
    for it in range(steps):
        for phase in ("forward", "backward", "update"):
            assert state(page)[:2] == (it, phase)
            page.click(".gg-next-phase")
    page.click(".gg-prev-phase")
    assert state(page)[:2] == (steps - 1, "backward")
    page.click(".gg-prev-iter")
    assert state(page)[:2] == (steps - 2, "forward")
    page.click(".gg-next-iter")
    assert state(page)[:2] == (steps - 1, "forward")
    page.click(".gg-prev")
    assert state(page)[:2] == (steps - 2, "update")
    page.click(".gg-next")
    assert state(page)[:2] == (steps - 1, "forward")
    page.click(".gg-play")
    page.wait_for_function("document.querySelector('.gg-train').dataset.frame > "
                           f"{state(page)[2]}", timeout=5000)
    page.click(".gg-play")
    page.screenshot(path=str(ARTIFACTS / "viz_train_last.png"))
    assert page.errors == []
    assert all(u.startswith("file://") for u in page.requests), page.requests


def test_browser_tensor_mlp_boundary_and_table(page, tmp_path):
    x, y = layers.make_moons(32, noise=0.1, seed=0)
    net = moons_mlp()
    p = viz.train_player(net, cross_entropy, x, y, layers.SGD(net.parameters(), lr=0.5),
                         steps=20)
    page.goto(Path(p.save_html(tmp_path / "mlp.html")).as_uri())
    page.focus(".gg-train")
    for _ in range(5):
        page.keyboard.press("ArrowDown")  # backward, update, forward 2, backward 2, update 2
    assert state(page)[:2] == (1, "update")
    row = page.locator('tr[data-param="2.weight[0, 1]"] td').all_inner_texts()
    assert row[3] == fmt(next(r.new for r in p.updates[1] if r.name == "2.weight[0, 1]"))
    page.click(".gg-tick[data-it='19']")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert state(page)[:2] == (19, "update") and loss_points(page) == 20
    page.screenshot(path=str(ARTIFACTS / "viz_train_mlp_last.png"))
    assert page.errors == []
    assert all(u.startswith("file://") for u in page.requests), page.requests


def test_browser_step_with_forward(page, tmp_path):
    from conftest import course_circuit

    s = viz.step(course_circuit()[0], forward=True)
    page.goto(Path(s.save_html(tmp_path / "fwd.html")).as_uri())
    assert state(page)[:2] == (0, "forward")
    assert "x*y = 3.00*(−4.00) = −12.00" in page.inner_text(".gg-caption")
    page.focus(".gg-train")
    page.keyboard.press("ArrowDown")
    assert state(page)[:2] == (0, "backward")
    assert page.locator(".gg-loss").count() == 0 and page.locator(".gg-next-iter").count() == 0
    xy = s[2].value_index  # step 3: x*y sends -8.00 to x along its first edge
    label = f"g.edge.gge_{xy}_0 text"
    assert page.text_content(label) == ""  # not sent yet
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.text_content(label) == "-8.00"
    page.screenshot(path=str(ARTIFACTS / "viz_step_forward.png"))
    page.keyboard.press("ArrowUp")
    assert state(page)[:2] == (0, "forward") and page.text_content(label) == ""
    assert page.errors == []
