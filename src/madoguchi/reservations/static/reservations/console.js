// Staff console: actions are posted with fetch and the state fragment replaced in place; the
// fragment is refreshed every few seconds, so the console runs all day without a reload.
// Keyboard: N next, R recall, S start, F finish, X no-show (not while typing in a field).
(function () {
  "use strict";
  var root = document.querySelector("[data-console]");
  if (!root) { return; }
  var stateUrl = root.getAttribute("data-state-url");
  var busy = false;

  function replace(html) { root.innerHTML = html; }

  function refresh() {
    if (busy) { return; }
    fetch(stateUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.redirected || r.status === 403) { window.location.reload(); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) { if (html !== null && !busy) { replace(html); } })
      .catch(function () {});
  }

  root.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-console-form]");
    if (!form) { return; }
    event.preventDefault();
    if (busy) { return; }
    busy = true;
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) { data.append(event.submitter.name, event.submitter.value); }
    // form.action would be the button named "action": read the attribute.
    fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin", headers: { "X-Console": "1" } })
      .then(function (r) { return r.text(); })
      .then(function (html) { replace(html); })
      .catch(function () { form.submit(); })
      .then(function () { busy = false; });
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.target.closest("input, select, textarea")) { return; }
    var button = root.querySelector('[data-key="' + event.key.toLowerCase() + '"]');
    if (button) { event.preventDefault(); button.click(); }
  });

  window.setInterval(refresh, 3000);
})();
