/* The queue's keyboard shortcuts: j/k move between rows, x selects, Enter opens, ? lists them.
   No Alt+letter and no browser shortcut; they pause while a field has focus or an input
   method is composing (Hindi IMEs), and the agent can turn them off (data-shortcuts="off"). */
(function () {
  "use strict";
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue-rows tr"))
      .filter(function (row) { return row.querySelector("a.ticket-link"); });
  }
  function current() {
    var list = rows();
    for (var i = 0; i < list.length; i++) {
      if (list[i].contains(document.activeElement)) { return i; }
    }
    return -1;
  }
  function focusRow(index) {
    var list = rows();
    if (!list.length) { return; }
    index = Math.max(0, Math.min(list.length - 1, index));
    list.forEach(function (row) { row.classList.remove("current"); });
    list[index].classList.add("current");
    list[index].querySelector("a.ticket-link").focus();
  }
  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }
  document.addEventListener("keydown", function (event) {
    var form = document.querySelector("form.queue");
    if (!form || form.dataset.shortcuts !== "on") { return; }
    if (event.isComposing || event.keyCode === 229) { return; }
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (typing(event.target)) { return; }
    var index = current();
    if (event.key === "j") {
      focusRow(index + 1);
    } else if (event.key === "k") {
      focusRow(index < 0 ? 0 : index - 1);
    } else if (event.key === "x" && index >= 0) {
      var box = rows()[index].querySelector("input[type=checkbox]");
      box.checked = !box.checked;
    } else if (event.key === "?") {
      var help = document.getElementById("shortcuts-help");
      if (help && !help.open) { help.showModal(); }
    } else {
      return;
    }
    event.preventDefault();
  });
})();
