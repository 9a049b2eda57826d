// The supervisor dashboard, live: one stream says which office changed; its card (guard, counters, lines,
// recommendations) is then fetched and redrawn. Plain JS; without it the page is still whole,
// as of its loading.
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root || !window.EventSource || !window.fetch) { return; }
  var csrf = root.getAttribute("data-csrf");
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function draw(section, card) {
    section.classList.toggle("over", card.over);
    section.querySelector("[data-projected]").textContent = String(card.projectedMinutes);
    section.querySelector("[data-status]").textContent = card.status;
    section.querySelector("[data-open]").textContent = String(card.open);
    section.querySelector("[data-idle]").textContent = String(card.idle);
    var lines = section.querySelector("[data-lines]");
    lines.replaceChildren.apply(lines, card.lines.map(function (l) {
      var li = el("li");
      li.append(el("span", { "class": "prefix" }, l.prefix), " " + l.name + " ", el("strong", {}, String(l.waiting)));
      return li;
    }));
    var options = section.querySelector("[data-options]");
    options.replaceChildren.apply(options, card.options.map(function (o) {
      var form = el("form", { method: "post", action: "/dashboard/accept", "class": "option" });
      var fields = { csrf: csrf, office: card.office, counter: o.counter };
      if (o.fromOffice) { fields.fromOffice = o.fromOffice; fields.fromCounter = o.fromCounter; }
      if (o.skill) { fields.skill = o.skill; }
      Object.keys(fields).forEach(function (k) { form.append(el("input", { type: "hidden", name: k, value: fields[k] })); });
      var p = el("p", {}, o.text + " ");
      p.append(el("strong", {}, o.effect));
      form.append(p, el("button", { type: "submit", "class": "button primary-small" }, root.getAttribute("data-t-accept") || "Accept"));
      return form;
    }));
  }
  var pending = {};
  function update(office) {
    var section = document.getElementById("office-" + office);
    if (!section || pending[office]) { return; }
    pending[office] = true;
    fetch("/dashboard/offices/" + encodeURIComponent(office), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (card) { pending[office] = false; if (card) { draw(section, card); } })
      .catch(function () { pending[office] = false; });
  }
  function all() {
    Array.prototype.forEach.call(root.querySelectorAll("[data-office]"), function (s) { update(s.getAttribute("data-office")); });
  }
  // One stream for every office (a browser keeps six connections to a site); a frame names the office that changed.
  var source = new EventSource("/dashboard/events");
  source.addEventListener("changed", function (e) { update(JSON.parse(e.data).office); });
  source.onopen = all;
  // A stream drops the oldest frames when a burst outruns it: every card again each minute.
  setInterval(all, 60000);
})();
