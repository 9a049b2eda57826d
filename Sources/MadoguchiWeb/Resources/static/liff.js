// The LINE mini-app (LIFF). LINE's SDK (loaded before this file, from LINE) opens the app; inside LINE, a ticket is
// taken with the holder's LINE identity: the ID token is traded once for a pass (POST /api/v1/line/session), kept
// for this tab, and sent with the ticket request, so "come now" reaches them in LINE with nothing typed. Outside
// LINE, or when the SDK did not load, nothing here runs and the page is the plain phone page (a form post).
(function () {
  "use strict";
  var root = document.getElementById("liff");
  if (!root || !window.liff || !window.fetch || !window.sessionStorage) { return; }
  var office = root.getAttribute("data-office");
  var form = document.querySelector("form.take-form");
  var status = document.querySelector("[data-liff-status]");
  var friend = document.querySelector("[data-liff-friend]");
  var stored = "madoguchi-line-pass";

  function say(text) {
    if (!status) { return; }
    status.textContent = text;
    status.hidden = false;
  }

  function answer(response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      if (!response.ok) {
        var error = new Error((body.error && body.error.message) || ("HTTP " + response.status));
        error.code = body.error && body.error.code;
        throw error;
      }
      return body;
    });
  }

  // The pass kept for this tab while it has a minute left; else a fresh one from the ID token.
  function pass() {
    var kept = null;
    try { kept = JSON.parse(sessionStorage.getItem(stored) || "null"); } catch (e) { kept = null; }
    if (kept && kept.pass && Date.parse(kept.expiresAt) - Date.now() > 60000) { return Promise.resolve(kept.pass); }
    var idToken = liff.getIDToken();
    if (!idToken) { return Promise.reject(new Error("LINE gave no ID token")); }
    return fetch("/api/v1/line/session", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ idToken: idToken })
    }).then(answer).then(function (body) {
      sessionStorage.setItem(stored, JSON.stringify(body));
      return body.pass;
    });
  }

  function buttons(disabled) {
    form.querySelectorAll("button[name=service]").forEach(function (b) { b.disabled = disabled; });
  }

  function take(event) {
    var button = event.submitter;
    if (!button || button.name !== "service") { return; }
    event.preventDefault();
    var travel = form.querySelector("input[name=travel]:checked");
    var body = { service: button.value, channel: "line", language: form.querySelector("input[name=language]").value };
    if (travel && travel.value !== "here") { body.travelMinutes = parseInt(travel.value, 10); }
    // One key per choice on this page: a second tap, or a retry after a lost answer, gets the same ticket.
    var key = button.getAttribute("data-key") || (Date.now().toString(36) + "-" + Math.random().toString(36).slice(2));
    button.setAttribute("data-key", key);
    buttons(true);
    pass().then(function (linePass) {
      return fetch("/api/v1/offices/" + encodeURIComponent(office) + "/tickets", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Idempotency-Key": key, "X-Line-Pass": linePass },
        body: JSON.stringify(body)
      });
    }).then(answer).then(function (ticket) {
      location.assign("/t/" + encodeURIComponent(ticket.token));
    }).catch(function (error) {
      if (error.code === "invalid_line_pass") { sessionStorage.removeItem(stored); }
      say(root.getAttribute("data-t-failed") + " " + error.message);
      buttons(false);
    });
  }

  liff.init({ liffId: root.getAttribute("data-liff-id") }).then(function () {
    if (!liff.isInClient() || !liff.isLoggedIn() || !form) { return; }
    document.body.classList.add("in-line");
    say(root.getAttribute("data-t-signed-in"));
    form.addEventListener("submit", take);
    if (friend && liff.getFriendship) {
      liff.getFriendship().then(function (f) { friend.hidden = !!f.friendFlag; }).catch(function () {});
    }
  }).catch(function () { /* the plain form still works */ });
})();
