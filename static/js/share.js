/* Share & export: the Copy button beside a newly created share link. No inline scripts:
   the page works with a strict Content-Security-Policy. */
(function () {
  "use strict";

  function say(button, text) {
    var status = button.parentElement.querySelector("[data-copy-status]");
    if (status) status.textContent = text;
  }

  // Where the clipboard API is missing or refused (plain http, an old browser), select
  // the text so that the user can copy it with the system's own menu.
  function fallback(button, input) {
    input.focus();
    input.select();
    input.setSelectionRange(0, input.value.length);
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    say(button, copied ? "Copied." : "Selected: copy it with your device's menu.");
  }

  // The system's share sheet (Web Share API) where the browser has one; Copy everywhere.
  function offerShare(root) {
    if (!navigator.share) return;
    root.querySelectorAll("[data-share-target]").forEach(function (button) { button.hidden = false; });
  }
  offerShare(document);
  document.addEventListener("htmx:afterSwap", function (event) { offerShare(event.target); });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-share-target]");
    if (!button) return;
    var input = document.getElementById(button.dataset.shareTarget);
    if (!input) return;
    navigator.share({ title: "Running and back-pain report", url: input.value }).catch(function () {
      // Dismissed, or refused: Copy is still beside it.
    });
  });

  // Delegated, so that a link created through htmx (swapped in later) is covered too.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var input = document.getElementById(button.dataset.copyTarget);
    if (!input) return;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(
        function () { say(button, "Copied."); },
        function () { fallback(button, input); }
      );
    } else {
      fallback(button, input);
    }
  });
})();
