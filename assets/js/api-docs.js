// Starts the embedded Swagger UI on /api/docs (offline: no validator, no external links).
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var el = document.getElementById("swagger-ui");
  if (!el || !window.SwaggerUIBundle) {
    return;
  }
  window.SwaggerUIBundle({
    url: el.getAttribute("data-spec"),
    domNode: el,
    validatorUrl: null,
    deepLinking: true,
    tryItOutEnabled: false,
    requestInterceptor: function (req) {
      var meta = document.querySelector('meta[name="csrf-token"]');
      if (meta) {
        req.headers["X-CSRF-Token"] = meta.getAttribute("content");
      }
      return req;
    }
  });
});
