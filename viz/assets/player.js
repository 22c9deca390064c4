/* gradgate's backward-stepper player: moves between the frames of one Graphviz SVG.
   viz/player.py inlines this file into each player (with its id for __PLAYER_ID__)
   and the frame data as JSON in script.gg-data; `node --check` lints it in CI. */
(function () {
  var ID = "__PLAYER_ID__";
  var me = document.currentScript;
  var root = me ? me.closest(".gg-player") : null;
  var tries = 0;
  function boot() {
    root = root || document.getElementById(ID);
    if (!root) { if (tries++ < 100) { setTimeout(boot, 50); } return; }
    var data = JSON.parse(root.querySelector("script.gg-data").textContent);
    var n = data.states.length;
    var values = {}, uses = {}, arrivals = {}, ops = {}, gradText = {};
    root.querySelectorAll("g.node, g.edge").forEach(function (g) {
      g.classList.forEach(function (c) {
        var m = /^gg([vore])_(\d+)(?:_(\d+))?$/.exec(c);
        if (!m) { return; }
        var i = +m[2];
        if (m[1] === "v") {
          values[i] = g;
          var texts = g.querySelectorAll("text");
          var k = (data.init[i] || []).length;
          if (k && texts.length >= k) {
            var cells = Array.prototype.slice.call(texts, texts.length - k);
            cells.forEach(function (t) { anchor(t); });
            gradText[i] = cells;
          }
        } else if (m[1] === "o") { ops[i] = g; }
        else if (m[1] === "r") { arrivals[i] = g; }
        else { (uses[i] = uses[i] || []).push(g); }
      });
    });
    function anchor(t) {
      /* keep each cell's text in place whatever its length: right-align tensor numbers,
         centre scalar "grad" cells */
      try {
        var bb = t.getBBox();
        if (bb.width <= 0) { return; }
        var mid = t.textContent.indexOf("grad") === 0;
        t.setAttribute("x", mid ? bb.x + bb.width / 2 : bb.x + bb.width);
        t.setAttribute("text-anchor", mid ? "middle" : "end");
      } catch (e) { /* not rendered yet: keep Graphviz's anchor */ }
    }
    var box = root.querySelector(".gg-svg");
    var svgEl = box.querySelector("svg");
    var zoom = root.querySelector(".gg-zoom");
    function setFit(fit) {
      root.classList.toggle("gg-fit", fit);
      zoom.textContent = fit ? "100%" : "fit";
    }
    setFit(svgEl && svgEl.getBoundingClientRect().width <= 1.6 * box.clientWidth);
    zoom.onclick = function () { setFit(!root.classList.contains("gg-fit")); follow(); };
    function follow() {
      /* scroll the picture (inside its box) so that the current node is in view */
      var g = values[data.current[current]];
      if (!g) { return; }
      var r = g.getBoundingClientRect(), c = box.getBoundingClientRect();
      box.scrollLeft += (r.left + r.width / 2) - (c.left + c.width / 2);
      box.scrollTop += (r.top + r.height / 2) - (c.top + c.height / 2);
    }
    var slider = root.querySelector(".gg-slider");
    var counter = root.querySelector(".gg-counter");
    var caption = root.querySelector(".gg-caption");
    var play = root.querySelector(".gg-play");
    var timer = null, current = -1;
    var CLASSES = {p: "gg-pend", r: "gg-reach", c: "gg-cur", d: "gg-done"};
    var EDGE = {p: "gg-pend", r: "gg-pend", c: "gg-cur", d: "gg-done"};
    function mark(g, cls) {
      if (!g) { return; }
      g.classList.remove("gg-pend", "gg-reach", "gg-cur", "gg-done");
      g.classList.add(cls);
    }
    function show(k) {
      k = Math.max(0, Math.min(n - 1, k));
      var states = data.states[k];
      for (var i = 0; i < states.length; i++) {
        var s = states.charAt(i);
        mark(values[i], CLASSES[s]);
        mark(ops[i], EDGE[s]);
        mark(arrivals[i], EDGE[s]);
        (uses[i] || []).forEach(function (g) { mark(g, EDGE[s]); });
      }
      var texts = Object.assign({}, data.init);
      for (var j = 0; j <= k; j++) { Object.assign(texts, data.deltas[j]); }
      Object.keys(gradText).forEach(function (key) {
        gradText[key].forEach(function (t, j) { t.textContent = texts[key][j]; });
      });
      caption.innerHTML = data.captions[k];
      slider.value = k;
      counter.textContent = "step " + (k + 1) + " / " + n;
      root.setAttribute("data-step", k);
      current = k;
      follow();
    }
    function stop() {
      if (timer) { clearInterval(timer); timer = null; }
      play.textContent = "\u25B6 play";
    }
    root.querySelector(".gg-first").onclick = function () { stop(); show(0); };
    root.querySelector(".gg-prev").onclick = function () { stop(); show(current - 1); };
    root.querySelector(".gg-next").onclick = function () { stop(); show(current + 1); };
    root.querySelector(".gg-last").onclick = function () { stop(); show(n - 1); };
    slider.oninput = function () { stop(); show(+slider.value); };
    play.onclick = function () {
      if (timer) { stop(); return; }
      if (current >= n - 1) { show(0); }
      play.textContent = "\u275A\u275A pause";
      timer = setInterval(function () {
        if (current >= n - 1) { stop(); } else { show(current + 1); }
      }, data.interval);
    };
    root.addEventListener("keydown", function (e) {
      if (e.key === "ArrowRight") { stop(); show(current + 1); e.preventDefault(); }
      if (e.key === "ArrowLeft") { stop(); show(current - 1); e.preventDefault(); }
    });
    root.querySelector(".gg-nojs").style.display = "none";
    show(0);
  }
  boot();
})();
