/**
 * @module Idempotency keys' SQL. Claiming a key is one round trip (drop it if
 * expired, insert unless present, read it back); completing or releasing it is
 * one statement.
 */
import { and, eq, isNull, lt, type SQL } from "drizzle-orm";
import { nowIso } from "../../lib/time";
import type { Database } from "../db/client";
import { idempotencyKeys } from "../db/schema";
import { IDEMPOTENCY_KEY_TTL_MS } from "../limits";

export type IdempotencyRecord = typeof idempotencyKeys.$inferSelect;

function expiredBefore(): string {
  return new Date(Date.now() - IDEMPOTENCY_KEY_TTL_MS).toISOString();
}

/**
 * Claims `keyHash` for this request unless a live claim exists. `won` is
 * whether this request's insert made the claim — a fact of the database,
 * not of anything the client sent; `record` is the claim that holds.
 */
export async function claimKey(
  db: Database,
  claim: { scope: string; keyHash: string; fingerprint: string },
): Promise<{ won: boolean; record: IdempotencyRecord }> {
  const sameKey = and(eq(idempotencyKeys.scope, claim.scope), eq(idempotencyKeys.keyHash, claim.keyHash));
  const [, inserted, [record]] = await db.run([
    db.delete(idempotencyKeys).where(and(sameKey, lt(idempotencyKeys.createdAt, expiredBefore()))),
    db
      .insert(idempotencyKeys)
      .values({ ...claim, claimId: crypto.randomUUID(), createdAt: nowIso() })
      .onConflictDoNothing()
      .returning({ id: idempotencyKeys.id }),
    db.select().from(idempotencyKeys).where(sameKey),
  ]);
  return { won: inserted.length > 0, record: record! };
}

/** Records the answer of this claim (and of no later claim of the same key). */
export async function completeKey(db: Database, claim: IdempotencyRecord, status: number, sealedBody: string, subject: string | null) {
  await db.run([
    db
      .update(idempotencyKeys)
      .set({ status, body: sealedBody, subject })
      .where(and(eq(idempotencyKeys.id, claim.id), eq(idempotencyKeys.claimId, claim.claimId), isNull(idempotencyKeys.status))),
  ]);
}

/** Forgets a claim whose request did not succeed, so that a retry runs again; a recorded answer is never erased. */
export async function releaseKey(db: Database, claim: IdempotencyRecord) {
  await db.run([
    db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.id, claim.id), eq(idempotencyKeys.claimId, claim.claimId), isNull(idempotencyKeys.status))),
  ]);
}

export async function purgeExpiredKeys(db: Database) {
  await db.run([db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, expiredBefore()))]);
}

/**
 * Empties every stored answer that holds `subject` (a `kind:id` string, or
 * SQL that yields one — NULL when the thing is not the caller's, matching
 * nothing): kept as a bare 404, so a retry creates nothing and replays
 * nothing. Runs in the batch that removes the thing.
 */
export function forgetAnswersHolding(db: Database, subject: SQL | string) {
  return db.update(idempotencyKeys).set({ status: 404, body: null, subject: null }).where(eq(idempotencyKeys.subject, subject));
}
