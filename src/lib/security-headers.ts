import { secureHeaders } from "hono/secure-headers";

/**
 * The security headers of every response (README "Security headers"). The worker sets them on its own
 * responses (/api/*, /ws/*); the dashboard's files are served by the assets binding, not the worker,
 * and get the same lines from web/public/_headers (copied into web/dist by the build).
 * test/security.test.ts keeps the two equal.
 *
 * - script-src 'self' and nothing else: no inline script anywhere (the dashboard is Vite's module
 *   files; Swagger UI starts from /swagger-ui-dist/swagger-init.js), so injected markup cannot run
 *   code and read the token the dashboard keeps in localStorage.
 * - style-src also 'unsafe-inline': antd writes its CSS-in-JS into <style> elements at run time. Its
 *   nonce support needs a fresh nonce per response in index.html, which a static file cannot have;
 *   a style cannot run code.
 * - img-src and font-src data:: antd and Swagger UI inline small icons as data: URIs; img-src blob::
 *   the captcha image is fetched with the token and shown from an object URL.
 * - connect-src 'self': the API and the live socket are on our own origin.
 * - frame-ancestors 'none' and X-Frame-Options DENY: nobody may frame us (clickjacking).
 * - Referrer-Policy no-referrer: the password-reset link carries its token in the URL.
 * - HSTS for a year (browsers ignore it over plain http, so local dev is unaffected).
 */
export const securityHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", "data:", "blob:"],
    fontSrc: ["'self'", "data:"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: "DENY",
  referrerPolicy: "no-referrer",
  strictTransportSecurity: "max-age=31536000; includeSubDomains",
});
