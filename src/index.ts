/**
 * @module Worker entry point: the API; the webhook queues' consumer; the
 * daily purge (idempotency keys, events and webhook deliveries past their
 * time, webhook slots no message can still hold) and the five-minute sweeps of
 * undispatched events and orphan claims; each on every shard.
 */
import { app } from "./app";
import { sweepOrphanClaims } from "./domain/claims/claims.queries";
import { createDatabase, emptyCost } from "./domain/db/client";
import { shardsOf } from "./domain/db/shards";
import { purgeExpiredEvents } from "./domain/events/events.queries";
import { purgeExpiredKeys } from "./domain/idempotency/idempotency.queries";
import { purgeExpiredDeliveries } from "./domain/webhooks/webhooks.queries";
import type { Bindings } from "./env";
import { resetStaleInFlight, sweepUndispatched } from "./webhooks/dispatch";
import { consumeQueue } from "./webhooks/queue";

export type { AppType } from "./app";

/** wrangler.toml's daily cron; the other one is the sweep. */
const DAILY_PURGE = "17 3 * * *";

/** `/docs`, `/docs?…` or `/docs/…`, read off the URL without parsing it (every request asks). */
const DOCS_PATH = /^https?:\/\/[^/]+\/docs(?:[/?#]|$)/;

export default {
  // The interactive reference is the enbro-docs Worker's (static assets): it never passes the API's middleware.
  fetch(request, env, ctx) {
    return DOCS_PATH.test(request.url) ? env.DOCS.fetch(request) : app.fetch(request, env, ctx);
  },
  queue: consumeQueue,
  // Every job runs on every shard; the directory keeps the operator's idempotency keys.
  async scheduled(controller, env, _ctx) {
    const shards = shardsOf(env).map((d1, shard) => createDatabase(d1, emptyCost(), shard));
    if (controller.cron === DAILY_PURGE) {
      const directory = createDatabase(env.DIRECTORY, emptyCost());
      await Promise.all([
        purgeExpiredKeys(directory),
        ...shards.flatMap((db) => [purgeExpiredKeys(db), purgeExpiredEvents(db), purgeExpiredDeliveries(db), resetStaleInFlight(db)]),
      ]);
    } else {
      await Promise.all([...shards.map((db) => sweepUndispatched(db, env)), sweepOrphanClaims(createDatabase(env.DIRECTORY, emptyCost()), shards)]);
    }
  },
} satisfies ExportedHandler<Bindings>;
