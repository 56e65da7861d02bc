/**
 * @module The request's D1 handle: a D1 session (read replication) opened on
 * the first query, metered (rows read and written, for the request log), and
 * its bookmark answered in `x-d1-bookmark`. A request that never queries D1
 * (ping, a 401, a 405) opens nothing. A request whose batches wrote events
 * for an organisation with webhook endpoints tells the dispatcher before it
 * answers.
 */
import type { MiddlewareHandler } from "hono";
import { Database } from "../domain/db/client";
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
    // The session is opened by the first batch: a request that reads no table opens nothing.
    const open = () => {
      session ??= c.env.DB.withSession(sessionConstraint(c.req.method, c.req.header("x-d1-bookmark")));
      return session;
    };
    // The request's write context: its D1 (the session), its cost, its dry run; made on first use.
    c.set("database", () => {
      database ??= new Database(open, c.get("d1Cost"), c.get("dryRun") === true);
      return database;
    });
    await next();
    if (database && database.organisationsToNotify.size > 0) await requestDispatch(c.env, database.organisationsToNotify, c.get("requestId"));
    const bookmark = session?.getBookmark();
    if (bookmark) c.res.headers.set("x-d1-bookmark", bookmark);
  };
}
