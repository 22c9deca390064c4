/* gradgate's training player: forward, backward and update of every step over one
   Graphviz SVG. viz/train_html.py inlines this file into each player (with its id for
   __PLAYER_ID__), after the shared helpers of common.js (ggPlayerKit), and the frames, as
   differences, in script.gg-data; `node --check` lints it in CI. */
ggPlayerKit.start("__PLAYER_ID__", document.currentScript, function (root) {
  var kit = ggPlayerKit;
  var data = JSON.parse(root.querySelector("script.gg-data").textContent);
  var frames = data.frames, n = frames.length;
  var dataText = {}, gradText = {}, edgeText = {};

  /* ---------------------------------------------------------------- the graph */
  var graph = kit.index(root);
  Object.keys(graph.values).forEach(function (i) {
    var layout = data.cells[i];
    if (!layout) { return; }
    var texts = Array.prototype.slice.call(graph.values[i].querySelectorAll("text"));
    var end = texts.length - layout[2];
    dataText[i] = texts.slice(end - layout[0], end);
    gradText[i] = layout[1] ? texts.slice(texts.length - layout[1]) : [];
    dataText[i].concat(gradText[i]).forEach(kit.anchor);
  });
  Object.keys(graph.edges).forEach(function (key) {
    var label = graph.edges[key].querySelector("text");
    if (label) { edgeText[key] = label; }
  });

  /* the picture at frame k: the differences of frames 0..k applied in order */
  function picture(k) {
    var st = {}, dt = {}, gt = {}, et = {}, re = /(\d+)([prcd])/g, m, j;
    for (j = 0; j <= k; j++) {
      var f = frames[j];
      re.lastIndex = 0;
      while ((m = re.exec(f.s)) !== null) { st[m[1]] = m[2]; }
      Object.assign(dt, f.d);
      Object.assign(gt, f.g);
      Object.assign(et, f.e);
    }
    return {states: st, data: dt, grads: gt, edges: et};
  }
  function paint(pic) {
    Object.keys(pic.states).forEach(function (key) { kit.paintState(graph, key, pic.states[key]); });
    Object.keys(dataText).forEach(function (key) {
      var d = pic.data[key] || [], g = pic.grads[key] || [];
      dataText[key].forEach(function (t, j) { if (d[j] !== undefined) { t.textContent = d[j]; } });
      gradText[key].forEach(function (t, j) { if (g[j] !== undefined) { t.textContent = g[j]; } });
    });
    Object.keys(edgeText).forEach(function (key) {
      if (pic.edges[key] !== undefined) { edgeText[key].textContent = pic.edges[key]; }
    });
  }

  /* ---------------------------------------------------------------- loss curve */
  var NS = "http://www.w3.org/2000/svg";
  var lossSvg = root.querySelector(".gg-loss");
  var losses = data.losses;
  var lo = losses.length ? Math.min.apply(null, losses) : 0;
  var hi = losses.length ? Math.max.apply(null, losses) : 1;
  if (!(hi > lo)) { hi = lo + 1; }
  function lx(i) { return 34 + (losses.length > 1 ? i * 216 / (losses.length - 1) : 108); }
  function ly(v) { return 12 + (hi - v) * 116 / (hi - lo); }
  function svgEl(name, attrs, text) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (a) { e.setAttribute(a, attrs[a]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function drawLoss(count) {
    if (!lossSvg) { return; }
    while (lossSvg.firstChild) { lossSvg.removeChild(lossSvg.firstChild); }
    var muted = getComputedStyle(root).getPropertyValue("--gg-muted") || "#888";
    var hl = getComputedStyle(root).getPropertyValue("--gg-hl") || "#c00";
    lossSvg.appendChild(svgEl("line", {x1: 34, y1: 128, x2: 252, y2: 128, stroke: muted}));
    lossSvg.appendChild(svgEl("line", {x1: 34, y1: 8, x2: 34, y2: 128, stroke: muted}));
    lossSvg.appendChild(svgEl("text", {x: 30, y: 16, "text-anchor": "end", "font-size": 9,
                                       fill: muted}, hi.toPrecision(3)));
    lossSvg.appendChild(svgEl("text", {x: 30, y: 128, "text-anchor": "end", "font-size": 9,
                                       fill: muted}, lo.toPrecision(3)));
    lossSvg.appendChild(svgEl("text", {x: 252, y: 142, "text-anchor": "end", "font-size": 9,
                                       fill: muted}, "step " + losses.length));
    var pts = [];
    for (var i = 0; i < count; i++) { pts.push(lx(i) + "," + ly(losses[i])); }
    if (pts.length > 1) {
      lossSvg.appendChild(svgEl("polyline", {points: pts.join(" "), fill: "none",
                                             stroke: hl, "stroke-width": 1.5}));
    }
    for (i = 0; i < count; i++) {
      lossSvg.appendChild(svgEl("circle", {"class": "gg-loss-point", cx: lx(i),
                                           cy: ly(losses[i]), r: 2.6, fill: hl}));
    }
  }

  /* ---------------------------------------------------------------- boundary */
  var canvas = root.querySelector(".gg-boundary");
  var FILL = ["#cfe0f5", "#f7d3cc", "#d5efd0", "#efe3c6", "#e3d5f0",
              "#cdeeee", "#f3d0e4", "#e0e0e0", "#f0f0c8", "#d8e8d8"];
  var DOT = ["#2f6db5", "#c8432b", "#3b8f35", "#a67c1e", "#7a4bb0",
             "#23908f", "#b03a7a", "#666666", "#8f8f1f", "#4a7a4a"];
  function drawBoundary(b) {
    var bd = data.boundary;
    if (!canvas || !bd) { return; }
    var ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
    var size = bd.size, cells = bd.classes[b], cw = w / size, ch = h / size;
    for (var r = 0; r < size; r++) {
      for (var c = 0; c < size; c++) {
        ctx.fillStyle = FILL[+cells.charAt(r * size + c)];
        ctx.fillRect(c * cw, h - (r + 1) * ch, cw + 0.5, ch + 0.5);
      }
    }
    var e = bd.extent;
    function px(p) { return [(p[0] - e[0]) / (e[1] - e[0]) * w, h - (p[1] - e[2]) / (e[3] - e[2]) * h]; }
    bd.points.forEach(function (p, i) {
      var q = px(p);
      ctx.beginPath();
      ctx.arc(q[0], q[1], 3.2, 0, 2 * Math.PI);
      ctx.fillStyle = DOT[bd.labels[i] % 10];
      ctx.fill();
      ctx.strokeStyle = "white";
      ctx.lineWidth = 1;
      ctx.stroke();
    });
    bd.sample.forEach(function (i) {
      var q = px(bd.points[i]);
      ctx.beginPath();
      ctx.arc(q[0], q[1], 7, 0, 2 * Math.PI);
      ctx.strokeStyle = "black";
      ctx.lineWidth = 2;
      ctx.stroke();
    });
    canvas.setAttribute("data-boundary", b);
  }

  /* ---------------------------------------------------------------- navigation */
  var caption = root.querySelector(".gg-caption");
  var counter = root.querySelector(".gg-counter");
  var phaseTags = root.querySelectorAll(".gg-ph");
  var ticks = root.querySelectorAll(".gg-tick");
  var iterLabel = root.querySelector(".gg-iter-label");
  var lossLabel = root.querySelector(".gg-loss-label");
  var current = -1;
  var follow = kit.view(root, function () { return graph.values[(frames[current].cur || [])[0]]; });
  function segmentStart(k) {
    while (k > 0 && frames[k - 1].p === frames[k].p && frames[k - 1].i === frames[k].i) { k--; }
    return k;
  }
  function iterationStart(it) {
    for (var k = 0; k < n; k++) { if (frames[k].i === it) { return k; } }
    return current;
  }
  function show(k) {
    k = Math.max(0, Math.min(n - 1, k));
    var f = frames[k];
    paint(picture(k));
    caption.innerHTML = f.c;
    counter.textContent = "frame " + (k + 1) + " / " + n;
    phaseTags.forEach(function (t) { t.classList.toggle("gg-on", +t.getAttribute("data-phase") === f.p); });
    ticks.forEach(function (t) {
      var it = +t.getAttribute("data-it");
      t.classList.toggle("gg-on", it === f.i);
      t.classList.toggle("gg-seen", it < f.i);
    });
    var known = losses.length ? f.i + (f.p > 0 ? 1 : 0) : 0;
    iterLabel.textContent = losses.length ? "iteration " + (f.i + 1) + " / " + losses.length : "";
    lossLabel.textContent = known ? "loss " + losses[known - 1].toPrecision(4) : "";
    drawLoss(known);
    drawBoundary(f.i + (f.p === 2 ? 1 : 0));
    root.setAttribute("data-frame", k);
    root.setAttribute("data-iteration", f.i);
    root.setAttribute("data-phase", data.phases[f.p]);
    current = k;
    follow();
  }
  function nextPhase() {
    for (var k = current + 1; k < n; k++) { if (segmentStart(k) === k) { return k; } }
    return current;
  }
  function prevPhase() {
    var start = segmentStart(current);
    return start > 0 ? segmentStart(start - 1) : 0;
  }
  var clock = kit.playback(root.querySelector(".gg-play"), data.interval, n,
                           function () { return current; }, show);
  function go(k) { clock.stop(); show(k); }
  function onClick(cls, to) {
    var b = root.querySelector(cls);
    if (b) { b.onclick = function () { go(to()); }; }
  }
  onClick(".gg-prev", function () { return current - 1; });
  onClick(".gg-next", function () { return current + 1; });
  onClick(".gg-prev-phase", prevPhase);
  onClick(".gg-next-phase", nextPhase);
  onClick(".gg-prev-iter", function () { return iterationStart(frames[current].i - 1); });
  onClick(".gg-next-iter", function () { return iterationStart(frames[current].i + 1); });
  ticks.forEach(function (t) {
    t.onclick = function () { go(iterationStart(+t.getAttribute("data-it"))); };
  });
  var KEYS = {
    ArrowRight: function () { return current + 1; },
    ArrowLeft: function () { return current - 1; },
    ArrowDown: nextPhase,
    ArrowUp: prevPhase,
    PageDown: function () { return iterationStart(frames[current].i + 1); },
    PageUp: function () { return iterationStart(frames[current].i - 1); }
  };
  root.addEventListener("keydown", function (e) {
    if (e.key === " " && e.target.tagName !== "BUTTON") { clock.toggle(); e.preventDefault(); return; }
    var to = KEYS[e.key];
    if (to) { go(to()); e.preventDefault(); }
  });
  root.querySelector(".gg-nojs").style.display = "none";
  show(0);
});
