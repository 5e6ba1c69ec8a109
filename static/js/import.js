/* The import page: sends the chosen files to the API one at a time and shows each
   file's result as it comes. Without JavaScript the form posts them all to the page.
   A file the server imports in the background (202) gets the job's own partial, which
   shows its progress and then its result (htmx polls the job's page). */
(function () {
  "use strict";

  var form = document.getElementById("import-form");
  if (!form || !window.fetch || !window.FormData) return;
  var input = form.querySelector('input[type="file"]');
  var button = form.querySelector('button[type="submit"]');
  var section = document.getElementById("import-results");
  var list = document.getElementById("import-result-list");
  var progress = document.getElementById("import-progress");
  var next = document.getElementById("import-next");
  var tokenInput = form.querySelector('input[name="csrfmiddlewaretoken"]');
  var maxBytes = Number(form.dataset.maxBytes);

  function plural(count, one, many) {
    return count + " " + (count === 1 ? one : many);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function row(name) {
    var item = element("li", "item import-result");
    var main = element("div", "item-main");
    main.appendChild(element("strong", "import-name", name));
    var status = element("span", "import-status", "Waiting");
    main.appendChild(status);
    item.appendChild(main);
    list.appendChild(item);
    return { item: item, main: main, status: status };
  }

  function showResult(entry, data) {
    entry.status.textContent =
      data.created + " imported · " + data.duplicates + " already in your log · " +
      data.skipped.length + " skipped";
    if (data.skipped.length) {
      var skipped = element("ul", "import-skipped");
      data.skipped.forEach(function (skip) {
        skipped.appendChild(element("li", "", skip.item + ": " + skip.reason));
      });
      entry.main.appendChild(skipped);
    }
    if (data.created && next) next.hidden = false;
  }

  function showJob(entry, job) {
    entry.status.hidden = true;
    var follow = element("div", "import-job");
    follow.setAttribute("hx-get", job.page);
    follow.setAttribute("hx-trigger", "load");
    follow.setAttribute("hx-swap", "outerHTML");
    var link = element("a", "import-follow", "See how the import is going");
    link.href = job.page;
    follow.appendChild(link);
    entry.main.appendChild(follow);
    if (window.htmx) window.htmx.process(follow);
  }

  function showError(entry, message) {
    entry.item.classList.add("import-failed");
    entry.status.classList.add("error");
    entry.status.textContent = "Not imported: " + message;
  }

  function errorOf(response, data) {
    if (data && data.file && data.file.length) return data.file.join(" ");
    if (data && data.detail) return data.detail;
    if (response.status === 413) return "The file is larger than 25 MB.";
    if (response.status === 401 || response.status === 403) return "You are signed out: sign in again.";
    return "The server could not import it (error " + response.status + ").";
  }

  function upload(file, entry) {
    if (file.size > maxBytes) {
      showError(entry, "The file is larger than 25 MB.");
      return Promise.resolve();
    }
    entry.status.textContent = "Importing…";
    var body = new FormData();
    body.append("file", file, file.name);
    return fetch(form.dataset.api, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": tokenInput ? tokenInput.value : "", Accept: "application/json" },
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () { return null; })
          .then(function (data) {
            if (response.status === 201 && data) showResult(entry, data);
            else if (response.status === 202 && data) showJob(entry, data);
            else showError(entry, errorOf(response, data));
          });
      })
      .catch(function () {
        showError(entry, "The upload failed: check the connection and try again.");
      });
  }

  form.addEventListener("submit", function (event) {
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length) return; // the browser says the field is required
    event.preventDefault();
    button.disabled = true;
    section.hidden = false;
    if (next) next.hidden = true;
    list.replaceChildren();
    progress.max = files.length;
    progress.value = 0;
    progress.hidden = false;
    var entries = files.map(function (file) { return row(file.name); });
    var chain = Promise.resolve();
    files.forEach(function (file, index) {
      chain = chain.then(function () {
        return upload(file, entries[index]).then(function () { progress.value = index + 1; });
      });
    });
    chain.then(function () {
      button.disabled = false;
      progress.hidden = true;
      input.value = "";
    });
  });
})();
