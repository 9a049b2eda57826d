// The lobby board, live on the office's event stream. On each call: a chime (Web Audio, no sound file), then
// speechSynthesis in each of the office's board languages in turn (the data-call-words elements: Japanese and
// English unless the offices file says otherwise; a language the browser has no voice for is shown, not spoken),
// and a flash on screen with the call in every one of them. EventSource reconnects by itself and sends
// Last-Event-ID, so the board resumes where it was. Browsers play sound only after a first touch; the start
// button takes it (an unattended TV runs Chromium with --autoplay-policy=no-user-gesture-required).
(function () {
  "use strict";
  var root = document.getElementById("board");
  if (!root || !window.EventSource) { return; }
  var office = root.getAttribute("data-office");
  var audio = null;
  var startButton = root.querySelector("[data-start]");
  var queue = [];
  var speaking = false;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k] !== undefined ? String(values[k]) : ""; });
  }
  function start() {
    try { audio = audio || new (window.AudioContext || window.webkitAudioContext)(); audio.resume(); } catch (e) { audio = null; }
    startButton.hidden = true;
    if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen().catch(function () {}); }
  }
  startButton.addEventListener("click", start);

  function chime(done) {
    if (!audio || audio.state !== "running") { done(); return; }
    var now = audio.currentTime;
    [[880, 0], [659.25, 0.45]].forEach(function (tone) {
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = tone[0];
      gain.gain.setValueAtTime(0.0001, now + tone[1]);
      gain.gain.exponentialRampToValueAtTime(0.4, now + tone[1] + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + tone[1] + 0.9);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + tone[1]);
      osc.stop(now + tone[1] + 1);
    });
    window.setTimeout(done, 1300);
  }
  // "A-042" is read as "A 42": the letter, then the number without its leading zeros.
  function spoken(number) {
    var parts = number.split("-");
    return parts[0] + " " + String(parseInt(parts[1], 10));
  }
  function say(text, lang, done) {
    if (!window.speechSynthesis) { done(); return; }
    var u = new SpeechSynthesisUtterance(text);
    u.lang = lang;
    u.rate = 0.9;
    u.onend = done;
    u.onerror = done;
    window.speechSynthesis.speak(u);
  }
  var languages = Array.prototype.map.call(root.querySelectorAll("[data-call-words]"), function (el) {
    return { tag: el.getAttribute("data-lang"), voice: el.getAttribute("data-voice"),
             visual: el.getAttribute("data-visual"), spoken: el.getAttribute("data-spoken") };
  });
  // Whether the browser can speak `voice`: any voice of its language, or no list to judge by.
  function canSpeak(voice) {
    if (!window.speechSynthesis) { return false; }
    var all = window.speechSynthesis.getVoices();
    if (!all || all.length === 0) { return true; }
    var prefix = voice.split("-")[0];
    return all.some(function (v) { return (v.lang || "").replace("_", "-").split("-")[0] === prefix; });
  }
  function announceNext() {
    if (speaking || queue.length === 0) { return; }
    speaking = true;
    var call = queue.shift();
    var values = { number: spoken(call.number), counter: call.counter };
    var spoken_in = languages.filter(function (l) { return canSpeak(l.voice); });
    function next(i) {
      if (i >= spoken_in.length) { speaking = false; announceNext(); return; }
      say(fill(spoken_in[i].spoken, values), spoken_in[i].voice, function () { next(i + 1); });
    }
    chime(function () { next(0); });
  }
  function flash(call) {
    var el = root.querySelector("[data-flash]");
    var values = { number: call.number, counter: call.counter };
    el.textContent = "";
    languages.forEach(function (l) {
      var line = document.createElement("span");
      line.className = "flash-line";
      line.lang = l.tag;
      line.textContent = fill(l.visual, values);
      el.appendChild(line);
    });
    el.classList.remove("on");
    void el.offsetWidth;
    el.classList.add("on");
    root.querySelector("[data-announce]").textContent = fill(root.getAttribute("data-t-call"), values);
  }
  function remember(call) {
    var list = root.querySelector("[data-recent]");
    var li = document.createElement("li");
    var n = document.createElement("span"); n.className = "recent-number"; n.textContent = call.number;
    var a = document.createElement("span"); a.className = "recent-arrow"; a.setAttribute("aria-hidden", "true"); a.textContent = " → ";
    var c = document.createElement("span"); c.className = "recent-counter"; c.textContent = call.counter;
    li.appendChild(n); li.appendChild(a); li.appendChild(c);
    list.insertBefore(li, list.firstChild);
    while (list.children.length > 6) { list.removeChild(list.lastChild); }
  }

  var source = new EventSource("/api/v1/offices/" + encodeURIComponent(office) + "/events");
  var offline = root.querySelector("[data-offline]");
  source.onopen = function () { offline.hidden = true; };
  source.onerror = function () { offline.hidden = false; };
  source.addEventListener("snapshot", function (e) {
    var snap = JSON.parse(e.data);
    snap.counters.forEach(function (c) {
      var row = root.querySelector('[data-counter="' + CSS.escape(c.counter) + '"]');
      if (!row) { return; }
      var cell = row.querySelector("[data-number]");
      var shown = (c.status === "called" || c.status === "serving") && c.number ? c.number : "";
      var calls = c.calls || 0;
      var isNewCall = c.status === "called" && c.number &&
        (cell.textContent !== c.number || parseInt(row.getAttribute("data-calls") || "0", 10) < calls);
      cell.textContent = shown;
      row.setAttribute("data-calls", String(calls));
      row.classList.toggle("called", c.status === "called");
      if (isNewCall) {
        var call = { number: c.number, counter: c.label };
        row.classList.remove("flash"); void row.offsetWidth; row.classList.add("flash");
        flash(call);
        remember(call);
        queue.push(call);
        announceNext();
      }
    });
  });
})();
