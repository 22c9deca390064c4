/* gradgate's graph explorer: pan, zoom, search and expand/collapse over pre-rendered views.
   viz/explore.py inlines this file into each page (with its id for __EXPLORER_ID__), one
   Graphviz SVG per module view in div.gg-view, and the views' boxes, frames and the search
   index as JSON in script.gg-data; `node --check` lints it in CI. */
(function () {
  var ID = "__EXPLORER_ID__";
  var me = document.currentScript;
  var root = me ? me.closest(".gg-explorer") : null;
  var tries = 0;
  function boot() {
    root = root || document.getElementById(ID);
    if (!root) { if (tries++ < 100) { setTimeout(boot, 50); } return; }
    var data = JSON.parse(root.querySelector("script.gg-data").textContent);
    var stage = root.querySelector(".gg-stage");
    var canvas = root.querySelector(".gg-canvas");
    var views = root.querySelectorAll(".gg-view");
    var where = root.querySelector(".gg-where");
    var info = root.querySelector(".gg-info");
    var search = root.querySelector(".gg-search");
    var results = root.querySelector(".gg-results");
    var current = -1, scale = 1, tx = 0, ty = 0;

    function title(g) {
      var t = g.querySelector("title");
      return t ? t.textContent : "";
    }
    function tooltip(g) {
      var a = g.querySelector("a");
      return a ? (a.getAttribute("xlink:title") || a.getAttribute("title") || "") : "";
    }
    function apply() {
      canvas.style.transform = "translate(" + tx + "px," + ty + "px) scale(" + scale + ")";
    }
    function svgOf(k) { return views[k].querySelector("svg"); }
    function fit() {
      var svg = svgOf(current);
      var w = svg.width.baseVal.value || 1, h = svg.height.baseVal.value || 1;
      scale = Math.min(stage.clientWidth / w, stage.clientHeight / h, 1);
      tx = (stage.clientWidth - w * scale) / 2;
      ty = 0;
      apply();
    }
    function zoomAt(factor, x, y) {
      var s = Math.max(0.02, Math.min(8, scale * factor));
      tx = x - (x - tx) * (s / scale);
      ty = y - (y - ty) * (s / scale);
      scale = s;
      apply();
    }
    function show(k) {
      if (k === current || k < 0 || k >= views.length) { return; }
      if (current >= 0) { views[current].hidden = true; }
      views[k].hidden = false;
      current = k;
      root.setAttribute("data-view", k);
      var v = data.views[k];
      var n = views[k].querySelectorAll("g.node").length;
      where.textContent = (k === 0 ? "whole graph" : "module " + v.name) + " \u00b7 " + n +
        " nodes";
      root.setAttribute("data-nodes", n);
      fit();
    }
    function centre(g) {
      var r = g.getBoundingClientRect(), c = stage.getBoundingClientRect();
      if (scale < 0.6) { zoomAt(0.6 / scale, r.left - c.left, r.top - c.top); }
      r = g.getBoundingClientRect();
      tx += (c.left + c.width / 2) - (r.left + r.width / 2);
      ty += (c.top + c.height / 2) - (r.top + r.height / 2);
      apply();
    }
    function find(entry) {
      show(entry.v);
      root.querySelectorAll(".gg-found").forEach(function (g) {
        g.classList.remove("gg-found");
      });
      var hit = null;
      views[entry.v].querySelectorAll("g.node").forEach(function (g) {
        if (title(g) === entry.n) { hit = g; }
      });
      if (hit) {
        hit.classList.add("gg-found");
        centre(hit);
        info.textContent = tooltip(hit) || entry.t;
      }
      root.setAttribute("data-found", hit ? entry.n : "");
    }
    function matches(text) {
      var q = text.trim().toLowerCase();
      if (!q) { return []; }
      return data.index.filter(function (e) { return e.t.toLowerCase().indexOf(q) >= 0; });
    }
    function list() {
      var hits = matches(search.value);
      results.innerHTML = "";
      hits.slice(0, 30).forEach(function (e) {
        var li = document.createElement("li");
        li.textContent = e.t + (e.v ? "  (in " + data.views[e.v].name + ")" : "");
        li.onclick = function () { find(e); };
        results.appendChild(li);
      });
      if (hits.length > 30) {
        var more = document.createElement("li");
        more.className = "gg-more";
        more.textContent = "\u2026 " + (hits.length - 30) + " more: type more of the name";
        results.appendChild(more);
      }
      return hits;
    }
    search.addEventListener("input", list);
    search.addEventListener("keydown", function (e) {
      if (e.key === "Enter") {
        var hits = list();
        if (hits.length) { find(hits[0]); }
        e.preventDefault();
      }
    });

    canvas.addEventListener("click", function (e) {
      if (dragged) { dragged = false; return; }  /* the end of a pan, not a click */
      var v = data.views[current];
      var node = e.target.closest("g.node");
      if (node) {
        var target = v.boxes[title(node)];
        if (target !== undefined) { show(target); e.preventDefault(); }
        return;
      }
      var frame = e.target.closest("g.cluster");
      if (frame && v.frames[title(frame)] !== undefined) {
        show(v.frames[title(frame)]);
        e.preventDefault();
      }
    });
    canvas.addEventListener("mouseover", function (e) {
      var g = e.target.closest("g.node, g.cluster");
      if (g) { info.textContent = tooltip(g) || title(g); }
    });

    var drag = null, dragged = false;
    stage.addEventListener("mousedown", function (e) {
      drag = {x: e.clientX, y: e.clientY, tx: tx, ty: ty, moved: false};
    });
    window.addEventListener("mousemove", function (e) {
      if (!drag) { return; }
      tx = drag.tx + e.clientX - drag.x;
      ty = drag.ty + e.clientY - drag.y;
      drag.moved = drag.moved || Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) > 3;
      apply();
    });
    window.addEventListener("mouseup", function () {
      dragged = drag !== null && drag.moved;
      drag = null;
    });
    stage.addEventListener("wheel", function (e) {
      var c = stage.getBoundingClientRect();
      zoomAt(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX - c.left, e.clientY - c.top);
      e.preventDefault();
    }, {passive: false});
    root.querySelector(".gg-top").onclick = function () { show(0); };
    root.querySelector(".gg-fit").onclick = fit;
    root.querySelector(".gg-in").onclick = function () {
      zoomAt(1.25, stage.clientWidth / 2, stage.clientHeight / 2);
    };
    root.querySelector(".gg-out").onclick = function () {
      zoomAt(0.8, stage.clientWidth / 2, stage.clientHeight / 2);
    };
    Object.keys(data.views).forEach(function (k) {
      Object.keys(data.views[k].boxes).forEach(function (name) {
        views[k].querySelectorAll("g.node").forEach(function (g) {
          if (title(g) === name) { g.classList.add("gg-box"); }
        });
      });
      Object.keys(data.views[k].frames).forEach(function (name) {
        views[k].querySelectorAll("g.cluster").forEach(function (g) {
          if (title(g) === name) { g.classList.add("gg-frame"); }
        });
      });
    });
    root.querySelector(".gg-nojs").style.display = "none";
    show(0);
  }
  boot();
})();
