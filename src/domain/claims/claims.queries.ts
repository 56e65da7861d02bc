/**
 * @module Global uniqueness across shards: an e-mail and an EAN number are
 * unique in the whole system (the contract), and each shard's unique index
 * sees only its own rows. So the directory arbitrates: a write that adds such
 * a key first claims it there (one batch, one round trip), then writes its
 * shard; the claim is released when the write fails, and when the record goes.
 * A claim already held by the same organisation passes (the shard's own
 * unique index and rules then decide, as on one database); one held by
 * another organisation is taken. A dry run only reads the claims.
 *
 * Cost: a create pays one more round trip (the claim batch, chunked to D1's
 * 100 bound parameters), reads none; a failed write one more to release.
 */
import { and, asc, eq, gt, inArray, lt, or, sql } from "drizzle-orm";
import { nowIso } from "../../lib/time";
import type { Database } from "../db/client";
import { claimSweeps, eanClaims, emailClaims } from "../db/directory-schema";
import { customers, eans } from "../db/schema";
import { CLAIM_ORPHAN_AFTER_MS, CLAIM_SWEEP_BATCH, D1_MAX_BOUND_PARAMETERS } from "../limits";

export type ClaimKind = "email" | "ean_number";

const TABLES = { email: emailClaims, ean_number: eanClaims } as const;

/** Keys per claim statement: 4 parameters a row, and the organisation's id in the conflict clause. */
const KEYS_PER_CLAIM_STATEMENT = Math.floor((D1_MAX_BOUND_PARAMETERS - 1) / 4);
/** Keys per release statement: the organisation's id and the claim id beside them. */
const KEYS_PER_RELEASE_STATEMENT = D1_MAX_BOUND_PARAMETERS - 2;

/** The key a value is claimed under: e-mails case-insensitively, as the shards' unique index compares them. */
export function claimKey(kind: ClaimKind, value: string): string {
  return kind === "email" ? value.toLowerCase() : value;
}

/** Some of a write's keys are held by another organisation: nothing was written, nothing stays claimed. */
export class KeysTaken extends Error {
  constructor(
    readonly kind: ClaimKind,
    /** The values as sent (not their keys). */
    readonly values: readonly string[],
  ) {
    super(`${kind} taken`);
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The values among `values` whose keys another organisation holds (a read: dry runs, and the rules' explanations). */
export async function heldElsewhere(directory: Database, kind: ClaimKind, organisationId: number, values: readonly string[]): Promise<string[]> {
  const keys = [...new Set(values.map((value) => claimKey(kind, value)))];
  if (keys.length === 0) return [];
  const table = TABLES[kind];
  const results = await directory.run(
    chunks(keys, KEYS_PER_RELEASE_STATEMENT).map((chunk) =>
      directory
        .select({ key: table.key })
        .from(table)
        .where(and(inArray(table.key, chunk), sql`${table.organisationId} <> ${organisationId}`)),
    ) as [never],
  );
  const held = new Set((results as Array<Array<{ key: string }>>).flat().map((row) => row.key));
  return values.filter((value) => held.has(claimKey(kind, value)));
}

/**
 * Claims `values` for the organisation in one batch. `mine` are the keys this
 * call claimed (released by `releaseClaims` if the write fails); the values
 * held by another organisation make it throw KeysTaken, after releasing what it claimed.
 */
async function claim(directory: Database, kind: ClaimKind, organisationId: number, values: readonly string[]) {
  const keys = [...new Set(values.map((value) => claimKey(kind, value)))];
  const claimId = crypto.randomUUID();
  if (keys.length === 0) return { claimId, mine: [] as string[] };
  const table = TABLES[kind];
  const now = nowIso();
  const results = await directory.run(
    chunks(keys, KEYS_PER_CLAIM_STATEMENT).map((chunk) =>
      directory
        .insert(table)
        .values(chunk.map((key) => ({ key, organisationId, claimId, createdAt: now })))
        // Held by the same organisation: kept as it is, and returned (the shard decides, as on one database).
        .onConflictDoUpdate({ target: table.key, set: { key: sql`excluded.key` }, setWhere: eq(table.organisationId, organisationId) })
        .returning({ key: table.key, claimId: table.claimId }),
    ) as [never],
  );
  const rows = (results as Array<Array<{ key: string; claimId: string }>>).flat();
  const mine = rows.filter((row) => row.claimId === claimId).map((row) => row.key);
  const passed = new Set(rows.map((row) => row.key));
  const taken = values.filter((value) => !passed.has(claimKey(kind, value)));
  if (taken.length > 0) {
    await releaseClaims(directory, kind, organisationId, mine, claimId);
    throw new KeysTaken(kind, taken);
  }
  return { claimId, mine };
}

/** Releases the organisation's claims on `keys` (only those `claimId` made, when given). */
export async function releaseClaims(directory: Database, kind: ClaimKind, organisationId: number, keys: readonly string[], claimId?: string) {
  if (keys.length === 0) return;
  const table = TABLES[kind];
  await directory.run(
    chunks(keys, KEYS_PER_RELEASE_STATEMENT).map((chunk) =>
      directory
        .delete(table)
        .where(and(inArray(table.key, chunk), eq(table.organisationId, organisationId), claimId === undefined ? undefined : eq(table.claimId, claimId))),
    ) as [never],
  );
}

/**
 * Runs `write` (the shard's batch) holding claims on `values`: KeysTaken
 * before it when another organisation holds one; the claims this call made
 * released when it fails, or when `wrote` says it wrote nothing (the
 * customer was not the organisation's). In a dry run (`dryRun`), the claims
 * are only read.
 */
export async function withClaims<T>(
  directory: Database,
  kind: ClaimKind,
  organisationId: number,
  values: readonly string[],
  dryRun: boolean,
  write: () => Promise<T>,
  wrote: (result: T) => boolean = () => true,
): Promise<T> {
  if (dryRun) {
    const taken = await heldElsewhere(directory, kind, organisationId, values);
    if (taken.length > 0) throw new KeysTaken(kind, taken);
    return write();
  }
  const { claimId, mine } = await claim(directory, kind, organisationId, values);
  let result: T;
  try {
    result = await write();
  } catch (error) {
    await releaseClaims(directory, kind, organisationId, mine, claimId);
    throw error;
  }
  if (!wrote(result)) await releaseClaims(directory, kind, organisationId, mine, claimId);
  return result;
}

/**
 * The orphan sweep (every five minutes): claims older than
 * CLAIM_ORPHAN_AFTER_MS are visited once each, in (created_at, key) order from
 * where the last sweep stopped, CLAIM_SWEEP_BATCH per table and run; a claim
 * whose record is on no shard (its request died between the claim and the
 * shard write) is removed, unless it was claimed again meanwhile.
 */
export async function sweepOrphanClaims(directory: Database, shards: readonly Database[]): Promise<number> {
  const before = new Date(Date.now() - CLAIM_ORPHAN_AFTER_MS).toISOString();
  let removed = 0;
  for (const kind of ["email", "ean_number"] as const) {
    const table = TABLES[kind];
    const [[cursor]] = await directory.run([directory.select().from(claimSweeps).where(eq(claimSweeps.tableName, kind))]);
    const after = cursor ?? { afterCreatedAt: "", afterKey: "" };
    const [batch] = await directory.run([
      directory
        .select()
        .from(table)
        .where(
          and(
            lt(table.createdAt, before),
            or(gt(table.createdAt, after.afterCreatedAt), and(eq(table.createdAt, after.afterCreatedAt), gt(table.key, after.afterKey))),
          ),
        )
        .orderBy(asc(table.createdAt), asc(table.key))
        .limit(CLAIM_SWEEP_BATCH),
    ]);
    if (batch.length === 0) continue;
    const keys = batch.map((row) => row.key);
    // Any shard may hold the record (an organisation's shard can change): each is asked once, by its unique index.
    const found = await Promise.all(
      shards.map(async (shard) => {
        const [rows] = await shard.run([
          kind === "email"
            ? shard
                .select({ key: sql<string>`lower(${customers.email})` })
                .from(customers)
                .where(inArray(sql`lower(${customers.email})`, keys))
            : shard.select({ key: eans.number }).from(eans).where(inArray(eans.number, keys)),
        ]);
        return rows.map((row) => row.key);
      }),
    );
    const existing = new Set(found.flat());
    const orphans = batch.filter((row) => !existing.has(row.key));
    const last = batch[batch.length - 1]!;
    await directory.run([
      ...orphans.map((row) => directory.delete(table).where(and(eq(table.key, row.key), eq(table.claimId, row.claimId)))),
      directory
        .insert(claimSweeps)
        .values({ tableName: kind, afterCreatedAt: last.createdAt, afterKey: last.key })
        .onConflictDoUpdate({ target: claimSweeps.tableName, set: { afterCreatedAt: last.createdAt, afterKey: last.key } }),
    ] as [never]);
    removed += orphans.length;
  }
  return removed;
}
