/* Reminders on this device (Web Push): the "Turn on reminders on this device" button in
   Settings and in the one-time offer after a first run. Permission is asked only when the
   button is tapped. No inline scripts: the page works with a strict Content-Security-Policy.

   Each [data-push] block holds a status line ([data-push-status]) and the buttons
   [data-push-on] and [data-push-off]; its data-push-key-url and
   data-push-subscriptions-url name the API. Without JavaScript the status line keeps what
   the server wrote (that reminders here need it) and the buttons stay hidden. */
(function () {
  "use strict";

  var READY_TIMEOUT_MS = 10000;

  // iPhone and iPad (iPadOS says "Macintosh", but has a touch screen).
  function isIOS() {
    return /iPad|iPhone|iPod/.test(navigator.userAgent)
      || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  }
  function isStandalone() {
    return navigator.standalone === true
      || (window.matchMedia && window.matchMedia("(display-mode: standalone)").matches);
  }
  function pushSupported() {
    return window.isSecureContext && "serviceWorker" in navigator
      && "PushManager" in window && "Notification" in window;
  }

  function csrfToken() {
    try {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) return headers["X-CSRFToken"];
    } catch (error) { /* fall back to the cookie */ }
    var match = /(?:^|;\s*)(?:__Host-)?csrftoken=([^;]+)/.exec(document.cookie);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function api(method, url, body) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() }
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      if (!response.ok) {
        var error = new Error("The server answered " + response.status + ".");
        error.status = response.status;
        throw error;
      }
      return response.status === 204 ? null : response.json().catch(function () { return null; });
    });
  }

  // The VAPID key comes as URL-safe base64; subscribe() takes its bytes.
  function keyBytes(base64) {
    var padded = (base64 + "===".slice((base64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }
  function sameKey(buffer, bytes) {
    if (!buffer) return false;
    var current = new Uint8Array(buffer);
    if (current.length !== bytes.length) return false;
    for (var i = 0; i < bytes.length; i++) if (current[i] !== bytes[i]) return false;
    return true;
  }

  // The worker is registered by pwa.js; it may still be installing, or refused (then
  // ready never settles, so we stop waiting).
  function registration() {
    return Promise.race([
      navigator.serviceWorker.ready,
      new Promise(function (resolve, reject) {
        setTimeout(function () {
          reject(new Error("the app's service worker did not start (a private window can refuse it)."));
        }, READY_TIMEOUT_MS);
      })
    ]);
  }

  // The server's row for this browser's subscription (for its id), or null.
  function serverSubscription(block, endpoint) {
    return api("GET", block.dataset.pushSubscriptionsUrl + "?page_size=500").then(function (answer) {
      var rows = Array.isArray(answer) ? answer : (answer && answer.results) || [];
      return rows.filter(function (row) { return row.endpoint === endpoint; })[0] || null;
    });
  }

  var MESSAGES = {
    on: "On for this device: reminders arrive here as notifications.",
    off: "Off on this device.",
    blocked: "Blocked by the browser: notifications for this site are turned off. Allow them in the browser's site settings, then come back here.",
    dismissed: "Not turned on: the browser's question was closed without an answer. Tap the button to be asked again.",
    unsupported: "This browser cannot show reminders: it has no Web Push. They work in Chrome, Edge, Firefox and Samsung Internet on Android and on computers, and in Safari on a Mac.",
    iosInstall: "Add to Home Screen first: on iPhone and iPad, reminders work only in the installed app (iOS 16.4 or later). In Safari, tap Share, then \u201cAdd to Home Screen\u201d, and open backpainlog from there.",
    iosOld: "This iPhone or iPad cannot show reminders: they need iOS 16.4 or later.",
    working: "Turning on\u2026",
    stopping: "Turning off\u2026",
    failed: "That did not work: ",
    refused: "This server does not accept this browser's push service, so reminders cannot reach it."
  };

  function Block(element) {
    this.element = element;
    this.status = element.querySelector("[data-push-status]");
    this.on = element.querySelector("[data-push-on]");
    this.off = element.querySelector("[data-push-off]");
    this.email = element.querySelector("[data-push-email]");
    this.dismiss = element.querySelector("[data-push-dismiss]");
    this.offer = element.hasAttribute("data-push-offer");
  }

  Block.prototype.show = function (state, detail) {
    // An offer asks its own question; "Off on this device" would only repeat it.
    var text = this.offer && state === "off" ? "" : MESSAGES[state] || "";
    this.status.textContent = detail ? text + detail : text;
    this.element.dataset.pushState = state;
    var canTurnOn = ["off", "dismissed", "failed"].indexOf(state) !== -1;
    if (this.on) this.on.hidden = !canTurnOn;
    if (this.off) this.off.hidden = state !== "on";
    if (this.dismiss) this.dismiss.textContent = state === "on" ? "Close" : "No thanks";
    // Where push cannot work here, e-mail is the way (offered only when the server sends it).
    if (this.email) this.email.hidden = ["unsupported", "iosOld", "blocked"].indexOf(state) === -1;
  };

  Block.prototype.busy = function (isBusy) {
    [this.on, this.off].forEach(function (button) {
      if (button) button.disabled = isBusy;
    });
  };

  // What this device can do, before anything is tapped (no permission prompt here).
  Block.prototype.check = function () {
    var block = this;
    if (!pushSupported()) {
      if (isIOS() && !isStandalone()) return Promise.resolve(block.show("iosInstall"));
      return Promise.resolve(block.show(isIOS() ? "iosOld" : "unsupported"));
    }
    if (Notification.permission === "denied") return Promise.resolve(block.show("blocked"));
    if (Notification.permission !== "granted") return Promise.resolve(block.show("off"));
    return registration().then(function (reg) {
      return reg.pushManager.getSubscription();
    }).then(function (subscription) {
      if (!subscription) return block.show("off");
      // On only if the server has it for the person signed in: a subscription of someone
      // who used this browser before is handed over by the button, not silently.
      return serverSubscription(block.element, subscription.endpoint).then(function (row) {
        block.show(row ? "on" : "off");
      });
    }).catch(function () { block.show("off"); });
  };

  Block.prototype.turnOn = function () {
    var block = this;
    block.busy(true);
    block.show("working");
    // Asked here, on the tap, and only if the browser has not been answered yet.
    var asked = Notification.permission === "granted"
      ? Promise.resolve("granted")
      : new Promise(function (resolve) {
        var answer = Notification.requestPermission(resolve);  // old Safari: a callback
        if (answer && answer.then) answer.then(resolve);
      });
    return asked.then(function (permission) {
      if (permission === "denied") return block.show("blocked");
      if (permission !== "granted") return block.show("dismissed");
      return Promise.all([registration(), api("GET", block.element.dataset.pushKeyUrl)]).then(function (found) {
        var reg = found[0];
        var key = keyBytes(found[1].public_key);
        return reg.pushManager.getSubscription().then(function (existing) {
          // A subscription made for another server key (the key was changed) cannot be reused.
          if (existing && existing.options && existing.options.applicationServerKey
              && !sameKey(existing.options.applicationServerKey, key)) {
            return existing.unsubscribe().then(function () { return null; });
          }
          return existing;
        }).then(function (existing) {
          return existing || reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
        });
      }).then(function (subscription) {
        var json = subscription.toJSON();
        return api("POST", block.element.dataset.pushSubscriptionsUrl, {
          endpoint: json.endpoint,
          keys: { p256dh: json.keys.p256dh, auth: json.keys.auth }
        }).catch(function (error) {
          // Refused (an endpoint the server may not post to): nothing is left half on.
          if (error.status === 400) {
            return subscription.unsubscribe().then(function () { throw error; });
          }
          throw error;
        });
      }).then(function () {
        block.show("on");
        announce(block);
      });
    }).catch(function (error) {
      if (error && error.status === 400) return block.show("refused");
      if (Notification.permission === "denied") return block.show("blocked");
      block.show("failed", (error && error.message) || "unknown error.");
    }).then(function () { block.busy(false); });
  };

  Block.prototype.turnOff = function () {
    var block = this;
    block.busy(true);
    block.show("stopping");
    return registration().then(function (reg) {
      return reg.pushManager.getSubscription();
    }).then(function (subscription) {
      if (!subscription) return null;
      return serverSubscription(block.element, subscription.endpoint).then(function (row) {
        // The server forgets it first: if that fails, the device stays on and says so.
        var forgotten = row
          ? api("DELETE", block.element.dataset.pushSubscriptionsUrl + encodeURIComponent(row.id) + "/")
          : Promise.resolve();
        return forgotten.then(function () { return subscription.unsubscribe(); });
      });
    }).then(function () {
      block.show("off");
      announce(block);
    }, function (error) {
      block.show("failed", (error && error.message) || "unknown error.");
    }).then(function () { block.busy(false); });
  };

  var blocks = [];

  // Another block on the page (Settings and an offer never share one, but two tabs might)
  // is brought up to date after a change.
  function announce(changed) {
    blocks.forEach(function (block) { if (block !== changed) block.check(); });
  }

  function init(element) {
    if (element.dataset.pushReady) return;
    element.dataset.pushReady = "1";
    var block = new Block(element);
    blocks.push(block);
    if (block.on) block.on.addEventListener("click", function () { block.turnOn(); });
    if (block.off) block.off.addEventListener("click", function () { block.turnOff(); });
    // Closing the offer needs no request: the server recorded it as shown when it drew it.
    if (block.dismiss) {
      block.dismiss.addEventListener("click", function () {
        element.hidden = true;
        var next = document.querySelector("#run-form .button.primary");
        if (next) next.focus();
      });
    }
    block.check().then(function () {
      if (!block.offer) return;
      // The offer is for a device that can say yes (or, on iPhone, can after installing):
      // already on, blocked, or without push at all, it stays out of the way.
      var state = element.dataset.pushState;
      element.hidden = ["off", "dismissed", "iosInstall"].indexOf(state) === -1;
    });
  }

  function scan(root) {
    root.querySelectorAll("[data-push]").forEach(init);
  }

  scan(document);
  document.addEventListener("htmx:afterSwap", function () { scan(document); });
})();
