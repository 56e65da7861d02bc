/**
 * @module Security headers on every answer of the Worker (hono/secure-headers):
 * HSTS, `nosniff`, no referrer, no framing, same-origin resources. The static
 * /docs page gets the same, and its Content-Security-Policy, from
 * public/_headers.
 */
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

export function securityHeaders(): MiddlewareHandler {
  const headers = secureHeaders({
    strictTransportSecurity: "max-age=31536000; includeSubDomains",
    xContentTypeOptions: "nosniff",
    referrerPolicy: "no-referrer",
    xFrameOptions: "DENY",
    crossOriginResourcePolicy: "same-origin",
    // An API's JSON needs no CSP of its own beyond forbidding everything.
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  });
  return async function securityHeaders(c, next) {
    return headers(c, next);
  };
}
