/**
 * @module The request's D1 handle: a D1 session (read replication) opened on
 * the first query, metered (rows read and written, for the request log), and
 * its bookmark answered in `x-d1-bookmark`. A request that never queries D1
 * (ping, a 401, a 405) opens nothing. A request whose batches wrote events
 * for an organisation with webhook endpoints tells the dispatcher before it
 * answers.
 */
import type { MiddlewareHandler } from "hono";
import { createDatabase, type D1Handle, type Database } from "../domain/db/client";
import { dryRunD1 } from "../domain/db/dry-run";
import { organisationWithWebhooks, webhookProbeOf } from "../domain/db/events";
import type { AppEnv } from "../env";
import { requestDispatch } from "../webhooks/notify";

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

export function d1Session(): MiddlewareHandler<AppEnv> {
  return async function d1Session(c, next) {
    let session: D1DatabaseSession | undefined;
    let database: Database | undefined;
    const withNewEvents = new Set<number>();
    const open = () => (session ??= c.env.DB.withSession(sessionConstraint(c.req.method, c.req.header("x-d1-bookmark"))));
    // Drizzle itself is built on first use too: a request that reads no table builds nothing.
    c.set("database", () => {
      if (database) return database;
      const handle: D1Handle = {
        prepare: (query) => open().prepare(query),
        batch: async <T = unknown>(statements: D1PreparedStatement[]) => {
          // A batch that writes events also asks, in the same round trip, whether their organisation has webhook endpoints.
          const probe = webhookProbeOf(statements);
          if (!probe) return open().batch<T>(statements);
          const results = await open().batch<T>([...statements, probe]);
          const probed = results.pop()!;
          const cost = c.get("d1Cost");
          cost.statements += 1;
          cost.rowsRead += probed.meta.rows_read ?? 0;
          const organisationId = organisationWithWebhooks(probed);
          if (organisationId !== null) withNewEvents.add(organisationId);
          return results;
        },
      };
      database = createDatabase(c.get("dryRun") ? dryRunD1(handle) : handle, c.get("d1Cost"));
      return database;
    });
    await next();
    if (withNewEvents.size > 0) await requestDispatch(c.env, withNewEvents, c.get("requestId"));
    const bookmark = session?.getBookmark();
    if (bookmark) c.res.headers.set("x-d1-bookmark", bookmark);
  };
}
