/**
 * @module Before each test file: the drizzle/ migrations applied to the test D1
 * (already applied ones are skipped). After it: every exchange the file made
 * checked against the OpenAPI document (test/openapi-conformance.ts).
 */
import { applyD1Migrations, env } from "cloudflare:test";
import { afterAll } from "vitest";
import { checkRecordedExchanges } from "./openapi-conformance";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

afterAll(() => checkRecordedExchanges());
