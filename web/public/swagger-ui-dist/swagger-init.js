// Swagger UI's start-up for /api/docs, as a file rather than an inline script, so the page runs under
// a Content-Security-Policy whose script-src is 'self' alone (src/lib/security-headers.ts).
window.ui = SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  persistAuthorization: true,
  // No badge from the public validator: it would be an image from another origin.
  validatorUrl: null,
});
