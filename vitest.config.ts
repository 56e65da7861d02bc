/**
 * @module Two test projects:
 * - `workers`: inside workerd (@cloudflare/vitest-plugin), real local D1 (the
 *   directory and two shards) and KV from wrangler.toml, the migrations
 *   applied by test/setup.ts;
 * - `node`: against a real `wrangler dev` (the typed-client quickstart, the
 *   OpenAPI document checked by a maintained validator);
 * - `browser`: Debian's chromium driven by playwright-core on /docs
 *   (`npm run test:browser`; `npm test` runs the first two).
 */
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789abcdef";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "drizzle"));
  const directoryMigrations = await readD1Migrations(path.join(import.meta.dirname, "drizzle", "directory"));
  return {
    test: {
      // Two test files at a time (left alone, this machine's runs took one at a time: 5 minutes). Each workers-project
      // file has its own isolated storage; the node project's servers each have their own local state.
      maxWorkers: 2,
      // The JSON report gives .ci/run its closing "N passed, N failed" line.
      reporters: ["default", "json"],
      outputFile: { json: ".vitest-report.json" },
      // The API's one-line request logs would drown the test output.
      onConsoleLog: (log: string) => !log.startsWith('{"request_id"'),
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                ratelimits: {
                  // Tests share tokens ids across files and call the operator API a lot: no limit in the way…
                  RATE_LIMITER: { namespace_id: "1001", simple: { limit: 1_000_000, period: 60 } },
                  // …except in the rate-limit test, which swaps this strict one in.
                  TEST_STRICT_RATE_LIMITER: { namespace_id: "9001", simple: { limit: 3, period: 60 } },
                  // The same for failed authentications: the matrix sends many wrong tokens;
                  // the throttling test swaps in wrangler.toml's own limit (120 per 60 s).
                  AUTH_FAILURE_LIMITER: { namespace_id: "1002", simple: { limit: 1_000_000, period: 60 } },
                  TEST_AUTH_FAILURE_LIMITER: { namespace_id: "9002", simple: { limit: 120, period: 60 } },
                },
                // Every request's log line: tests read the D1 cost from it (wrangler.toml samples successes).
                // WEBHOOKS_ALLOW_LOCAL_URLS off whatever a local .dev.vars says (`npm run dev` turns it on there):
                // the tests that need it set it per request.
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  TEST_DIRECTORY_MIGRATIONS: directoryMigrations,
                  ADMIN_TOKEN: TEST_ADMIN_TOKEN,
                  LOG_SAMPLE_RATE: "1",
                  WEBHOOKS_ALLOW_LOCAL_URLS: "",
                },
                // The docs Worker of wrangler.docs.toml, which the API's DOCS binding names: public/ as static assets.
                workers: [
                  {
                    name: "enbro-docs",
                    compatibilityDate: "2026-11-01",
                    modules: true,
                    script: "export default { fetch: () => new Response(null, { status: 404 }) };",
                    assets: { directory: path.join(import.meta.dirname, "public"), hasUserWorker: false },
                  },
                ],
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["test/{api,docs,property,unit}/**/*.test.ts"],
            setupFiles: ["./test/setup.ts"],
          },
        },
        {
          test: {
            name: "node",
            include: ["test/node/**/*.test.ts"],
            environment: "node",
            testTimeout: 120_000,
            hookTimeout: 180_000,
          },
        },
        {
          // Needs Debian's chromium (.ci/run installs it): `npm run test:browser`.
          test: {
            name: "browser",
            include: ["test/browser/**/*.test.ts"],
            environment: "node",
            testTimeout: 120_000,
            hookTimeout: 180_000,
          },
        },
      ],
    },
  };
});
