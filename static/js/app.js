/* Small progressive enhancements; every page works without them. No inline scripts. */
(function () {
  "use strict";

  // A row of 0–10 buttons fills in the pain score's number box; typing in the box
  // highlights the matching button.
  function initScale(scale) {
    var input = document.getElementById(scale.dataset.scaleFor);
    if (!input) return;
    var buttons = scale.querySelectorAll("button");
    function show() {
      buttons.forEach(function (button) {
        button.setAttribute("aria-pressed", String(button.dataset.value === input.value));
      });
    }
    scale.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-value]");
      if (!button) return;
      input.value = input.value === button.dataset.value ? "" : button.dataset.value;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      show();
    });
    input.addEventListener("input", show);
    show();
  }

  // Live pace from distance and duration, in the user's unit.
  function parseDuration(text) {
    text = (text || "").trim();
    if (!text) return null;
    var parts = text.split(":");
    if (parts.length > 3 || parts.some(function (p) { return p === "" || isNaN(p); })) return null;
    if (parts.length === 1) return Math.round(parseFloat(parts[0]) * 60);
    return parts.reduce(function (total, part) { return total * 60 + parseInt(part, 10); }, 0);
  }

  function initPace(form) {
    var distance = form.querySelector("[name=distance]");
    var duration = form.querySelector("[name=duration]");
    var output = form.querySelector("[data-pace-output]");
    if (!distance || !duration || !output) return;
    function update() {
      var d = parseFloat(distance.value);
      var s = parseDuration(duration.value);
      if (!(d > 0) || !(s > 0)) { output.textContent = ""; return; }
      var perUnit = Math.round(s / d);
      var minutes = Math.floor(perUnit / 60);
      var seconds = String(perUnit % 60).padStart(2, "0");
      output.textContent = "Pace " + minutes + ":" + seconds + " /" + form.dataset.unit;
    }
    distance.addEventListener("input", update);
    duration.addEventListener("input", update);
    update();
  }

  // htmx fires htmx:load for the whole body on start-up as well as for swapped-in parts,
  // so an element can be seen twice: wire it up once (a second click handler on a scale
  // would toggle every tapped score straight back off).
  function once(init) {
    return function (element) {
      if (element.dataset.enhanced) return;
      element.dataset.enhanced = "true";
      init(element);
    };
  }

  // The root counts too: a form swapped in whole (the run form back with its errors) is
  // itself the root of htmx:load.
  function within(root, selector) {
    var found = Array.prototype.slice.call(root.querySelectorAll(selector));
    if (root.matches && root.matches(selector)) found.unshift(root);
    return found;
  }

  function init(root) {
    within(root, "[data-scale-for]").forEach(once(initScale));
    within(root, "form[data-pace]").forEach(once(initPace));
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  // Parts swapped in by htmx get the same behaviour.
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
