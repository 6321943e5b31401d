// Keeps "7 minutes left" ticking on the facilitator's present view. The server already wrote
// the text; this only refreshes it every 15 seconds, silently (it is not a live region), and
// picks up the new item after each htmx swap. Without JavaScript the text is right on each load.
(function () {
  "use strict";

  function minutes(n) { return n + " minute" + (n === 1 ? "" : "s"); }

  function text(el) {
    var started = Date.parse(el.getAttribute("data-started-at") || "");
    var allotted = parseInt(el.getAttribute("data-minutes"), 10);
    if (isNaN(started) || isNaN(allotted)) { return null; }
    var left = Math.ceil((allotted * 60 - (Date.now() - started) / 1000) / 60);
    if (left > 0) { return minutes(left) + " left"; }
    if (left === 0) { return "Time is up"; }
    return minutes(-left) + " over";
  }

  function tick() {
    var timers = document.querySelectorAll("[data-timer]");
    for (var i = 0; i < timers.length; i++) {
      var value = text(timers[i]);
      if (value !== null && timers[i].textContent !== value) { timers[i].textContent = value; }
    }
  }

  document.addEventListener("htmx:afterSettle", tick);
  setInterval(tick, 15000);
})();
