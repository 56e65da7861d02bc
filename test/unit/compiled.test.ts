/** @module Compiled queries (src/domain/db/compiled.ts) against the real local D1: binding, mapping, metering. */

import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDatabase, emptyCost } from "../../src/domain/db/client";
import { compileQuery, runBatch } from "../../src/domain/db/compiled";
import { organisations } from "../../src/domain/db/schema";

// Placeholders listed in the opposite order to the one they appear in the SQL: values bind by name, not position.
const organisationByNameAndId = compileQuery(["name", "id"], (db, $) =>
  db
    .select({ id: organisations.id, name: organisations.name, createdAt: organisations.createdAt })
    .from(organisations)
    .where(and(eq(organisations.id, $.id), eq(organisations.name, $.name))),
);

async function insertOrganisation(name: string): Promise<number> {
  const row = await env.DB.prepare("insert into organisations (name, domain, created_at) values (?, ?, ?) returning id")
    .bind(name, `${name.toLowerCase()}-test`, "2026-01-02T03:04:05.000Z")
    .first<{ id: number }>();
  return row!.id;
}

describe("compiled queries", () => {
  it("bind each request's values by name, map rows to the schema's field names, and run as one metered batch", async () => {
    const alpha = await insertOrganisation("Alpha");
    const beta = await insertOrganisation("Beta");
    const cost = emptyCost();
    const db = createDatabase(env.DB, cost);

    const [first, second, none] = await runBatch(db, [
      organisationByNameAndId.bind(db, { id: alpha, name: "Alpha" }),
      organisationByNameAndId.bind(db, { id: beta, name: "Beta" }),
      organisationByNameAndId.bind(db, { id: beta, name: "Alpha" }),
    ]);

    expect(first).toEqual([{ id: alpha, name: "Alpha", createdAt: "2026-01-02T03:04:05.000Z" }]);
    expect(second).toEqual([{ id: beta, name: "Beta", createdAt: "2026-01-02T03:04:05.000Z" }]);
    expect(none).toEqual([]);
    expect(cost).toMatchObject({ roundTrips: 1, statements: 3 });
    expect(cost.rowsRead).toBeGreaterThanOrEqual(2);
  });
});
