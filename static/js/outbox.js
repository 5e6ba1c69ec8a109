/* The outbox: runs, pain check-ins and questionnaire answers saved with no network wait here (IndexedDB) and are
   sent to the API when it is back. Loaded by the pages and by the service worker (for
   Background Sync), so the sending part uses nothing a worker lacks.

   Each entry has a client-generated id: the API's create is idempotent, so an entry sent
   twice (two tabs, a retry after a lost answer) is stored once. An entry is removed only
   when the server has it; a rejected one stays, with the server's messages, until the
   user fixes or discards it. */
(function (global) {
  "use strict";

  var DB_NAME = "backpainlog";
  var STORE = "outbox";
  var META = "meta";
  var CHANNEL = "backpainlog-outbox";
  var LOCK = "backpainlog-outbox";
  var LEASE_KEY = "backpainlog-outbox-lease";
  var LEASE_MS = 30000;
  var RETRY_BASE_MS = 2000;
  var RETRY_MAX_MS = 5 * 60 * 1000;

  function request(idbRequest) {
    return new Promise(function (resolve, reject) {
      idbRequest.onsuccess = function () { resolve(idbRequest.result); };
      idbRequest.onerror = function () { reject(idbRequest.error); };
    });
  }

  var database = null;
  function open() {
    if (!database) {
      var opening = indexedDB.open(DB_NAME, 2);
      opening.onupgradeneeded = function () {
        var db = opening.result;
        if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: "id" });
        if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
      };
      database = request(opening);
    }
    return database;
  }

  function store(mode, use, name) {
    return open().then(function (db) {
      var tx = db.transaction(name || STORE, mode);
      var result = use(tx.objectStore(name || STORE));
      return new Promise(function (resolve, reject) {
        tx.oncomplete = function () { resolve(result && result.result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function all() {
    return store("readonly", function (s) { return s.getAll(); }).then(function (entries) {
      return (entries || []).sort(function (a, b) { return a.createdAt - b.createdAt; });
    });
  }
  function get(id) { return store("readonly", function (s) { return s.get(id); }); }
  function put(entry) { return store("readwrite", function (s) { s.put(entry); }).then(changed); }
  function remove(id) { return store("readwrite", function (s) { s.delete(id); }).then(changed); }
  function clear() { return store("readwrite", function (s) { s.clear(); }).then(changed); }

  // Entries belong to the user who saved them. Pages record who is signed in, so that the
  // worker's Background Sync sends only that user's entries (with that user's cookie).
  function setOwner(owner) {
    return store("readwrite", function (s) { s.put(owner, "owner"); }, META);
  }
  function getOwner() { return store("readonly", function (s) { return s.get("owner"); }, META); }

  // Every page (and the worker) hears about changes, to redraw what is waiting.
  var channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL) : null;
  var listeners = [];
  function changed() {
    if (channel) channel.postMessage("changed");  // heard by this page's listeners too
    else listeners.forEach(function (listener) { listener(); });
  }
  function onChange(listener) {
    listeners.push(listener);
    if (typeof BroadcastChannel === "function") {
      new BroadcastChannel(CHANNEL).onmessage = function () { listener(); };
    }
  }

  // One sender at a time across tabs and the worker. Where Web Locks are missing, a
  // lease in localStorage (pages only); a worker without either just sends: the ids make
  // a double send harmless.
  function exclusively(work) {
    if (global.navigator && global.navigator.locks) {
      return global.navigator.locks.request(LOCK, work);
    }
    var storage = null;
    try { storage = global.localStorage; } catch (error) { storage = null; }
    if (!storage) return work();
    var now = Date.now();
    var lease = JSON.parse(storage.getItem(LEASE_KEY) || "null");
    if (lease && lease.until > now) return Promise.resolve({ sent: 0, retry: true, busy: true });
    var mine = { owner: Math.random().toString(36).slice(2), until: now + LEASE_MS };
    storage.setItem(LEASE_KEY, JSON.stringify(mine));
    function release() {
      var current = JSON.parse(storage.getItem(LEASE_KEY) || "null");
      if (current && current.owner === mine.owner) storage.removeItem(LEASE_KEY);
    }
    return work().then(function (result) { release(); return result; }, function (error) {
      release();
      throw error;
    });
  }

  // The CSRF cookie: "__Host-csrftoken" under HTTPS (bound to this host and path "/",
  // secure), "csrftoken" otherwise.
  var CSRF_COOKIE = /(?:^|;\s*)(?:__Host-)?csrftoken=([^;]+)/;

  // The current token (it changes at each sign-in): from the cookie, which the worker
  // reads through the Cookie Store API where it has it; the entry's own only as a last resort.
  function csrfToken(entry) {
    if (global.document) {
      var match = CSRF_COOKIE.exec(global.document.cookie);
      return Promise.resolve(match ? decodeURIComponent(match[1]) : entry.csrf);
    }
    if (global.cookieStore) {
      return global.cookieStore.get("__Host-csrftoken").then(function (cookie) {
        return cookie || global.cookieStore.get("csrftoken");
      }).then(function (cookie) {
        return cookie ? decodeURIComponent(cookie.value) : entry.csrf;
      }, function () { return entry.csrf; });
    }
    return Promise.resolve(entry.csrf);
  }

  var FIELD_NAMES = {
    started_at: "Date and time", recorded_at: "Date and time", distance_m: "Distance",
    duration_s: "Duration", activity: "Activity", surface: "Surface", shoe: "Shoes",
    insole: "Insoles", pain_before: "Pain before", pain_after: "Pain after", rpe: "Effort",
    elevation_gain_m: "Elevation gain", notes: "Notes", score: "Pain",
    radiating_leg_pain: "Radiates down the leg", pain_regions: "Where it hurts", red_flags: "New symptoms",
    answers: "Answers", questionnaire: "Questionnaire", completed_at: "Date and time"
  };

  function messages(body) {
    var found = [];
    Object.keys(body || {}).forEach(function (key) {
      var value = body[key];
      var texts = Array.isArray(value) ? value : [value];
      var label = FIELD_NAMES[key];
      texts.forEach(function (text) {
        text = typeof text === "string" ? text : JSON.stringify(text);
        found.push(label ? label + ": " + text : text);
      });
    });
    return found.length ? found : ["The server did not accept this entry."];
  }

  // Sends one entry; resolves to "sent", "kept" (the user must act) or "retry".
  function send(entry) {
    return csrfToken(entry).then(function (token) {
      entry.csrf = token;  // a stale one is replaced in the outbox too
      return post(entry, token);
    });
  }

  function post(entry, token) {
    return fetch(entry.url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": token
      },
      body: JSON.stringify(Object.assign({ id: entry.id }, entry.payload))
    }).then(function (response) {
      // Only the API's own JSON answer means the server has it: fetch follows redirects,
      // so a sign-in page or a captive portal's page can come back as a 200.
      var json = /json/i.test(response.headers.get("Content-Type") || "");
      if (response.ok && !response.redirected && json) {
        return remove(entry.id).then(function () { return "sent"; });
      }
      if (response.ok) return later(entry, "The server did not confirm it.");
      if (response.status === 409) {
        entry.state = "conflict";
        entry.errors = ["Another entry was saved with this one's id and different values. "
          + "Fix it to send it as a new entry, or discard it."];
        return put(entry).then(function () { return "kept"; });
      }
      if (response.status === 400) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          entry.state = "invalid";
          entry.errors = messages(body);
          return put(entry).then(function () { return "kept"; });
        });
      }
      // Signed out, a server error, a proxy's page: try again later.
      return later(entry, "The server answered " + response.status + ".");
    }, function () {
      return later(entry, "No connection.");
    });
  }

  function later(entry, why) {
    entry.attempts = (entry.attempts || 0) + 1;
    entry.lastError = why;
    return put(entry).then(function () { return "retry"; });
  }

  function retryDelay(attempts) {
    return Math.min(RETRY_BASE_MS * Math.pow(2, Math.max(0, attempts - 1)), RETRY_MAX_MS);
  }

  // Sends every entry of the owner (by default, whoever a page last saw signed in) that
  // is waiting, one after the other.
  function flush(owner) {
    return exclusively(function () {
      var whose = owner === undefined ? getOwner() : Promise.resolve(owner);
      return Promise.all([whose, all()]).then(function (found) {
        var result = { sent: 0, kept: 0, retry: false, attempts: 0 };
        return found[1].filter(function (entry) {
          return found[0] && entry.owner === found[0] && entry.state === "waiting";
        })
          .reduce(function (previous, entry) {
            return previous.then(function () {
              return send(entry).then(function (outcome) {
                if (outcome === "sent") result.sent += 1;
                if (outcome === "kept") result.kept += 1;
                if (outcome === "retry") {
                  result.retry = true;
                  result.attempts = Math.max(result.attempts, entry.attempts);
                }
              });
            });
          }, Promise.resolve())
          .then(function () { return result; });
      });
    });
  }

  global.BackpainlogOutbox = {
    all: all, get: get, put: put, remove: remove, clear: clear, flush: flush, setOwner: setOwner,
    onChange: onChange, retryDelay: retryDelay, messages: messages, csrfCookie: CSRF_COOKIE
  };
})(self);

/* The pages' side: the run and check-in forms save to the outbox when there is no
   network, and the header and the outbox panel show what is waiting. */
(function (global) {
  "use strict";
  if (!global.document) return;
  var document = global.document;
  var Outbox = global.BackpainlogOutbox;
  var Numbers = global.BackpainlogNumbers;
  var STALE_FORM_S = 120;
  var owner = null;  // the signed-in user's id, from the page

  function pad(number) { return String(number).padStart(2, "0"); }

  // Date-time boxes hold wall-clock time in the user's own zone (the profile's, which the
  // server rendered the form in); the API wants ISO 8601 with the offset.
  function zoneParts(ms, zone) {
    var parts = {};
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit"
    }).formatToParts(new Date(ms)).forEach(function (part) { parts[part.type] = part.value; });
    return parts;
  }
  function zoneOffsetMinutes(ms, zone) {
    var p = zoneParts(ms, zone);
    var wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
    return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60000);
  }
  function isoWithOffset(value, zone) {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value || "");
    if (!m) return null;
    var seconds = m[6] || "00";
    var wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +seconds);
    var offset;
    try {
      offset = zoneOffsetMinutes(wall, zone);
      offset = zoneOffsetMinutes(wall - offset * 60000, zone);
    } catch (error) {  // no such zone here: the phone's own
      offset = -new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]).getTimezoneOffset();
    }
    var sign = offset < 0 ? "-" : "+";
    var abs = Math.abs(offset);
    return value.slice(0, 16) + ":" + seconds + sign + pad(Math.floor(abs / 60)) + ":" + pad(abs % 60);
  }
  function nowInZone(zone) {
    try {
      var p = zoneParts(Date.now(), zone);
      return p.year + "-" + p.month + "-" + p.day + "T" + p.hour + ":" + p.minute;
    } catch (error) {
      var d = new Date();
      return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T"
        + pad(d.getHours()) + ":" + pad(d.getMinutes());
    }
  }

  function text(form, name) {
    var control = form.elements[name];
    return control ? String(control.value || "").trim() : "";
  }
  function whole(form, name) {
    var value = text(form, name);
    return value === "" ? null : Number(value);
  }
  function pair(form, name) {
    var value = text(form, name);
    return value === "" ? null : Number(value);
  }
  // The ticked boxes of a group (where it hurts, red flags), as the API takes them.
  function ticked(form, name) {
    return Array.prototype.map.call(
      form.querySelectorAll("input[type=checkbox][name='" + name + "']:checked"),
      function (box) { return box.value; }
    );
  }
  function timeOf(form, name) {
    return isoWithOffset(text(form, name), form.dataset.timezone);
  }

  // What a form would send, as the API takes it; errors for what cannot be read.
  var BUILDERS = {
    run: function (form) {
      var errors = [];
      var unit = form.dataset.unit || "km";
      // Read as the server's form reads them (numbers.js), so that an entry sent later
      // stores the same metres and seconds as the same form saved online.
      var distance = Numbers.parseDistance(text(form, "distance"), unit);
      if (distance.error) errors.push("Distance: " + distance.error);
      var duration = Numbers.parseDuration(text(form, "duration"));
      if (duration.error) errors.push("Duration: " + duration.error);
      var started = timeOf(form, "started_at");
      if (!started) errors.push("Date and time: enter a date and time.");
      var payload = {
        started_at: started,
        activity: text(form, "activity") || "run",
        distance_m: distance.metres,
        surface: text(form, "surface"),
        shoe: pair(form, "shoe"),
        insole: pair(form, "insole"),
        notes: text(form, "notes"),
        pain_regions: ticked(form, "pain_regions")
      };
      var optional = {
        duration_s: duration.seconds, pain_before: whole(form, "pain_before"), pain_after: whole(form, "pain_after"),
        rpe: whole(form, "rpe"), elevation_gain_m: whole(form, "elevation_gain_m")
      };
      Object.keys(optional).forEach(function (key) {
        if (optional[key] !== null) payload[key] = optional[key];
      });
      var summary = "Run · " + text(form, "distance") + " " + unit
        + (text(form, "duration") ? " in " + text(form, "duration") : "");
      return { payload: payload, summary: summary, errors: errors };
    },
    checkin: function (form) {
      var errors = [];
      var score = whole(form, "score");
      if (score === null || !(score >= 0 && score <= 10)) errors.push("Pain: choose a score from 0 to 10.");
      var recorded = timeOf(form, "recorded_at");
      if (!recorded) errors.push("Date and time: enter a date and time.");
      var leg = form.elements.radiating_leg_pain;
      return {
        payload: {
          recorded_at: recorded, score: score, radiating_leg_pain: Boolean(leg && leg.checked),
          pain_regions: ticked(form, "pain_regions"), red_flags: ticked(form, "red_flags"),
          notes: text(form, "notes")
        },
        summary: "Pain check-in · " + score + "/10"
          + (ticked(form, "red_flags").length ? " · new symptoms: see a doctor today" : ""),
        errors: errors
      };
    },
    // The questionnaires' answers, as the API takes them (clinical/forms.py draws the
    // boxes: item_1 … item_24, activity_1/score_1 … activity_5/score_5, score).
    questionnaire: function (form) {
      var key = form.dataset.questionnaire;
      var errors = [];
      var answers;
      var summary;
      var n;
      if (key === "rmdq") {
        answers = [];
        for (n = 1; n <= 24; n += 1) {
          var box = form.elements["item_" + n];
          answers.push(Boolean(box && box.checked));
        }
        summary = "RMDQ · " + answers.filter(Boolean).length + "/24";
      } else if (key === "psfs") {
        answers = [];
        for (n = 1; n <= 5; n += 1) {
          var activity = text(form, "activity_" + n);
          var rating = whole(form, "score_" + n);
          if (!activity && rating === null) continue;
          if (!activity) errors.push("Activity " + n + ": name the activity you rated.");
          if (rating === null || !(rating >= 0 && rating <= 10)) errors.push("Activity " + n + ": rate it from 0 to 10.");
          answers.push({ activity: activity, score: rating });
        }
        if (!answers.length) errors.push("Name at least one activity and rate it.");
        summary = "PSFS · " + answers.length + " activit" + (answers.length === 1 ? "y" : "ies");
      } else {
        var score = whole(form, "score");
        if (score === null || !(score >= 0 && score <= 10)) errors.push("Pain: choose a score from 0 to 10.");
        answers = { score: score };
        summary = "Pain, last 7 days · " + score + "/10";
      }
      return {
        payload: { questionnaire: key, completed_at: new Date().toISOString(), answers: answers },
        summary: summary,
        errors: errors
      };
    }
  };

  function formValues(form) {
    var values = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "id" || typeof value !== "string") return;
      // A group of checkboxes (where it hurts) sends one value per ticked box.
      values[name] = name in values ? [].concat(values[name], value) : value;
    });
    return values;
  }

  function csrfOf(form) {
    var match = Outbox.csrfCookie.exec(document.cookie);
    if (match) return decodeURIComponent(match[1]);
    var hidden = form.elements.csrfmiddlewaretoken;
    return hidden ? hidden.value : "";
  }

  function make(tag, className, content) {
    var element = document.createElement(tag);
    if (className) element.className = className;
    if (content) element.textContent = content;
    return element;
  }

  function showFormErrors(form, errors) {
    var box = form.querySelector("[data-outbox-errors]");
    if (box) box.remove();
    if (!errors.length) return;
    box = make("div", "error");
    box.setAttribute("role", "alert");
    box.setAttribute("data-outbox-errors", "");
    errors.forEach(function (message) { box.appendChild(make("p", "", message)); });
    form.prepend(box);
  }

  function showQueued(form) {
    var previous = document.querySelector("[data-outbox-queued]");
    if (previous) previous.remove();
    var note = make("p", "card outbox-queued", "Saved on this phone: waiting to sync. It is sent when the network is back.");
    note.setAttribute("role", "status");
    note.setAttribute("data-outbox-queued", "");
    form.before(note);
  }

  function isStale(form) {
    return Date.now() / 1000 - Number(form.dataset.drawnAt || 0) > STALE_FORM_S;
  }

  // A new-entry form opened from the cache was drawn a while ago: its "now" is stale.
  function refreshTime(form) {
    var field = form.elements.started_at || form.elements.recorded_at;
    if (!field || form.dataset.outboxId || field.value !== field.defaultValue) return;
    if (isStale(form)) field.value = nowInZone(form.dataset.timezone);
  }

  // ...and its hidden id may already be an entry's, saved from the same copy before.
  function refreshId(form) {
    var id = form.elements.id;
    if (id && id.type === "hidden" && isStale(form)) id.value = crypto.randomUUID();
  }

  function redraw(form) {
    form.querySelectorAll("input").forEach(function (input) {
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  function registerSync() {
    if (!navigator.serviceWorker) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register("outbox");
    }).catch(function () { /* Background Sync refused: page load and `online` still send */ });
  }

  function queue(form) {
    var kind = form.dataset.outbox;
    var built = BUILDERS[kind](form);
    showFormErrors(form, built.errors);
    if (built.errors.length) return Promise.resolve(null);
    var fixing = form.dataset.outboxId;
    var before = fixing ? Outbox.get(fixing) : Promise.resolve(null);
    return before.then(function (old) {
      // After a conflict the id is taken on the server: the fixed entry gets a new one.
      var reuse = old && old.state !== "conflict";
      var entry = {
        id: reuse ? old.id : crypto.randomUUID(),
        kind: kind,
        owner: owner,
        url: form.dataset.outboxUrl,
        formUrl: form.getAttribute("action") || global.location.pathname,
        payload: built.payload,
        values: formValues(form),
        summary: built.summary,
        csrf: csrfOf(form),
        createdAt: old ? old.createdAt : Date.now(),
        state: "waiting",
        errors: [],
        attempts: 0
      };
      var replaced = old && !reuse ? Outbox.remove(old.id) : Promise.resolve();
      return replaced.then(function () { return Outbox.put(entry); }).then(function () {
        delete form.dataset.outboxId;
        if (global.location.search.indexOf("outbox=") !== -1) {
          global.history.replaceState(null, "", global.location.pathname);
        }
        form.reset();
        // A hidden box keeps what a script set through a reset: the next entry is asked
        // about its pain scores afresh.
        var asked = form.querySelector("[data-pain-asked]");
        if (asked) asked.value = "";
        form.querySelectorAll("[data-question]").forEach(function (question) { question.remove(); });
        var bar = form.querySelector("[data-save-bar]");
        if (bar) bar.hidden = false;
        refreshTime(form);
        redraw(form);
        showQueued(form);
        registerSync();
        render();
        if (navigator.onLine) sync();
        return entry;
      });
    });
  }

  function fill(form, entry) {
    form.reset();
    Array.prototype.forEach.call(form.elements, function (control) {
      if (!control.name || control.name === "csrfmiddlewaretoken" || control.name === "id") return;
      var value = entry.values[control.name];
      if (control.type === "checkbox") {
        control.checked = value !== undefined && [].concat(value).indexOf(control.value) !== -1;
      }
      else if (control.type === "radio") control.checked = control.value === value;
      else if (value !== undefined) control.value = value;
    });
    form.dataset.outboxId = entry.id;
    showFormErrors(form, entry.errors || []);
    redraw(form);
    var details = form.querySelector("details");
    if (details && (entry.errors || []).length) details.open = true;
    form.scrollIntoView();
  }

  function fixEntry(entry) {
    var form = document.querySelector("form[data-outbox='" + entry.kind + "']");
    if (form) fill(form, entry);
    else global.location.assign(entry.formUrl + "?outbox=" + encodeURIComponent(entry.id));
  }

  var STATES = {
    waiting: "Waiting to sync",
    invalid: "Not saved: the server found a problem. Fix it or discard it.",
    conflict: "Not saved: conflict."
  };

  function item(entry) {
    var li = make("li", "outbox-item " + entry.state);
    li.setAttribute("data-outbox-entry", entry.id);
    li.appendChild(make("p", "outbox-summary", entry.summary));
    var state = STATES[entry.state] || STATES.waiting;
    if (entry.state === "waiting" && entry.attempts) state += " (" + entry.lastError + " Trying again.)";
    li.appendChild(make("p", "outbox-state", state));
    if (entry.errors && entry.errors.length) {
      var list = make("ul", "outbox-errors");
      entry.errors.forEach(function (message) { list.appendChild(make("li", "error", message)); });
      li.appendChild(list);
    }
    var actions = make("div", "actions");
    if (entry.state !== "waiting") {
      var fix = make("button", "button small", "Fix");
      fix.type = "button";
      fix.addEventListener("click", function () { fixEntry(entry); });
      actions.appendChild(fix);
    }
    var discard = make("button", "button small", "Discard");
    discard.type = "button";
    discard.addEventListener("click", function () {
      if (global.confirm("Discard this entry? It has not reached the server and will be lost.")) {
        Outbox.remove(entry.id).then(render);
      }
    });
    actions.appendChild(discard);
    li.appendChild(actions);
    return li;
  }

  function render() {
    return Outbox.all().then(function (everyone) {
      var entries = everyone.filter(function (entry) { return entry.owner === owner; });
      var count = document.querySelector("[data-outbox-count]");
      if (count) {
        count.textContent = "Waiting to sync (" + entries.length + ")";
        count.hidden = entries.length === 0;
      }
      var queued = document.querySelector("[data-outbox-queued]");
      if (queued && !entries.length) queued.textContent = "Sent: it is in your log now.";
      var panel = document.getElementById("outbox");
      var list = panel && panel.querySelector("[data-outbox-list]");
      if (!list) return entries;
      list.replaceChildren.apply(list, entries.map(item));
      panel.hidden = entries.length === 0;
      return entries;
    });
  }

  var retryTimer = null;
  function sync() {
    clearTimeout(retryTimer);
    return Outbox.flush(owner).then(function (result) {
      if (result.retry) retryTimer = setTimeout(sync, Outbox.retryDelay(result.attempts || 1));
      return render().then(function () { return result; });
    });
  }
  Outbox.sync = sync;
  Outbox.render = render;

  // Offline: the form goes to the outbox instead of the network (before htmx sees it).
  // A plain form online is sent as usual once a quick request shows the server answers.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-outbox]")) return;
    var plain = !form.hasAttribute("hx-post");
    if (!form.dataset.outboxId && navigator.onLine && !plain) return;
    event.preventDefault();
    event.stopPropagation();
    if (form.dataset.outboxId || !navigator.onLine) {
      queue(form);
      return;
    }
    fetch(form.dataset.probe || "/healthz", { method: "HEAD", cache: "no-store" }).then(function () {
      HTMLFormElement.prototype.submit.call(form);
    }, function () { queue(form); });
  }, true);

  // The network failed under htmx's request: keep the entry rather than lose it.
  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail && event.detail.elt;
    if (form && form.matches && form.matches("form[data-outbox]")) queue(form);
  });

  function start() {
    owner = document.body.getAttribute("data-signed-in");
    Outbox.setOwner(owner).catch(function () { /* no IndexedDB: nothing can wait anyway */ });
    if (!owner) return;
    Outbox.onChange(render);
    document.querySelectorAll("form[data-outbox]").forEach(function (form) {
      refreshTime(form);
      refreshId(form);
    });
    var fixing = new URLSearchParams(global.location.search).get("outbox");
    render().then(function () {
      if (!fixing) return;
      return Outbox.get(fixing).then(function (entry) {
        var form = entry && document.querySelector("form[data-outbox='" + entry.kind + "']");
        if (form) fill(form, entry);
      });
    });
    if (navigator.onLine) sync();
    global.addEventListener("online", sync);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(self);
