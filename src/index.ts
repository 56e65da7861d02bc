/** @module Worker entry point: the API, and a daily purge of expired idempotency keys. */
import { app } from "./app";
import { createDatabase, emptyCost } from "./db/client";
import type { Bindings } from "./env";
import { purgeExpiredKeys } from "./idempotency/idempotency.queries";

export type { AppType } from "./app";

export default {
  fetch: app.fetch,
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(purgeExpiredKeys(createDatabase(env.DB, emptyCost())));
  },
} satisfies ExportedHandler<Bindings>;
