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

  // Uploads marked data-upload-progress show how much of the file has gone, then that the rows
  // are being checked; the button waits until the outcome is in.
  function uploadParts(form) {
    var box = form.querySelector(".upload-progress");
    return box && { box: box, bar: box.querySelector("progress"), text: box.querySelector("span"),
                    button: form.querySelector("button[type=submit]") };
  }
  document.addEventListener("htmx:beforeRequest", function (ev) {
    var form = ev.target;
    var p = form && form.hasAttribute && form.hasAttribute("data-upload-progress") && uploadParts(form);
    if (!p) return;
    p.box.hidden = false;
    p.box.removeAttribute("data-sent");
    p.bar.value = 0;
    p.text.textContent = p.text.getAttribute("data-uploading");
    if (p.button) p.button.disabled = true;
  });
  document.addEventListener("htmx:xhr:progress", function (ev) {
    var form = ev.target;
    var p = form && form.hasAttribute && form.hasAttribute("data-upload-progress") && uploadParts(form);
    // Once the file is sent, later progress is the answer coming back: the rows are checked.
    if (!p || p.box.hasAttribute("data-sent") || !ev.detail.lengthComputable || !ev.detail.total) return;
    var pct = Math.round(ev.detail.loaded * 100 / ev.detail.total);
    p.bar.value = pct;
    if (pct < 100) {
      p.text.textContent = p.text.getAttribute("data-uploading") + " " + pct + "%";
    } else {
      p.box.setAttribute("data-sent", "");
      p.text.textContent = p.text.getAttribute("data-checking");
    }
  });
  document.addEventListener("htmx:afterRequest", function (ev) {
    var form = ev.target;
    var p = form && form.hasAttribute && form.hasAttribute("data-upload-progress") && uploadParts(form);
    if (!p) return;
    if (p.button) p.button.disabled = false;
    if (!ev.detail.successful) {
      // Too large, or the connection dropped: say so where the progress was.
      p.bar.value = 0;
      p.text.textContent = p.text.getAttribute("data-failed");
      return;
    }
    p.box.hidden = true;
    form.reset();
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
