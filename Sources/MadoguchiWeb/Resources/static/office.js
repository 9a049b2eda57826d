// The public office page, live: the office's event stream sends a snapshot on every change. Plain JS, no
// libraries; the page is complete without it.
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root || !window.EventSource) { return; }
  var office = root.getAttribute("data-office");
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k] !== undefined ? String(values[k]) : ""; });
  }
  var source = new EventSource("/api/v1/offices/" + encodeURIComponent(office) + "/events");
  source.addEventListener("snapshot", function (e) {
    var snap = JSON.parse(e.data);
    snap.lines.forEach(function (line) {
      var row = root.querySelector('[data-line="' + CSS.escape(line.service) + '"]');
      if (!row) { return; }
      row.querySelector("[data-waiting]").textContent = fill(root.getAttribute("data-t-people"), { n: line.waiting });
      row.querySelector("[data-estimate]").textContent = line.estimate
        ? fill(root.getAttribute("data-t-minutes"), { m: line.estimate.minutes }) : root.getAttribute("data-t-idle");
    });
    snap.counters.forEach(function (c) {
      var cell = root.querySelector('[data-counter="' + CSS.escape(c.counter) + '"] [data-number]');
      if (cell) { cell.textContent = c.number || root.getAttribute("data-t-idle"); }
    });
  });
})();
