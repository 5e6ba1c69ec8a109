/* The shared report on a phone: the key points stay open and every other section folds
   under its heading, which becomes a button, so that a clinician sees the report's outline
   in a screen or two and opens what they need. Wider screens, print and a link to a part of
   a section (a definition, say) show it whole. Without JavaScript everything is open. No
   inline scripts: the page keeps its strict Content-Security-Policy. */
(function () {
  "use strict";

  var NARROW = "(max-width: 40em)";
  var FOLDED = "main > section[aria-labelledby]:not(.key-points):not(.what-is-this):not(.see-doctor)";

  function setOpen(toggle, open) {
    toggle.setAttribute("aria-expanded", String(open));
    document.getElementById(toggle.getAttribute("aria-controls")).hidden = !open;
  }

  function fold(section) {
    var heading = section.querySelector(":scope > h2");
    if (!heading || !heading.id) return;
    var body = document.createElement("div");
    body.id = heading.id + "-body";
    while (heading.nextSibling) body.appendChild(heading.nextSibling);
    section.appendChild(body);
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "fold-toggle";
    toggle.setAttribute("aria-controls", body.id);
    while (heading.firstChild) toggle.appendChild(heading.firstChild);
    // The open/closed sign is drawn, not read: aria-expanded says it.
    var sign = document.createElement("span");
    sign.className = "fold-sign";
    sign.setAttribute("aria-hidden", "true");
    toggle.appendChild(sign);
    heading.appendChild(toggle);
    setOpen(toggle, false);
  }

  function toggles() {
    return Array.prototype.slice.call(document.querySelectorAll(".fold-toggle"));
  }

  // A link to something inside a folded section opens that section.
  function openTarget() {
    if (!location.hash) return;
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var section = target && target.closest("section");
    var toggle = section && section.querySelector(".fold-toggle");
    if (!toggle || toggle.getAttribute("aria-expanded") === "true") return;
    setOpen(toggle, true);
    target.scrollIntoView();
  }

  if (!window.matchMedia(NARROW).matches) return;
  document.querySelectorAll(FOLDED).forEach(fold);
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".fold-toggle");
    if (toggle) setOpen(toggle, toggle.getAttribute("aria-expanded") !== "true");
  });
  window.addEventListener("hashchange", openTarget);
  window.addEventListener("beforeprint", function () {
    toggles().forEach(function (toggle) { setOpen(toggle, true); });
  });
  openTarget();
})();
