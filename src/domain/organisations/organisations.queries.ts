/**
 * @module Organisations' and tokens' SQL (operator API and /me). The
 * directory allocates organisations' ids and domains and is the system of
 * record for tokens (hash, created, revoked); KV is the lookup; the
 * organisation's own row (name, counters) is on its shard.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { nowIso } from "../../lib/time";
import { type Database, rawStatement } from "../db/client";
import { compileQuery } from "../db/compiled";
import { directoryOrganisations, tokens } from "../db/directory-schema";
import { organisations } from "../db/schema";

export const organisationRef = {
  id: organisations.id,
  name: organisations.name,
  domain: organisations.domain,
  createdAt: organisations.createdAt,
};

/**
 * The same columns under names of their own, for selects that join the
 * organisation to a table with `id`, `name` or `created_at` columns: D1
 * answers rows as objects, where equal column names would overwrite each other.
 */
export const joinedOrganisationRef = {
  id: sql<number>`${organisations.id}`.as("organisation_ref_id"),
  name: sql<string>`${organisations.name}`.as("organisation_ref_name"),
  domain: sql<string>`${organisations.domain}`.as("organisation_ref_domain"),
  createdAt: sql<string>`${organisations.createdAt}`.as("organisation_ref_created_at"),
};

const organisationById = compileQuery(["organisationId"], (db, $) =>
  db.select(organisationRef).from(organisations).where(eq(organisations.id, $.organisationId)),
);

export async function findOrganisation(db: Database, organisationId: number) {
  const [[organisation]] = await db.run([organisationById.bind({ organisationId })]);
  return organisation ?? null;
}

/** An organisation as the directory knows it: its shard. */
const directoryEntry = {
  id: directoryOrganisations.id,
  domain: directoryOrganisations.domain,
  shard: directoryOrganisations.shard,
  createdAt: directoryOrganisations.createdAt,
};

export async function findDirectoryEntry(directory: Database, organisationId: number) {
  const [[entry]] = await directory.run([directory.select(directoryEntry).from(directoryOrganisations).where(eq(directoryOrganisations.id, organisationId))]);
  return entry ?? null;
}

/** Each shard's size in bytes, as D1 reports it after a one-row read (the emptiest takes a new organisation). */
export async function shardSizes(shards: readonly Database[]): Promise<number[]> {
  const size = rawStatement("select 1", [], { writes: false });
  return Promise.all(
    shards.map(async (shard) => {
      const [[bytes]] = await shard.run([{ ...size, rows: (result: D1Result) => [result.meta.size_after ?? 0] }]);
      return bytes ?? 0;
    }),
  );
}

/**
 * Registers the organisation and its first token in the directory, in one
 * atomic batch: the id is allocated here (unique across shards), and so is
 * the domain (unique across shards). Without a domain, the domain is
 * `<slug>-<id>`, which needs the id: the row is inserted with a placeholder
 * unique to it (the token's hash), then the update and the token insert
 * address it through `last_insert_rowid()`. Should another organisation have
 * chosen exactly that `<slug>-<id>`, a random suffix follows. A chosen domain
 * that is taken fails the batch on `organisations_domain_unique`.
 */
export async function registerOrganisation(
  directory: Database,
  input: { domain: string | null; slug: string; shard: number },
  tokenHash: string,
  lastFour: string,
) {
  const now = nowIso();
  const o = directoryOrganisations;
  const [, , , [entry], [token]] = await directory.run([
    directory.insert(o).values({ domain: input.domain ?? `pending-${tokenHash}`, shard: input.shard, createdAt: now }),
    directory
      .update(o)
      .set({
        domain: sql`${input.slug} || '-' || ${o.id} || case
          when exists (select 1 from ${o} d where d.domain = ${input.slug} || '-' || ${o.id}) then '-' || lower(hex(randomblob(4)))
          else '' end`,
      })
      .where(sql`${o.id} = last_insert_rowid() and ${input.domain === null ? 1 : 0} = 1`),
    directory.insert(tokens).values({ organisationId: sql`last_insert_rowid()`, hash: tokenHash, createdAt: now, lastFour }),
    directory
      .select(directoryEntry)
      .from(o)
      .where(eq(o.id, sql`(select ${tokens.organisationId} from ${tokens} where ${tokens.hash} = ${tokenHash})`)),
    directory.select({ id: tokens.id }).from(tokens).where(eq(tokens.hash, tokenHash)),
  ]);
  return { entry: entry!, tokenId: token!.id };
}

/** The organisation's own row on its shard, with the directory's id, domain and time. */
export async function insertOrganisationRow(shard: Database, input: { id: number; name: string; domain: string; createdAt: string }) {
  const [[organisation]] = await shard.run([shard.insert(organisations).values(input).returning(organisationRef)]);
  return organisation!;
}

/** Undoes `registerOrganisation` when its shard row could not be written: nothing else refers to it yet. */
export async function unregisterOrganisation(directory: Database, organisationId: number) {
  await directory.run([
    directory.delete(tokens).where(eq(tokens.organisationId, organisationId)),
    directory.delete(directoryOrganisations).where(eq(directoryOrganisations.id, organisationId)),
  ]);
}

/** The directory names the organisation's new shard; its live keys (their KV entries must name it too). */
export async function moveInDirectory(directory: Database, organisationId: number, shard: number) {
  const [, rows] = await directory.run([
    directory.update(directoryOrganisations).set({ shard }).where(eq(directoryOrganisations.id, organisationId)),
    directory
      .select({ id: tokens.id, organisationId: tokens.organisationId, hash: tokens.hash, scope: tokens.scope, expiresAt: tokens.expiresAt })
      .from(tokens)
      .where(and(eq(tokens.organisationId, organisationId), isNull(tokens.revokedAt))),
  ]);
  return rows;
}

/** The organisation's `moving` state on this shard (0 here, 1 moving away, 2 moved away), or null when it is not here. */
export async function organisationMoving(db: Database, organisationId: number): Promise<number | null> {
  const [[row]] = await db.run([db.select({ moving: organisations.moving }).from(organisations).where(eq(organisations.id, organisationId))]);
  return row?.moving ?? null;
}
