// Swagger UI for /api/docs/, started from a file of this site (the Content-Security-Policy allows
// no inline script); the schema's address comes from the page.
"use strict";
(function () {
  const element = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: element.dataset.schemaUrl,
    domNode: element,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
  });
})();
