/* What gradgate's two players share: finding the player, indexing the Graphviz SVG, colouring
   a node by its state, anchoring cell text, zoom and scrolling, play / pause.
   viz/player.py and viz/train_html.py inline this file just before each player's own script
   (player.js, train_player.js), which calls it as ggPlayerKit; `node --check` lints it in CI. */
var ggPlayerKit = (function () {
  /* run(root) once the player's element is in the page: the element around the running
     script, or the one with id `id` (a notebook may run the script before it is attached) */
  function start(id, script, run) {
    var root = script ? script.closest(".gg-player") : null;
    var tries = 0;
    function boot() {
      root = root || document.getElementById(id);
      if (!root) { if (tries++ < 100) { setTimeout(boot, 50); } return; }
      run(root);
    }
    boot();
  }

  /* the SVG's groups by value index, from the classes the Python side gives them:
     ggv_i (value node), ggo_i (its op), ggr_i (its arrival), gge_i_j (an edge, also keyed
     "i_j" in edges) */
  function index(root) {
    var graph = {values: {}, ops: {}, arrivals: {}, uses: {}, edges: {}};
    root.querySelectorAll("g.node, g.edge").forEach(function (g) {
      g.classList.forEach(function (c) {
        var m = /^gg([vore])_(\d+)(?:_(\d+))?$/.exec(c);
        if (!m) { return; }
        var i = +m[2];
        if (m[1] === "v") { graph.values[i] = g; }
        else if (m[1] === "o") { graph.ops[i] = g; }
        else if (m[1] === "r") { graph.arrivals[i] = g; }
        else {
          (graph.uses[i] = graph.uses[i] || []).push(g);
          graph.edges[i + "_" + m[3]] = g;
        }
      });
    });
    return graph;
  }

  /* the state letters (viz.player.STATE_CODES) as classes of nodes and of edges */
  var CLASSES = {p: "gg-pend", r: "gg-reach", c: "gg-cur", d: "gg-done"};
  var EDGE = {p: "gg-pend", r: "gg-pend", c: "gg-cur", d: "gg-done"};
  function mark(g, cls) {
    if (!g) { return; }
    g.classList.remove("gg-pend", "gg-reach", "gg-cur", "gg-done");
    g.classList.add(cls);
  }
  function paintState(graph, i, s) {
    mark(graph.values[i], CLASSES[s]);
    mark(graph.ops[i], EDGE[s]);
    mark(graph.arrivals[i], EDGE[s]);
    (graph.uses[i] || []).forEach(function (g) { mark(g, EDGE[s]); });
  }

  function anchor(t) {
    /* keep a cell's text in place whatever its length: numbers right-aligned, "data" and
       "grad" cells centred */
    try {
      var bb = t.getBBox();
      if (bb.width <= 0) { return; }
      var mid = /^(data|grad) /.test(t.textContent);
      t.setAttribute("x", mid ? bb.x + bb.width / 2 : bb.x + bb.width);
      t.setAttribute("text-anchor", mid ? "middle" : "end");
    } catch (e) { /* not rendered yet: keep Graphviz's anchor */ }
  }

  /* the zoom button (fit the width / natural size) and the function that scrolls the
     picture, inside its box, so that node() (the current node's group) is in view */
  function view(root, node) {
    var box = root.querySelector(".gg-svg");
    var svg = box.querySelector("svg");
    var zoom = root.querySelector(".gg-zoom");
    function follow() {
      var g = node();
      if (!g) { return; }
      var r = g.getBoundingClientRect(), c = box.getBoundingClientRect();
      box.scrollLeft += (r.left + r.width / 2) - (c.left + c.width / 2);
      box.scrollTop += (r.top + r.height / 2) - (c.top + c.height / 2);
    }
    function setFit(fit) {
      root.classList.toggle("gg-fit", fit);
      zoom.textContent = fit ? "100%" : "fit";
    }
    setFit(svg && svg.getBoundingClientRect().width <= 1.6 * box.clientWidth);
    zoom.onclick = function () { setFit(!root.classList.contains("gg-fit")); follow(); };
    return follow;
  }

  /* the play / pause button over frames 0..n-1: position() is the frame shown, show(k)
     shows frame k */
  function playback(button, interval, n, position, show) {
    var timer = null;
    function stop() {
      if (timer) { clearInterval(timer); timer = null; }
      button.textContent = "\u25B6 play";
    }
    function toggle() {
      if (timer) { stop(); return; }
      if (position() >= n - 1) { show(0); }
      button.textContent = "\u275A\u275A pause";
      timer = setInterval(function () {
        if (position() >= n - 1) { stop(); } else { show(position() + 1); }
      }, interval);
    }
    button.onclick = toggle;
    return {stop: stop, toggle: toggle};
  }

  return {start: start, index: index, paintState: paintState, anchor: anchor, view: view,
          playback: playback};
})();
