// Roundtable's only script besides htmx. Everything works without it; it adds polish that
// htmx does not do by itself: announcing results, marking busy regions, and CSRF for htmx.
(function () {
  "use strict";
  document.documentElement.classList.add("js-enabled");

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    // Polls must not wipe a message the person has not heard yet.
    if (!elt.closest || !elt.closest("[data-live]")) {
      var status = document.getElementById("sr-status");
      if (status) { status.textContent = ""; }
      var errors = document.getElementById("htmx-errors");
      if (errors) { errors.textContent = ""; }
    }
    if (event.detail.target) { event.detail.target.setAttribute("aria-busy", "true"); }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.target) { event.detail.target.removeAttribute("aria-busy"); }
  });

  // A failure that never reached the app (network down, proxy error page) still says so.
  document.addEventListener("htmx:sendError", showGenericError);
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && xhr.status !== 422 && !xhr.getResponseHeader("HX-Retarget")) {
      event.detail.shouldSwap = false;
      showGenericError();
    }
  });

  function showGenericError() {
    var errors = document.getElementById("htmx-errors");
    if (!errors) { return; }
    errors.innerHTML = "";
    var box = document.createElement("div");
    box.className = "banner banner--error";
    var title = document.createElement("h2");
    title.className = "banner__title";
    title.textContent = "Sorry, that did not work";
    var text = document.createElement("p");
    text.className = "banner__text";
    text.textContent = "Check your connection and try again, or reload the page.";
    box.appendChild(title);
    box.appendChild(text);
    errors.appendChild(box);
  }
})();
