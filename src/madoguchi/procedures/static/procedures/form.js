/* Progressive enhancement of procedure forms; everything also works without this script.
 * - [data-mg-when]: show a field only while its condition holds (the server checks it again).
 * - [data-mg-postal-url]: fill the address from the postal code without reloading the page.
 */
(function () {
  "use strict";

  function inputValue(form, name) {
    var inputs = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
    if (!inputs.length) return null;
    var first = inputs[0];
    if (first.type === "radio") {
      for (var i = 0; i < inputs.length; i++) if (inputs[i].checked) return inputs[i].value;
      return null;
    }
    if (first.type === "checkbox") {
      if (inputs.length === 1 && first.value === "on") return first.checked;
      var values = [];
      for (var j = 0; j < inputs.length; j++) if (inputs[j].checked) values.push(inputs[j].value);
      return values;
    }
    var text = first.value.trim();
    if (text === "") return null;
    return /^-?[0-9]+$/.test(text) ? parseInt(text, 10) : text;
  }

  function evaluate(form, cond) {
    if (cond.all) return cond.all.every(function (c) { return evaluate(form, c); });
    if (cond.any) return cond.any.some(function (c) { return evaluate(form, c); });
    var value = "input" in cond ? inputValue(form, cond.input) : cond.const;
    var expected = cond.value;
    if (cond.op === "filled") {
      var filled = !(value === null || value === "" || value === false ||
        (Array.isArray(value) && value.length === 0));
      return filled === expected;
    }
    if (Array.isArray(value)) {
      var hit = cond.op === "equals" || cond.op === "not_equals"
        ? value.indexOf(expected) !== -1
        : value.some(function (v) { return expected.indexOf(v) !== -1; });
      return cond.op === "equals" || cond.op === "in" ? hit : !hit;
    }
    if (cond.op === "equals") return value === expected;
    if (cond.op === "not_equals") return value !== expected;
    if (cond.op === "in") return expected.indexOf(value) !== -1;
    return expected.indexOf(value) === -1;
  }

  function refresh(container) {
    var form = container.closest("form") || document;
    container.querySelectorAll("[data-mg-when]").forEach(function (el) {
      var cond;
      try { cond = JSON.parse(el.getAttribute("data-mg-when")); } catch (e) { return; }
      el.hidden = !evaluate(form, cond);
    });
    // The sentence for readers without JavaScript is not needed once fields show and hide.
    container.querySelectorAll(".mg-conditional-hint").forEach(function (el) { el.hidden = true; });
  }

  function setValue(id, value) {
    var el = document.getElementById(id);
    if (el) el.value = value;
  }

  function postalLookup(button) {
    var input = document.getElementById(button.getAttribute("data-mg-postal-input"));
    var target = button.getAttribute("data-mg-postal-target");
    var status = document.getElementById(button.getAttribute("data-mg-postal-status"));
    if (!input) return;
    var url = button.getAttribute("data-mg-postal-url") + "?code=" + encodeURIComponent(input.value);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var found = data.candidates || [];
        if (data.postal_code) input.value = data.postal_code;
        if (!found.length) {
          if (status) status.textContent = data.message || button.getAttribute("data-mg-postal-none") ||
            "この郵便番号の住所が見つかりませんでした。住所を入力してください。";
          return;
        }
        setValue(target + "__prefecture", found[0].prefecture);
        setValue(target + "__city", found[0].city);
        var towns = found.map(function (c) { return c.town; })
          .filter(function (t, i, all) { return all.indexOf(t) === i; });
        setValue(target + "__street", towns.length === 1 ? towns[0] + (found[0].street || "") : "");
        if (status) {
          // The messages come translated from the page (input.html); Japanese if they do not.
          status.textContent = towns.length === 1
            ? button.getAttribute("data-mg-postal-filled") ||
              "住所を入力しました。続けて番地を入力してください。"
            : (button.getAttribute("data-mg-postal-towns") ||
              "この郵便番号には複数の町域があります（{towns}）。町名と番地を入力してください。")
                .replace("{towns}", towns.filter(Boolean).join("、"));
        }
        var next = document.getElementById(target + "__street");
        if (next) next.focus();
      })
      .catch(function () {
        // Fall back to the server round trip the button does without JavaScript.
        button.removeAttribute("data-mg-postal-url");
        button.click();
      });
  }

  function init() {
    document.querySelectorAll("[data-mg-form]").forEach(function (container) {
      refresh(container);
      container.addEventListener("change", function () { refresh(container); });
      container.addEventListener("input", function () { refresh(container); });
    });
    document.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("[data-mg-postal-url]");
      if (!button || !window.fetch) return;
      event.preventDefault();
      postalLookup(button);
    });
    var summary = document.getElementById("mg-error-summary");
    if (summary) summary.focus();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
