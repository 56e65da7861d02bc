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
    // Headers for HTML pages, which this Worker never serves (/docs comes from the assets, with
    // public/_headers): each header set is a native call on every answer, so none is set in vain.
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
  return async function securityHeaders(c, next) {
    return headers(c, next);
  };
}
