// The kiosk's small scripts. The printed-ticket screen prints at once, and again on the button; its reset is the
// page's Refresh header, so it happens without JavaScript too. "Read aloud" speaks the screen's words (the
// elements marked data-say, in order) in the page's voice (data-voice, from the server's Language.voice), where the
// browser has speech; pressed again, it stops.
(function () {
  "use strict";
  var button = document.querySelector("[data-print]");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
  if (document.querySelector(".receipt")) { window.setTimeout(function () { window.print(); }, 300); }

  var speak = document.querySelector("[data-speak]");
  if (!speak || !window.speechSynthesis || !window.SpeechSynthesisUtterance) { return; }
  var lang = speak.getAttribute("data-voice") || "ja-JP";
  speak.hidden = false;
  speak.setAttribute("aria-pressed", "false");
  speak.addEventListener("click", function () {
    if (window.speechSynthesis.speaking) {
      window.speechSynthesis.cancel();
      speak.setAttribute("aria-pressed", "false");
      return;
    }
    var words = Array.prototype.map.call(document.querySelectorAll("[data-say]"), function (el) {
      return el.textContent.trim();
    }).filter(function (t) { return t.length > 0; });
    var u = new SpeechSynthesisUtterance(words.join(lang === "ja-JP" || lang === "zh-CN" ? "。" : ". "));
    u.lang = lang;
    u.rate = 0.9;
    u.onend = u.onerror = function () { speak.setAttribute("aria-pressed", "false"); };
    speak.setAttribute("aria-pressed", "true");
    window.speechSynthesis.speak(u);
  });
})();
