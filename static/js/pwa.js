/* The installable app's page side: registers the service worker, offers a new version
   with a "Reload" button, and on sign-out deletes what was kept on this phone for the
   user (after a warning when entries are still waiting to sync) and stops its reminders. */
(function () {
  "use strict";
  var script = document.currentScript;
  var workerUrl = (script && script.dataset.serviceWorker) || "/sw.js";
  var pushSubscriptionsUrl = script && script.dataset.pushSubscriptions;

  function signedIn() { return document.body.hasAttribute("data-signed-in"); }

  function offerUpdate(worker) {
    if (document.querySelector("[data-update-banner]")) return;
    var banner = document.createElement("div");
    banner.className = "update-banner";
    banner.setAttribute("role", "status");
    banner.setAttribute("data-update-banner", "");
    var text = document.createElement("span");
    text.textContent = "A new version of backpainlog is ready.";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button primary small";
    button.textContent = "Reload";
    button.addEventListener("click", function () {
      reloadWhenActive = true;
      worker.postMessage({ type: "SKIP_WAITING" });
    });
    banner.append(text, button);
    document.body.appendChild(banner);
  }

  // Reload only when the user asked: the first worker also takes control of the page.
  var reloadWhenActive = false;

  function register() {
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      if (reloadWhenActive) {
        reloadWhenActive = false;
        window.location.reload();
      }
    });
    navigator.serviceWorker.register(workerUrl, { scope: "/" }).then(function (registration) {
      if (registration.waiting && navigator.serviceWorker.controller) offerUpdate(registration.waiting);
      registration.addEventListener("updatefound", function () {
        var worker = registration.installing;
        if (!worker) return;
        worker.addEventListener("statechange", function () {
          if (worker.state === "installed" && navigator.serviceWorker.controller) offerUpdate(worker);
        });
      });
    }).catch(function () { /* no HTTPS, or a private window that refuses workers */ });
    if (signedIn()) {
      // The forms are kept for offline use once the user has signed in.
      navigator.serviceWorker.ready.then(function (registration) {
        if (registration.active) registration.active.postMessage({ type: "CACHE_FORMS" });
      });
    } else {
      // Signed out another way (the sign-in expired): the next user must not get these.
      forgetForms();
    }
  }

  function forgetForms() {
    if (!window.caches) return Promise.resolve();
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("backpainlog-forms-") === 0;
      }).map(function (name) { return caches.delete(name); }));
    });
  }

  // Reminders would go on reaching this browser after sign-out (on a shared computer, for
  // the next person to read): its push subscription is taken back, on the server first.
  function forgetPush(form) {
    if (!pushSubscriptionsUrl || !("serviceWorker" in navigator) || !("PushManager" in window)) return Promise.resolve();
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var headers = { Accept: "application/json", "X-CSRFToken": token ? token.value : "" };
    return navigator.serviceWorker.getRegistration("/").then(function (registration) {
      return registration && registration.pushManager.getSubscription();
    }).then(function (subscription) {
      if (!subscription) return undefined;
      return fetch(pushSubscriptionsUrl + "?page_size=500", { credentials: "same-origin", headers: headers })
        .then(function (response) { return response.ok ? response.json() : {}; })
        .then(function (answer) {
          var row = (answer.results || []).filter(function (r) { return r.endpoint === subscription.endpoint; })[0];
          if (!row) return undefined;
          return fetch(pushSubscriptionsUrl + encodeURIComponent(row.id) + "/", {
            method: "DELETE", credentials: "same-origin", headers: headers
          });
        })
        .then(function () { return subscription.unsubscribe(); });
    });
  }

  function forgetThisPhone(form) {
    var work = [forgetForms(), forgetPush(form)];
    if (window.BackpainlogOutbox) work.push(window.BackpainlogOutbox.clear());
    // Never held up for long: signing out matters more.
    var enough = new Promise(function (resolve) { setTimeout(resolve, 3000); });
    return Promise.race([Promise.all(work), enough]).catch(function () { /* sign out regardless */ });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-sign-out]")) return;
    event.preventDefault();
    var waiting = window.BackpainlogOutbox ? window.BackpainlogOutbox.all() : Promise.resolve([]);
    waiting.catch(function () { return []; }).then(function (entries) {
      if (entries.length && !window.confirm(
        entries.length + (entries.length === 1 ? " entry is" : " entries are")
        + " waiting to sync and will be deleted from this phone if you sign out now. Sign out anyway?"
      )) return;
      forgetThisPhone(form).then(function () { HTMLFormElement.prototype.submit.call(form); });
    });
  });

  if ("serviceWorker" in navigator) register();
})();
