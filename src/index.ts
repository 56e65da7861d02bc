/** @module Worker entry point: the API, and a daily purge of expired idempotency keys and events older than 30 days. */
import { app } from "./app";
import { createDatabase, emptyCost } from "./db/client";
import type { Bindings } from "./env";
import { purgeExpiredKeys } from "./idempotency/idempotency.queries";
import { purgeExpiredEvents } from "./routes/events/events.queries";

export type { AppType } from "./app";

export default {
  fetch: app.fetch,
  async scheduled(_controller, env, _ctx) {
    const db = createDatabase(env.DB, emptyCost());
    await Promise.all([purgeExpiredKeys(db), purgeExpiredEvents(db)]);
  },
} satisfies ExportedHandler<Bindings>;
