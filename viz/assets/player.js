/* gradgate's backward-stepper player: moves between the frames of one Graphviz SVG.
   viz/player.py inlines this file into each player (with its id for __PLAYER_ID__), after
   the shared helpers of common.js (ggPlayerKit), and the frame data as JSON in
   script.gg-data; `node --check` lints it in CI. */
ggPlayerKit.start("__PLAYER_ID__", document.currentScript, function (root) {
  var kit = ggPlayerKit;
  var data = JSON.parse(root.querySelector("script.gg-data").textContent);
  var n = data.states.length;
  var graph = kit.index(root), gradText = {};
  Object.keys(graph.values).forEach(function (i) {
    var texts = graph.values[i].querySelectorAll("text");
    var k = (data.init[i] || []).length;
    if (k && texts.length >= k) {
      gradText[i] = Array.prototype.slice.call(texts, texts.length - k);
      gradText[i].forEach(kit.anchor);
    }
  });
  var current = -1;
  var follow = kit.view(root, function () { return graph.values[data.current[current]]; });
  var slider = root.querySelector(".gg-slider");
  var counter = root.querySelector(".gg-counter");
  var caption = root.querySelector(".gg-caption");
  function show(k) {
    k = Math.max(0, Math.min(n - 1, k));
    var states = data.states[k];
    for (var i = 0; i < states.length; i++) { kit.paintState(graph, i, states.charAt(i)); }
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
  var clock = kit.playback(root.querySelector(".gg-play"), data.interval, n,
                           function () { return current; }, show);
  function go(k) { clock.stop(); show(k); }
  root.querySelector(".gg-first").onclick = function () { go(0); };
  root.querySelector(".gg-prev").onclick = function () { go(current - 1); };
  root.querySelector(".gg-next").onclick = function () { go(current + 1); };
  root.querySelector(".gg-last").onclick = function () { go(n - 1); };
  slider.oninput = function () { go(+slider.value); };
  root.addEventListener("keydown", function (e) {
    if (e.key === "ArrowRight") { go(current + 1); e.preventDefault(); }
    if (e.key === "ArrowLeft") { go(current - 1); e.preventDefault(); }
  });
  root.querySelector(".gg-nojs").style.display = "none";
  show(0);
});
