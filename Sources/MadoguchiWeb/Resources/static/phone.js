// The phone page: once the holder says how long they need to get here, each procedure whose line is shorter than
// that journey says so ("set out now"), before the ticket is taken. Without JavaScript the general hint above the
// choices says the same.
(function () {
  "use strict";
  var form = document.querySelector("form.take-form");
  if (!form) { return; }
  function update() {
    var chosen = form.querySelector("input[name=travel]:checked");
    var travel = chosen && chosen.value !== "here" ? parseInt(chosen.value, 10) : 0;
    form.querySelectorAll("[data-wait-minutes]").forEach(function (item) {
      var note = item.querySelector("[data-leave-now]");
      if (!note) { return; }
      var wait = parseInt(item.getAttribute("data-wait-minutes"), 10) || 0;
      note.hidden = !(travel > 0 && wait < travel);
    });
  }
  form.addEventListener("change", update);
  update();
})();
