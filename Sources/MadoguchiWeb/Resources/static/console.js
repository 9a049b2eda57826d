// The staff console: every action has a one-key shortcut (shown on its button), a form is sent once (the button
// is disabled on submit; call-next also carries an idempotency key, so a second submit cannot call a second
// ticket), and the line counts follow the office's event stream.
(function () {
  "use strict";
  var root = document.getElementById("console");
  if (!root) { return; }
  Array.prototype.forEach.call(root.querySelectorAll("form[data-once]"), function (form) {
    form.addEventListener("submit", function (e) {
      if (form.getAttribute("data-sent")) { e.preventDefault(); return; }
      form.setAttribute("data-sent", "1");
      Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = true; });
    });
  });
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    var tag = (e.target && e.target.tagName) || "";
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") { return; }
    var key = e.key.length === 1 ? e.key.toUpperCase() : e.key;
    var button = root.querySelector('button[data-shortcut="' + key + '"]:not([disabled])');
    if (button) { e.preventDefault(); button.form.requestSubmit(button); }
  });
  if (!window.EventSource) { return; }
  var source = new EventSource("/api/v1/offices/" + encodeURIComponent(root.getAttribute("data-office")) + "/events");
  source.addEventListener("snapshot", function (e) {
    var snap = JSON.parse(e.data);
    snap.lines.forEach(function (line) {
      var cell = root.querySelector('[data-line="' + CSS.escape(line.service) + '"] [data-waiting]');
      if (cell) { cell.textContent = root.getAttribute("data-t-waiting").replace("{n}", String(line.waiting)); }
    });
  });
})();
