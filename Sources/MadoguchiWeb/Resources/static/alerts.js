// "Notify me on this browser": registers the service worker, subscribes with the server's VAPID key, and gives the
// subscription to the ticket (it is deleted when the ticket's day ends). Plain JS; without Web Push support the
// button stays hidden, and LINE alerts (a plain form) work regardless.
(function () {
  "use strict";
  var root = document.getElementById("ticket");
  var button = document.querySelector("[data-push]");
  if (!root || !button || !("serviceWorker" in navigator) || !("PushManager" in window) || !window.fetch) { return; }
  var status = document.querySelector("[data-push-status]");
  var token = root.getAttribute("data-token");
  function key(base64url) {
    var base64 = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(base64);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }
  function say(text) { status.textContent = text; }
  button.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    navigator.serviceWorker.register("/sw.js", { scope: "/" })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        return registration.pushManager.subscribe({
          userVisibleOnly: true, applicationServerKey: key(button.getAttribute("data-vapid-key"))
        });
      })
      .then(function (subscription) {
        return fetch("/api/v1/tickets/" + encodeURIComponent(token) + "/contacts", {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ channel: "web-push", address: JSON.stringify(subscription) })
        });
      })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        say(button.getAttribute("data-t-push-on"));
        button.hidden = true;
      })
      .catch(function () {
        say(button.getAttribute("data-t-push-failed"));
        button.disabled = false;
      });
  });
})();
