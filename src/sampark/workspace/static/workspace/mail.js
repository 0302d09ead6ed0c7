// The composer's files, as a garnish: sizes checked as soon as files are chosen (an upload
// over the server's limit would be refused whole, and the page with it), and the draft's
// autosave sent without them (a draft keeps text, not files; a send keeps them). The server
// checks again.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input || input.id !== "composer-files") return;
    var limit = Number(input.dataset.maxBytes || 0);
    var total = 0;
    Array.prototype.forEach.call(input.files || [], function (file) {
      total += file.size;
    });
    var status = input.parentElement.querySelector(".files-check");
    if (limit && total > limit) {
      input.value = "";
      input.setAttribute("aria-invalid", "true");
      if (status) status.textContent = input.dataset.tooLarge;
    } else {
      input.removeAttribute("aria-invalid");
      if (status) status.textContent = "";
    }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form || form.id !== "composer" || event.detail.path !== form.getAttribute("hx-post")) {
      return;
    }
    var parameters = event.detail.parameters;
    if (parameters && typeof parameters.delete === "function") {
      parameters.delete("attachments");
    } else if (parameters) {
      delete parameters.attachments;
    }
  });
})();
