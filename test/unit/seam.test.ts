/**
 * @module The one seam to D1 (src/domain/db/client.ts) against the real local
 * D1: compiled queries bound by name and mapped, Drizzle queries and raw
 * statements in one metered batch, dry runs that write nothing, the webhook
 * probe an event insert asks for read as an explicit result.
 */

import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDatabase, Database, emptyCost, rawStatement } from "../../src/domain/db/client";
import { compileQuery } from "../../src/domain/db/compiled";
import { DryRunPassed } from "../../src/domain/db/dry-run";
import { organisations, suppliers } from "../../src/domain/db/schema";
import { call, countRows, createOrganisation, webhookEndpointBody } from "../helpers";

// Placeholders listed in the opposite order to the one they appear in the SQL: values bind by name, not position.
const organisationByNameAndId = compileQuery(["name", "id"], (db, $) =>
  db
    .select({ id: organisations.id, name: organisations.name, createdAt: organisations.createdAt })
    .from(organisations)
    .where(and(eq(organisations.id, $.id), eq(organisations.name, $.name))),
);

/** A shard's database, as the seam is given one. */
const shard = env.SHARD_0!;

/** An organisation on shard 0 (its id is the directory's). */
async function insertOrganisation(name: string): Promise<number> {
  return (await createOrganisation(name, undefined, 0)).id;
}

describe("the D1 seam", () => {
  it("binds compiled queries by name, maps rows to the schema's field names, and runs Drizzle and raw statements in one metered batch", async () => {
    const alpha = await insertOrganisation("Alpha");
    const beta = await insertOrganisation("Beta");
    const cost = emptyCost();
    const db = createDatabase(shard, cost);

    const [first, second, none, drizzled] = await db.run([
      organisationByNameAndId.bind({ id: alpha, name: "Alpha" }),
      organisationByNameAndId.bind({ id: beta, name: "Beta" }),
      organisationByNameAndId.bind({ id: beta, name: "Alpha" }),
      db.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, alpha)),
    ]);

    expect(first).toEqual([{ id: alpha, name: "Alpha", createdAt: expect.stringMatching(/^\d{4}-/) }]);
    expect(second).toEqual([{ id: beta, name: "Beta", createdAt: expect.stringMatching(/^\d{4}-/) }]);
    expect(none).toEqual([]);
    expect(drizzled).toEqual([{ name: "Alpha" }]);
    expect(cost).toMatchObject({ roundTrips: 1, statements: 4 });
    expect(cost.rowsRead).toBeGreaterThanOrEqual(3);
  });

  it("runs a dry run's writes in a batch that is rolled back: DryRunPassed when they would change rows, nothing written either way", async () => {
    const name = `Dry supplier ${crypto.randomUUID()}`;
    const dry = new Database(() => shard, emptyCost(), true);
    const insert = dry.insert(suppliers).values({ name, createdAt: "2026-01-02T03:04:05.000Z" });
    await expect(dry.run([insert])).rejects.toBeInstanceOf(DryRunPassed);
    // A write that changes nothing: its reads come back, the write answered as unchanged.
    const [updated, read] = await dry.run([
      dry.update(suppliers).set({ name }).where(eq(suppliers.id, -1)).returning({ id: suppliers.id }),
      dry.select({ n: suppliers.id }).from(suppliers).where(eq(suppliers.id, -1)),
    ]);
    expect(updated).toEqual([]);
    expect(read).toEqual([]);
    expect(await countRows("suppliers", "name = ?", name)).toBe(0);
    expect(await countRows("dry_run_marks")).toBe(0);
  });

  it("appends the webhook probe a statement asks for, once per batch, and names the organisation to notify", async () => {
    const withEndpoint = await createOrganisation(undefined, undefined, 0);
    expect((await call("POST", "/api/v1/webhook_endpoints", { token: withEndpoint.token, body: webhookEndpointBody() })).status).toBe(201);
    const without = await createOrganisation(undefined, undefined, 0);
    const probe = (organisationId: number) => ({
      sql: "select organisation_id from webhook_endpoints where organisation_id = ? limit 1",
      params: [organisationId],
      writes: false,
      rows: (result: D1Result) => result.results as Array<{ organisation_id: number }>,
    });
    const asking = (organisationId: number) => rawStatement("select 1", [], { writes: false, probe: probe(organisationId) });
    const cost = emptyCost();
    const db = createDatabase(shard, cost);
    await db.run([asking(without.id), asking(without.id)]);
    expect([...db.organisationsToNotify]).toEqual([]);
    await db.run([asking(withEndpoint.id), asking(withEndpoint.id)]);
    expect([...db.organisationsToNotify]).toEqual([withEndpoint.id]);
    // Two batches of two statements, each with one probe.
    expect(cost).toMatchObject({ roundTrips: 2, statements: 6 });
  });
});
