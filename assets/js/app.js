// Zhaoyin page enhancements. Every page works without this file; it only adds comfort.
(function () {
  "use strict";

  // Forms marked data-confirm ask before they submit (disabling, revoking, signing out everywhere).
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var msg = form && form.getAttribute && form.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) {
      ev.preventDefault();
    }
  }, true);

  // Print buttons.
  document.addEventListener("click", function (ev) {
    var el = ev.target;
    if (el && el.classList && el.classList.contains("print-button")) {
      window.print();
    }
  });

  // htmx requests carry the CSRF token as a header.
  document.addEventListener("htmx:configRequest", function (ev) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) {
      ev.detail.headers["X-CSRF-Token"] = meta.getAttribute("content");
    }
  });

  // A freshly created API token is selected, ready to copy.
  document.addEventListener("DOMContentLoaded", function () {
    var tok = document.getElementById("new-token");
    if (tok && window.getSelection) {
      var range = document.createRange();
      range.selectNodeContents(tok);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    }
  });
})();
