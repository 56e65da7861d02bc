/**
 * @module Per request: an id (`X-Request-Id`, a sane incoming one echoed),
 * the metered D1 handle on a D1 session (read replication), the response
 * headers every answer carries, and one JSON log line. The line names the
 * route pattern, never the raw path, and never tokens, e-mails, names, phones,
 * IPs or bodies.
 */
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { createDatabase, emptyCost } from "../db/client";
import type { AppEnv } from "../env";

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** D1's bookmark format; anything else is ignored rather than sent to D1 (which would reject it). */
const D1_BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

/**
 * The D1 session of a request (Sessions API): a client that sends back the
 * `x-d1-bookmark` of an earlier answer reads at least that fresh
 * (read-your-writes); otherwise reads may use any replica and writes start at
 * the primary.
 */
export function sessionConstraint(method: string, bookmark?: string): string {
  if (bookmark && D1_BOOKMARK.test(bookmark)) return bookmark;
  return method === "GET" || method === "HEAD" ? "first-unconstrained" : "first-primary";
}

export function requestContext(): MiddlewareHandler<AppEnv> {
  return async function requestContext(c, next) {
    const started = Date.now();
    const incoming = c.req.header("X-Request-Id");
    const requestId = incoming && SANE_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    const cost = emptyCost();
    c.set("requestId", requestId);
    const session = c.env.DB.withSession(sessionConstraint(c.req.method, c.req.header("x-d1-bookmark")));
    c.set("db", createDatabase(session, cost));

    await next();

    const headers = c.res.headers;
    headers.set("X-Request-Id", requestId);
    const bookmark = session.getBookmark();
    if (bookmark) headers.set("x-d1-bookmark", bookmark);
    if (!headers.has("Cache-Control")) headers.set("Cache-Control", "no-store");
    // Every answer, errors included, is JSON in UTF-8.
    if (headers.get("Content-Type") === "application/json") headers.set("Content-Type", "application/json; charset=utf-8");

    console.log(
      JSON.stringify({
        request_id: requestId,
        method: c.req.method,
        route: routePath(c, -1),
        status: c.res.status,
        duration_ms: Date.now() - started,
        organisation_id: c.var.organisationId ?? null,
        d1_round_trips: cost.roundTrips,
        d1_statements: cost.statements,
        d1_rows_read: cost.rowsRead,
        d1_rows_written: cost.rowsWritten,
        d1_duration_ms: Math.round(cost.durationMs * 1000) / 1000,
      }),
    );
  };
}
