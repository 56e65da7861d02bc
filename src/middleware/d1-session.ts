/**
 * @module The request's D1 handle: a D1 session (read replication) on the
 * organisation's shard (the token's, src/domain/db/shards.ts), or on the
 * directory for the operator API, opened on the first query, metered (rows read and written, for the request log), and
 * its bookmark answered in `x-d1-bookmark`. A request that never queries D1
 * (ping, a 401, a 405) opens nothing. A request whose batches wrote events
 * for an organisation with webhook endpoints tells the dispatcher before it
 * answers.
 */
import type { MiddlewareHandler } from "hono";
import { Database } from "../domain/db/client";
import { shardOf } from "../domain/db/shards";
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
    const others = new Map<number, Database>();
    // The session is opened by the first batch: a request that reads no table opens nothing.
    const open = () => {
      const shard = c.get("shard");
      session ??= (shard === undefined ? c.env.DIRECTORY : shardOf(c.env, shard)).withSession(sessionConstraint(c.req.method, c.req.header("x-d1-bookmark")));
      return session;
    };
    // The request's write context: its D1 (the session), its cost, its dry run; made on first use.
    c.set("database", () => {
      database ??= new Database(open, c.get("d1Cost"), c.get("dryRun") === true, c.get("shard"), c.get("organisationId"));
      return database;
    });
    // The operator API reaches shards beside the directory: their primaries, in the request's cost.
    c.set("shardDatabase", (shard) => {
      let other = others.get(shard);
      if (!other) {
        const d1 = shardOf(c.env, shard);
        other = new Database(() => d1, c.get("d1Cost"), false, shard);
        others.set(shard, other);
      }
      return other;
    });
    // The directory beside a shard (erasure empties the operator's stored answers there): its primary, in the request's cost.
    let directory: Database | undefined;
    c.set("directory", () => {
      directory ??= new Database(() => c.env.DIRECTORY, c.get("d1Cost"));
      return directory;
    });
    await next();
    const toNotify = [database, ...others.values()].flatMap((db) =>
      db?.shard === undefined ? [] : [...db.organisationsToNotify].map((organisation_id) => ({ organisation_id, shard: db.shard! })),
    );
    if (toNotify.length > 0) await requestDispatch(c.env, toNotify, c.get("requestId"));
    const bookmark = session?.getBookmark();
    if (bookmark) c.res.headers.set("x-d1-bookmark", bookmark);
  };
}
