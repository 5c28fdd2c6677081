// Offers the browser's time zone where a page has a form for it ([data-browser-zone]): names the zone the browser
// reports (Intl), puts it in the form's button and shows the form, unless it is the zone already in use. Without
// JavaScript the form stays hidden and the account page's menu does the same.
(function () {
  "use strict";
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    return;
  }
  if (!zone) {
    return;
  }
  document.querySelectorAll("[data-browser-zone]").forEach(function (offer) {
    var button = offer.querySelector("[data-use-browser-zone]");
    if (!button || button.getAttribute("data-current") === zone) {
      return;
    }
    button.value = zone;
    offer.querySelectorAll("[data-browser-zone-name]").forEach(function (name) {
      name.textContent = zone;
    });
    offer.hidden = false;
  });
})();
