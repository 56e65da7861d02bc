// The interactive reference of this API, from its own OpenAPI document (no CDN: every asset is served here).
window.ui = SwaggerUIBundle({
  url: "/api/v1/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  displayRequestDuration: true,
  // A pasted token lives only as long as the page: never in the browser's storage.
  persistAuthorization: false,
});
