/**
 * @module Per request: an id (`X-Request-Id`, a sane incoming one echoed),
 * the metered D1 handle, the response headers every answer carries, and one
 * JSON log line. The line names the route pattern, never the raw path, and
 * never tokens, e-mails, names, phones, IPs or bodies.
 */
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { createDatabase, emptyCost } from "../db/client";
import type { AppEnv } from "../env";

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestContext(): MiddlewareHandler<AppEnv> {
  return async function requestContext(c, next) {
    const started = Date.now();
    const incoming = c.req.header("X-Request-Id");
    const requestId = incoming && SANE_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    const cost = emptyCost();
    c.set("requestId", requestId);
    c.set("db", createDatabase(c.env.DB, cost));

    await next();

    const headers = c.res.headers;
    headers.set("X-Request-Id", requestId);
    headers.set("X-Content-Type-Options", "nosniff");
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
