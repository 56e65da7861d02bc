/**
 * @module Before each test file: the migrations applied to the test's
 * directory and to every shard, with each shard's first ids (already applied
 * ones are skipped), as `npm run db:migrate` does. After it: every exchange
 * the file made checked against the OpenAPI document
 * (test/openapi-conformance.ts).
 */
import { applyD1Migrations, env } from "cloudflare:test";
import { afterAll } from "vitest";
import { shardSequenceStatements } from "../scripts/shard-sequences.mjs";
import { shardsOf } from "../src/domain/db/shards";
import { checkRecordedExchanges } from "./openapi-conformance";

await Promise.all([
  applyD1Migrations(env.DIRECTORY, env.TEST_DIRECTORY_MIGRATIONS),
  ...shardsOf(env).map(async (shard, index) => {
    await applyD1Migrations(shard, env.TEST_MIGRATIONS);
    const statements = shardSequenceStatements(index);
    if (statements.length > 0) await shard.batch(statements.map((sql) => shard.prepare(sql)));
  }),
]);

afterAll(() => checkRecordedExchanges());
