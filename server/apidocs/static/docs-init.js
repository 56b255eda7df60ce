// Starts Swagger UI on the API reference page. A file, not an inline script, so the page keeps the
// server's Content-Security-Policy (script-src 'self'); the spec's address comes from the page.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-spec"),
    domNode: root,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
    validatorUrl: null  // never send the spec to an outside validator
  });
})();
