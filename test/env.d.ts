/** @module Types of the test-only bindings (see vitest.config.ts). */
import type { D1Migration } from "cloudflare:test";
import type { Bindings } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends Bindings {
      TEST_MIGRATIONS: D1Migration[];
      TEST_DIRECTORY_MIGRATIONS: D1Migration[];
      TEST_STRICT_RATE_LIMITER: RateLimit;
      TEST_AUTH_FAILURE_LIMITER: RateLimit;
      ADMIN_TOKEN: string;
    }
  }
}
