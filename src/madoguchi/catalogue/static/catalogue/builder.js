// Dragging steps and fields in the form builder's outline: an enhancement of the "上へ/下へ"
// buttons, which do the same without JavaScript. A drop submits the same form the buttons use,
// with action "to" and the new index, so the server applies one move and the page reloads.
(function () {
  "use strict";
  function items(list) {
    return Array.prototype.filter.call(list.children, function (el) { return el.tagName === "LI"; });
  }
  function submitMove(list, path, to) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = list.getAttribute("data-action");
    var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
    var fields = { action: "to", path: path, to: String(to), revision: list.getAttribute("data-reorder"),
      csrfmiddlewaretoken: csrf ? csrf.value : "" };
    Object.keys(fields).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = name; input.value = fields[name];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }
  document.querySelectorAll("[data-reorder]").forEach(function (list) {
    var dragged = null;
    items(list).forEach(function (li) {
      li.setAttribute("draggable", "true");
      li.addEventListener("dragstart", function (event) {
        if (event.target !== li) { return; }
        event.stopPropagation();
        dragged = li;
        li.setAttribute("data-dragging", "");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", li.getAttribute("data-path"));
      });
      li.addEventListener("dragend", function () {
        li.removeAttribute("data-dragging");
        items(list).forEach(function (el) { el.classList.remove("mg-builder__drop"); });
      });
      li.addEventListener("dragover", function (event) {
        if (!dragged || dragged === li || dragged.parentNode !== list) { return; }
        event.preventDefault();
        event.stopPropagation();
        li.classList.add("mg-builder__drop");
      });
      li.addEventListener("dragleave", function () { li.classList.remove("mg-builder__drop"); });
      li.addEventListener("drop", function (event) {
        if (!dragged || dragged === li || dragged.parentNode !== list) { return; }
        event.preventDefault();
        event.stopPropagation();
        submitMove(list, dragged.getAttribute("data-path"), items(list).indexOf(li));
      });
    });
  });
})();
