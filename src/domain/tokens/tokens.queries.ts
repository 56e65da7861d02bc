/**
 * @module API keys' SQL, in the directory (the system of record; KV is the
 * lookup): the organisation's list, the capped create, the operator's issue,
 * revocation (the partner's keeps one live write key), and `last_used_at`
 * from the usage queue.
 */
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { nowIso } from "../../lib/time";
import type { TokenEntry } from "../../lib/tokens";
import type { Database } from "../db/client";
import { directoryOrganisations, type TokenScope, tokens } from "../db/directory-schema";
import { forgetAnswersHolding } from "../idempotency/idempotency.queries";
import { subjectOf } from "../idempotency/idempotency.subjects";
import { MAX_TOKENS_PER_ORGANISATION, TOKEN_USAGE_INTERVAL_MS } from "../limits";

/** The columns a key is listed with. */
const listed = {
  id: tokens.id,
  name: tokens.name,
  scope: tokens.scope,
  lastFour: tokens.lastFour,
  createdAt: tokens.createdAt,
  expiresAt: tokens.expiresAt,
  lastUsedAt: tokens.lastUsedAt,
};

/** The shard of the token's organisation, as a column of a statement on `tokens`. */
const shardOfOrganisation = sql<number>`(select ${directoryOrganisations.shard} from ${directoryOrganisations} where ${directoryOrganisations.id} = ${tokens.organisationId})`;

/** The KV entry of a key: what a request needs to route and authorise without a read. */
export function tokenEntry(row: { id: number; organisationId: number; scope: TokenScope; expiresAt: string | null }, shard: number): TokenEntry {
  return { organisation_id: row.organisationId, token_id: row.id, shard, scope: row.scope, expires_at: row.expiresAt };
}

/** The organisation's live (unrevoked) keys, oldest first: at most MAX_TOKENS_PER_ORGANISATION, plus the operator's. */
export async function listTokens(directory: Database, organisationId: number) {
  const [rows] = await directory.run([
    directory
      .select(listed)
      .from(tokens)
      .where(and(eq(tokens.organisationId, organisationId), isNull(tokens.revokedAt)))
      .orderBy(asc(tokens.id)),
  ]);
  return rows;
}

/** How many live keys the organisation has, as SQL. */
const liveKeys = (organisationId: number) =>
  sql`(select count(*) from ${tokens} where ${tokens.organisationId} = ${organisationId} and ${tokens.revokedAt} is null)`;

/** Whether the organisation may have one more key (a dry run's check). */
export async function hasRoomForToken(directory: Database, organisationId: number): Promise<boolean> {
  const [[row]] = await directory.run([directory.select({ live: sql<number>`${liveKeys(organisationId)}` }).from(sql`(select 1)`)]);
  return (row?.live ?? 0) < MAX_TOKENS_PER_ORGANISATION;
}

/**
 * A new key of the organisation, unless it already has
 * MAX_TOKENS_PER_ORGANISATION live ones: one statement, so the cap holds
 * under races (D1 runs one at a time). Null at the cap.
 */
export async function createToken(
  directory: Database,
  organisationId: number,
  key: { name: string; scope: TokenScope; expiresAt: string | null; hash: string; lastFour: string },
) {
  const [rows] = await directory.run([
    directory
      .insert(tokens)
      .select(
        // Every column, in the table's order: id, organisation, hash, created, revoked, name, scope, last four, expires, last used.
        sql`select null, ${organisationId}, ${key.hash}, ${nowIso()}, null, ${key.name}, ${key.scope}, ${key.lastFour}, ${key.expiresAt}, null
          where ${liveKeys(organisationId)} < ${MAX_TOKENS_PER_ORGANISATION}`,
      )
      .returning({ ...listed, organisationId: tokens.organisationId, shard: shardOfOrganisation }),
  ]);
  return rows[0] ?? null;
}

/** The operator's key for an existing organisation (an unnamed `write` key, outside the cap); null when there is no such organisation. */
export async function insertToken(directory: Database, organisationId: number, tokenHash: string, lastFour: string) {
  const [rows] = await directory.run([
    directory
      .insert(tokens)
      .select(
        sql`select null, ${directoryOrganisations.id}, ${tokenHash}, ${nowIso()}, null, '', 'write', ${lastFour}, null, null
          from ${directoryOrganisations} where ${directoryOrganisations.id} = ${organisationId}`,
      )
      .returning({ id: tokens.id, organisationId: tokens.organisationId, scope: tokens.scope, expiresAt: tokens.expiresAt, shard: shardOfOrganisation }),
  ]);
  return rows[0] ?? null;
}

/** What a revocation hands on: the hash (KV, the isolate cache) and the shard (its stored answers there). */
export interface Revoked {
  hash: string;
  shard: number;
}

/**
 * The operator's revocation of any key (keeping the first revocation time);
 * the stored operator answers that hold it are emptied in the same batch.
 * Null when there is no such key.
 */
export async function revokeToken(directory: Database, tokenId: number): Promise<Revoked | null> {
  const [, rows] = await directory.run([
    forgetAnswersHolding(directory, subjectOf("token", tokenId)),
    directory
      .update(tokens)
      .set({ revokedAt: sql`coalesce(${tokens.revokedAt}, ${nowIso()})` })
      .where(eq(tokens.id, tokenId))
      .returning({ hash: tokens.hash, shard: shardOfOrganisation }),
  ]);
  return rows[0] ?? null;
}

/** A `write` key that works now, as SQL over the row `alias`. */
const liveWriteKey = (alias: string, now: string) =>
  sql`${sql.raw(alias)}.revoked_at is null and ${sql.raw(alias)}.scope = 'write' and (${sql.raw(alias)}.expires_at is null or ${sql.raw(alias)}.expires_at > ${now})`;

/**
 * The organisation revokes one of its live keys — unless it is the last
 * `write` key that works, which would leave no key able to make another:
 * "last_write_key". One statement decides, so two keys revoking each other
 * at once cannot both succeed. Null when the organisation has no such live key.
 */
export async function revokeOwnToken(directory: Database, organisationId: number, tokenId: number): Promise<Revoked | "last_write_key" | null> {
  const now = nowIso();
  const [[found], revoked] = await directory.run([
    directory
      .select({ id: tokens.id })
      .from(tokens)
      .where(and(eq(tokens.id, tokenId), eq(tokens.organisationId, organisationId), isNull(tokens.revokedAt))),
    directory
      .update(tokens)
      .set({ revokedAt: now })
      .where(
        and(
          eq(tokens.id, tokenId),
          eq(tokens.organisationId, organisationId),
          isNull(tokens.revokedAt),
          sql`not (${liveWriteKey("tokens", now)} and not exists (
            select 1 from ${tokens} other where other.organisation_id = ${organisationId} and other.id <> ${tokenId} and ${liveWriteKey("other", now)}))`,
        ),
      )
      .returning({ hash: tokens.hash, shard: shardOfOrganisation }),
    // Only once revoked by this statement (NULL matches nothing): a refused revocation keeps the key's stored answers.
    forgetAnswersHolding(directory, sql`(select 'token:' || ${tokens.id} from ${tokens} where ${tokens.id} = ${tokenId} and ${tokens.revokedAt} = ${now})`),
  ]);
  if (!found) return null;
  return revoked[0] ?? "last_write_key";
}

/**
 * `last_used_at` of each key used, one batch: written only when it moves by
 * at least TOKEN_USAGE_INTERVAL_MS, so a key used from many isolates at once
 * is still written at most once a minute.
 */
export async function recordTokenUses(directory: Database, uses: ReadonlyMap<number, string>) {
  const statements = [...uses].map(([tokenId, at]) =>
    directory
      .update(tokens)
      .set({ lastUsedAt: at })
      .where(
        and(
          eq(tokens.id, tokenId),
          sql`(${tokens.lastUsedAt} is null or ${tokens.lastUsedAt} <= ${new Date(Date.parse(at) - TOKEN_USAGE_INTERVAL_MS).toISOString()})`,
        ),
      ),
  );
  if (statements.length > 0) await directory.run(statements as [(typeof statements)[number], ...typeof statements]);
}
