// The ticket page's garnish: SLA countdowns that tick, keyboard shortcuts (r reply, n note,
// c call, e escalate, ? the list), and form answers (422) that htmx should show. The page
// works without it; the server renders every due time and its words.
(function () {
  "use strict";

  function page() {
    return document.querySelector(".ticket-page");
  }

  // --- SLA countdowns -------------------------------------------------------------------
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) {
      return String(values[key]);
    });
  }

  function span(list, seconds) {
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    if (days) return fill(list.dataset.days, { d: days, h: hours });
    if (hours) return fill(list.dataset.hours, { h: hours, m: mins });
    return fill(list.dataset.minutes, { m: mins });
  }

  function tick() {
    var list = document.querySelector(".countdowns");
    if (!list) return;
    var now = Date.now();
    list.querySelectorAll(".countdown").forEach(function (clock) {
      var state = clock.dataset.state;
      if (state === "met" || state === "paused" || !clock.dataset.due) return;
      var due = Date.parse(clock.dataset.due);
      var warnAt = clock.dataset.warnAt ? Date.parse(clock.dataset.warnAt) : null;
      var text = clock.querySelector(".countdown-text");
      var next = due <= now ? "breached" : warnAt !== null && warnAt <= now ? "warning" : "on_track";
      text.textContent =
        next === "breached"
          ? fill(list.dataset.overdue, { time: span(list, (now - due) / 1000) })
          : fill(list.dataset.dueIn, { time: span(list, (due - now) / 1000) });
      if (next !== clock.dataset.state) {
        clock.classList.remove("sla-" + clock.dataset.state);
        clock.classList.add("sla-" + next);
        clock.dataset.state = next;
        var risk = clock.querySelector(".sla-risk");
        if (next === "warning" && !risk) {
          risk = document.createElement("span");
          risk.className = "sla-risk";
          risk.textContent = " (" + list.dataset.warning + ")";
          text.after(risk);
        } else if (next !== "warning" && risk) {
          risk.remove();
        }
      }
    });
  }

  // --- keyboard shortcuts ---------------------------------------------------------------
  function typing(event) {
    var target = event.target;
    if (event.isComposing || event.keyCode === 229) return true;
    if (!target || !target.closest) return false;
    return Boolean(target.closest("input, textarea, select, [contenteditable]"));
  }

  function compose(kind) {
    var choice = document.getElementById("kind-" + kind);
    var body = document.getElementById("composer-body");
    if (!choice || !body) return false;
    choice.checked = true;
    body.focus();
    return true;
  }

  function escalate() {
    var panel = document.getElementById("escalate");
    if (!panel) return false;
    panel.open = true;
    var group = document.getElementById("escalate-group");
    if (group) group.focus();
    return true;
  }

  function showKeys() {
    var list = document.getElementById("shortcut-list");
    if (!list) return false;
    list.scrollIntoView({ block: "center" });
    list.classList.add("highlight");
    setTimeout(function () {
      list.classList.remove("highlight");
    }, 2000);
    return true;
  }

  var KEYS = {
    r: function () { return compose("reply"); },
    n: function () { return compose("note"); },
    c: function () { return compose("call"); },
    e: escalate,
    "?": showKeys,
  };

  document.addEventListener("keydown", function (event) {
    var root = page();
    if (!root || root.dataset.shortcuts !== "on") return;
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event)) return;
    var action = KEYS[event.key];
    if (action && action()) event.preventDefault();
  });

  // --- htmx: a form answered 422 or 409 shows its answer --------------------------------
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if ((status === 422 || status === 409) && event.detail.elt.closest(".ticket-page")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // --- the composer ------------------------------------------------------------------------
  // A send goes through htmx: the answer is a fresh composer, and the new events, facts and
  // counts out of band, instead of a whole page after a redirect. (Without htmx the form
  // posts as any form does.) Once it is sent, no late autosave brings the sent text back.
  var sending = false;

  function isDraft(form, path) {
    return path === form.getAttribute("hx-post");
  }

  // After a send the page's other forms act on the version the send made. The focus stays
  // with the page, where the shortcuts work (the "sent" message is announced).
  function sent(form) {
    sending = false;
    var root = page();
    if (!root || document.body.contains(form)) return;
    var composer = document.getElementById("composer");
    if (!composer) return;
    ["version", "seen"].forEach(function (name) {
      var value = composer.querySelector("input[name=" + name + "]").value;
      root.querySelectorAll("form:not(#composer) input[name=" + name + "]").forEach(function (input) {
        input.value = value;
      });
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "composer") return;
    sending = true;
    if (!window.htmx) return;
    event.preventDefault();
    var done = function () {
      sent(form);
    };
    window.htmx
      .ajax("POST", form.getAttribute("action"), {
        source: form,
        target: "#composer-zone",
        swap: "outerHTML",
        // The messages too when the answer is the whole page: an earlier "Sent." goes. Their
        // live region stays, so that what comes into it is announced.
        selectOOB: "#messages:innerHTML",
      })
      .then(done, done);
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (sending && elt.id === "composer" && isDraft(elt, event.detail.requestConfig.path)) {
      event.preventDefault();
    }
  });

  function start() {
    if (!page()) return;
    tick();
    setInterval(tick, 15000);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
