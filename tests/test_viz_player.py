"""The stepper's HTML player: its structure, and clicking through it in a real headless
Chromium (skipped without playwright / chromium / dot, unless CI is set).  Screenshots go to
tests/artifacts/."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from browser import ARTIFACTS, browser_page, missing, require_dot
from conftest import course_circuit

import viz
from autograd import Value, cross_entropy


def payload(html: str) -> dict:
    m = re.search(r'<script type="application/json" class="gg-data">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


def test_player_html_holds_every_frame_inline():
    require_dot()
    s = viz.step(course_circuit()[0])
    html = s._repr_html_()
    data = payload(html)
    assert len(data["states"]) == len(s) == len(data["captions"]) == 8
    assert data["states"][0].count("c") == 1 and data["states"][-1].count("p") == 0
    assert "<svg" in html and "http" not in html.split("<svg")[0]  # no external resources
    assert html.count('class="gg-next"') == 1 and "gg-slider" in html
    ids = re.findall(r'id="(gg-player-\w+)"', html + s._repr_html_())
    assert len(set(ids)) == 2  # two players on one page do not collide
    assert "x gets -4.00 (the other input, y)" in data["captions"][2]


def test_player_escapes_hostile_labels():
    require_dot()
    a = Value(2.0, label="</script><script>alert('pwned')</script>")
    html = viz.step(a * a).to_html(full_page=True)
    assert "<script>alert" not in html
    assert html.count("</script>") == 2  # the JSON payload and the player's own code
    assert html.startswith("<!DOCTYPE html>")


def no_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make Graphviz's ``dot`` impossible to find (PATH is an empty folder)."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_player_style_and_script_are_package_files_inlined_verbatim():
    from viz.player import ASSETS, asset

    require_dot()
    css, js = asset("player.css"), asset("player.js")
    html = viz.step(course_circuit()[0]).to_html()
    pid = re.search(r'id="(gg-player-[0-9a-f]+)"', html).group(1)
    assert css in html and js.replace("__PLAYER_ID__", pid) in html
    assert html.index(asset("common.js")) < html.index(js.replace("__PLAYER_ID__", pid))
    assert re.search(r'style="--gg-font: #[0-9a-f]{6}; --gg-bg: white; ', html)
    assert (Path(str(ASSETS)) / "player.js").is_file()


@pytest.mark.parametrize("name", ["player.css", "train_player.css", "explorer.css"])
def test_player_css_is_well_formed(name: str):
    from viz.player import asset

    css = re.sub(r"/\*.*?\*/", "", asset(name), flags=re.S)
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", css)
    assert rules and re.sub(r"([^{}]+)\{([^{}]*)\}", "", css).strip() == ""  # nothing else
    for selector, body in rules:
        assert selector.strip(), body
        declarations = [d.strip() for d in body.split(";") if d.strip()]
        assert declarations, selector
        for d in declarations:
            assert re.fullmatch(r"[a-z-]+\s*:\s*[^:]+", d), (selector, d)


@pytest.mark.parametrize("name", ["common.js", "player.js", "train_player.js"])
def test_player_script_passes_node_check(name):
    import subprocess

    from viz.player import ASSETS

    if shutil.which("node") is None:
        missing("Node.js (node)")
    done = subprocess.run(["node", "--check", str(Path(str(ASSETS)) / name)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_save_html_without_dot_leaves_no_file(tmp_path, monkeypatch):
    s = viz.step(course_circuit()[0])
    no_dot(tmp_path, monkeypatch)
    with pytest.raises(viz.GraphvizNotFoundError, match="apt-get install graphviz"):
        s.save_html(tmp_path / "player.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin"]  # no empty or temporary file


def test_failed_save_html_keeps_the_old_page(tmp_path, monkeypatch):
    page = tmp_path / "player.html"
    page.write_text("the previous player", encoding="utf-8")
    s = viz.step(course_circuit()[0])
    no_dot(tmp_path, monkeypatch)
    with pytest.raises(viz.GraphvizNotFoundError):
        s.save_html(str(page))
    assert page.read_text(encoding="utf-8") == "the previous player"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "player.html"]


def test_save_html_writes_the_whole_page(tmp_path):
    require_dot()
    s = viz.step(course_circuit()[0])
    target = tmp_path / "player.html"
    target.write_text("old", encoding="utf-8")
    assert s.save_html(target) == str(target)
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert len(payload(html)["states"]) == len(s) == 8
    assert [p.name for p in tmp_path.iterdir()] == ["player.html"]  # no temporary file left


def test_save_html_into_a_missing_folder_names_the_path(tmp_path):
    require_dot()
    target = tmp_path / "no-such-folder" / "player.html"
    with pytest.raises(FileNotFoundError) as err:
        viz.step(course_circuit()[0]).save_html(target)
    assert err.value.filename == str(target)


@pytest.fixture(scope="module")
def page():
    yield from browser_page()


def current(page) -> list[str]:
    return page.eval_on_selector_all("g.node.gg-cur title", "els => els.map(e => e.textContent)")


def grad_texts(page, node: str) -> list[str]:
    return page.eval_on_selector_all(
        f"g.node.ggv_{node} text", "els => els.map(e => e.textContent)")


def test_clicking_next_advances_the_highlighted_node(page, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    f = course_circuit()[0]
    s = viz.step(f)
    path = s.save_html(tmp_path / "circuit_player.html")
    page.goto(Path(path).as_uri())
    ids = [st.value_index for st in s]
    assert page.get_attribute(".gg-player", "data-step") == "0"
    assert sorted(current(page)) == [f"o{ids[0]}", f"v{ids[0]}"]
    assert page.inner_text(".gg-counter") == "step 1 / 8"
    assert not page.is_visible(".gg-nojs")
    page.screenshot(path=str(ARTIFACTS / "viz_player_step1.png"))
    page.click(".gg-next")
    page.click(".gg-next")
    page.click(".gg-next")
    assert page.get_attribute(".gg-player", "data-step") == "3"
    # step 4 is the leaf x: highlighted, with its complete gradient
    assert current(page) == [f"v{ids[3]}"]
    assert grad_texts(page, ids[3])[-1] == "grad -8.00"
    # z has not been reached yet: greyed out, gradient unknown
    z = s[6].value_index
    assert "gg-pend" in page.get_attribute(f"g.node.ggv_{z}", "class")
    assert grad_texts(page, z)[-1] == "grad ?"
    assert "x is a leaf" in page.inner_text(".gg-caption")
    page.screenshot(path=str(ARTIFACTS / "viz_player_step4.png"))
    page.click(".gg-prev")
    assert sorted(current(page)) == sorted([f"o{ids[2]}", f"v{ids[2]}"])
    page.click(".gg-last")
    assert page.inner_text(".gg-counter") == "step 8 / 8"
    assert grad_texts(page, z)[-1] == "grad 2.00"
    page.fill(".gg-slider", "1")
    page.dispatch_event(".gg-slider", "input")
    assert page.get_attribute(".gg-player", "data-step") == "1"
    page.focus(".gg-player")
    page.keyboard.press("ArrowRight")
    assert page.get_attribute(".gg-player", "data-step") == "2"
    page.screenshot(path=str(ARTIFACTS / "viz_player_keyboard.png"))
    assert page.errors == []


def test_tensor_player_updates_all_gradient_cells(page, tmp_path):
    rng = np.random.default_rng(0)
    w = Value(rng.standard_normal((3, 4)), label="W")
    x = Value(rng.standard_normal((2, 3)), label="x", requires_grad=False)
    loss = cross_entropy((x @ w).relu(), np.array([0, 3]))
    s = viz.step(loss)
    page.goto(Path(s.save_html(tmp_path / "tensor_player.html")).as_uri())
    wi = s.view.index[id(w)]
    assert grad_texts(page, wi)[-3:] == ["?", "?", "?"]
    page.click(".gg-last")
    norm = viz.tensor_summary(s.grad(w)).norm
    assert grad_texts(page, wi)[-3] == viz.fmt(norm)
    page.screenshot(path=str(ARTIFACTS / "viz_player_tensor.png"))
    assert page.errors == []
