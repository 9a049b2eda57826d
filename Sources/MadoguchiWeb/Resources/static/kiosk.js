// The printed-ticket screen: print at once, and print again on the button. The 20-second reset is the page's
// Refresh header, so it happens without JavaScript too.
(function () {
  "use strict";
  var button = document.querySelector("[data-print]");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
  if (document.querySelector(".receipt")) { window.setTimeout(function () { window.print(); }, 300); }
})();
