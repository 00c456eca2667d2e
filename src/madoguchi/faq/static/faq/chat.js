/* Chat enhancement: ask without reloading, append turns to the log, send feedback in place.
   The page works without this file (plain form posts). */
(function () {
  "use strict";
  var root = document.querySelector(".faq-chat");
  if (!root || !window.fetch) { return; }
  var log = root.querySelector(".faq-log");
  var form = root.querySelector(".faq-form");
  var input = form.querySelector("input[name=q]");
  var lang = root.getAttribute("data-lang") || "ja";
  var busy = false;
  var texts = {
    ja: { wait: "回答を探しています…", error: "送信できませんでした。時間をおいてもう一度お試しください。", thanks: "ご回答ありがとうございました。" },
    en: { wait: "Looking for an answer…", error: "Could not send. Please try again later.", thanks: "Thank you for your feedback." },
    "zh-hans": { wait: "正在查找回答…", error: "发送失败。请稍后再试。", thanks: "感谢您的回答。" },
    ko: { wait: "답변을 찾고 있습니다…", error: "보내지 못했습니다. 잠시 후 다시 시도해 주세요.", thanks: "응답해 주셔서 감사합니다." },
    vi: { wait: "Đang tìm câu trả lời…", error: "Không gửi được. Vui lòng thử lại sau.", thanks: "Cảm ơn bạn đã trả lời." },
    "pt-br": { wait: "Procurando uma resposta…", error: "Não foi possível enviar. Tente novamente mais tarde.", thanks: "Obrigado pela sua resposta." }
  };
  texts = texts[lang] || texts[lang.split("-")[0]] || texts.ja;

  function note(text, cls) {
    var p = document.createElement("p");
    p.className = cls;
    p.textContent = text;
    log.appendChild(p);
    return p;
  }

  function ask(question) {
    if (busy || !question) { return; }
    busy = true;
    var pending = note(texts.wait, "faq-pending");
    var body = new URLSearchParams();
    body.set("q", question);
    body.set("lang", lang);
    fetch(root.getAttribute("data-ask-url"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, data: data }; });
    }).then(function (res) {
      pending.remove();
      if (!res.ok) { note(res.data.error || texts.error, "mg-error-text"); return; }
      // The server renders the turn from the same template as the no-JS page (sanitised HTML).
      var wrap = document.createElement("div");
      wrap.innerHTML = res.data.html;
      while (wrap.firstChild) { log.appendChild(wrap.firstChild); }
      var turns = log.querySelectorAll(".faq-turn");
      var last = turns[turns.length - 1];
      if (last) { last.scrollIntoView({ block: "start" }); }
    }).catch(function () {
      pending.remove();
      note(texts.error, "mg-error-text");
    }).then(function () { busy = false; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var question = input.value.trim();
    if (!question) { input.focus(); return; }
    input.value = "";
    ask(question);
  });

  root.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".faq-suggest__link") : null;
    if (link) { event.preventDefault(); ask(link.textContent.trim()); return; }
    var button = event.target.closest ? event.target.closest(".faq-feedback button[name=helpful]") : null;
    if (!button) { return; }
    event.preventDefault();
    var fb = button.form;
    var data = new URLSearchParams(new FormData(fb));
    data.set("helpful", button.value);
    fetch(fb.action, { method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (payload) {
        var p = document.createElement("p");
        p.setAttribute("role", "status");
        p.textContent = texts.thanks;
        fb.replaceWith(p);
        if (payload && payload.html) {
          // 「いいえ」: rephrase, the related procedure, a consultation, the desk.
          p.insertAdjacentHTML("afterend", payload.html);
        }
      });
  });
}());
