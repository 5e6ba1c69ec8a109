/* The service worker, served at /sw.js (scope /) after a line that sets self.SHELL:
   { version, static: [urls], offline: url, forms: [urls], outbox: url }.

   - The app shell (CSS, JS, icons, the offline page) is cached at install, per version.
   - The log and check-in forms are cached only when they load signed in, and deleted on
     sign-out; navigations go to the network first and fall back to them offline.
   - Nothing else is ever cached: no API response, no htmx fragment, no other page. */
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
