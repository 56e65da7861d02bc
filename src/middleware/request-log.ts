/**
 * @module One JSON log line per request — its id, the route pattern (never
 * the raw path) and the names of its query parameters (never their values:
 * `?external_id=` holds a partner's own customer id), status, the error ids
 * of an error answer, duration, organisation and token ids, and D1 cost (it
 * keeps the request's D1 meter); never tokens, e-mails, names, phones, IPs
 * or bodies. The error ids let an operator alert on a token that produces
 * many `has_already_been_taken` (docs/reliability.md, enumeration).
 *
 * Every error (status ≥ 400) is logged; successful requests are sampled at
 * `LOG_SAMPLE_RATE` (wrangler.toml [vars], 0 to 1). The platform's own
 * invocation log already records every request (method, URL, status, wall
 * and CPU time); this line adds what only the API knows. Each line is a
 * `console.log` call, whose cost is per call, not per byte: under
 * `wrangler dev` every call is a structured log that workerd writes and
 * wrangler parses, and in production a billed Workers Logs event.
 */
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { emptyCost } from "../domain/db/client";
import type { AppEnv } from "../env";
import { readablePath } from "../routing/path-pattern";

/** The share of successful requests logged when `LOG_SAMPLE_RATE` is unset or not a number in [0, 1]. */
export const DEFAULT_LOG_SAMPLE_RATE = 1;

export function sampleRate(value: string | undefined): number {
  const rate = Number(value);
  return value !== undefined && value.trim() !== "" && rate >= 0 && rate <= 1 ? rate : DEFAULT_LOG_SAMPLE_RATE;
}

/** The query's parameter names, sorted, each once: what was asked, not what was sent. */
export function queryNames(url: string): string[] {
  const query = url.indexOf("?");
  if (query === -1) return [];
  return [...new Set(new URLSearchParams(url.slice(query + 1)).keys())].sort();
}

export function requestLog(): MiddlewareHandler<AppEnv> {
  return async function requestLog(c, next) {
    const started = Date.now();
    const cost = emptyCost();
    c.set("d1Cost", cost);

    await next();

    const status = c.res.status;
    if (status < 400 && Math.random() >= sampleRate(c.env.LOG_SAMPLE_RATE)) return;
    console.log(
      JSON.stringify({
        request_id: c.get("requestId"),
        method: c.req.method,
        route: readablePath(routePath(c, -1)),
        query: queryNames(c.req.url),
        status,
        errors: c.get("errorCodes") ?? [],
        duration_ms: Date.now() - started,
        organisation_id: c.get("organisationId") ?? null,
        token_id: c.get("tokenId") ?? null,
        d1_round_trips: cost.roundTrips,
        d1_statements: cost.statements,
        d1_rows_read: cost.rowsRead,
        d1_rows_written: cost.rowsWritten,
        d1_duration_ms: Math.round(cost.durationMs * 1000) / 1000,
      }),
    );
  };
}
