// A form that takes a while ([data-busy]) says so while it is sent: its submit button is disabled (so it isn't sent
// twice) and its note ([data-busy-note], hidden until then) is shown with the seconds so far, counted each second.
// Without JavaScript the form is sent as it is and the browser shows its own loading indicator.
(function () {
  "use strict";
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var note = form.querySelector("[data-busy-note]");
      var counter = form.querySelector("[data-busy-seconds]");
      var started = Date.now();
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        // Disabled after this event, so the button's own name and value are still sent.
        window.setTimeout(function () { button.disabled = true; }, 0);
      });
      if (!note) {
        return;
      }
      note.hidden = false;
      if (counter) {
        window.setInterval(function () {
          counter.textContent = String(Math.round((Date.now() - started) / 1000));
        }, 1000);
      }
    });
  });
})();
