/* Madoguchi FAQ widget. Embed with one tag:
     <script src="https://HOST/static/faq/widget.js" data-municipality="CODE" defer></script>
   Optional: data-lang="en" (default: the page's lang), data-label="…" (button text).
   It adds a button that opens the chat in an iframe; the button is a real link to the chat page,
   so without the iframe (or for a "open in a new tab") the resident still gets the chat. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var code = script.getAttribute("data-municipality");
  if (!code || !/^[0-9]{6}$/.test(code)) { return; }
  var origin = new URL(script.src, document.baseURI).origin;
  var pageLang = (document.documentElement.lang || "ja").toLowerCase();
  var texts = {
    ja: { open: "質問する（チャット）", close: "チャットを閉じる", title: "よくある質問チャット" },
    en: { open: "Ask a question (chat)", close: "Close the chat", title: "FAQ chat" },
    "zh-hans": { open: "提问（聊天）", close: "关闭聊天", title: "常见问题聊天" },
    ko: { open: "질문하기(채팅)", close: "채팅 닫기", title: "자주 묻는 질문 채팅" },
    vi: { open: "Đặt câu hỏi (trò chuyện)", close: "Đóng trò chuyện", title: "Trò chuyện hỏi đáp" },
    "pt-br": { open: "Fazer uma pergunta (chat)", close: "Fechar o chat", title: "Chat de perguntas frequentes" }
  };
  // The site's languages (settings.LANGUAGES): the page's own, or its family (zh-CN → zh-hans).
  var families = { zh: "zh-hans", pt: "pt-br" };
  var lang = (script.getAttribute("data-lang") || pageLang).toLowerCase();
  if (!texts[lang]) { lang = families[lang.split("-")[0]] || (texts[lang.split("-")[0]] ? lang.split("-")[0] : "ja"); }
  var labels = texts[lang];
  var chatUrl = origin + "/" + code + "/faq/";
  var embedUrl = origin + "/" + code + "/faq/embed/?lang=" + lang;

  var button = document.createElement("a");
  button.href = chatUrl;
  button.textContent = script.getAttribute("data-label") || labels.open;
  button.setAttribute("role", "button");
  button.setAttribute("aria-expanded", "false");
  var s = button.style;
  s.position = "fixed"; s.right = "1rem"; s.bottom = "1rem"; s.zIndex = "2147483000";
  s.background = "#0017c1"; s.color = "#fff"; s.padding = "0.75rem 1.25rem";
  s.borderRadius = "2rem"; s.fontSize = "1rem"; s.fontWeight = "700"; s.textDecoration = "none";
  s.boxShadow = "0 2px 6px rgba(0,0,0,0.3)";

  var panel = null;
  function close() {
    if (panel) { panel.remove(); panel = null; }
    button.setAttribute("aria-expanded", "false");
    button.textContent = script.getAttribute("data-label") || labels.open;
    button.focus();
  }
  function open() {
    panel = document.createElement("iframe");
    panel.src = embedUrl;
    panel.title = labels.title;
    var p = panel.style;
    p.position = "fixed"; p.right = "1rem"; p.bottom = "4.5rem"; p.zIndex = "2147483000";
    p.width = "min(26rem, calc(100vw - 2rem))"; p.height = "min(40rem, calc(100vh - 6rem))";
    p.border = "1px solid #767676"; p.borderRadius = "0.5rem"; p.background = "#fff";
    document.body.appendChild(panel);
    button.setAttribute("aria-expanded", "true");
    button.textContent = labels.close;
    panel.focus();
  }
  button.addEventListener("click", function (event) {
    event.preventDefault();
    if (panel) { close(); } else { open(); }
  });
  button.addEventListener("keydown", function (event) {
    if (event.key === " ") { event.preventDefault(); button.click(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && panel) { close(); }
  });
  function mount() { document.body.appendChild(button); }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
}());
