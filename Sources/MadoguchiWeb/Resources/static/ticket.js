// The ticket page, live: the ticket's event stream sends the ticket's state on every change; when it is called,
// the page says where to go (and vibrates where the browser allows). Plain JS; the page works without it.
(function () {
  "use strict";
  var root = document.getElementById("ticket");
  if (!root || !window.EventSource) { return; }
  var token = root.getAttribute("data-token");
  var t = function (key) { return root.getAttribute("data-t-" + key) || ""; };
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k] !== undefined ? String(values[k]) : ""; });
  }
  var lastStatus = root.querySelector("[data-status]").getAttribute("data-status");
  function render(ticket) {
    var counter = ticket.counter ? ticket.counter.label : "";
    var status = root.querySelector("[data-status]");
    status.setAttribute("data-status", ticket.status);
    status.textContent = fill(t("status-" + ticket.status), { counter: counter });
    root.className = "ticket status-" + ticket.status;
    var ahead = root.querySelector("[data-ahead]");
    var estimate = root.querySelector("[data-estimate]");
    if (ticket.status === "waiting" && ticket.position) {
      var n = ticket.position - 1;
      ahead.textContent = n === 0 ? t("next") : fill(t("ahead"), { n: n });
      estimate.textContent = ticket.estimate
        ? fill(t("estimate"), { m: ticket.estimate.minutes, lo: ticket.estimate.low, hi: ticket.estimate.high }) : "";
    } else {
      ahead.textContent = "";
      estimate.textContent = "";
    }
    var comeNow = root.querySelector("[data-come-now]");
    if (comeNow) { comeNow.hidden = !(ticket.status === "waiting" && ticket.comeNow); }
    var checkIn = root.querySelector("[data-check-in]");
    if (checkIn) { checkIn.hidden = !(ticket.status === "waiting" && ticket.onTheWay); }
    var callout = root.querySelector("[data-callout]");
    callout.textContent = ticket.status === "called" ? fill(t("go-now"), { counter: counter }) : "";
    if (ticket.status === "called" && lastStatus !== "called" && navigator.vibrate) { navigator.vibrate([300, 150, 300, 150, 300]); }
    var actions = root.querySelector(".ticket-actions");
    if (actions) { actions.hidden = !(ticket.status === "waiting" || ticket.status === "called"); }
    var rate = root.querySelector("[data-rate]");
    if (rate) { rate.hidden = ticket.status !== "completed"; }
    lastStatus = ticket.status;
  }
  var source = new EventSource("/api/v1/tickets/" + encodeURIComponent(token) + "/events");
  var offline = root.querySelector("[data-offline]");
  source.onopen = function () { offline.hidden = true; };
  source.onerror = function () { offline.hidden = false; };
  ["snapshot", "ticket.come_now", "ticket.arrived", "ticket.called", "ticket.recalled", "ticket.serving", "ticket.completed", "ticket.no_show",
   "ticket.cancelled", "ticket.postponed", "ticket.transferred", "ticket.reactivated", "ticket.expired", "update"]
    .forEach(function (name) {
      source.addEventListener(name, function (e) { render(JSON.parse(e.data)); });
    });
})();
