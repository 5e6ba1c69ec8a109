/* The service worker, served at /sw.js (scope /) after a line that sets self.SHELL:
   { version, static: [urls], offline: url, forms: [urls], outbox: url, icon: url, badge: url }.
   The version is a hash of this file and what it caches (backpainlog/pwa.py): any change
   here is a new worker for the browsers, with no number to bump by hand.

   - The app shell (CSS, JS, icons, the offline page) is cached at install, per version.
   - The log and check-in forms are cached only when they load signed in, and deleted on
     sign-out; navigations go to the network first and fall back to them offline.
   - Nothing else is ever cached: no API response, no htmx fragment, no other page.
   - Reminders arrive as Web Push messages and are shown as notifications; tapping one
     opens the screen that answers it, in the app's window if one is open. */
/* global SHELL, BackpainlogOutbox */
"use strict";

importScripts(SHELL.outbox);

var SHELL_CACHE = "backpainlog-shell-" + SHELL.version;
var FORMS_CACHE = "backpainlog-forms-" + SHELL.version;

function isForm(url) {
  return SHELL.forms.indexOf(url.pathname) !== -1;
}

// A form is kept only if it came back as the form itself: signed out, it redirects to
// the sign-in page.
function cacheForm(cache, path) {
  return fetch(path, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
    if (response.ok && response.type === "basic") return cache.put(path, response);
  }).catch(function () { /* offline or signed out: the next signed-in visit caches it */ });
}

function cacheForms() {
  return caches.open(FORMS_CACHE).then(function (cache) {
    return Promise.all(SHELL.forms.map(function (path) { return cacheForm(cache, path); }));
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then(function (cache) { return cache.addAll(SHELL.static.concat([SHELL.offline])); })
      .then(cacheForms)
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("backpainlog-") === 0 && name !== SHELL_CACHE && name !== FORMS_CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "SKIP_WAITING") {
    self.skipWaiting();
  } else if (data.type === "CACHE_FORMS") {
    // Sent by signed-in pages, so the forms are there offline even if never opened.
    event.waitUntil(caches.open(FORMS_CACHE).then(function (cache) {
      return Promise.all(SHELL.forms.map(function (path) {
        return cache.match(path).then(function (found) { return found || cacheForm(cache, path); });
      }));
    }));
  } else if (data.type === "SIGNED_OUT") {
    event.waitUntil(caches.delete(FORMS_CACHE));
  }
});

function navigate(event, url) {
  return fetch(event.request).then(function (response) {
    if (isForm(url) && response.ok && !response.redirected && response.type === "basic") {
      var copy = response.clone();
      event.waitUntil(caches.open(FORMS_CACHE).then(function (cache) { return cache.put(url.pathname, copy); }));
    }
    return response;
  }).catch(function () {
    var cached = isForm(url)
      ? caches.open(FORMS_CACHE).then(function (cache) { return cache.match(url.pathname, { ignoreVary: true }); })
      : Promise.resolve(undefined);
    return cached.then(function (response) {
      return response || caches.match(SHELL.offline, { cacheName: SHELL_CACHE, ignoreVary: true });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/api/") === 0 || request.headers.get("HX-Request")) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(event, url));
  } else if (SHELL.static.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(url.pathname, { cacheName: SHELL_CACHE }).then(function (cached) {
      return cached || fetch(request);
    }));
  }
});

// Background Sync: the outbox is sent when the browser sees the network come back, even
// with no page open. The page registers the "outbox" tag when it queues an entry.
self.addEventListener("sync", function (event) {
  if (event.tag === "outbox") {
    event.waitUntil(BackpainlogOutbox.flush().then(function (result) {
      // A retryable failure makes the browser try this sync again later.
      if (result.retry) throw new Error("Outbox entries are still waiting.");
    }));
  }
});

// Reminders (Web Push). The server sends JSON: {title, body, tag, url}; a message without
// it (or not JSON) still shows something, since a push must always show a notification.
var FALLBACK_NOTIFICATION = { title: "backpainlog", body: "You have a reminder.", url: "/" };

function pushPayload(data) {
  if (!data) return {};
  try {
    var payload = data.json();
    return payload && typeof payload === "object" ? payload : {};
  } catch (error) {
    return { body: data.text() };
  }
}

// Only a page of this app: a message naming another site (or "javascript:") opens home.
function notificationUrl(url) {
  var home = new URL("/", self.location.origin).href;
  if (typeof url !== "string" || !url) return home;
  try {
    var parsed = new URL(url, self.location.origin);
    return parsed.origin === self.location.origin ? parsed.href : home;
  } catch (error) {
    return home;
  }
}

self.addEventListener("push", function (event) {
  var payload = pushPayload(event.data);
  var options = {
    body: typeof payload.body === "string" && payload.body ? payload.body : FALLBACK_NOTIFICATION.body,
    data: { url: notificationUrl(payload.url) },
    icon: SHELL.icon,
    badge: SHELL.badge
  };
  // The same tag replaces an earlier reminder of the same thing instead of piling up.
  if (typeof payload.tag === "string" && payload.tag) options.tag = payload.tag;
  var title = typeof payload.title === "string" && payload.title ? payload.title : FALLBACK_NOTIFICATION.title;
  event.waitUntil(self.registration.showNotification(title, options));
});

// A window of the app already on that page is brought forward; one on another page is
// brought forward and sent there (one window, as an installed app has); with none, a new one.
function openNotificationUrl(url) {
  return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    var same = windows.filter(function (client) { return client.url === url; })[0];
    if (same) return same.focus();
    var controlled = windows.filter(function (client) { return "navigate" in client && client.frameType !== "nested"; });
    var other = controlled.filter(function (client) { return client.focused; })[0] || controlled[0];
    if (other) {
      // Focus is asked at once (the browser allows it only just after the tap); a window
      // this worker does not control cannot be sent elsewhere, so a new one opens then.
      other.focus().catch(function () { /* the page still changes */ });
      return other.navigate(url).then(function (client) {
        return client || self.clients.openWindow(url);
      }, function () { return self.clients.openWindow(url); });
    }
    return self.clients.openWindow(url);
  });
}

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var data = event.notification.data || {};
  event.waitUntil(openNotificationUrl(notificationUrl(data.url)));
});
