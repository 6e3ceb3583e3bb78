/* Visit check-in / check-out: read the position with navigator.geolocation and post it.
 * No map or geocoding service is involved. When the browser cannot or may not give a position,
 * the page says why and offers to check in without one (the server flags such a visit).
 * Messages come from data- attributes rendered by the template, so they are translated there. */
(function () {
  "use strict";

  function setup(form) {
    var status = form.querySelector("[data-geo-status]");
    var main = form.querySelector("[data-geo-submit]");
    var fallback = form.querySelector("[data-geo-fallback]");
    var busy = false;
    // Offered only after the position failed; detached until then so no stylesheet can show it early.
    var fallbackPlace = fallback ? fallback.nextSibling : null;
    if (fallback) { fallback.parentNode.removeChild(fallback); fallback.hidden = false; }

    function say(text) {
      if (status) { status.textContent = text; }
    }

    function clearPosition() {
      ["latitude", "longitude", "accuracy_m"].forEach(function (name) {
        form.elements[name].value = "";
      });
    }

    function offerFallback(message) {
      busy = false;
      if (main) { main.disabled = false; }
      say(message);
      if (fallback && !fallback.parentNode) {
        form.insertBefore(fallback, fallbackPlace);
        fallback.focus();
      }
    }

    form.addEventListener("submit", function (event) {
      if (event.submitter && event.submitter === fallback) {
        clearPosition();
        return; // an explicit check-in without a position
      }
      event.preventDefault();
      if (busy) { return; }
      if (!("geolocation" in navigator)) {
        offerFallback(form.dataset.unsupported);
        return;
      }
      busy = true;
      if (main) { main.disabled = true; }
      say(form.dataset.locating);
      navigator.geolocation.getCurrentPosition(
        function (position) {
          form.elements.latitude.value = position.coords.latitude.toFixed(6);
          form.elements.longitude.value = position.coords.longitude.toFixed(6);
          form.elements.accuracy_m.value = Math.round(position.coords.accuracy || 0);
          form.submit();
        },
        function (error) {
          offerFallback(error && error.code === 1 ? form.dataset.denied : form.dataset.unavailable);
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-geo]"), setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
