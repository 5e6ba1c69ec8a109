/* Small progressive enhancements; every page works without them. No inline scripts. */
(function (global) {
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

  var Numbers = global.BackpainlogNumbers;

  // Live pace from distance and duration, in the user's unit, and what the duration box
  // is read as ("4530" → 45 min 30 s), with the same rules as the server.
  function initPace(form) {
    var distance = form.querySelector("[name=distance]");
    var duration = form.querySelector("[name=duration]");
    var output = form.querySelector("[data-pace-output]");
    var durationOutput = form.querySelector("[data-duration-output]");
    if (!distance || !duration || !output) return;
    var hint = durationOutput ? durationOutput.textContent : "";
    function update() {
      var unit = form.dataset.unit || "km";
      var d = Numbers.parseDistance(distance.value, unit);
      var s = Numbers.parseDuration(duration.value);
      if (durationOutput) {
        if (s.error) durationOutput.textContent = s.error;
        else if (s.seconds) durationOutput.textContent = "Read as " + Numbers.formatDuration(s.seconds)
          + " (" + Numbers.describeDuration(s.seconds) + ")";
        else durationOutput.textContent = hint;
        durationOutput.classList.toggle("error", Boolean(s.error));
      }
      if (d.error || !(s.seconds > 0)) { output.textContent = ""; return; }
      var perUnit = Math.round(s.seconds / (d.metres / (Numbers.MM_PER_UNIT[unit] / 1000)));
      var minutes = Math.floor(perUnit / 60);
      var seconds = String(perUnit % 60).padStart(2, "0");
      output.textContent = "Pace " + minutes + ":" + seconds + " /" + unit;
    }
    distance.addEventListener("input", update);
    duration.addEventListener("input", update);
    update();
  }

  // The plausibility question's "Change it": the form stays as typed, the question goes,
  // Save comes back and the distance is ready to be corrected (without JavaScript the
  // button asks the server for the same form again).
  function initQuestion(question) {
    var form = question.closest("form");
    var change = question.querySelector("[data-change-it]");
    if (!form || !change) return;
    var anyway = question.querySelector("button[name=save_anyway]");
    if (anyway) anyway.focus({ preventScroll: true });
    change.addEventListener("click", function (event) {
      event.preventDefault();
      dismiss(form, question);
      var distance = form.querySelector("[name=distance]");
      if (distance) distance.focus();
    });
  }

  function dismiss(form, question) {
    question.remove();
    var bar = form.querySelector("[data-save-bar]");
    if (bar) bar.hidden = false;
  }

  // Saving a run without pain before or after asks once whether to add them: they are
  // what the patterns stand on. The answer is kept in the form (pain_asked), so that the
  // server's own question afterwards ("Is this right?") does not bring this one back.
  var PAIN_LABELS = { pain_before: "pain before", pain_after: "pain after" };

  function missingPain(form) {
    return Object.keys(PAIN_LABELS).filter(function (name) {
      var control = form.elements[name];
      return control && String(control.value || "").trim() === "";
    });
  }

  function askAboutPain(form, missing) {
    var template = form.querySelector("template#pain-question");
    var asked = form.querySelector("[data-pain-asked]");
    if (!template || !asked) return false;
    asked.value = "1";
    var question = template.content.firstElementChild.cloneNode(true);
    question.querySelector("[data-pain-missing]").textContent = "No "
      + missing.map(function (name) { return PAIN_LABELS[name]; }).join(" or ")
      + ": the patterns compare pain before and after each run. You can add them later with Edit.";
    var bar = form.querySelector("[data-save-bar]");
    if (bar) bar.hidden = true;
    template.before(question);
    question.querySelector("[data-add-pain]").addEventListener("click", function () {
      dismiss(form, question);
      var first = form.elements[missing[0]];
      var scale = first && form.querySelector("[data-scale-for='" + first.id + "']");
      (scale || first).scrollIntoView({ block: "center" });
      var button = scale && scale.querySelector("button");
      if (button) button.focus({ preventScroll: true });
    });
    question.querySelector("button[type=submit]").focus({ preventScroll: true });
    return true;
  }

  // The on-screen keyboard: a box being typed in on a touch screen while the visible part
  // of the page is much shorter than the screen. The class lets the Save bar and the tab
  // bar step aside (app.css), so the pain scale stays in reach.
  var touch = global.matchMedia && global.matchMedia("(pointer: coarse)").matches;
  function typing() {
    var active = document.activeElement;
    return Boolean(active && active.matches
      && active.matches("input:not([type=radio]):not([type=checkbox]):not([type=hidden]), textarea"));
  }
  function keyboardCheck() {
    var visible = global.visualViewport ? global.visualViewport.height : global.innerHeight;
    var open = touch && typing() && visible < global.screen.height * 0.7;
    document.documentElement.classList.toggle("keyboard-open", open);
  }
  if (touch) {
    document.addEventListener("focusin", keyboardCheck);
    document.addEventListener("focusout", function () { setTimeout(keyboardCheck, 0); });
    if (global.visualViewport) global.visualViewport.addEventListener("resize", keyboardCheck);
    global.addEventListener("resize", keyboardCheck);
  }

  // Capturing, and registered before outbox.js: the question comes before the form goes
  // to htmx, the network or the offline outbox.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-ask-pain]")) return;
    var asked = form.querySelector("[data-pain-asked]");
    if (!asked || asked.value) return;
    var missing = missingPain(form);
    if (!missing.length) return;
    if (askAboutPain(form, missing)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

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

  // The confirmation replaces the form where Save was tapped, at the bottom: it is shown
  // from its first line.
  function initSaved(card) {
    card.scrollIntoView({ block: "start" });
  }

  // Where it hurts: the line under the body map says what is ticked (below the knee
  // apart), and a thigh or below the knee ticks "Radiates down the leg" (the server
  // does the same without JavaScript).
  function initBodyMap(map) {
    var summary = map.querySelector("[data-body-map-summary]");
    var form = map.closest("form");
    function update(event) {
      var above = [];
      var below = [];
      map.querySelectorAll("input[type=checkbox]:checked:not(.map-as-list)").forEach(function (box) {
        var region = box.closest("[data-below-knee]");
        if (region) below.push(region.dataset.belowKnee);
        else above.push(box.labels[0].textContent.trim());
      });
      if (below.length) above.push("below the knee: " + below.join(" and "));
      if (summary) summary.textContent = above.length ? "Marked: " + above.join("; ") + "." : "Nothing marked.";
      var box = event && event.target;
      var leg = form && form.elements.radiating_leg_pain;
      if (leg && box && box.checked && /^(thigh|below_knee)_/.test(box.value)) leg.checked = true;
    }
    map.addEventListener("change", update);
    // An entry refilled from the outbox, or the form emptied after saving offline.
    map.addEventListener("input", function () { update(); });
    if (form) form.addEventListener("reset", function () { setTimeout(update, 0); });
  }

  // Red flags: ticking any one shows the instruction to see a doctor today at once, at the
  // top of the screen, before anything else. It stays until every box is unticked (a
  // form reset after saving offline leaves it up).
  function initRedFlags(form) {
    var notice = document.querySelector("[data-see-doctor]");
    if (!notice) return;
    form.addEventListener("change", function (event) {
      if (!event.target.matches || !event.target.matches("input[name=red_flags]")) return;
      var any = form.querySelector("input[name=red_flags]:checked") !== null;
      var showing = !notice.hidden;
      notice.hidden = !any;
      if (any && !showing) notice.scrollIntoView({ block: "start" });
    });
  }

  // Reminders on this device need static/js/push.js, loaded only where a block offers them
  // (Settings, and the offer after a first run), so no other page pays for it.
  function loadPush(block) {
    if (document.querySelector("script[data-push-loaded]")) return;
    var script = document.createElement("script");
    script.src = block.dataset.pushScript;
    script.setAttribute("data-push-loaded", "");
    document.head.appendChild(script);
  }

  function init(root) {
    within(root, "[data-push-script]").forEach(once(loadPush));
    within(root, "[data-body-map]").forEach(once(initBodyMap));
    within(root, "form[data-checkin-form]").forEach(once(initRedFlags));
    within(root, "[data-scale-for]").forEach(once(initScale));
    within(root, "form[data-pace]").forEach(once(initPace));
    within(root, "[data-question]").forEach(once(initQuestion));
    within(root, ".card.saved").forEach(once(initSaved));
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  // Parts swapped in by htmx get the same behaviour.
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})(self);
