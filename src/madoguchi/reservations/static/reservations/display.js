// Calling display: redraw when the server's version changes. Server-sent events where the page
// asks for them (data-sse-url), otherwise short polling of the JSON endpoint every second; a
// refused or failing stream falls back to polling.
(function () {
  "use strict";
  var root = document.querySelector("[data-display]");
  if (!root) { return; }
  var jsonUrl = root.getAttribute("data-json-url");
  var sseUrl = root.getAttribute("data-sse-url");
  var version = Number(root.getAttribute("data-version") || 0);
  var lastCall = Number(root.getAttribute("data-last-call") || 0);
  var calls = root.querySelector("[data-calls]");
  var servicesList = root.querySelector("[data-services]");
  var updated = root.querySelector("[data-updated]");
  var chimeButton = root.querySelector("[data-chime]");
  var texts = {};
  ["empty", "unit", "wait", "closed"].forEach(function (name) {
    var t = root.querySelector("[data-text-" + name + "]");
    texts[name] = t ? t.content.textContent.trim() : "";
  });
  // The hall opening or closing changes no event: compare the closed flags too.
  function closedKey(state) { return state.services.map(function (s) { return s.closed ? 1 : 0; }).join(""); }
  var shownClosed = root.getAttribute("data-closed-key") || "";
  var chimeOn = false;
  var audio = null;

  if (chimeButton) {
    chimeButton.hidden = false;
    chimeButton.addEventListener("click", function () {
      chimeOn = !chimeOn;
      chimeButton.setAttribute("aria-pressed", chimeOn ? "true" : "false");
      if (chimeOn && !audio && window.AudioContext) { audio = new window.AudioContext(); }
    });
  }

  function chime() {
    if (!chimeOn || !audio) { return; }
    [659.25, 523.25].forEach(function (freq, i) {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.25, audio.currentTime + i * 0.45);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + i * 0.45 + 0.6);
      osc.connect(gain).connect(audio.destination);
      osc.start(audio.currentTime + i * 0.45);
      osc.stop(audio.currentTime + i * 0.45 + 0.6);
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function render(state) {
    version = state.version;
    shownClosed = closedKey(state);
    var fresh = state.last_call_id !== lastCall;
    lastCall = state.last_call_id;
    calls.textContent = "";
    if (!state.calls.length) {
      var row = el("tr");
      var cell = el("td", "rs-display__empty", texts.empty + " ");
      cell.colSpan = 2;
      var en = el("span", "", "Please wait");
      en.lang = "en";
      cell.appendChild(en);
      row.appendChild(cell);
      calls.appendChild(row);
    }
    state.calls.forEach(function (call, index) {
      var tr = el("tr", index === 0 ? "rs-display__latest" + (fresh ? " rs-flash" : "") : "");
      tr.appendChild(el("td", "rs-display__number", call.number));
      var w = el("td", "rs-display__window", call.window);
      w.appendChild(el("span", "rs-display__unit", texts.unit));
      tr.appendChild(w);
      calls.appendChild(tr);
    });
    servicesList.textContent = "";
    state.services.forEach(function (s) {
      var li = el("li");
      li.appendChild(el("span", "rs-display__series", s.series));
      // One translatable sentence with placeholders, not fragments glued together.
      // After hours and on closed days there is no estimate: 受付終了.
      var wait = s.closed ? texts.closed : texts.wait.replace("{n}", s.waiting).replace("{m}", s.estimate_minutes);
      li.appendChild(document.createTextNode(" " + s.name + "：" + wait + " "));
      var en = el("span", "rs-en", s.closed ? "Closed" : s.waiting + " waiting · ~" + s.estimate_minutes + " min");
      en.lang = "en";
      li.appendChild(en);
      servicesList.appendChild(li);
    });
    if (updated) { updated.textContent = state.updated_at; }
    if (fresh) { chime(); }
  }

  function poll() {
    fetch(jsonUrl, { headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        if (state && (state.version !== version || state.last_call_id !== lastCall || closedKey(state) !== shownClosed)) { render(state); }
        else if (state && updated) { updated.textContent = state.updated_at; }
      })
      .catch(function () {})
      .then(function () { window.setTimeout(poll, 1000); });
  }

  if (sseUrl && window.EventSource) {
    var source = new window.EventSource(sseUrl);
    var failures = 0;
    source.addEventListener("state", function (event) { failures = 0; render(JSON.parse(event.data)); });
    source.addEventListener("error", function () {
      failures += 1;
      // CLOSED: the server refused the stream (503 when its stream slots are taken) and the
      // browser will not retry; otherwise it retries by itself, until it has failed too often.
      if (source.readyState === window.EventSource.CLOSED || failures > 3) {
        source.close();
        poll();
      }
    });
  } else {
    window.setTimeout(poll, 1000);
  }
})();
