// The service worker for Web Push alerts: shows what the server sent (title, body; the ticket page on a tap).
// Nothing is cached and nothing is kept.
"use strict";
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { title: "Madoguchi", body: event.data.text() }; }
  event.waitUntil(self.registration.showNotification(data.title || "Madoguchi", {
    body: data.body || "", tag: data.tag, renotify: true, requireInteraction: true, data: { url: data.url || "/" }
  }));
});
self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(self.clients.matchAll({ type: "window" }).then(function (windows) {
    for (var i = 0; i < windows.length; i++) {
      if (windows[i].url === url && "focus" in windows[i]) { return windows[i].focus(); }
    }
    return self.clients.openWindow(url);
  }));
});
