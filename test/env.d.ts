/** @module Types of the test-only bindings (see vitest.config.ts). */
import type { D1Migration } from "cloudflare:test";
import type { Bindings } from "../src/env";
import type { DocExample } from "./docs/doc-example";

declare global {
  namespace Cloudflare {
    interface Env extends Bindings {
      TEST_MIGRATIONS: D1Migration[];
      DOC_EXAMPLES: DocExample[];
      TEST_STRICT_RATE_LIMITER: RateLimit;
      ADMIN_TOKEN: string;
    }
  }
}
