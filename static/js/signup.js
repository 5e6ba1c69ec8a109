/* Sign-up: the time zone this browser runs in and the distance unit its language suggests
   go with the form, so a new account starts with the right dates and units (both can be
   changed in Settings). Without JavaScript the account starts in UTC and kilometres. */
(function () {
  "use strict";

  // The countries that have not gone metric: the United States, Liberia and Myanmar.
  var MILE_REGIONS = ["US", "LR", "MM"];

  function region(language) {
    var parts = (language || "").split("-");
    return parts.length > 1 ? parts[parts.length - 1].toUpperCase() : "";
  }

  var zone = document.querySelector("input[name=timezone]");
  var unit = document.querySelector("input[name=distance_unit]");
  try {
    if (zone && !zone.value) zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    // No Intl time zones: the server keeps its default.
  }
  if (unit && !unit.value) {
    unit.value = MILE_REGIONS.indexOf(region(navigator.language)) >= 0 ? "mi" : "km";
  }
})();
