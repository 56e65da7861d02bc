/**
 * @module Worker entry point: the API; the webhook queues' consumer; the
 * daily purge (idempotency keys, events and webhook deliveries past their
 * time, webhook slots no message can still hold) and the five-minute sweep of
 * undispatched events.
 */
import { app } from "./app";
import { createDatabase, emptyCost } from "./domain/db/client";
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
  async scheduled(controller, env, _ctx) {
    const db = createDatabase(env.DB, emptyCost());
    if (controller.cron === DAILY_PURGE) await Promise.all([purgeExpiredKeys(db), purgeExpiredEvents(db), purgeExpiredDeliveries(db), resetStaleInFlight(db)]);
    else await sweepUndispatched(db, env);
  },
} satisfies ExportedHandler<Bindings>;
