"""viz.explore: the views and index it makes, and driving the page in a real headless
Chromium (skipped without playwright / chromium / dot, unless CI is set): expand and collapse
change the visible nodes, search finds a node, no JS errors, nothing fetched."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from browser import ARTIFACTS, missing, require_dot
from browser import browser_page as open_page

import viz
from autograd import Value, name_scope
from viz.player import ASSETS


def scoped_net() -> Value:
    """Two blocks of scalar ops, one nested module, a shared input; after backward."""
    x = Value(0.7, label="x")
    h = x
    for b in range(2):
        with name_scope(f"block{b}"):
            w = Value(0.5 + b, label=f"w{b}")
            h = (h * w + 0.1).tanh()
            with name_scope("inner"):
                h = h * x + h
    out = h * 2
    out.label = "out"
    out.backward()
    return out


def test_views_one_per_module_top_first_and_the_search_index():
    e = viz.explore(scoped_net())
    names = [n for n, _ in e.views]
    assert names == ["(top)", "block0", "block1", "block0.inner", "block1.inner"]
    d = e.data()
    # the top view draws both blocks as boxes, each expanding into its view
    assert sorted(d["views"][0]["boxes"].values()) == [1, 2] and d["views"][0]["frames"] == {}
    # block0's view: its own frame collapses to the top, its inner module is a box
    assert list(d["views"][1]["frames"].values()) == [0]
    assert sorted(d["views"][1]["boxes"].values()) == [2, 3]
    assert d["views"][3]["frames"] and set(d["views"][3]["frames"].values()) == {0, 1}
    texts = {entry["t"]: entry for entry in d["index"]}
    assert texts["w1 · input"]["v"] == 2 and texts["x · input"]["v"] == 0
    assert texts["out · mul"]["v"] == 0


def test_explore_refuses_what_is_not_a_value():
    with pytest.raises(TypeError, match="viz.explore: expected an autograd Value"):
        viz.explore(3.0)
    with pytest.raises(ValueError, match="max_views must be at least 1"):
        viz.explore(Value(1.0) * 2, max_views=0)


def test_max_views_keeps_deep_modules_boxed():
    e = viz.explore(scoped_net(), max_views=3)
    assert [n for n, _ in e.views] == ["(top)", "block0", "block1"]
    boxes = e.data()["views"][1]["boxes"]  # block0's view: block1 and block0.inner as boxes
    assert list(boxes.values()) == [2]  # block0.inner has no view: no click target


def test_explorer_script_passes_node_check_and_css_is_inlined():
    require_dot()
    if shutil.which("node") is None:
        missing("Node.js (node)")
    done = subprocess.run(["node", "--check", str(Path(str(ASSETS)) / "explorer.js")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    html = viz.explore(scoped_net()).to_html()
    assert (Path(str(ASSETS)) / "explorer.css").read_text(encoding="utf-8") in html
    assert html.count('class="gg-view"') == 5 and "http" not in html.split("<svg")[0]


def test_hostile_labels_are_escaped_in_the_page():
    require_dot()
    a = Value(2.0, label="</script><script>alert('pwned')</script>")
    html = viz.explore(a * a).to_html(full_page=True)
    assert "<script>alert" not in html
    assert html.count("</script>") == 2  # the JSON payload and the explorer's own code
    payload = re.search(r'class="gg-data">(.*?)</script>', html, re.S).group(1)
    assert json.loads(payload)["index"][0]["t"].startswith("</script>")


@pytest.fixture(scope="module")
def browser_page():
    """The shared headless-Chromium page, also counting console errors as errors."""
    pages = open_page(1200, 900)
    pg = next(pages)
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    yield pg
    next(pages, None)  # closes the browser


def visible_nodes(page) -> int:
    return int(page.get_attribute(".gg-explorer", "data-nodes"))


def click_node(page, title: str) -> None:
    page.locator(".gg-view:not([hidden]) g.node", has=page.locator(f"title:text-is('{title}')")
                 ).first.click()


def test_expand_collapse_search_in_a_real_browser(browser_page, tmp_path):
    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    e = viz.explore(scoped_net())
    path = Path(e.save_html(tmp_path / "explore.html"))
    page.goto(path.as_uri())
    assert page.get_attribute(".gg-explorer", "data-view") == "0"
    assert not page.is_visible(".gg-nojs")
    top = visible_nodes(page)
    box = next(n for n, v in e.data()["views"][0]["boxes"].items() if v == 1)
    click_node(page, box)  # expand block0
    assert page.get_attribute(".gg-explorer", "data-view") == "1"
    expanded = visible_nodes(page)
    assert expanded > top
    assert "module block0" in page.inner_text(".gg-where")
    page.screenshot(path=str(ARTIFACTS / "viz_explore_expanded.png"))
    frame = next(iter(e.data()["views"][1]["frames"]))
    page.locator(".gg-view:not([hidden]) g.cluster", has=page.locator(
        f"title:text-is('{frame}')")).first.click(position={"x": 4, "y": 4})
    assert page.get_attribute(".gg-explorer", "data-view") == "0"  # collapsed again
    assert visible_nodes(page) == top
    page.fill(".gg-search", "w1")
    page.press(".gg-search", "Enter")
    assert page.get_attribute(".gg-explorer", "data-view") == "2"  # block1 opened for it
    found = page.get_attribute(".gg-explorer", "data-found")
    assert found == f"v{e.view.index[id(next(v for v in e.view.values if v.label == 'w1'))]}"
    assert page.locator("g.node.gg-found").count() == 1
    assert "w1" in page.inner_text(".gg-info")
    assert "w1 · input" in page.inner_text(".gg-results")
    page.screenshot(path=str(ARTIFACTS / "viz_explore_search.png"))
    page.click(".gg-top")
    assert page.get_attribute(".gg-explorer", "data-view") == "0"
    assert page.errors == []
    assert page.requests == [path.as_uri()]  # nothing fetched but the page itself


def test_zoom_and_pan_move_the_canvas(browser_page, tmp_path):
    page = browser_page
    out = scoped_net()
    page.goto(Path(viz.explore(out).save_html(tmp_path / "e.html")).as_uri())
    before = page.eval_on_selector(".gg-canvas", "c => c.style.transform")
    page.click(".gg-in")
    zoomed = page.eval_on_selector(".gg-canvas", "c => c.style.transform")
    assert zoomed != before and "scale(" in zoomed
    box = page.locator(".gg-stage").bounding_box()
    page.mouse.move(box["x"] + 50, box["y"] + 50)
    page.mouse.down()
    page.mouse.move(box["x"] + 150, box["y"] + 120)
    page.mouse.up()
    assert page.eval_on_selector(".gg-canvas", "c => c.style.transform") != zoomed
    assert page.get_attribute(".gg-explorer", "data-view") == "0"  # a pan is not a click
    assert page.errors == []


def test_hovering_a_tensor_node_shows_its_data_and_grad_summary(browser_page, tmp_path):
    import numpy as np

    page = browser_page
    w = Value(np.arange(6.0).reshape(2, 3) - 2, label="W")
    out = (w * w).sum()
    out.backward()
    e = viz.explore(out)
    page.goto(Path(e.save_html(tmp_path / "tensor.html")).as_uri())
    page.hover(f".gg-view:not([hidden]) g.node.ggv_{e.view.index[id(w)]}")
    text = page.inner_text(".gg-info")
    norm = viz.fmt(viz.tensor_summary(w.grad).norm)
    assert text.startswith("W: shape (2, 3) float64; data ‖·‖ ")
    assert f"; grad ‖·‖ {norm} · mean|x| " in text
    assert page.errors == []
