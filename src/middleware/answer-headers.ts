/**
 * @module The headers every answer of the Worker carries: the security
 * headers (hono/secure-headers: HSTS, `nosniff`, no referrer, no framing,
 * same-origin resources, a deny-all CSP), `Cache-Control: no-store` unless
 * the route says otherwise, and JSON's charset. The static /docs page gets
 * the security headers, and its own CSP, from public/_headers.
 */
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

export function answerHeaders(): MiddlewareHandler {
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
  return async function answerHeaders(c, next) {
    await headers(c, next);
    const answer = c.res.headers;
    if (!answer.has("Cache-Control")) answer.set("Cache-Control", "no-store");
    // Every answer, errors included, is JSON in UTF-8.
    if (answer.get("Content-Type") === "application/json") answer.set("Content-Type", "application/json; charset=utf-8");
  };
}
